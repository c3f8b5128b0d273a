/**
 * A raw HTTP/1.1 client for tests that must send what fetch never would: malformed request lines, duplicate
 * framing headers, bad chunk sizes, truncated bodies, several requests in one write. It writes bytes on a
 * node:net socket and parses whatever comes back (interim 1xx, Content-Length and chunked bodies, several
 * responses on one connection), so a test can assert on each answer.
 */
import * as net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  json(): any;
}

export interface Exchange {
  /** Final (non-1xx) responses, in order. */
  responses: RawResponse[];
  /** Interim 1xx status codes seen. */
  interim: number[];
  /** The server closed the connection (rather than the client giving up). */
  closedByServer: boolean;
  /** The client gave up waiting (idle or overall deadline). */
  timedOut: boolean;
  /** Bytes that did not parse as HTTP responses (should be none). */
  garbage: Buffer;
}

export interface ExchangeOptions {
  /** Stop once this many final responses arrived (default: wait for the server to close or the deadline). */
  expect?: number;
  /** Give up after this long with no bytes from the server (default 10 s). */
  idleMs?: number;
  /** Give up after this long in all (default 20 s). */
  deadlineMs?: number;
  /** Write the parts this many ms apart (default: all at once). */
  gapMs?: number;
  /** The method of each request sent, in order: answers to HEAD carry no body whatever their Content-Length. */
  methods?: string[];
}

/** Sends `parts` on a fresh connection to 127.0.0.1:`port` and collects the answers. */
export function exchange(port: number, parts: Buffer | string | (Buffer | string)[], opts: ExchangeOptions = {}): Promise<Exchange> {
  const chunks = (Array.isArray(parts) ? parts : [parts]).map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p));
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const parser = new ResponseParser(opts.methods ?? []);
    let done = false;
    let idle: NodeJS.Timeout | null = null;
    const finish = (how: 'closed' | 'timeout' | 'enough') => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      clearTimeout(deadline);
      socket.destroy();
      resolve({ responses: parser.responses, interim: parser.interim, closedByServer: how === 'closed', timedOut: how === 'timeout', garbage: parser.garbage });
    };
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => finish('timeout'), opts.idleMs ?? 10_000);
    };
    const deadline = setTimeout(() => finish('timeout'), opts.deadlineMs ?? 20_000);
    socket.on('connect', async () => {
      armIdle();
      for (let i = 0; i < chunks.length && !done; i++) {
        if (i > 0 && opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
        if (!socket.destroyed) socket.write(chunks[i]);
      }
    });
    socket.on('data', (d) => {
      armIdle();
      parser.push(d);
      if (opts.expect !== undefined && parser.responses.length >= opts.expect) finish('enough');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => {
      parser.end();
      finish('closed');
    });
  });
}

/** Incremental HTTP/1.1 response parser (enough for what node:http sends). */
class ResponseParser {
  responses: RawResponse[] = [];
  interim: number[] = [];
  garbage = Buffer.alloc(0);
  private buf = Buffer.alloc(0);
  private broken = false;
  constructor(private readonly methods: string[]) {}

  push(d: Buffer): void {
    if (this.broken) {
      this.garbage = Buffer.concat([this.garbage, d]);
      return;
    }
    this.buf = Buffer.concat([this.buf, d]);
    while (this.step());
  }

  /**
   * At close: a response cut short by the close (a HEAD answer refused with `connection: close` may come
   * with or without its body) is kept with what arrived; leftovers that never parsed are garbage.
   */
  end(): void {
    if (this.buf.length === 0 || this.broken) return;
    const headEnd = this.buf.indexOf('\r\n\r\n');
    const head = headEnd < 0 ? null : /^HTTP\/1\.[01] (\d{3})/.exec(this.buf.subarray(0, headEnd).toString('latin1'));
    if (head && this.methods[this.responses.length]?.toUpperCase() === 'HEAD') {
      const body = this.buf.subarray(headEnd + 4);
      this.responses.push({ status: Number(head[1]), headers: {}, body, json: () => JSON.parse(body.toString('utf8')) });
      return;
    }
    this.garbage = Buffer.concat([this.garbage, this.buf]);
  }

  private step(): boolean {
    const headEnd = this.buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return false;
    const lines = this.buf.subarray(0, headEnd).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!m) {
      this.broken = true;
      this.garbage = Buffer.concat([this.garbage, this.buf]);
      this.buf = Buffer.alloc(0);
      return false;
    }
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(m[1]);
    let rest = this.buf.subarray(headEnd + 4);
    if (status < 200) {
      this.interim.push(status);
      this.buf = rest;
      return true;
    }
    let body: Buffer;
    // A HEAD answer has no body; except that the server's answer to a request it could not parse (4xx,
    // closing) is framed by its Content-Length, since the server cannot always tell the method it had.
    const head = this.methods[this.responses.length]?.toUpperCase() === 'HEAD' && !(status >= 400 && /close/i.test(headers.connection ?? ''));
    if (head || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      let at = 0;
      for (;;) {
        const eol = rest.indexOf('\r\n', at);
        if (eol < 0) return false;
        const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) {
          this.broken = true;
          return false;
        }
        if (size === 0) {
          const trailerEnd = rest.indexOf('\r\n', eol + 2);
          if (trailerEnd < 0) return false;
          rest = rest.subarray(trailerEnd + 2);
          break;
        }
        if (rest.length < eol + 2 + size + 2) return false;
        parts.push(rest.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const len = Number(headers['content-length'] ?? 0);
      if (rest.length < len) return false;
      body = rest.subarray(0, len);
      rest = rest.subarray(len);
    }
    this.buf = rest;
    this.responses.push({ status, headers, body, json: () => JSON.parse(body.toString('utf8')) });
    return true;
  }
}

/** A well-formed request, for tests that vary one thing. */
export function request(method: string, target: string, headers: Record<string, string | number> = {}, body: string | Buffer = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const all: Record<string, string | number> = { host: '127.0.0.1', ...headers };
  if (b.length > 0 && !Object.keys(all).some((k) => /^(content-length|transfer-encoding)$/i.test(k))) all['content-length'] = b.length;
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}
