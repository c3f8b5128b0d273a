/**
 * Reading request bodies under two limits: one per route (MAX_BODY_BYTES for /graphql, which carries base64
 * images; MAX_DROP_IN_BODY_BYTES for the drop-in JSON routes) and one for the whole process
 * (MAX_BUFFERED_BYTES, the bytes buffered across every request in flight).
 *
 * Without the global cap, 40 connections each sending 15 MB of a declared 16 MB body and never finishing
 * held 600 MB until the request timeout. The budget counts bytes actually received, not bytes declared:
 * reserving the declared Content-Length would let a client take the whole budget with a few header lines
 * and no body. A request whose declared length no longer fits is refused before any of its body is read
 * (and before `100 Continue` invites it), and a request whose next chunk would pass the cap is refused
 * mid-body; both answer 503 + Retry-After and close the connection. A request's bytes stay charged until
 * its response closes (finished or aborted): the parsed body lives that long.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';

/** Seconds a client refused for overload is asked to wait: long enough for slow bodies ahead of it to end. */
export const OVERLOAD_RETRY_AFTER_S = 2;

/** The body is larger than the route allows (413). */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** Buffering this body would pass MAX_BUFFERED_BYTES (503 + Retry-After); the message is the client's. */
export class BodyOverloaded extends Error {
  constructor(readonly cap: number) {
    super(`the gateway is already buffering its limit of ${cap} request bytes across requests in flight (MAX_BUFFERED_BYTES); allowed: retry after ${OVERLOAD_RETRY_AFTER_S} s`);
    this.name = 'BodyOverloaded';
  }
}

/** The client went away (or the socket failed) before the body ended: there is no one to answer. */
export class BodyAborted extends Error {
  constructor(cause?: unknown) {
    super('the client closed the connection before the request body ended', { cause });
    this.name = 'BodyAborted';
  }
}

/** Request bytes buffered across every request in flight, against MAX_BUFFERED_BYTES. */
export class BodyBudget {
  private used = 0;
  constructor(readonly cap: number) {}

  get buffered(): number {
    return this.used;
  }

  /** Whether `n` more bytes fit right now (a declared Content-Length, checked before reading). */
  fits(n: number): boolean {
    return this.used + n <= this.cap;
  }

  /** Charges `n` bytes; false (nothing charged) when they would pass the cap. */
  take(n: number): boolean {
    if (this.used + n > this.cap) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /** Exposes the buffered bytes on /metrics as gateway_http_buffered_request_bytes. */
  register(registry: Registry): void {
    const budget = this;
    new Gauge({
      name: 'gateway_http_buffered_request_bytes',
      help: 'Request body bytes buffered across every request in flight (capped by MAX_BUFFERED_BYTES)',
      registers: [registry],
      collect() {
        this.set(budget.buffered);
      },
    });
  }
}

const EXPECTS_CONTINUE = /^\s*100-continue\s*$/i;

/**
 * Reads the whole body of `req` under a per-route `limit` and the process-wide `budget`. Rejects with
 * BodyTooLarge, BodyOverloaded or BodyAborted; the bytes it charged are released when `res` closes.
 * A client that sent `Expect: 100-continue` is invited to send only once the declared length is accepted.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number, budget: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The client left before the handler got here: its 'close' events have fired already.
    if (req.destroyed || res.destroyed) return reject(new BodyAborted());
    // llhttp has already refused malformed, negative and conflicting Content-Length headers (400).
    const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
    if (declared > limit) return refuse(req, reject, new BodyTooLarge(limit));
    if (declared > 0 && !budget.fits(declared)) return refuse(req, reject, new BodyOverloaded(budget.cap));
    if (req.headers.expect !== undefined && EXPECTS_CONTINUE.test(req.headers.expect)) res.writeContinue();

    // Released when the response is done, or when the connection closes: a response queued behind a
    // pipelined one never emits 'close' if the socket goes first (the fuzz suite found that leak).
    let charged = 0;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      budget.release(charged);
      charged = 0;
      res.removeListener('finish', release);
      res.removeListener('close', release);
      forget();
    };
    res.once('finish', release);
    res.once('close', release);
    const forget = whenSocketCloses(req.socket, release);
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      chunks = [];
      budget.release(charged);
      charged = 0;
      req.removeListener('data', onData);
      refuse(req, reject, e);
    };
    const onData = (c: Buffer) => {
      if (released) return fail(new BodyAborted());
      size += c.length;
      if (size > limit) return fail(new BodyTooLarge(limit));
      if (!budget.take(c.length)) return fail(new BodyOverloaded(budget.cap));
      charged += c.length;
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (settled) return;
      settled = true;
      // One chunk (nearly every GraphQL body): no copy.
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.once('error', (e) => fail(new BodyAborted(e)));
    // 'close' without 'end': the socket went away mid-body (client abort, request timeout, parse error).
    req.once('close', () => {
      if (!settled) fail(new BodyAborted());
    });
  });
}

/**
 * Runs `fn` when `socket` closes; returns a function that cancels it. One 'close' listener per socket,
 * however many pipelined requests on it are reading bodies (a listener each would trip Node's leak warning).
 */
function whenSocketCloses(socket: Socket | null, fn: () => void): () => void {
  if (!socket) return () => {};
  let waiting = onSocketClose.get(socket);
  if (!waiting) {
    const set = new Set<() => void>();
    onSocketClose.set(socket, set);
    socket.once('close', () => {
      for (const f of set) f();
      set.clear();
    });
    waiting = set;
  }
  const set = waiting;
  set.add(fn);
  return () => void set.delete(fn);
}
const onSocketClose = new WeakMap<Socket, Set<() => void>>();

/** Rejects, and lets the rest of the body flow past unbuffered (the answer closes the connection). */
function refuse(req: IncomingMessage, reject: (e: Error) => void, e: Error): void {
  reject(e);
  if (!req.destroyed) req.resume();
}
