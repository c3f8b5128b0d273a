import { wordListMatcher } from '../../models/eval/word-list';

describe('wordListMatcher', () => {
  const flags = wordListMatcher(['ass', 'Two Girls One Cup', 'f*ck', '']);

  it('matches whole words and phrases, case-insensitively', () => {
    expect(flags('what an ASS.')).toBe(true);
    expect(flags('two  girls\tone cup')).toBe(true);
    expect(flags('a f*ck sign')).toBe(true); // entries are literal text, not patterns
  });

  it('does not match inside other words (the Scunthorpe problem)', () => {
    expect(flags('a class of assassins')).toBe(false);
    expect(flags('ass1')).toBe(false);
    expect(flags('fuck')).toBe(false); // no normalisation beyond case
  });

  it('an empty list flags nothing', () => {
    expect(wordListMatcher([])('anything at all')).toBe(false);
    expect(wordListMatcher(['  '])('  ')).toBe(false);
  });
});
