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
 * ("n . a . k") is segmented into words of 3 to 24 letters that contain a letter and are in the vocabulary
 * (directly or de-obfuscated: "n 4 k 3 d", "n a a a k e d"), and single letters. The whole run is segmented
 * at once, for the best explanation of all its letters (segmentLetters has the rule): the most letters
 * inside words, then the fewest pieces, then the fewest single letters that are not words. So a genuine
 * one-letter word before or inside the run stays itself unless joining it explains more: "a n a k e d" is
 * "a naked" (not "ana" k e d), "i s a w a n a k e d m a n" is "i saw a naked man", "w a s a n a k e d" is
 * "was a naked". Letters that join nothing stay single ("a b c" when "abc" is no word).
 * Three is the floor because "a b" or "i m" are ordinary text far more often than obfuscation.
 *
 * Deterministic, and linear in the text's length, whatever the text (anyone can send the worst case, and a
 * request's budget, MAX_REQUEST_TEXT_CHARS, is counted in characters): a word is at most 48 characters for
 * de-obfuscation (at most 32 leet readings, 2^5 stretched readings, 2 masks), a spaced-letter word at most 24
 * letters, so a run costs at most 22 span steps a letter; runs are not cut, and nothing is skipped on long
 * input, which would let a prefix of junk hide a word. What keeps the constant small on hostile input:
 *  - segmentLetters works out each distinct span once (a trie of spans, SpanNode): "a a a ... a" asks about
 *    22 spans in all, not 22 a letter;
 *  - with the vocabulary's SpacedLetterIndex a span stops growing at the first letter no word can follow,
 *    and a '*' mask is tried only as the letters that can follow what precedes it (index.followers).
 * The bound, with the hysac-mini vocabulary (36,739 words), as vocabulary + index lookups per character
 * (test/runtime/tokenizers/hostile.test.ts asserts <= 20): spaced "a a a" 0.5, random spaced letters 2,
 * mixed separators 2, spaced leetspeak 2, one-mask words 2, two-mask words ("x*y*z") 13; ordinary prompts
 * under 1. Time (`npx tsx test/bench/tokenizer-hostile.ts`: WordTokenizer.words, chunk cache off, 2,000
 * characters, one core of the 2-core dev machine): at most about 7 us a character (two-mask words "x*y*z";
 * 5 us when chunkTokens gets the index too), about 1 us for every spaced-letter case, 0.1 us for ordinary
 * prompts; so a 2,000-character text costs at most ~15 ms. Before: "a a a" 32 us a character (64 ms a
 * text), two-mask words 34 us, "a a a x" and stretched spaced letters 5 us; ordinary prompts the same.
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

/**
 * What the spaced-letter segmentation knows about the vocabulary beyond `has`: the skeletons of its words
 * and of their prefixes. A skeleton is a string with every run of one repeated code point cut to one
 * ("naaked" -> "naked", "killer" -> "kiler"). Built once per vocabulary (spacedLetterIndex); optional.
 *
 * It is only a filter in front of `resolveWord`, never a different answer: a span of letters can resolve
 * (the span itself, a leetspeak reading of it, or a reading with stretched letters cut) only if some reading
 * of it, with each leet symbol as itself or as a letter, has the skeleton of a vocabulary word, since cutting
 * stretched letters keeps the skeleton; and a reading whose skeleton is the prefix of no word's skeleton
 * cannot become one by adding letters. So the segmentation stops extending a span at the first letter that
 * no word can follow, and calls `resolveWord` only for spans that can be a word. Without the index every span
 * up to MAX_SPACED_JOIN letters goes through `resolveWord` (same result, 20 to 100 times slower on long
 * runs, which anyone can send). The same filter serves masked words (uniqueMaskMatch): a '*' is tried only
 * as a letter that some word's skeleton has after what precedes the mask (`followers`).
 */
