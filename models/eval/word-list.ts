/**
 * A plain word-list filter, for lists shipped as data (naughty-words, google-profanity-words, cuss): a text is
 * flagged when any list entry occurs in it as a whole word or phrase, case-insensitively. "Whole" means not
 * preceded or followed by a letter or digit (Unicode), so "ass" flags "an ass" but not "class" or
 * "assassin"; whitespace inside a multi-word entry matches any run of whitespace. No other normalisation
 * (no leetspeak, no homoglyphs): that is what such a list does when used as shipped.
 */

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A predicate that is true when `text` holds one of `terms` as a whole word/phrase. Empty terms are ignored. */
export function wordListMatcher(terms: Iterable<string>): (text: string) => boolean {
  const cleaned = [...new Set([...terms].map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))];
  if (cleaned.length === 0) return () => false;
  // Longest first, so that an alternation prefers "2 girls 1 cup" over a shorter entry at the same place.
  cleaned.sort((a, b) => b.length - a.length);
  const body = cleaned.map((t) => escapeRegExp(t).replace(/\s+/g, '\\s+')).join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`, 'iu');
  return (text) => re.test(text);
}
