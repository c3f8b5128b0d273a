/**
 * A seeded generator of hostile raw HTTP/1.1 requests: what reaches the gateway's socket before any parser
 * of ours has looked at it. Request lines (methods, targets, versions), headers (framing, size, invalid
 * bytes, the headers the gateway reads), bodies and their framing (chunk sizes, lengths that lie),
 * encodings (bad percent-escapes, raw UTF-8 and control bytes), truncation and pipelining, against every
 * route including the drop-in endpoints. Deterministic: the same seed gives the same bytes everywhere.
 */
import { mulberry32, type Rng } from '../helpers/prng';
import { KEYS, SAFE } from '../helpers/pipeline';

export interface RawCase {
  name: string;
  /** Written in order (more than one part: split writes, to land in the parser's middle states). */
  parts: Buffer[];
  /** Requests the bytes hold (counted toward the suite's total). */
  requests: number;
  /** Method of each request, in order (answers to HEAD have no body). */
  methods: string[];
  /** The bytes end mid-request: the server may rightly wait for the rest, so silence is not a hang. */
  mayHang: boolean;
  /** Milliseconds between parts (a slow client). */
  gapMs?: number;
}

export const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', '/', '/sdapi/v1/txt2img', '/prompt', '/history/0123abcd', '/view?filename=ComfyUI_00001_.png', '/v1/images/generations'];

/** Targets that broke, or could break, the router: each appears in the corpus. */
export const HOSTILE_TARGETS = [
  '//[', '//[::1', '//[/graphql', '//evil.example/graphql', '///graphql', '/\\evil', '/\\\\evil/graphql',
  '/history/%E0%A4%A', '/history/%', '/history/%Z', '/history/%ZZ', '/history/%C0%AF', '/history/%ED%A0%80', '/history/%F4%90%80%80', '/history/%00',
  '/history/..%2f..%2fgraphql', '/history/a/b', '/history/', '/HISTORY/x', '/history/%2e%2e',
  '*', 'graphql', 'localhost:4000', 'http://evil.example/graphql', 'https://[/graphql', 'http://[::1/graphql', 'http://', 'http:///graphql', 'ftp://x/graphql', 'HTTP://X/healthz',
  '/graphql?query=%E0%A4%A', '/graphql?%', '/view?filename=%E0%A4%A', '/view?filename=../../etc/passwd', '/view?filename=', '/view?filename=a&filename=b', '/view?%FF',
  '/../../etc/passwd', '/./graphql', '/graphql/../healthz', '/%2e%2e/graphql', '/%2fgraphql', '/graphql%2f', '/graphql;x', '/graphql/', '/GraphQL', '/graphql#frag',
  '/sdapi/v1/txt2img/../../graphql', '/%', '/?%', '/%%', '/%u0041', '/caf\u00c3\u00a9', '/\u00ff\u00fe', '/graphql%00',
  '/' + 'a'.repeat(8000), '/history/' + 'b'.repeat(6000), '/graphql?' + 'x=1&'.repeat(1500), '/view?filename=' + '%E0'.repeat(1000),
];

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'PROPFIND', 'M-SEARCH', 'SOURCE', 'QUERY', 'get', 'post', 'G', 'GETT', 'POSTX', '', 'X'.repeat(64), 'GE\u0000T'];
const VERSIONS = ['HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/1', 'http/1.1', 'HTTP/11', 'HTTP/1.1 ', '', 'HTTPS/1.1', 'HTTP/1.1\u0000'];

