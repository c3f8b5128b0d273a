/**
 * A model worker that hangs (a batch over INFERENCE_TIMEOUT_MS) is terminated and replaced: the requests
 * in flight on it fail with MODEL_UNAVAILABLE (never a hang, never an unchecked pass), later requests
 * succeed, and /readyz reflects the state.
 */
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';
import { buildSlowBundle } from './slow-bundle';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelDir: buildSlowBundle(), inferenceTimeoutMs: 1000, batchMaxSize: 256 }, {});
});
afterAll(async () => {
  await gw?.close();
});

test('a hung batch fails with MODEL_UNAVAILABLE within the timeout; the worker is replaced and serving resumes', async () => {
  const inputs = Array.from({ length: 256 }, (_, i) => ({ text: `a cat number ${i}` }));
  const t0 = Date.now();
  const slow = gql(gw, 'query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', { i: inputs });
  // While the worker is stuck, /healthz still answers at once (inference never blocks the event loop).
  const h0 = Date.now();
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  expect(Date.now() - h0).toBeLessThan(500);
  const { body } = await slow;
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(body.data).toBeNull();
  expect(body.errors![0].extensions!.code).toBe('MODEL_UNAVAILABLE');
  expect(body.errors![0].message).toMatch(/exceeded the 1000 ms inference timeout/);
  expect(await metric(gw, 'gateway_model_worker_replacements_total')).toBeGreaterThanOrEqual(1);

  // The replacement comes up; readyz goes back to 200 and a normal request is answered.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (await fetch(`${gw.url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 50));
  expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
  const ok = await gql(gw, '{ classify(input: { text: "a cat on a mat" }) { unsafe } }');
  expect(ok.body.errors).toBeUndefined();
  expect(ok.body.data!.classify.unsafe).toBe(false);
});
