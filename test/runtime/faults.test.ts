/** Model workers fail closed: a crashed worker is replaced; a stopped runtime answers MODEL_UNAVAILABLE. */
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

test('a crashed worker is replaced and later requests succeed', async () => {
  const pool = gw.services.runtime.pool;
  pool.crashWorker(0);
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && (await metric(gw, 'gateway_model_worker_replacements_total')) < 1) await new Promise((r) => setTimeout(r, 20));
  expect(await metric(gw, 'gateway_model_worker_replacements_total')).toBe(1);
  while (Date.now() < deadline && pool.liveWorkers() < 1) await new Promise((r) => setTimeout(r, 20));
  const { body } = await gql(gw, '{ classify(input: { text: "a cat on a mat" }) { unsafe } }');
  expect(body.errors).toBeUndefined();
  expect(body.data!.classify.unsafe).toBe(false);
  expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
});

test('when no model can run, requests fail with MODEL_UNAVAILABLE (never a verdict) and readyz is 503', async () => {
  await gw.services.runtime.pool.close(0);
  const { body } = await gql(gw, '{ classify(input: { text: "a cat on a mat" }) { unsafe } }');
  expect(body.data).toBeNull();
  expect(body.errors![0].extensions!.code).toBe('MODEL_UNAVAILABLE');
  expect(body.errors![0].message).toMatch(/inference failed/);
  expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
});
