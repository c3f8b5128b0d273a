/**
 * The part of AUTOMATIC1111's web UI API (v1.10, `--api`) the demo backend speaks, as A1111 answers it:
 *   POST /sdapi/v1/txt2img   { prompt, negative_prompt, width, height, steps, seed, batch_size, n_iter,
 *                            sampler_name, cfg_scale, ... } -> { images: [base64 PNG], parameters, info }
 *   GET  /sdapi/v1/options, /sdapi/v1/sd-models, /sdapi/v1/samplers, /internal/ping
 * `parameters` is the request with A1111's defaults filled in; `info` is a JSON string whose `infotexts`
 * are the texts A1111 also writes into each PNG's "parameters" chunk. A field of the wrong type is HTTP 422
 * with FastAPI's `{ detail: [{ loc, msg, type }] }`; fields the demo does not use are accepted and echoed
 * in `parameters`, as A1111 does with settings its sampler ignores. There is no grid image: `images` holds
 * batch_size x n_iter pictures, each of the prompt as received (see render.ts).
 */
import { randomInt } from 'node:crypto';
import { renderPromptPng } from './render';

export const DEMO_MODEL = { title: 'hysac-demo.safetensors [0000000000]', model_name: 'hysac-demo', hash: '0000000000' } as const;
export const DEMO_SAMPLER = 'Euler a';
/** The most pixels the demo draws per request (width x height x images), so a request cannot take the host's memory. */
export const DEMO_MAX_PIXELS = 16 * 1024 * 1024;
export const DEMO_MAX_IMAGES = 16;

