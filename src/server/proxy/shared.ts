/**
 * What the three drop-in APIs share: authentication, reading a JSON body, the request's context (the same
 * policy, prompt screen and image post-check as GraphQL), and the screen -> generate -> check pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError, badInput } from '../../errors';
import { jsonType } from '../../json-type';
import { noBackend, type BackendKind } from '../../diffusion/backend';
import { checkGenerateParams, type GenerateParams } from '../../diffusion/request';
import { promptSummary, type ImageDecision, type PromptDecision } from '../../safety/decisions';
import type { Tenant } from '../../safety/policy-file';
import type { Authenticate } from '../auth';
import type { GatewayContext } from '../context';
import { clientKey } from '../usage';
import { requestIdFrom, sendJson } from '../http';
import { BodyOverloaded, BodyTooLarge, OVERLOAD_RETRY_AFTER_S, readBody, type BodyBudget } from '../body';

export interface DropInDeps {
  authenticate: Authenticate;
  /** `client`: whose turn the request's model work takes in the batcher (../usage.ts clientKey). */
  context: (requestId: string, tenant: Tenant, client?: string) => GatewayContext;
  /** Largest drop-in body: min(MAX_DROP_IN_BODY_BYTES, MAX_BODY_BYTES); these routes take JSON prompts and workflows, never images. */
  maxBodyBytes: number;
  /** Request bytes buffered across every request in flight (MAX_BUFFERED_BYTES), shared with /graphql. */
  bodyBudget: BodyBudget;
}

/** A refusal in the peer API's own error shape. */
export type PeerError = (res: ServerResponse, status: number, code: string, message: string) => void;

/** The JSON answer every drop-in writes (the HTTP layer's own, re-exported for the three peer APIs). */
export { sendJson };

/** HTTP status for a gateway error code on the drop-in endpoints. */
export function statusFor(code: string): number {
  switch (code) {
    case ErrorCode.UNSAFE_PROMPT:
    case ErrorCode.BAD_USER_INPUT:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.REDIRECT_UNAVAILABLE:
    case ErrorCode.MODEL_UNAVAILABLE:
      return 503;
    case ErrorCode.BACKEND_TIMEOUT:
      return 504;
    case ErrorCode.BACKEND_UNAVAILABLE:
    case ErrorCode.BACKEND_BAD_RESPONSE:
      return 502;
    default:
      return 500;
  }
}

/** Authenticates and builds the request's context; answers 401 (in the peer's shape) and returns null when refused. */
export function open(deps: DropInDeps, req: IncomingMessage, res: ServerResponse, fail: PeerError): { ctx: GatewayContext; requestId: string } | null {
  const auth = deps.authenticate(req.headers.authorization);
  if (!auth.ok) {
    res.setHeader('www-authenticate', 'Bearer');
    fail(res, 401, ErrorCode.UNAUTHENTICATED, auth.message);
    return null;
  }
  const header = req.headers['x-request-id'];
  const requestId = requestIdFrom(Array.isArray(header) ? header[0] : header);
  res.setHeader('x-request-id', requestId);
  return { ctx: deps.context(requestId, auth.tenant, clientKey(auth.tenant, req)), requestId };
}

/**
 * Reads a JSON object body; answers 413/503/400 in the peer's shape and returns null when it cannot. A client
 * that left mid-body rejects (BodyAborted): the HTTP layer's boundary answers no one.
 */