export interface SpacedLetterIndex {
  /** Skeleton -> PREFIX (the skeleton of a prefix of a word) | WORD (of a whole word). */
  readonly skeletons: ReadonlyMap<string, number>;
  /** Skeleton prefix ('' too) -> the letters a-z that extend it to a longer one: what a '*' mask there may be. */
  readonly followers: ReadonlyMap<string, string>;
}
const SKELETON_PREFIX = 1;
const SKELETON_WORD = 2;
/** Readings followed at once from one span start; beyond that its longer spans are all resolved unfiltered. */
const MAX_LIVE_READINGS = 32;

/** The last code point of `s` (a whole surrogate pair), or ''. */
function lastCodePoint(s: string): string {
  if (s.length >= 2) {
    const lo = s.charCodeAt(s.length - 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) {
      const hi = s.charCodeAt(s.length - 2);
      if (hi >= 0xd800 && hi <= 0xdbff) return s.slice(-2);
    }
  }
  return s.slice(-1);
}

/** `skeleton` (a skeleton) extended by `piece`, each repeated code point cut to one. */
function extendSkeleton(skeleton: string, piece: string): string {
  // One BMP character (nearly every spaced letter): no iteration, and the same string back when it repeats
  // the last one (a string whose hash V8 already knows, so the index lookup that follows is cheap).
  if (piece.length === 1 && (piece.charCodeAt(0) & 0xf800) !== 0xd800) {
    return skeleton.charCodeAt(skeleton.length - 1) === piece.charCodeAt(0) ? skeleton : skeleton + piece;
  }
  let last = lastCodePoint(skeleton);
  let out = skeleton;
  for (const cp of piece) {
    if (cp !== last) out += cp;
    last = cp;
  }
  return out;
}

/** The skeleton of `s`: extendSkeleton('', s), with no string built when no code unit repeats (the common case). */
function skeletonOf(s: string): string {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) === s.charCodeAt(i - 1)) return extendSkeleton('', s);
  return s;
}

/** The index of `words` (every word `has` accepts, and no other) for the spaced-letter segmentation. */
export function spacedLetterIndex(words: Iterable<string>): SpacedLetterIndex {
  const skeletons = new Map<string, number>();
  for (const word of words) {
    const skeleton = extendSkeleton('', word);
    if (skeleton === '') continue;
    skeletons.set(skeleton, (skeletons.get(skeleton) ?? 0) | SKELETON_WORD | SKELETON_PREFIX);
    // Proper prefixes, longest first: once one is there, so are the shorter ones (cut at code points).
    for (let end = skeleton.length - 1; end > 0; end--) {
      const code = skeleton.charCodeAt(end);
      if (code >= 0xdc00 && code <= 0xdfff) continue; // inside a surrogate pair
      const prefix = skeleton.slice(0, end);
      if (skeletons.has(prefix)) break;
      skeletons.set(prefix, SKELETON_PREFIX);
    }
  }
  const followers = new Map<string, string>();
  for (const skeleton of skeletons.keys()) {
    const last = skeleton.charCodeAt(skeleton.length - 1);
    if (last < 0x61 || last > 0x7a) continue; // only a-z: what uniqueMaskMatch fills in
    const parent = skeleton.slice(0, -1);
    followers.set(parent, (followers.get(parent) ?? '') + skeleton[skeleton.length - 1]);
  }
  return { skeletons, followers };
}

/**
 * The one vocabulary word that `pattern` matches with each '*' as a letter, or null (none or several).
 * With `index` (of the words `has` accepts) a mask is tried only as the letters that can follow what is
 * before it in some word (index.followers, or the letter before it again, which a skeleton does not show),
 * and further only when the pattern up to the next mask can still begin a word: the same answer, from
 * tens of lookups instead of 26 x 26 for two masks.
 */
