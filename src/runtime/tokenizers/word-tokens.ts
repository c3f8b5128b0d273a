/**
 * Splitting normalised text (normalize.ts) into vocabulary words, undoing the disguises that need the
 * vocabulary to be seen. Every rewrite is taken only when it lands on a vocabulary word, and a word that is
 * already in the vocabulary is never rewritten: "1st", "4k", "b&w" or "a" stay as they are.
 *
 * For each whitespace-separated chunk, in order:
 *  1. The chunk itself, if the vocabulary has it ("b&w", "a.m.", "4k").
 *  2. Outer punctuation peeled (quotes, brackets, '.', ',', '!', ... but not @ $ | + *, which may stand for
 *     letters), the core looked up, then de-obfuscated (below); failing that the whole chunk de-obfuscated;
 *     then every outer symbol peeled ('@' and '$' too).
 *  3. Otherwise split into letter/digit runs and punctuation, each run looked up or de-obfuscated, English
 *     clitics kept together as the vocabulary has them ("cat's" -> "cat" "'s", "don't" -> "do" "n't").
 *
 * De-obfuscation of one word (`deobfuscateWord`), the first hit wins:
 *  a. Leetspeak: @ 4 -> a, 3 -> e, 1 -> i or l, ! -> i, 0 -> o, $ 5 -> s, 7 + -> t, | -> l; every
 *     combination of the ambiguous ones is tried in a fixed order (at most 32). Skipped for numerals with a
 *     unit or ordinal suffix ("4k", "1st", "3d", "5am", "35mm"), which are numbers, not leetspeak.
 *  b. Stretched letters: each run of a repeated letter cut to two, then to one ("goood" -> "good",
 *     "naaaked" -> "naked").
 *  c. Masked letters: each '*' (one or two of them) tried as a-z; taken only when exactly one word matches
 *     ("n*ked" -> "naked", but "f**k" matches several words and stays unknown).
 *
 * Spaced letters: a run of single-character chunks ("n a k e d"), of chunks that are single characters
 * separated by punctuation ("n.a.k.e.d", "n-a-k-e-d", "n_a_k_e_d") and of lone punctuation between them
 * ("n . a . k") is segmented (covering as many letters as possible, see segmentLetters) into words of at least 3 characters that contain a
 * letter and are in the vocabulary (directly or de-obfuscated). Letters that join nothing stay single.
 * Three is the floor because "a b" or "i m" are ordinary text far more often than obfuscation.
 *
 * Deterministic, and bounded: a word is at most 48 characters for de-obfuscation, a spaced run joins at
 * most 24 letters, each lookup is the caller's Set/Map `has`.
 */

export type VocabHas = (word: string) => boolean;

const LEET: Readonly<Record<string, readonly string[]>> = {
  '@': ['a'], '4': ['a'], '3': ['e'], '1': ['i', 'l'], '!': ['i'], '0': ['o'],
  $: ['s'], '5': ['s'], '7': ['t'], '+': ['t'], '|': ['l'],
};
/** Words made only of letters, marks, leet symbols and '*' masks can be de-obfuscated. */
const DEOBFUSCATABLE_RE = /^[\p{L}\p{M}@$!+|*013457]+$/u;
const HAS_LETTER_RE = /\p{L}/u;
const NUMERAL_WITH_SUFFIX_RE =
  /^\d+(?:st|nd|rd|th|s|k|d|p|x|h|am|pm|mm|cm|km|m|kg|g|px|fps|hz|khz|gb|mb|tb|bit|mp|yo|yr|yrs)$/;
const MAX_WORD = 48;
const MAX_LEET_VARIANTS = 32;
const MAX_SQUEEZE_RUNS = 5;
const MAX_SPACED_JOIN = 24;
const MIN_SPACED_JOIN = 3;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

function countLetters(word: string): number {
  let n = 0;
  for (const ch of word) if (/\p{L}/u.test(ch)) n++;
  return n;
}

/** `word`, then its leetspeak readings (every leet symbol read as a letter; '1' as i, then as l). */
function leetVariants(word: string): string[] {
  let variants = [''];
  for (const ch of word) {
    const options = LEET[ch] ?? [ch];
    const next: string[] = [];
    for (const v of variants) for (const o of options) next.push(v + o);
    variants = next;
    if (variants.length > MAX_LEET_VARIANTS) return [word];
  }
  return variants[0] === word ? variants : [word, ...variants];
}

/** Readings of `word` with each run of a repeated letter cut to two, then one (two-first per run). */
function squeezeVariants(word: string): string[] {
  const runs = word.match(/(\p{L})\1+|[^]/gu) ?? [];
  const repeated = runs.filter((r) => r.length > 1).length;
  if (repeated === 0 || repeated > MAX_SQUEEZE_RUNS) return [];
  let variants = [''];
  for (const run of runs) {
    const ch = [...run][0];
    if (run === ch) {
      variants = variants.map((v) => v + run);
      continue;
    }
    const options = [ch + ch, ch];
    const next: string[] = [];
    for (const v of variants) for (const o of options) next.push(v + o);
    variants = next;
  }
  return variants.filter((v) => v !== word);
}

