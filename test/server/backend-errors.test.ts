/**
 * What a failing backend says (a traceback, file paths, the prompt echoed back) reaches the audit log under
 * the request id, never a client: not through a drop-in's error, not through GraphQL, not through ComfyUI's
 * /history. Clients get the failure kind, the HTTP status and the request id. Production mode, as deployed;
 * the same holds in development (one A1111 case shows it).
 */
import type { BackendKind } from '../../src/diffusion/backend';
import type { Gateway } from '../../src/main';
import { startFakeBackend, TRACEBACK_PATH, type FakeBackend } from '../helpers/backends';
import { gql, startTestGateway } from '../helpers/gateway';
import { auth, captureLog, SAFE, writePolicy } from '../helpers/pipeline';

interface Setup {
  gw: Gateway;
  fake: FakeBackend;
  lines: () => Record<string, any>[];
  close(): Promise<void>;
}

async function start(kind: BackendKind, nodeEnv = 'production'): Promise<Setup> {
  const fake = await startFakeBackend(kind);
  const { log, lines } = captureLog();
  const gw = await startTestGateway({}, { NODE_ENV: nodeEnv, POLICY_FILE: writePolicy(), DIFFUSION_BACKEND: kind, DIFFUSION_URL: fake.url, DIFFUSION_TIMEOUT_MS: '2000' }, { log });
  return { gw, fake, lines, close: async () => (await gw.close(), await fake.close()) };
}

const LEAKS = /Traceback|\/opt\/|processing\.py|CUDA|127\.0\.0\.1|<html>/;

/** The audit line for a backend failure of `requestId`. */
function backendLine(s: Setup, requestId: string): Record<string, any> {
  const found = s.lines().filter((l) => l.audit === 'backend' && l.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(['production', 'development'])('A1111 drop-in, a backend answering HTTP 500 with a traceback (%s)', (nodeEnv) => {
  let s: Setup;
  beforeAll(async () => {
    s = await start('a1111', nodeEnv);
  });
  afterAll(() => s?.close());

  test('the client gets the kind, the status and the request id; the audit log gets the traceback, prompt redacted', async () => {
    s.fake.mode = 'traceback';
    const res = await fetch(`${s.gw.url}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': `req-a1111-${nodeEnv}`, ...auth('redirect') }, body: JSON.stringify({ prompt: SAFE, width: 64, height: 64 }) });
    const body = await res.json() as any;
    expect(res.status).toBe(502);
    expect(body.code).toBe('BACKEND_UNAVAILABLE');
    expect(body.detail).toBe(`diffusion backend (a1111) is unavailable: POST /sdapi/v1/txt2img answered HTTP 500; details are in the gateway's log under request id req-a1111-${nodeEnv}`);
    expect(JSON.stringify(body)).not.toMatch(LEAKS);
    const line = backendLine(s, `req-a1111-${nodeEnv}`);
    expect(line).toMatchObject({ backend: 'a1111', code: 'BACKEND_UNAVAILABLE', status: 500, tenant: 'strict-app', policy: 'default', msg: 'backend failure' });
    expect(line.detail).toContain(TRACEBACK_PATH);
    // AUDIT_PROMPTS=HASH (the default): the backend's echo of the prompt is not kept.
    expect(line.detail).toContain('[prompt]');
    expect(line.detail).not.toContain(SAFE);
  });
});

describe('GraphQL generate and the OpenAI drop-in (production)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start('openai');
  });
  afterAll(() => s?.close());

  test('generate: the error names the failure and request id, not the backend\'s words', async () => {
    s.fake.mode = 'traceback';
    const r = await gql(s.gw, 'mutation($i: GenerateInput!) { generate(input: $i) { outcome } }', { i: { prompt: SAFE, width: 64, height: 64 } }, { ...auth('redirect'), 'x-request-id': 'req-gql' });
    const err = r.body.errors![0];
    expect(err.extensions!.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toMatch(/answered HTTP 500; details are in the gateway's log under request id req-gql$/);
    expect(JSON.stringify(r.body)).not.toMatch(LEAKS);
    expect(backendLine(s, 'req-gql').detail).toContain(TRACEBACK_PATH);
  });

  test('OpenAI drop-in: a body that is not JSON (a proxy\'s HTML page) stays in the log', async () => {
    s.fake.mode = 'garbage';
    const res = await fetch(`${s.gw.url}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-openai', ...auth('redirect') }, body: JSON.stringify({ prompt: SAFE, size: '64x64' }) });
    const body = await res.json() as any;
    expect([res.status, body.error.gateway_code]).toEqual([502, 'BACKEND_BAD_RESPONSE']);
    expect(body.error.message).toBe("diffusion backend (openai) answered something its API does not allow: POST /v1/images/generations is not JSON; allowed: a JSON body; details are in the gateway's log under request id req-openai");
    expect(JSON.stringify(body)).not.toMatch(LEAKS);
    expect(backendLine(s, 'req-openai').detail).toMatch(/<html>/);
  });
});

describe('ComfyUI drop-in (production)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start('comfyui');
  });
  afterAll(() => s?.close());

  test('/history shows an execution error with the code and request id; the traceback is only in the log', async () => {
    s.fake.mode = 'execution-error';
    const workflow = {
      '3': { class_type: 'KSampler', inputs: { seed: 7, steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: SAFE, clip: ['4', 1] } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
    };
    const queued = await (await fetch(`${s.gw.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-comfy', ...auth('redirect') }, body: JSON.stringify({ prompt: workflow }) })).json() as any;
    const id = queued.prompt_id;
    let entry: any;
    for (let i = 0; i < 300 && !entry; i++) {
      entry = (await (await fetch(`${s.gw.url}/history/${id}`, { headers: auth('redirect') })).json() as any)[id];
      if (!entry) await new Promise((r) => setTimeout(r, 10));
    }
    expect(entry.status.status_str).toBe('error');
    const [kind, failure] = entry.status.messages[0];
    expect(kind).toBe('execution_error');
    expect(failure.exception_type).toBe('BACKEND_BAD_RESPONSE');
    expect(failure.exception_message).toMatch(/failed in ComfyUI \(status_str "error"\); details are in the gateway's log under request id req-comfy$/);
    expect(JSON.stringify(entry)).not.toMatch(LEAKS);
    const line = backendLine(s, 'req-comfy');
    expect(line.detail).toContain(TRACEBACK_PATH);
    expect(line.detail).toContain('torch.OutOfMemoryError');
  });
});