function uniqueMaskMatch(pattern: string, has: VocabHas, index?: SpacedLetterIndex): string | null {
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
    const head = prefix + rest.slice(0, at);
    const after = rest.slice(at + 1);
    const fixed = after.split('*', 1)[0]; // the letters up to the next mask (or the end)
    let letters = ALPHABET;
    if (index !== undefined) {
      const before = head.charCodeAt(head.length - 1);
      letters = index.followers.get(skeletonOf(head)) ?? '';
      // A repeated letter leaves the skeleton as it is ("ki*l" may be "kill"): try the letter before too.
      if (before >= 0x61 && before <= 0x7a && !letters.includes(head[head.length - 1])) letters += head[head.length - 1];
    }
    for (const letter of letters) {
      if (index !== undefined && fixed !== '' && !maybeWordPrefix(head + letter + fixed, index)) continue;
      if (!fill(head + letter, after)) return false;
    }
    return true;
  };
  return fill('', pattern) ? found : null;
}

/** Whether some word of `index` begins with a string of the skeleton of `start` (so `start` may begin a word). */
function maybeWordPrefix(start: string, index: SpacedLetterIndex): boolean {
  return ((index.skeletons.get(skeletonOf(start)) ?? 0) & SKELETON_PREFIX) !== 0;
}

/** Whether some word of `index` has the skeleton of `reading` (so that cutting its stretched letters may hit). */
function mayBeStretchedWord(reading: string, index: SpacedLetterIndex): boolean {
  return ((index.skeletons.get(skeletonOf(reading)) ?? 0) & SKELETON_WORD) !== 0;
}

/**
 * The vocabulary word that an obfuscated `word` stands for, or null. `word` itself is not looked up
 * (callers do that first). See the module comment for the rules and their order. `index` (of the words
 * `has` accepts) only skips stretched-letter readings that cannot hit; the answer is the same without it.
 */
export function deobfuscateWord(word: string, has: VocabHas, index?: SpacedLetterIndex): string | null {
  if (word.length < 2 || word.length > MAX_WORD || !DEOBFUSCATABLE_RE.test(word)) return null;
  if (!HAS_LETTER_RE.test(word) || NUMERAL_WITH_SUFFIX_RE.test(word)) return null;
  const variants = word.length >= 3 ? leetVariants(word) : [word];
  const masked = word.includes('*');
  if (!masked) {
    for (const v of variants) if (v !== word && has(v)) return v;
    for (const v of variants) {
      if (index !== undefined && !mayBeStretchedWord(v, index)) continue;
      for (const s of squeezeVariants(v)) if (has(s)) return s;
    }
    return null;
  }
  if (word.length < 3 || countLetters(word) < 2 || variants.length > 4) return null;
  for (const v of variants) {
    const hit = uniqueMaskMatch(v, has, index);
    if (hit !== null) return hit;
  }
  return null;
}

/** A known word, a de-obfuscated one, or null. */
function resolveWord(word: string, has: VocabHas, index?: SpacedLetterIndex): string | null {
  return has(word) ? word : deobfuscateWord(word, has, index);
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
function peeled(chunk: string, lead: RegExp, trail: RegExp, has: VocabHas, index?: SpacedLetterIndex): string[] | null {
  const head = chunk.match(lead)?.[0] ?? '';
  if (head.length === chunk.length) return null;
  const tail = chunk.slice(head.length).match(trail)?.[0] ?? '';
  if (head === '' && tail === '') return null;
  const core = chunk.slice(head.length, chunk.length - tail.length);
  const word = resolveWord(core, has, index);
  if (word === null) return null;
  return [...punctuationTokens(head, has), word, ...punctuationTokens(tail, has)];
}

/** Last resort: letter/digit runs and punctuation runs, with English clitics recognised. */
function splitChunk(chunk: string, has: VocabHas, index?: SpacedLetterIndex): string[] {
  const pieces = chunk.match(/[\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}]+/gu) ?? [];
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const next = pieces[i + 1];
    // "cat's" -> cat 's ; "don't" -> do n't (when the vocabulary has the clitic)
    if (next === "'" && pieces[i + 2] !== undefined && CLITICS.has("'" + pieces[i + 2]) && has("'" + pieces[i + 2])) {
      out.push(resolveWord(piece, has, index) ?? piece, "'" + pieces[i + 2]);
      i += 2;
      continue;
    }
    if (next === "'" && pieces[i + 2] === 't' && piece.endsWith('n') && has("n't") && piece.length > 1) {
      const stem = piece.slice(0, -1);
      out.push(resolveWord(stem, has, index) ?? stem, "n't");
      i += 2;
      continue;
    }
    if (/^[\p{L}\p{N}\p{M}]/u.test(piece)) out.push(resolveWord(piece, has, index) ?? piece);
    else out.push(...punctuationTokens(piece, has));
  }
  return out;
}

