/**
 * "Content words kept" for redirect (EDIT): how much of the user's prompt survives the rewrite.
 *
 * Content words of a text: the text is lowercased, split into maximal runs of letters (Unicode \p{L}; digits,
 * punctuation, apostrophes and spaces separate words, so "man's" gives "man" and "s"), and every run that is
 * in STOP_WORDS or shorter than 2 letters is dropped. Each distinct word counts once (a set).
 *
 * kept(input, output) = |content(output) ∩ content(input)| / |content(input)|, in [0, 1]; undefined (null)
 * when the input has no content words. A null output (no safe text found) keeps 0.
 */

/**
 * NLTK's English stop-word list (179 words) reduced to its alphabetic forms: the contractions ("don't",
 * "you're") are covered by their parts ("don", "t", "you", "re"), which are on the list themselves.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ' +
    'was were be been being have has had having do does did doing a an the and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in out ' +
    'on off over under again further then once here there when where why how all any both each few more most other ' +
    'some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ain ' +
    'aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn'
  ).split(' '),
);

/** The distinct content words of `text`, in order of first appearance. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/\p{L}+/gu)) {
    const w = m[0];
    if (w.length >= 2 && !STOP_WORDS.has(w)) seen.add(w);
  }
  return [...seen];
}

/** Share of the input's content words that the output keeps; null when the input has none. */
export function contentWordsKept(input: string, output: string | null): number | null {
  const inWords = contentWords(input);
  if (inWords.length === 0) return null;
  if (output === null) return 0;
  const outWords = new Set(contentWords(output));
  let kept = 0;
  for (const w of inWords) if (outWords.has(w)) kept++;
  return kept / inWords.length;
}
