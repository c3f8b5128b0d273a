/**
 * The word tokenizer with a subword model (manifest text.tokenizer.subwords): a word the vocabulary lacks is
 * read by its character n-grams (id V + its row of the batch's subword rows) when the n-gram file holds one of
 * them, else it is `<unk>`; coverage is the share of a text's words read. Without `subwords` nothing changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer } from '../../../src/runtime/tokenizers';
import { charNgrams } from '../../../src/runtime/tokenizers/char-ngrams';
import { parseNgrams, SubwordTable } from '../../../src/runtime/tokenizers/subwords';
import type { Tokenizer } from '../../../src/runtime/tokenizers/types';
import { mulberry32 } from '../../helpers/prng';
import { buildSubwordBundle, MAX_N, MIN_N, SLOTS, type SubwordBundle } from '../subword-bundle';

let bundle: SubwordBundle;
let tok: Tokenizer;
let plain: Tokenizer;
const spec = (extra: object = {}) => ({ type: 'word' as const, vocab: 'vocab.txt', contextLength: 32, subwords: { ngrams: 'ngrams.txt', input: 'subword_ids', minN: MIN_N, maxN: MAX_N, slots: SLOTS }, ...extra });

beforeAll(async () => {
  bundle = buildSubwordBundle();
  tok = await loadTokenizer(spec(), bundle.dir);
  plain = await loadTokenizer({ type: 'word', vocab: 'vocab.txt', contextLength: 32 }, bundle.dir);
});

/** The n-gram ids the contract says a word gets: those of charNgrams(word) in ngrams.txt, in order, at most SLOTS. */
function expectedGrams(word: string): number[] {
  return charNgrams(word, MIN_N, MAX_N)
    .map((g) => bundle.ngrams.indexOf(g))
    .filter((id) => id > 0)
    .slice(0, SLOTS);
}

/** Row r of subword_ids without its padding. */
function subRow(e: ReturnType<Tokenizer['encodeWindows']>, r: number): number[] {
  const s = e.subwords!;
  return Array.from(s.ids.subarray(r * s.slots, (r + 1) * s.slots)).filter((id) => id !== 0);
}

describe('a word absent from the vocabulary but with known n-grams is read by subwords', () => {
  test('its id is V + its row, and the row holds its known n-grams in order, right-padded with 0', () => {
    expect(bundle.vocab).not.toContain('kittens');
    const e = tok.encodeWindows(['a kittens']);
    const V = bundle.vocab.length;
    expect(Array.from(e.ids.subarray(0, 3))).toEqual([bundle.vocab.indexOf('a'), V, 0]);
    expect(e.subwords!.rows).toBe(1);
    expect(e.subwords!.slots).toBe(SLOTS);
    const grams = expectedGrams('kittens');
    expect(grams.length).toBeGreaterThan(5);
    expect(subRow(e, 0)).toEqual(grams);
    // Right-padded: the known ids first, then zeros.
    expect(Array.from(e.subwords!.ids.subarray(grams.length))).toEqual(new Array(SLOTS - grams.length).fill(0));
    expect(Array.from(e.coverage!)).toEqual([1]);
  });

  test('readable tokens show it as <sub:word>, an unreadable word as <unk:word>', () => {
    expect(tok.tokens('a kittens zzqx')).toEqual(['a', '<sub:kittens>', '<unk:zzqx>']);
    expect(tok.encodeWindows(['a kittens zzqx']).window(0, 0).text).toBe('a <sub:kittens> <unk:zzqx>');
  });

  test('a vocabulary word is read from the vocabulary even when its n-grams are known', () => {
    expect(bundle.vocab).toContain('kitten');
    const e = tok.encodeWindows(['kitten']);
    expect(e.ids[0]).toBe(bundle.vocab.indexOf('kitten'));
    expect(Array.from(e.subwords!.ids)).toEqual(new Array(SLOTS).fill(0)); // one all-zero row: U >= 1
    expect(e.subwords!.rows).toBe(1);
  });

  test('words are normalised first, then read by subwords', () => {
    expect(tok.tokens('ＫＩＴＴＥＮＳ Kit\u200Btens')).toEqual(['<sub:kittens>', '<sub:kittens>']);
    // Leetspeak is undone only toward vocabulary words (word-tokens.ts): "k1tt3ns" stays as typed, and its
    // n-grams are unknown, so it lowers coverage instead of passing as read.
    expect(tok.tokens('k1tt3ns')).toEqual(['<unk:k1tt3ns>']);
  });

  test('at most `slots` n-grams, the first known ones of the word', async () => {
    const two = await loadTokenizer(spec({ subwords: { ngrams: 'ngrams.txt', input: 'subword_ids', minN: MIN_N, maxN: MAX_N, slots: 2 } }), bundle.dir);
    const e = two.encodeWindows(['bloodied']);
    expect(e.subwords!.slots).toBe(2);
    expect(Array.from(e.subwords!.ids)).toEqual(expectedGrams('bloodied').slice(0, 2));
  });
});

