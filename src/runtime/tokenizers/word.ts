/**
 * The word tokenizer of the small default model (GloVe-style word vectors): normalise (normalize.ts), split
 * into vocabulary words with de-obfuscation (word-tokens.ts), map to ids. Unknown words get id 1
 * (`<unk>`), rows are cut to contextLength and padded with 0 (`<pad>`); there are no start/end tokens.
 *
 * With a subword model (manifest `subwords`, subwords.ts) a word the vocabulary lacks is read by its character
 * n-grams when the n-gram table holds at least one of them (id V + its row of the batch's subword rows, shown
 * as `<sub:word>`), and only a word with none stays `<unk>`. Such a tokenizer also measures each text's
 * coverage: words read (vocabulary or subwords) / all words; 1 for a text with no words.
 *
 * Vocabulary file: one token a line, line i (0-based) has id i; line 0 is `<pad>`, line 1 `<unk>`.
 * Entries should be in normalised form (lower case, no diacritics on Latin letters), or they never match.
 */
import { PaddedRowTokenizer, type Pieces } from './padded-rows';
import { SubwordBatch, type SubwordTable } from './subwords';
import { BoundedCache } from './bounded-cache';
import { parseIdLines } from './bundle-files';
import { normalizeText } from './normalize';
import { readPromptSyntax } from './prompt-syntax';
import { chunkTokens, type SpacedLetterIndex, spacedLetterIndex, wordTokens } from './word-tokens';

export const PAD_ID = 0;
export const UNK_ID = 1;
const PAD_TOKEN = '<pad>';
const UNK_TOKEN = '<unk>';

/** Parses and checks a vocabulary file's text. Throws with the line number of the first problem. */
export function parseWordVocab(text: string): string[] {
  return parseIdLines(text, 'a token', [
    { entry: PAD_TOKEN, id: 'id 0' },
    { entry: UNK_TOKEN, id: 'id 1' },
  ]);
}

export interface WordTokenizerOptions {
  /** Row length. At least 1. */
  contextLength: number;
  /** Chunks whose tokens are memoised (per generation, see BoundedCache). Default 16384; 0 disables. */
  cacheSize?: number;
  /** Read diffusion prompt syntax ("(word:1.3)", "[a|b]", BREAK, LoRA tags; prompt-syntax.ts) before splitting. Default true. */
  promptSyntax?: boolean;
  /** The subword model: words the vocabulary lacks are read by their n-grams (subwords.ts). Default none. */
  subwords?: SubwordTable;
}

export class WordTokenizer extends PaddedRowTokenizer {
  readonly type = 'word';
  readonly contextLength: number;
  /** No start/end tokens: a window is a whole row. */
  readonly windowSize: number;
  private readonly promptSyntax: boolean;
  private readonly ids = new Map<string, number>();
  private readonly has = (word: string): boolean => this.ids.has(word);
  private readonly cache: BoundedCache<string[]>;
  /** Lets long runs of spaced letters be segmented cheaply (SpacedLetterIndex; a few MB for 36k words). */
  private readonly spacedIndex: SpacedLetterIndex;
  private readonly subwords: SubwordTable | null;

  /** `vocab[i]` is the token with id i; vocab[0] is `<pad>` and vocab[1] `<unk>` (see parseWordVocab). */
  constructor(
    private readonly vocab: readonly string[],
    options: WordTokenizerOptions,
  ) {
    super();
    if (!Number.isInteger(options.contextLength) || options.contextLength < 1) {
      throw new RangeError(`word contextLength must be an integer >= 1, got ${options.contextLength}`);
    }
    if (vocab[PAD_ID] !== PAD_TOKEN || vocab[UNK_ID] !== UNK_TOKEN) {
      throw new RangeError(`word vocabulary must start with "${PAD_TOKEN}", "${UNK_TOKEN}"`);
    }
    this.contextLength = options.contextLength;
    this.windowSize = options.contextLength;
    this.promptSyntax = options.promptSyntax ?? true;
    vocab.forEach((token, id) => {
      if (!this.ids.has(token)) this.ids.set(token, id);
    });
    // The markers are not words: typed "<unk>" or "<pad>" must not produce their ids.
    this.ids.delete(PAD_TOKEN);
    this.ids.delete(UNK_TOKEN);
    this.spacedIndex = spacedLetterIndex(this.ids.keys()); // exactly the words `has` accepts
    this.cache = new BoundedCache(options.cacheSize ?? 16384);
    this.subwords = options.subwords ?? null;
  }

  /** The words that `encode` looks up, before windowing (prompt syntax read, normalised, de-obfuscated). */
  words(text: string): string[] {
    const normalized = normalizeText(this.promptSyntax ? readPromptSyntax(text) : text);
    // A chunk's tokens depend only on the chunk (and the vocabulary), so they are memoised.
    return wordTokens(normalized, this.has, (chunk) => {
      let tokens = this.cache.get(chunk);
      if (tokens === undefined) {
        tokens = chunkTokens(chunk, this.has, this.spacedIndex);
        this.cache.set(chunk, tokens);
      }
      return tokens;
    }, this.spacedIndex);
  }

  /** The batch's subword rows (ids V + r); null without a subword model. */
  protected override newBatch(): SubwordBatch | null {
    return this.subwords ? new SubwordBatch(this.vocab.length, this.subwords.slots) : null;
  }

  protected pieces(text: string, batch: SubwordBatch | null): Pieces {
    const words = this.words(text);
    const ids: number[] = new Array(words.length);
    const sub = this.subwords;
    if (sub === null || batch === null) {
      for (let i = 0; i < words.length; i++) ids[i] = this.ids.get(words[i]) ?? UNK_ID;
      // An unknown word shows as `<unk:word>` so that a reader sees what it was.
      return { ids, readable: () => words.map((w) => (this.ids.has(w) ? w : `<unk:${w}>`)) };
    }
    let read = 0;
    for (let i = 0; i < words.length; i++) {
      const id = this.ids.get(words[i]);
      const grams = id === undefined ? sub.lookup(words[i]) : null;
      if (id !== undefined) ids[i] = id;
      else if (grams !== null) ids[i] = batch.idOf(words[i], grams);
      else ids[i] = UNK_ID;
      if (ids[i] !== UNK_ID) read++;
    }
    return {
      ids,
      readable: () => words.map((w, i) => (ids[i] === UNK_ID ? `<unk:${w}>` : this.ids.has(w) ? w : `<sub:${w}>`)),
      coverage: words.length === 0 ? 1 : read / words.length,
    };
  }

  protected frame(ids: number[]): number[] {
    return ids;
  }

  /** Readable tokens of the first window (what `encode` gives). */
  tokens(text: string): string[] {
    return this.pieces(text, this.newBatch()).readable().slice(0, this.contextLength);
  }
}
