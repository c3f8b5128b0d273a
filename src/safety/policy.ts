/**
 * The safety policy: what happens to unsafe prompts and images, at which thresholds, for which categories.
 *
 * A verdict *counts* when the content is unsafe (its distance from the origin reaches the policy's threshold
 * for its modality) AND the category of the nearest unsafe concept anchor is in `categories`. A counted
 * prompt gets `prompts.unsafe` (BLOCK / REDIRECT / FLAG); a counted image gets `images.unsafe` (PASS / BLUR /
 * WITHHOLD). Anything else passes: safe content always, and unsafe content nearest to a category the policy
 * does not cover (that is what `categories` is for: a research tenant studying only violence can leave the
 * others alone). The category of unsafe content is the label of the nearest anchor among the unsafe ones,
 * so every unsafe verdict has exactly one category, even when a safe anchor happens to be closer.
 * A bundle without unsafe anchors gives no category: then every unsafe verdict counts (fail closed).
 * Content that could not be checked never counts as anything: it is refused (prompts) or withheld (images).
 * A text whose coverage (the share of its words the model could read, measured with a subword model) is below
 * `minCoverage` is unsafe whatever its distance (verdict.ts) and always counts, whatever `categories` says: no
 * concept decided it, so no category can excuse it (fail closed).
 *
 * Parsing here is pure: `parsePolicy` validates one policy object and names the bad key and what is
 * allowed; policy-file.ts reads files, named policies and API keys.
 */
import { GatewayError, ErrorCode } from '../errors';
import type { Manifest } from '../runtime/manifest-types';
import type { RedirectStrategyName } from './service';
import { calibrationFor, DEFAULT_MIN_COVERAGE, type Calibration, type ModalityName, type Verdict } from './verdict';

export const PROMPT_POLICY_ACTIONS = ['BLOCK', 'REDIRECT', 'FLAG'] as const;
export type PromptPolicyAction = (typeof PROMPT_POLICY_ACTIONS)[number];
export const IMAGE_POLICY_ACTIONS = ['PASS', 'BLUR', 'WITHHOLD'] as const;
export type ImagePolicyAction = (typeof IMAGE_POLICY_ACTIONS)[number];
export const REDIRECT_STRATEGY_NAMES: readonly RedirectStrategyName[] = ['EDIT', 'RETRIEVE'];
/** The unsafe categories of the concept anchors (every bundle labels its anchors with these or `safe`). */
export const UNSAFE_CATEGORIES = ['sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal-activity'] as const;

export interface Policy {
  /** `default` for the top-level policy of a file, else its key under `policies`. */
  name: string;
  prompts: {
    /** What happens to a counted unsafe prompt. Default REDIRECT. */
    unsafe: PromptPolicyAction;
    /** How REDIRECT rewrites it. Default: REDIRECT_STRATEGY (EDIT). */
    redirect: RedirectStrategyName;
  };
  images: {
    /** What happens to a counted unsafe image. Default BLUR. */
    unsafe: ImagePolicyAction;
  };
  /** Distance thresholds; null = the bundle's calibrated threshold. */
  thresholds: { text: number | null; image: number | null };
  /** Categories that count. Default: all seven. */
  categories: readonly string[];
  /** A text whose coverage is below this (0..1) is unsafe whatever its distance; 0 turns the check off. Default 0.5. */
  minCoverage: number;
}

/** The strict default: redirect unsafe prompts, blur unsafe images, bundle thresholds, every category. */
export function defaultPolicy(redirect: RedirectStrategyName = 'EDIT'): Policy {
  return { name: 'default', prompts: { unsafe: 'REDIRECT', redirect }, images: { unsafe: 'BLUR' }, thresholds: { text: null, image: null }, categories: [...UNSAFE_CATEGORIES], minCoverage: DEFAULT_MIN_COVERAGE };
}

/** A policy file problem; `where` is the file (or "policy"), `key` the dotted path of the bad key. */
export function policyError(where: string, key: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.CONFIG_INVALID, `${where}: ${key} ${message}`);
}

type Raw = Record<string, unknown>;

export function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks that `v` is a mapping with only `allowed` keys. */
export function expectMapping(v: unknown, where: string, key: string, allowed: readonly string[]): Raw {
  if (!isRecord(v)) throw policyError(where, key, `is ${describe(v)}; allowed: a mapping with keys ${allowed.join(', ')}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw policyError(where, join(key, k), `is not a known key; allowed keys of ${key || 'the file'}: ${allowed.join(', ')}`);
  }
  return v;
}

export function expectOneOf<T extends string>(v: unknown, where: string, key: string, allowed: readonly T[]): T {
  const s = typeof v === 'string' ? v.trim() : v;
  const found = allowed.find((a) => typeof s === 'string' && a.toLowerCase() === s.toLowerCase());
  if (found === undefined) throw policyError(where, key, `= ${JSON.stringify(v)} is not known; allowed: ${allowed.join(', ')}`);
  return found;
}

export function join(a: string, b: string): string {
  return a ? `${a}.${b}` : b;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `a ${typeof v}`;
}

function threshold(v: unknown, where: string, key: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 100) {
    throw policyError(where, key, `= ${JSON.stringify(v)} is not a usable threshold; allowed: a geodesic distance greater than 0 and at most 100, or null for the bundle's calibrated threshold`);
  }
  return v;
}