describe('coverage: words read (vocabulary or subwords) / all words, over the whole text', () => {
  test.each<[string, number]>([
    ['a cat in a garden', 1],
    ['kittens in a garden', 1],
    ['a cat zzqx', 2 / 3],
    ['zzqx vvkp wqjz', 0],
    ['猫猫 狗狗', 0],
    ['★★★ ☆☆☆', 0],
    ['', 1], // no words
  ])('%j has coverage %d', (text, coverage) => {
    expect(tok.encodeWindows([text]).coverage![0]).toBeCloseTo(coverage, 12);
  });

  test('is counted over every window of a long text, not the first', () => {
    const words = [...new Array(40).fill('cat'), ...new Array(40).fill('zzqx')];
    const e = tok.encodeWindows([words.join(' '), 'a cat']);
    expect(e.counts[0]).toBeGreaterThan(2);
    expect(Array.from(e.coverage!)).toEqual([0.5, 1]);
  });
});

describe('long prompts: one set of subword rows per batch, shared by every window row', () => {
  test('every id >= V in every window names the row of its own word, across windows and texts', () => {
    const V = bundle.vocab.length;
    // 40 words: windows [0, 32) and [8, 40). "kittens" only in the first, "bloodied" only in the last,
    // "meadows" in both; the second text repeats "bloodied" (no new row) and adds "kittenish".
    const words = new Array(40).fill('cat');
    words[2] = 'kittens';
    words[20] = 'meadows';
    words[38] = 'bloodied';
    const texts = [words.join(' '), 'bloodied kittenish cat'];
    const e = tok.encodeWindows(texts);
    expect(Array.from(e.counts)).toEqual([2, 1]);
    const rowWords = ['kittens', 'meadows', 'bloodied', 'kittenish'];
    expect(e.subwords!.rows).toBe(rowWords.length);
    rowWords.forEach((w, r) => expect(subRow(e, r)).toEqual(expectedGrams(w)));
    const row = (r: number) => Array.from(e.ids.subarray(r * 32, (r + 1) * 32));
    const windowWords = [words.slice(0, 32), words.slice(8, 40), ['bloodied', 'kittenish', 'cat']];
    windowWords.forEach((ws, r) => {
      const ids = row(r);
      ws.forEach((w, i) => expect(ids[i]).toBe(w === 'cat' ? bundle.vocab.indexOf('cat') : V + rowWords.indexOf(w)));
    });
  });
});

describe('without `subwords` the tokenizer is exactly as before', () => {
  test('unknown words are <unk>; no subword rows and no coverage', () => {
    const e = plain.encodeWindows(['a kittens zzqx']);
    expect(Array.from(e.ids.subarray(0, 4))).toEqual([bundle.vocab.indexOf('a'), 1, 1, 0]);
    expect(e.subwords).toBeUndefined();
    expect(e.coverage).toBeUndefined();
    expect(plain.tokens('a kittens zzqx')).toEqual(['a', '<unk:kittens>', '<unk:zzqx>']);
  });

  test('vocabulary words get the same ids with and without a subword model', () => {
    const text = 'a photo of a cat in a garden, at night';
    expect(Array.from(tok.encode(text))).toEqual(Array.from(plain.encode(text)));
  });
});

