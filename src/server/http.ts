/**
 * The HTTP surface: POST/GET /graphql (Apollo), GET /healthz, GET /readyz, GET /metrics, GET / (offline
 * query page). A small Node http integration instead of a framework: it reads the body under the route's
 * limit and the process-wide buffer budget (body.ts), hands Apollo a parsed request, and streams Apollo's
 * response back. What llhttp refuses before a request exists is answered in http-server.ts.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tenant } from '../safety/policy-file';
import type { Authenticate } from './auth';
import type { RateLimiter } from './rate-limit';
import type { GatewayContext } from './context';
import { clientKey } from './usage';
import { BodyAborted, BodyOverloaded, BodyTooLarge, OVERLOAD_RETRY_AFTER_S, readBody, type BodyBudget } from './body';
import { landingPage } from './landing';
import type { Metrics } from './metrics';

export interface HttpDeps {
  apollo: ApolloServer<GatewayContext>;
  metrics: Metrics;
  /** Largest /graphql body (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Request bytes buffered across every request in flight (MAX_BUFFERED_BYTES). */
  bodyBudget: BodyBudget;
  ready: () => boolean;
  /** `client`: whose turn the request's model work takes in the batcher (usage.ts clientKey). */
  context: (requestId: string, tenant: Tenant, client?: string) => GatewayContext;
  modelName: string;
  fixture: boolean;
  /** API keys (policy file `apiKeys`): /graphql and the drop-in endpoints answer 401 without a valid one. */
  authenticate: Authenticate;
  /** Per-client request limits (HTTP 429 + Retry-After) on /graphql and the drop-in endpoints. */
  rateLimiter?: RateLimiter;
  /** Where a bug of ours (an answer of 500) is reported, with its error. */
  logError?: (err: unknown, message: string) => void;
  /** The drop-in backend endpoints (src/server/proxy): a handler for a path, or null. */
  dropIn?: (pathname: string) => ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) | null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A request-level error in GraphQL's response shape, with a stable code. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** Routes counted under their own metrics label; anything else is `/history/{id}` or `other`. */
const ROUTE_LABELS = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/', '/sdapi/v1/txt2img', '/prompt', '/view', '/v1/images/generations']);

/** The parts of the request target the router reads. */
export interface RequestTarget {
  pathname: string;
  search: string;
  /** The whole URL (drop-in endpoints read its query); parsed on first use. */
  url(): URL;
}

/**
 * Resolves the request target, or null when it is not one this server accepts (answered 400).
 * `POST /graphql`, nearly every request, is recognised without building a URL (about 1 us of the event
 * loop's time a request). Otherwise:
 *  - origin-form (`/path?query`, RFC 9112 3.2.1) must be RFC 3986 characters (so `//[` is a 400:
 *    `new URL('//[', base)` read `[` as a host and threw, and one such request used to end the process),
 *    then is resolved as a path on a fixed origin: dot segments and percent-encoding are normalised by the
 *    WHATWG parser, but `//host/graphql` stays a path (404), not a host and a route;
 *  - absolute-form (`http://host/path`, which servers must accept) keeps its path and query, not its host;
 *  - anything else (`*`, `host:port`, a bare word) is not a resource here.
 */
export function requestTarget(raw: string | undefined): RequestTarget | null {
  if (raw === '/graphql') return GRAPHQL_TARGET;
  if (raw === undefined) return null;
  let url: URL;
  try {
    if (raw.startsWith('/')) {
      if (!PATH_AND_QUERY.test(raw)) return null;
      url = new URL(`http://localhost${raw}`);
    } else {
      const m = ABSOLUTE_FORM.exec(raw);
      if (!m || !PATH_AND_QUERY.test(m[1] || '/')) return null;
      url = new URL(raw);
    }
  } catch {
    return null;
  }
  return { pathname: url.pathname, search: url.search, url: () => url };
}
/**
 * The path: RFC 3986 characters (pchar and "/"), with "%" only as the start of a two-digit escape, so `[`,
 * `]`, `#`, quotes, braces, backslashes, raw non-ASCII and stray "%" in a path are refused (400) rather than
 * guessed at. The query is looser (any visible ASCII but "#"): it never becomes a host, and GET /graphql
 * clients such as `curl -g 'http://.../graphql?query={model{name}}'` send braces and quotes unescaped. One
 * linear pass (the classes do not overlap, so there is no backtracking).
 */
