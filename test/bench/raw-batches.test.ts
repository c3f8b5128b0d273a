/**
 * The raw ONNX Runtime baseline's batches (test/bench/raw-batches.ts) on a two-input text graph
 * (test/runtime/subword-bundle.ts) and on the one-input fixture, run through real ONNX Runtime sessions: a
 * batch must give every prompt the embedding that prompt gets alone, so a subword row fed with the wrong
 * batch, a wrong row index or a lost window shows as a wrong embedding.
 */
import * as fs from 'node:fs';
import { loadBundle, type Bundle } from '../../src/runtime/bundle';
import { createSession, runSession, type OrtSession } from '../../src/runtime/ort';
import { FIXTURE_BUNDLE } from '../helpers/gateway';
import { buildSubwordBundle } from '../runtime/subword-bundle';
import { firstWindows, rawBatches, rawFeeds, subwordStats, type RawBatch } from './raw-batches';

let sub: Bundle;
let subDir: string;
let subSession: OrtSession;
let fixture: Bundle;
let fixtureSession: OrtSession;

beforeAll(async () => {
  subDir = buildSubwordBundle().dir;
  sub = await loadBundle(subDir);
  subSession = await createSession(`${subDir}/${sub.manifest.text.model}`, { intraOpThreads: 1 });
  fixture = await loadBundle(FIXTURE_BUNDLE);
  fixtureSession = await createSession(`${FIXTURE_BUNDLE}/${fixture.manifest.text.model}`, { intraOpThreads: 1 });
});
afterAll(async () => {
  await subSession?.release();
  await fixtureSession?.release();
  fs.rmSync(subDir, { recursive: true, force: true });
});

const subwordInputOf = (b: Bundle): string | null => (b.manifest.text.tokenizer.type === 'word' ? (b.manifest.text.tokenizer.subwords?.input ?? null) : null);

/** The graph's output rows for one batch, fed as the raw worker feeds it. */
async function run(b: Bundle, session: OrtSession, batch: RawBatch): Promise<number[][]> {
  const t = b.manifest.text;
  const out = (await runSession(session, rawFeeds(batch, { inputName: t.input, subwordInput: subwordInputOf(b), dtype: t.inputType }), [t.output]))[t.output];
  const d = out.dims[1];
  return Array.from({ length: out.dims[0] }, (_, r) => Array.from(out.data.subarray(r * d, (r + 1) * d)));
}

async function alone(b: Bundle, session: OrtSession, prompt: string): Promise<number[]> {
  const [only] = rawBatches(b.tokenizer, [prompt], 1, { trim: b.manifest.text.trimPadding === true }).batches;
  return (await run(b, session, only))[0];
}

function expectRowsClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 4));
}

// Unknown to the vocabulary; "kittens" and "bloodied" are read by their n-grams, "meadows" too.
const PROMPTS = ['kittens in the snow', 'a bloodied knife', 'meadows and kittens', 'a house', 'bloodied meadows at night', 'a cat'];

test('a two-input bundle: each batch carries its own subword rows, and every prompt gets the embedding it gets alone', async () => {
  const V = fs.readFileSync(`${subDir}/vocab.txt`, 'utf8').trimEnd().split('\n').length;
  const { batches, multiWindow } = rawBatches(sub.tokenizer, PROMPTS, 2, { trim: true });
  expect(multiWindow).toBe(0);
  expect(batches).toHaveLength(3);
  // Batch 0 = "kittens in the snow", "a bloodied knife": two subword-read words, rows 0 and 1 of this batch.
  expect(batches[0].subwords!.rows).toBe(2);
  expect(Array.from(batches[0].ids).filter((id) => id >= V).sort()).toEqual([V, V + 1]);
  // Batch 1 = "meadows and kittens", "a house": its own rows (2 words), not the list's.
  expect(batches[1].subwords!.rows).toBe(2);
  // Batch 2 = "bloodied meadows at night", "a cat".
  expect(batches[2].subwords!.rows).toBe(2);
  for (let b = 0; b < batches.length; b++) {
    const rows = await run(sub, subSession, batches[b]);
    for (let i = 0; i < 2; i++) expectRowsClose(rows[i], await alone(sub, subSession, PROMPTS[2 * b + i]));
  }
  // The subword-read words matter: "kittens" alone is not the zero vector `<unk>` would give.
  expect(Math.hypot(...(await alone(sub, subSession, 'kittens')))).toBeGreaterThan(0.05);
});

