/** The OpenAI images API over real HTTP: POST /v1/images/generations -> { created, data: [{ b64_json }] }. */
import type * as http from 'node:http';
import { NOT_AN_IMAGE, renderPng } from './images';
import { FakeBackend, json } from './server';

export class FakeOpenAI extends FakeBackend {
  protected async handle(method: string, url: URL, body: unknown, res: http.ServerResponse): Promise<void> {
    if (method !== 'POST' || url.pathname !== '/v1/images/generations') return json(res, 404, { error: { message: 'Unknown route', type: 'invalid_request_error', param: null, code: null } });
    const b = body as { prompt: string; n?: number; size?: string; response_format?: string };
    if (b.response_format !== 'b64_json') return json(res, 400, { error: { message: 'response_format must be b64_json here', type: 'invalid_request_error', param: 'response_format', code: null } });
    this.prompts.push(b.prompt);
    const [w, h] = (b.size ?? '1024x1024').split('x').map(Number);
    const images = await Promise.all(Array.from({ length: b.n ?? 1 }, () => (this.mode === 'not-image' ? NOT_AN_IMAGE : renderPng(b.prompt, w, h))));
    this.lastImages = images;
    json(res, 200, { created: Math.floor(Date.now() / 1000), data: images.map((i) => ({ b64_json: i.toString('base64') })) });
  }
}
