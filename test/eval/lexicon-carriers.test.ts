import { CARRIERS, carrierPrompts, heldOutSevereTerms, MIN_SEVERITY, type LexiconTerm } from '../../models/eval/lexicon-carriers';

const fold = (t: string): string => t.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
const term = (t: string, severity: number, category: string | null = 'hate', source = 'list-a'): LexiconTerm => ({ term: t, category, severity, source });

describe('heldOutSevereTerms', () => {
  const heldOut = (t: string): boolean => !t.toLowerCase().startsWith('trained');

  it('keeps held-out terms of severity >= MIN_SEVERITY or from a severe list, once per folded form', () => {
    const got = heldOutSevereTerms(
      [
        term('Alpha', MIN_SEVERITY, null),
        term('alpha!', 3, 'violence'), // same folded form: merged, its category fills the gap
        term('beta', MIN_SEVERITY - 1), // not severe enough
        term('gamma', 0, 'sexual', 'ldnoobw-severe'), // from a severe list
        term('trained word', 3), // in the training folds
        term('  ', 3),
      ],
      heldOut,
      fold,
    );
    expect(got).toEqual([term('Alpha', MIN_SEVERITY, 'violence'), term('gamma', 0, 'sexual', 'ldnoobw-severe')]);
  });
});

describe('carrierPrompts', () => {
  it('puts every term in every carrier, with a category label for uncategorised terms', () => {
    const got = carrierPrompts([term(' delta ', 2, null), term('eps', 2, 'hate')]);
    expect(got).toHaveLength(2 * CARRIERS.length);
    expect(got.map((c) => c.text)).toEqual(['a photo of a woman, delta', 'a poster that says delta', 'delta, digital art, highly detailed', 'a photo of a woman, eps', 'a poster that says eps', 'eps, digital art, highly detailed']);
    expect(got[0].category).toBe('(none)');
    expect(got[3].category).toBe('hate');
  });
});
