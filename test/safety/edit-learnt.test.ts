/**
 * EDIT with a substitution table learnt from twins (#12 item 5, src/safety/edit.ts step 2): a word's learnt
 * replacements are tried first and keep the scene ("blood" -> "paint") where the nearest word by direction is
 * something else; a learnt replacement that does not make the prompt safe is not taken; a bundle without a table
 * edits as before. The rule on hand-made distances, then the fixture bundle's real ONNX sessions through the
 * safety service and through GraphQL.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../../src/config';
import type { Gateway } from '../../src/main';
import { openServices } from '../../src/main';
import type { Substitutions } from '../../src/runtime/bundle';
import { chooseCandidate, editPrompt, type EditOptions } from '../../src/safety/edit';
import type { Services } from '../../src/services';
import { FIXTURE_BUNDLE, gql, startTestGateway } from '../helpers/gateway';

describe('chooseCandidate (distances in the order drop, nearest, learnt least to most frequent)', () => {
  const target = 1;
  test('when some candidate gets under the bound, the most frequent learnt one under it wins, even if another is lower', () => {
    // drop 0.5, nearest 0.2, learnt (least frequent first) 0.9, 0.8, 1.5
    expect(chooseCandidate([0.5, 0.2, 0.9, 0.8, 1.5], 3, target)).toBe(3);
    expect(chooseCandidate([0.5, 0.2, 0.9, 1.2, 1.5], 3, target)).toBe(2);
  });
  test('no learnt one under the bound: the smallest distance', () => {
    expect(chooseCandidate([0.5, 0.2, 1.9, 1.2], 2, target)).toBe(1);
  });
  test('nothing under the bound: the smallest distance, a learnt one on a tie', () => {
    expect(chooseCandidate([3, 2.5, 2, 2.2], 1, target)).toBe(2);
    expect(chooseCandidate([3, 2, 2.5, 2], 1, target)).toBe(3);
  });
  test('without learnt ones: the rule EDIT always had (smallest d, the later candidate on a tie: a replacement over the drop)', () => {
    expect(chooseCandidate([0.5, 0.5, 0.7], 0, target)).toBe(1);
    expect(chooseCandidate([0.4, 0.5, 0.7], 0, target)).toBe(0);
  });
});

describe('editPrompt with a table, on a hand-made distance', () => {
  // d(text) = 0.5, + 3 for "blood" or "gore", - 0.2 for "toast" (the nearest-word rule would love it).
  const TARGET = 2;
  const d = (t: string): number => {
    const w = t.toLowerCase().split(/[^a-z]+/);
    return 0.5 + (w.includes('blood') || w.includes('gore') ? 3 : 0) - (w.includes('toast') ? 0.2 : 0);
  };
  function options(substitutions: Substitutions | null): { o: EditOptions; batches: string[][] } {
    const batches: string[][] = [];
    const o: EditOptions = {
      embed: async (texts) => {
        batches.push(texts);
        return texts.map((t) => Float32Array.of(d(t)));
      },
      distance: (v) => v[0],
      target: TARGET,
      words: null,
      substitutions,
    };
    return { o, batches };
  }
  const run = (text: string, o: EditOptions) => editPrompt(text, Float32Array.of(d(text)), o);

  test('the learnt replacement is taken, punctuation kept; an unsafe learnt one ("gore") is passed over', async () => {
    const table: Substitutions = new Map([['blood', [{ replacement: 'gore', count: 9 }, { replacement: 'red paint', count: 5 }, { replacement: null, count: 4 }, { replacement: 'toast', count: 2 }]]]);
    const r = await run('a knight, blood, a castle', options(table).o);
    expect(r).toMatchObject({ output: 'a knight, red paint, a castle', edits: [{ from: 'blood', to: 'red paint' }], safe: true });
  });

  test('without a table the word is dropped (no nearest words here), as before', async () => {
    const r = await run('a knight, blood, a castle', options(null).o);
    expect(r).toMatchObject({ output: 'a knight, a castle', edits: [{ from: 'blood', to: null }], safe: true });
  });

  test('at most `learnt` (4) learnt replacements are tried per word, all in one batch with the drop', async () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ replacement: `gore${'x'.repeat(i)}`, count: 20 - i }));
    const { o, batches } = options(new Map([['blood', many]]));
    await run('blood moon', o);
    const candidates = batches.find((b) => b.includes('gore moon'))!;
    expect(new Set(candidates)).toEqual(new Set(['gore moon', 'gorex moon', 'gorexx moon', 'gorexxx moon', 'moon']));
    expect(candidates).toHaveLength(5);
  });
});

const HEADER = 'unsafe_word\treplacement\tcount';
const KNIGHT = 'a knight with blood on his sword in a castle';

/** A copy of the fixture bundle whose manifest names a substitution table holding `rows`. */
function bundleWithTable(rows: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-bundle-'));
  for (const f of fs.readdirSync(FIXTURE_BUNDLE)) fs.copyFileSync(path.join(FIXTURE_BUNDLE, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'substitutions.tsv'), [HEADER, ...rows].join('\n') + '\n');
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...m, substitutions: 'substitutions.tsv' }, null, 2));
  return dir;
}

