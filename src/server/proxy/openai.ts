/**
 * Drop-in OpenAI-style images API: POST /v1/images/generations, screened and post-checked.
 *
 * Answer: { created, data: [{ b64_json, revised_prompt? }], moderation }. `revised_prompt` is set when the
 * prompt was redirected (the text the backend received). Blurred images are PNGs in place; a WITHHELD image
 * is left out of `data` and listed in `moderation.images` with its reason. Only b64_json is served
 * (response_format "url" is refused: the gateway keeps no image store).
 * Refusals use OpenAI's error shape { error: { message, type, param, code } } plus `error.gateway_code`:
 * a blocked prompt is HTTP 400 with code "moderation_blocked", type "invalid_request_error", param "prompt".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../../errors';
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

export async function openaiImages(deps: DropInDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return openaiError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /v1/images/generations is not supported; allowed: POST`);
  const opened = open(deps, req, res, (r, s, c, m) => openaiError(r, s, c, m));
  if (!opened) return;
  const body = await readJson(deps, req, res, (r, s, c, m) => openaiError(r, s, c, m));
  if (!body) return;
  const { ctx } = opened;
  let prompt: string;
  let size: { width?: number; height?: number } = {};
  try {
    prompt = checkPromptField(body.prompt, 'prompt', ctx.services.config.maxTextLength);
    if (body.response_format !== undefined && body.response_format !== 'b64_json') {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, `response_format ${JSON.stringify(body.response_format)} is not served; allowed: b64_json`);
    }
    if (body.size !== undefined && body.size !== 'auto') {
      const m = typeof body.size === 'string' ? /^(\d+)x(\d+)$/.exec(body.size) : null;
      if (!m) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `size ${JSON.stringify(body.size)} is not WIDTHxHEIGHT; allowed: e.g. "1024x1024" or "auto"`);
      size = { width: Number(m[1]), height: Number(m[2]) };
    }
  } catch (e) {
    return openaiError(res, 400, (e as GatewayError).code, (e as Error).message, 'prompt');
  }
  const params = { ...size, count: body.n as number | undefined };
  const names = { count: 'n', width: 'size (width)', height: 'size (height)' };
  const out = await runDropIn(ctx, ROUTE_OPENAI, [prompt], params, names, () => ({ api: 'openai', body }));
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
