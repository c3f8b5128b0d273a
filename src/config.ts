/**
 * Configuration: environment variables and CLI flags -> one validated, frozen Config, resolved once at
 * start-up. Every error names the variable, the bad value and what is allowed. Defaults live here and
 * only here.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { BACKEND_KINDS, type BackendKind } from './diffusion/backend';
import { checkBackendUrl } from './diffusion/settings';
import { GatewayError, ErrorCode } from './errors';
import { IMAGE_POLICY_ACTIONS, PROMPT_POLICY_ACTIONS, type ImagePolicyAction, type PromptPolicyAction } from './safety/policy';

export interface Config {
  /** TCP port (PORT, default 4000). */
  port: number;
  /** Bind address (HOST, default 127.0.0.1; use 0.0.0.0 to listen on every interface). */
  host: string;
  /** Model bundle folder (MODEL_DIR, default: the embedded bundle). */
  modelDir: string;
  /** Worker threads running ONNX sessions (MODEL_WORKERS, default: min(cores, 2)). */
  workers: number;
  /** Intra-op threads per ONNX session (MODEL_THREADS, default 1: one core per worker). */
  intraOpThreads: number;
  /** ONNX Runtime execution providers in order (EXECUTION_PROVIDERS, default "cpu"; "cuda,cpu" for GPU). */
  executionProviders: string[];
  /** Cross-request batching: most items in one model run (BATCH_MAX_SIZE, default 64). */
  batchMaxSize: number;
  /** Most images in one model run (IMAGE_BATCH_MAX_SIZE, default: BATCH_MAX_SIZE). */
  imageBatchMaxSize: number | null;
  /** Cross-request batching: longest an item waits for companions when every worker is busy (BATCH_MAX_WAIT_MS, default 5). */
  batchMaxWaitMs: number;
  /** Most characters of text in one model run, so one batch holds a worker briefly (BATCH_MAX_TEXT_CHARS, default 8192; a longer text runs alone). */
  batchMaxTextChars: number;
  /** One model run longer than this fails with MODEL_UNAVAILABLE and its worker is replaced (INFERENCE_TIMEOUT_MS, default 15000). */
  inferenceTimeoutMs: number;
  /** Longest accepted text, in characters (MAX_TEXT_LENGTH, default 2000). */
  maxTextLength: number;
  /** Largest accepted image, in decoded bytes (MAX_IMAGE_BYTES, default 10 MiB). */
  maxImageBytes: number;
  /** Most pixels (width x height) an image may declare (MAX_IMAGE_PIXELS, default 40,000,000). */
  maxImagePixels: number;
  /** Most items in one *Many list (MAX_LIST_ITEMS, default 256). */
  maxListItems: number;
  /** Most model inputs (texts + images) one request may ask for, over all fields and lists (MAX_REQUEST_ITEMS, default 256). */
  maxRequestItems: number;
  /** Most characters of text one request may send to the model, over all fields, lists and prompts (MAX_REQUEST_TEXT_CHARS, default 100000). */
  maxRequestTextChars: number;
  /** Most pixels (width x height, as declared) of all the images one request may send to the model (MAX_REQUEST_PIXELS, default 100,000,000). */
  maxRequestPixels: number;
  /** Deepest selection a document may have (MAX_QUERY_DEPTH, default 15: introspection needs 13). */
  maxQueryDepth: number;
  /** Most aliases in one document (MAX_ALIASES, default 128). */
  maxAliases: number;
  /** Most lexical tokens in one document (MAX_TOKENS, default 10000). */
  maxTokens: number;
  /**
   * Sustained requests per second per API key, and per client address for requests without a valid key; 0 = off
   * (RATE_LIMIT_PER_SECOND). null (unset): server/rate-limit.ts rateLimitFor decides once the policy file is read:
   * 100 when it lists API keys, off when it does not (one web backend is one address).
   */
  rateLimitPerSecond: number | null;
  /** Burst per client above the sustained rate (RATE_LIMIT_BURST, default 200). */
  rateLimitBurst: number;
  /** Largest HTTP request body in bytes (MAX_BODY_BYTES, default 16 MiB): /graphql, which carries base64 images. */
  maxBodyBytes: number;
  /** Largest body of a drop-in route, JSON prompts and workflows only (MAX_DROP_IN_BODY_BYTES, default 2 MiB; capped by MAX_BODY_BYTES). */
  maxDropInBodyBytes: number;
  /** Request body bytes buffered across every request in flight; beyond it 503 OVERLOADED (MAX_BUFFERED_BYTES, default 64 MiB, at least MAX_BODY_BYTES). */
  maxBufferedBytes: number;
  /** Concept anchors returned in `nearest` (NEAREST_COUNT, default 3). */
  nearestCount: number;
  /** Safe-prompt pool for redirect (REDIRECT_POOL, default: the bundle's pool file). */
  poolFile: string | null;
  /** Strategy `redirect` uses when the request names none (REDIRECT_STRATEGY, default EDIT). */
  redirectStrategy: 'EDIT' | 'RETRIEVE';
  /** Where embedded pools are cached (CACHE_DIR, default <project>/.cache). */
  cacheDir: string;
  /** NODE_ENV=production: introspection off, errors masked. */
  production: boolean;
  /** Introspection on in production too (INTROSPECTION=true). */
  introspection: boolean;
  /** The policy file, JSON or YAML (POLICY_FILE, default plugins/policies/strict.yaml): src/safety/policy-file.ts. */
  policyFile: string;
  /** Overrides the policy file's top-level prompts.unsafe (PROMPT_ACTION: BLOCK, REDIRECT, FLAG); null: the file decides. */
  promptAction: PromptPolicyAction | null;
  /** Overrides the policy file's top-level images.unsafe (IMAGE_ACTION: PASS, BLUR, WITHHOLD); null: the file decides. */
  imageAction: ImagePolicyAction | null;
  /** Diffusion backend API (DIFFUSION_BACKEND: a1111, comfyui, openai); null: the file's diffusion.backend, else none. */
  diffusionBackend: BackendKind | null;
  /** Backend base URL (DIFFUSION_URL); null: the file's diffusion.url. */
  diffusionUrl: string | null;
  /** A whole generation must finish within this (DIFFUSION_TIMEOUT_MS); null: the file's diffusion.timeoutMs, else 120000. */
  diffusionTimeoutMs: number | null;
  /** Sent to the backend as a bearer token (DIFFUSION_API_KEY); null: none. */
  diffusionApiKey: string | null;
  /** What the audit log records of a prompt (AUDIT_PROMPTS: HASH = its sha256, TEXT = the prompt, NONE). */
  auditPrompts: 'HASH' | 'TEXT' | 'NONE';
}

