/**
 * Drop-in OpenAI-style images API: POST /v1/images/generations, screened and post-checked.
 *
 * Answer: { created, data: [{ b64_json, revised_prompt? }], moderation }. `revised_prompt` is set when the
 * prompt was redirected (the text the backend received). Blurred images are PNGs in place; a WITHHELD image
 * is left out of `data` and listed in `moderation.images` with its reason. Only b64_json is served
 * (response_format "url" is refused: the gateway keeps no image store).
 *
 * Operator settings win. Forwarded: the prompt as screened, n, size, and OPENAI_SETTINGS (quality, style,
 * background, output_format, output_compression; src/diffusion/openai.ts) checked against their values.
 * Accepted and never forwarded: model, moderation, user (the backend gets the operator's
 * diffusion.openai.model, or none, and its own moderation default; SDKs send a model on every call, so
 * refusing it would break them). Refused: stream, partial_images (not served) and unknown fields.
 * Refusals use OpenAI's error shape { error: { message, type, param, code } } plus `error.gateway_code`:
 * a blocked prompt is HTTP 400 with code "moderation_blocked", type "invalid_request_error", param "prompt".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badInput, ErrorCode, GatewayError } from '../../errors';
import { OPENAI_SETTINGS } from '../../diffusion/openai';
import { jsonType } from '../../json-type';
import { checkPromptField, moderationSummary, open, readJson, runDropIn, sendJson, statusFor, type DropInDeps } from './shared';

export const ROUTE_OPENAI = 'POST /v1/images/generations';

const OPENAI_CODES: Record<string, string> = {
  [ErrorCode.UNSAFE_PROMPT]: 'moderation_blocked',
  [ErrorCode.UNAUTHENTICATED]: 'invalid_api_key',
  [ErrorCode.BAD_USER_INPUT]: 'invalid_value',
};

function openaiError(res: ServerResponse, status: number, code: string, message: string, param: string | null = null, extra: Record<string, unknown> = {}): void {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param, code: OPENAI_CODES[code] ?? code.toLowerCase(), gateway_code: code }, ...extra });
}

const CORE = ['prompt', 'n', 'size', 'response_format'];
/** Accepted for SDK compatibility, never forwarded: the operator's settings stand in for them. */
const IGNORED = ['model', 'moderation', 'user'];
const NOT_SERVED = ['stream', 'partial_images'];

/** The OPENAI_SETTINGS a body sets, checked; BAD_USER_INPUT (with `param`) for anything refused or unknown. */
function checkOpenAISettings(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (CORE.includes(k) || IGNORED.includes(k) || v === null || v === undefined) continue;
    if (NOT_SERVED.includes(k)) {
      if (v === false || v === 0) continue;
      throw badInput(`${k} is not served: the gateway answers with whole, checked images; allowed: leave ${k} out`, { param: k });
    }
    const allowed = Object.hasOwn(OPENAI_SETTINGS, k) ? OPENAI_SETTINGS[k] : undefined;
    if (allowed === undefined) throw badInput(`${k} is not a field the gateway forwards; allowed: ${[...CORE, ...Object.keys(OPENAI_SETTINGS), ...IGNORED].join(', ')} (${IGNORED.join(', ')} are ignored: the operator's settings apply)`, { param: k });
    const ok = allowed === 'percent' ? typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100 : allowed.includes(v as string);
    const want = allowed === 'percent' ? 'number' : allowed.every((a) => typeof a === 'string') ? 'string' : null;
    const what = want === null || typeof v === want ? `is ${JSON.stringify(v)?.slice(0, 60)}` : `must be a ${want}, got ${jsonType(v)}`;
    if (!ok) throw badInput(`${k} ${what}; allowed: ${allowed === 'percent' ? 'an integer from 0 to 100' : allowed.join(', ')}`, { param: k });
    out[k] = v;
  }
  return out;
}

export async function openaiImages(deps: DropInDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return openaiError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /v1/images/generations is not supported; allowed: POST`);
  const opened = open(deps, req, res, (r, s, c, m) => openaiError(r, s, c, m));
  if (!opened) return;
  const body = await readJson(deps, req, res, (r, s, c, m) => openaiError(r, s, c, m));
  if (!body) return;
  const { ctx } = opened;
  let prompt: string;
  let size: { width?: number; height?: number } = {};
  let settings: Record<string, unknown>;
  try {
    prompt = checkPromptField(body.prompt, 'prompt', ctx.services.config.maxTextLength);
    if (body.response_format !== undefined && body.response_format !== 'b64_json') {
      const what = typeof body.response_format === 'string' ? `${JSON.stringify(body.response_format)} is not served` : `must be a string, got ${jsonType(body.response_format)}`;
      throw badInput(`response_format ${what}; allowed: b64_json`, { param: 'response_format' });
    }
    if (body.size !== undefined && body.size !== 'auto') {
      if (typeof body.size !== 'string') throw badInput(`size must be a string, got ${jsonType(body.size)}; allowed: "WIDTHxHEIGHT" such as "1024x1024", or "auto"`, { param: 'size' });
      const m = /^(\d+)x(\d+)$/.exec(body.size);
      if (!m) throw badInput(`size ${JSON.stringify(body.size.slice(0, 60))} is not WIDTHxHEIGHT; allowed: e.g. "1024x1024" or "auto"`, { param: 'size' });
      size = { width: Number(m[1]), height: Number(m[2]) };
    }
    settings = checkOpenAISettings(body);
  } catch (e) {
    return openaiError(res, 400, (e as GatewayError).code, (e as Error).message, ((e as GatewayError).extensions?.param as string | undefined) ?? 'prompt');
  }
  const params = { ...size, count: body.n as number | undefined };
  const names = { count: 'n', width: 'size (width)', height: 'size (height)' };
  const out = await runDropIn(ctx, ROUTE_OPENAI, [prompt], params, names, () => ({ api: 'openai', body: settings }));
  if (!out.ok) {
    const param = out.error.code === ErrorCode.UNSAFE_PROMPT ? 'prompt' : null;
    return openaiError(res, statusFor(out.error.code), out.error.code, out.error.message, param, { moderation: moderationSummary(out.prompts) });
  }
  const d = out.prompts[0];
  sendJson(res, 200, {
    created: Math.floor(Date.now() / 1000),
    data: out.images.filter((i) => i.bytes !== null).map((i) => ({ b64_json: i.bytes!.toString('base64'), ...(d.action === 'REDIRECT' ? { revised_prompt: d.sent } : {}) })),
    moderation: moderationSummary(out.prompts, out.images),
  });
}
