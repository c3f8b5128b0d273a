/**
 * Reads and validates a bundle's manifest.json. The only place that knows the manifest's shape; an invalid
 * manifest stops start-up with BUNDLE_INVALID naming the field, the bad value and what is allowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayError, ErrorCode } from '../errors';
import type { Manifest, DistanceStats, ImagePreprocessSpec, SubwordSpec, TokenizerSpec } from './manifest-types';

export type { Manifest } from './manifest-types';

class Reader {
  constructor(private readonly manifestPath: string) {}

  fail(field: string, problem: string, allowed: string): never {
    throw new GatewayError(ErrorCode.BUNDLE_INVALID, `${this.manifestPath}: ${field} ${problem}; allowed: ${allowed}`);
  }

  obj(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `is ${show(v)}`, 'an object');
    return v as Record<string, unknown>;
  }

  str(o: Record<string, unknown>, key: string, field: string, opts: { optional?: boolean; oneOf?: readonly string[] } = {}): string {
    const v = o[key];
    if (v === undefined && opts.optional) return '';
    if (typeof v !== 'string' || v.length === 0) this.fail(`${field}.${key}`, `is ${show(v)}`, opts.oneOf ? opts.oneOf.join(', ') : 'a non-empty string');
    if (opts.oneOf && !opts.oneOf.includes(v)) this.fail(`${field}.${key}`, `is ${show(v)}`, opts.oneOf.join(', '));
    return v;
  }

  num(o: Record<string, unknown>, key: string, field: string, opts: { min?: number; max?: number; int?: boolean; exclusiveMin?: boolean } = {}): number {
    const v = o[key];
    const range = `${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ${opts.exclusiveMin ? '>' : '>='} ${opts.min}` : ''}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${field}.${key}`, `is ${show(v)}`, range);
    if (opts.int && !Number.isInteger(v)) this.fail(`${field}.${key}`, `is ${v}`, range);
    if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) this.fail(`${field}.${key}`, `is ${v}`, range);
    if (opts.max !== undefined && v > opts.max) this.fail(`${field}.${key}`, `is ${v}`, range);
    return v;
  }

  /** An optional boolean: `fallback` when absent. */
  bool(o: Record<string, unknown>, key: string, field: string, fallback: boolean): boolean {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(`${field}.${key}`, `is ${show(v)}`, `true or false (default ${fallback})`);
    return v;
  }

  triple(o: Record<string, unknown>, key: string, field: string, positive: boolean): [number, number, number] {
    const v = o[key];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      this.fail(`${field}.${key}`, `is ${show(v)}`, `three ${positive ? 'positive ' : ''}numbers (R, G, B)`);
    }
    return [v[0], v[1], v[2]];
  }

  file(dir: string, o: Record<string, unknown>, key: string, field: string, optional = false): string {
    const name = this.str(o, key, field, { optional });
    if (!name) return '';
    if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) this.fail(`${field}.${key}`, `is ${show(name)}`, 'a file name inside the bundle folder');
    if (!fs.existsSync(path.join(dir, name))) this.fail(`${field}.${key}`, `names ${show(name)}, which is not in ${dir}`, 'a file that exists in the bundle folder');
    return name;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function stats(r: Reader, o: Record<string, unknown>, key: string): DistanceStats {
  const s = r.obj(o[key], `bounds.${key}`);
  const f = `bounds.${key}`;
  const out = { mean: r.num(s, 'mean', f, { min: 0 }), p5: r.num(s, 'p5', f, { min: 0 }), p95: r.num(s, 'p95', f, { min: 0 }) };
  if (!(out.p5 <= out.mean && out.mean <= out.p95)) r.fail(f, `has p5=${out.p5}, mean=${out.mean}, p95=${out.p95}`, 'p5 <= mean <= p95');
  return out;
}

const SUBWORD_KEYS = ['ngrams', 'input', 'minN', 'maxN', 'slots'];

