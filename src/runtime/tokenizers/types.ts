/**
 * What the runtime needs from a tokenizer: the token ids the text tower receives, as fixed-length rows.
 * Implementations: `WordTokenizer` ('word', word.ts) and `ClipBpeTokenizer` ('clip-bpe', clip-bpe.ts);
 * `loadTokenizer` (index.ts) picks one from the manifest's TokenizerSpec.
 *
 * A text longer than one row is read as several overlapping windows (windows.ts): `encodeWindows` gives every
 * window's row, and the runtime judges a text by its most unsafe window.
 */
import type { SubwordRows } from './subwords';

/** Every window of a batch of texts, as rows, and what each window covers (for Classification.window). */
export interface EncodedWindows {
  /** Rows, row-major [rows * contextLength]. */
  ids: Int32Array;
  rows: number;
  /** Rows of each text, in order (at least 1). */
  counts: Int32Array;
  /** Window `w` of text `t`: its span in the text's content tokens and its readable text. */
  window(t: number, w: number): { start: number; end: number; text: string };
  /**
   * The batch's subword rows (subwords.ts), shared by all its window rows: a word tokenizer with a subword model
   * only; then `ids` holds V + r for a word whose n-grams are row r.
   */
  subwords?: SubwordRows;
  /**
   * Per text, its coverage: words read (from the vocabulary or by subwords) / all its words, over the whole text
   * (every window); 1 for a text with no words. Only a tokenizer that can tell read from unread words with a
   * subword model measures it (word with `subwords`); absent otherwise.
   */
  coverage?: Float64Array;
}

export interface Tokenizer {
  /** The manifest's tokenizer type: 'word' | 'clip-bpe'. */
  readonly type: string;
  /** Length of every encoded row. */
  readonly contextLength: number;
  /** Content tokens one row holds (contextLength, less SOT and EOT for CLIP). */
  readonly windowSize: number;
  /**
   * Token ids of the text's first window exactly as the text tower receives them: length contextLength, padded.
   * (With a subword model, ids >= V refer to the subword rows encodeWindows([text]) gives.)
   */
  encode(text: string): Int32Array;
  /** First windows of a batch, one flat row-major Int32Array [texts.length * contextLength]. */
  encodeBatch(texts: string[]): Int32Array;
  /**
   * Every window of every text, row-major [rows * contextLength]; `counts[i]` is the number of rows of texts[i]
   * (at least 1), in order.
   */
  encodeWindows(texts: string[]): EncodedWindows;
  /** Human-readable tokens (for debugging/CLI), without padding: one string per id that `encode` gives. */
  tokens(text: string): string[];
}
