/**
 * The three backend adapters against test doubles that speak each API over real HTTP on 127.0.0.1 and
 * return real PNGs: what they send, what they return, and the error code for each way a backend fails.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { BackendError, createBackend, BACKEND_KINDS, type BackendKind, type DiffusionSettings, type GenerateRequest } from '../../src/diffusion';
import { fillWorkflow } from '../../src/diffusion/comfyui';
import { parseDiffusion } from '../../src/diffusion/settings';
import { GatewayError } from '../../src/errors';
import { FakeComfyUI, startFakeBackend, TRACEBACK_PATH, type FakeBackend } from '../helpers/backends';

function settings(kind: BackendKind, url: string, over: Partial<DiffusionSettings> = {}): DiffusionSettings {
  const base = parseDiffusion({ comfyui: { pollIntervalMs: 5 } }, { backend: kind, url, timeoutMs: 1500, apiKey: null }, 'test', __dirname, {}, (m) => new Error(m))!;
  return { ...base, ...over };
}

const REQ: GenerateRequest = { prompt: 'a blue boat on a calm lake', negativePrompt: 'blurry', width: 96, height: 64, steps: 7, seed: 42, count: 2, native: null };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return (e as GatewayError).code;
  }
  throw new Error('expected the call to fail');
}

describe.each(BACKEND_KINDS)('%s adapter', (kind) => {
  let fake: FakeBackend;
  beforeAll(async () => {
    fake = await startFakeBackend(kind);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  test('sends the prompt and returns the PNGs the backend made, at the requested size', async () => {
    const images = await createBackend(settings(kind, fake.url)).generate(REQ);
    expect(fake.prompts).toEqual([REQ.prompt]);
    expect(images).toHaveLength(2);
    for (const [i, img] of images.entries()) {
      expect(img.bytes.equals(fake.lastImages[i])).toBe(true);
      const meta = await sharp(img.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 96, 64]);
    }
  });

  test('DIFFUSION_API_KEY is sent as a bearer token', async () => {
    await createBackend(settings(kind, fake.url, { apiKey: 'sk-test-1234567890' })).generate(REQ);
    expect(fake.received[0].authorization).toBe('Bearer sk-test-1234567890');
  });

  test('a backend that drops the connection is BACKEND_UNAVAILABLE', async () => {
    fake.mode = 'down';
    expect(await codeOf(createBackend(settings(kind, fake.url)).generate(REQ))).toBe('BACKEND_UNAVAILABLE');
  });

  test('a backend that answers 503 is BACKEND_UNAVAILABLE', async () => {
    fake.mode = 'unavailable';
    expect(await codeOf(createBackend(settings(kind, fake.url)).generate(REQ))).toBe('BACKEND_UNAVAILABLE');
  });

  test('a backend slower than the timeout is BACKEND_TIMEOUT, and the call returns at the deadline', async () => {
    fake.mode = 'slow';
    fake.slowMs = 2000;
    const t0 = Date.now();
    expect(await codeOf(createBackend(settings(kind, fake.url, { timeoutMs: 300 })).generate(REQ))).toBe('BACKEND_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test('a 500 with a traceback is BACKEND_UNAVAILABLE whose message names the call and status; the traceback is only its detail (for the log)', async () => {
    fake.mode = 'traceback';
    const e = await createBackend(settings(kind, fake.url)).generate(REQ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendError);
    const b = e as BackendError;
    expect(b.code).toBe('BACKEND_UNAVAILABLE');
    expect(b.message).toMatch(new RegExp(`^diffusion backend \\(${kind}\\) is unavailable: POST /\\S+ answered HTTP 500$`));
    expect(b.status).toBe(500);
    expect(b.detail).toContain(TRACEBACK_PATH);
    expect(JSON.stringify(b.extensions)).not.toContain(TRACEBACK_PATH);
  });

  test('a body that is not JSON, or JSON of the wrong shape, is BACKEND_BAD_RESPONSE', async () => {
    fake.mode = 'garbage';
    expect(await codeOf(createBackend(settings(kind, fake.url)).generate(REQ))).toBe('BACKEND_BAD_RESPONSE');
    fake.mode = 'wrong-shape';
    expect(await codeOf(createBackend(settings(kind, fake.url)).generate(REQ))).toBe('BACKEND_BAD_RESPONSE');
  });

  test('bytes that are not an image come back as they are (the image post-check withholds them)', async () => {
    fake.mode = 'not-image';
    const images = await createBackend(settings(kind, fake.url)).generate(REQ);
    expect(images[0].bytes.toString()).toContain('not an image');
  });
});

test('nothing listening is BACKEND_UNAVAILABLE', async () => {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  expect(await codeOf(createBackend(settings('a1111', `http://127.0.0.1:${port}`)).generate(REQ))).toBe('BACKEND_UNAVAILABLE');
});

describe('request details', () => {
  test('A1111 gets width, height, steps, seed, batch_size and the negative prompt; of a same-API native body only allow-listed fields', async () => {
    const fake = await startFakeBackend('a1111');
    try {
      const b = createBackend(settings('a1111', fake.url));
      const smuggled = { infotext: 'Hires prompt: x', override_settings: { sd_model_checkpoint: 'x' }, alwayson_scripts: { x: {} }, styles: ['x'], save_images: true, anything: 1 };
      await b.generate({ ...REQ, native: { api: 'a1111', body: { prompt: 'UNSCREENED', cfg_scale: 5.5, sampler_name: 'DPM++ 2M', n_iter: 2, ...smuggled } } });
      expect(fake.received[0].body).toEqual({ prompt: REQ.prompt, negative_prompt: 'blurry', width: 96, height: 64, steps: 7, seed: 42, batch_size: 1, n_iter: 2, cfg_scale: 5.5, sampler_name: 'DPM++ 2M', send_images: true, save_images: false });
    } finally {
      await fake.close();
    }
  });

  test('a policy with an unknown OpenAI quality or moderation is refused, naming the key and the allowed values', () => {
    const parse = (openai: Record<string, unknown>) => parseDiffusion({ openai }, { backend: 'openai', url: 'http://127.0.0.1:1', timeoutMs: 1500, apiKey: null }, 'test', __dirname, {}, (m) => new Error(m));
    expect(() => parse({ moderation: 'off' })).toThrow(/openai\.moderation.*allowed: auto, low/);
    expect(() => parse({ quality: 'ultra' })).toThrow(/openai\.quality.*allowed: auto, standard, hd, low, medium, high/);
    expect(parse({ quality: 'HD', moderation: 'auto' })!.openai).toEqual({ model: null, quality: 'hd', moderation: 'auto' });
  });

  test('OpenAI: the operator\'s model, never the native body\'s model, moderation or user', async () => {
    const fake = await startFakeBackend('openai');
    try {
      const native = { api: 'openai' as const, body: { model: 'client-model', moderation: 'low', user: 'u', quality: 'hd' } };
      await createBackend(settings('openai', fake.url, { openai: { model: 'operator-model', quality: null, moderation: null } })).generate({ ...REQ, native });
      await createBackend(settings('openai', fake.url)).generate({ ...REQ, native });
      expect(fake.received.map((r) => r.body)).toEqual([
        { model: 'operator-model', prompt: REQ.prompt, n: 2, size: '96x64', response_format: 'b64_json', quality: 'hd' },
        { prompt: REQ.prompt, n: 2, size: '96x64', response_format: 'b64_json', quality: 'hd' },
      ]);
    } finally {
      await fake.close();
    }
  });

  test('ComfyUI: a native workflow is sent with the gateway\'s client_id and nothing else of the client\'s body', async () => {
    const fake = (await startFakeBackend('comfyui')) as FakeComfyUI;
    try {
      const s = settings('comfyui', fake.url);
      const wf = fillWorkflow(s.comfyui.workflow, REQ, s.comfyui);
      await createBackend(s).generate({ ...REQ, native: { api: 'comfyui', body: { prompt: wf, client_id: 'theirs', extra_data: { api_key_comfy_org: 'client-key' } } } });
      const sent = fake.received[0].body as Record<string, unknown>;
      expect(Object.keys(sent).sort()).toEqual(['client_id', 'prompt']);
      expect(sent.client_id).not.toBe('theirs');
    } finally {
      await fake.close();
    }
  });

  test('OpenAI gets prompt, n, size and response_format b64_json', async () => {
    const fake = await startFakeBackend('openai');
    try {
      await createBackend(settings('openai', fake.url, { openai: { model: 'gpt-image-test', quality: null, moderation: null } })).generate(REQ);
      expect(fake.received[0].body).toEqual({ model: 'gpt-image-test', prompt: REQ.prompt, n: 2, size: '96x64', response_format: 'b64_json' });
    } finally {
      await fake.close();
    }
  });

  test('ComfyUI fills the shipped workflow: prompt and negative nodes, latent size and batch, sampler steps and seed; it polls history until done', async () => {
    const fake = (await startFakeBackend('comfyui')) as FakeComfyUI;
    fake.pendingPolls = 3;
    try {
      await createBackend(settings('comfyui', fake.url)).generate(REQ);
      const wf = fake.workflows[0];
      expect(wf['6'].inputs.text).toBe(REQ.prompt);
      expect(wf['7'].inputs.text).toBe('blurry');
      expect(wf['5'].inputs).toMatchObject({ width: 96, height: 64, batch_size: 2 });
      expect(wf['3'].inputs).toMatchObject({ steps: 7, seed: 42 });
      expect(fake.received.filter((r) => r.path.startsWith('GET /history')).length).toBe(4);
      expect(fake.received.filter((r) => r.path === 'GET /view').length).toBe(2);
    } finally {
      await fake.close();
    }
  });

  test('ComfyUI: a random seed (-1) becomes a valid ComfyUI seed; the template is never changed', () => {
    const s = settings('comfyui', 'http://127.0.0.1:1');
    const before = JSON.stringify(s.comfyui.workflow);
    const wf = fillWorkflow(s.comfyui.workflow, { ...REQ, seed: -1 }, s.comfyui);
    expect(wf['3'].inputs.seed).toEqual(expect.any(Number));
    expect(wf['3'].inputs.seed as number).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(s.comfyui.workflow)).toBe(before);
  });
});