/**
 * The tokens of one chunk that is not part of a spaced-letter run. `index`, the spacedLetterIndex of exactly
 * the words `has` accepts, only makes masked words cheaper to resolve; the tokens are the same without it.
 */
export function chunkTokens(chunk: string, has: VocabHas, index?: SpacedLetterIndex): string[] {
  if (has(chunk)) return [chunk];
  const soft = peeled(chunk, SOFT_LEAD_RE, SOFT_TRAIL_RE, has, index);
  if (soft) return soft;
  const word = deobfuscateWord(chunk, has, index);
  if (word !== null) return [word];
  return peeled(chunk, HARD_LEAD_RE, HARD_TRAIL_RE, has, index) ?? splitChunk(chunk, has, index);
}

type Item = { kind: 'letter'; text: string } | { kind: 'sep'; text: string } | { kind: 'chunk'; text: string };

const LETTER_UNIT_RE = /^(?:[\p{L}\p{N}]\p{M}*|[@$!|+])$/u;
const SEPARATOR_CHUNK_RE = /^[^\p{L}\p{N}]{1,2}$/u;
/** "n.a.k.e.d", "n-a-k-e-d.", "n_a_k_e_d": single letters/digits joined by 1-2 punctuation characters. */
const SEPARATED_LETTERS_RE = /^[\p{L}\p{N}](?:[^\p{L}\p{N}]{1,2}[\p{L}\p{N}])+[^\p{L}\p{N}]{0,2}$/u;

function toItems(chunks: string[], has: VocabHas, index?: SpacedLetterIndex): Item[] {
  const items: Item[] = [];
  for (const chunk of chunks) {
    if (LETTER_UNIT_RE.test(chunk)) items.push({ kind: 'letter', text: chunk });
    else if (SEPARATOR_CHUNK_RE.test(chunk)) items.push({ kind: 'sep', text: chunk });
    else if (SEPARATED_LETTERS_RE.test(chunk) && !has(chunk) && deobfuscateWord(chunk, has, index) === null) {
      // "n.a.k.e.d" (but not "b&w" when known, nor a masked word such as "s*x" that resolves)
      for (const ch of chunk.match(/[\p{L}\p{N}]/gu) ?? []) items.push({ kind: 'letter', text: ch });
    } else items.push({ kind: 'chunk', text: chunk });
  }
  return items;
}

/** A spaced letter as itself or, for a leet symbol, as each letter it may stand for. */
function unitReadings(unit: string): readonly string[] {
  const leet = LEET[unit];
  return leet === undefined ? [unit] : [unit, ...leet];
}

/** How a segmentation explains letters; compared field by field (betterCover), see segmentLetters. */
interface Cover {
  /** Letters inside joined words. More is better. */
  covered: number;
  /** Tokens: joined words plus single letters. Fewer is better. */
  pieces: number;
  /** Letters left single that are not vocabulary words themselves. Fewer is better. */
  unknown: number;
}

/**
 * segmentLetters' memo, a trie of units: a node stands for the span of the units on its path from the root,
 * and holds what depends only on that span: its index filter (live readings; whether it can be a word;
 * whether no longer span can be) and, once asked, the word it resolves to.
 */
