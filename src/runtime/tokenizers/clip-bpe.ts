/**
 * OpenAI CLIP's byte-level BPE tokenizer (`clip/simple_tokenizer.py` + `clip.tokenize`), reproduced id for
 * id. The pieces: clip-text.ts (clean-up and pre-tokenisation), clip-vocab.ts (ids and merge ranks),
 * bpe.ts (the merge loop). Differences from the reference are listed in ftfy-subset.ts (no mojibake repair).
 *
 * Rows are `[SOT] + ids + [EOT]`, cut to contextLength with EOT kept as the last token (open_clip's and
 * `clip.tokenize(truncate=True)`'s `tokens[:n]; tokens[-1] = eot`), then zero-padded.
 *
 * Special tokens typed by the user: like the reference, the text "<|endoftext|>" encodes as the EOT id.
 * CLIP pools the text feature at the first EOT position (argmax of the ids), so everything after such a
 * typed marker is invisible to the text tower. `specialTokensInText: 'split'` encodes the marker as plain
 * characters instead (a deliberate difference from OpenAI).
 */
import { PaddedRowTokenizer, type Pieces } from './padded-rows';
import { BoundedCache } from './bounded-cache';
import { bpeMerge } from './bpe';
import { readPromptSyntax } from './prompt-syntax';
import { CLIP_PRETOKEN_RE, clipCleanText } from './clip-text';
import { BYTE_TO_SYMBOL, type ClipVocab, END_OF_WORD, EOT_TOKEN, SOT_TOKEN, SYMBOL_TO_BYTE } from './clip-vocab';

export interface ClipBpeOptions {
  /** Row length (77 for CLIP). At least 2 (SOT and EOT). */
  contextLength: number;
  /** Words whose ids are memoised (per generation, see BoundedCache). Default 16384; 0 disables. */
  cacheSize?: number;
  /** 'special' (default, as OpenAI): typed "<|startoftext|>"/"<|endoftext|>" become SOT/EOT. 'split': plain text. */
  specialTokensInText?: 'special' | 'split';
  /** Read diffusion prompt syntax (prompt-syntax.ts) before encoding. Default false (OpenAI's ids); serving bundles set it. */
  promptSyntax?: boolean;
}

const UTF8 = new TextEncoder();
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

export class ClipBpeTokenizer extends PaddedRowTokenizer {
  readonly type = 'clip-bpe';
  readonly contextLength: number;
  /** Content tokens a row holds: contextLength less SOT and EOT. */
  readonly windowSize: number;
  readonly sot: number;
  readonly eot: number;
  private readonly cache: BoundedCache<readonly number[]>;
  private readonly splitSpecials: boolean;
  private readonly promptSyntax: boolean;

  constructor(
    private readonly vocab: ClipVocab,
    options: ClipBpeOptions,
  ) {
    super();
    if (!Number.isInteger(options.contextLength) || options.contextLength < 2) {
      throw new RangeError(`clip-bpe contextLength must be an integer >= 2 (SOT + EOT), got ${options.contextLength}`);
    }
    this.contextLength = options.contextLength;
    this.windowSize = options.contextLength - 2;
    this.promptSyntax = options.promptSyntax ?? false;
    this.sot = vocab.sot;
    this.eot = vocab.eot;
    this.cache = new BoundedCache(options.cacheSize ?? 16384);
    this.splitSpecials = options.specialTokensInText === 'split';
  }

  /** OpenAI's `SimpleTokenizer.encode(text)`: BPE ids without SOT/EOT. `limit` stops early once that many ids exist. */
  encodeIds(text: string, limit = Infinity): number[] {
    const cleaned = clipCleanText(text);
    const ids: number[] = [];
    const re = new RegExp(CLIP_PRETOKEN_RE); // own lastIndex: safe under re-entrancy
    for (let m = re.exec(cleaned); m !== null && ids.length < limit; m = re.exec(cleaned)) {
      const word = m[0];
      let wordIds = this.cache.get(word);
      if (wordIds === undefined) {
        wordIds = this.wordIds(word);
        this.cache.set(word, wordIds);
      }
      for (let i = 0; i < wordIds.length; i++) ids.push(wordIds[i]);
    }
    return ids;
  }

  /** The ids of one pre-token: byte symbols, '</w>' on the last, BPE, then the vocabulary. */
  private wordIds(word: string): number[] {
    if (!this.splitSpecials) {
      if (word === SOT_TOKEN) return [this.sot];
      if (word === EOT_TOKEN) return [this.eot];
    }
    const bytes = UTF8.encode(word); // lone surrogates cannot reach here: ftfy replaced them with U+FFFD
    const symbols: string[] = new Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) symbols[i] = BYTE_TO_SYMBOL[bytes[i]];
    symbols[symbols.length - 1] += END_OF_WORD;
    const merged = bpeMerge(symbols, this.vocab.ranks);
    return merged.map((token) => {
      const id = this.vocab.encoder.get(token);
      // Unreachable for a vocabulary from clip-vocab.ts (it checks every mergeable token has an id).
      if (id === undefined) throw new Error(`clip-bpe: token ${JSON.stringify(token)} has no id in the vocabulary`);
      return id;
    });
  }

  protected pieces(text: string): Pieces {
    const ids = this.encodeIds(this.promptSyntax ? readPromptSyntax(text) : text);
    return { ids, readable: () => ids.map((id) => this.readable(this.vocab.decoder.get(id) ?? `<id ${id}>`)) };
  }

  /** A window's row: `[SOT] + ids + [EOT]` (ids are at most windowSize, so the row fits contextLength). */
  protected frame(ids: number[]): number[] {
    return [this.sot, ...ids, this.eot];
  }

  /** The first window's row, as `clip.tokenize(truncate=True)`: at most contextLength with EOT last. */
  protected override row(text: string): number[] {
    return this.frame(this.encodeIds(this.promptSyntax ? readPromptSyntax(text) : text, this.windowSize).slice(0, this.windowSize));
  }

  /** Sub-word pieces joined into words: '</w>' ends a word. */
  protected override joinTokens(tokens: string[]): string {
    return tokens.map((t) => (t.endsWith(END_OF_WORD) ? `${t.slice(0, -END_OF_WORD.length)} ` : t)).join('').trim();
  }

  /** Tokens of the row, readable: byte symbols turned back into text where they form whole UTF-8 characters. */
  tokens(text: string): string[] {
    return this.row(text).map((id) => this.readable(this.vocab.decoder.get(id) ?? `<id ${id}>`));
  }

  private readable(token: string): string {
    if (token === SOT_TOKEN || token === EOT_TOKEN) return token;
    const endOfWord = token.endsWith(END_OF_WORD);
    const body = endOfWord ? token.slice(0, -END_OF_WORD.length) : token;
    const bytes: number[] = [];
    for (const ch of body) {
      const b = SYMBOL_TO_BYTE.get(ch);
      if (b === undefined) return token;
      bytes.push(b);
    }
    try {
      return UTF8_STRICT.decode(Uint8Array.from(bytes)) + (endOfWord ? END_OF_WORD : '');
    } catch {
      return token; // part of a multi-byte character: keep the byte symbols
    }
  }
}
