/**
 * The `diffusion:` section of the policy file, with the environment on top (DIFFUSION_BACKEND,
 * DIFFUSION_URL, DIFFUSION_TIMEOUT_MS, DIFFUSION_API_KEY win over the file). Validated once at start-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectMapping, expectOneOf, isRecord, join, policyError } from '../safety/policy';
import { BACKEND_KINDS, type BackendKind, type ComfyWorkflow, type DiffusionSettings } from './backend';
import defaultWorkflow from './comfyui-txt2img.json';

/** OpenAI's image `quality` values (dall-e-3: standard, hd; gpt-image-1: low, medium, high; both: auto). */
export const OPENAI_QUALITIES = ['auto', 'standard', 'hd', 'low', 'medium', 'high'] as const;
/** OpenAI's image `moderation` values (gpt-image-1). */
export const OPENAI_MODERATION = ['auto', 'low'] as const;

export const DEFAULT_DIFFUSION_TIMEOUT_MS = 120_000;
export const DEFAULT_COMFYUI_POLL_MS = 250;
export const DEFAULT_WORKFLOW_NAME = 'src/diffusion/comfyui-txt2img.json (shipped)';

export interface DiffusionEnv {
  backend: BackendKind | null;
  url: string | null;
  timeoutMs: number | null;
  apiKey: string | null;
}

/** Checks a backend base URL (http or https, no query or fragment); returns it without a trailing slash. */
export function checkBackendUrl(raw: string, name: string, fail: (message: string) => Error): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fail(`${name}=${JSON.stringify(raw)} is not a URL; allowed: the backend's base URL, e.g. http://127.0.0.1:7860`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail(`${name}=${JSON.stringify(raw)} uses ${u.protocol}; allowed: http: or https:`);
  if (u.search || u.hash || u.username || u.password) throw fail(`${name}=${JSON.stringify(raw)} has a query, fragment or credentials; allowed: a base URL such as http://127.0.0.1:7860 (API keys go in DIFFUSION_API_KEY)`);
  return u.toString().replace(/\/+$/, '');
}

function checkWorkflow(wf: unknown, where: string, key: string): ComfyWorkflow {
  if (!isRecord(wf) || Object.keys(wf).length === 0) throw policyError(where, key, 'is not a ComfyUI workflow; allowed: an API-format workflow (Save (API Format) in ComfyUI): { "<node id>": { "class_type": ..., "inputs": { ... } } }');
  for (const [id, node] of Object.entries(wf)) {
    if (!isRecord(node) || typeof node.class_type !== 'string' || !isRecord(node.inputs)) {
      throw policyError(where, `${key} node ${JSON.stringify(id)}`, 'has no class_type and inputs; allowed: an API-format workflow (Save (API Format) in ComfyUI)');
    }
  }
  return wf as ComfyWorkflow;
}

function textNode(wf: ComfyWorkflow, id: unknown, where: string, key: string, workflowName: string): string {
  if (typeof id !== 'string' && typeof id !== 'number') throw policyError(where, key, `= ${JSON.stringify(id)} is not a node id; allowed: the id of a node with a text input, e.g. "6"`);
  const node = wf[String(id)];
  if (!node || typeof node.inputs.text !== 'string') {
    const candidates = Object.entries(wf).filter(([, n]) => typeof n.inputs.text === 'string').map(([k]) => k);
    throw policyError(where, key, `= ${JSON.stringify(id)} is not a node with a text input in ${workflowName}; allowed: ${candidates.join(', ') || '(the workflow has no node with a text input)'}`);
  }
  return String(id);
}

function positiveInt(v: unknown, where: string, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw policyError(where, key, `= ${JSON.stringify(v)} is out of range; allowed: an integer from ${min} to ${max}`);
  return v;
}

/**
 * The diffusion settings, or null when no backend is configured (then `generate` and the drop-in endpoints
 * answer BACKEND_UNAVAILABLE). `where` names the policy file; `dir` resolves a relative workflow path.
 */
