/**
 * No client can starve another (issue #16): while client A keeps the model busy with costly requests (many
 * texts of the longest allowed length, spaced-letter and masked-letter obfuscation that the word tokenizer
 * works hardest to undo, each request at the MAX_REQUEST_TEXT_CHARS budget), client B's one-word `classify`
 * is answered within a few model batches (the batch running, at most one queued in the pool, and the next
 * one, which must carry B's text), not behind A's backlog of about a hundred, and A's requests all complete.
 * Real parts: the default hysac-mini
 * bundle (its 36k-word vocabulary is what makes de-obfuscation costly), one ONNX worker thread (the
 * tightest case: B's text has no second worker to go to), real HTTP on loopback, two API keys.
 *
 * Before: the batcher's one FIFO queue put B behind A's whole backlog (about 20 s for six such requests on
 * two cores, measured on the issue), and a batch of 64 long hostile texts could hold the worker for seconds.
 * Now batches are formed round-robin per client and bounded by BATCH_MAX_TEXT_CHARS (batcher.ts).
 * Measured on the 2-core dev machine: A's requests take several seconds in all; B is answered in
 * about 30-150 ms (logged, not asserted: the contract is counted in batches, which no machine load changes;
 * a 1 s bound failed beside two CPU burners, issue #13).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';
import { mulberry32 } from '../helpers/prng';

const BUNDLE = path.resolve(__dirname, '../../models/hysac-mini');
const present = fs.existsSync(path.join(BUNDLE, 'manifest.json'));
if (!present) console.warn('test/faults/fair-queueing: skipped: models/hysac-mini has no manifest.json (npm run train:mini).');
const maybe = present ? describe : describe.skip;

const HEAVY = 'key-heavy-client-0123456789';
const LIGHT = 'key-light-client-0123456789';
const POLICY = `
prompts: { unsafe: REDIRECT }
images: { unsafe: BLUR }
apiKeys:
  - { name: heavy, key: ${HEAVY}, policy: default }
  - { name: light, key: ${LIGHT}, policy: default }
`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const MAX_TEXT = 2000; // MAX_TEXT_LENGTH's default
const TEXTS_PER_REQUEST = 50; // 50 x 2,000 = MAX_REQUEST_TEXT_CHARS's default 100,000
const REQUESTS = 8;

/** A distinct 2,000-character hostile text: long runs of spaced letters and masked words, seeded. */
function hostileText(seed: number): string {
  const r = mulberry32(seed);
  const letters = 'aaeeinorstkdxq';
  const pick = () => letters[Math.floor(r() * letters.length)];
  let s = '';
  while (s.length < MAX_TEXT) s += r() < 0.15 ? `${pick()}*${pick()}*${pick()} ` : `${pick()} `;
  return s.slice(0, MAX_TEXT);
}

maybe('fair queueing across clients (hysac-mini, one worker)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fair-policy-'));
    fs.writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
    gw = await startTestGateway({ modelDir: BUNDLE }, { POLICY_FILE: path.join(dir, 'policy.yaml') });
  }, 120_000);
  afterAll(() => gw?.close());

  test("B's one-word classify is answered within a few model batches while A's costly requests run; A's all complete", async () => {
    const query = 'query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { unsafe } }';
    const batchesBefore = await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' });
    let aDone = 0;
    const t0 = performance.now();
    const heavy = Array.from({ length: REQUESTS }, (_, k) =>
      gql(gw, query, { inputs: Array.from({ length: TEXTS_PER_REQUEST }, (_, i) => ({ text: hostileText(1000 * k + i) })) }, bearer(HEAVY)).then((r) => {
        aDone++;
        return r;
      }),
    );
    // Wait until A's texts are being worked on: the model has run some of A's batches.
    while ((await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })) < batchesBefore + 2) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // Text batches the model has finished, read in-process (no HTTP round trip between the count and B's request).
    const textBatches = async () => (await gw.metrics.modelBatches.get()).values.filter((v) => v.labels.modality === 'TEXT').reduce((n, v) => n + v.value, 0);
    const latencies: number[] = [];
    const batchesWaited: number[] = [];
    for (let probe = 0; probe < 3; probe++) {
      const before = await textBatches();
      const start = performance.now();
      const { body } = await gql(gw, '{ classify(input: { text: "kitten" }) { unsafe } }', undefined, bearer(LIGHT));
      latencies.push(performance.now() - start);
      batchesWaited.push((await textBatches()) - before);
      expect(body.errors).toBeUndefined();
      expect(body.data!.classify.unsafe).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A was still running when B was answered: B did not simply wait for A's backlog.
    expect(aDone).toBeLessThan(REQUESTS);
    // B's text left in one of the next batches: at most the one running, one queued in the pool and B's own,
    // plus slack for A's batches that finish while B's request is parsed and its answer read. A's backlog is
    // 8 x 50 texts in batches of at most four (BATCH_MAX_TEXT_CHARS 8,192 / 2,000 characters): behind it B would wait ~100.
    expect(Math.max(...batchesWaited)).toBeLessThanOrEqual(10);

    const results = await Promise.all(heavy);
    const aMs = performance.now() - t0;
    for (const r of results) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data!.classifyMany).toHaveLength(TEXTS_PER_REQUEST);
    }
    // What the test measured, for the record (the assertion above is the contract).
    console.info(`fair-queueing: A ${REQUESTS} x ${TEXTS_PER_REQUEST} texts in ${Math.round(aMs)} ms; B answered in ${latencies.map((l) => Math.round(l)).join(', ')} ms, after ${batchesWaited.join(', ')} text batches`);
  }, 120_000);
});
