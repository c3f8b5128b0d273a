/**
 * HTTP to a diffusion backend with Node's fetch (undici): every call carries the generation's deadline
 * signal, and every failure becomes one of the three backend codes:
 *   connection refused/reset, DNS failure, HTTP 5xx   -> BACKEND_UNAVAILABLE
 *   the deadline passed (AbortSignal.timeout)         -> BACKEND_TIMEOUT
 *   HTTP 4xx, a body that is not JSON, too large      -> BACKEND_BAD_RESPONSE
 */
import { GatewayError } from '../errors';
import { backendBadResponse, backendTimeout, backendUnavailable } from './backend';

/** Largest response body read from a backend (a batch of 8 PNGs at 2048x2048 fits comfortably). */
export const MAX_BACKEND_RESPONSE_BYTES = 512 * 1024 * 1024;

export interface Call {
  kind: string;
  /** The generation's deadline: AbortSignal.timeout(timeoutMs), shared by all its calls. */
  signal: AbortSignal;
  timeoutMs: number;
  apiKey: string | null;
}

function isTimeout(e: unknown, call: Call): boolean {
  return call.signal.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
}

function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

async function readLimited(res: Response, call: Call, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BACKEND_RESPONSE_BYTES) {
    throw backendBadResponse(call.kind, `${what} declares ${declared} bytes; allowed: at most ${MAX_BACKEND_RESPONSE_BYTES}`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_BACKEND_RESPONSE_BYTES) throw backendBadResponse(call.kind, `${what} is larger than ${MAX_BACKEND_RESPONSE_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** One HTTP exchange; returns the body of a 2xx answer. */
export async function request(call: Call, url: string, init: { method: 'GET' | 'POST'; json?: unknown }, what: string): Promise<{ body: Buffer; contentType: string }> {
  const headers: Record<string, string> = { accept: 'application/json, image/*' };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
  try {
    const res = await fetch(url, { method: init.method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json), signal: call.signal, redirect: 'error' });
    const body = await readLimited(res, call, what);
    if (res.status >= 500) throw backendUnavailable(call.kind, `${what} answered HTTP ${res.status}: ${snippet(body)}`);
    if (res.status < 200 || res.status >= 300) throw backendBadResponse(call.kind, `${what} answered HTTP ${res.status}: ${snippet(body)}`);
    return { body, contentType: res.headers.get('content-type') ?? '' };
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if (isTimeout(e, call)) throw backendTimeout(call.kind, call.timeoutMs, e);
    throw backendUnavailable(call.kind, `${what} failed (${describeNetworkError(e)})`, e);
  }
}

/** A JSON exchange: the body must parse as JSON. */
export async function requestJson(call: Call, url: string, init: { method: 'GET' | 'POST'; json?: unknown }, what: string): Promise<unknown> {
  const { body } = await request(call, url, init, what);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw backendBadResponse(call.kind, `${what} is not JSON (${snippet(body)}); allowed: a JSON body`, e);
  }
}

/** The first bytes of a body, printable, for messages. */
export function snippet(body: Buffer, max = 120): string {
  const s = body.subarray(0, max).toString('utf8').replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(body.length > max ? `${s}...` : s);
}

/** Decodes a base64 image string (raw or a data: URL). Bytes are judged later by image-postcheck. */
export function decodeBase64Image(s: string): Buffer {
  const comma = s.startsWith('data:') ? s.indexOf(',') : -1;
  return Buffer.from(comma >= 0 ? s.slice(comma + 1) : s, 'base64');
}
