/**
 * The drop-in endpoints: the gateway speaks the three backend APIs itself, so an existing client only
 * changes its base URL. Every request is authenticated, screened and post-checked under the same policy as
 * GraphQL, and forwarded to the configured backend (whatever its API).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { a1111Txt2img } from './a1111';
import { ComfyDropIn } from './comfyui';
import { openaiImages } from './openai';
import type { DropInDeps } from './shared';

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
    if (m) return (req, res) => comfy.history(req, res, decodeURIComponent(m[1]));
    return null;
  };
}

export type { DropInDeps } from './shared';
