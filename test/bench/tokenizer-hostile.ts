/**
 * The word tokenizer's cost on hostile input, per character: `npx tsx test/bench/tokenizer-hostile.ts [bundle-dir]`
 * (default models/hysac-mini). For each case, a 2,000-character text (MAX_TEXT_LENGTH's default) goes through
 * WordTokenizer.words with the chunk cache off (an attacker sends distinct chunks), as the model worker
 * tokenises it; and through wordTokens with the index passed to chunkTokens too (what it costs once the
 * tokenizer passes it). Prints microseconds a character, then a JSON summary. Not a test: nothing asserts a
 * time (test/runtime/tokenizers/hostile.test.ts bounds the lookups instead). Seeded, so runs are comparable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeText } from '../../src/runtime/tokenizers/normalize';
import { parseWordVocab, WordTokenizer } from '../../src/runtime/tokenizers/word';
import { chunkTokens, spacedLetterIndex, wordTokens } from '../../src/runtime/tokenizers/word-tokens';
import { mulberry32 } from '../helpers/prng';

const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '../../models/hysac-mini'));
const vocab = parseWordVocab(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8'));
const set = new Set(vocab.slice(2));
const has = (w: string): boolean => set.has(w);
const index = spacedLetterIndex(set.keys());
const tokenizer = new WordTokenizer(vocab, { contextLength: 64, cacheSize: 0 });

const r = mulberry32(7);
const letter = (): string => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)];
const N = 2000;
const cases: Record<string, string> = {
  'spaced "a a a"': 'a '.repeat(N / 2),
  'spaced "a a a x"': ('a a a ' + 'x ').repeat(N / 8),
  'spaced random letters': Array.from({ length: N / 2 }, letter).join(' '),
  'spaced leet 1il|!': Array.from({ length: N / 2 }, (_, i) => '1il|!'[(i * 7919 + (i >> 3) * 31) % 5]).join(' '),
  'spaced stretched': Array.from({ length: N / 2 }, (_, i) => 'nnaakkeedd'[i % 10]).join(' '),
  'dotted letters': Array.from({ length: N / 2 }, letter).join('.'),
  'mixed separators': Array.from({ length: N / 2 }, (_, i) => letter() + ' .-_,'[i % 5]).join(''),
  'one letter x2000': 'a'.repeat(N),
  '48-letter words': Array.from({ length: N / 49 }, () => Array.from({ length: 48 }, letter).join('')).join(' '),
  'masked x*y*z': Array.from({ length: N / 6 }, () => `${letter()}*${letter()}*${letter()}`).join(' '),
  'masked xy*zw': Array.from({ length: N / 6 }, () => `${letter()}${letter()}*${letter()}${letter()}`).join(' '),
  'short chunks': Array.from({ length: N / 3 }, () => letter() + letter()).join(' '),
  'ordinary words': 'a watercolor painting of a fox in the snow, highly detailed '.repeat(40).slice(0, N),
};

function usPerChar(text: string, f: () => void): number {
  f(); // warm up
  const t0 = performance.now();
  let reps = 0;
  while (performance.now() - t0 < 300 || reps < 3) {
    f();
    reps++;
  }
  return ((performance.now() - t0) / reps) * 1000 / text.length;
}

const summary: Record<string, { tokenizer: number; withIndex: number }> = {};
console.log('case                      us/char: WordTokenizer.words   wordTokens + index in chunkTokens');
for (const [name, text] of Object.entries(cases)) {
  const normalized = normalizeText(text);
  const a = usPerChar(text, () => tokenizer.words(text));
  const b = usPerChar(text, () => wordTokens(normalized, has, (c) => chunkTokens(c, has, index), index));
  summary[name] = { tokenizer: +a.toFixed(2), withIndex: +b.toFixed(2) };
  console.log(`${name.padEnd(26)} ${a.toFixed(2).padStart(8)} ${b.toFixed(2).padStart(12)}`);
}
console.log(JSON.stringify(summary));
