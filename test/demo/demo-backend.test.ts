/**
 * The demo backend as an AUTOMATIC1111 client sees it, over real HTTP on 127.0.0.1: txt2img answers in
 * A1111's shape with real PNGs of the prompt it received, the GET endpoints clients call first, FastAPI's
 * 422 for a bad field; and the gateway's own A1111 adapter against it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { createBackend } from '../../src/diffusion';
import { parseDiffusion } from '../../src/diffusion/settings';
import { startDemoBackend, type DemoBackend } from '../../src/demo/backend';
import { readPngText, withPngText } from '../../src/demo/png-text';
import { renderPromptPng } from '../../src/demo/render';

let backend: DemoBackend;
beforeAll(async () => {
  backend = await startDemoBackend({ port: 0 });
});
afterAll(() => backend.close());

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${backend.url}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

test("txt2img answers { images, parameters, info } with one PNG per image, at the requested size, carrying A1111's infotext", async () => {
  const { status, json } = await post({ prompt: 'a lighthouse at dawn', negative_prompt: 'fog', width: 96, height: 64, steps: 12, seed: 42, batch_size: 2, cfg_scale: 5, sampler_name: 'DPM++ 2M' });
  expect(status).toBe(200);
  expect(json.images).toHaveLength(2);
  expect(json.parameters).toEqual(expect.objectContaining({ prompt: 'a lighthouse at dawn', negative_prompt: 'fog', width: 96, height: 64, steps: 12, seed: 42, batch_size: 2, n_iter: 1 }));
  const info = JSON.parse(json.info);
  expect(info).toEqual(expect.objectContaining({ prompt: 'a lighthouse at dawn', all_prompts: ['a lighthouse at dawn', 'a lighthouse at dawn'], seed: 42, all_seeds: [42, 43] }));
  for (const [i, b64] of json.images.entries()) {
    const png = Buffer.from(b64, 'base64');
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 96, 64]);
    const text = readPngText(png).parameters;
    expect(text).toBe(info.infotexts[i]);
    expect(text.split('\n')).toEqual(['a lighthouse at dawn', 'Negative prompt: fog', expect.stringContaining(`Steps: 12, Sampler: DPM++ 2M, CFG scale: 5, Seed: ${42 + i}, Size: 96x64`)]);
  }
  expect(backend.received.at(-1)).toEqual({ prompt: 'a lighthouse at dawn', negativePrompt: 'fog', width: 96, height: 64, images: 2 });
});

test('the picture shows the prompt: different prompts draw different pixels, the same prompt the same ones', async () => {
  const raw = async (png: Buffer) => sharp(png).raw().toBuffer();
  const [a, a2, b] = await Promise.all([renderPromptPng('a red barn', 128, 128, 'x'), renderPromptPng('a red barn', 128, 128, 'y'), renderPromptPng('a blue boat', 128, 128, 'x')]);
  expect((await raw(a)).equals(await raw(a2))).toBe(true);
  expect((await raw(a)).equals(await raw(b))).toBe(false);
});

test('seed -1 draws a random seed, as A1111 does, and reports it', async () => {
  const { json } = await post({ prompt: 'a kite', width: 64, height: 64 });
  const info = JSON.parse(json.info);
  expect(Number.isInteger(info.seed) && info.seed >= 0).toBe(true);
  expect(json.parameters).toEqual(expect.objectContaining({ steps: 50, seed: -1, batch_size: 1, sampler_name: 'Euler a' }));
});

test("a field of the wrong type or out of range is FastAPI's 422 naming it; wrong methods and paths are 405 and 404", async () => {
  const bad = await post({ prompt: 'a kite', width: 'wide', steps: 0 });
  expect(bad.status).toBe(422);
  expect(bad.json.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
    ['body', 'width'],
    ['body', 'steps'],
  ]);
  const many = await post({ prompt: 'a kite', batch_size: 8, n_iter: 8 });
  expect(many.status).toBe(422);
  expect(many.json.detail[0].msg).toMatch(/at most 16 images/);
  const notJson = await fetch(`${backend.url}/sdapi/v1/txt2img`, { method: 'POST', body: '{nope' });
  expect(notJson.status).toBe(422);
  expect((await fetch(`${backend.url}/sdapi/v1/txt2img`)).status).toBe(405);
  const missing = await fetch(`${backend.url}/sdapi/v1/img2img`, { method: 'POST', body: '{}' });
  expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Not Found' }]);
});

test('the GET endpoints A1111 clients call before generating answer in their shapes', async () => {
  const get = async (p: string): Promise<any> => (await fetch(`${backend.url}${p}`)).json();
  expect(await get('/internal/ping')).toEqual({});
  const models = await get('/sdapi/v1/sd-models');
  expect(models[0]).toEqual(expect.objectContaining({ title: expect.any(String), model_name: 'hysac-demo' }));
  expect((await get('/sdapi/v1/options')).sd_model_checkpoint).toBe(models[0].title);
  expect((await get('/sdapi/v1/samplers')).map((s: { name: string }) => s.name)).toContain('Euler a');
});

test("the gateway's A1111 adapter gets the pictures it asked for from the demo backend", async () => {
  const settings = parseDiffusion(undefined, { backend: 'a1111', url: backend.url, timeoutMs: 10_000, apiKey: null }, 'test', __dirname, {}, (m) => new Error(m))!;
  const images = await createBackend(settings).generate({ prompt: 'a blue boat on a calm lake', negativePrompt: null, width: 128, height: 96, steps: 7, seed: 5, count: 2, native: null });
  expect(images).toHaveLength(2);
  for (const img of images) {
    const meta = await sharp(img.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 96]);
    expect(readPngText(img.bytes).parameters).toMatch(/^a blue boat on a calm lake\nSteps: 7,/);
  }
  expect(backend.received.at(-1)?.prompt).toBe('a blue boat on a calm lake');
});

test('PNG text chunks: Latin-1 as tEXt, anything else as iTXt, both read back; the PNG still decodes', async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
  const latin = withPngText(png, 'parameters', 'café\nSteps: 1');
  const wide = withPngText(png, 'parameters', '富士山 at dawn');
  expect(latin.includes(Buffer.from('tEXt'))).toBe(true);
  expect(wide.includes(Buffer.from('iTXt'))).toBe(true);
  expect(readPngText(latin)).toEqual({ parameters: 'café\nSteps: 1' });
  expect(readPngText(wide)).toEqual({ parameters: '富士山 at dawn' });
  for (const p of [latin, wide]) expect((await sharp(p).metadata()).width).toBe(8);
});

test("the default bundle (what npm run demo serves) judges the demo's pictures safe, an unsafe prompt's text included", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-png-'));
  const files = await Promise.all(
    ['a watercolor painting of a fox in the snow', 'a man stabbing another man in a dark alley, blood everywhere'].map(async (p, i) => {
      const f = path.join(dir, `${i}.png`);
      fs.writeFileSync(f, await renderPromptPng(p, 512, 512, p));
      return f;
    }),
  );
  const cli = path.resolve(__dirname, '../../dist/src/cli.js');
  const r = spawnSync(process.execPath, [cli, 'classify', ...files.flatMap((f) => ['--image', f])], { encoding: 'utf8', env: { ...process.env, CACHE_DIR: dir, MODEL_WORKERS: '1' }, timeout: 120_000 });
  expect(r.status).toBe(0);
  const verdicts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(verdicts.map((v) => [v.modality, v.unsafe])).toEqual([
    ['IMAGE', false],
    ['IMAGE', false],
  ]);
});
