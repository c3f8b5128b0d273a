/**
 * The bundle's optional substitution table (manifest `substitutions`, EDIT's learnt replacements): a well-formed
 * table is loaded in count order, a malformed one stops loading with BUNDLE_INVALID naming the file, the line and
 * what is allowed, and a bundle without one loads as before.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBundle, parseSubstitutions } from '../../src/runtime/bundle';
import { validateManifest } from '../../src/runtime/manifest';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

const HEADER = 'unsafe_word\treplacement\tcount';

function tableFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-subs-')), 'substitutions.tsv');
  fs.writeFileSync(file, text);
  return file;
}

/** A copy of the fixture bundle whose manifest names `substitutions.tsv` holding `text`. */
function bundleWithTable(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-bundle-'));
  for (const f of fs.readdirSync(FIXTURE_BUNDLE)) fs.copyFileSync(path.join(FIXTURE_BUNDLE, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'substitutions.tsv'), text);
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...m, substitutions: 'substitutions.tsv' }, null, 2));
  return dir;
}

function errorOf(f: () => unknown): { code?: string; message: string } {
  try {
    f();
  } catch (e) {
    return { code: (e as { extensions?: { code?: string } }).extensions?.code, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

describe('parseSubstitutions', () => {
  test('rows come back per word, most frequent first (ties in file order); <drop> is null; comments and blank lines are skipped', () => {
    const file = tableFile(`# learnt from twins\n${HEADER}\nblood\tpaint\t3\nblood\tred paint\t5\n\nblood\t<drop>\t3\nstabbing\thugging\t2\n`);
    expect([...parseSubstitutions(file).entries()]).toEqual([
      ['blood', [{ replacement: 'red paint', count: 5 }, { replacement: 'paint', count: 3 }, { replacement: null, count: 3 }]],
      ['stabbing', [{ replacement: 'hugging', count: 2 }]],
    ]);
  });

  test.each<[string, string, RegExp]>([
    ['no header', 'blood\tpaint\t3\n', /:1: expected the header "unsafe_word\\treplacement\\tcount"; got "blood\\tpaint\\t3"$/],
    ['two fields', `${HEADER}\nblood\tpaint\n`, /:2: has 2 tab-separated fields; allowed: a row "unsafe_word<TAB>replacement<TAB>count"/],
    ['an uppercase word', `${HEADER}\nBlood\tpaint\t3\n`, /:2: unsafe word "Blood" is not one lowercase word; allowed: /],
    ['two words as the key', `${HEADER}\nred blood\tpaint\t3\n`, /:2: unsafe word "red blood" is not one lowercase word/],
    ['a four-word phrase', `${HEADER}\nblood\ta lot of paint\t3\n`, /:2: replacement "a lot of paint" is not 1 to 3 lowercase words separated by single spaces nor <drop>/],
    ['double spaces', `${HEADER}\nblood\tred  paint\t3\n`, /:2: replacement "red  paint" is not 1 to 3 lowercase words/],
    ['an empty replacement', `${HEADER}\nblood\t\t3\n`, /:2: replacement "" is not 1 to 3 lowercase words/],
    ['the word itself', `${HEADER}\nblood\tblood red\t3\n`, /:2: replacement "blood red" contains the unsafe word "blood" itself; allowed: a replacement without it/],
    ['a zero count', `${HEADER}\nblood\tpaint\t0\n`, /:2: count "0" is not an integer >= 1/],
    ['a fractional count', `${HEADER}\nblood\tpaint\t2.5\n`, /:2: count "2\.5" is not an integer >= 1/],
    ['a repeated row', `${HEADER}\nblood\tpaint\t3\nblood\tpaint\t2\n`, /:3: "blood" -> "paint" is listed twice; allowed: each replacement of a word once/],
    ['an empty file', '# nothing\n', /substitutions\.tsv is empty; allowed: the header/],
  ])('%s: BUNDLE_INVALID naming file and line', (_name, text, message) => {
    const file = tableFile(text);
    const err = errorOf(() => parseSubstitutions(file));
    expect(err.code).toBe('BUNDLE_INVALID');
    expect(err.message.startsWith(file)).toBe(true);
    expect(err.message).toMatch(message);
  });

  test('a header-only table is an empty table', () => {
    expect(parseSubstitutions(tableFile(`${HEADER}\n`)).size).toBe(0);
  });
});

describe('manifest substitutions', () => {
  const good = () => JSON.parse(fs.readFileSync(path.join(FIXTURE_BUNDLE, 'manifest.json'), 'utf8'));

  test('absent: the bundle loads with no table, as before', async () => {
    expect(validateManifest(good(), FIXTURE_BUNDLE).substitutions).toBeUndefined();
    expect((await loadBundle(FIXTURE_BUNDLE)).substitutions).toBeNull();
  });

  test('a file that is not in the bundle, or outside it, is BUNDLE_INVALID naming the field', () => {
    const missing = errorOf(() => validateManifest({ ...good(), substitutions: 'substitutions.tsv' }, FIXTURE_BUNDLE));
    expect(missing.code).toBe('BUNDLE_INVALID');
    expect(missing.message).toMatch(/manifest\.substitutions names "substitutions\.tsv", which is not in .*; allowed: a file that exists in the bundle folder/);
    expect(errorOf(() => validateManifest({ ...good(), substitutions: '../pool.txt' }, FIXTURE_BUNDLE)).message).toMatch(/manifest\.substitutions is "\.\.\/pool\.txt"; allowed: a file name inside the bundle folder/);
    expect(errorOf(() => validateManifest({ ...good(), substitutions: 3 }, FIXTURE_BUNDLE)).message).toMatch(/manifest\.substitutions is 3; allowed: a non-empty string/);
  });

  test('present: loadBundle exposes the parsed table', async () => {
    const bundle = await loadBundle(bundleWithTable(`${HEADER}\nblood\tpaint\t4\n`));
    expect(bundle.manifest.substitutions).toBe('substitutions.tsv');
    expect(bundle.substitutions?.get('blood')).toEqual([{ replacement: 'paint', count: 4 }]);
  });

  test('present but malformed: loading stops with BUNDLE_INVALID naming the file and line', async () => {
    const dir = bundleWithTable(`${HEADER}\nblood\tpaint\tmany\n`);
    await expect(loadBundle(dir)).rejects.toMatchObject({ extensions: { code: 'BUNDLE_INVALID' }, message: expect.stringContaining(`${path.join(dir, 'substitutions.tsv')}:2: count "many" is not an integer >= 1`) });
  });
});