async function services(modelDir: string): Promise<Services> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-cache-'));
  return openServices(resolveConfig({ MODEL_WORKERS: '1' }, { modelDir, cacheDir }));
}

describe('the fixture bundle (real ONNX sessions) through the safety service', () => {
  let plain: Services;
  let learnt: Services;
  beforeAll(async () => {
    plain = await services(FIXTURE_BUNDLE);
    // gore (count 9) is unsafe in the fixture: learnt, but it cannot make the prompt safe.
    learnt = await services(bundleWithTable(['blood\tgore\t9', 'blood\tpaint\t5', 'blood\t<drop>\t4', 'stabbing\tdancing with\t3']));
  });
  afterAll(async () => {
    await plain?.runtime.close(0);
    await learnt?.runtime.close(0);
  });

  test('without a table the nearest-word rule picks another word for "blood"', async () => {
    const r = await plain.safety.redirectText(KNIGHT, 'EDIT');
    expect(r.strategy).toBe('EDIT');
    expect(r.after.unsafe).toBe(false);
    expect(r.edits).toHaveLength(1);
    expect(r.edits![0].from).toBe('blood');
    expect(r.edits![0].to).not.toBe('paint');
    expect(r.output).not.toContain('paint');
  });

  test('with the table "blood" becomes its learnt replacement "paint" (not the unsafe "gore"), the rest kept word for word, and the output is safe', async () => {
    const r = await learnt.safety.redirectText(KNIGHT, 'EDIT');
    expect(r).toMatchObject({ strategy: 'EDIT', redirected: true, output: 'a knight with paint on his sword in a castle', edits: [{ from: 'blood', to: 'paint' }] });
    expect(r.before.unsafe).toBe(true);
    expect(r.after.unsafe).toBe(false);
    // The service's verdict is checked again on a fresh embedding of the output.
    const [vec] = await learnt.runtime.embedTexts([r.output!]);
    expect(learnt.safety.verdict(vec, 'TEXT').unsafe).toBe(false);
  });

  test('a prompt with two unsafe words: both learnt replacements, phrase included', async () => {
    const r = await learnt.safety.redirectText('a man stabbing another man in a dark street, blood everywhere', 'EDIT');
    expect(r.after.unsafe).toBe(false);
    expect(r.output).toBe('a man dancing with another man in a dark street, paint everywhere');
    expect(r.edits).toEqual([
      { from: 'stabbing', to: 'dancing with' },
      { from: 'blood', to: 'paint' },
    ]);
  });

  test('words the table does not know are edited as before', async () => {
    const text = 'a painting of a gore scene in a forest';
    const [a, b] = await Promise.all([plain.safety.redirectText(text, 'EDIT'), learnt.safety.redirectText(text, 'EDIT')]);
    expect(b.output).toBe(a.output);
    expect(b.edits).toEqual(a.edits);
  });
});

describe('through GraphQL', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startTestGateway({ modelDir: bundleWithTable(['blood\tpaint\t5']) });
  });
  afterAll(async () => {
    await gw?.close();
  });

  test('redirect with EDIT returns the learnt replacement in output and edits', async () => {
    const res = await gql(gw, 'query($t: String!) { redirect(input: { text: $t, strategy: EDIT }) { output redirected strategy edits { from to } after { unsafe } } }', { t: KNIGHT });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.redirect).toEqual({ output: 'a knight with paint on his sword in a castle', redirected: true, strategy: 'EDIT', edits: [{ from: 'blood', to: 'paint' }], after: { unsafe: false } });
  });
});