function categories(v: unknown, where: string, key: string, def: readonly string[]): readonly string[] {
  if (v === undefined || v === null) return def;
  const allowed = `a non-empty list of ${UNSAFE_CATEGORIES.join(', ')}`;
  if (!Array.isArray(v) || v.length === 0) throw policyError(where, key, `is ${describe(v)}${Array.isArray(v) ? ' with no entries' : ''}; allowed: ${allowed}`);
  const out: string[] = [];
  v.forEach((c, i) => {
    const name = expectOneOf(c, where, `${key}[${i}]`, UNSAFE_CATEGORIES);
    if (out.includes(name)) throw policyError(where, `${key}[${i}]`, `repeats ${JSON.stringify(name)}; allowed: each category once`);
    out.push(name);
  });
  return out;
}

function minCoverage(v: unknown, where: string, key: string, def: number): number {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw policyError(where, key, `= ${JSON.stringify(v)} is not a usable coverage; allowed: a number from 0 to 1, the share of a text's words the model must be able to read (0 turns the check off; default ${DEFAULT_MIN_COVERAGE})`);
  }
  return v;
}

export const POLICY_KEYS = ['prompts', 'images', 'thresholds', 'categories', 'minCoverage'] as const;

/**
 * Validates one policy mapping (`prompts`, `images`, `thresholds`, `categories`, `minCoverage`; every key optional) on top
 * of `base`. `extraKeys` are keys the caller handles itself (the file's `policies`, `apiKeys`, ...).
 */
export function parsePolicy(raw: unknown, o: { where: string; key: string; name: string; base: Policy; extraKeys?: readonly string[] }): Policy {
  const { where, key } = o;
  const v = expectMapping(raw ?? {}, where, key, [...POLICY_KEYS, ...(o.extraKeys ?? [])]);
  const p = o.base;
  const prompts = v.prompts === undefined ? {} : expectMapping(v.prompts, where, join(key, 'prompts'), ['unsafe', 'redirect']);
  const images = v.images === undefined ? {} : expectMapping(v.images, where, join(key, 'images'), ['unsafe']);
  const th = v.thresholds === undefined || v.thresholds === null ? {} : expectMapping(v.thresholds, where, join(key, 'thresholds'), ['text', 'image']);
  return Object.freeze({
    name: o.name,
    prompts: Object.freeze({
      unsafe: prompts.unsafe === undefined ? p.prompts.unsafe : expectOneOf(prompts.unsafe, where, join(key, 'prompts.unsafe'), PROMPT_POLICY_ACTIONS),
      redirect: prompts.redirect === undefined ? p.prompts.redirect : expectOneOf(prompts.redirect, where, join(key, 'prompts.redirect'), REDIRECT_STRATEGY_NAMES),
    }),
    images: Object.freeze({
      unsafe: images.unsafe === undefined ? p.images.unsafe : expectOneOf(images.unsafe, where, join(key, 'images.unsafe'), IMAGE_POLICY_ACTIONS),
    }),
    thresholds: Object.freeze({
      text: 'text' in th ? threshold(th.text, where, join(key, 'thresholds.text')) : p.thresholds.text,
      image: 'image' in th ? threshold(th.image, where, join(key, 'thresholds.image')) : p.thresholds.image,
    }),
    categories: Object.freeze(categories(v.categories, where, join(key, 'categories'), p.categories)),
    minCoverage: minCoverage(v.minCoverage, where, join(key, 'minCoverage'), p.minCoverage),
  });
}

/** The calibration a policy judges a modality with: the bundle's, with the policy's threshold if it sets one. */
export function policyCalibration(manifest: Manifest, policy: Policy, modality: ModalityName): Calibration {
  const t = modality === 'TEXT' ? policy.thresholds.text : policy.thresholds.image;
  return calibrationFor(manifest, modality, t ?? undefined);
}

/** Whether an unsafe verdict is one this policy acts on (see the file comment). */
export function counts(policy: Policy, verdict: Verdict, category: string | null): boolean {
  return verdict.unsafe && (verdict.reason === 'coverage' || category === null || policy.categories.includes(category));
}
