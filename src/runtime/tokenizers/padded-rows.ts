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
