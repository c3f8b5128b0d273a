/**
 * The HTTP layer's error boundary, one behaviour at a time over raw sockets to a real gateway: what llhttp
 * refuses is answered in the gateway's JSON error shape with a stable code (never Node's bare 400), framing
 * tricks (request smuggling forms) close the connection without answering the smuggled request, an answer to
 * a broken pipelined request never jumps ahead of answers still owed, and the headers the gateway reads
 * (Host, Expect, X-Request-Id) cannot produce a 5xx.
 */
import { auth, KEYS, startPipeline, type Pipeline } from '../helpers/pipeline';
import { exchange, request, type RawResponse } from '../fuzz/raw-http';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('a1111');
});
afterAll(async () => {
  await p?.close();
});

const CLASSIFY = JSON.stringify({ query: '{ classify(input: { text: "a naked corpse covered in blood" }) { unsafe } }' });
const gqlHeaders = { 'content-type': 'application/json', ...auth('flag') };
const codeOf = (r: RawResponse) => r.json().errors[0].extensions.code as string;

describe('what node:http refuses is answered as JSON with a stable code, and the connection closes', () => {
  test.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'BAD_REQUEST', /not valid HTTP\/1\.1 \(.+\); allowed: a request line "METHOD \/path HTTP\/1\.1"/],
    ['a control character in the target', 'GET /gr\u0001aphql HTTP/1.1\r\nhost: x\r\n\r\n', 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/],
    ['an invalid Content-Length', 'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 1e3\r\n\r\n', 400, 'BAD_REQUEST', /Content-Length/],
    ['two different Content-Lengths', 'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!', 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/],
    ['a bad chunk size, mid-body', `POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${KEYS.flag}\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n`, 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/],
    ['an obs-folded header', 'GET /healthz HTTP/1.1\r\nhost: x\r\nx-a: b\r\n c\r\n\r\n', 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/],
    ['headers over 16 KiB', `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'v'.repeat(20_000)}\r\n\r\n`, 431, 'REQUEST_HEADERS_TOO_LARGE', /allowed: at most 16384 bytes/],
  ])('%s', async (_name, raw, status, code, message) => {
    const x = await exchange(p.gw.port, raw);
    expect(x.closedByServer).toBe(true);
    expect(x.garbage.length).toBe(0);
    expect(x.responses.map((r) => r.status)).toEqual([status]);
    expect(x.responses[0].headers.connection).toBe('close');
    expect(codeOf(x.responses[0])).toBe(code);
    expect(x.responses[0].json().errors[0].message).toMatch(message);
  });

  test('an HTTP/1.1 request without Host: 400 BAD_REQUEST naming the header', async () => {
    const x = await exchange(p.gw.port, 'GET /healthz HTTP/1.1\r\n\r\n');
    expect(x.responses.map((r) => r.status)).toEqual([400]);
    expect(x.responses[0].json().errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/no Host header/) });
    // HTTP/1.0 has no Host requirement.
    const old = await exchange(p.gw.port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(old.responses.map((r) => r.status)).toEqual([200]);
  });

  test('CONNECT is 405 METHOD_NOT_ALLOWED (not a proxy), not a silently dropped socket', async () => {
    const x = await exchange(p.gw.port, 'CONNECT evil.example:443 HTTP/1.1\r\nhost: evil.example:443\r\n\r\n');
    expect(x.responses.map((r) => r.status)).toEqual([405]);
    expect(codeOf(x.responses[0])).toBe('METHOD_NOT_ALLOWED');
    expect(x.closedByServer).toBe(true);
  });

  test('a refused HEAD gets no body (it would be read as the next response)', async () => {
    const x = await exchange(p.gw.port, 'HEAD /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n', { methods: ['HEAD'] });
    expect(x.responses.map((r) => r.status)).toEqual([400]);
    expect(x.responses[0].body.length).toBe(0);
    expect(x.garbage.length).toBe(0);
  });
});

