/**
 * What every tokenizer here shares: an implementation produces one row of ids for a text (already cut to
 * `contextLength`), and this base pads it with 0 into the fixed-length rows the text tower receives.
 */
import type { Tokenizer } from './types';

export abstract class PaddedRowTokenizer implements Tokenizer {
  abstract readonly type: string;
  abstract readonly contextLength: number;

  /** The ids of `text`, at most contextLength of them. */
  protected abstract row(text: string): number[];

  abstract tokens(text: string): string[];

  encode(text: string): Int32Array {
    const out = new Int32Array(this.contextLength); // zero = padding
    out.set(this.row(text));
    return out;
  }

  encodeBatch(texts: string[]): Int32Array {
    const out = new Int32Array(texts.length * this.contextLength);
    texts.forEach((text, i) => out.set(this.row(text), i * this.contextLength));
    return out;
  }
}

/**
 * Ids [rows, ctx] (0 = padding, trailing) cut to the longest row's length (at least 1 column): a graph whose rows
 * do not depend on their trailing padding (manifest text.trimPadding) then skips the padded positions, most of
 * a 64-position row for a typical prompt.
 */
export function trimPaddingColumns(ids: Int32Array, rows: number, ctx: number): { ids: Int32Array; width: number } {
  let width = 1;
  for (let r = 0; r < rows; r++) {
    let n = ctx;
    while (n > width && ids[r * ctx + n - 1] === 0) n--;
    if (n > width) width = n;
  }
  if (width === ctx) return { ids, width };
  const out = new Int32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(ids.subarray(r * ctx, r * ctx + width), r * width);
  return { ids: out, width };
}
