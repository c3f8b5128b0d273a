/**
 * What every tokenizer here shares: an implementation turns a text into its content ids (all of them, uncut)
 * and frames one window of them as a row (CLIP adds SOT and EOT); this base cuts the content into windows
 * (windows.ts) and pads rows with 0 into the fixed-length rows the text tower receives.
 */
import type { Tokenizer } from './types';
import { tokenWindows } from './windows';

export abstract class PaddedRowTokenizer implements Tokenizer {
  abstract readonly type: string;
  abstract readonly contextLength: number;
  abstract readonly windowSize: number;

  /** Every content id of `text`, in order, uncut. */
  protected abstract content(text: string): number[];
  /** Readable content tokens of `text`: one per id of `content(text)`. */
  protected abstract contentTokens(text: string): string[];
  /** The row for one window's content ids (at most windowSize of them). */
  protected abstract frame(ids: number[]): number[];

  abstract tokens(text: string): string[];

  /** The first window's row, at most contextLength ids. */
  protected row(text: string): number[] {
    return this.frame(this.content(text).slice(0, this.windowSize));
  }

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

  encodeWindows(texts: string[]): { ids: Int32Array; rows: number; counts: Int32Array } {
    const ctx = this.contextLength;
    const counts = new Int32Array(texts.length);
    const framed: number[][] = [];
    texts.forEach((text, i) => {
      const ids = this.content(text);
      const windows = tokenWindows(ids.length, this.windowSize);
      counts[i] = windows.length;
      for (const w of windows) framed.push(this.frame(ids.slice(w.start, w.end)));
    });
    const out = new Int32Array(framed.length * ctx);
    framed.forEach((row, r) => out.set(row, r * ctx));
    return { ids: out, rows: framed.length, counts };
  }

  windows(text: string): { start: number; end: number; tokens: string[]; text: string }[] {
    const tokens = this.contentTokens(text);
    return tokenWindows(tokens.length, this.windowSize).map((w) => {
      const own = tokens.slice(w.start, w.end);
      return { ...w, tokens: own, text: this.joinTokens(own) };
    });
  }

  /** Readable tokens as one string (words joined by spaces; CLIP overrides it to join sub-word pieces). */
  protected joinTokens(tokens: string[]): string {
    return tokens.join(' ');
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
