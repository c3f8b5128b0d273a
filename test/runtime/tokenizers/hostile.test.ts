/**
 * The word tokenizer's cost on hostile input is linear in the text's length (word-tokens.ts states the bound),
 * with the shipped hysac-mini vocabulary, and de-obfuscation still works inside such text: no shortcut skips
 * it on long input (that would let "n a k e d" through after a screenful of junk).
 *
 * Cost is measured as what the tokenizer asks the vocabulary: `has` lookups plus lookups in the spaced-letter
 * index (counted through wrappers), per character. That is deterministic, unlike a time, and it is what
 * was superlinear before: "a a a ..." asked 22 lookups a character, two-mask words ("x*y*z") 117.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeText } from '../../../src/runtime/tokenizers/normalize';
import { parseWordVocab, WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { chunkTokens, spacedLetterIndex, wordTokens, type SpacedLetterIndex } from '../../../src/runtime/tokenizers/word-tokens';
import { mulberry32 } from '../../helpers/prng';

const file = path.resolve(__dirname, '../../../models/hysac-mini/vocab.txt');
const present = fs.existsSync(file);
const maybe = present ? describe : describe.skip;

maybe('hostile input with the hysac-mini vocabulary', () => {
  const vocab = parseWordVocab(present ? fs.readFileSync(file, 'utf8') : '<pad>\n<unk>\n');
  const words = vocab.slice(2);
  const set = new Set(words);
  const has = (w: string): boolean => set.has(w);
  const index = spacedLetterIndex(words);
  const mini = new WordTokenizer(vocab, { contextLength: 64, cacheSize: 0 });

  let lookups = 0;
  const countingHas = (w: string): boolean => {
    lookups++;
    return set.has(w);
  };
  const counting = <V,>(m: ReadonlyMap<string, V>): ReadonlyMap<string, V> =>
    ({
      get: (k: string) => {
        lookups++;
        return m.get(k);
      },
      has: (k: string) => {
        lookups++;
        return m.has(k);
      },
    }) as unknown as ReadonlyMap<string, V>;
  const countingIndex: SpacedLetterIndex = { skeletons: counting(index.skeletons), followers: counting(index.followers) };

  const r = mulberry32(20261201);
  const letter = (): string => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)];
  const N = 2000; // MAX_TEXT_LENGTH's default
  const HOSTILE: [string, string][] = [
    ['spaced letters "a a a ... x" (the issue\'s input)', ('a '.repeat(200) + 'x ').repeat(10).slice(0, N)],
    ['spaced letters "a a a" only', 'a '.repeat(N / 2)],
    ['random spaced letters', Array.from({ length: N / 2 }, letter).join(' ')],
    ['a run of one letter', 'a'.repeat(N)],
    ['stretched spaced letters', Array.from({ length: N / 2 }, (_, i) => 'nnaakkeedd'[i % 10]).join(' ')],
    ['48-letter words with no vocabulary split', Array.from({ length: N / 49 }, () => Array.from({ length: 48 }, letter).join('')).join(' ')],
    ['one 2,000-letter word', Array.from({ length: N }, letter).join('')],
    ['mixed separators', Array.from({ length: N / 2 }, (_, i) => letter() + ' .-_,'[i % 5]).join('')],
    ['many short chunks', Array.from({ length: N / 3 }, () => letter() + letter()).join(' ')],
    ['two-mask words', Array.from({ length: N / 6 }, () => `${letter()}*${letter()}*${letter()}`).join(' ')],
    ['one-mask words', Array.from({ length: N / 6 }, () => `${letter()}${letter()}*${letter()}${letter()}`).join(' ')],
    ['spaced leetspeak', Array.from({ length: N / 2 }, (_, i) => '1il|!@4310$57+'[(i * 7919 + (i >> 3) * 31) % 14]).join(' ')],
    ["clitics x'y", Array.from({ length: N / 4 }, () => `${letter()}'${letter()}`).join(' ')],
  ];

  test.each(HOSTILE)('%s: at most 20 vocabulary/index lookups a character', (_name, text) => {
    const normalized = normalizeText(text);
    lookups = 0;
    wordTokens(normalized, countingHas, (chunk) => chunkTokens(chunk, countingHas, countingIndex), countingIndex);
    expect(lookups / text.length).toBeLessThanOrEqual(20);
  });

  test('the cost grows linearly: ten times the text, at most ten times the lookups (plus a little)', () => {
    const unit = ('a '.repeat(150) + 'x q ' + 'n*k*d ').repeat(2);
    const count = (text: string): number => {
      lookups = 0;
      wordTokens(normalizeText(text), countingHas, (chunk) => chunkTokens(chunk, countingHas, countingIndex), countingIndex);
      return lookups;
    };
    const one = count(unit);
    const ten = count(unit.repeat(10));
    expect(ten).toBeLessThanOrEqual(10 * one + 100);
  });

  test('the same words with and without the index and memo on hostile input (index only filters)', () => {
    for (const [, text] of HOSTILE) {
      const t = normalizeText(text.slice(0, 300));
      expect(wordTokens(t, has, undefined, index)).toEqual(wordTokens(t, has));
    }
  });

  test('a run long enough to restart the span memo (no index: every span is a node) segments as with the index', () => {
    const text = normalizeText(Array.from({ length: 5000 }, (_, i) => (i % 997 < 5 ? 'naked'[i % 997] : letter())).join(' '));
    expect(wordTokens(text, has)).toEqual(wordTokens(text, has, undefined, index));
  });

  test.each([
    ['after 1,900 characters of spaced "a"', `${'a '.repeat(950)}n a k e d woman`],
    ['after random spaced letters', `${Array.from({ length: 900 }, letter).join(' ')} . n a k e d woman`],
    ['after a screenful of two-mask junk', `${Array.from({ length: 300 }, () => 'q*x*z').join(' ')} n*k*d woman`],
    ['after long junk words', `${Array.from({ length: 38 }, () => Array.from({ length: 48 }, letter).join('')).join(' ')} n4k3d woman`],
    ['as dotted letters after mixed separators', `${Array.from({ length: 600 }, (_, i) => 'q' + ' ._-'[i % 4]).join('')} n.a.k.e.d woman`],
  ])('de-obfuscation still works %s', (_name, text) => {
    expect(text.length).toBeLessThanOrEqual(2000);
    const tokens = mini.words(text);
    expect(tokens.slice(-2)).toEqual(['naked', 'woman']);
  });
});
