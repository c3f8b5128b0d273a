/**
 * The policy file (POLICY_FILE, JSON or YAML; default plugins/policies/strict.yaml), read and validated once
 * at start-up, with the environment on top. Every problem stops start-up with CONFIG_INVALID naming the
 * file, the key and what is allowed.
 *
 *   prompts / images / thresholds / categories / minCoverage   the top-level policy, named "default" (see policy.ts)
 *   policies:  { <name>: { file?: <path>, prompts?, images?, thresholds?, categories?, minCoverage? } }
 *              more named policies; `file` loads another policy file's top-level policy, keys given
 *              inline override it; whatever neither sets takes the built-in defaults
 *   apiKeys:   [ { name, key | keyEnv, policy } ]
 *              when present, every request needs `Authorization: Bearer <key>` (else HTTP 401,
 *              UNAUTHENTICATED) and runs under the key's policy ("default" or a name under `policies`)
 *   diffusion: { backend, url, timeoutMs, apiKeyEnv, comfyui: {...}, openai: {...} }  (diffusion/settings.ts)
 *
 * PROMPT_ACTION and IMAGE_ACTION override the top-level policy's prompts.unsafe and images.unsafe (named
 * policies keep their own); DIFFUSION_* override the diffusion section.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, GatewayError } from '../errors';
import type { DiffusionSettings } from '../diffusion/backend';
import { parseDiffusion, type DiffusionEnv } from '../diffusion/settings';
import { defaultPolicy, expectMapping, isRecord, parsePolicy, POLICY_KEYS, policyError, type ImagePolicyAction, type Policy, type PromptPolicyAction } from './policy';
import type { RedirectStrategyName } from './service';

export interface Tenant {
  /** The API key's name; null when no keys are configured. */
  name: string | null;
  policy: Policy;
}

export interface PolicySet {
  /** The file's top-level policy ("default"). */
  default: Policy;
  /** Every policy by name, "default" included. */
  byName: ReadonlyMap<string, Policy>;
  /** sha256(key) (hex) -> tenant. Empty: no authentication. */
  keys: ReadonlyMap<string, Tenant>;
}

export interface PipelineSettings {
  /** The policy file that was read. */
  file: string;
  policies: PolicySet;
  /** Null when no backend is configured. */
  diffusion: DiffusionSettings | null;
}

export interface PipelineEnv {
  policyFile: string;
  promptAction: PromptPolicyAction | null;
  imageAction: ImagePolicyAction | null;
  redirectStrategy: RedirectStrategyName;
  diffusion: DiffusionEnv;
}

const TOP_KEYS = [...POLICY_KEYS, 'policies', 'apiKeys', 'diffusion'] as const;
export const MIN_API_KEY_LENGTH = 16;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function readPolicyFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GatewayError(ErrorCode.CONFIG_INVALID, `${what}=${file} cannot be read (${(e as Error).message}); allowed: a JSON or YAML policy file (see plugins/policies/)`, { cause: e });
  }
  try {
    return parseYaml(text, { uniqueKeys: true, prettyErrors: true }) ?? {};
  } catch (e) {
    throw new GatewayError(ErrorCode.CONFIG_INVALID, `${what}=${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}; allowed: a JSON or YAML mapping`, { cause: e });
  }
}

