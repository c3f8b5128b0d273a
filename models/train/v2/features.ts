/**
 * Texts as the v2 text tower's inputs, computed exactly as the gateway will: the project's WordTokenizer splits
 * and de-obfuscates words (src/runtime/tokenizers), a vocabulary word reads its dequantised int8 row, any other
 * word its subword vector (vocab-v2.ts; `<unk>`'s zero row when none of its n-grams is in the table).
 *
 * Each text becomes a list of "feature ids": id >= 0 is a row of the (dequantised) word table, id < 0 is row
 * (-id - 1) of the subword table built here for the distinct out-of-vocabulary words seen.
 */
import { WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { GLOVE_DIM } from '../mini/config';
import { dequantizeRow, gramIdsOf, subwordVector, type LexicalLayer } from './vocab-v2';

export interface Featurizer {
  /** Feature ids of a text's words (all of them, uncut). */
  ids(text: string): Int32Array;
  /** Fills row t of `out` ([L, 100] slice) with feature id `id`'s vector. */
  vector(id: number, out: Float32Array, offset: number): void;
  /** The words of a text as the tokenizer splits them. */
  words(text: string): string[];
  /** Out-of-vocabulary words seen, and how many had no n-gram in the table. */
  stats(): { oovWords: number; unreadWords: number };
}

export function makeFeaturizer(layer: LexicalLayer): Featurizer {
  const tokenizer = new WordTokenizer(layer.tokens, { contextLength: 4096 });
  const table = new Float32Array(layer.tokens.length * GLOVE_DIM);
  const row = new Float32Array(GLOVE_DIM);
  for (let r = 0; r < layer.tokens.length; r++) {
    dequantizeRow(layer.words, r, row);
    table.set(row, r * GLOVE_DIM);
  }
  const subIndex = new Map<string, number>();
  const subRows: Float32Array[] = [];
  let unread = 0;
  const cache = new Map<string, Int32Array>();
  return {
    words: (text) => tokenizer.words(text),
    ids(text) {
      const hit = cache.get(text);
      if (hit) return hit;
      const words = tokenizer.words(text);
      const out = new Int32Array(words.length);
      words.forEach((w, i) => {
        const id = layer.ids.get(w);
        if (id !== undefined) return void (out[i] = id);
        let k = subIndex.get(w);
        if (k === undefined) {
          const v = new Float32Array(GLOVE_DIM);
          if (subwordVector(layer.grams, gramIdsOf(layer, w), v)) {
            k = subRows.length;
            subRows.push(v);
          } else {
            k = -1; // no n-gram known: <unk>
            unread++;
          }
          subIndex.set(w, k);
        }
        out[i] = k < 0 ? 1 : -k - 1;
      });
      cache.set(text, out);
      return out;
    },
    vector(id, out, offset) {
      if (id >= 0) out.set(table.subarray(id * GLOVE_DIM, (id + 1) * GLOVE_DIM), offset);
      else out.set(subRows[-id - 1], offset);
    },
    stats: () => ({ oovWords: subIndex.size, unreadWords: unread }),
  };
}

/** A batch of texts as [N, L, 100] vectors and a [N, L] mask, each text cut to `maxLen` words (a window starting at `starts[i]`). */
export function batchInputs(f: Featurizer, texts: string[], maxLen: number, starts?: number[]): { e: Float32Array; m: Float32Array; n: number; L: number } {
  const ids = texts.map((t) => f.ids(t));
  const cut = ids.map((x, i) => {
    const s = Math.min(starts?.[i] ?? 0, Math.max(0, x.length - maxLen));
    return x.subarray(s, s + maxLen);
  });
  const L = Math.max(1, ...cut.map((x) => x.length));
  const n = texts.length;
  const e = new Float32Array(n * L * GLOVE_DIM);
  const m = new Float32Array(n * L);
  cut.forEach((x, i) => {
    for (let t = 0; t < x.length; t++) {
      f.vector(x[t], e, (i * L + t) * GLOVE_DIM);
      m[i * L + t] = 1;
    }
  });
  return { e, m, n, L };
}
