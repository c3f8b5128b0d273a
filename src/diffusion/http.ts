/**
 * HTTP to a diffusion backend with Node's fetch (undici): every call carries the generation's deadline
 * signal, and every failure becomes one of the three backend codes:
 *   connection refused/reset, DNS failure, HTTP 5xx   -> BACKEND_UNAVAILABLE
 *   the deadline passed (AbortSignal.timeout)         -> BACKEND_TIMEOUT
 *   HTTP 4xx, a body that is not JSON, too large      -> BACKEND_BAD_RESPONSE
 * Messages name the call and the HTTP status only; the backend's body goes into the error's `detail` (for
 * the log), since a backend's error page can hold file paths, a traceback or the prompt echoed back.
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

/** A network failure's code for the message (ECONNREFUSED, ...); its text, which can name the host, is for the log. */
function describeNetworkError(e: unknown): { code: string; detail: string } {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return { code: cause?.code ?? 'network error', detail: cause?.message ?? (e as Error).message ?? String(e) };
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
    const internal = { status: res.status, detail: excerpt(body) };
    if (res.status >= 500) throw backendUnavailable(call.kind, `${what} answered HTTP ${res.status}`, undefined, internal);
    if (res.status < 200 || res.status >= 300) throw backendBadResponse(call.kind, `${what} answered HTTP ${res.status}`, undefined, internal);
    return { body, contentType: res.headers.get('content-type') ?? '' };
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if (isTimeout(e, call)) throw backendTimeout(call.kind, call.timeoutMs, e);
    const net = describeNetworkError(e);
    throw backendUnavailable(call.kind, `${what} failed (${net.code})`, e, { detail: net.detail });
  }
}

/** A JSON exchange: the body must parse as JSON. */
export async function requestJson(call: Call, url: string, init: { method: 'GET' | 'POST'; json?: unknown }, what: string): Promise<unknown> {
  const { body } = await request(call, url, init, what);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw backendBadResponse(call.kind, `${what} is not JSON; allowed: a JSON body`, e, { status: 200, detail: excerpt(body) });
  }
}

/** How much of a backend's body the log keeps (enough for a Python traceback's last frames). */
export const DETAIL_BYTES = 2000;

/** The first bytes of a body as text, for the log (never for client messages); the logger escapes it. */
export function excerpt(body: Buffer, max = DETAIL_BYTES): string {
  const s = body.subarray(0, max).toString('utf8');
  return body.length > max ? `${s}...` : s;
}

/** Decodes a base64 image string (raw or a data: URL). Bytes are judged later by image-postcheck. */
export function decodeBase64Image(s: string): Buffer {
  const comma = s.startsWith('data:') ? s.indexOf(',') : -1;
  return Buffer.from(comma >= 0 ? s.slice(comma + 1) : s, 'base64');
}