export function parseDiffusion(raw: unknown, env: DiffusionEnv, where: string, dir: string, envVars: Record<string, string | undefined>, fail: (message: string) => Error): DiffusionSettings | null {
  const key = 'diffusion';
  const d = raw === undefined || raw === null ? {} : expectMapping(raw, where, key, ['backend', 'url', 'timeoutMs', 'apiKeyEnv', 'comfyui', 'openai']);
  // Every key is checked even when no backend is configured, so a broken section never waits to be found.
  const backend = env.backend ?? (d.backend === undefined ? null : expectOneOf(d.backend, where, join(key, 'backend'), BACKEND_KINDS));
  let url: string | null = null;
  if (env.url !== null) url = checkBackendUrl(env.url, 'DIFFUSION_URL', fail);
  else if (d.url !== undefined) {
    if (typeof d.url !== 'string') throw policyError(where, join(key, 'url'), `= ${JSON.stringify(d.url)} is not a URL; allowed: the backend's base URL, e.g. http://127.0.0.1:7860`);
    url = checkBackendUrl(d.url, `${where}: diffusion.url`, fail);
  }
  const timeoutMs = env.timeoutMs ?? (d.timeoutMs === undefined ? DEFAULT_DIFFUSION_TIMEOUT_MS : positiveInt(d.timeoutMs, where, join(key, 'timeoutMs'), 100, 3_600_000));
  let apiKey = env.apiKey;
  if (apiKey === null && d.apiKeyEnv !== undefined) {
    if (typeof d.apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(d.apiKeyEnv)) throw policyError(where, join(key, 'apiKeyEnv'), `= ${JSON.stringify(d.apiKeyEnv)} is not an environment variable name; allowed: a name such as OPENAI_API_KEY`);
    apiKey = envVars[d.apiKeyEnv] || null;
    if (apiKey === null && backend !== null) throw policyError(where, join(key, 'apiKeyEnv'), `names ${d.apiKeyEnv}, which is not set; allowed: set ${d.apiKeyEnv} or remove apiKeyEnv`);
  }

  const c = d.comfyui === undefined ? {} : expectMapping(d.comfyui, where, join(key, 'comfyui'), ['workflow', 'promptNode', 'negativePromptNode', 'pollIntervalMs']);
  let workflow: ComfyWorkflow = defaultWorkflow as unknown as ComfyWorkflow;
  let workflowFile = DEFAULT_WORKFLOW_NAME;
  if (c.workflow !== undefined) {
    if (typeof c.workflow !== 'string') throw policyError(where, join(key, 'comfyui.workflow'), 'is not a path; allowed: a path to an API-format workflow JSON, relative to the policy file');
    workflowFile = path.resolve(dir, c.workflow);
    let text: string;
    try {
      text = fs.readFileSync(workflowFile, 'utf8');
    } catch (e) {
      throw policyError(where, join(key, 'comfyui.workflow'), `= ${workflowFile} cannot be read (${(e as Error).message}); allowed: an existing API-format workflow JSON`);
    }
    try {
      workflow = checkWorkflow(JSON.parse(text), where, join(key, 'comfyui.workflow'));
    } catch (e) {
      if (e instanceof SyntaxError) throw policyError(where, join(key, 'comfyui.workflow'), `= ${workflowFile} is not JSON (${e.message}); allowed: an API-format workflow JSON`);
      throw e;
    }
  }
  const promptNode = textNode(workflow, c.promptNode ?? '6', where, join(key, 'comfyui.promptNode'), workflowFile);
  let negativePromptNode: string | null = null;
  if (c.negativePromptNode !== undefined && c.negativePromptNode !== null) negativePromptNode = textNode(workflow, c.negativePromptNode, where, join(key, 'comfyui.negativePromptNode'), workflowFile);
  else if (c.negativePromptNode === undefined && typeof workflow['7']?.inputs.text === 'string' && promptNode !== '7') negativePromptNode = '7';
  const pollIntervalMs = c.pollIntervalMs === undefined ? DEFAULT_COMFYUI_POLL_MS : positiveInt(c.pollIntervalMs, where, join(key, 'comfyui.pollIntervalMs'), 1, 60_000);

  const o = d.openai === undefined ? {} : expectMapping(d.openai, where, join(key, 'openai'), ['model', 'quality', 'moderation']);
  // Operator settings win over a drop-in client's: set here, they replace whatever the client asked for.
  const quality = o.quality === undefined || o.quality === null ? null : expectOneOf(o.quality, where, join(key, 'openai.quality'), OPENAI_QUALITIES);
  const moderation = o.moderation === undefined || o.moderation === null ? null : expectOneOf(o.moderation, where, join(key, 'openai.moderation'), OPENAI_MODERATION);
  if (o.model !== undefined && o.model !== null && typeof o.model !== 'string') throw policyError(where, join(key, 'openai.model'), `= ${JSON.stringify(o.model)} is not a model name; allowed: a string such as dall-e-3, or null to send none`);
  if (backend === null) return null;
  if (url === null) {
    throw fail(`the ${backend} backend has no URL; allowed: set DIFFUSION_URL (or diffusion.url in ${where}) to its base URL, e.g. ${backend === 'comfyui' ? 'http://127.0.0.1:8188' : backend === 'a1111' ? 'http://127.0.0.1:7860' : 'https://api.openai.com'}`);
  }
  return Object.freeze({
    backend,
    url,
    timeoutMs,
    apiKey,
    comfyui: Object.freeze({ workflow, workflowFile, promptNode, negativePromptNode, pollIntervalMs }),
    openai: Object.freeze({ model: (o.model as string | undefined) ?? null, quality, moderation }),
  });
}
