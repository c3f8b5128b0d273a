/**
 * Fuzzing bad input: a generated corpus of hostile requests against a real gateway (real HTTP on loopback,
 * real ONNX sessions). Every request gets a clear 4xx or a GraphQL error with a code (odd-but-valid input
 * may also get a normal answer); none gets a 5xx or hangs; the server keeps serving; memory stays bounded;
 * and afterwards a normal request still gets the right answer.
 */
import type { Gateway } from '../../src/main';
import { gql, startTestGateway } from '../helpers/gateway';
import { buildCorpus, type HostileCase } from './corpus';

jest.setTimeout(300_000);

let gw: Gateway;
let corpus: HostileCase[];
beforeAll(async () => {
  gw = await startTestGateway();
  corpus = await buildCorpus();
});
afterAll(async () => {
  await gw?.close();
});

async function send(c: HostileCase): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}${c.path}`, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text() };
}

test('the corpus holds at least 300 hostile requests', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(300);
});

test('every hostile request gets a clear 4xx or GraphQL error, never a 5xx; the server keeps serving with bounded memory', async () => {
  const failures: string[] = [];
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  for (const c of corpus) {
    let r: { status: number; text: string };
    try {
      r = await send(c);
    } catch (e) {
      failures.push(`${c.name}: request failed (${(e as Error).message})`);
      continue;
    }
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (r.status >= 500) {
      failures.push(`${c.name}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    if (c.path === '/' || c.mayPass && r.status === 200 && !r.text.startsWith('{')) continue;
    let body: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(r.text);
    } catch {
      if (r.status >= 400 && r.status < 500 && r.text.length > 0) continue; // plain-text 4xx from Node's parser
      failures.push(`${c.name}: HTTP ${r.status} with a body that is not JSON: ${r.text.slice(0, 120)}`);
      continue;
    }
    const errors = body.errors ?? [];
    if (errors.length === 0) {
      if (!(c.mayPass && r.status === 200)) failures.push(`${c.name}: HTTP ${r.status} without an error`);
      continue;
    }
    for (const e of errors) {
      if (!e.message || !e.extensions?.code) failures.push(`${c.name}: an error without a message or code: ${JSON.stringify(e).slice(0, 200)}`);
      if (/INTERNAL_SERVER_ERROR/.test(e.extensions?.code ?? '')) failures.push(`${c.name}: INTERNAL_SERVER_ERROR: ${e.message}`);
      if (/ at .*\.(ts|js):\d+/.test(JSON.stringify(e))) failures.push(`${c.name}: a stack trace leaked`);
    }
  }
  expect(failures).toEqual([]);
  // Bounded memory: the whole corpus (including 1 MB prompts, 10,000-item lists and 2,000-frame animations)
  // must not grow this process by more than a few hundred MB.
  expect((rssPeak - rssBefore) / 2 ** 20).toBeLessThan(600);
  expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
});

test('after the corpus, a normal request still gets the right answer', async () => {
  const { body } = await gql(gw, '{ safe: classify(input: { text: "a cat on a sofa" }) { unsafe } unsafe: classify(input: { text: "a naked corpse covered in blood" }) { unsafe } }');
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ safe: { unsafe: false }, unsafe: { unsafe: true } });
});
