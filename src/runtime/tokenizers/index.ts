/**
 * Tokenizers for the text tower. `loadTokenizer` reads the files a manifest's TokenizerSpec names
 * (relative to the bundle folder) and returns the matching implementation.
 */
import { ErrorCode, GatewayError } from '../../errors';
import type { ClipBpeTokenizerSpec, TokenizerSpec, WordTokenizerSpec } from '../manifest-types';
import { bundleError, bundlePath, readBundleText } from './bundle-files';
import { ClipBpeTokenizer } from './clip-bpe';
import { type ClipVocab, VocabFormatError, vocabFromHuggingFace, vocabFromOpenAiMerges } from './clip-vocab';
import type { Tokenizer } from './types';
import { parseNgrams, SubwordTable } from './subwords';
import { parseWordVocab, WordTokenizer } from './word';

export type { Tokenizer } from './types';
export { ClipBpeTokenizer } from './clip-bpe';
export { WordTokenizer } from './word';
export { normalizeText } from './normalize';
export { wordTokens } from './word-tokens';
export { trimPaddingColumns } from './padded-rows';
export { readPromptSyntax } from './prompt-syntax';
export { tokenWindows, type TokenWindow } from './windows';
export { SubwordTable, parseNgrams, type SubwordRows } from './subwords';

function checkContextLength(spec: TokenizerSpec, min: number): number {
  const n: unknown = spec.contextLength;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new GatewayError(
      ErrorCode.BUNDLE_INVALID,
      `tokenizer contextLength (type "${spec.type}") must be an integer >= ${min}, got ${JSON.stringify(n)}`,
    );
  }
  return n;
}

export interface LoadOptions {
  /**
   * How CLIP's `<|startoftext|>` / `<|endoftext|>` typed inside a prompt are read. 'split' (the default for
   * serving) reads them as plain text, so a client cannot end the text the model sees early with a typed
   * EOT ("a cat <|endoftext|> [unsafe text]" would otherwise be judged as "a cat"). 'special' is OpenAI's
   * behaviour, used by `tokenize --merges` to reproduce OpenAI's reference ids exactly.
   */
  specialTokensInText?: 'special' | 'split';
  /**
   * Read diffusion prompt syntax ("(word:1.3)", "[a|b]", BREAK, LoRA tags) the way A1111 and ComfyUI do before
   * tokenising (prompt-syntax.ts). Default true (serving); false reproduces a reference tokenizer's ids.
   */
  promptSyntax?: boolean;
}

async function loadClipBpe(spec: ClipBpeTokenizerSpec, bundleDir: string, options: LoadOptions): Promise<Tokenizer> {
  const mergesFile = bundlePath(bundleDir, spec.merges);
  const contextLength = checkContextLength(spec, 2);
  const mergesText = await readBundleText(mergesFile);
  let vocab: ClipVocab;
  if (spec.vocab === undefined) {
    try {
      vocab = vocabFromOpenAiMerges(mergesText);
    } catch (cause) {
      throw bundleError(mergesFile, (cause as Error).message, cause);
    }
  } else {
    const vocabFile = bundlePath(bundleDir, spec.vocab);
    const vocabText = await readBundleText(vocabFile);
    try {
      vocab = vocabFromHuggingFace(vocabText, mergesText);
    } catch (cause) {
      const file = cause instanceof VocabFormatError && cause.file === 'merges' ? mergesFile : vocabFile;
      throw bundleError(file, (cause as Error).message, cause);
    }
  }
  return new ClipBpeTokenizer(vocab, { contextLength, specialTokensInText: options.specialTokensInText ?? 'split', promptSyntax: options.promptSyntax ?? true });
}

/** The subword model a word tokenizer spec names (its n-gram file, checked like a vocabulary); null without one. */
async function loadSubwords(spec: WordTokenizerSpec, bundleDir: string): Promise<SubwordTable | null> {
  if (spec.subwords === undefined) return null;
  const { ngrams, minN, maxN, slots } = spec.subwords;
  const file = bundlePath(bundleDir, ngrams);
  const text = await readBundleText(file);
  try {
    return new SubwordTable(parseNgrams(text, minN, maxN), { minN, maxN, slots });
  } catch (cause) {
    throw bundleError(file, (cause as Error).message, cause);
  }
}

async function loadWord(spec: WordTokenizerSpec, bundleDir: string, options: LoadOptions): Promise<Tokenizer> {
  const vocabFile = bundlePath(bundleDir, spec.vocab);
  const contextLength = checkContextLength(spec, 1);
  const [text, subwords] = await Promise.all([readBundleText(vocabFile), loadSubwords(spec, bundleDir)]);
  try {
    return new WordTokenizer(parseWordVocab(text), { contextLength, promptSyntax: options.promptSyntax ?? true, ...(subwords ? { subwords } : {}) });
  } catch (cause) {
    throw bundleError(vocabFile, (cause as Error).message, cause);
  }
}

/** Builds the tokenizer a manifest describes. File paths in `spec` are relative to `bundleDir`. */
export async function loadTokenizer(spec: TokenizerSpec, bundleDir: string, options: LoadOptions = {}): Promise<Tokenizer> {
  switch (spec.type) {
    case 'clip-bpe':
      return loadClipBpe(spec, bundleDir, options);
    case 'word':
      return loadWord(spec, bundleDir, options);
    default: {
      const type = (spec as { type?: unknown }).type;
      throw new GatewayError(
        ErrorCode.BUNDLE_INVALID,
        `tokenizer type ${JSON.stringify(type)} (bundle ${bundleDir}) is unknown; allowed: "word", "clip-bpe"`,
      );
    }
  }
}
