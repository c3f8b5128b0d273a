/**
 * Drop-in AUTOMATIC1111: POST /sdapi/v1/txt2img, screened and post-checked under the request's policy.
 *
 * What is forwarded is an allow-list (src/diffusion/a1111-fields.ts): the texts the gateway screened
 * (prompt, hr_prompt; negative_prompt and hr_negative_prompt too when cfg_scale < 1, see a1111-request.ts),
 * the core sizes and counts, and sampling settings checked for type and range. infotext, override_settings,
 * scripts, styles, checkpoint names and unknown fields are refused (422) naming the field and what is
 * allowed; the empty value of a refused field ("", [], {}, null) is accepted and dropped.
 *
 * Answer: A1111's own { images, parameters, info } plus `moderation` (what happened to each screened text,
 * with its `field`, and to each image). Blurred images are PNGs in place; a WITHHELD image is left out of
 * `images` (so `images` may be shorter than batch_size) and listed in `moderation.images` with its reason.
 * `parameters` is what the backend received (texts as sent); `info` carries the sent prompt.
 * Refusals use A1111's error shape { error, detail, body, errors } plus `code` (the gateway's stable code):
 * 400 UNSAFE_PROMPT, 422 BAD_USER_INPUT, 401 UNAUTHENTICATED, 502 BACKEND_UNAVAILABLE / BACKEND_BAD_RESPONSE,
 * 503 MODEL_UNAVAILABLE / REDIRECT_UNAVAILABLE, 504 BACKEND_TIMEOUT.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../../errors';
import { GENERATE_LIMITS } from '../../diffusion/request';
import { readA1111Request, type A1111Request } from './a1111-request';
import { moderationSummary, open, readJson, runDropIn, sendJson, statusFor, type DropInDeps, type PeerError } from './shared';

export const ROUTE_A1111 = 'POST /sdapi/v1/txt2img';

const a1111Error: PeerError = (res, status, code, message) => sendJson(res, status, { error: status === 401 ? 'Unauthorized' : 'HTTPException', detail: message, body: '', errors: message, code });

export async function a1111Txt2img(deps: DropInDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return a1111Error(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /sdapi/v1/txt2img is not supported; allowed: POST`);
  const opened = open(deps, req, res, a1111Error);
  if (!opened) return;
  const body = await readJson(deps, req, res, a1111Error);
  if (!body) return;
  const { ctx } = opened;
  let r: A1111Request;
  try {
    r = readA1111Request(body, ctx.services.config.maxTextLength);
  } catch (e) {
    return a1111Error(res, 422, (e as GatewayError).code, (e as Error).message);
  }
  const fields = r.screened.map((s) => s.field);
  let forwarded: Record<string, unknown> = {};
  const out = await runDropIn(
    ctx,
    ROUTE_A1111,
    r.screened.map((s) => s.text),
    { ...r.params, negativePrompt: r.negativePrompt },
    r.names,
    (sent) => {
      // Each screened text goes on as the screen sent it; negative_prompt through the request (negativeAt).
      const texts = Object.fromEntries(fields.map((f, i) => [f, sent[i]]).filter(([f]) => f !== 'prompt' && f !== 'negative_prompt'));
      forwarded = { ...r.forward, ...texts };
      return { api: 'a1111', body: forwarded };
    },
    { negativeAt: r.negativeAt },
  );
  if (!out.ok) {
    const status = out.error.code === 'BAD_USER_INPUT' ? 422 : statusFor(out.error.code);
    return sendJson(res, status, { error: 'HTTPException', detail: out.error.message, body: '', errors: out.error.message, code: out.error.code, moderation: moderationSummary(out.prompts, [], fields) });
  }
  const sent = out.prompts[0].sent!;
  const negative = r.negativeAt !== undefined ? out.prompts[r.negativeAt].sent! : r.negativePrompt;
  const passed = out.images.filter((d) => d.bytes !== null);
  const L = GENERATE_LIMITS;
  const [width, height, steps, seed] = [r.params.width ?? L.size.default, r.params.height ?? L.size.default, r.params.steps ?? L.steps.default, r.params.seed ?? L.seed.default];
  sendJson(res, 200, {
    images: passed.map((d) => d.bytes!.toString('base64')),
    parameters: { prompt: sent, negative_prompt: negative ?? '', width, height, steps, seed, batch_size: body.batch_size ?? 1, ...forwarded },
    info: JSON.stringify({ prompt: sent, all_prompts: passed.map(() => sent), negative_prompt: negative ?? '', seed, width, height }),
    moderation: moderationSummary(out.prompts, out.images, fields),
  });
}

