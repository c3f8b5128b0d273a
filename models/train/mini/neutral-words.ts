/**
 * Neutral words: the GloVe words training may use as "any ordinary word" (word substitution in pairs, random
 * neutral word bags; see train.ts).
 *
 * Why: the corpus is generated from a few hundred subjects, settings and styles, so a word-level tower sees only
 * a small part of its 36k-word vocabulary during training, and the rest lands wherever its random initial
 * features put it. On the calib split (held out by subject) the safest prompts that scored highest were safe
 * twins whose held-out subject alone pushed them outward ("gray-haired pianist laughing" 3.45, "truck driver
 * laughing" 3.17, threshold 3.17), and those outliers are what set the threshold at the 1 % rule. Showing the
 * tower ordinary words from the whole vocabulary as safe context teaches it that an unknown word says nothing
 * about safety; only the unsafe concepts do.
 *
 * A word is neutral when it is a frozen GloVe row and none of these exclude it:
 *   1. it is one of the corpus's unsafe words: tokens of lexicon terms, of unsafe anchors, and of the concept
 *      positions of the train pairs (tokens of an unsafe prompt that its safe twin lacks);
 *   2. its GloVe vector has cosine >= `neighbourCosine` with one of those words (their near neighbours:
 *      "murdered", "nude", ... even where the lexicon lacks them);
 *   3. it occurs in a calib text and in no train text (keeps the calib split a test on unseen words);
 *   4. it is ranked below `neutralTopWords` in GloVe's frequency order (rare rows are mostly noise).
 */
import type { Corpus } from './corpus';
import { GLOVE_DIM } from './config';

export interface NeutralWordsOptions {
  neighbourCosine: number;
  neutralTopWords: number;
}

/** Unsafe seed words (rule 1) and the counts each rule excluded, for the training log and TRAINING.md. */
export interface NeutralWordsCounts {
  seeds: number;
  excludedNeighbours: number;
  excludedCalibOnly: number;
}

export interface NeutralWords extends NeutralWordsCounts {
  ids: Int32Array;
}

/** What the checkpoint records. */
export interface NeutralWordsRecord extends NeutralWordsCounts {
  count: number;
}

export function neutralWords(
  corpus: Corpus,
  tokens: string[],
  frozen: Float32Array,
  frozenRows: number,
  words: (text: string) => string[],
  conceptWords: Iterable<string>,
  opts: NeutralWordsOptions,
): NeutralWords {
  const id = new Map(tokens.map((t, i) => [t, i]));
  const seedWords = new Set<string>(conceptWords);
  for (const l of corpus.lexicon) for (const w of words(l.term)) seedWords.add(w);
  for (const a of corpus.anchors) if (a.label !== 'safe') for (const w of words(a.text)) seedWords.add(w);

  const trainWords = new Set<string>();
  const calibWords = new Set<string>();
  for (const p of corpus.pairs) for (const w of [...words(p.safe), ...words(p.unsafe)]) (p.split === 'train' ? trainWords : calibWords).add(w);
  for (const h of corpus.hardNegatives) for (const w of words(h.text)) (h.split === 'train' ? trainWords : calibWords).add(w);
  for (const t of corpus.pool) for (const w of words(t)) trainWords.add(w);

  // Unit GloVe rows of the seeds (frozen rows only; learnt rows have no pretrained neighbourhood).
  const unit = (i: number): Float32Array => {
    const v = frozen.subarray(i * GLOVE_DIM, (i + 1) * GLOVE_DIM);
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n) || 1;
    return Float32Array.from(v, (x) => x / n);
  };
  const seedIds = [...seedWords].map((w) => id.get(w)).filter((i): i is number => i !== undefined && i >= 2 && i < frozenRows);
  const S = new Float32Array(seedIds.length * GLOVE_DIM);
  seedIds.forEach((i, k) => S.set(unit(i), k * GLOVE_DIM));

  const out: number[] = [];
  let excludedNeighbours = 0;
  let excludedCalibOnly = 0;
  const last = Math.min(frozenRows, 2 + opts.neutralTopWords);
  for (let i = 2; i < last; i++) {
    const w = tokens[i];
    if (seedWords.has(w)) continue;
    if (calibWords.has(w) && !trainWords.has(w)) {
      excludedCalibOnly++;
      continue;
    }
    const u = unit(i);
    let near = false;
    for (let k = 0; k < seedIds.length && !near; k++) {
      let dot = 0;
      const o = k * GLOVE_DIM;
      for (let j = 0; j < GLOVE_DIM; j++) dot += u[j] * S[o + j];
      near = dot >= opts.neighbourCosine;
    }
    if (near) {
      excludedNeighbours++;
      continue;
    }
    out.push(i);
  }
  return { ids: Int32Array.from(out), seeds: seedIds.length, excludedNeighbours, excludedCalibOnly };
}