const CONTENT_LENGTHS = ['abc', '-1', '1e3', ' 5', '0x10', '99999999999999999999', '18446744073709551616', '5, 5', '5, 6', '', '+5', '5.0', '\t5', '0'];
const TRANSFER_ENCODINGS = ['chunked', 'Chunked', 'CHUNKED', 'chunked, chunked', 'gzip, chunked', 'chunked, gzip', 'gzip', 'identity', ' chunked', 'chunked ', 'xchunked', 'chunked\u0000', 'chunk', ''];
const BAD_CHUNK_SIZES = ['zz', '-1', 'fffffffffffffffffff', '0x5', '5 5', ' 5', '5;' + 'e'.repeat(20000), '5;a=b', '\u00005', '', '18446744073709551616'];
const EXPECTS = ['100-continue', '100-Continue', '200-ok', 'foo', '', '100-continue, foo'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-16', 'text/plain', 'multipart/form-data; boundary=', 'application/graphql', 'application/x-www-form-urlencoded', 'application/json\u00ff', ''];
const ODD_IDS = ['', ' ', 'id with spaces', 'caf\u00e9', '\u00ff'.repeat(200), 'x'.repeat(5000), '\t', '<script>', '"quoted"', 'a,b'];

export function buildRawCorpus(seed: number, sizes: { line: number; headers: number; bodies: number; targets: number; pipelined: number; truncated: number; large: number }): RawCase[] {
  const rand = mulberry32(seed);
  const g = new Gen(rand);
  const cases: RawCase[] = [];
  for (let i = 0; i < sizes.line; i++) cases.push(g.requestLine(`line-${i}`));
  for (let i = 0; i < sizes.headers; i++) cases.push(g.headers(`headers-${i}`));
  for (let i = 0; i < sizes.bodies; i++) cases.push(g.body(`body-${i}`));
  for (let i = 0; i < sizes.targets; i++) cases.push(g.target(`target-${i}`, i < HOSTILE_TARGETS.length ? HOSTILE_TARGETS[i] : null));
  for (let i = 0; i < sizes.pipelined; i++) cases.push(g.pipelined(`pipelined-${i}`));
  for (let i = 0; i < sizes.truncated; i++) cases.push(g.truncated(`truncated-${i}`));
  for (let i = 0; i < sizes.large; i++) cases.push(g.large(`large-${i}`));
  return cases;
}

type Headers = [string, string][];

class Gen {
  constructor(private readonly rand: Rng) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  private chance(p: number): boolean {
    return this.rand() < p;
  }
  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  private bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.rand() * 256);
    return b;
  }

  /** A plausible body for a route: valid, mutated, random bytes, or deeply nested. */
  private bodyFor(route: string): Buffer {
    const r = this.rand();
    if (r < 0.15) return this.bytes(this.int(0, 2048));
    if (r < 0.2) return Buffer.from('['.repeat(this.int(1000, 50000)));
    if (r < 0.23) return Buffer.from(JSON.stringify({ query: '{ classify(input: { text: "x" }) { unsafe } }', variables: { pad: 'p'.repeat(this.int(10_000, 400_000)) } }));
    const valid = Buffer.from(this.validJson(route));
    if (r < 0.55) return valid;
    // Mutate: truncate, flip bytes, splice random bytes.
    const m = Buffer.from(valid);
    const k = this.int(1, 4);
    for (let i = 0; i < k && m.length > 0; i++) m[this.int(0, m.length - 1)] = Math.floor(this.rand() * 256);
    return this.chance(0.5) ? m.subarray(0, this.int(0, m.length)) : Buffer.concat([m, this.bytes(this.int(0, 64))]);
  }

  private validJson(route: string): string {
    if (route.startsWith('/sdapi')) return JSON.stringify({ prompt: this.chance(0.7) ? SAFE : '', width: 64, height: 64, steps: this.pick([5, -1, 1e9, 'x', null]), batch_size: this.pick([1, 0, 1000]) });
    if (route.startsWith('/v1/images')) return JSON.stringify({ prompt: SAFE, n: this.pick([1, 0, 99, 'x']), size: this.pick(['64x64', 'auto', '9999999x9999999', '64', 64]) });
    if (route === '/prompt') return JSON.stringify({ prompt: this.pick([{}, [], 'x', null, { '1': { class_type: 'CLIPTextEncode', inputs: { text: SAFE } } }]) });
    return JSON.stringify({ query: this.pick(['{ classify(input: { text: "a cat" }) { unsafe score } }', '{ __typename }', '{', 'query($t: String!) { classify(input: { text: $t }) { unsafe } }', 'mutation { x }']), variables: this.pick([undefined, { t: SAFE }, { t: 5 }, 'x', []]) });
  }

  private authHeader(): [string, string] | null {
    const r = this.rand();
    if (r < 0.45) return ['authorization', `Bearer ${this.pick(Object.values(KEYS))}`];
    if (r < 0.55) return ['authorization', this.pick(['Bearer', 'Bearer ', 'Basic dXNlcjpwdw==', `Bearer ${'k'.repeat(5000)}`, 'bearer  x  y', `Bearer ${KEYS.flag}\u00ff`])];
    return null;
  }

  /** Serialises a request; `framing` decides how the body is delimited. */
  private serialise(line: string, headers: Headers, body: Buffer, framing: 'length' | 'chunked' | 'none' = 'length'): Buffer {
    const h = [...headers];
    const has = (n: string) => h.some(([k]) => k.toLowerCase() === n);
    if (!has('host') && !h.some(([k]) => k === '-no-host')) h.unshift(['host', '127.0.0.1']);
    if (!has('connection')) h.push(['connection', 'close']);
    let payload = body;
    if (framing === 'length' && body.length > 0 && !has('content-length') && !has('transfer-encoding')) h.push(['content-length', String(body.length)]);
    if (framing === 'chunked') {
      if (!has('transfer-encoding')) h.push(['transfer-encoding', 'chunked']);
      payload = this.chunked(body);
    }
    const head = `${line}\r\n${h.filter(([k]) => k !== '-no-host').map(([k, v]) => (k === '' ? v : `${k}: ${v}`)).join('\r\n')}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
  }

  private chunked(body: Buffer): Buffer {
    const parts: Buffer[] = [];
    let at = 0;
    while (at < body.length) {
      const n = Math.min(body.length - at, this.int(1, 4096));
      parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
      at += n;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    return Buffer.concat(parts);
  }

  private one(name: string, bytes: Buffer, method: string, mayHang = false): RawCase {
    return { name, parts: [bytes], requests: 1, methods: [method], mayHang };
  }

  /** Hostile methods, targets and versions on an otherwise well-formed request. */
  requestLine(name: string): RawCase {
    const method = this.chance(0.5) ? this.pick(METHODS) : this.pick(['GET', 'POST', 'HEAD']);
    const target = this.chance(0.5) ? this.pick(ROUTES) : this.chance(0.5) ? this.pick(HOSTILE_TARGETS) : this.mutateTarget(this.pick(ROUTES));
    const version = this.chance(0.5) ? 'HTTP/1.1' : this.pick(VERSIONS);
    const sep = this.chance(0.9) ? ' ' : this.pick(['  ', '\t', '', ' \u0000 ']);
    const headers: Headers = [];
    const auth = this.authHeader();
    if (auth) headers.push(auth);
    const body = method.toUpperCase() === 'POST' && this.chance(0.6) ? this.bodyFor(target) : Buffer.alloc(0);
    if (body.length > 0) headers.push(['content-type', 'application/json']);
    return this.one(name, this.serialise(`${method}${sep}${target}${sep}${version}`.trimEnd(), headers, body), method);
  }

  /** Headers: framing games, sizes, invalid bytes, and the headers the gateway itself reads. */
  headers(name: string): RawCase {
    const route = this.pick(ROUTES);
    const method = route === '/graphql' || ['/sdapi/v1/txt2img', '/prompt', '/v1/images/generations'].includes(route) ? 'POST' : this.pick(['GET', 'HEAD', 'POST']);
    const headers: Headers = [];
    const auth = this.authHeader();
    if (auth) headers.push(auth);
    let body = method === 'POST' ? this.bodyFor(route) : Buffer.alloc(0);
    let framing: 'length' | 'chunked' | 'none' = 'length';
    let mayHang = false;
    const mutations = this.int(1, 3);
    for (let i = 0; i < mutations; i++) {
      switch (this.int(0, 15)) {
        case 0:
          headers.push(['content-length', this.pick(CONTENT_LENGTHS)]);
          framing = 'none';
          mayHang = true;
          break;
        case 1: // two Content-Length headers, equal or not
          headers.push(['content-length', String(body.length)], ['content-length', String(body.length + this.int(0, 1))]);
          framing = 'none';
          mayHang = true;
          break;
        case 2:
          headers.push(['transfer-encoding', this.pick(TRANSFER_ENCODINGS)]);
          framing = this.chance(0.5) ? 'chunked' : 'none';
          mayHang = true;
          break;
        case 3: // CL.TE / TE.CL smuggling forms
          headers.push(['content-length', String(this.int(0, body.length + 10))], ['transfer-encoding', this.pick(TRANSFER_ENCODINGS)]);
          framing = this.chance(0.5) ? 'chunked' : 'none';
          mayHang = true;
          break;
        case 4: // one huge header, or a great many
          if (this.chance(0.5)) headers.push(['x-big', 'v'.repeat(this.int(8000, 40000))]);
          else for (let k = 0, n = this.int(500, 3000); k < n; k++) headers.push([`x-h${k}`, 'v']);
          break;
        case 5: // invalid header names and lines
          headers.push(['', this.pick(['bad header: x', 'x(y): z', ': novalue', 'nocolon', 'x-a : b', ' x-lead: y', 'x\u0000y: z', '\u00ff: z'])]);
          break;
        case 6: // obs-fold, bare CR/LF and NUL in values
          headers.push(['', this.pick(['x-a: b\r\n c', 'x-a: b\rc', 'x-a: b\nx-b: c', 'x-a: b\u0000c', 'x-a: b\u007fc', 'x-a: \u00e9\u00ff'])]);
          break;
        case 7:
          headers.push(['x-request-id', this.pick(ODD_IDS)]);
          if (this.chance(0.3)) headers.push(['x-request-id', this.pick(ODD_IDS)]);
          break;
        case 8:
          headers.push(['content-type', this.pick(CONTENT_TYPES)]);
          break;
        case 9:
          headers.push(['expect', this.pick(EXPECTS)]);
          break;
        case 10:
          headers.push(['connection', this.pick(['upgrade', 'keep-alive', 'close, upgrade', 'x', 'keep-alive, close'])], ['upgrade', this.pick(['websocket', 'h2c', 'HTTP/2.0', 'x'])]);
          break;
        case 11: // Host: missing, doubled, empty, odd
          if (this.chance(0.4)) headers.push(['-no-host', '']);
          else headers.push(['host', this.pick(['', 'a', 'a:b:c', '[::1', 'evil.example', 'x'.repeat(3000)])], ...(this.chance(0.5) ? [['host', 'other'] as [string, string]] : []));
          break;
        case 12:
          headers.push(['accept', this.pick(['text/html', '*/*', 'application/json', '\u00ff'])]);
          break;
        case 13: // duplicate Authorization
          headers.push(['authorization', `Bearer ${KEYS.block}`], ['authorization', 'Bearer nope']);
          break;
        case 14: // bad chunk sizes
          framing = 'none';
          mayHang = true;
          headers.push(['transfer-encoding', 'chunked']);
          body = Buffer.concat([Buffer.from(`${this.pick(BAD_CHUNK_SIZES)}\r\n`, 'latin1'), body.subarray(0, 32), Buffer.from('\r\n0\r\n\r\n')]);
          break;
        default:
          headers.push(['apollo-require-preflight', 'true'], ['x-forwarded-for', this.pick(['1.2.3.4', 'garbage', '::1, ::2'])]);
      }
    }
    return this.one(name, this.serialise(`${method} ${route} HTTP/1.1`, headers, body, framing), method, mayHang);
  }

  /** Bodies for every route, framed by Content-Length or chunked (sometimes with a bad chunk or a lying length). */
  body(name: string): RawCase {
    const route = this.pick(ROUTES);
    const method = this.chance(0.85) ? 'POST' : this.pick(['PUT', 'GET', 'DELETE']);
    const headers: Headers = [['content-type', this.chance(0.9) ? 'application/json' : this.pick(CONTENT_TYPES)]];
    const auth = this.authHeader();
    if (auth) headers.push(auth);
    const body = this.bodyFor(route);
    const r = this.rand();
    if (r < 0.6) return this.one(name, this.serialise(`${method} ${route} HTTP/1.1`, headers, body, 'length'), method);
    if (r < 0.85) return this.one(name, this.serialise(`${method} ${route} HTTP/1.1`, headers, body, 'chunked'), method);
    if (r < 0.93) {
      // A Content-Length shorter than the body: the rest is parsed as a next request (garbage: 400, closed).
      headers.push(['content-length', String(this.int(0, Math.max(0, body.length - 1)))], ['connection', 'keep-alive']);
      return { ...this.one(name, this.serialise(`${method} ${route} HTTP/1.1`, headers, body, 'none'), method, true), requests: 2, methods: [method, 'GET'] };
    }
    // A bad chunk in the middle of a chunked body.
    headers.push(['transfer-encoding', 'chunked']);
    const chunks = Buffer.concat([this.chunked(body).subarray(0, this.int(0, 64)), Buffer.from(`\r\n${this.pick(BAD_CHUNK_SIZES)}\r\nxx\r\n0\r\n\r\n`, 'latin1')]);
    return this.one(name, this.serialise(`${method} ${route} HTTP/1.1`, headers, chunks, 'none'), method, true);
  }

  /** A route mutated: bad or overlong percent-escapes, raw bytes, dot segments, doubled slashes. */
  private mutateTarget(t: string): string {
    const inserts = ['%', '%E0%A4%A', '%C0%AF', '%FF', '%00', '%2e%2e/', '../', '//', '[', ']', '\\', '?', '#', '%%', '\u00e9', '\u0001', '\u007f', ' ', '\t', '@', ':'];
    let s = t;
    for (let k = 0, n = this.int(1, 3); k < n; k++) {
      const at = this.int(1, s.length);
      s = s.slice(0, at) + this.pick(inserts) + s.slice(at);
    }
    return s;
  }

  /** Hostile targets on every method that matters, with and without a key. */
  target(name: string, fixed: string | null): RawCase {
    const target = fixed ?? (this.chance(0.5) ? this.pick(HOSTILE_TARGETS) : this.mutateTarget(this.pick(ROUTES)));
    const method = this.pick(['GET', 'POST', 'HEAD', 'OPTIONS']);
    const headers: Headers = [];
    const auth = this.authHeader();
    if (auth) headers.push(auth);
    const body = method === 'POST' ? this.bodyFor(this.pick(ROUTES)) : Buffer.alloc(0);
    return this.one(name, this.serialise(`${method} ${target} HTTP/1.1`, headers, body), method);
  }

  /** Several requests in one write, some malformed; only the last asks to close. */
  pipelined(name: string): RawCase {
    const n = this.int(2, 12);
    const reqs: Buffer[] = [];
    const methods: string[] = [];
    let badLength = false;
    for (let i = 0; i < n; i++) {
      const route = this.chance(0.3) ? this.pick(HOSTILE_TARGETS) : this.pick(ROUTES);
      const method = this.pick(['GET', 'GET', 'POST', 'HEAD', 'OPTIONS']);
      const headers: Headers = [['connection', i === n - 1 ? 'close' : 'keep-alive']];
      const auth = this.authHeader();
      if (auth) headers.push(auth);
      if (this.chance(0.1)) {
        headers.push(['content-length', this.pick(CONTENT_LENGTHS)]);
        badLength = true;
      }
      const body = method === 'POST' ? this.bodyFor(route) : Buffer.alloc(0);
      if (body.length) headers.push(['content-type', 'application/json']);
      reqs.push(this.serialise(`${method} ${route} HTTP/1.1`, headers, body, this.chance(0.2) ? 'chunked' : 'length'));
      methods.push(method);
    }
    const all = Buffer.concat(reqs);
    // Sometimes split at random points: the parser sees requests across writes.
    const parts: Buffer[] = [];
    if (this.chance(0.3)) {
      let at = 0;
      while (at < all.length) {
        const k = Math.min(all.length - at, this.int(1, 2000));
        parts.push(all.subarray(at, at + k));
        at += k;
      }
    } else parts.push(all);
    // A bad Content-Length may leave the server waiting for a body that never comes.
    return { name, parts, requests: n, methods, mayHang: badLength };
  }

  /**
   * A large body sent slowly (two halves, 20 ms apart), near and over the route limits: run side by side,
   * these meet MAX_BUFFERED_BYTES (503) as well as the per-route limits (413).
   */
  large(name: string): RawCase {
    const route = this.pick(['/graphql', '/graphql', '/sdapi/v1/txt2img', '/prompt', '/v1/images/generations']);
    const size = this.int(32 * 1024, 300 * 1024);
    const json = route === '/graphql'
      ? JSON.stringify({ query: '{ classify(input: { text: "a cat" }) { unsafe } }', variables: { pad: 'p'.repeat(size) } })
      : JSON.stringify({ prompt: SAFE, negative_prompt: 'n'.repeat(size) });
    const headers: Headers = [['content-type', 'application/json'], ['authorization', `Bearer ${KEYS.flag}`]];
    const full = this.serialise(`POST ${route} HTTP/1.1`, headers, Buffer.from(json), this.chance(0.7) ? 'length' : 'chunked');
    const cut = this.int(Math.floor(full.length / 4), Math.floor((3 * full.length) / 4));
    return { name, parts: [full.subarray(0, cut), full.subarray(cut)], requests: 1, methods: ['POST'], mayHang: false, gapMs: 20 };
  }

  /** A full request cut short: the server must wait or refuse, and let go when the client leaves. */
  truncated(name: string): RawCase {
    const route = this.pick(ROUTES);
    const method = this.pick(['GET', 'POST']);
    const headers: Headers = [];
    const auth = this.authHeader();
    if (auth) headers.push(auth);
    const body = method === 'POST' ? this.bodyFor(route) : Buffer.alloc(0);
    const full = this.serialise(`${method} ${route} HTTP/1.1`, headers, body, this.chance(0.5) ? 'length' : 'chunked');
    return this.one(name, full.subarray(0, this.int(1, full.length - 1)), method, true);
  }
}
