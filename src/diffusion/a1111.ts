/**
 * AUTOMATIC1111 / Forge web UI API: POST /sdapi/v1/txt2img with { prompt, negative_prompt, width, height,
 * steps, seed, batch_size, n_iter, ... }; the answer is { images: [base64 PNG, ...], parameters, info }.
 * The body is built from the GenerateRequest plus, for a drop-in A1111 request, only the allow-listed
 * fields of a1111-fields.ts: never the client's body as it came.
 */
import { A1111_FORWARDED } from './a1111-fields';
import { backendBadResponse, type BackendImage, type DiffusionBackend, type DiffusionSettings, type GenerateRequest } from './backend';
import { decodeBase64Image, requestJson } from './http';

export class A1111Backend implements DiffusionBackend {
  readonly kind = 'a1111' as const;
  readonly url: string;
  constructor(private readonly settings: DiffusionSettings) {
    this.url = settings.url;
  }

  async generate(req: GenerateRequest): Promise<BackendImage[]> {
    const call = { kind: this.kind, signal: AbortSignal.timeout(this.settings.timeoutMs), timeoutMs: this.settings.timeoutMs, apiKey: this.settings.apiKey };
    const native = req.native?.api === 'a1111' ? req.native.body : {};
    const picked = Object.fromEntries(A1111_FORWARDED.filter((k) => native[k] !== undefined && native[k] !== null).map((k) => [k, native[k]]));
    // count is batch_size x n_iter (the drop-in checked both); a GraphQL request is one batch.
    const nIter = Number.isInteger(picked.n_iter) && req.count % (picked.n_iter as number) === 0 ? (picked.n_iter as number) : 1;
    const body = {
      ...picked,
      prompt: req.prompt,
      negative_prompt: req.negativePrompt ?? '',
      width: req.width,
      height: req.height,
      steps: req.steps,
      seed: req.seed,
      batch_size: req.count / nIter,
      n_iter: nIter,
      send_images: true,
      save_images: false,
    };
    const answer = await requestJson(call, `${this.url}/sdapi/v1/txt2img`, { method: 'POST', json: body }, 'POST /sdapi/v1/txt2img');
    const images = (answer as { images?: unknown })?.images;
    if (!Array.isArray(images) || images.length === 0 || !images.every((i) => typeof i === 'string')) {
      throw backendBadResponse(this.kind, 'POST /sdapi/v1/txt2img did not return { images: [base64, ...] } with at least one image');
    }
    return (images as string[]).map((s) => ({ bytes: decodeBase64Image(s) }));
  }
}
