/**
 * hysac-mini's training augmentations (models/train/mini/augment.ts, neutral-words.ts): what each one may and may
 * not change in a safe/unsafe pair. They decide what the tower learns is evidence of unsafety (the concept's words,
 * never touched) and what is not (context words, dropped or swapped in both twins alike). No TensorFlow.js needed.
 */
import { conceptPositions, dropPairWords, neutralBag, substitutePairWords } from '../../models/train/mini/augment';
import { GLOVE_DIM } from '../../models/train/mini/config';
import type { Corpus } from '../../models/train/mini/corpus';
import { neutralWords } from '../../models/train/mini/neutral-words';
import { Prng } from '../../models/fixture/prng';

const row = (...ids: number[]): Int32Array => Int32Array.from([...ids, 0, 0, 0]);
const tokens = (r: Int32Array): number[] => [...r].filter((id) => id !== 0);

// "a man (10) holding (11) a (12) cake (13)" / "a man (10) holding (11) a (12) gun (20) bloody (21)"
const SAFE = row(10, 11, 12, 13);
const UNSAFE = row(10, 11, 12, 20, 21);

describe('conceptPositions', () => {
  test('marks the unsafe tokens the safe twin lacks, counting repeats', () => {
    expect([...conceptPositions(SAFE, UNSAFE)]).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    // "a a" in the safe twin covers two of the three "a"s.
    expect([...conceptPositions(row(5, 5), row(5, 5, 5))]).toEqual([0, 0, 1, 0, 0, 0]);
  });
});

describe('dropPairWords', () => {
  test('drops context words from both twins at once and never the concept', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const [s, u] = dropPairWords(SAFE, UNSAFE, conceptPositions(SAFE, UNSAFE), 0.5, new Prng(seed));
      const context = tokens(u).slice(0, -2);
      expect(tokens(u).slice(-2)).toEqual([20, 21]);
      // The same context words survive in both; a safe twin left empty keeps its first word.
      const expected = tokens(s).includes(13) ? [...context, 13] : context.length ? context : [10];
      expect(tokens(s)).toEqual(expected);
    }
  });
});

describe('substitutePairWords', () => {
  const neutral = Int32Array.from([100, 101, 102]);
  const concept = conceptPositions(SAFE, UNSAFE);

  test('p = 0 changes nothing', () => {
    const [s, u] = substitutePairWords(SAFE, UNSAFE, concept, 0, neutral, new Prng(1));
    expect(s).toBe(SAFE);
    expect(u).toBe(UNSAFE);
  });

  test('p = 1 swaps every context word for a neutral one, the same one in both twins, and keeps the concept', () => {
    const [s, u] = substitutePairWords(SAFE, UNSAFE, concept, 1, neutral, new Prng(7));
    expect(tokens(s).every((id) => neutral.includes(id))).toBe(true);
    expect(tokens(u).slice(0, 3)).toEqual(tokens(s).slice(0, 3)); // shared context, swapped alike
    expect(tokens(u).slice(3)).toEqual([20, 21]);
    expect(s.length).toBe(SAFE.length);
  });

  test('a context word that is also in the concept is swapped only outside the concept', () => {
    // safe "a (12) cake (13)", unsafe "a (12) a (12) gun (20)": the second "a" belongs to the concept.
    const safe = row(12, 13);
    const unsafe = row(12, 12, 20);
    const [, u] = substitutePairWords(safe, unsafe, conceptPositions(safe, unsafe), 1, neutral, new Prng(3));
    expect(neutral.includes(u[0])).toBe(true);
    expect([u[1], u[2]]).toEqual([12, 20]);
  });
});

describe('neutralBag', () => {
  test('2 to 12 neutral ids, then padding', () => {
    const neutral = Int32Array.from([7, 8, 9]);
    const prng = new Prng(11);
    const lengths = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const b = neutralBag(neutral, 64, prng);
      const n = tokens(b).length;
      lengths.add(n);
      expect(b.length).toBe(64);
      expect(tokens(b).every((id) => neutral.includes(id))).toBe(true);
      expect([...b.slice(n)].every((id) => id === 0)).toBe(true);
    }
    expect(Math.min(...lengths)).toBe(2);
    expect(Math.max(...lengths)).toBe(12);
  });
});

describe('neutralWords', () => {
  // Vocabulary: pad, unk, then GloVe words with hand-made 100-d vectors (only the first two components set).
  const vocab = ['<pad>', '<unk>', 'gore', 'gory', 'teapot', 'violin', 'pianist', 'rare'];
  const dir: Record<string, [number, number]> = { gore: [1, 0], gory: [0.9, 0.1], teapot: [0, 1], violin: [0.2, 1], pianist: [0, 1], rare: [0, 1] };
  const frozen = new Float32Array(vocab.length * GLOVE_DIM);
  vocab.forEach((w, i) => {
    if (dir[w]) frozen.set(dir[w], i * GLOVE_DIM);
  });
  const corpus: Corpus = {
    pairs: [
      { category: 'shocking', style: 'short', safe: 'teapot violin', unsafe: 'teapot gore', split: 'train' },
      { category: 'shocking', style: 'short', safe: 'pianist', unsafe: 'pianist gore', split: 'calib' },
    ],
    hardNegatives: [],
    pool: [],
    anchors: [],
    lexicon: [],
  };
  const words = (t: string): string[] => t.split(' ');

  test('keeps ordinary words; drops unsafe corpus words, their GloVe neighbours, calib-only words and rare rows', () => {
    const n = neutralWords(corpus, vocab, frozen, vocab.length, words, ['gore'], { neighbourCosine: 0.5, neutralTopWords: 5 });
    expect([...n.ids].map((i) => vocab[i])).toEqual(['teapot', 'violin']);
    expect(n).toMatchObject({ seeds: 1, excludedNeighbours: 1, excludedCalibOnly: 1 });
  });
});