/** The one vocabulary word that `pattern` matches with each '*' as a letter, or null (none or several). */
function uniqueMaskMatch(pattern: string, has: VocabHas): string | null {
  const masks = pattern.split('*').length - 1;
  if (masks === 0 || masks > 2) return null;
  let found: string | null = null;
  const fill = (prefix: string, rest: string): boolean => {
    const at = rest.indexOf('*');
    if (at < 0) {
      const word = prefix + rest;
      if (!has(word)) return true;
      if (found !== null) return false; // a second match: ambiguous
      found = word;
      return true;
    }
    for (const letter of ALPHABET) if (!fill(prefix + rest.slice(0, at) + letter, rest.slice(at + 1))) return false;
    return true;
  };
  return fill('', pattern) ? found : null;
}

/**
 * The vocabulary word that an obfuscated `word` stands for, or null. `word` itself is not looked up
 * (callers do that first). See the module comment for the rules and their order.
 */
export function deobfuscateWord(word: string, has: VocabHas): string | null {
  if (word.length < 2 || word.length > MAX_WORD || !DEOBFUSCATABLE_RE.test(word)) return null;
  if (!HAS_LETTER_RE.test(word) || NUMERAL_WITH_SUFFIX_RE.test(word)) return null;
  const variants = word.length >= 3 ? leetVariants(word) : [word];
  const masked = word.includes('*');
  if (!masked) {
    for (const v of variants) if (v !== word && has(v)) return v;
    for (const v of variants) for (const s of squeezeVariants(v)) if (has(s)) return s;
    return null;
  }
  if (word.length < 3 || countLetters(word) < 2 || variants.length > 4) return null;
  for (const v of variants) {
    const hit = uniqueMaskMatch(v, has);
    if (hit !== null) return hit;
  }
  return null;
}

/** A known word, a de-obfuscated one, or null. */
function resolveWord(word: string, has: VocabHas): string | null {
  return has(word) ? word : deobfuscateWord(word, has);
}

/** Punctuation peeled in the first attempt: everything but the symbols that may stand for letters (@ $ | + *). */
const SOFT_LEAD_RE = /^[^\p{L}\p{N}@$|+*]+/u;
const SOFT_TRAIL_RE = /[^\p{L}\p{N}@$|+*]+$/u;
const HARD_LEAD_RE = /^[^\p{L}\p{N}]+/u;
const HARD_TRAIL_RE = /[^\p{L}\p{N}]+$/u;
const CLITICS = new Set(["'s", "'re", "'ve", "'m", "'ll", "'d", "n't"]);

/** Peeled punctuation: as one token if the vocabulary has it ("..."), else one token per character. */
function punctuationTokens(punct: string, has: VocabHas): string[] {
  if (punct === '') return [];
  if (has(punct)) return [punct];
  return [...punct];
}

/** Tries the chunk with its outer punctuation peeled off by `lead`/`trail`. */
function peeled(chunk: string, lead: RegExp, trail: RegExp, has: VocabHas): string[] | null {
  const head = chunk.match(lead)?.[0] ?? '';
  if (head.length === chunk.length) return null;
  const tail = chunk.slice(head.length).match(trail)?.[0] ?? '';
  if (head === '' && tail === '') return null;
  const core = chunk.slice(head.length, chunk.length - tail.length);
  const word = resolveWord(core, has);
  if (word === null) return null;
  return [...punctuationTokens(head, has), word, ...punctuationTokens(tail, has)];
}

/** Last resort: letter/digit runs and punctuation runs, with English clitics recognised. */
function splitChunk(chunk: string, has: VocabHas): string[] {
  const pieces = chunk.match(/[\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}]+/gu) ?? [];
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const next = pieces[i + 1];
    // "cat's" -> cat 's ; "don't" -> do n't (when the vocabulary has the clitic)
    if (next === "'" && pieces[i + 2] !== undefined && CLITICS.has("'" + pieces[i + 2]) && has("'" + pieces[i + 2])) {
      out.push(resolveWord(piece, has) ?? piece, "'" + pieces[i + 2]);
      i += 2;
      continue;
    }
    if (next === "'" && pieces[i + 2] === 't' && piece.endsWith('n') && has("n't") && piece.length > 1) {
      const stem = piece.slice(0, -1);
      out.push(resolveWord(stem, has) ?? stem, "n't");
      i += 2;
      continue;
    }
    if (/^[\p{L}\p{N}\p{M}]/u.test(piece)) out.push(resolveWord(piece, has) ?? piece);
    else out.push(...punctuationTokens(piece, has));
  }
  return out;
}

/** The tokens of one chunk that is not part of a spaced-letter run. */
export function chunkTokens(chunk: string, has: VocabHas): string[] {
  if (has(chunk)) return [chunk];
  const soft = peeled(chunk, SOFT_LEAD_RE, SOFT_TRAIL_RE, has);
  if (soft) return soft;
  const word = deobfuscateWord(chunk, has);
  if (word !== null) return [word];
  return peeled(chunk, HARD_LEAD_RE, HARD_TRAIL_RE, has) ?? splitChunk(chunk, has);
}