/** text.tokenizer.subwords: the n-gram file, the graph input it feeds, n-gram lengths and slots per word. */
function subwords(r: Reader, dir: string, v: unknown, textInput: unknown): SubwordSpec {
  const f = 'text.tokenizer.subwords';
  const s = r.obj(v, f);
  for (const key of Object.keys(s)) {
    if (!SUBWORD_KEYS.includes(key)) r.fail(`${f}.${key}`, 'is not a known key', SUBWORD_KEYS.join(', '));
  }
  const input = r.str(s, 'input', f);
  if (input === textInput) r.fail(`${f}.input`, `is ${show(input)}, the name of the token-id input (text.input)`, 'the name of the graph\'s second input, such as "subword_ids"');
  const minN = r.num(s, 'minN', f, { min: 1, max: 64, int: true });
  const maxN = r.num(s, 'maxN', f, { min: 1, max: 64, int: true });
  if (maxN < minN) r.fail(`${f}.maxN`, `is ${maxN}, below minN ${minN}`, `an integer >= minN (${minN}) and <= 64`);
  return { ngrams: r.file(dir, s, 'ngrams', f), input, minN, maxN, slots: r.num(s, 'slots', f, { min: 1, max: 4096, int: true }) };
}

function tokenizer(r: Reader, dir: string, v: unknown, textInput: unknown): TokenizerSpec {
  const t = r.obj(v, 'text.tokenizer');
  const type = r.str(t, 'type', 'text.tokenizer', { oneOf: ['word', 'clip-bpe'] });
  const contextLength = r.num(t, 'contextLength', 'text.tokenizer', { min: 1, max: 4096, int: true });
  if (type === 'word') {
    const vocab = r.file(dir, t, 'vocab', 'text.tokenizer');
    return { type, vocab, contextLength, ...(t.subwords !== undefined ? { subwords: subwords(r, dir, t.subwords, textInput) } : {}) };
  }
  if (t.subwords !== undefined) r.fail('text.tokenizer.subwords', `is set for tokenizer type ${show(type)}`, 'subwords only with type "word" (byte-level BPE reads every word)');
  const vocab = r.file(dir, t, 'vocab', 'text.tokenizer', true);
  return { type: 'clip-bpe', merges: r.file(dir, t, 'merges', 'text.tokenizer'), ...(vocab ? { vocab } : {}), contextLength };
}

function preprocess(r: Reader, v: unknown): ImagePreprocessSpec {
  const p = r.obj(v, 'image.preprocess');
  const f = 'image.preprocess';
  if (p.resize === 'shortest-side' && p.crop === 'none') {
    r.fail(`${f}.crop`, 'is "none" with resize "shortest-side", which cannot give a square tensor', '"center" (or resize "stretch" for no crop)');
  }
  return {
    size: r.num(p, 'size', f, { min: 1, max: 4096, int: true }),
    resize: r.str(p, 'resize', f, { oneOf: ['shortest-side', 'stretch'] }) as ImagePreprocessSpec['resize'],
    crop: r.str(p, 'crop', f, { oneOf: ['center', 'none'] }) as ImagePreprocessSpec['crop'],
    kernel: r.str(p, 'kernel', f, { oneOf: ['cubic', 'linear', 'lanczos3', 'nearest'] }) as ImagePreprocessSpec['kernel'],
    scale: r.num(p, 'scale', f, { min: 0, exclusiveMin: true }),
    mean: r.triple(p, 'mean', f, false),
    std: r.triple(p, 'std', f, true),
    layout: r.str(p, 'layout', f, { oneOf: ['NCHW', 'NHWC'] }) as ImagePreprocessSpec['layout'],
    background: r.triple(p, 'background', f, false),
  };
}

