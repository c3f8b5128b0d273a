/**
 * The contract of a generation request, shared by GraphQL `generate` and the drop-in endpoints: sizes,
 * steps, seed and image count, with defaults. Errors are BAD_USER_INPUT naming the field and the range.
 */
import { badInput } from '../errors';
import { jsonType } from '../json-type';
import type { GenerateRequest } from './backend';

export const GENERATE_LIMITS = {
  size: { min: 64, max: 2048, multipleOf: 8, default: 512 },
  steps: { min: 1, max: 150, default: 20 },
  seed: { min: -1, max: 2147483647, default: -1 },
  count: { min: 1, max: 8, default: 1 },
} as const;

export interface GenerateParams {
  prompt: string;
  negativePrompt?: string | null;
  width?: number | null;
  height?: number | null;
  steps?: number | null;
  seed?: number | null;
  count?: number | null;
}

function intIn(v: number | null | undefined, field: string, r: { min: number; max: number; default: number; multipleOf?: number }): number {
  if (v === undefined || v === null) return r.default;
  const step = r.multipleOf ? `, a multiple of ${r.multipleOf}` : '';
  if (typeof v !== 'number' || !Number.isInteger(v) || v < r.min || v > r.max || (r.multipleOf && v % r.multipleOf !== 0)) {
    const what = typeof v === 'number' ? `is ${v}` : `must be a number, got ${jsonType(v)}`;
    throw badInput(`${field} ${what}; allowed: an integer from ${r.min} to ${r.max}${step} (default ${r.default})`);
  }
  return v;
}

/** Validates and fills defaults. `prefix` names the fields as the client wrote them (`input.` for GraphQL). */
export function checkGenerateParams(p: GenerateParams, maxTextLength: number, names: Partial<Record<keyof GenerateParams, string>> = {}): Omit<GenerateRequest, 'native'> {
  const n = (k: keyof GenerateParams) => names[k] ?? k;
  const neg = p.negativePrompt ?? null;
  if (neg !== null && (typeof neg !== 'string' || neg.length > maxTextLength || !neg.isWellFormed())) {
    const what = typeof neg !== 'string' ? `must be a string, got ${jsonType(neg)}` : neg.length > maxTextLength ? `has ${neg.length} characters` : 'contains a lone UTF-16 surrogate';
    throw badInput(`${n('negativePrompt')} ${what}; allowed: well-formed text of at most ${maxTextLength} characters (MAX_TEXT_LENGTH)`);
  }
  const L = GENERATE_LIMITS;
  return {
    prompt: p.prompt,
    negativePrompt: neg === null || neg.trim() === '' ? null : neg,
    width: intIn(p.width, n('width'), L.size),
    height: intIn(p.height, n('height'), L.size),
    steps: intIn(p.steps, n('steps'), L.steps),
    seed: intIn(p.seed, n('seed'), L.seed),
    count: intIn(p.count, n('count'), L.count),
  };
}