/** FastAPI's 422 body. */
export class ValidationFailure extends Error {
  constructor(readonly detail: { loc: (string | number)[]; msg: string; type: string }[]) {
    super(detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '));
  }
}

export interface Txt2ImgAnswer {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

/** A1111's defaults for the fields the demo reads (StableDiffusionProcessingTxt2Img). */
const DEFAULTS = { prompt: '', negative_prompt: '', width: 512, height: 512, steps: 50, seed: -1, batch_size: 1, n_iter: 1, cfg_scale: 7.0, sampler_name: DEMO_SAMPLER } as const;

type Field = 'string' | 'int' | 'number';
const TYPES: Record<keyof typeof DEFAULTS, Field> = { prompt: 'string', negative_prompt: 'string', width: 'int', height: 'int', steps: 'int', seed: 'int', batch_size: 'int', n_iter: 'int', cfg_scale: 'number', sampler_name: 'string' };
const RANGES: Partial<Record<keyof typeof DEFAULTS, [number, number]>> = { width: [8, 4096], height: [8, 4096], steps: [1, 150], batch_size: [1, DEMO_MAX_IMAGES], n_iter: [1, DEMO_MAX_IMAGES], seed: [-1, 4294967295] };

function fieldError(field: string, type: Field | 'range', range?: [number, number]) {
  if (type === 'range') return { loc: ['body', field], msg: `ensure this value is between ${range![0]} and ${range![1]}`, type: 'value_error.number.not_in_range' };
  const msg = type === 'string' ? 'str type expected' : type === 'int' ? 'value is not a valid integer' : 'value is not a valid float';
  return { loc: ['body', field], msg, type: type === 'string' ? 'type_error.str' : type === 'int' ? 'type_error.integer' : 'type_error.float' };
}

export interface Txt2ImgParams extends Record<string, unknown> {
  prompt: string;
  negative_prompt: string;
  width: number;
  height: number;
  steps: number;
  seed: number;
  batch_size: number;
  n_iter: number;
  cfg_scale: number;
  sampler_name: string;
}

/** The request's fields with defaults filled, or a ValidationFailure naming each bad field. */
export function readTxt2Img(body: unknown): Txt2ImgParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationFailure([{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]);
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = { ...b };
  const errors: ConstructorParameters<typeof ValidationFailure>[0] = [];
  for (const [field, type] of Object.entries(TYPES) as [keyof typeof DEFAULTS, Field][]) {
    const v = b[field];
    if (v === undefined || v === null) {
      out[field] = DEFAULTS[field];
      continue;
    }
    const ok = type === 'string' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v) && (type === 'number' || Number.isInteger(v));
    if (!ok) errors.push(fieldError(field, type));
    else if (RANGES[field] && ((v as number) < RANGES[field]![0] || (v as number) > RANGES[field]![1])) errors.push(fieldError(field, 'range', RANGES[field]));
  }
  if (errors.length) throw new ValidationFailure(errors);
  const count = (out.batch_size as number) * (out.n_iter as number);
  if (count > DEMO_MAX_IMAGES) throw new ValidationFailure([{ loc: ['body', 'batch_size'], msg: `batch_size x n_iter is ${count}; the demo backend draws at most ${DEMO_MAX_IMAGES} images a request`, type: 'value_error' }]);
  if ((out.width as number) * (out.height as number) * count > DEMO_MAX_PIXELS) {
    throw new ValidationFailure([{ loc: ['body', 'width'], msg: `width x height x images is over ${DEMO_MAX_PIXELS} pixels, the most the demo backend draws a request`, type: 'value_error' }]);
  }
  return out as Txt2ImgParams;
}

/** A1111's infotext: the prompt, "Negative prompt: ..." when there is one, then "Key: value" settings. */
export function infotext(p: Txt2ImgParams): string {
  const settings = `Steps: ${p.steps}, Sampler: ${p.sampler_name}, CFG scale: ${p.cfg_scale}, Seed: ${p.seed}, Size: ${p.width}x${p.height}, Model hash: ${DEMO_MODEL.hash}, Model: ${DEMO_MODEL.model_name}, Version: hysac-gateway demo`;
  return [p.prompt, ...(p.negative_prompt ? [`Negative prompt: ${p.negative_prompt}`] : []), settings].join('\n');
}

/** Answers one txt2img request: one picture of the prompt per image, seeds counting up as A1111's do. */
export async function txt2img(body: unknown): Promise<Txt2ImgAnswer> {
  const p = readTxt2Img(body);
  // A1111 draws a random seed for -1; image i of the request gets seed + i.
  const seed = p.seed === -1 ? randomInt(0, 2 ** 32 - 1) : p.seed;
  const count = p.batch_size * p.n_iter;
  const seeds = Array.from({ length: count }, (_, i) => seed + i);
  const texts = seeds.map((s) => infotext({ ...p, seed: s }));
  const images = await Promise.all(texts.map((t) => renderPromptPng(p.prompt, p.width, p.height, t)));
  const info = {
    prompt: p.prompt,
    all_prompts: seeds.map(() => p.prompt),
    negative_prompt: p.negative_prompt,
    all_negative_prompts: seeds.map(() => p.negative_prompt),
    seed,
    all_seeds: seeds,
    width: p.width,
    height: p.height,
    sampler_name: p.sampler_name,
    cfg_scale: p.cfg_scale,
    steps: p.steps,
    batch_size: p.batch_size,
    sd_model_name: DEMO_MODEL.model_name,
    sd_model_hash: DEMO_MODEL.hash,
    index_of_first_image: 0,
    infotexts: texts,
    version: 'hysac-gateway demo',
  };
  return { images: images.map((b) => b.toString('base64')), parameters: p, info: JSON.stringify(info) };
}

/** The GET endpoints clients (and health checks) call before generating; null for any other path. */
export function getEndpoint(pathname: string): unknown {
  switch (pathname) {
    case '/internal/ping':
      return {};
    case '/sdapi/v1/sd-models':
      return [{ ...DEMO_MODEL, sha256: null, filename: '(none: the demo backend draws the prompt as text)', config: null }];
    case '/sdapi/v1/options':
      return { sd_model_checkpoint: DEMO_MODEL.title, sd_checkpoint_hash: null, samples_format: 'png', CLIP_stop_at_last_layers: 1 };
    case '/sdapi/v1/samplers':
      return [{ name: DEMO_SAMPLER, aliases: ['k_euler_a', 'k_euler_ancestral'], options: {} }];
    default:
      return null;
  }
}
