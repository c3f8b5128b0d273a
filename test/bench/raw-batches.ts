/**
 * The raw ONNX Runtime baseline's input (run-bench.ts rawBaseline, raw-ort-worker.ts): the load's prompts cut
 * into batches of `batch` and tokenised exactly as the gateway's model worker tokenises a batch
 * (src/runtime/worker.ts), done before the timed loop so the baseline measures the session alone.
 *
 * Per batch (prompts b*batch .. b*batch+batch-1 of the list, wrapping round):
 *   encodeWindows(texts) -> ids [rows, ctx], counts, subwords
 *   ids       the first window of each text (the load's prompts fit one window; `multiWindow` counts those
 *             that do not), cut to the longest row when the bundle says text.trimPadding
 *   subwords  the batch's own subword rows [U, slots] (one all-zero row when no word needed one), or null for a
 *             bundle without a subword model. Ids >= V in `ids` name these rows (V + row), so they are fed
 *             with this batch only: U is what the gateway sends for the same texts, not the whole list's rows.
 */
import type { Feed, FeedValue } from '../../src/runtime/ort';
import type { SubwordRows } from '../../src/runtime/tokenizers';
import { trimPaddingColumns } from '../../src/runtime/tokenizers';
import type { EncodedWindows, Tokenizer } from '../../src/runtime/tokenizers/types';

export interface RawBatch {
  /** Token ids [rows, width], row-major. */
  ids: Int32Array;
  rows: number;
  width: number;
  subwords: SubwordRows | null;
}

/** The first window row of every text of `encoded`: [texts, ctx]. */
export function firstWindows(encoded: EncodedWindows, ctx: number): Int32Array {
  const n = encoded.counts.length;
  if (encoded.rows === n) return encoded.ids;
  const out = new Int32Array(n * ctx);
  let row = 0;
  for (let t = 0; t < n; t++) {
    out.set(encoded.ids.subarray(row * ctx, (row + 1) * ctx), t * ctx);
    row += encoded.counts[t];
  }
  return out;
}

/**
 * Batches of `batch` prompts, enough distinct ones to cycle through the list (at most `maxBatches`, default 64).
 * `multiWindow`: prompts (of those batched) longer than one window, of which only the first window is run.
 */
export function rawBatches(tokenizer: Tokenizer, prompts: readonly string[], batch: number, o: { trim: boolean; maxBatches?: number }): { batches: RawBatch[]; multiWindow: number } {
  if (prompts.length === 0) throw new RangeError('rawBatches: no prompts');
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`rawBatches: batch must be an integer >= 1, got ${batch}`);
  const ctx = tokenizer.contextLength;
  const count = Math.max(1, Math.min(o.maxBatches ?? 64, Math.floor(prompts.length / batch)));
  const batches: RawBatch[] = [];
  let multiWindow = 0;
  for (let b = 0; b < count; b++) {
    const texts = Array.from({ length: batch }, (_, i) => prompts[(b * batch + i) % prompts.length]);
    const encoded = tokenizer.encodeWindows(texts);
    for (const c of encoded.counts) if (c > 1) multiWindow++;
    const first = firstWindows(encoded, ctx);
    const { ids, width } = o.trim ? trimPaddingColumns(first, batch, ctx) : { ids: first, width: ctx };
    batches.push({ ids, rows: batch, width, subwords: encoded.subwords ?? null });
  }
  return { batches, multiWindow };
}

/** Over the whole list at once: distinct words read by subwords (0 without a subword model) and prompts over one window. */
export function subwordStats(tokenizer: Tokenizer, prompts: readonly string[]): { distinctSubwordRows: number; multiWindow: number } {
  const encoded = tokenizer.encodeWindows([...prompts]);
  const sub = encoded.subwords;
  // U >= 1 always: an all-zero row alone means no word needed subwords.
  const distinct = !sub ? 0 : sub.rows === 1 && sub.ids.every((v) => v === 0) ? 0 : sub.rows;
  let multiWindow = 0;
  for (const c of encoded.counts) if (c > 1) multiWindow++;
  return { distinctSubwordRows: distinct, multiWindow };
}

/** A batch's feeds for the text graph, widened to its integer type (as src/runtime/worker.ts feeds a run). */
export function rawFeeds(b: RawBatch, o: { inputName: string; subwordInput: string | null; dtype: 'int64' | 'int32' }): Record<string, Feed> {
  const widen = (ids: Int32Array): FeedValue => (o.dtype === 'int64' ? BigInt64Array.from(ids, (v) => BigInt(v)) : ids);
  const feeds: Record<string, Feed> = { [o.inputName]: { data: widen(b.ids), dims: [b.rows, b.width] } };
  if (o.subwordInput !== null) {
    if (!b.subwords) throw new Error(`the text graph takes ${o.subwordInput} but the batch has no subword rows (the tokenizer has no subword model)`);
    feeds[o.subwordInput] = { data: widen(b.subwords.ids), dims: [b.subwords.rows, b.subwords.slots] };
  }
  return feeds;
}
