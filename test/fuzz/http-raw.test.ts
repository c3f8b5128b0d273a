/**
 * Raw-HTTP fuzzing: hostile bytes on a socket (node:net) to a real gateway on loopback (real ONNX sessions,
 * a policy with API keys and a test diffusion backend, so the drop-in endpoints are live). Over 10,000
 * requests from a seeded generator (raw-corpus.ts): request lines, targets, methods, headers, framing,
 * encodings, truncation and pipelining, on every route. Nothing a request contains may end the process or
 * be answered with a 5xx; every byte the server sends parses as HTTP; every refusal carries a stable code;
 * and afterwards the gateway still serves a real query correctly.
 *
 * The two reproductions of issue #16 come first, by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURE_BUNDLE, gql } from '../helpers/gateway';
import { auth, KEYS, startPipeline, type Pipeline } from '../helpers/pipeline';
import { buildRawCorpus, HOSTILE_TARGETS, ROUTES, type RawCase } from './raw-corpus';
import { exchange, request, type Exchange, type RawResponse } from './raw-http';

jest.setTimeout(300_000);

// Limits low enough that the fuzz reaches them: 413 on both kinds of route, and 503 when the corpus's
// larger bodies meet in flight.
const LIMITS = { MAX_BODY_BYTES: String(256 * 1024), MAX_DROP_IN_BODY_BYTES: String(64 * 1024), MAX_BUFFERED_BYTES: String(512 * 1024) };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('a1111', LIMITS);
});
afterAll(async () => {
  await p?.close();
});

/** The stable code of an error answer, in whichever shape the route speaks (GraphQL, A1111, OpenAI, ComfyUI). */
function codeOf(r: RawResponse): string | null {
  let j: any;
  try {
    j = r.json();
  } catch {
    return null;
  }
  return j?.errors?.[0]?.extensions?.code ?? j?.error?.gateway_code ?? j?.error?.extra_info?.code ?? (typeof j?.code === 'string' ? j.code : null);
}

async function classifyStillRight(): Promise<void> {
  const { status, body } = await gql(p.gw, '{ safe: classify(input: { text: "a cat on a sofa" }) { unsafe } unsafe: classify(input: { text: "a naked corpse covered in blood" }) { unsafe } }', undefined, auth('flag'));
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ safe: { unsafe: false }, unsafe: { unsafe: true } });
}

describe('issue #16 reproductions', () => {
  test('GET //[ (curl -g --path-as-is "http://host//[") no longer ends the process: a separate gateway answers 400 BAD_REQUEST and keeps serving', async () => {
    // Its own process: an uncaught exception ends that process, which this test would see as exit.
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-cache-'));
    const cli = path.resolve(__dirname, '../../src/cli.ts');
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0', '--bundle', FIXTURE_BUNDLE], {
      env: { ...process.env, CACHE_DIR: cacheDir, MODEL_WORKERS: '1', RATE_LIMIT_PER_SECOND: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let exited: number | null | undefined;
    const exit = new Promise<void>((resolve) => child.on('exit', (code) => ((exited = code), resolve())));
    try {
      let log = '';
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no listening line in time: ${log}`)), 60_000);
        child.stderr!.on('data', (d: Buffer) => {
          log += d.toString();
          const m = /"url":"(http:[^"]+)\/graphql"/.exec(log);
          if (m) {
            clearTimeout(t);
            resolve(m[1]);
          }
        });
      });
      const port = Number(new URL(url).port);
      const x = await exchange(port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', { expect: 1 });
      expect(x.responses.map((r) => r.status)).toEqual([400]);
      expect(codeOf(x.responses[0])).toBe('BAD_REQUEST');
      expect(x.responses[0].json().errors[0].message).toMatch(/allowed: an absolute path/);
      await new Promise((r) => setTimeout(r, 200));
      expect(exited).toBeUndefined();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ classify(input: { text: "a naked corpse covered in blood" }) { unsafe } }' }) });
      expect(await res.json()).toEqual({ data: { classify: { unsafe: true } } });
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  });

  test('GET /history/%E0%A4%A is 400 BAD_REQUEST before authentication, never a 500', async () => {
    // Malformed escapes: not a valid request target at all.
    for (const target of ['/history/%E0%A4%A', '/history/%', '/history/%ZZ']) {
      const x = await exchange(p.gw.port, request('GET', target, { connection: 'close' }), { expect: 1 });
      expect(x.responses.map((r) => r.status)).toEqual([400]);
      const body = x.responses[0].json();
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0].message).toMatch(/is not a valid request target; allowed: .*%XX escapes/);
    }
    // Well-formed escapes that are not UTF-8 (decodeURIComponent throws): ComfyUI's error shape.
    for (const target of ['/history/%ED%A0%80', '/history/%C0%AF', '/history/%E0%A4%41']) {
      const x = await exchange(p.gw.port, request('GET', target, { connection: 'close' }), { expect: 1 });
      expect(x.responses.map((r) => r.status)).toEqual([400]);
      const body = x.responses[0].json();
      expect(body.error.extra_info.code).toBe('BAD_REQUEST');
      expect(body.error.message).toMatch(/percent-escapes are not UTF-8; allowed: \/history\/\{prompt_id\}/);
    }
    // A well-formed id is still routed: authentication first (401), and a known key gets ComfyUI's {} for an unknown id.
    const noKey = await exchange(p.gw.port, request('GET', '/history/%41bc', { connection: 'close' }), { expect: 1 });
    expect(noKey.responses[0].status).toBe(401);
    const withKey = await exchange(p.gw.port, request('GET', '/history/%41bc', { connection: 'close', authorization: `Bearer ${KEYS.flag}` }), { expect: 1 });
    expect(withKey.responses[0].status).toBe(200);
    expect(withKey.responses[0].json()).toEqual({});
  });
});

test('every hostile target is answered below 500 (400 for the unparseable ones), on every route', async () => {
  const failures: string[] = [];
  for (const target of [...HOSTILE_TARGETS, ...ROUTES.map((r) => `http://evil.example${r}`)]) {
    for (const method of ['GET', 'POST', 'HEAD']) {
      const x = await exchange(p.gw.port, request(method, target, { connection: 'close', ...auth('flag') }, method === 'POST' ? '{}' : ''), { expect: 1, methods: [method] });
      const statuses = x.responses.map((r) => r.status);
      if (statuses.length !== 1 || statuses[0] >= 500) failures.push(`${method} ${target.slice(0, 60)}: ${JSON.stringify(statuses)}`);
    }
  }
  expect(failures).toEqual([]);
  // The unparseable ones say what is allowed; absolute-form keeps its path and drops its host.
  const bad = await exchange(p.gw.port, request('GET', '*', { connection: 'close' }), { expect: 1 });
  expect(bad.responses[0].status).toBe(400);
  expect(bad.responses[0].json().errors[0].extensions.code).toBe('BAD_REQUEST');
  const absolute = await exchange(p.gw.port, request('GET', 'http://evil.example/healthz', { connection: 'close' }), { expect: 1 });
  expect(absolute.responses[0].json()).toEqual({ status: 'ok' });
  // `//host/graphql` is a path (origin-form), not a host: not found, never routed to /graphql.
  const doubled = await exchange(p.gw.port, request('POST', '//evil.example/graphql', { connection: 'close', 'content-type': 'application/json' }, '{"query":"{ __typename }"}'), { expect: 1 });
  expect(doubled.responses[0].status).toBe(404);
});

/** Sends every case with bounded concurrency; returns what each got. */
async function run(cases: RawCase[], concurrency: number): Promise<{ c: RawCase; x: Exchange }[]> {
  const out: { c: RawCase; x: Exchange }[] = new Array(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i];
        out[i] = { c, x: await exchange(p.gw.port, c.parts, { expect: c.requests, methods: c.methods, idleMs: c.mayHang ? 150 : 8_000, deadlineMs: 20_000, gapMs: c.gapMs }) };
      }
    }),
  );
  return out;
}

