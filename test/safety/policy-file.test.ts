/**
 * The policy file: the shipped examples load, every key is validated at start-up with a message naming the
 * file, the key and what is allowed, and the environment overrides the file where it should.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../../src/config';
import { GatewayError } from '../../src/errors';
import { pipelineSettings, startGateway } from '../../src/main';
import { loadPipelineSettings, hashApiKey, type PipelineEnv } from '../../src/safety/policy-file';
import { UNSAFE_CATEGORIES } from '../../src/safety/policy';

const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-'));
let n = 0;
function file(text: string, ext = 'yaml'): string {
  const f = path.join(dir, `p${n++}.${ext}`);
  fs.writeFileSync(f, text);
  return f;
}
function env(policyFile: string, over: Partial<PipelineEnv> = {}): PipelineEnv {
  return { policyFile, promptAction: null, imageAction: null, redirectStrategy: 'EDIT', diffusion: { backend: null, url: null, timeoutMs: null, apiKey: null }, ...over };
}
function refusal(text: string, envVars: Record<string, string> = {}, ext = 'yaml'): string {
  try {
    loadPipelineSettings(env(file(text, ext)), envVars);
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).code).toBe('CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error(`expected the policy to be refused:\n${text}`);
}

describe('shipped policies', () => {
  test('strict.yaml (the default): redirect prompts with EDIT, blur images, bundle thresholds, all seven categories', () => {
    const s = loadPipelineSettings(env(path.join(root, 'plugins/policies/strict.yaml')), {});
    expect(s.policies.default).toEqual({ name: 'default', prompts: { unsafe: 'REDIRECT', redirect: 'EDIT' }, images: { unsafe: 'BLUR' }, thresholds: { text: null, image: null }, categories: [...UNSAFE_CATEGORIES], minCoverage: 0.5 });
    expect(s.policies.keys.size).toBe(0);
    expect(s.diffusion).toBeNull();
    expect(resolveConfig({}).policyFile).toBe(path.join(root, 'plugins/policies/strict.yaml'));
  });

  test('research.yaml: FLAG prompts, PASS images', () => {
    const p = loadPipelineSettings(env(path.join(root, 'plugins/policies/research.yaml')), {}).policies.default;
    expect([p.prompts.unsafe, p.images.unsafe]).toEqual(['FLAG', 'PASS']);
  });

  test('tenants.example.yaml: two keys from the environment, mapped to two policies', () => {
    const s = loadPipelineSettings(env(path.join(root, 'plugins/policies/tenants.example.yaml')), { APP_API_KEY: 'app-key-0123456789abcdef', LAB_API_KEY: 'lab-key-0123456789abcdef' });
    expect(s.policies.keys.get(hashApiKey('app-key-0123456789abcdef'))?.policy.name).toBe('default');
    expect(s.policies.keys.get(hashApiKey('lab-key-0123456789abcdef'))?.policy.prompts.unsafe).toBe('FLAG');
  });
});

describe('every bad key is refused with its name and what is allowed', () => {
  test.each([
    ['prompts:\n  unsafe: MAYBE\n', /prompts\.unsafe = "MAYBE" is not known; allowed: BLOCK, REDIRECT, FLAG/],
    ['images:\n  unsafe: HIDE\n', /images\.unsafe = "HIDE" is not known; allowed: PASS, BLUR, WITHHOLD/],
    ['prompts:\n  redirect: REWRITE\n', /prompts\.redirect = "REWRITE" is not known; allowed: EDIT, RETRIEVE/],
    ['prompt:\n  unsafe: BLOCK\n', /prompt is not a known key; allowed keys of the file: prompts, images, thresholds, categories, minCoverage, policies, apiKeys, diffusion/],
    ['images:\n  unsafe: BLUR\n  strength: 3\n', /images\.strength is not a known key; allowed keys of images: unsafe/],
    ['thresholds:\n  text: -1\n', /thresholds\.text = -1 is not a usable threshold/],
    ['thresholds:\n  image: "high"\n', /thresholds\.image = "high" is not a usable threshold/],
    ['categories: [violence, gore]\n', /categories\[1\] = "gore" is not known; allowed: sexual, violence, hate, harassment, self-harm, shocking, illegal-activity/],
    ['categories: []\n', /categories is a list with no entries; allowed: a non-empty list/],
    ['categories: [hate, hate]\n', /categories\[1\] repeats "hate"/],
    ['policies:\n  lab:\n    prompts: { unsafe: LOUD }\n', /policies\.lab\.prompts\.unsafe = "LOUD" is not known/],
    ['policies:\n  default: {}\n', /policies\.default uses the reserved name "default"/],
    ['policies:\n  lab: { file: missing.yaml }\n', /policies\.lab\.file=.*missing\.yaml cannot be read/],
    ['apiKeys:\n  - { name: a, key: short, policy: default }\n', /apiKeys\[0\]\.key is not a usable key; allowed: at least 16 characters/],
    ['apiKeys:\n  - { name: a, key: 0123456789abcdef0, policy: lab }\n', /apiKeys\[0\]\.policy = "lab" is not a policy; allowed: default/],
    ['apiKeys:\n  - { name: a, keyEnv: NOPE_NOT_SET }\n', /apiKeys\[0\]\.keyEnv names NOPE_NOT_SET, which is not set/],
    ['apiKeys:\n  - { name: a, key: 0123456789abcdef0 }\n  - { name: a, key: 0123456789abcdef1 }\n', /apiKeys\[1\]\.name repeats "a"/],
    ['apiKeys:\n  - { name: a, key: 0123456789abcdef0 }\n  - { name: b, key: 0123456789abcdef0 }\n', /apiKeys\[1\] has the same key as a/],
    ['apiKeys: []\n', /apiKeys is not a non-empty list/],
    ['diffusion:\n  backend: midjourney\n', /diffusion\.backend = "midjourney" is not known; allowed: a1111, comfyui, openai/],
    ['diffusion:\n  backend: a1111\n', /the a1111 backend has no URL; allowed: set DIFFUSION_URL/],
    ['diffusion:\n  backend: a1111\n  url: ftp://x\n', /diffusion\.url="ftp:\/\/x" uses ftp:; allowed: http: or https:/],
    ['diffusion:\n  backend: comfyui\n  url: http://127.0.0.1:8188\n  comfyui: { promptNode: "3" }\n', /diffusion\.comfyui\.promptNode = "3" is not a node with a text input .*; allowed: 6, 7/],
    ['diffusion:\n  timeoutMs: 5\n', /diffusion\.timeoutMs = 5 is out of range; allowed: an integer from 100 to 3600000/],
  ])('%j', (text, message) => {
    const m = refusal(text);
    expect(m).toMatch(message);
    expect(m).toContain('POLICY_FILE');
  });

  test('YAML that does not parse names the file', () => {
    expect(refusal('prompts: [unclosed\n')).toMatch(/POLICY_FILE=.*is not valid YAML/);
  });

  test('JSON works too, and a JSON error says JSON', () => {
    expect(loadPipelineSettings(env(file('{"prompts": {"unsafe": "BLOCK"}}', 'json')), {}).policies.default.prompts.unsafe).toBe('BLOCK');
    expect(refusal('{"prompts": ', {}, 'json')).toMatch(/is not valid JSON/);
  });
});

describe('named policies, keys and the environment', () => {
  test('a named policy loads another file and overrides it inline; what neither sets takes the built-in defaults', () => {
    const f = file(`policies:\n  lab:\n    file: ${path.join(root, 'plugins/policies/research.yaml')}\n    images: { unsafe: WITHHOLD }\n    thresholds: { text: 1.2 }\napiKeys:\n  - { name: lab-team, key: lab-0123456789abcdef, policy: lab }\n  - { name: app, key: app-0123456789abcdef }\n`);
    const s = loadPipelineSettings(env(f), {});
    const lab = s.policies.byName.get('lab')!;
    expect([lab.prompts.unsafe, lab.images.unsafe, lab.thresholds.text, lab.prompts.redirect]).toEqual(['FLAG', 'WITHHOLD', 1.2, 'EDIT']);
    expect(s.policies.keys.get(hashApiKey('app-0123456789abcdef'))).toEqual({ name: 'app', policy: s.policies.default });
  });

  test('PROMPT_ACTION and IMAGE_ACTION override the top-level policy only', () => {
    const f = file('prompts: { unsafe: FLAG }\npolicies:\n  lab: { prompts: { unsafe: FLAG } }\n');
    const s = loadPipelineSettings(env(f, { promptAction: 'BLOCK', imageAction: 'WITHHOLD' }), {});
    expect([s.policies.default.prompts.unsafe, s.policies.default.images.unsafe]).toEqual(['BLOCK', 'WITHHOLD']);
    expect(s.policies.byName.get('lab')!.prompts.unsafe).toBe('FLAG');
  });

  test('DIFFUSION_* override the file; the ComfyUI workflow may be a file relative to the policy', () => {
    const wf = file(JSON.stringify({ '1': { class_type: 'CLIPTextEncode', inputs: { text: '' } }, '2': { class_type: 'SaveImage', inputs: {} } }), 'json');
    const f = file(`diffusion:\n  backend: comfyui\n  url: http://127.0.0.1:8188\n  timeoutMs: 9000\n  comfyui: { workflow: ${path.basename(wf)}, promptNode: "1", negativePromptNode: null }\n`);
    const fromFile = loadPipelineSettings(env(f), {}).diffusion!;
    expect([fromFile.backend, fromFile.url, fromFile.timeoutMs, fromFile.comfyui.promptNode, fromFile.comfyui.negativePromptNode]).toEqual(['comfyui', 'http://127.0.0.1:8188', 9000, '1', null]);
    const overridden = loadPipelineSettings(env(f, { diffusion: { backend: 'comfyui', url: 'http://127.0.0.1:9999/', timeoutMs: 300, apiKey: null } }), {}).diffusion!;
    expect([overridden.url, overridden.timeoutMs]).toEqual(['http://127.0.0.1:9999', 300]);
  });

  test('the environment variables are validated by resolveConfig, naming the variable and what is allowed', () => {
    const bad = (e: Record<string, string>) => {
      try {
        resolveConfig(e);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad({ DIFFUSION_BACKEND: 'dalle' })).toMatch(/DIFFUSION_BACKEND="dalle" is not known; allowed: a1111, comfyui, openai/);
    expect(bad({ PROMPT_ACTION: 'ALLOW' })).toMatch(/PROMPT_ACTION="ALLOW" is not known; allowed: BLOCK, REDIRECT, FLAG/);
    expect(bad({ IMAGE_ACTION: 'HIDE' })).toMatch(/IMAGE_ACTION="HIDE" is not known; allowed: PASS, BLUR, WITHHOLD/);
    expect(bad({ DIFFUSION_URL: 'localhost:7860' })).toMatch(/DIFFUSION_URL=.* allowed: (http: or https:|the backend's base URL)/);
    expect(bad({ DIFFUSION_TIMEOUT_MS: '10' })).toMatch(/DIFFUSION_TIMEOUT_MS=10 is out of range/);
    expect(bad({ POLICY_FILE: '/nonexistent/policy.yaml' })).toMatch(/POLICY_FILE=\/nonexistent\/policy.yaml does not exist/);
    expect(bad({ AUDIT_PROMPTS: 'ALL' })).toMatch(/AUDIT_PROMPTS="ALL" is not known; allowed: HASH, TEXT, NONE/);
    const ok = resolveConfig({ DIFFUSION_BACKEND: 'ComfyUI', DIFFUSION_URL: 'http://127.0.0.1:8188/', PROMPT_ACTION: 'block' });
    expect(pipelineSettings(ok).diffusion?.url).toBe('http://127.0.0.1:8188');
    expect(pipelineSettings(ok).policies.default.prompts.unsafe).toBe('BLOCK');
  });

  test('a gateway refuses to start with a bad policy file, naming the key, before loading any model', async () => {
    const f = file('images:\n  unsafe: SHRED\n');
    const t0 = Date.now();
    await expect(startGateway(resolveConfig({ PORT: '0', POLICY_FILE: f }))).rejects.toThrow(/images\.unsafe = "SHRED" is not known; allowed: PASS, BLUR, WITHHOLD/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
