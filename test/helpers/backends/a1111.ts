/** AUTOMATIC1111's txt2img API over real HTTP: POST /sdapi/v1/txt2img -> { images: [base64 PNG], parameters, info }. */
import type * as http from 'node:http';
import { NOT_AN_IMAGE, renderPng } from './images';
import { FakeBackend, json } from './server';

export class FakeA1111 extends FakeBackend {
  protected async handle(method: string, url: URL, body: unknown, res: http.ServerResponse): Promise<void> {
    if (method !== 'POST' || url.pathname !== '/sdapi/v1/txt2img') return json(res, 404, { detail: 'Not Found' });
    const b = body as { prompt: string; width?: number; height?: number; batch_size?: number };
    this.prompts.push(b.prompt);
    const n = b.batch_size ?? 1;
    const images = await Promise.all(Array.from({ length: n }, () => (this.mode === 'not-image' ? NOT_AN_IMAGE : renderPng(b.prompt, b.width ?? 512, b.height ?? 512))));
    this.lastImages = images;
    json(res, 200, { images: images.map((i) => i.toString('base64')), parameters: body, info: JSON.stringify({ prompt: b.prompt }) });
  }
}
