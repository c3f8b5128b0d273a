/**
 * EDIT's substitution table, learnt from safe/unsafe twins (issue #12: "Redirect keeps the scene"): which words an
 * unsafe prompt changes into in its safe twin ("a man stabbing another man, blood everywhere" -> "a man hugging
 * another man, paint everywhere" teaches stabbing -> hugging and blood -> paint). The gateway's EDIT tries these
 * replacements first (src/safety/edit.ts); the bundle ships them as `substitutions.tsv` (manifest `substitutions`,
 * read by src/runtime/bundle.ts parseSubstitutions, whose format this file writes).
 *
 * Learning, per pair (lexicon injections are skipped: their safe side only lacks the injected term):
 *  1. Both sides are split into words by `words` (the gateway tokenizer's WordTokenizer.words, so the table's words
 *     are the words the gateway reads), lowercased, punctuation tokens left out.
 *  2. Alignment: the longest common subsequence of the two word sequences (the classic dynamic programme, after
 *     trimming the common prefix and suffix; O(n·m) on what is left, pairs whose middle is over MAX_LCS_CELLS
 *     cells are skipped). Between consecutive matched words lies a hunk: unsafe words U replaced by safe words S.
 *  3. A hunk with |U| = 1 and 1 <= |S| <= 3 teaches U -> S (a word or short phrase); |U| >= 1 and |S| = 0 (a pure
 *     deletion) teaches each word of U -> drop; any other hunk (several unsafe words rewritten together) teaches
 *     nothing, since which word became which cannot be told. Stop words are never keys (EDIT never edits them).
 *  4. Counting over all pairs; for each unsafe word its replacements seen at least `minCount` (2) times, not equal
 *     to or containing the word, none of whose words `isUnsafe` says is unsafe, the `maxPerWord` (8) most
 *     frequent (ties: alphabetical), drop included as a replacement (null).
 * The table is sorted by unsafe word, then count (descending), then replacement (alphabetical; drop last), so the
 * same pairs always give the same file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DROP_MARKER, MAX_REPLACEMENT_WORDS, SUBSTITUTIONS_HEADER } from '../../../src/runtime/bundle';
import { STOP_WORDS } from '../../../src/safety/edit';

export interface SubstitutionRow {
  /** The unsafe-side word (lowercase). */
  unsafe: string;
  /** Its replacement in the safe twins: 1 to 3 words separated by single spaces, or null when it was dropped. */
  replacement: string | null;
  /** How many hunks of the twins showed this replacement. */
  count: number;
}

export interface TwinPair {
  safe: string;
  unsafe: string;
  category: string | null;
  /** 'lexicon-injection' pairs are skipped. */
  source?: string;
}

export interface LearnOptions {
  /** Most replacements kept per unsafe word; default 8. */
  maxPerWord?: number;
  /** Fewest sightings of a replacement to keep it; default 2. */
  minCount?: number;
  /** A word known to be unsafe (a lexicon term): never kept as (part of) a replacement. Default: none known. */
  isUnsafe?: (word: string) => boolean;
}

/** The file name a bundle gives the table (manifest `"substitutions": "substitutions.tsv"`). */
export const SUBSTITUTIONS_FILE = 'substitutions.tsv';

/** Largest n·m cells of the LCS table per pair, after the common prefix and suffix are trimmed. */
export const MAX_LCS_CELLS = 250_000;

/** A hunk of the alignment: unsafe-side words `from` replaced by safe-side words `to` (either may be empty). */
export interface Hunk {
  from: string[];
  to: string[];
}

/**
 * The hunks where `a` (unsafe side) and `b` (safe side) differ, by the longest common subsequence. Null when the
 * middle left after trimming the common prefix and suffix is over MAX_LCS_CELLS cells.
 */
export function diffWords(a: readonly string[], b: readonly string[]): Hunk[] | null {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const n = x.length;
  const m = y.length;
  if (n === 0 && m === 0) return [];
  if (n * m > MAX_LCS_CELLS) return null;
  // lcs[i][j] = length of the LCS of x[i..] and y[j..], row-major in one array of (n+1)(m+1).
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let hunk: Hunk = { from: [], to: [] };
  const flush = (): void => {
    if (hunk.from.length > 0 || hunk.to.length > 0) hunks.push(hunk);
    hunk = { from: [], to: [] };
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      flush();
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      hunk.from.push(x[i++]);
    } else {
      hunk.to.push(y[j++]);
    }
  }
  flush();
  return hunks;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Learns the substitution table from twins (see the file header for the rule). */
