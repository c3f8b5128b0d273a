/**
 * The cross-request batcher's fairness and batch cost bound, on a real runtime (fixture bundle, one ONNX
 * worker thread): one client's backlog does not hold back another client's text, a batch stays within
 * BATCH_MAX_TEXT_CHARS, and the round-robin hands every text its own row.
 */
import { loadBundle } from '../../src/runtime/bundle';
import { ModelRuntime, type RuntimeOptions } from '../../src/runtime/model-runtime';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

const WORDS = ['cat', 'dog', 'tree', 'river', 'house', 'mountain', 'boat', 'sky', 'flower', 'bird', 'car', 'snow'];
const text = (i: number): string => `a ${WORDS[i % WORDS.length]} and a ${WORDS[(i * 7 + 3) % WORDS.length]} number ${i}`;

const batches: { items: number }[] = [];
let runtime: ModelRuntime;
async function start(options: Partial<RuntimeOptions> = {}): Promise<ModelRuntime> {
  const bundle = await loadBundle(FIXTURE_BUNDLE);
  return ModelRuntime.start(bundle, {
    workers: 1,
    intraOpThreads: 1,
    executionProviders: ['cpu'],
    batchMaxSize: 8,
    batchMaxWaitMs: 5,
    inferenceTimeoutMs: 30_000,
    onBatch: (tower, items) => {
      if (tower === 'text') batches.push({ items });
    },
    ...options,
  });
}

afterEach(async () => {
  await runtime?.close(0);
  batches.length = 0;
});

test("a client's backlog does not delay another client's text: it leaves in one of the next batches", async () => {
  runtime = await start();
  batches.length = 0; // warm-up runs
  const backlog = Array.from({ length: 400 }, (_, i) => text(i));
  let aDone = false;
  const a = runtime.embedTexts(backlog, 'key:a').then((rows) => ((aDone = true), rows));
  // Once A's first batch is running (the only worker busy), B arrives with one text.
  while (batches.length < 1) await new Promise((r) => setImmediate(r));
  const before = batches.length;
  const [bRow] = await runtime.embedTexts(['a cat on a mat'], 'key:b');
  const after = batches.length;
  // B waits for at most the batch running when it came, one batch queued in the pool ahead of it, and its own.
  expect(after - before).toBeLessThanOrEqual(3);
  expect(aDone).toBe(false); // A's backlog (50 batches of 8) was still there: B did not wait for it
  const aRows = await a;
  expect(aRows).toHaveLength(400);
  expect(batches.reduce((n, b) => n + b.items, 0)).toBe(401);
  // Every text got its own row: the round-robin does not mix outputs up.
  const [alone] = await runtime.embedTexts(['a cat on a mat']);
  expect(Array.from(bRow)).toEqual(Array.from(alone));
  const again = await runtime.embedTexts([backlog[123], backlog[0], backlog[399]]);
  expect([aRows[123], aRows[0], aRows[399]].map((r) => Array.from(r))).toEqual(again.map((r) => Array.from(r)));
});

test('clients take turns: with backlogs from three clients, each batch carries items of every client', async () => {
  runtime = await start({ batchMaxSize: 6 });
  const order: string[] = [];
  // Hold the worker with a first batch so that the three backlogs queue up together behind it.
  const first = runtime.embedTexts(Array.from({ length: 6 }, (_, i) => text(i)), 'key:first');
  while (runtime.pool.idleWorkers() > 0) await new Promise((r) => setImmediate(r));
  const clients = ['key:a', 'key:b', 'key:c'];
  const sizes = [60, 6, 3];
  const done = clients.map((c, k) =>
    runtime.embedTexts(Array.from({ length: sizes[k] }, (_, i) => text(100 * k + i)), c).then(() => order.push(c)),
  );
  await Promise.all([first, ...done]);
  // 6-item batches in turns a b c a b c ...: c's 3 items leave in the first batch after `first` (or the
  // one after, if a batch was already queued), b's 6 within the first three; a's 60 last.
  expect(order).toEqual(['key:c', 'key:b', 'key:a']);
});

test('a batch stays within BATCH_MAX_TEXT_CHARS; a text longer than that runs alone', async () => {
  runtime = await start({ batchMaxSize: 64, batchMaxTextChars: 2500 });
  batches.length = 0;
  const long = (i: number): string => `${text(i)} `.repeat(40).slice(0, 1000); // 1,000 characters
  const texts = Array.from({ length: 10 }, (_, i) => long(i));
  const huge = `${text(99)} `.repeat(200).slice(0, 5000);
  const rows = await runtime.embedTexts([...texts, huge], 'key:a');
  expect(rows).toHaveLength(11);
  // 1,000-character texts: at most 2 fit in 2,500 characters; the 5,000-character one alone.
  expect(Math.max(...batches.map((b) => b.items))).toBeLessThanOrEqual(2);
  expect(batches.length).toBeGreaterThanOrEqual(6);
  expect(batches.reduce((n, b) => n + b.items, 0)).toBe(11);
});

test('under the default cost bound, ordinary short texts still fill batches of BATCH_MAX_SIZE', async () => {
  runtime = await start({ batchMaxSize: 16, batchMaxTextChars: 8192 });
  batches.length = 0;
  await runtime.embedTexts(Array.from({ length: 64 }, (_, i) => text(i)), 'key:a');
  expect(batches.map((b) => b.items)).toEqual([16, 16, 16, 16]);
});

test("the text and image batchers share the pool: a text backlog does not keep an image out", async () => {
  runtime = await start();
  const size = runtime.bundle.manifest.image.preprocess.size;
  let textDone = false;
  const texts = runtime.embedTexts(Array.from({ length: 400 }, (_, i) => text(i)), 'key:a').then(() => (textDone = true));
  while (batches.length < 2) await new Promise((r) => setImmediate(r));
  const [row] = await runtime.embedImageTensors([new Float32Array(3 * size * size)], 'key:b');
  expect(row).toHaveLength(runtime.dim);
  expect(textDone).toBe(false);
  await texts;
});

test('a batch that fails before it reaches a worker rejects its callers, and the batcher keeps serving', async () => {
  runtime = await start();
  const size = runtime.bundle.manifest.image.preprocess.size;
  // A tensor bigger than the model's input cannot be packed into the batch: the run throws at once.
  await expect(runtime.embedImageTensors([new Float32Array(3 * (size + 8) * (size + 8))], 'key:a')).rejects.toThrow(/out of bounds/);
  const [row] = await runtime.embedImageTensors([new Float32Array(3 * size * size)], 'key:a');
  expect(row).toHaveLength(runtime.dim);
});
