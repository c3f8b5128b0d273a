/**
 * CLIP's BPE vocabulary: the byte-to-symbol table, the merge ranks and the token -> id map, built from
 * either file layout:
 *
 * - OpenAI (`bpe_simple_vocab_16e6.txt(.gz)`): merges only. Ids are implied, as `simple_tokenizer.py`
 *   builds them: the 256 byte symbols, the same with '</w>', one token per merge in rank order, then
 *   '<|startoftext|>' and '<|endoftext|>' (49406 and 49407 for CLIP).
 * - Hugging Face (`vocab.json` + `merges.txt`): ids read from vocab.json; merges.txt gives the ranks.
 *
 * Both layouts start with a header line ('#version: 0.2', after a quoted file name in OpenAI's) that both
 * reference tokenizers skip, and both use only merge lines 1 .. 48894 (`merges[1:49152-256-2+1]`).
 */

/** `49152 - 256 - 2`: merges past this line are ignored by OpenAI's and Hugging Face's CLIP tokenizers. */
export const CLIP_MERGE_LIMIT = 49152 - 256 - 2;
export const SOT_TOKEN = '<|startoftext|>';
export const EOT_TOKEN = '<|endoftext|>';
/** Marks the last symbol of a word. */
export const END_OF_WORD = '</w>';

/** OpenAI's `bytes_to_unicode()` in its order: printable Latin-1 bytes map to themselves, the rest to U+0100... */
function bytesToUnicodeOrder(): Array<[number, string]> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const pairs: Array<[number, string]> = bs.map((b) => [b, String.fromCharCode(b)]);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) pairs.push([b, String.fromCharCode(256 + n++)]);
  }
  return pairs;
}

const BYTE_ORDER = bytesToUnicodeOrder();
/** Byte value -> its one-character symbol. */
export const BYTE_TO_SYMBOL: readonly string[] = (() => {
  const table: string[] = new Array(256);
  for (const [b, ch] of BYTE_ORDER) table[b] = ch;
  return table;
})();
/** Symbol character -> byte value (for turning tokens back into text). */
export const SYMBOL_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_ORDER.map(([b, ch]) => [ch, b]));

export interface ClipVocab {
  /** Token string -> id. */
  readonly encoder: ReadonlyMap<string, number>;
  /** Id -> token string. */
  readonly decoder: ReadonlyMap<number, string>;
  /** `first + ' ' + second` -> merge rank (lower merges first). Symbols never contain ' ' (it is byte 0x20 -> 'Ġ'). */
  readonly ranks: ReadonlyMap<string, number>;
  readonly sot: number;
  readonly eot: number;
}

/** A loading problem in the merges or the vocab file; the caller adds the file name. */
export class VocabFormatError extends Error {
  override readonly name = 'VocabFormatError';
  constructor(
    readonly file: 'merges' | 'vocab',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Parses merge lines 1..CLIP_MERGE_LIMIT into [first, second] pairs, as `tuple(line.split())`. */
export function parseMerges(text: string): Array<[string, string]> {
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  if (!header.includes('#version')) {
    throw new VocabFormatError(
      'merges',
      `line 1 should be the header ('#version: ...'), which CLIP tokenizers skip; found ${JSON.stringify(header.slice(0, 60))}`,
    );
  }
  const end = Math.min(lines.length, CLIP_MERGE_LIMIT + 1);
  const merges: Array<[string, string]> = [];
  for (let i = 1; i < end; i++) {
    const parts = lines[i].split(/\s+/).filter((p) => p !== '');
    if (parts.length === 0 && i === lines.length - 1) break; // newline at the end of the file
    if (parts.length !== 2) {
      throw new VocabFormatError('merges', `line ${i + 1} should be a merge "a b", found ${JSON.stringify(lines[i].slice(0, 60))}`);
    }
    merges.push([parts[0], parts[1]]);
  }
  if (merges.length === 0) throw new VocabFormatError('merges', 'no merges after the header line');
  return merges;
}

/** Later duplicates win, as Python's `dict(zip(merges, range(len(merges))))`. */
function rankTable(merges: Array<[string, string]>): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([a, b], i) => ranks.set(`${a} ${b}`, i));
  return ranks;
}

function invert(encoder: Map<string, number>): Map<number, string> {
  const decoder = new Map<number, string>();
  for (const [token, id] of encoder) decoder.set(id, token);
  return decoder;
}

/** The vocabulary OpenAI's `SimpleTokenizer.__init__` builds from the merges file. */
export function vocabFromOpenAiMerges(mergesText: string): ClipVocab {
  const merges = parseMerges(mergesText);
  const tokens: string[] = BYTE_ORDER.map(([, ch]) => ch);
  for (const [, ch] of BYTE_ORDER) tokens.push(ch + END_OF_WORD);
  for (const [a, b] of merges) tokens.push(a + b);
  tokens.push(SOT_TOKEN, EOT_TOKEN);
  const encoder = new Map<string, number>();
  tokens.forEach((t, i) => encoder.set(t, i)); // later duplicates win, as in Python's dict(zip(...))
  return {
    encoder,
    decoder: invert(encoder),
    ranks: rankTable(merges),
    sot: encoder.get(SOT_TOKEN) as number,
    eot: encoder.get(EOT_TOKEN) as number,
  };
}

/**
 * The vocabulary of a Hugging Face pair. Checks that every token BPE can produce (each byte symbol with
 * and without '</w>', each merge result, SOT and EOT) has an id, so encoding never meets an unknown token.
 */
export function vocabFromHuggingFace(vocabJsonText: string, mergesText: string): ClipVocab {
  let parsed: unknown;
  try {
    parsed = JSON.parse(vocabJsonText);
  } catch (cause) {
    throw new VocabFormatError('vocab', `vocab is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VocabFormatError('vocab', 'vocab should be a JSON object mapping each token to its id');
  }
  const encoder = new Map<string, number>();
  for (const [token, id] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new VocabFormatError('vocab', `vocab: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, not an integer in 0..2^31-1`);
    }
    encoder.set(token, id);
  }
  const merges = parseMerges(mergesText);
  const required: string[] = [SOT_TOKEN, EOT_TOKEN];
  for (const [, ch] of BYTE_ORDER) required.push(ch, ch + END_OF_WORD);
  for (const [a, b] of merges) required.push(a + b);
  const missing = required.filter((t) => !encoder.has(t));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((t) => JSON.stringify(t)).join(', ');
    throw new VocabFormatError(
      'vocab',
      `vocab lacks ${missing.length} token(s) that the merges can produce, e.g. ${shown}; vocab and merges do not belong together`,
    );
  }
  return {
    encoder,
    decoder: invert(encoder),
    ranks: rankTable(merges),
    sot: encoder.get(SOT_TOKEN) as number,
    eot: encoder.get(EOT_TOKEN) as number,
  };
}