/** Reads POLICY_FILE and applies the environment. Throws CONFIG_INVALID naming the bad key. */
export function loadPipelineSettings(env: PipelineEnv, envVars: Record<string, string | undefined> = process.env): PipelineSettings {
  const file = path.resolve(env.policyFile);
  const where = `POLICY_FILE ${file}`;
  const fail = (message: string) => new GatewayError(ErrorCode.CONFIG_INVALID, message);
  const raw = readPolicyFile(file, 'POLICY_FILE');
  const top = expectMapping(raw, where, '', TOP_KEYS);
  const builtIn = defaultPolicy(env.redirectStrategy);

  let dflt = parsePolicy(top, { where, key: '', name: 'default', base: builtIn, extraKeys: ['policies', 'apiKeys', 'diffusion'] });
  if (env.promptAction || env.imageAction) {
    dflt = Object.freeze({
      ...dflt,
      prompts: Object.freeze({ ...dflt.prompts, unsafe: env.promptAction ?? dflt.prompts.unsafe }),
      images: Object.freeze({ unsafe: env.imageAction ?? dflt.images.unsafe }),
    });
  }

  const byName = new Map<string, Policy>([['default', dflt]]);
  if (top.policies !== undefined) {
    if (!isRecord(top.policies)) throw policyError(where, 'policies', 'is not a mapping; allowed: { <name>: { file?, prompts?, images?, thresholds?, categories?, minCoverage? } }');
    for (const [name, entry] of Object.entries(top.policies)) {
      const key = `policies.${name}`;
      if (name === 'default') throw policyError(where, key, 'uses the reserved name "default" (the top-level policy); allowed: any other name');
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw policyError(where, key, 'has an unusable name; allowed: 1 to 64 letters, digits, - and _');
      const e = expectMapping(entry ?? {}, where, key, ['file', ...POLICY_KEYS]);
      let base = builtIn;
      if (e.file !== undefined) {
        if (typeof e.file !== 'string') throw policyError(where, `${key}.file`, 'is not a path; allowed: a policy file path, relative to this file');
        const sub = path.resolve(path.dirname(file), e.file);
        const subWhere = `${where} -> ${key}.file ${sub}`;
        base = parsePolicy(readPolicyFile(sub, `${where}: ${key}.file`), { where: subWhere, key: '', name, base: builtIn });
      }
      byName.set(name, parsePolicy(e, { where, key, name, base, extraKeys: ['file'] }));
    }
  }

  const keys = new Map<string, Tenant>();
  if (top.apiKeys !== undefined) {
    if (!Array.isArray(top.apiKeys) || top.apiKeys.length === 0) throw policyError(where, 'apiKeys', 'is not a non-empty list; allowed: [ { name, key | keyEnv, policy } ], or leave apiKeys out to serve without authentication');
    const names = new Set<string>();
    top.apiKeys.forEach((entry, i) => {
      const key = `apiKeys[${i}]`;
      const e = expectMapping(entry, where, key, ['name', 'key', 'keyEnv', 'policy']);
      if (typeof e.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(e.name)) throw policyError(where, `${key}.name`, `= ${JSON.stringify(e.name)} is not usable; allowed: 1 to 64 letters, digits, ., - and _ (it appears in logs)`);
      if (names.has(e.name)) throw policyError(where, `${key}.name`, `repeats ${JSON.stringify(e.name)}; allowed: each name once`);
      names.add(e.name);
      if ((e.key === undefined) === (e.keyEnv === undefined)) throw policyError(where, key, 'has neither or both of key and keyEnv; allowed: exactly one (keyEnv names an environment variable holding the key)');
      let secret: unknown = e.key;
      if (e.keyEnv !== undefined) {
        if (typeof e.keyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.keyEnv)) throw policyError(where, `${key}.keyEnv`, `= ${JSON.stringify(e.keyEnv)} is not an environment variable name; allowed: a name such as LAB_API_KEY`);
        secret = envVars[e.keyEnv];
        if (secret === undefined || secret === '') throw policyError(where, `${key}.keyEnv`, `names ${e.keyEnv}, which is not set; allowed: set ${e.keyEnv} to the key`);
      }
      if (typeof secret !== 'string' || secret.length < MIN_API_KEY_LENGTH || /\s/.test(secret)) {
        throw policyError(where, e.keyEnv !== undefined ? `${key}.keyEnv (${e.keyEnv})` : `${key}.key`, `is not a usable key; allowed: at least ${MIN_API_KEY_LENGTH} characters without spaces`);
      }
      const policyName = e.policy ?? 'default';
      const policy = typeof policyName === 'string' ? byName.get(policyName) : undefined;
      if (!policy) throw policyError(where, `${key}.policy`, `= ${JSON.stringify(policyName)} is not a policy; allowed: ${[...byName.keys()].join(', ')}`);
      const h = hashApiKey(secret);
      if (keys.has(h)) throw policyError(where, key, `has the same key as ${keys.get(h)!.name}; allowed: a different key for each entry`);
      keys.set(h, Object.freeze({ name: e.name, policy }));
    });
  }

  const diffusion = parseDiffusion(top.diffusion, env.diffusion, where, path.dirname(file), envVars, fail);
  return { file, policies: { default: dflt, byName, keys }, diffusion };
}