const PATH_AND_QUERY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)*(?:\?[\x21-\x22\x24-\x7e]*)?$/;
/** `http(s)://authority` then the path and query (group 1); the authority is left to the URL parser. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*(.*)$/is;
const GRAPHQL_TARGET: RequestTarget = Object.freeze({ pathname: '/graphql', search: '', url: () => new URL('/graphql', 'http://localhost') });

/** At most this much of a client's path is echoed back in an error message. */
const ECHO_CHARS = 200;
const echo = (s: string) => JSON.stringify(s.length > ECHO_CHARS ? `${s.slice(0, ECHO_CHARS)}...` : s);

/**
 * The error boundary: nothing a request carries may throw out of this listener (an exception in a 'request'
 * listener ends the process) or reach a client as a 500 other than for a bug of ours.
 */
export function createRequestHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      const url = requestTarget(req.url);
      const route = url?.pathname ?? '';
      const label = ROUTE_LABELS.has(route) ? route : route.startsWith('/history/') ? '/history/{id}' : 'other';
      res.on('finish', () => deps.metrics.httpRequests.inc({ route: label, status: String(res.statusCode) }));
      if (!url) {
        res.setHeader('connection', 'close');
        return sendError(res, 400, 'BAD_REQUEST', `request target ${echo(req.url ?? '')} is not a valid request target; allowed: an absolute path such as /graphql (origin-form) or an http(s) URL (absolute-form), made of RFC 3986 characters (letters, digits, -._~!$&'()*+,;=:@/?) and %XX escapes`);
      }
      if (req.headers.host === undefined && req.httpVersionMinor === 1) {
        res.setHeader('connection', 'close');
        return sendError(res, 400, 'BAD_REQUEST', 'the HTTP/1.1 request has no Host header; allowed: a request with one Host header (RFC 9112 3.2)');
      }
      handle(deps, req, res, url).catch((e) => failed(deps, res, e));
    } catch (e) {
      failed(deps, res, e);
    }
  };
}

/** The last resort: a bug of ours (500, connection closed), or nothing to answer when the client left. */
function failed(deps: HttpDeps, res: ServerResponse, e: unknown): void {
  if (e instanceof BodyAborted) return;
  deps.logError?.(e, 'request failed: answered 500 (a bug: nothing a client sends should get here)');
  if (res.destroyed) return;
  if (!res.headersSent) {
    res.setHeader('connection', 'close');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
  } else res.destroy(e as Error);
}

/**
 * Who a request counts against: its API key's name when it presents a valid key, otherwise its client
 * address (the socket's peer; X-Forwarded-For is not trusted, since any client can set it).
 */
