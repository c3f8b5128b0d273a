/**
 * Memory under slow bodies: MAX_BUFFERED_BYTES caps request bytes buffered across every request in flight,
 * and each route has its own body limit (images only where images go). Reproduces, at a small scale, issue
 * #16's 40 connections x 15 MB of a declared 16 MB body that held 600 MB: real gateway, real sockets.
 */
import * as net from 'node:net';
import { resolveConfig } from '../../src/config';
import { gql } from '../helpers/gateway';
import { auth, KEYS, SAFE, startPipeline, type Pipeline } from '../helpers/pipeline';
import { exchange, request } from '../fuzz/raw-http';

const KiB = 1024;
const CAP = 1024 * KiB; // MAX_BUFFERED_BYTES
const BODY = 256 * KiB; // MAX_BODY_BYTES (/graphql)
const DROP_IN = 64 * KiB; // MAX_DROP_IN_BODY_BYTES

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('a1111', { MAX_BUFFERED_BYTES: String(CAP), MAX_BODY_BYTES: String(BODY), MAX_DROP_IN_BODY_BYTES: String(DROP_IN) });
});
afterAll(async () => {
  await p?.close();
});

async function buffered(): Promise<number> {
  const text = await (await fetch(`${p.gw.url}/metrics`)).text();
  return Number(/^gateway_http_buffered_request_bytes (\d+)/m.exec(text)?.[1]);
}

async function waitBuffered(pred: (n: number) => boolean): Promise<number> {
  let n = NaN;
  for (let i = 0; i < 100; i++) {
    n = await buffered();
    if (pred(n)) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`buffered bytes never reached the expected value (last ${n})`);
}

/** A socket that declares `declared` bytes of a /graphql body, sends `sent`, and then stalls. */
function slowBody(declared: number, sent: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(p.gw.port, '127.0.0.1', () => {
      s.write(request('POST', '/graphql', { 'content-type': 'application/json', 'content-length': declared, ...auth('flag') }));
      s.write(Buffer.alloc(sent, 0x20), () => resolve(s));
    });
    s.on('error', () => {});
  });
}

/** A valid classify query padded (with an unused variable) to `size` bytes. */
function paddedQuery(size: number, text = 'a naked corpse covered in blood'): string {
  const base = JSON.stringify({ query: `{ classify(input: { text: ${JSON.stringify(text)} }) { unsafe } }`, variables: { pad: '' } });
  return base.replace('"pad":""', `"pad":"${'p'.repeat(size - base.length)}"`);
}