test('a batch with no subword-read word still feeds one all-zero subword row (U >= 1)', () => {
  const { batches } = rawBatches(sub.tokenizer, ['a house', 'a cat'], 2, { trim: true });
  expect(batches[0].subwords!.rows).toBe(1);
  expect(Array.from(batches[0].subwords!.ids).every((v) => v === 0)).toBe(true);
});

test('batches wrap round the prompt list and are at most maxBatches', () => {
  const { batches } = rawBatches(fixture.tokenizer, ['a cat', 'a dog', 'a house'], 2, { trim: false, maxBatches: 64 });
  expect(batches).toHaveLength(1); // floor(3 / 2)
  const many = rawBatches(fixture.tokenizer, Array.from({ length: 100 }, (_, i) => `prompt ${i}`), 1, { trim: false, maxBatches: 5 });
  expect(many.batches).toHaveLength(5);
  const wrapped = rawBatches(fixture.tokenizer, ['a cat'], 3, { trim: false });
  expect(Array.from(wrapped.batches[0].ids)).toEqual(Array.from(fixture.tokenizer.encodeBatch(['a cat', 'a cat', 'a cat'])));
});

test('a one-input bundle: no subword rows, rows are the first windows the gateway reads, trimmed to the longest row', async () => {
  const prompts = ['a cat on a sofa', 'a dog'];
  const { batches } = rawBatches(fixture.tokenizer, prompts, 2, { trim: true });
  expect(batches[0].subwords).toBeNull();
  const ctx = fixture.tokenizer.contextLength;
  const full = fixture.tokenizer.encodeBatch(prompts);
  expect(batches[0].width).toBeLessThan(ctx);
  for (let r = 0; r < 2; r++) expect(Array.from(batches[0].ids.subarray(r * batches[0].width, (r + 1) * batches[0].width))).toEqual(Array.from(full.subarray(r * ctx, r * ctx + batches[0].width)));
  // The fixture's graph takes full rows (no text.trimPadding), as the gateway feeds it.
  expect(fixture.manifest.text.trimPadding).not.toBe(true);
  const untrimmed = rawBatches(fixture.tokenizer, prompts, 2, { trim: false }).batches[0];
  expect(untrimmed.width).toBe(ctx);
  const rows = await run(fixture, fixtureSession, untrimmed);
  expectRowsClose(rows[1], await alone(fixture, fixtureSession, 'a dog'));
  expect(rows[0]).not.toEqual(rows[1]);
  // A one-input graph fed as two-input is refused with the reason, not run.
  expect(() => rawFeeds(batches[0], { inputName: 'input_ids', subwordInput: 'subword_ids', dtype: 'int64' })).toThrow(/no subword rows/);
});

test('a prompt longer than one window: its first window is run, and the next prompt keeps its own row', () => {
  const ctx = fixture.tokenizer.contextLength;
  const long = Array.from({ length: ctx + 10 }, (_, i) => (i % 2 ? 'cat' : 'dog')).join(' ');
  const encoded = fixture.tokenizer.encodeWindows([long, 'a house']);
  expect(encoded.counts[0]).toBeGreaterThan(1);
  const first = firstWindows(encoded, ctx);
  expect(first).toHaveLength(2 * ctx);
  expect(Array.from(first.subarray(0, ctx))).toEqual(Array.from(fixture.tokenizer.encode(long)));
  expect(Array.from(first.subarray(ctx))).toEqual(Array.from(fixture.tokenizer.encode('a house')));
  const { multiWindow } = rawBatches(fixture.tokenizer, [long, 'a house'], 2, { trim: false });
  expect(multiWindow).toBe(1);
});

test('subwordStats counts distinct subword-read words over the whole list (0 without a subword model)', () => {
  expect(subwordStats(sub.tokenizer, PROMPTS).distinctSubwordRows).toBe(3); // kittens, bloodied, meadows
  expect(subwordStats(sub.tokenizer, ['a house', 'a cat']).distinctSubwordRows).toBe(0);
  expect(subwordStats(fixture.tokenizer, PROMPTS).distinctSubwordRows).toBe(0);
});

test('bad arguments are refused with what is allowed', () => {
  expect(() => rawBatches(fixture.tokenizer, [], 1, { trim: false })).toThrow(/no prompts/);
  expect(() => rawBatches(fixture.tokenizer, ['a'], 0, { trim: false })).toThrow(/integer >= 1, got 0/);
});