describe('the n-gram file is checked like vocab.txt', () => {
  test.each<[string, string, RegExp]>([
    ['no <none> first', 'abc\n<ki\n', /line 1 must be "<none>" \(id 0, the empty slot\), found "abc"/],
    ['an empty line', '<none>\n<ki\n\nkit\n', /line 3 is empty; every line is an n-gram and its line number its id/],
    ['a repeat', '<none>\n<ki\nkit\n<ki\n', /line 4 repeats "<ki" from line 2; an n-gram must have one id/],
    ['a gram no word can have', '<none>\n<ki\nkittens\n', /line 3 holds "kittens" \(7 characters\), which no word can have; allowed: n-grams of minN\.\.maxN = 3\.\.5 characters/],
  ])('%s', (_name, text, message) => {
    expect(() => parseNgrams(text, MIN_N, MAX_N)).toThrow(message);
  });

  test('loading a bad file fails with BUNDLE_INVALID naming the file and the line', async () => {
    const bad = buildSubwordBundle({ ngramsText: '<none>\n<ki\n<ki\n' });
    const err: any = await loadTokenizer(spec(), bad.dir).catch((e) => e);
    expect(err.extensions.code).toBe('BUNDLE_INVALID');
    expect(err.message).toContain(path.join(bad.dir, 'ngrams.txt'));
    expect(err.message).toMatch(/line 3 repeats "<ki" from line 2/);
  });

  test('a missing n-gram file names the file', async () => {
    const b = buildSubwordBundle();
    fs.rmSync(path.join(b.dir, 'ngrams.txt'));
    await expect(loadTokenizer(spec(), b.dir)).rejects.toThrow(/ngrams\.txt: cannot be read \(ENOENT\)/);
  });

  test('CRLF line ends and a missing final newline are fine', () => {
    expect(parseNgrams('<none>\r\n<ki\r\nkit', MIN_N, MAX_N)).toEqual(['<none>', '<ki', 'kit']);
  });

  test('lookup is exactly charNgrams(word, minN, maxN), filtered to the table, in order, cut to slots', () => {
    const rng = mulberry32(12);
    const alphabet = ['a', 'b', 'n', 'a', '猫', '🙂', 'é', '<', '>'];
    const word = () => Array.from({ length: 1 + Math.floor(rng() * 14) }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('');
    for (const [minN, maxN, slots] of [[3, 5, 48], [1, 3, 4], [2, 2, 3], [3, 6, 1]]) {
      // A table holding a random half of the n-grams of 200 random words.
      const all = [...new Set(Array.from({ length: 200 }, word).flatMap((w) => charNgrams(w, minN, maxN)))];
      const grams = ['<none>', ...all.filter(() => rng() < 0.5)];
      const table = new SubwordTable(grams, { minN, maxN, slots, cacheSize: 0 });
      for (let k = 0; k < 300; k++) {
        const w = word();
        const expected = charNgrams(w, minN, maxN).map((g) => grams.indexOf(g)).filter((id) => id > 0).slice(0, slots);
        expect([w, Array.from(table.lookup(w) ?? [])]).toEqual([w, expected]);
      }
    }
  });

  test('n-gram lengths are code points, as charNgrams counts them', () => {
    const table = new SubwordTable(parseNgrams('<none>\n<猫猫\n猫猫>\n', MIN_N, MAX_N), { minN: MIN_N, maxN: MAX_N, slots: 4 });
    expect(Array.from(table.lookup('猫猫')!)).toEqual([1, 2]);
    expect(table.lookup('狗')).toBeNull();
  });
});
