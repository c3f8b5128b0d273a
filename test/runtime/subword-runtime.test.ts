/**
 * The subword model through the real runtime: a bundle whose text.onnx takes input_ids and subword_ids
 * (test/runtime/subword-bundle.ts), run by ModelRuntime in a worker thread with a real ONNX Runtime session.
 * The graph's output is checked against the contract computed here, so a wrong n-gram row, a wrong row index or
 * a missing input shows as a wrong embedding. Coverage comes back from the worker with each row.
 */
import { loadBundle } from '../../src/runtime/bundle';
import { ModelRuntime } from '../../src/runtime/model-runtime';
import { logMap0 } from '../../src/geometry';
import { charNgrams } from '../../src/runtime/tokenizers/char-ngrams';
import { buildSubwordBundle, MAX_N, MIN_N, SLOTS, type SubwordBundle } from './subword-bundle';

const OPTIONS = { workers: 1, intraOpThreads: 1, executionProviders: ['cpu'], batchMaxSize: 64, batchMaxWaitMs: 1, inferenceTimeoutMs: 30000 };
const D = 16;

let b: SubwordBundle;
let runtime: ModelRuntime;

beforeAll(async () => {
  b = buildSubwordBundle();
  runtime = await ModelRuntime.start(await loadBundle(b.dir), OPTIONS);
});
afterAll(async () => {
  await runtime?.close(0);
});

/** The vector the contract gives a word: its vocabulary row, or the mean of its known n-grams' rows (null: `<unk>`). */
function wordVector(word: string): number[] | null {
  const id = b.vocab.indexOf(word);
  if (id > 1) return Array.from(b.wordTable.subarray(id * D, (id + 1) * D));
  const grams = charNgrams(word, MIN_N, MAX_N).map((g) => b.ngrams.indexOf(g)).filter((i) => i > 0).slice(0, SLOTS);
  if (grams.length === 0) return null;
  const v = new Array(D).fill(0);
  for (const g of grams) for (let j = 0; j < D; j++) v[j] += b.gramTable[g * D + j] / grams.length;
  return v;
}

/** The graph's tangent output for a window of words: masked mean + masked max of the word vectors (`<unk>` = 0). */
function expectedTangent(words: string[]): number[] {
  const vecs = words.map((w) => wordVector(w) ?? new Array(D).fill(0));
  return Array.from({ length: D }, (_, j) => vecs.reduce((s, v) => s + v[j], 0) / vecs.length + Math.max(...vecs.map((v) => v[j])));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expect(actual[j]).toBeCloseTo(expected[j], 4);
}

/** The tangent vector of a row the runtime returned (it lifts the graph's output with expMap0, curvature 1). */
const tangentOf = (row: Float32Array) => logMap0(row, 1);

test('a word read by subwords: the graph receives its n-gram ids (mean of its n-gram vectors), coverage 1', async () => {
  expect(b.vocab).not.toContain('kittens');
  const [row] = await runtime.embedTexts(['kittens']);
  const expected = expectedTangent(['kittens']);
  // Not the zero vector an `<unk>` gives: the n-grams were read.
  expect(Math.hypot(...expected)).toBeGreaterThan(0.05);
  expectClose(tangentOf(row), expected);
  expect(runtime.textCoverage(row)).toBe(1);
  expect(runtime.textWindow(row)).toMatchObject({ index: 0, count: 1, text: '<sub:kittens>' });
});

test('an unknown unsafe word is read by its n-grams: far from the origin', async () => {
  const [bloodied, zzqx] = await runtime.embedTexts(['a bloodied cat', 'a zzqx cat']);
  expectClose(tangentOf(bloodied), expectedTangent(['a', 'bloodied', 'cat']));
  expect(Math.hypot(...tangentOf(bloodied))).toBeGreaterThan(2); // the text threshold is 1.52
  // The same sentence with a word nobody can read: `<unk>` adds nothing, so it lies near the origin.
  expectClose(tangentOf(zzqx), expectedTangent(['a', 'zzqx', 'cat']));
  expect(Math.hypot(...tangentOf(zzqx))).toBeLessThan(1);
  expect(runtime.textCoverage(zzqx)).toBeCloseTo(2 / 3, 12);
});

test('texts of unreadable words have coverage 0; vocabulary texts 1; one batch, a value per text', async () => {
  const rows = await runtime.embedTexts(['zzqx vvkp wqjz', '猫猫 狗狗', 'a cat in a garden', 'a cat zzqx vvkp']);
  expect(rows.map((r) => runtime.textCoverage(r))).toEqual([0, 0, 1, 0.5]);
  expectClose(tangentOf(rows[2]), expectedTangent(['a', 'cat', 'in', 'a', 'garden']));
});

test('long prompts: window rows of several texts share one set of subword rows, each window gets its own words', async () => {
  // contextLength 32: 40 words are windows [0, 32) and [8, 40). Text A's most unsafe window is the last
  // ("bloodied" at 38), text B's the first ("bloodied" at 1); both also have subword words the other window
  // holds, and B reuses A's row for "bloodied".
  const a = new Array(40).fill('cat');
  a[2] = 'kittens';
  a[20] = 'meadows';
  a[38] = 'bloodied';
  const bWords = new Array(40).fill('garden');
  bWords[1] = 'bloodied';
  bWords[36] = 'kittenish';
  const [rowA, rowB, rowC] = await runtime.embedTexts([a.join(' '), bWords.join(' '), 'kittens meadows']);
  expect(runtime.textWindow(rowA)).toMatchObject({ index: 1, count: 2, start: 8, end: 40 });
  expectClose(tangentOf(rowA), expectedTangent(a.slice(8, 40)));
  expect(runtime.textWindow(rowB)).toMatchObject({ index: 0, count: 2, start: 0, end: 32 });
  expectClose(tangentOf(rowB), expectedTangent(bWords.slice(0, 32)));
  expectClose(tangentOf(rowC), expectedTangent(['kittens', 'meadows']));
  expect([rowA, rowB, rowC].map((r) => runtime.textCoverage(r))).toEqual([1, 1, 1]);
});

test('a bundle whose graph lacks the subword input does not start, and says why', async () => {
  const bad = buildSubwordBundle({ manifest: (m) => (m.text.tokenizer.subwords.input = 'ngram_ids') });
  await expect(ModelRuntime.start(await loadBundle(bad.dir), OPTIONS)).rejects.toThrow(/has no input "ngram_ids" \(manifest text\.tokenizer\.subwords\.input\); its inputs: input_ids, subword_ids/);
});
