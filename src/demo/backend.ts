/**
 * The demo diffusion backend: an HTTP server speaking AUTOMATIC1111's API (a1111-api.ts) that "generates"
 * a picture of the prompt it received, so the gateway's pipeline can be tried, and tested, end to end on a
 * machine without Stable Diffusion. `hysac-gateway demo-backend` runs it alone, `hysac-gateway demo` (npm run
 * demo) together with a gateway in front of it.
 *
 * It binds 127.0.0.1 unless told otherwise and keeps the last prompts it received (`received`), which is
 * what a demo user, or a test, checks to see what the gateway let through.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEndpoint, txt2img, ValidationFailure } from './a1111-api';

/** Largest request body, bytes: a txt2img body is a few hundred. */
export const DEMO_MAX_BODY_BYTES = 1024 * 1024;
/** How many received requests `received` keeps (oldest dropped first). */
export const DEMO_RECEIVED_KEPT = 100;

export interface DemoReceived {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  images: number;
}

export interface DemoBackend {
  url: string;
  port: number;
  /** The txt2img requests answered, oldest first (at most DEMO_RECEIVED_KEPT). */
  readonly received: readonly DemoReceived[];
  close(): Promise<void>;
}

export interface DemoBackendOptions {
  port?: number;
  host?: string;
  /** Called once per answered txt2img request (the CLI prints it). */
  onGenerate?: (r: DemoReceived) => void;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > DEMO_MAX_BODY_BYTES) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startDemoBackend(opts: DemoBackendOptions = {}): Promise<DemoBackend> {
  const received: DemoReceived[] = [];
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://demo.invalid').pathname;
    if (pathname === '/sdapi/v1/txt2img') {
      if (req.method !== 'POST') return send(res, 405, { detail: 'Method Not Allowed' });
      const raw = await readBody(req);
      if (raw === null) return send(res, 413, { detail: `request body over ${DEMO_MAX_BODY_BYTES} bytes` });
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 422, { detail: [{ loc: ['body'], msg: 'the body is not JSON', type: 'value_error.jsondecode' }] });
      }
      try {
        const answer = await txt2img(body);
        const p = answer.parameters;
        const r: DemoReceived = { prompt: p.prompt as string, negativePrompt: p.negative_prompt as string, width: p.width as number, height: p.height as number, images: answer.images.length };
        received.push(r);
        if (received.length > DEMO_RECEIVED_KEPT) received.shift();
        opts.onGenerate?.(r);
        return send(res, 200, answer);
      } catch (e) {
        if (e instanceof ValidationFailure) return send(res, 422, { detail: e.detail });
        throw e;
      }
    }
    const answer = getEndpoint(pathname);
    if (answer === null) return send(res, 404, { detail: 'Not Found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { detail: 'Method Not Allowed' });
    send(res, 200, answer);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // As A1111 does for an exception in a route: HTTP 500 with the error's name and message.
      if (!res.headersSent) send(res, 500, { error: (e as Error).name ?? 'Error', detail: '', body: '', errors: String((e as Error).message ?? e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7860, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; requests in flight get 2 s to finish.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
