/**
 * Character n-grams of a word: what the subword model (fastText-style, "Enriching Word Vectors with Subword
 * Information", Bojanowski et al. 2017) reads for a word the vocabulary lacks. Training (models/train) and the
 * tokenizer (word.ts) both use this function, so the n-grams a word gets are the same in both.
 *
 *   grams(w) = every substring of length minN..maxN of "<" + w + ">"   (in order: by start, then by length)
 *
 * The markers make prefixes and suffixes their own grams ("<fu" is not "fu" inside a word). Repeated grams are
 * kept once (first occurrence). A word's subword vector is the mean of the vectors of its grams that the n-gram
 * table holds; a word none of whose grams is in the table is not read (it stays `<unk>` and lowers coverage).
 */

export const NGRAM_MIN = 3;
export const NGRAM_MAX = 5;
/** At most this many grams per word are looked up (the first ones, in the order above). */
export const NGRAM_SLOTS = 48;

/** The distinct character n-grams of `word` (normalised form, as the vocabulary holds it), at most `slots`. */
export function charNgrams(word: string, minN = NGRAM_MIN, maxN = NGRAM_MAX, slots = Infinity): string[] {
  const chars = Array.from(`<${word}>`); // code points, not UTF-16 units
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < chars.length && out.length < slots; i++) {
    for (let n = minN; n <= maxN && i + n <= chars.length && out.length < slots; n++) {
      const g = chars.slice(i, i + n).join('');
      if (g === '<' || g === '>' || seen.has(g)) continue;
      seen.add(g);
      out.push(g);
    }
  }
  return out;
}
