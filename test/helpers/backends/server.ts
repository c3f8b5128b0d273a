/**
 * A test double of a diffusion server: real HTTP on 127.0.0.1 (node:http), speaking one backend's real API
 * and returning real PNGs. It records every prompt it receives (so a test can prove what reached, or never
 * reached, the backend) and has switches for the failures the gateway must handle.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * ok           answer normally
 * down         accept the connection and drop it (the gateway sees a network error)
 * unavailable  HTTP 503
 * slow         answer normally after `slowMs`
 * garbage      HTTP 200 with a body that is not JSON
 * wrong-shape  HTTP 200 with JSON that is not the API's answer
 * not-image    answer normally, but the image bytes are not an image
 * traceback    HTTP 500 with a Python traceback (file paths, the request's prompt echoed), as a crashing
 *              web UI answers: none of it may reach a client
 * execution-error  (ComfyUI) queue the prompt, then show it in /history as failed with a traceback
 */
export type Mode = 'ok' | 'down' | 'unavailable' | 'slow' | 'garbage' | 'wrong-shape' | 'not-image' | 'traceback' | 'execution-error';

/** What a crashing backend says: paths and a traceback (tests assert clients never see these). */
export const TRACEBACK_PATH = '/opt/stable-diffusion-webui/modules/processing.py';
export function traceback(prompt: unknown): string {
  return `Traceback (most recent call last):\n  File "${TRACEBACK_PATH}", line 845, in process_images\n    res = process_images_inner(p)\nRuntimeError: CUDA out of memory while sampling prompt ${JSON.stringify(prompt)}`;
}

export interface Received {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export abstract class FakeBackend {
  mode: Mode = 'ok';
  slowMs = 3000;
  /** Every prompt the backend received, in order. */
  readonly prompts: string[] = [];
  /** Every request body it received. */
  readonly received: Received[] = [];
  /** The last images it sent, as PNG bytes (before any gateway processing). */
  lastImages: Buffer[] = [];
  url = '';
  private server: http.Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.dispatch(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.mode = 'ok';
    this.prompts.length = 0;
    this.received.length = 0;
    this.lastImages = [];
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = undefined;
    if (raw) body = JSON.parse(raw);
    this.received.push({ path: `${req.method} ${url.pathname}`, authorization: req.headers.authorization, body });
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.mode === 'unavailable') return json(res, 503, { error: 'model is loading' });
    if (this.mode === 'traceback') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(traceback((body as { prompt?: unknown } | undefined)?.prompt));
      return;
    }
    if (this.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway from some proxy</body></html>');
      return;
    }
    if (this.mode === 'wrong-shape') return json(res, 200, { detail: 'nothing to see', images: 'not a list' });
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.slowMs).unref());
    await this.handle(req.method ?? 'GET', url, body, res);
  }

  protected abstract handle(method: string, url: URL, body: unknown, res: http.ServerResponse): Promise<void>;
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