test('slow bodies hold at most MAX_BUFFERED_BYTES; beyond it 503 OVERLOADED + Retry-After and a closed connection; small queries still pass; the bytes come back when the sockets close', async () => {
  // Five connections each send 200 KiB of a declared 210 KiB body and stall: 1000 KiB of the 1024 KiB cap.
  const held = await Promise.all(Array.from({ length: 5 }, () => slowBody(210 * KiB, 200 * KiB)));
  try {
    expect(await waitBuffered((n) => n >= 1000 * KiB)).toBe(1000 * KiB);

    // The next request whose declared body no longer fits is refused before any of it is read.
    const over = await exchange(p.gw.port, request('POST', '/graphql', { 'content-type': 'application/json', ...auth('flag') }, paddedQuery(240 * KiB)), { expect: 1 });
    expect(over.responses).toHaveLength(1);
    const r = over.responses[0];
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.headers.connection).toBe('close');
    expect(r.json().errors[0].extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 2 });
    expect(r.json().errors[0].message).toMatch(/buffering its limit of 1048576 request bytes .*\(MAX_BUFFERED_BYTES\); allowed: retry after 2 s/);

    // A chunked body declares nothing: it is refused mid-body, when its bytes would pass the cap.
    const chunk = Buffer.alloc(32 * KiB, 0x20);
    const chunked = await exchange(
      p.gw.port,
      [request('POST', '/graphql', { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...auth('flag') }), ...Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))],
      { expect: 1, gapMs: 5 },
    );
    expect(chunked.responses.map((x) => x.status)).toEqual([503]);
    expect(chunked.responses[0].json().errors[0].extensions.code).toBe('OVERLOADED');

    // A drop-in route refuses in its peer's shape (A1111: detail + code).
    const dropIn = await exchange(p.gw.port, request('POST', '/sdapi/v1/txt2img', { 'content-type': 'application/json', 'content-length': 60 * KiB, ...auth('flag') }), { expect: 1 });
    expect(dropIn.responses[0].status).toBe(503);
    expect(dropIn.responses[0].headers['retry-after']).toBe('2');
    expect(dropIn.responses[0].json()).toMatchObject({ code: 'OVERLOADED', detail: expect.stringMatching(/MAX_BUFFERED_BYTES/) });

    // The refused requests left nothing charged, and a normal query still gets its answer.
    expect(await buffered()).toBe(1000 * KiB);
    const { status, body } = await gql(p.gw, '{ classify(input: { text: "a naked corpse covered in blood" }) { unsafe } }', undefined, auth('flag'));
    expect(status).toBe(200);
    expect(body.data).toEqual({ classify: { unsafe: true } });
  } finally {
    for (const s of held) s.destroy();
  }

  // The stalled clients left: their bytes are released, and the request refused before now succeeds.
  expect(await waitBuffered((n) => n === 0)).toBe(0);
  const res = await fetch(`${p.gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('flag') }, body: paddedQuery(240 * KiB) });
  expect(res.status).toBe(200);
  expect(await res.json() as any).toEqual({ data: { classify: { unsafe: true } } });
  expect(await buffered()).toBe(0);
});

test('a client that aborts mid-body releases its bytes at once', async () => {
  const s = await slowBody(200 * KiB, 150 * KiB);
  expect(await waitBuffered((n) => n === 150 * KiB)).toBe(150 * KiB);
  s.destroy();
  expect(await waitBuffered((n) => n === 0)).toBe(0);
});

describe('per-route body limits: images only where images go', () => {
  const big = (n: number) => JSON.stringify({ prompt: SAFE, negative_prompt: 'n'.repeat(n) });

  test('/graphql takes bodies up to MAX_BODY_BYTES (base64 images); 413 PAYLOAD_TOO_LARGE beyond', async () => {
    const ok = await fetch(`${p.gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('flag') }, body: paddedQuery(200 * KiB, 'a cat on a sofa') });
    expect(ok.status).toBe(200);
    expect(await ok.json() as any).toEqual({ data: { classify: { unsafe: false } } });
    const tooBig = await fetch(`${p.gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('flag') }, body: paddedQuery(BODY + 1) });
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json() as any).errors[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' }, message: expect.stringMatching(/allowed: at most 262144 \(MAX_BODY_BYTES\)/) });
  });

  test('the drop-in JSON routes refuse bodies over MAX_DROP_IN_BODY_BYTES with 413 in their own error shape', async () => {
    const body = big(DROP_IN);
    const headers = { 'content-type': 'application/json', ...auth('flag') };
    const a1111 = await fetch(`${p.gw.url}/sdapi/v1/txt2img`, { method: 'POST', headers, body });
    expect(a1111.status).toBe(413);
    expect(await a1111.json() as any).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', detail: expect.stringMatching(/allowed: at most 65536 \(MAX_DROP_IN_BODY_BYTES: a JSON prompt or workflow, no images\)/) });
    const openai = await fetch(`${p.gw.url}/v1/images/generations`, { method: 'POST', headers, body });
    expect(openai.status).toBe(413);
    expect((await openai.json() as any).error).toMatchObject({ gateway_code: 'PAYLOAD_TOO_LARGE', type: 'invalid_request_error' });
    const comfy = await fetch(`${p.gw.url}/prompt`, { method: 'POST', headers, body });
    expect(comfy.status).toBe(413);
    expect((await comfy.json() as any).error.extra_info.code).toBe('PAYLOAD_TOO_LARGE');
    // Under the limit the same route works: the prompt is screened and generated.
    const ok = await fetch(`${p.gw.url}/sdapi/v1/txt2img`, { method: 'POST', headers, body: JSON.stringify({ prompt: SAFE, width: 64, height: 64, steps: 5 }) });
    expect(ok.status).toBe(200);
    expect((await ok.json() as any).images).toHaveLength(1);
    expect(await buffered()).toBe(0);
  });

  test('a body over the route limit is refused from its Content-Length, before 100 Continue invites it', async () => {
    const x = await exchange(p.gw.port, request('POST', '/prompt', { 'content-type': 'application/json', 'content-length': DROP_IN + 1, expect: '100-continue', authorization: `Bearer ${KEYS.flag}` }), { expect: 1 });
    expect(x.interim).toEqual([]);
    expect(x.responses[0].status).toBe(413);
  });
});

describe('configuration', () => {
  test('MAX_BUFFERED_BYTES and MAX_DROP_IN_BODY_BYTES default to 64 MiB and 2 MiB', () => {
    const c = resolveConfig({});
    expect(c.maxBufferedBytes).toBe(64 * 1024 * 1024);
    expect(c.maxDropInBodyBytes).toBe(2 * 1024 * 1024);
  });

  test('a cap below one largest body is refused at start-up, naming both settings', () => {
    expect(() => resolveConfig({ MAX_BUFFERED_BYTES: '1048576' })).toThrow(/MAX_BUFFERED_BYTES=1048576 is below MAX_BODY_BYTES=16777216; allowed: at least MAX_BODY_BYTES/);
    expect(() => resolveConfig({ MAX_BUFFERED_BYTES: 'lots' })).toThrow(/MAX_BUFFERED_BYTES="lots" is not a whole number/);
    expect(() => resolveConfig({ MAX_DROP_IN_BODY_BYTES: '10' })).toThrow(/MAX_DROP_IN_BODY_BYTES=10 is out of range; allowed: 1024 to/);
  });
});