interface SpanNode {
  /** The first child's unit and node (most nodes have one: no Map to look in), then the others. */
  firstUnit: string | null;
  first: SpanNode | null;
  next: Map<string, SpanNode> | null;
  /** Readings of the span that some word's skeleton starts with; null: not filtering (no index, or too many). */
  live: string[] | null;
  /** Some word may have this span's skeleton (always true when not filtering). */
  canBeWord: boolean;
  /** No word's skeleton starts with any reading of the span: no span through here can resolve. */
  dead: boolean;
  /** undefined: not resolved yet; null: no word. */
  word: string | null | undefined;
}
/** Trie nodes kept for one run before the memo starts afresh (a few MB; a 2,000-letter run needs under 50k). */
const MAX_SPAN_NODES = 100_000;

/** The node for `parent`'s span extended by one unit (with `readings`), its filter computed from the parent's. */
function spanChild(parent: SpanNode, readings: readonly string[], index: SpacedLetterIndex | undefined): SpanNode {
  const child: SpanNode = { firstUnit: null, first: null, next: null, live: null, canBeWord: true, dead: false, word: undefined };
  if (parent.live === null || index === undefined) return child;
  const next: string[] = [];
  let canBeWord = false;
  for (const reading of parent.live) {
    for (const r of readings) {
      const skeleton = extendSkeleton(reading, r);
      const kind = index.skeletons.get(skeleton);
      if (kind === undefined || next.includes(skeleton)) continue;
      next.push(skeleton);
      if (kind & SKELETON_WORD) canBeWord = true;
    }
  }
  child.dead = next.length === 0;
  child.live = next.length > MAX_LIVE_READINGS ? null : next;
  child.canBeWord = child.live === null || canBeWord;
  return child;
}

/** Whether `a` explains the letters strictly better than `b`. */
function betterCover(a: Cover, b: Cover): boolean {
  if (a.covered !== b.covered) return a.covered > b.covered;
  if (a.pieces !== b.pieces) return a.pieces < b.pieces;
  return a.unknown < b.unknown;
}

/**
 * Segments a run of spaced letters (letters[i] is one letter, digit or leet symbol) into vocabulary words
 * of MIN_SPACED_JOIN to MAX_SPACED_JOIN letters, and single letters. The rule: the segmentation that
 * explains the run best, compared in this order:
 *  1. the most letters inside words ("a n a k e d": "a" + "naked" covers 5, "ana" + k e d covers 3);
 *  2. the fewest pieces, words and single letters together (longer words: "r e c o r d e r" is
 *     "recorder", not "rec" "order");
 *  3. the fewest single letters that are not words themselves ("w a s a n a k e d": "was" "a" "naked"
 *     leaves the word "a", "w" "asa" "naked" an unknown "w"), so that a real one-letter word ("a", "i")
 *     stays itself unless joining it explains more;
 *  4. then the longest first word, and a letter left single rather than joined when that explains as well.
 * A run in which no span is a word stays single letters ("a b c" with no word "abc").
 * Dynamic programming from the right end: the best cover of letters[p..] is the better of letters[p] single
 * + best of letters[p+1..] and, for each span letters[p..q) that resolves, that word + best of letters[q..].
 * Each span is resolved at most once, so the cost is linear in the run (at most MAX_SPACED_JOIN - 2 spans a
 * letter), and with `index` a start stops at the first letter no word can follow (see SpacedLetterIndex).
 * Returns, per start index, the chosen span end (exclusive) and word, or null where the letter stays single.
 */