test('seeded raw-HTTP fuzz: over 10,000 hostile requests, no 5xx but 503 OVERLOADED, no unparseable answer, no hang, every refusal coded; the gateway still serves', async () => {
  const cases = buildRawCorpus(20261201, { line: 2200, headers: 2200, bodies: 2000, targets: 1600, pipelined: 450, truncated: 400, large: 400 });
  const requests = cases.reduce((n, c) => n + c.requests, 0);
  expect(requests).toBeGreaterThanOrEqual(10_000);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const results = await run(cases, 24);
  const seconds = (performance.now() - t0) / 1000;
  const rssAfter = process.memoryUsage().rss;

  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let answered = 0;
  for (const { c, x } of results) {
    if (x.garbage.length > 0) failures.push(`${c.name}: bytes that are not an HTTP response: ${JSON.stringify(x.garbage.subarray(0, 120).toString('latin1'))}`);
    if (x.timedOut && !c.mayHang && x.responses.length < c.requests) failures.push(`${c.name}: no answer (hang) after ${x.responses.length} of ${c.requests}`);
    for (const [i, r] of x.responses.entries()) {
      answered++;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      // The one deliberate 5xx: 503 OVERLOADED, when bodies in flight reach MAX_BUFFERED_BYTES.
      if (r.status >= 500 && !(r.status === 503 && codeOf(r) === 'OVERLOADED' && r.headers['retry-after'] === '2')) failures.push(`${c.name}: HTTP ${r.status} ${r.body.subarray(0, 200).toString()}`);
      if (r.status >= 400 && c.methods[i]?.toUpperCase() !== 'HEAD' && r.body.length > 0 && !(r.status === 404 && r.headers['content-type']?.startsWith('text/plain')) && codeOf(r) === null) {
        failures.push(`${c.name}: HTTP ${r.status} without a stable code: ${r.body.subarray(0, 160).toString()}`);
      }
      if (/ at .*\.(ts|js):\d+/.test(r.body.toString())) failures.push(`${c.name}: a stack trace leaked`);
    }
  }
  // The figures, for the record (the README cites them).
  console.log(`raw fuzz: ${requests} requests in ${cases.length} connections, ${answered} answers, ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; test-process RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`);
  expect(failures.slice(0, 30)).toEqual([]);
  // Most requests were answered (the rest were truncated on purpose or followed a framing error).
  expect(answered).toBeGreaterThan(requests * 0.6);

  expect((await fetch(`${p.gw.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${p.gw.url}/readyz`)).status).toBe(200);
  await classifyStillRight();
  // Every body was released: nothing is left charged against MAX_BUFFERED_BYTES once the sockets are gone.
  await expectBufferedBytes(0);
});

async function expectBufferedBytes(n: number): Promise<void> {
  let last = NaN;
  for (let i = 0; i < 50; i++) {
    const text = await (await fetch(`${p.gw.url}/metrics`)).text();
    last = Number(/^gateway_http_buffered_request_bytes (\d+)/m.exec(text)?.[1]);
    if (last === n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(n);
}