/** Validates a parsed manifest object for the bundle at `dir`. */
export function validateManifest(raw: unknown, dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  const r = new Reader(file);
  const m = r.obj(raw, 'manifest');
  if (m.formatVersion !== 1) r.fail('formatVersion', `is ${show(m.formatVersion)}`, '1');
  if (typeof m.fixture !== 'boolean') r.fail('fixture', `is ${show(m.fixture)}`, 'true or false');
  const prov = r.obj(m.provenance, 'provenance');
  const files = r.obj(prov.files, 'provenance.files');
  for (const [k, v] of Object.entries(files)) {
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) r.fail(`provenance.files.${k}`, `is ${show(v)}`, 'a sha256 hex digest');
  }
  const text = r.obj(m.text, 'text');
  const image = r.obj(m.image, 'image');
  const alpha = r.obj(m.alpha, 'alpha');
  const bounds = r.obj(m.bounds, 'bounds');
  const threshold = r.obj(m.threshold, 'threshold');
  const manifest: Manifest = {
    formatVersion: 1,
    name: r.str(m, 'name', 'manifest'),
    description: r.str(m, 'description', 'manifest'),
    fixture: m.fixture as boolean,
    provenance: {
      source: r.str(prov, 'source', 'provenance'),
      license: r.str(prov, 'license', 'provenance'),
      rebuild: r.str(prov, 'rebuild', 'provenance'),
      files: files as Record<string, string>,
      ...(typeof prov.notes === 'string' ? { notes: prov.notes } : {}),
    },
    embeddingDim: r.num(m, 'embeddingDim', 'manifest', { min: 1, max: 65536, int: true }),
    curvature: r.num(m, 'curvature', 'manifest', { min: 0, exclusiveMin: true }),
    outputs: r.str(m, 'outputs', 'manifest', { oneOf: ['tangent', 'space'] }) as Manifest['outputs'],
    alpha: { text: r.num(alpha, 'text', 'alpha', { min: 0, exclusiveMin: true }), image: r.num(alpha, 'image', 'alpha', { min: 0, exclusiveMin: true }) },
    text: {
      model: r.file(dir, text, 'model', 'text'),
      input: r.str(text, 'input', 'text'),
      output: r.str(text, 'output', 'text'),
      inputType: r.str(text, 'inputType', 'text', { oneOf: ['int64', 'int32'] }) as 'int64' | 'int32',
      tokenizer: tokenizer(r, dir, text.tokenizer, text.input),
      trimPadding: r.bool(text, 'trimPadding', 'text', false),
    },
    image: {
      model: r.file(dir, image, 'model', 'image'),
      input: r.str(image, 'input', 'image'),
      output: r.str(image, 'output', 'image'),
      preprocess: preprocess(r, image.preprocess),
    },
    bounds: {
      safeText: stats(r, bounds, 'safeText'),
      safeImage: stats(r, bounds, 'safeImage'),
      unsafeText: stats(r, bounds, 'unsafeText'),
      unsafeImage: stats(r, bounds, 'unsafeImage'),
    },
    threshold: { text: r.num(threshold, 'text', 'threshold', { min: 0, exclusiveMin: true }), image: r.num(threshold, 'image', 'threshold', { min: 0, exclusiveMin: true }) },
    coneK: m.coneK === undefined ? 0.1 : r.num(m, 'coneK', 'manifest', { min: 0, exclusiveMin: true }),
    anchors: r.file(dir, m, 'anchors', 'manifest'),
    ...(m.pool !== undefined ? { pool: r.file(dir, m, 'pool', 'manifest') } : {}),
    ...(m.substitutions !== undefined ? { substitutions: r.file(dir, m, 'substitutions', 'manifest') } : {}),
  };
  return manifest;
}

/** Reads `<dir>/manifest.json` and validates it. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new GatewayError(ErrorCode.BUNDLE_INVALID, `no model bundle at ${dir}: ${file} cannot be read; allowed: a folder holding manifest.json (set MODEL_DIR or --bundle)`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new GatewayError(ErrorCode.BUNDLE_INVALID, `${file} is not valid JSON (${(cause as Error).message}); allowed: a JSON object`, { cause });
  }
  return validateManifest(raw, dir);
}