/** The project root (two levels above this file, whether it runs from src/ or dist/src/). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schema'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(start, '..');
}

/** The policy used when POLICY_FILE is not set: redirect unsafe prompts, blur unsafe images. */
export const DEFAULT_POLICY_FILE = 'plugins/policies/strict.yaml';

/** Bundles shipped in the repository, in order of preference: the first that exists is the default. */
export const EMBEDDED_BUNDLES = ['models/hysac-mini', 'models/fixture-tiny'];

export function defaultModelDir(): string {
  for (const b of EMBEDDED_BUNDLES) {
    const dir = path.join(PROJECT_ROOT, b);
    if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
  }
  return path.join(PROJECT_ROOT, EMBEDDED_BUNDLES[0]);
}

type Env = Record<string, string | undefined>;

function configError(message: string): GatewayError {
  return new GatewayError(ErrorCode.CONFIG_INVALID, message);
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw configError(`${name}=${JSON.stringify(raw)} is not a whole number; allowed: an integer from ${min} to ${max}`);
  const v = Number(raw.trim());
  if (v < min || v > max) throw configError(`${name}=${v} is out of range; allowed: ${min} to ${max}`);
  return v;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw configError(`${name}=${JSON.stringify(raw)} is not a boolean; allowed: true, false, 1, 0, yes, no, on, off`);
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toUpperCase() as T;
  if (!allowed.includes(v)) throw configError(`${name}=${JSON.stringify(raw)} is not known; allowed: ${allowed.join(', ')}`);
  return v;
}

