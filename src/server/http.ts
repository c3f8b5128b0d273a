/**
 * The HTTP surface: POST/GET /graphql (Apollo), GET /healthz, GET /readyz, GET /metrics, GET / (offline
 * query page). A small Node http integration instead of a framework: it reads the body with a size
 * limit, hands Apollo a parsed request, and streams Apollo's response back.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tenant } from '../safety/policy-file';
import type { Authenticate } from './auth';
import type { RateLimiter } from './rate-limit';
import type { GatewayContext } from './context';
import { landingPage } from './landing';
import type { Metrics } from './metrics';

export interface HttpDeps {
  apollo: ApolloServer<GatewayContext>;
  metrics: Metrics;
  maxBodyBytes: number;
  ready: () => boolean;
  context: (requestId: string, tenant: Tenant) => GatewayContext;
  modelName: string;
  fixture: boolean;
  /** API keys (policy file `apiKeys`): /graphql and the drop-in endpoints answer 401 without a valid one. */
  authenticate: Authenticate;
  /** Per-client request limits (HTTP 429 + Retry-After) on /graphql and the drop-in endpoints. */
  rateLimiter?: RateLimiter;
  /** The drop-in backend endpoints (src/server/proxy): a handler for a path, or null. */
  dropIn?: (pathname: string) => ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) | null;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A request-level error in GraphQL's response shape, with a stable code. */
function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    // One chunk (nearly every GraphQL body): no copy.
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Routes counted under their own metrics label; anything else is `/history/{id}` or `other`. */
const ROUTE_LABELS = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/', '/sdapi/v1/txt2img', '/prompt', '/view', '/v1/images/generations']);

/** The parts of the request target the router reads, as `new URL(target, 'http://localhost')` resolves them. */
export interface RequestTarget {
  pathname: string;
  search: string;
  /** The whole URL (drop-in endpoints read its query); parsed on first use. */
  url(): URL;
}

/**
 * Resolves the request target. `POST /graphql`, nearly every request, is recognised without building a URL
 * (about 1 us of the event loop's time a request); every other target goes through `new URL`, so
 * normalisation (dot segments, percent-encoding, `//host` forms) is exactly the WHATWG parser's.
 */
export function requestTarget(raw: string | undefined): RequestTarget {
  if (raw === '/graphql') return GRAPHQL_TARGET;
  const url = new URL(raw ?? '/', 'http://localhost');
  return { pathname: url.pathname, search: url.search, url: () => url };
}
const GRAPHQL_TARGET: RequestTarget = Object.freeze({ pathname: '/graphql', search: '', url: () => new URL('/graphql', 'http://localhost') });

export function createRequestHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = requestTarget(req.url);
    const route = url.pathname;
    const label = ROUTE_LABELS.has(route) ? route : route.startsWith('/history/') ? '/history/{id}' : 'other';
    res.on('finish', () => deps.metrics.httpRequests.inc({ route: label, status: String(res.statusCode) }));
    handle(deps, req, res, url).catch((e) => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      else res.destroy(e as Error);
    });
  };
}

/**
 * Who a request counts against: its API key's name when it presents a valid key, otherwise its client
 * address (the socket's peer; X-Forwarded-For is not trusted, since any client can set it).
 */
function rateClient(deps: HttpDeps, req: IncomingMessage): string {
  const auth = deps.authenticate(req.headers.authorization);
  if (auth.ok && auth.tenant.name) return `key:${auth.tenant.name}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
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
      return sendError(res, 404, 'NOT_FOUND', `no route ${url.pathname}; allowed: /graphql, /healthz, /readyz, /metrics, /${deps.dropIn ? ', and the drop-in endpoints /sdapi/v1/txt2img, /prompt, /history/{id}, /view, /v1/images/generations' : ''}`);
    }
  }
}

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
    raw = method === 'POST' ? await readBody(req, deps.maxBodyBytes) : Buffer.alloc(0);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${deps.maxBodyBytes} bytes; allowed: at most ${deps.maxBodyBytes} (MAX_BODY_BYTES)`);
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
  const requestId = headers.get('x-request-id')?.slice(0, 128) || randomUUID();
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => deps.context(requestId, auth.tenant),
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
