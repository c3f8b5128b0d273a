/**
 * The node:http server: its limits on what a client may send before the handler sees a request, and the
 * answer when llhttp refuses the bytes (a malformed request line, a bad header, a bad chunk size, a body
 * framed two ways, a request too slow to arrive).
 *
 * Node's own answer to those is a bare `HTTP/1.1 400 Bad Request` with no body; here it carries the same
 * JSON error shape as every other refusal, with a stable code and a message naming what is allowed. Either
 * way the connection closes: after a framing error the rest of the stream cannot be trusted (request
 * smuggling lives in that gap).
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { sendError } from './http';

/** Most bytes of request line plus headers (Node's default, stated so the 431 message can name it). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The whole request (line, headers and body) must arrive within this; slower ones get 408 and are closed. */
export const REQUEST_TIMEOUT_MS = 120_000;
/** Request line and headers must arrive within this (slowloris); below Node's 60 s default. */
export const HEADERS_TIMEOUT_MS = 20_000;

export function createHttpServer(): http.Server {
  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    // Node's own refusal of an HTTP/1.1 request without Host is a bare 400; the handler answers it instead.
    requireHostHeader: false,
  });
  server.on('clientError', answerClientError);
  // An `Expect` other than 100-continue (Node's own answer: a bare 417).
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('connection', 'close');
    sendError(res, 417, 'EXPECTATION_FAILED', `Expect: ${JSON.stringify(String(req.headers.expect).slice(0, 100))} is not supported; allowed: Expect: 100-continue, or no Expect header`);
  });
  // CONNECT (a tunnel request): not a proxy. Without a listener Node drops the socket without a word.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => writeAndClose(socket, 405, 'Method Not Allowed', 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: this gateway is not a proxy; allowed: GET, POST (and HEAD) on its own routes'));
  // `Expect: 100-continue`: the handler decides. readBody sends 100 Continue only once the declared length
  // fits the route's limit and the buffer budget, so a refused body is never invited. A request answered
  // without reading its body (401, 404, ...) closes the connection: the client may still be holding it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('connection', 'close');
    server.emit('request', req, res);
  });
  return server;
}

/** What llhttp's refusal is, for the client: status, reason phrase, code and message. */
function describe(err: NodeJS.ErrnoException & { reason?: string }): [number, string, string, string] {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request Header Fields Too Large', 'REQUEST_HEADERS_TOO_LARGE', `the request line and headers are larger than ${MAX_HEADER_BYTES} bytes; allowed: at most ${MAX_HEADER_BYTES} bytes`];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'the chunk extensions are too large; allowed: chunked bodies without long chunk extensions'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout', 'REQUEST_TIMEOUT', `the request did not arrive within ${HEADERS_TIMEOUT_MS / 1000} s (headers) or ${REQUEST_TIMEOUT_MS / 1000} s (whole request); allowed: a request sent at a steady pace`];
    default: {
      // llhttp's reasons are fixed strings ("Invalid method encountered"), never the client's bytes.
      const why = typeof err.reason === 'string' ? err.reason : err.code ?? 'malformed request';
      return [400, 'Bad Request', 'BAD_REQUEST', `the request is not valid HTTP/1.1 (${why}); allowed: a request line "METHOD /path HTTP/1.1", a Host header, well-formed headers, and a body framed by one Content-Length or by chunked Transfer-Encoding`];
    }
  }
}

/**
 * Answers a request llhttp refused, then closes the socket. An answer must never be taken for another
 * request's (HTTP/1.1 matches answers to requests by order):
 *  - nothing in flight: answer now;
 *  - the request in flight is the broken one (its body failed to parse, or it timed out): answer now if its
 *    response has not started, else just close;
 *  - the broken request was pipelined behind complete ones whose answers are still being produced: wait
 *    for those answers, in order, then answer. (Node's default handler answers at once, ahead of them.)
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const answer = () => writeAndClose(socket, ...describe(err), mayBeHead(err));
  const inFlight = responseOn(socket);
  if (!inFlight) return answer();
  if (!inFlight.req?.complete) {
    if (inFlight.headersSent) socket.destroy();
    else answer();
    return;
  }
  afterResponses(socket, answer);
}

/** The response node:http is writing on this socket (its internal slot, the one its own clientError handler reads). */
function responseOn(socket: Duplex): http.ServerResponse | null {
  return (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage ?? null;
}

/** Runs `then` once no response is in flight on `socket` (node:http assigns queued ones as each finishes). */
function afterResponses(socket: Duplex, then: () => void): void {
  const res = responseOn(socket);
  if (!res) return then();
  if (socket.destroyed) return;
  let moved = false;
  const next = () => {
    if (moved) return;
    moved = true;
    setImmediate(() => afterResponses(socket, then));
  };
  res.once('finish', next);
  res.once('close', next);
}

/**
 * Whether the refused request may be a HEAD, whose answer must have no body (a client would read the body
 * as the next response). llhttp does not say which method it had parsed, so: whether `HEAD ` starts a line
 * in the bytes parsed before the error. Wrong only towards leaving the body out.
 */
function mayBeHead(err: NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: number }): boolean {
  if (!Buffer.isBuffer(err.rawPacket)) return false;
  const parsed = err.rawPacket.subarray(0, typeof err.bytesParsed === 'number' ? err.bytesParsed + 1 : undefined).toString('latin1');
  return /(^|\n)HEAD\s/.test(parsed);
}

/**
 * Writes one JSON error response straight to the socket (there is no ServerResponse) and closes it.
 * `bodyless`: status and headers only (the answer to a HEAD).
 */
function writeAndClose(socket: Duplex, status: number, reason: string, code: string, message: string, bodyless = false): void {
  try {
    if (socket.writable) {
      const body = bodyless ? '' : JSON.stringify({ errors: [{ message, extensions: { code } }] });
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  } finally {
    socket.destroy();
  }
}