function segmentLetters(
  letters: readonly string[],
  has: VocabHas,
  index?: SpacedLetterIndex,
): ({ word: string; end: number } | null)[] {
  const n = letters.length;
  const best: Cover[] = new Array<Cover>(n + 1);
  best[n] = { covered: 0, pieces: 0, unknown: 0 };
  const choice: ({ word: string; end: number } | null)[] = new Array(n).fill(null);
  // What a span filters to and resolves to depends only on its units: a run that repeats itself ("a a a a
  // ...", "a b a b ...") asks about the same few spans at every start, so each distinct span is worked out
  // once (the trie of SpanNode). A trie, not a Map of joined strings: extending a span by one unit is one
  // lookup of a short constant string, where hashing a fresh joined string at every step was half the time.
  const root = (): SpanNode => ({ firstUnit: null, first: null, next: null, live: index ? [''] : null, canBeWord: true, dead: false, word: undefined });
  let spans = root();
  let nodes = 0;
  const readings = letters.map(unitReadings);
  const isLetter = letters.map((unit) => HAS_LETTER_RE.test(unit));
  for (let p = n - 1; p >= 0; p--) {
    const rest = best[p + 1];
    const unknown = rest.unknown + (has(letters[p]) ? 0 : 1);
    const single: Cover = { covered: rest.covered, pieces: rest.pieces + 1, unknown };
    let span: Cover | null = null;
    let spanChoice: { word: string; end: number } | null = null;
    if (nodes > MAX_SPAN_NODES) {
      spans = root();
      nodes = 0;
    }
    let node = spans;
    let hasLetter = false;
    for (let q = p + 1; q <= Math.min(n, p + MAX_SPACED_JOIN); q++) {
      const unit = letters[q - 1];
      let child = node.firstUnit === unit ? node.first : node.next?.get(unit);
      if (child === undefined || child === null) {
        child = spanChild(node, readings[q - 1], index);
        if (node.firstUnit === null) {
          node.firstUnit = unit;
          node.first = child;
        } else (node.next ??= new Map()).set(unit, child);
        nodes++;
      }
      node = child;
      if (node.dead) break; // no word's skeleton starts so: no longer span from p can resolve
      if (isLetter[q - 1]) hasLetter = true;
      if (q - p < MIN_SPACED_JOIN || !hasLetter || !node.canBeWord) continue;
      if (node.word === undefined) node.word = resolveWord(letters.slice(p, q).join(''), has, index);
      const word = node.word;
      if (word === null) continue;
      const after = best[q];
      const cover: Cover = { covered: q - p + after.covered, pieces: after.pieces + 1, unknown: after.unknown };
      // Ascending q: an equal cover further on is a longer first word, which wins the tie.
      if (span === null || !betterCover(span, cover)) {
        span = cover;
        spanChoice = { word, end: q };
      }
    }
    if (span !== null && betterCover(span, single)) {
      best[p] = span;
      choice[p] = spanChoice;
    } else best[p] = single;
  }
  return choice;
}

/**
 * The words of normalised text (see normalize.ts): vocabulary words where the rules above find them,
 * otherwise the raw pieces (which the tokenizer maps to `<unk>`). `tokensOfChunk` defaults to
 * `chunkTokens`; a caller may pass a memoised one (a chunk's tokens depend only on the chunk).
 * `spacedIndex`, the spacedLetterIndex of exactly the words `vocabHas` accepts, makes long runs of spaced
 * letters cheap; the words are the same without it.
 */
export function wordTokens(
  normalized: string,
  vocabHas: VocabHas,
  tokensOfChunk?: (chunk: string) => string[],
  spacedIndex?: SpacedLetterIndex,
): string[] {
  const ofChunk = tokensOfChunk ?? ((chunk: string) => chunkTokens(chunk, vocabHas, spacedIndex));
  const chunks = normalized.split(/\s+/u).filter((c) => c !== '');
  const items = toItems(chunks, vocabHas, spacedIndex);
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    const item = items[i];
    if (item.kind !== 'letter') {
      out.push(...ofChunk(item.text));
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
    // Fewer than MIN_SPACED_JOIN letters join nothing ("a" before a word: the common case).
    const segments = letters.length < MIN_SPACED_JOIN ? null : segmentLetters(letters, vocabHas, spacedIndex);
    for (let p = 0; p < letters.length; ) {
      const joined = segments === null ? null : segments[p];
      const last = joined ? joined.end - 1 : p;
      if (joined) out.push(joined.word);
      else out.push(...ofChunk(letters[p]));
      for (const sep of sepsAfter[last]) out.push(...ofChunk(sep));
      p = last + 1;
    }
    i = j;
  }
  return out;
}