export async function readJson(deps: DropInDeps, req: IncomingMessage, res: ServerResponse, fail: PeerError): Promise<Record<string, unknown> | null> {
  let raw: Buffer;
  try {
    raw = await readBody(req, res, deps.maxBodyBytes, deps.bodyBudget);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      fail(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${deps.maxBodyBytes} bytes; allowed: at most ${deps.maxBodyBytes} (MAX_DROP_IN_BODY_BYTES: a JSON prompt or workflow, no images)`);
      return null;
    }
    if (e instanceof BodyOverloaded) {
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', String(OVERLOAD_RETRY_AFTER_S));
      fail(res, 503, 'OVERLOADED', e.message);
      return null;
    }
    throw e;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    fail(res, 400, 'BAD_REQUEST', `request body is not valid JSON (${(e as Error).message}); allowed: a JSON object`);
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail(res, 400, 'BAD_REQUEST', 'request body is not a JSON object; allowed: a JSON object');
    return null;
  }
  return body as Record<string, unknown>;
}

/** A prompt field of a peer request: a non-empty string within MAX_TEXT_LENGTH. */
export function checkPromptField(v: unknown, field: string, maxLength: number): string {
  const allowed = `allowed: a non-empty string of at most ${maxLength} characters`;
  if (v === undefined) throw badInput(`${field} is missing; ${allowed}`);
  if (typeof v !== 'string') throw badInput(`${field} must be a string, got ${jsonType(v)}; ${allowed}`);
  if (v.trim() === '') throw badInput(`${field} is empty; ${allowed}`);
  if (v.length > maxLength) throw badInput(`${field} has ${v.length} characters; allowed: at most ${maxLength} (MAX_TEXT_LENGTH)`);
  if (!v.isWellFormed()) throw badInput(`${field} contains a lone UTF-16 surrogate; allowed: well-formed Unicode text`);
  return v;
}

export type DropInOutcome =
  | { ok: false; error: GatewayError; prompts: PromptDecision[] }
  | { ok: true; prompts: PromptDecision[]; images: ImageDecision[] };

/**
 * The pipeline: screen `prompts` (all in one model run); refuse if any is refused; call the backend with
 * `build(sent)` (the sent texts, in order); check every image. Never throws for expected failures.
 * `opts.negativeAt`: the index in `prompts` of a negative prompt that was screened too (the drop-in decided
 * the sampler renders it): the backend then gets its sent text as the negative prompt.
 */
export async function runDropIn(
  ctx: GatewayContext,
  route: string,
  prompts: string[],
  params: Omit<GenerateParams, 'prompt'>,
  names: Partial<Record<keyof GenerateParams, string>>,
  native: (sent: string[]) => { api: BackendKind; body: Record<string, unknown> },
  opts: { negativeAt?: number } = {},
): Promise<DropInOutcome> {
  let req;
  try {
    req = checkGenerateParams({ ...params, prompt: prompts[0] }, ctx.services.config.maxTextLength, names);
  } catch (e) {
    if (e instanceof GatewayError) return { ok: false, error: e, prompts: [] };
    throw e;
  }
  let decisions: PromptDecision[];
  try {
    decisions = await ctx.prompts.screen(prompts, route);
  } catch (e) {
    if (e instanceof GatewayError) return { ok: false, error: e, prompts: [] };
    throw e;
  }
  const refused = decisions.find((d) => d.error !== null);
  if (refused) return { ok: false, error: refused.error!, prompts: decisions };
  try {
    const sent = decisions.map((d) => d.sent!);
    req = { ...req, prompt: sent[0], ...(opts.negativeAt !== undefined ? { negativePrompt: sent[opts.negativeAt] } : {}) };
    if (!ctx.diffusion) throw noBackend();
    ctx.usage.addItems(req.count, 'prompts and generated images count too'); // every image is a model input for the post-check
    const n = native(sent);
    const images = await ctx.diffusion.generate({ ...req, native: n.api === ctx.diffusion.kind ? n : null });
    return { ok: true, prompts: decisions, images: await ctx.images.check(images.map((i) => i.bytes), route) };
  } catch (e) {
    if (e instanceof GatewayError) return { ok: false, error: e, prompts: decisions };
    throw e;
  }
}

/**
 * The per-request moderation summary every drop-in response carries (`moderation`). `fields` names the
 * request field each prompt decision is about (A1111 screens several), in the same order.
 */
export function moderationSummary(prompts: PromptDecision[], images: ImageDecision[] = [], fields: string[] = []): Record<string, unknown> {
  return {
    prompts: prompts.map((d, i) => (fields[i] ? { field: fields[i], ...promptSummary(d) } : promptSummary(d))),
    images: images.map((d) => ({
      index: d.index,
      action: d.action,
      checked: d.verdict !== null,
      unsafe: d.verdict?.unsafe ?? true,
      score: d.verdict?.score ?? 1,
      category: d.category,
      reason: d.reason,
      ...(d.code ? { code: d.code } : {}),
    })),
  };
}
