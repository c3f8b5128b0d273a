/**
 * What every tokenizer here shares: an implementation turns a text into its content ids (all of them, uncut)
 * and frames one window of them as a row (CLIP adds SOT and EOT); this base cuts the content into windows
 * (windows.ts) and pads rows with 0 into the fixed-length rows the text tower receives.
 */
import type { EncodedWindows, Tokenizer } from './types';
import { tokenWindows, type TokenWindow } from './windows';

export abstract class PaddedRowTokenizer implements Tokenizer {
  abstract readonly type: string;
  abstract readonly contextLength: number;
  abstract readonly windowSize: number;

  /**
   * Every content id of `text`, in order, uncut, and its readable tokens (one per id, made only when asked:
   * an unknown word shows as `<unk:word>`, CLIP pieces as text).
   */
  protected abstract pieces(text: string): { ids: number[]; readable: () => string[] };
  /** The row for one window's content ids (at most windowSize of them). */
  protected abstract frame(ids: number[]): number[];

  abstract tokens(text: string): string[];

  /** The first window's row, at most contextLength ids. */
  protected row(text: string): number[] {
    return this.frame(this.pieces(text).ids.slice(0, this.windowSize));
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

  encodeWindows(texts: string[]): EncodedWindows {
    const ctx = this.contextLength;
    const counts = new Int32Array(texts.length);
    const spans: TokenWindow[][] = new Array(texts.length);
    const readable: (() => string[])[] = new Array(texts.length);
    const framed: number[][] = [];
    texts.forEach((text, i) => {
      const p = this.pieces(text);
      spans[i] = tokenWindows(p.ids.length, this.windowSize);
      readable[i] = p.readable;
      counts[i] = spans[i].length;
      for (const w of spans[i]) framed.push(this.frame(p.ids.slice(w.start, w.end)));
    });
    const out = new Int32Array(framed.length * ctx);
    framed.forEach((row, r) => out.set(row, r * ctx));
    return {
      ids: out,
      rows: framed.length,
      counts,
      window: (t, w) => {
        const span = spans[t][w];
        return { start: span.start, end: span.end, text: this.joinTokens(readable[t]().slice(span.start, span.end)) };
      },
    };
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