function backendKind(env: Env): BackendKind | null {
  const raw = env.DIFFUSION_BACKEND;
  if (raw === undefined || raw.trim() === '') return null;
  const v = raw.trim().toLowerCase() as BackendKind;
  if (!BACKEND_KINDS.includes(v)) throw configError(`DIFFUSION_BACKEND=${JSON.stringify(raw)} is not known; allowed: ${BACKEND_KINDS.join(', ')}`);
  return v;
}

const PROVIDERS = ['cpu', 'cuda', 'dml', 'coreml', 'tensorrt'];

/**
 * Resolves the configuration from environment variables, with `overrides` (from CLI flags) taking
 * precedence. Returns a frozen object; throws CONFIG_INVALID naming the bad setting.
 */
export function resolveConfig(env: Env = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const cores = Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  const providers = (env.EXECUTION_PROVIDERS ?? 'cpu').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const p of providers) {
    if (!PROVIDERS.includes(p)) throw configError(`EXECUTION_PROVIDERS contains ${JSON.stringify(p)}; allowed: ${PROVIDERS.join(', ')} (comma-separated, in order of preference)`);
  }
  const production = (env.NODE_ENV ?? '').trim() === 'production';
  const config: Config = {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: (env.HOST ?? '127.0.0.1').trim() || '127.0.0.1',
    modelDir: env.MODEL_DIR ? path.resolve(env.MODEL_DIR) : defaultModelDir(),
    workers: int(env, 'MODEL_WORKERS', Math.min(cores, 2), 1, 64),
    intraOpThreads: int(env, 'MODEL_THREADS', 1, 0, 64),
    executionProviders: providers.length ? providers : ['cpu'],
    batchMaxSize: int(env, 'BATCH_MAX_SIZE', 64, 1, 4096),
    imageBatchMaxSize: env.IMAGE_BATCH_MAX_SIZE ? int(env, 'IMAGE_BATCH_MAX_SIZE', 64, 1, 4096) : null,
    batchMaxWaitMs: int(env, 'BATCH_MAX_WAIT_MS', 5, 0, 1000),
    batchMaxTextChars: int(env, 'BATCH_MAX_TEXT_CHARS', 8192, 1, 100_000_000),
    inferenceTimeoutMs: int(env, 'INFERENCE_TIMEOUT_MS', 15000, 100, 600000),
    maxTextLength: int(env, 'MAX_TEXT_LENGTH', 2000, 1, 1_000_000),
    maxImageBytes: int(env, 'MAX_IMAGE_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxImagePixels: int(env, 'MAX_IMAGE_PIXELS', 40_000_000, 1, 1_000_000_000),
    maxListItems: int(env, 'MAX_LIST_ITEMS', 256, 1, 100_000),
    maxRequestItems: int(env, 'MAX_REQUEST_ITEMS', 256, 1, 100_000),
    maxRequestTextChars: int(env, 'MAX_REQUEST_TEXT_CHARS', 100_000, 1, 1_000_000_000),
    maxRequestPixels: int(env, 'MAX_REQUEST_PIXELS', 100_000_000, 1, 1_000_000_000_000),
    maxQueryDepth: int(env, 'MAX_QUERY_DEPTH', 15, 1, 1000),
    maxAliases: int(env, 'MAX_ALIASES', 128, 1, 100_000),
    maxTokens: int(env, 'MAX_TOKENS', 10_000, 10, 10_000_000),
    rateLimitPerSecond: env.RATE_LIMIT_PER_SECOND ? int(env, 'RATE_LIMIT_PER_SECOND', 0, 0, 1_000_000) : null,
    rateLimitBurst: int(env, 'RATE_LIMIT_BURST', 200, 1, 10_000_000),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxDropInBodyBytes: int(env, 'MAX_DROP_IN_BODY_BYTES', 2 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxBufferedBytes: int(env, 'MAX_BUFFERED_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    nearestCount: int(env, 'NEAREST_COUNT', 3, 0, 100),
    poolFile: env.REDIRECT_POOL ? path.resolve(env.REDIRECT_POOL) : null,
    redirectStrategy: oneOf(env, 'REDIRECT_STRATEGY', 'EDIT', ['EDIT', 'RETRIEVE'] as const),
    cacheDir: env.CACHE_DIR ? path.resolve(env.CACHE_DIR) : path.join(PROJECT_ROOT, '.cache'),
    production,
    introspection: bool(env, 'INTROSPECTION', !production),
    policyFile: env.POLICY_FILE ? path.resolve(env.POLICY_FILE) : path.join(PROJECT_ROOT, DEFAULT_POLICY_FILE),
    promptAction: env.PROMPT_ACTION ? oneOf(env, 'PROMPT_ACTION', 'REDIRECT', PROMPT_POLICY_ACTIONS) : null,
    imageAction: env.IMAGE_ACTION ? oneOf(env, 'IMAGE_ACTION', 'BLUR', IMAGE_POLICY_ACTIONS) : null,
    diffusionBackend: backendKind(env),
    diffusionUrl: env.DIFFUSION_URL ? checkBackendUrl(env.DIFFUSION_URL.trim(), 'DIFFUSION_URL', configError) : null,
    diffusionTimeoutMs: env.DIFFUSION_TIMEOUT_MS ? int(env, 'DIFFUSION_TIMEOUT_MS', 120000, 100, 3_600_000) : null,
    diffusionApiKey: env.DIFFUSION_API_KEY || null,
    auditPrompts: oneOf(env, 'AUDIT_PROMPTS', 'HASH', ['HASH', 'TEXT', 'NONE'] as const),
  };
  const merged: Config = { ...config };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  if (!fs.existsSync(merged.policyFile)) {
    throw configError(`POLICY_FILE=${merged.policyFile} does not exist; allowed: a JSON or YAML policy file (examples in plugins/policies/)`);
  }
  // Checked after overrides: a cap below one largest body would refuse every large request, however idle.
  if (merged.maxBufferedBytes < merged.maxBodyBytes) {
    throw configError(`MAX_BUFFERED_BYTES=${merged.maxBufferedBytes} is below MAX_BODY_BYTES=${merged.maxBodyBytes}; allowed: at least MAX_BODY_BYTES, so one largest request fits`);
  }
  if (merged.poolFile !== null && !fs.existsSync(merged.poolFile)) {
    throw configError(`REDIRECT_POOL=${merged.poolFile} does not exist; allowed: a text file of safe prompts, one a line`);
  }
  return Object.freeze(merged);
}

/** The configuration table for the README and `--help`: variable, default, meaning. */
export const CONFIG_DOC: ReadonlyArray<[string, string, string]> = [
  ['PORT', '4000', 'HTTP port'],
  ['HOST', '127.0.0.1', 'bind address (0.0.0.0 for every interface)'],
  ['MODEL_DIR', 'embedded bundle', 'model bundle folder (manifest.json + ONNX files)'],
  ['MODEL_WORKERS', 'min(cores, 2)', 'worker threads running ONNX sessions'],
  ['MODEL_THREADS', '1', 'intra-op threads per session (0 = ONNX Runtime decides)'],
  ['EXECUTION_PROVIDERS', 'cpu', 'ONNX Runtime providers in order, e.g. cuda,cpu'],
  ['BATCH_MAX_SIZE', '64', 'most items in one model run (cross-request batching)'],
  ['IMAGE_BATCH_MAX_SIZE', 'BATCH_MAX_SIZE', 'most images in one model run (4 saves ~20 % CPU per image on CPU, see test/bench/FINDINGS.md)'],
  ['BATCH_MAX_WAIT_MS', '5', 'longest an item waits for companions while every worker is busy'],
  ['BATCH_MAX_TEXT_CHARS', '8192', 'most characters of text in one model run, so one batch holds a worker briefly (a longer text runs alone)'],
  ['INFERENCE_TIMEOUT_MS', '15000', 'a model run slower than this fails (MODEL_UNAVAILABLE) and its worker is replaced'],
  ['MAX_TEXT_LENGTH', '2000', 'longest text, in characters'],
  ['MAX_IMAGE_BYTES', '10485760', 'largest image, decoded bytes'],
  ['MAX_IMAGE_PIXELS', '40000000', 'most pixels an image may declare (decompression bombs)'],
  ['MAX_LIST_ITEMS', '256', 'most items in embedMany/classifyMany'],
  ['MAX_REQUEST_ITEMS', '256', 'most model inputs (texts + images) one request may ask for'],
  ['MAX_REQUEST_TEXT_CHARS', '100000', 'most characters of text one request may send to the model (all fields, lists and prompts)'],
  ['MAX_REQUEST_PIXELS', '100000000', 'most pixels (declared width x height) of all the images one request may send to the model'],
  ['MAX_QUERY_DEPTH', '15', 'deepest selection in a GraphQL document'],
  ['MAX_ALIASES', '128', 'most aliases in a GraphQL document'],
  ['MAX_TOKENS', '10000', 'most lexical tokens in a GraphQL document'],
  ['RATE_LIMIT_PER_SECOND', '100 with API keys, else 0', 'requests per second per API key (and per client address for requests without a valid key); unset, it is off when the policy file lists no API keys, where one web backend is one address; set, it applies per address then too; 0 = no limit'],
  ['RATE_LIMIT_BURST', '200', 'burst allowed above the sustained rate, per client'],
  ['MAX_BODY_BYTES', '16777216', 'largest HTTP request body (/graphql, which carries base64 images); 413 beyond it'],
  ['MAX_DROP_IN_BODY_BYTES', '2097152', 'largest body of a drop-in route (JSON prompts and workflows, no images; at most MAX_BODY_BYTES); 413 in the peer API\'s shape beyond it'],
  ['MAX_BUFFERED_BYTES', '67108864', 'request body bytes buffered across every request in flight (at least MAX_BODY_BYTES); beyond it 503 OVERLOADED + Retry-After'],
  ['NEAREST_COUNT', '3', 'concept anchors listed in Classification.nearest'],
  ['REDIRECT_POOL', "bundle's pool", 'safe-prompt pool for redirect, one prompt a line'],
  ['REDIRECT_STRATEGY', 'EDIT', 'default redirect strategy: EDIT (minimal word edits) or RETRIEVE (HySAC traversal + pool)'],
  ['CACHE_DIR', '.cache', 'where embedded pools and anchors are cached'],
  ['NODE_ENV', '(unset)', 'production: introspection off, errors masked'],
  ['INTROSPECTION', 'on unless production', 'GraphQL introspection'],
  ['LOG_LEVEL', 'info', 'pino log level (logs are JSON lines on stderr)'],
  ['POLICY_FILE', 'plugins/policies/strict.yaml', 'the policy file (JSON or YAML): actions, thresholds, categories, API keys, backend (README: The policy file)'],
  ['PROMPT_ACTION', "the file's", 'overrides the top-level policy for unsafe prompts: BLOCK, REDIRECT or FLAG'],
  ['IMAGE_ACTION', "the file's", 'overrides the top-level policy for unsafe images: PASS, BLUR or WITHHOLD'],
  ['DIFFUSION_BACKEND', "the file's (none)", 'diffusion backend API: a1111, comfyui or openai'],
  ['DIFFUSION_URL', "the file's", 'the backend\'s base URL, e.g. http://127.0.0.1:7860'],
  ['DIFFUSION_TIMEOUT_MS', '120000', 'a generation slower than this fails with BACKEND_TIMEOUT'],
  ['DIFFUSION_API_KEY', '(unset)', 'sent to the backend as `Authorization: Bearer ...`'],
  ['AUDIT_PROMPTS', 'HASH', 'what the audit log records of a prompt: HASH (sha256), TEXT or NONE'],
];
