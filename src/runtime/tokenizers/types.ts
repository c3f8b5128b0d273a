/**
 * What the runtime needs from a tokenizer: the token ids the text tower receives, as fixed-length rows.
 * Implementations: `WordTokenizer` ('word', word.ts) and `ClipBpeTokenizer` ('clip-bpe', clip-bpe.ts);
 * `loadTokenizer` (index.ts) picks one from the manifest's TokenizerSpec.
 */
export interface Tokenizer {
  /** The manifest's tokenizer type: 'word' | 'clip-bpe'. */
  readonly type: string;
  /** Length of every encoded row. */
  readonly contextLength: number;
  /** Token ids exactly as the text tower receives them: length contextLength, padded. */
  encode(text: string): Int32Array;
  /** Batch into one flat row-major Int32Array [texts.length * contextLength]. */
  encodeBatch(texts: string[]): Int32Array;
  /** Human-readable tokens (for debugging/CLI), without padding: one string per id that `encode` gives. */
  tokens(text: string): string[];
}
