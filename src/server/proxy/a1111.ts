/**
 * Drop-in AUTOMATIC1111: POST /sdapi/v1/txt2img, screened and post-checked under the request's policy.
 *
 * Answer: A1111's own { images, parameters, info } plus `moderation` (what happened to the prompt and to
 * each image). Blurred images are PNGs in place; a WITHHELD image is left out of `images` (so `images` may
 * be shorter than batch_size) and listed in `moderation.images` with its reason. When the prompt was
 * redirected, `parameters.prompt` and `info` carry the text the backend received.
 * `hr_prompt` is screened like `prompt`; `script_name`, `script_args` and `alwayson_scripts` are refused
 * unless empty (extensions such as ADetailer carry their own prompts, which the gateway cannot find).
 * Refusals use A1111's error shape { error, detail, body, errors } plus `code` (the gateway's stable code):
 * 400 UNSAFE_PROMPT / BAD_USER_INPUT, 401 UNAUTHENTICATED, 502 BACKEND_UNAVAILABLE / BACKEND_BAD_RESPONSE,
 * 503 MODEL_UNAVAILABLE / REDIRECT_UNAVAILABLE, 504 BACKEND_TIMEOUT.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../../errors';
import { checkPromptField, moderationSummary, open, readJson, runDropIn, sendJson, statusFor, type DropInDeps, type PeerError } from './shared';

export const ROUTE_A1111 = 'POST /sdapi/v1/txt2img';

const a1111Error: PeerError = (res, status, code, message) => sendJson(res, status, { error: status === 401 ? 'Unauthorized' : 'HTTPException', detail: message, body: '', errors: message, code });

/** Request keys that could smuggle unscreened prompts to the backend; refused unless empty. */
const UNSCREENABLE = ['script_name', 'script_args', 'alwayson_scripts'] as const;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** Raw values: checkGenerateParams refuses anything that is not an integer in range, naming the field. */
const raw = (v: unknown) => v as number | undefined;

export async function a1111Txt2img(deps: DropInDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return a1111Error(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /sdapi/v1/txt2img is not supported; allowed: POST`);
  const opened = open(deps, req, res, a1111Error);
  if (!opened) return;
  const body = await readJson(deps, req, res, a1111Error);
  if (!body) return;
  const { ctx } = opened;
  const prompts: string[] = [];
  try {
    prompts.push(checkPromptField(body.prompt, 'prompt', ctx.services.config.maxTextLength));
    // The hires-fix pass has its own prompt: it is screened like the main one.
    if (typeof body.hr_prompt === 'string' && body.hr_prompt.trim() !== '') prompts.push(checkPromptField(body.hr_prompt, 'hr_prompt', ctx.services.config.maxTextLength));
    // Scripts and extensions (ADetailer, ControlNet, ...) can carry prompts the gateway cannot find: not forwarded.
    for (const k of UNSCREENABLE) {
      if (!isEmpty(body[k])) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `${k} is not forwarded: scripts and extensions can carry prompts the gateway cannot screen; allowed: leave ${UNSCREENABLE.join(', ')} out or empty`);
    }
  } catch (e) {
    return a1111Error(res, 422, (e as GatewayError).code, (e as Error).message);
  }
  const params = {
    negativePrompt: typeof body.negative_prompt === 'string' ? body.negative_prompt : null,
    width: raw(body.width),
    height: raw(body.height),
    steps: raw(body.steps),
    seed: raw(body.seed),
    count: raw(body.batch_size),
  };
  const names = { negativePrompt: 'negative_prompt', count: 'batch_size' };
  const out = await runDropIn(ctx, ROUTE_A1111, prompts, params, names, (sent) => ({ api: 'a1111', body: { ...body, prompt: sent[0], ...(sent.length > 1 ? { hr_prompt: sent[1] } : {}) } }));
  if (!out.ok) {
    const status = out.error.code === 'BAD_USER_INPUT' ? 422 : statusFor(out.error.code);
    return sendJson(res, status, { error: 'HTTPException', detail: out.error.message, body: '', errors: out.error.message, code: out.error.code, moderation: moderationSummary(out.prompts) });
  }
  const sent = out.prompts[0].sent!;
  const passed = out.images.filter((d) => d.bytes !== null);
  sendJson(res, 200, {
    images: passed.map((d) => d.bytes!.toString('base64')),
    parameters: { ...body, prompt: sent },
    info: JSON.stringify({ prompt: sent, all_prompts: passed.map(() => sent), negative_prompt: params.negativePrompt ?? '', seed: params.seed ?? -1, width: params.width ?? 512, height: params.height ?? 512 }),
    moderation: moderationSummary(out.prompts, out.images),
  });
}
