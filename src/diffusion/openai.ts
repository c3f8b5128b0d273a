/**
 * OpenAI-style images API: POST /v1/images/generations with { model?, prompt, n, size: "WxH",
 * response_format: "b64_json", ... }; the answer is { created, data: [{ b64_json }, ...] }. Image URLs in
 * the answer are refused (the gateway does not fetch URLs): ask the backend for b64_json.
 *
 * Operator settings win: `model` and `moderation` are always the operator's (diffusion.openai.model and
 * .moderation, or none), `quality` is the operator's when set (diffusion.openai.quality), and of a drop-in
 * request's body only OPENAI_SETTINGS are forwarded; a client's model, moderation or user never reach the
 * backend.
 */
import { backendBadResponse, type BackendImage, type DiffusionBackend, type DiffusionSettings, type GenerateRequest } from './backend';
import { decodeBase64Image, requestJson } from './http';
import { OPENAI_QUALITIES } from './settings';

/** Look-and-format options forwarded from a drop-in request, with the values allowed (none changes what is drawn). */
export const OPENAI_SETTINGS: Readonly<Record<string, readonly (string | number)[] | 'percent'>> = Object.freeze({
  quality: OPENAI_QUALITIES,
  style: ['vivid', 'natural'],
  background: ['auto', 'opaque', 'transparent'],
  output_format: ['png', 'jpeg', 'webp'],
  output_compression: 'percent',
});

export class OpenAIBackend implements DiffusionBackend {
  readonly kind = 'openai' as const;
  readonly url: string;
  constructor(private readonly settings: DiffusionSettings) {
    this.url = settings.url;
  }

  async generate(req: GenerateRequest): Promise<BackendImage[]> {
    const call = { kind: this.kind, signal: AbortSignal.timeout(this.settings.timeoutMs), timeoutMs: this.settings.timeoutMs, apiKey: this.settings.apiKey };
    const native = req.native?.api === 'openai' ? req.native.body : {};
    const picked = Object.fromEntries(Object.keys(OPENAI_SETTINGS).filter((k) => native[k] !== undefined && native[k] !== null).map((k) => [k, native[k]]));
    const { model, quality, moderation } = this.settings.openai;
    const body = { ...picked, ...(quality ? { quality } : {}), ...(moderation ? { moderation } : {}), ...(model ? { model } : {}), prompt: req.prompt, n: req.count, size: `${req.width}x${req.height}`, response_format: 'b64_json' };
    const answer = await requestJson(call, `${this.url}/v1/images/generations`, { method: 'POST', json: body }, 'POST /v1/images/generations');
    const data = (answer as { data?: unknown })?.data;
    if (!Array.isArray(data) || data.length === 0) {
      throw backendBadResponse(this.kind, 'POST /v1/images/generations did not return { data: [{ b64_json }, ...] } with at least one image');
    }
    return data.map((d, i) => {
      const b64 = (d as { b64_json?: unknown })?.b64_json;
      if (typeof b64 !== 'string') {
        const hasUrl = typeof (d as { url?: unknown })?.url === 'string';
        throw backendBadResponse(this.kind, `data[${i}] has no b64_json${hasUrl ? ' (it has a url; the gateway does not fetch URLs)' : ''}; allowed: response_format b64_json`);
      }
      return { bytes: decodeBase64Image(b64) };
    });
  }
}