type Item = { kind: 'letter'; text: string } | { kind: 'sep'; text: string } | { kind: 'chunk'; text: string };

const LETTER_UNIT_RE = /^(?:[\p{L}\p{N}]\p{M}*|[@$!|+])$/u;
const SEPARATOR_CHUNK_RE = /^[^\p{L}\p{N}]{1,2}$/u;
/** "n.a.k.e.d", "n-a-k-e-d.", "n_a_k_e_d": single letters/digits joined by 1-2 punctuation characters. */
const SEPARATED_LETTERS_RE = /^[\p{L}\p{N}](?:[^\p{L}\p{N}]{1,2}[\p{L}\p{N}])+[^\p{L}\p{N}]{0,2}$/u;

function toItems(chunks: string[], has: VocabHas): Item[] {
  const items: Item[] = [];
  for (const chunk of chunks) {
    if (LETTER_UNIT_RE.test(chunk)) items.push({ kind: 'letter', text: chunk });
    else if (SEPARATOR_CHUNK_RE.test(chunk)) items.push({ kind: 'sep', text: chunk });
    else if (SEPARATED_LETTERS_RE.test(chunk) && !has(chunk) && deobfuscateWord(chunk, has) === null) {
      // "n.a.k.e.d" (but not "b&w" when known, nor a masked word such as "s*x" that resolves)
      for (const ch of chunk.match(/[\p{L}\p{N}]/gu) ?? []) items.push({ kind: 'letter', text: ch });
    } else items.push({ kind: 'chunk', text: chunk });
  }
  return items;
}

/**
 * Segments a run of spaced letters into vocabulary words, covering as many letters as possible (ties: fewer
 * words). Greedy longest-first from the left would read "a n a k e d" as "ana" + k, e, d; the best cover is
 * "a" + "naked". Dynamic programming over span ends; each span is checked once. Returns, per start index,
 * the chosen span end (exclusive) and word, or null where the letter stays single.
 */
function segmentLetters(letters: string[], has: VocabHas): ({ word: string; end: number } | null)[] {
  const n = letters.length;
  const covered = new Array<number>(n + 1).fill(0);
  const words = new Array<number>(n + 1).fill(0);
  const choice: ({ word: string; end: number } | null)[] = new Array(n).fill(null);
  for (let p = n - 1; p >= 0; p--) {
    covered[p] = covered[p + 1];
    words[p] = words[p + 1] + 1;
    choice[p] = null;
    for (let q = Math.min(n, p + MAX_SPACED_JOIN); q >= p + MIN_SPACED_JOIN; q--) {
      const joined = letters.slice(p, q).join('');
      if (!HAS_LETTER_RE.test(joined)) continue;
      const word = resolveWord(joined, has);
      if (word === null) continue;
      const c = q - p + covered[q];
      const w = 1 + words[q];
      if (c > covered[p] || (c === covered[p] && w < words[p])) {
        covered[p] = c;
        words[p] = w;
        choice[p] = { word, end: q };
      }
    }
  }
  return choice;
}

/**
 * The words of normalised text (see normalize.ts): vocabulary words where the rules above find them,
 * otherwise the raw pieces (which the tokenizer maps to `<unk>`). `tokensOfChunk` defaults to
 * `chunkTokens`; a caller may pass a memoised one (a chunk's tokens depend only on the chunk).
 */
export function wordTokens(
  normalized: string,
  vocabHas: VocabHas,
  tokensOfChunk: (chunk: string) => string[] = (chunk) => chunkTokens(chunk, vocabHas),
): string[] {
  const chunks = normalized.split(/\s+/u).filter((c) => c !== '');
  const items = toItems(chunks, vocabHas);
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    const item = items[i];
    if (item.kind !== 'letter') {
      out.push(...tokensOfChunk(item.text));
      i++;
      continue;
    }
    // A run: letters, with lone separators between them (never at its ends).
    const letters: string[] = [];
    const sepsAfter: string[][] = [];
    let j = i;
    while (j < items.length && items[j].kind === 'letter') {
      letters.push(items[j].text);
      const seps: string[] = [];
      let k = j + 1;
      while (k < items.length && items[k].kind === 'sep') seps.push(items[k++].text);
      if (k < items.length && items[k].kind === 'letter' && seps.length <= 1) {
        sepsAfter.push(seps);
        j = k;
      } else {
        sepsAfter.push([]);
        j++;
        break;
      }
    }
    const segments = segmentLetters(letters, vocabHas);
    for (let p = 0; p < letters.length; ) {
      const joined = segments[p];
      const last = joined ? joined.end - 1 : p;
      if (joined) out.push(joined.word);
      else out.push(...tokensOfChunk(letters[p]));
      for (const sep of sepsAfter[last]) out.push(...tokensOfChunk(sep));
      p = last + 1;
    }
    i = j;
  }
  return out;
}
