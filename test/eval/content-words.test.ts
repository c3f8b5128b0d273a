import { contentWords, contentWordsKept, STOP_WORDS } from '../../models/eval/content-words';

describe('content words', () => {
  it('lowercases, splits on non-letters, drops stop words and 1-letter words, counts each once', () => {
    expect(contentWords("The man's hand has been CUT, and he is bleeding. The hand!")).toEqual(['man', 'hand', 'cut', 'bleeding']);
    expect(contentWords('a 3d-render of 2 cats')).toEqual(['render', 'cats']);
    expect(contentWords('Café crème, naïve')).toEqual(['café', 'crème', 'naïve']);
    expect(contentWords('it is what it is')).toEqual([]);
  });

  it('has the usual English stop words and no content words', () => {
    for (const w of ['the', 'and', 'is', 'not', 'his', 'her', 'been', 'with', 's', 't']) expect(STOP_WORDS.has(w)).toBe(true);
    for (const w of ['man', 'blood', 'woman', 'painting', 'naked']) expect(STOP_WORDS.has(w)).toBe(false);
  });

  it('kept = |out ∩ in| / |in|', () => {
    // in: man, hand, cut, bleeding (4); out keeps man, hand, cut (3)
    expect(contentWordsKept("The man's hand has been cut, and he is bleeding.", "The man's hand has been cut, and he is fine.")).toBeCloseTo(3 / 4, 12);
    expect(contentWordsKept('a nude woman', 'a nude woman')).toBe(1);
    expect(contentWordsKept('a nude woman', 'A WOMAN in a dress')).toBe(0.5);
    // extra words in the output do not count against it, repeated words count once
    expect(contentWordsKept('blood blood knife', 'a knife on a table with flowers')).toBe(0.5);
  });

  it('null output keeps 0; an input without content words gives null', () => {
    expect(contentWordsKept('a bloody knife', null)).toBe(0);
    expect(contentWordsKept('it is what it is', 'anything')).toBeNull();
    expect(contentWordsKept('', null)).toBeNull();
  });
});
