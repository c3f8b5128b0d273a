/**
 * The subword model's side of the word tokenizer (manifest `text.tokenizer.subwords`): a word the vocabulary
 * lacks is read through its character n-grams (char-ngrams.ts) instead of becoming `<unk>`.
 *
 * N-gram file: one n-gram a line, line i (0-based) has id i; line 0 is `<none>` (id 0 = an empty slot).
 *
 * What the text graph receives for a batch (the contract with models/train's export):
 *   input_ids    [N, L]      0 pad, 1 `<unk>`, 2..V-1 vocabulary words (V = lines of vocab.txt), and
 *                            V + r for a word read by subwords: its n-grams are row r of subword_ids
 *   subword_ids  [U, slots]  per distinct subword-read word of the batch (first seen first), the ids of those
 *                            of charNgrams(word, minN, maxN) that the n-gram file holds, in order, at most
 *                            `slots`, right-padded with 0; U >= 1 (one all-zero row when no word needs one)
 * The rows are per batch, so every window row of a batch (windows.ts) shares them.
 */
import { BoundedCache } from './bounded-cache';
import { parseIdLines } from './bundle-files';

export const NONE_TOKEN = '<none>';

/** The subword rows of one batch: subword_ids [rows, slots], row-major. */
export interface SubwordRows {
  ids: Int32Array;
  rows: number;
  slots: number;
}

export interface SubwordOptions {
  minN: number;
  maxN: number;
  slots: number;
  /** Words whose n-gram ids are memoised (per generation, see BoundedCache). Default 16384; 0 disables. */
  cacheSize?: number;
}

/** Parses and checks an n-gram file's text (as parseWordVocab does a vocabulary). Throws with the line number of the first problem. */
export function parseNgrams(text: string, minN: number, maxN: number): string[] {
  return parseIdLines(text, 'an n-gram', [{ entry: NONE_TOKEN, id: 'id 0, the empty slot' }], (gram, i) => {
    if (i === 0) return;
    const n = Array.from(gram).length; // code points, as charNgrams counts them
    if (n < minN || n > maxN) {
      throw new Error(`line ${i + 1} holds ${JSON.stringify(gram)} (${n} characters), which no word can have; allowed: n-grams of minN..maxN = ${minN}..${maxN} characters`);
    }
  });
}

/** Looks words up in the n-gram table. */
export class SubwordTable {
  readonly minN: number;
  readonly maxN: number;
  readonly slots: number;
  private readonly ids = new Map<string, number>();
  /** Word -> its n-gram ids (null: none held). */
  private readonly cache: BoundedCache<Int32Array | null>;

  /** `ngrams[i]` is the n-gram with id i; ngrams[0] is `<none>` (see parseNgrams). */
  constructor(ngrams: readonly string[], options: SubwordOptions) {
    const { minN, maxN, slots } = options;
    if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN) throw new RangeError(`subword n-gram lengths must be integers with 1 <= minN <= maxN, got ${minN}..${maxN}`);
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`subword slots must be an integer >= 1, got ${slots}`);
    if (ngrams[0] !== NONE_TOKEN) throw new RangeError(`the n-gram table must start with "${NONE_TOKEN}"`);
    this.minN = minN;
    this.maxN = maxN;
    this.slots = slots;
    ngrams.forEach((gram, id) => {
      if (id > 0 && !this.ids.has(gram)) this.ids.set(gram, id);
    });
    this.cache = new BoundedCache(options.cacheSize ?? 16384);
  }

  /**
   * Ids of the n-grams of `word` that the table holds, in order, at most `slots`; null when it holds none.
   * Exactly `charNgrams(word, minN, maxN)` filtered to the table and cut to `slots` (the subword test pins it),
   * walked in the same order but stopping at the `slots`-th hit, with each start's grams grown one character at
   * a time: a 2,000-letter word costs a few dozen lookups instead of 6,000 substrings.
   */
  lookup(word: string): Int32Array | null {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const chars = Array.from(`<${word}>`); // code points, as charNgrams
    const { minN, maxN, slots } = this;
    const found: number[] = [];
    const taken = new Set<number>(); // a gram seen again keeps its first place (charNgrams keeps it once)
    walk: for (let i = 0; i < chars.length; i++) {
      let gram = '';
      for (let n = 1; n <= maxN && i + n <= chars.length; n++) {
        gram += chars[i + n - 1];
        if (n < minN || gram === '<' || gram === '>') continue;
        const id = this.ids.get(gram);
        if (id === undefined || taken.has(id)) continue;
        taken.add(id);
        found.push(id);
        if (found.length === slots) break walk;
      }
    }
    const out = found.length === 0 ? null : Int32Array.from(found);
    this.cache.set(word, out);
    return out;
  }
}

/** Collects the subword rows of one batch while its texts are encoded. */
export class SubwordBatch {
  private readonly rowOf = new Map<string, number>();
  private readonly grams: Int32Array[] = [];

  /** `base` is V, the vocabulary size: a subword-read word's id is base + its row. */
  constructor(
    private readonly base: number,
    private readonly slots: number,
  ) {}

  /** The id of a word read by subwords in this batch (its row is added the first time the batch sees it). */
  idOf(word: string, grams: Int32Array): number {
    let row = this.rowOf.get(word);
    if (row === undefined) {
      row = this.grams.length;
      this.grams.push(grams);
      this.rowOf.set(word, row);
    }
    return this.base + row;
  }

  /** subword_ids [U, slots] for the graph: U >= 1 (one all-zero row when no word needed subwords). */
  rows(): SubwordRows {
    const rows = Math.max(1, this.grams.length);
    const ids = new Int32Array(rows * this.slots); // zero = empty slot
    this.grams.forEach((g, r) => ids.set(g, r * this.slots));
    return { ids, rows, slots: this.slots };
  }
}