export function learnSubstitutions(pairs: readonly TwinPair[], words: (text: string) => string[], options: LearnOptions = {}): SubstitutionRow[] {
  const maxPerWord = options.maxPerWord ?? 8;
  const minCount = options.minCount ?? 2;
  const isUnsafe = options.isUnsafe ?? (() => false);
  // counts.get(word).get(replacement or DROP_MARKER) = sightings.
  const counts = new Map<string, Map<string, number>>();
  const see = (word: string, replacement: string): void => {
    if (STOP_WORDS.has(word)) return; // EDIT never edits stop words
    const row = counts.get(word) ?? new Map<string, number>();
    row.set(replacement, (row.get(replacement) ?? 0) + 1);
    counts.set(word, row);
  };
  // Punctuation tokens ("," "-" '"') are left out: EDIT keeps punctuation around the words it edits.
  const split = (text: string): string[] => words(text).map((w) => w.toLowerCase()).filter((w) => /[\p{L}\p{N}]/u.test(w) && !/[\s<>]/u.test(w));
  for (const p of pairs) {
    if (p.source === 'lexicon-injection') continue;
    const hunks = diffWords(split(p.unsafe), split(p.safe));
    if (hunks === null) continue;
    for (const h of hunks) {
      if (h.from.length === 0) continue; // an insertion: nothing was replaced
      if (h.to.length === 0) for (const w of h.from) see(w, DROP_MARKER);
      else if (h.from.length === 1 && h.to.length <= MAX_REPLACEMENT_WORDS) see(h.from[0], h.to.join(' '));
    }
  }
  const rows: SubstitutionRow[] = [];
  for (const [word, row] of counts) {
    const kept = [...row.entries()]
      .filter(([r, c]) => c >= minCount && (r === DROP_MARKER || (!r.split(' ').includes(word) && !r.split(' ').some(isUnsafe))))
      .sort((a, b) => b[1] - a[1] || compareReplacement(a[0], b[0]))
      .slice(0, maxPerWord);
    for (const [r, count] of kept) rows.push({ unsafe: word, replacement: r === DROP_MARKER ? null : r, count });
  }
  return sortRows(rows);
}

/** Replacement order on equal counts: alphabetical, drop last. */
function compareReplacement(a: string, b: string): number {
  if (a === DROP_MARKER || b === DROP_MARKER) return (a === DROP_MARKER ? 1 : 0) - (b === DROP_MARKER ? 1 : 0);
  return compareText(a, b);
}

function sortRows(rows: SubstitutionRow[]): SubstitutionRow[] {
  return rows.sort((a, b) => compareText(a.unsafe, b.unsafe) || b.count - a.count || compareReplacement(a.replacement ?? DROP_MARKER, b.replacement ?? DROP_MARKER));
}

/** The table as TSV: the header `unsafe_word<TAB>replacement<TAB>count`, then one row a line (drop = `<drop>`). */
export function formatSubstitutions(rows: readonly SubstitutionRow[]): string {
  const lines = sortRows([...rows]).map((r) => `${r.unsafe}\t${r.replacement ?? DROP_MARKER}\t${r.count}`);
  return [SUBSTITUTIONS_HEADER, ...lines].join('\n') + '\n';
}

/**
 * Learns the table from `pairs` and writes it to `<dir>/substitutions.tsv`; returns the rows and the file's path.
 * The bundle's manifest then names it: `"substitutions": "substitutions.tsv"` (and provenance.files its sha256).
 */
export function writeSubstitutions(dir: string, pairs: readonly TwinPair[], words: (text: string) => string[], options: LearnOptions = {}): { file: string; rows: SubstitutionRow[] } {
  const rows = learnSubstitutions(pairs, words, options);
  const file = path.join(dir, SUBSTITUTIONS_FILE);
  fs.writeFileSync(file, formatSubstitutions(rows));
  return { file, rows };
}