function rateClient(deps: HttpDeps, req: IncomingMessage): string {
  const auth = deps.authenticate(req.headers.authorization);
  return clientKey(auth.ok ? auth.tenant : null, req);
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: RequestTarget): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const limited = url.pathname === '/graphql' || (deps.dropIn?.(url.pathname) ?? null) !== null;
  if (limited && deps.rateLimiter?.enabled) {
    const d = deps.rateLimiter.take(rateClient(deps, req));
    if (!d.allowed) {
      res.setHeader('connection', 'close');
      return sendJson(res, 429, { errors: [{ message: `too many requests from this client; allowed: the configured rate (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST); retry after ${d.retryAfterS} s`, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: d.retryAfterS } }] }, { 'retry-after': String(d.retryAfterS) });
    }
  }
  switch (url.pathname) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      return deps.ready() ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'not ready' });
    case '/metrics': {
      const text = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(text);
      return;
    }
    case '/':
      if (method !== 'GET') return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} / is not supported; allowed: GET`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(landingPage(deps.modelName, deps.fixture));
      return;
    case '/graphql':
      return graphql(deps, req, res, url, method);
    default: {
      const dropIn = deps.dropIn?.(url.pathname);
      if (dropIn) return dropIn(req, res, url.url());
      return sendError(res, 404, 'NOT_FOUND', `no route ${echo(url.pathname)}; allowed: /graphql, /healthz, /readyz, /metrics, /${deps.dropIn ? ', and the drop-in endpoints /sdapi/v1/txt2img, /prompt, /history/{id}, /view, /v1/images/generations' : ''}`);
    }
  }
}

/**
 * The client's X-Request-Id (its first 128 characters) when they are visible ASCII, else a fresh UUID: the
 * id is echoed in a response header and written to the audit log, so it carries no spaces, control or
 * non-ASCII bytes.
 */
export function requestIdFrom(header: string | undefined): string {
  const id = header?.slice(0, 128);
  return id !== undefined && REQUEST_ID.test(id) ? id : randomUUID();
}
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

async function graphql(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: RequestTarget, method: string): Promise<void> {
  if (method === 'GET' && !url.search && String(req.headers.accept ?? '').includes('text/html')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(landingPage(deps.modelName, deps.fixture));
    return;
  }
  if (method !== 'GET' && method !== 'POST') {
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} /graphql is not supported; allowed: GET (queries) and POST`);
  }
  const auth = deps.authenticate(req.headers.authorization);
  if (!auth.ok) {
    // Refused before the body is read; the connection closes so an unread body cannot confuse the next request.
    res.setHeader('connection', 'close');
    return sendJson(res, 401, { errors: [{ message: auth.message, extensions: { code: 'UNAUTHENTICATED' } }] }, { 'www-authenticate': 'Bearer' });
  }
  let raw: Buffer;
  try {
    raw = method === 'POST' ? await readBody(req, res, deps.maxBodyBytes, deps.bodyBudget) : Buffer.alloc(0);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${deps.maxBodyBytes} bytes; allowed: at most ${deps.maxBodyBytes} (MAX_BODY_BYTES)`);
    }
    if (e instanceof BodyOverloaded) {
      res.setHeader('connection', 'close');
      return sendJson(res, 503, { errors: [{ message: e.message, extensions: { code: 'OVERLOADED', retryAfterSeconds: OVERLOAD_RETRY_AFTER_S } }] }, { 'retry-after': String(OVERLOAD_RETRY_AFTER_S) });
    }
    throw e;
  }
  const headers = new HeaderMap();
  const incoming = req.headers;
  for (const k in incoming) {
    const v = incoming[k];
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  let body: unknown = undefined;
  if (method === 'POST') {
    const type = headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        return sendError(res, 400, 'BAD_REQUEST', `request body is not valid JSON (${(e as Error).message}); allowed: a JSON object {"query": "...", "variables": {...}}`);
      }
    } else {
      body = raw.toString('utf8');
    }
  }
  const requestId = requestIdFrom(headers.get('x-request-id'));
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => deps.context(requestId, auth.tenant, clientKey(auth.tenant, req)),
  });
  const outHeaders: Record<string, string> = { 'x-request-id': requestId };
  for (const [k, v] of result.headers) outHeaders[k] = v;
  if (result.body.kind === 'complete') {
    // A known length instead of chunked encoding: node:http then sends head and body as one write, not a
    // writev of five pieces (chunk size, body, CRLF, last chunk) per response.
    const text = result.body.string;
    if (!('content-length' in outHeaders) && !('transfer-encoding' in outHeaders)) outHeaders['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(result.status ?? 200, outHeaders);
    res.end(text);
    return;
  }
  res.writeHead(result.status ?? 200, outHeaders);
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
