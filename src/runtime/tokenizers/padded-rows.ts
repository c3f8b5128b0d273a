/**
 * What every tokenizer here shares: an implementation turns a text into its content ids (all of them, uncut)
 * and frames one window of them as a row (CLIP adds SOT and EOT); this base cuts the content into windows
 * (windows.ts) and pads rows with 0 into the fixed-length rows the text tower receives. A tokenizer whose
 * ids refer to rows of a batch-level input (the word tokenizer's subword rows, subwords.ts) collects them in a
 * SubwordBatch that every text of the batch shares.
 */
import type { SubwordBatch } from './subwords';
import type { EncodedWindows, Tokenizer } from './types';
import { tokenWindows, type TokenWindow } from './windows';

/** A text's content ids, uncut. */
export interface Pieces {
  ids: number[];
  /** Readable tokens, one per id, made only when asked (an unknown word shows as `<unk:word>`, CLIP pieces as text). */
  readable: () => string[];
  /** Words read / all words (see EncodedWindows.coverage); undefined when the tokenizer does not measure it. */
  coverage?: number;
}

export abstract class PaddedRowTokenizer implements Tokenizer {
  abstract readonly type: string;
  abstract readonly contextLength: number;
  abstract readonly windowSize: number;

  /**
   * Every content id of `text`, in order, uncut, and its readable tokens. `batch` is the batch's subword rows
   * (null for a tokenizer without them, see newBatch).
   */
  protected abstract pieces(text: string, batch: SubwordBatch | null): Pieces;
  /** The row for one window's content ids (at most windowSize of them). */
  protected abstract frame(ids: number[]): number[];

  abstract tokens(text: string): string[];

  /** A new batch's subword rows; null (the default) for a tokenizer whose ids need no batch-level input. */
  protected newBatch(): SubwordBatch | null {
    return null;
  }

  /** The first window's row, at most contextLength ids. */
  protected row(text: string, batch: SubwordBatch | null): number[] {
    return this.frame(this.pieces(text, batch).ids.slice(0, this.windowSize));
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(this.contextLength); // zero = padding
    out.set(this.row(text, this.newBatch()));
    return out;
  }

  encodeBatch(texts: string[]): Int32Array {
    const out = new Int32Array(texts.length * this.contextLength);
    const batch = this.newBatch();
    texts.forEach((text, i) => out.set(this.row(text, batch), i * this.contextLength));
    return out;
  }

  encodeWindows(texts: string[]): EncodedWindows {
    const ctx = this.contextLength;
    const counts = new Int32Array(texts.length);
    const spans: TokenWindow[][] = new Array(texts.length);
    const readable: (() => string[])[] = new Array(texts.length);
    const framed: number[][] = [];
    const batch = this.newBatch();
    let coverage: Float64Array | undefined;
    texts.forEach((text, i) => {
      const p = this.pieces(text, batch);
      spans[i] = tokenWindows(p.ids.length, this.windowSize);
      readable[i] = p.readable;
      counts[i] = spans[i].length;
      if (p.coverage !== undefined) (coverage ??= new Float64Array(texts.length))[i] = p.coverage;
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
      ...(batch ? { subwords: batch.rows() } : {}),
      ...(coverage ? { coverage } : {}),
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
