/**
 * The drop-in endpoints: the gateway speaks the three backend APIs itself, so an existing client only
 * changes its base URL. Every request is authenticated, screened and post-checked under the same policy as
 * GraphQL, and forwarded to the configured backend (whatever its API).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { a1111Txt2img } from './a1111';
import { ComfyDropIn } from './comfyui';
import { openaiImages } from './openai';
import { sendJson, type DropInDeps } from './shared';

export type DropInHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** The drop-in routes, for the metrics label and the 404 message. */
export const DROP_IN_ROUTES = ['/sdapi/v1/txt2img', '/prompt', '/history/{id}', '/view', '/v1/images/generations'];

/** Returns the handler for a path, or null when it is not a drop-in route. */
export function createDropInRoutes(deps: DropInDeps): (pathname: string) => DropInHandler | null {
  const comfy = new ComfyDropIn(deps);
  return (pathname) => {
    switch (pathname) {
      case '/sdapi/v1/txt2img':
        return (req, res) => a1111Txt2img(deps, req, res);
      case '/v1/images/generations':
        return (req, res) => openaiImages(deps, req, res);
      case '/prompt':
        return (req, res) => comfy.submit(req, res);
      case '/view':
        return (req, res, url) => comfy.view(req, res, url);
    }
    const m = /^\/history\/([^/]+)$/.exec(pathname);
    if (!m) return null;
    const id = decodePathSegment(m[1]);
    if (id === null) return (_req, res) => badHistoryId(res, m[1]);
    return (req, res) => comfy.history(req, res, id);
  };
}

/**
 * A percent-decoded path segment, or null when its escapes do not decode as UTF-8 (`%ED%A0%80`, `%C0%AF`):
 * decodeURIComponent throws there, and that throw used to be a 500. (Malformed escapes such as `%E0%A4%A`
 * never get here: the HTTP layer refuses the target first.)
 */
function decodePathSegment(s: string): string | null {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * 400 in ComfyUI's error shape (as comfyui.ts answers), before authentication like any unroutable target:
 * the id cannot name a job, whoever asks.
 */
function badHistoryId(res: ServerResponse, raw: string): void {
  const message = `/history/${raw.slice(0, 200)} does not hold a prompt id: its percent-escapes are not UTF-8; allowed: /history/{prompt_id} with the id POST /prompt returned`;
  res.setHeader('connection', 'close');
  sendJson(res, 400, { error: { type: 'invalid_prompt', message, details: '', extra_info: { code: 'BAD_REQUEST' } }, node_errors: {} });
}

export type { DropInDeps } from './shared';
