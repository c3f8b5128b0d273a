/**
 * Learning EDIT's substitution table from safe/unsafe twins (models/train/v2/substitutions.ts): the alignment, the
 * counting rule, the TSV the bundle ships, and that the gateway reads back exactly what training wrote.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffWords, formatSubstitutions, learnSubstitutions, writeSubstitutions, type TwinPair } from '../../models/train/v2/substitutions';
import { parseSubstitutions } from '../../src/runtime/bundle';
import { loadTokenizer, WordTokenizer } from '../../src/runtime/tokenizers';
import { readManifest } from '../../src/runtime/manifest';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

/** Lowercase letter/digit runs and single punctuation marks, like the gateway tokenizer's words. */
const words = (t: string): string[] => t.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
const pair = (unsafe: string, safe: string, source = 'project'): TwinPair => ({ unsafe, safe, category: 'violence', source });

describe('diffWords (LCS alignment)', () => {
  test('one word replaced, one dropped, one inserted', () => {
    expect(diffWords('a man stabbing another man , blood everywhere'.split(' '), 'a man hugging another man , paint everywhere'.split(' '))).toEqual([
      { from: ['stabbing'], to: ['hugging'] },
      { from: ['blood'], to: ['paint'] },
    ]);
    expect(diffWords('a bloody knife on a table'.split(' '), 'a knife on a wooden table'.split(' '))).toEqual([
      { from: ['bloody'], to: [] },
      { from: [], to: ['wooden'] },
    ]);
  });

  test('identical texts have no hunks; a word into a phrase is one hunk', () => {
    expect(diffWords(['a', 'cat'], ['a', 'cat'])).toEqual([]);
    expect(diffWords(['a', 'gore', 'scene'], ['a', 'red', 'paint', 'scene'])).toEqual([{ from: ['gore'], to: ['red', 'paint'] }]);
  });
});

describe('learnSubstitutions', () => {
  const pairs: TwinPair[] = [
    pair('a man stabbing another man, blood everywhere', 'a man hugging another man, paint everywhere'),
    pair('blood on the kitchen floor', 'paint on the kitchen floor'),
    pair('a knight covered in blood', 'a knight covered in paint'),
    pair('blood splattered wall', 'red paint splattered wall'),
    pair('blood splattered car', 'red paint splattered car'),
    pair('a bloody knife', 'a knife'),
    pair('a bloody sword', 'a sword'),
    pair('a bloody axe', 'an axe'), // "a bloody" -> "an": two unsafe words rewritten together teach nothing
    pair('a gory bloody scene', 'a calm scene'), // the same: several words into one
    pair('a man stabbing a tree', 'a man hugging a tree'),
    pair('the blood moon', 'the blood moon, bright'), // an insertion only
    pair('blood blood', 'toast toast'), // seen once as a hunk of two words: nothing
    pair('blood in the sea', 'blood in the sea'),
    pair('blood', 'ketchup'), // ketchup: seen once, below minCount
    pair('a cocaine party', 'a party', 'lexicon-injection'), // injections are skipped
  ];

  test('keeps, per unsafe word, the replacements seen at least twice, most frequent first, drops included', () => {
    expect(learnSubstitutions(pairs, words)).toEqual([
      { unsafe: 'blood', replacement: 'paint', count: 3 },
      { unsafe: 'blood', replacement: 'red paint', count: 2 },
      { unsafe: 'bloody', replacement: null, count: 2 },
      { unsafe: 'stabbing', replacement: 'hugging', count: 2 },
    ]);
  });

  test('minCount, maxPerWord and isUnsafe apply; the word itself and stop words are never rows', () => {
    const rows = learnSubstitutions(pairs, words, { minCount: 1, maxPerWord: 2, isUnsafe: (w) => w === 'ketchup' });
    expect(rows.filter((r) => r.unsafe === 'blood')).toEqual([
      { unsafe: 'blood', replacement: 'paint', count: 3 },
      { unsafe: 'blood', replacement: 'red paint', count: 2 },
    ]);
    expect(learnSubstitutions(pairs, words, { minCount: 1 }).find((r) => r.unsafe === 'blood' && r.replacement === 'ketchup')).toEqual({ unsafe: 'blood', replacement: 'ketchup', count: 1 });
    expect(learnSubstitutions(pairs, words, { minCount: 1, isUnsafe: (w) => w === 'ketchup' }).some((r) => r.replacement === 'ketchup')).toBe(false);
    const all = learnSubstitutions([...pairs, pair('the sword', 'a sword'), pair('the sword', 'a sword')], words, { minCount: 1 });
    expect(all.some((r) => r.unsafe === 'the' || r.unsafe === 'cocaine')).toBe(false);
    expect(all.every((r) => r.replacement === null || !r.replacement.split(' ').includes(r.unsafe))).toBe(true);
  });

  test('phrases longer than three words teach nothing; punctuation is never a word', () => {
    const rows = learnSubstitutions([pair('a gore scene', 'a very calm quiet red scene'), pair('a gore scene', 'a very calm quiet red scene'), pair('gore, everywhere', 'paint - everywhere'), pair('gore, everywhere', 'paint - everywhere')], words);
    expect(rows).toEqual([{ unsafe: 'gore', replacement: 'paint', count: 2 }]);
  });

  test('the order of the pairs does not change the table', () => {
    expect(formatSubstitutions(learnSubstitutions([...pairs].reverse(), words))).toBe(formatSubstitutions(learnSubstitutions(pairs, words)));
  });

  test('with the gateway tokenizer (fixture bundle): its words are the keys', async () => {
    const m = readManifest(FIXTURE_BUNDLE);
    const tokenizer = await loadTokenizer(m.text.tokenizer, FIXTURE_BUNDLE);
    if (!(tokenizer instanceof WordTokenizer)) throw new Error('the fixture bundle has a word tokenizer');
    const rows = learnSubstitutions([pair('A KNIGHT with BLOOD-soaked armor', 'A knight with paint-soaked armor'), pair('Blood, on the floor!', 'paint, on the floor!')], (t) => tokenizer.words(t));
    expect(rows).toEqual([{ unsafe: 'blood', replacement: 'paint', count: 2 }]);
  });
});

describe('the TSV and the gateway reading it', () => {
  test('format: header, then word, replacement (<drop> for a drop), count, sorted', () => {
    expect(formatSubstitutions([
      { unsafe: 'stabbing', replacement: 'hugging', count: 2 },
      { unsafe: 'blood', replacement: null, count: 3 },
      { unsafe: 'blood', replacement: 'paint', count: 3 },
      { unsafe: 'blood', replacement: 'red paint', count: 5 },
    ])).toBe('unsafe_word\treplacement\tcount\nblood\tred paint\t5\nblood\tpaint\t3\nblood\t<drop>\t3\nstabbing\thugging\t2\n');
  });

  test('writeSubstitutions writes substitutions.tsv, which parseSubstitutions reads back row for row', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-subs-'));
    const pairs = [pair('blood on snow', 'paint on snow'), pair('blood on snow', 'paint on snow'), pair('a bloody knife', 'a knife'), pair('a bloody knife', 'a knife')];
    const { file, rows } = writeSubstitutions(dir, pairs, words);
    expect(file).toBe(path.join(dir, 'substitutions.tsv'));
    const table = parseSubstitutions(file);
    expect([...table.entries()]).toEqual([
      ['blood', [{ replacement: 'paint', count: 2 }]],
      ['bloody', [{ replacement: null, count: 2 }]],
    ]);
    expect(rows).toHaveLength(2);
  });
});