describe('request smuggling forms: the connection closes and the smuggled request is never answered', () => {
  const smuggled = 'GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n';
  test.each([
    ['CL.TE', `POST /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
    ['TE.CL', `POST /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n${(smuggled.length + 0).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`],
    ['TE.TE (obfuscated)', `POST /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ntransfer-encoding: x\r\n\r\n0\r\n\r\n${smuggled}`],
    ['TE not ending in chunked', `POST /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`],
    ['a space before the colon', `POST /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding : chunked\r\ncontent-length: 5\r\n\r\n0\r\n\r\n${smuggled}`],
  ])('%s', async (_name, raw) => {
    const x = await exchange(p.gw.port, raw);
    expect(x.closedByServer).toBe(true);
    expect(x.responses.map((r) => r.status)).toEqual([400]);
    expect(codeOf(x.responses[0])).toBe('BAD_REQUEST');
    expect(x.responses.some((r) => r.body.toString().includes('gateway_http_requests_total'))).toBe(false);
  });
});

test('pipelining: the answer to a broken request waits for the answers owed before it, in order', async () => {
  const first = request('POST', '/graphql', { ...gqlHeaders, connection: 'keep-alive' }, CLASSIFY);
  const second = request('GET', '/healthz', { connection: 'keep-alive' });
  const x = await exchange(p.gw.port, Buffer.concat([first, second, Buffer.from('BROKEN REQUEST\r\n\r\n')]), { methods: ['POST', 'GET', 'GET'] });
  expect(x.garbage.length).toBe(0);
  expect(x.responses.map((r) => r.status)).toEqual([200, 200, 400]);
  expect(x.responses[0].json()).toEqual({ data: { classify: { unsafe: true } } });
  expect(x.responses[1].json()).toEqual({ status: 'ok' });
  expect(codeOf(x.responses[2])).toBe('BAD_REQUEST');
});

describe('Expect', () => {
  test('100-continue: invited only once the request is accepted, then answered', async () => {
    const head = request('POST', '/graphql', { ...gqlHeaders, 'content-length': Buffer.byteLength(CLASSIFY), expect: '100-continue', connection: 'close' });
    const x = await exchange(p.gw.port, [head, CLASSIFY], { gapMs: 100 });
    expect(x.interim).toEqual([100]);
    expect(x.responses.map((r) => r.status)).toEqual([200]);
    expect(x.responses[0].json()).toEqual({ data: { classify: { unsafe: true } } });
  });

  test('100-continue without a valid key: 401 and no invitation to send the body', async () => {
    const x = await exchange(p.gw.port, request('POST', '/graphql', { 'content-type': 'application/json', 'content-length': 100_000, expect: '100-continue', authorization: 'Bearer nope' }));
    expect(x.interim).toEqual([]);
    expect(x.responses.map((r) => r.status)).toEqual([401]);
    expect(x.closedByServer).toBe(true);
  });

  test('any other expectation: 417 EXPECTATION_FAILED naming what is allowed', async () => {
    const x = await exchange(p.gw.port, request('POST', '/graphql', { ...gqlHeaders, expect: 'coffee' }, CLASSIFY));
    expect(x.responses.map((r) => r.status)).toEqual([417]);
    expect(x.responses[0].json().errors[0]).toMatchObject({ extensions: { code: 'EXPECTATION_FAILED' }, message: expect.stringMatching(/allowed: Expect: 100-continue, or no Expect header/) });
  });
});

describe('X-Request-Id', () => {
  const idFor = async (value: string | null) => {
    const x = await exchange(p.gw.port, request('POST', '/graphql', { ...gqlHeaders, connection: 'close', ...(value === null ? {} : { 'x-request-id': value }) }, CLASSIFY));
    expect(x.responses.map((r) => r.status)).toEqual([200]);
    return x.responses[0].headers['x-request-id'];
  };
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  test('a visible-ASCII id is echoed (its first 128 characters); anything else gets a fresh UUID', async () => {
    expect(await idFor('trace-42.a:b')).toBe('trace-42.a:b');
    expect(await idFor('x'.repeat(300))).toBe('x'.repeat(128));
    expect(await idFor(null)).toMatch(UUID);
    for (const odd of ['has spaces', 'caf\u00e9', '\u00ff'.repeat(10), '\t']) expect(await idFor(odd)).toMatch(UUID);
  });

  test('on the drop-in routes too: no odd id reaches a 5xx', async () => {
    for (const odd of ['has spaces', 'caf\u00e9', 'x'.repeat(300)]) {
      const x = await exchange(p.gw.port, request('POST', '/v1/images/generations', { 'content-type': 'application/json', authorization: `Bearer ${KEYS.flag}`, 'x-request-id': odd, connection: 'close' }, '{"prompt": ""}'));
      expect(x.responses.map((r) => r.status)).toEqual([400]);
    }
  });
});

test('HEAD and OPTIONS on every route: below 500, and HEAD answers carry no body', async () => {
  for (const route of ['/graphql', '/healthz', '/readyz', '/metrics', '/', '/sdapi/v1/txt2img', '/prompt', '/history/abc', '/view?filename=x.png', '/v1/images/generations']) {
    for (const method of ['HEAD', 'OPTIONS']) {
      const x = await exchange(p.gw.port, request(method, route, { ...auth('flag'), connection: 'close' }), { methods: [method] });
      expect(x.garbage.length).toBe(0);
      expect(x.responses).toHaveLength(1);
      expect(x.responses[0].status).toBeLessThan(500);
      if (method === 'HEAD') expect(x.responses[0].body.length).toBe(0);
    }
  }
});

describe('request targets', () => {
  test('a malformed path is 400 BAD_REQUEST naming what is allowed; the process serves on', async () => {
    for (const target of ['//[', '/history/%E0%A4%A', '/p%zz', '/x#y']) {
      const x = await exchange(p.gw.port, `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      expect({ target, status: x.responses[0]?.status }).toEqual({ target, status: 400 });
      expect(codeOf(x.responses[0])).toBe('BAD_REQUEST');
    }
    expect((await fetch(`${p.gw.url}/healthz`)).status).toBe(200);
  });

  test('GET /graphql with braces and quotes unescaped in the query (curl -g) is answered', async () => {
    const q = '{classify(input:{text:"a%20fox"}){unsafe}}';
    const x = await exchange(p.gw.port, `GET /graphql?query=${q} HTTP/1.1\r\nhost: x\r\napollo-require-preflight: true\r\nauthorization: Bearer ${KEYS.flag}\r\nconnection: close\r\n\r\n`);
    expect(x.responses[0].status).toBe(200);
    expect(x.responses[0].json().data.classify.unsafe).toBe(false);
  });
});
