/** Manifest validation of text.tokenizer.subwords: a bad subword spec stops start-up with a message naming the field. */
import { loadBundle } from '../../src/runtime/bundle';
import { validateManifest } from '../../src/runtime/manifest';
import { buildSubwordBundle } from './subword-bundle';

const bundle = buildSubwordBundle();
const good = () => JSON.parse(require('node:fs').readFileSync(`${bundle.dir}/manifest.json`, 'utf8'));

function errorOf(mutate: (m: any) => void): any {
  const m = good();
  mutate(m);
  try {
    validateManifest(m, bundle.dir);
  } catch (e) {
    return e;
  }
  return undefined;
}

test('the subword test manifest is valid and keeps the spec', () => {
  expect(validateManifest(good(), bundle.dir).text.tokenizer).toEqual({
    type: 'word',
    vocab: 'vocab.txt',
    contextLength: 32,
    subwords: { ngrams: 'ngrams.txt', input: 'subword_ids', minN: 3, maxN: 5, slots: 48 },
  });
});

test.each<[string, (m: any) => void, RegExp]>([
  ['not an object', (m) => (m.text.tokenizer.subwords = 'ngrams.txt'), /text\.tokenizer\.subwords is "ngrams\.txt"; allowed: an object/],
  ['a missing n-gram file', (m) => (m.text.tokenizer.subwords.ngrams = 'grams.txt'), /text\.tokenizer\.subwords\.ngrams names "grams\.txt", which is not in .*; allowed: a file that exists in the bundle folder/],
  ['a file outside the bundle', (m) => (m.text.tokenizer.subwords.ngrams = '../ngrams.txt'), /subwords\.ngrams is "\.\.\/ngrams\.txt"; allowed: a file name inside the bundle folder/],
  ['no input name', (m) => delete m.text.tokenizer.subwords.input, /text\.tokenizer\.subwords\.input is missing; allowed: a non-empty string/],
  ['an empty input name', (m) => (m.text.tokenizer.subwords.input = ''), /subwords\.input is ""; allowed: a non-empty string/],
  ['the token-id input name', (m) => (m.text.tokenizer.subwords.input = 'input_ids'), /subwords\.input is "input_ids", the name of the token-id input \(text\.input\); allowed: the name of the graph's second input/],
  ['minN 0', (m) => (m.text.tokenizer.subwords.minN = 0), /subwords\.minN is 0; allowed: an integer >= 1 and <= 64/],
  ['fractional maxN', (m) => (m.text.tokenizer.subwords.maxN = 4.5), /subwords\.maxN is 4\.5; allowed: an integer >= 1/],
  ['maxN below minN', (m) => Object.assign(m.text.tokenizer.subwords, { minN: 5, maxN: 3 }), /subwords\.maxN is 3, below minN 5; allowed: an integer >= minN \(5\)/],
  ['slots 0', (m) => (m.text.tokenizer.subwords.slots = 0), /subwords\.slots is 0; allowed: an integer >= 1 and <= 4096/],
  ['slots as a string', (m) => (m.text.tokenizer.subwords.slots = '48'), /subwords\.slots is "48"; allowed: an integer/],
  ['an unknown key', (m) => (m.text.tokenizer.subwords.buckets = 2000000), /subwords\.buckets is not a known key; allowed: ngrams, input, minN, maxN, slots/],
  ['subwords on a clip-bpe tokenizer', (m) => (m.text.tokenizer = { type: 'clip-bpe', merges: 'vocab.txt', contextLength: 77, subwords: good().text.tokenizer.subwords }), /text\.tokenizer\.subwords is set for tokenizer type "clip-bpe"; allowed: subwords only with type "word"/],
])('%s is refused with BUNDLE_INVALID naming the field', (_name, mutate, message) => {
  const err = errorOf(mutate);
  expect(err?.extensions?.code).toBe('BUNDLE_INVALID');
  expect(err.message).toMatch(message);
});

test('a bundle whose n-gram file is broken does not load, and names the file and line', async () => {
  const bad = buildSubwordBundle({ ngramsText: '<none>\n<ki\n\n' });
  const err: any = await loadBundle(bad.dir).catch((e) => e);
  expect(err.extensions.code).toBe('BUNDLE_INVALID');
  expect(err.message).toMatch(/the word tokenizer could not be loaded: tokenizer file .*ngrams\.txt: line 3 is empty/);
});
