/**
 * The drop-in endpoints: the gateway serves AUTOMATIC1111's, ComfyUI's and OpenAI's own APIs, screening
 * prompts and post-checking images under the same policy as GraphQL, and forwarding to the configured
 * backend (test doubles over real HTTP on 127.0.0.1).
 */
import { gql } from '../helpers/gateway';
import { txt2img } from './comfyui-fixtures';
import { auth, compare, RED, SAFE, startPipeline, UNSAFE, type Pipeline, type Tenant } from '../helpers/pipeline';

async function post(p: Pipeline, path: string, body: unknown, tenant: Tenant | null = 'redirect'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(tenant ? auth(tenant) : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as any };
}

async function classifySafe(p: Pipeline, text: string): Promise<boolean> {
  const { body } = await gql(p.gw, 'query($t: String!) { classify(input: { text: $t }) { unsafe } }', { t: text }, auth('redirect'));
  return body.data!.classify.unsafe === false;
}

describe('AUTOMATIC1111: POST /sdapi/v1/txt2img', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('a1111');
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());
  const txt2img = (prompt: string, tenant: Tenant | null = 'redirect', extra: Record<string, unknown> = {}) => post(p, '/sdapi/v1/txt2img', { prompt, width: 64, height: 64, steps: 5, cfg_scale: 6.5, ...extra }, tenant);

  test('a safe prompt is forwarded unchanged, with the client\'s other parameters; the images come back in A1111\'s shape', async () => {
    const r = await txt2img(SAFE, 'redirect', { batch_size: 2, sampler_name: 'Euler a' });
    expect(r.status).toBe(200);
    expect(p.fake.prompts).toEqual([SAFE]);
    expect(p.fake.received[0].body).toMatchObject({ prompt: SAFE, cfg_scale: 6.5, sampler_name: 'Euler a', batch_size: 2, width: 64 });
    expect(r.body.images).toHaveLength(2);
    expect(Buffer.from(r.body.images[0], 'base64').equals(p.fake.lastImages[0])).toBe(true);
    expect(r.body.moderation.prompts[0]).toMatchObject({ action: 'PASS', unsafe: false });
  });

  test('BLOCK: HTTP 400 in A1111\'s error shape, and the backend never sees the prompt', async () => {
    const r = await txt2img(UNSAFE, 'block');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'HTTPException', code: 'UNSAFE_PROMPT', detail: expect.stringMatching(/blocks unsafe prompts/) });
    expect(p.fake.received).toEqual([]);
  });

  test('REDIRECT: the backend receives text the gateway classifies safe; parameters.prompt says what was sent', async () => {
    const r = await txt2img(UNSAFE, 'redirect');
    expect(r.status).toBe(200);
    expect(p.fake.prompts).toHaveLength(1);
    expect(p.fake.prompts[0]).not.toBe(UNSAFE);
    expect(await classifySafe(p, p.fake.prompts[0])).toBe(true);
    expect(r.body.parameters.prompt).toBe(p.fake.prompts[0]);
    expect(r.body.moderation.prompts[0]).toMatchObject({ action: 'REDIRECT', sentPrompt: p.fake.prompts[0] });
  });

  test('hr_prompt is screened too, and extension scripts that could carry prompts are refused', async () => {
    const r = await txt2img(SAFE, 'block', { hr_prompt: UNSAFE, enable_hr: true });
    expect([r.status, r.body.code]).toEqual([400, 'UNSAFE_PROMPT']);
    const s = await txt2img(SAFE, 'redirect', { alwayson_scripts: { ADetailer: { args: [{ ad_prompt: UNSAFE }] } } });
    expect([s.status, s.body.code]).toEqual([422, 'BAD_USER_INPUT']);
    expect(s.body.detail).toMatch(/alwayson_scripts is not forwarded/);
    expect(p.fake.received).toEqual([]);
  });

  test('an image that is not an image is withheld: left out of images, listed in moderation', async () => {
    p.fake.mode = 'not-image';
    const r = await txt2img(SAFE);
    expect(r.status).toBe(200);
    expect(r.body.images).toEqual([]);
    expect(r.body.moderation.images).toEqual([expect.objectContaining({ index: 0, action: 'WITHHOLD', checked: false, code: 'IMAGE_UNCHECKED' })]);
  });

  test('an unsafe image is blurred in place', async () => {
    const r = await txt2img(RED);
    const c = await compare(p.fake.lastImages[0], Buffer.from(r.body.images[0], 'base64'));
    expect(c.sameSize).toBe(true);
    expect(c.edgesB).toBeLessThan(c.edgesA / 10);
    expect(r.body.moderation.images[0]).toMatchObject({ action: 'BLUR', unsafe: true });
  });

  test('a backend that is down or slow gives its code in A1111\'s shape, and no image', async () => {
    p.fake.mode = 'down';
    expect(await txt2img(SAFE)).toMatchObject({ status: 502, body: { error: 'HTTPException', code: 'BACKEND_UNAVAILABLE' } });
    p.fake.mode = 'slow';
    expect(await txt2img(SAFE)).toMatchObject({ status: 504, body: { code: 'BACKEND_TIMEOUT' } });
  });

  test('without a key: 401', async () => {
    const r = await txt2img(SAFE, null);
    expect([r.status, r.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});

describe('OpenAI: POST /v1/images/generations', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('openai');
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());
  const images = (prompt: string, tenant: Tenant | null = 'redirect', extra: Record<string, unknown> = {}) => post(p, '/v1/images/generations', { prompt, n: 1, size: '64x64', response_format: 'b64_json', ...extra }, tenant);

  test('a safe prompt is forwarded unchanged; data[].b64_json are the backend\'s PNGs', async () => {
    const r = await images(SAFE, 'redirect', { n: 2 });
    expect(r.status).toBe(200);
    expect(p.fake.prompts).toEqual([SAFE]);
    expect(r.body.data).toHaveLength(2);
    expect(Buffer.from(r.body.data[1].b64_json, 'base64').equals(p.fake.lastImages[1])).toBe(true);
    expect(r.body.data[0].revised_prompt).toBeUndefined();
  });

  test('BLOCK: HTTP 400 moderation_blocked in OpenAI\'s error shape; the backend never sees the prompt', async () => {
    const r = await images(UNSAFE, 'block');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'moderation_blocked', type: 'invalid_request_error', param: 'prompt', gateway_code: 'UNSAFE_PROMPT' });
    expect(r.body.error.message).toMatch(/blocks unsafe prompts/);
    expect(p.fake.received).toEqual([]);
  });

  test('REDIRECT: revised_prompt is the safe text the backend received', async () => {
    const r = await images(UNSAFE);
    expect(p.fake.prompts[0]).not.toBe(UNSAFE);
    expect(await classifySafe(p, p.fake.prompts[0])).toBe(true);
    expect(r.body.data[0].revised_prompt).toBe(p.fake.prompts[0]);
  });

  test('an unsafe image is withheld under WITHHOLD: left out of data, listed in moderation', async () => {
    const r = await images(RED, 'block');
    expect(r.body.data).toEqual([]);
    expect(r.body.moderation.images[0]).toMatchObject({ action: 'WITHHOLD', unsafe: true, code: 'UNSAFE_IMAGE', reason: expect.stringMatching(/withholds unsafe images/) });
  });

  test('backend garbage is a 502 server_error; a bad size is a 400 naming it', async () => {
    p.fake.mode = 'garbage';
    const g = await images(SAFE);
    expect([g.status, g.body.error.type, g.body.error.gateway_code]).toEqual([502, 'server_error', 'BACKEND_BAD_RESPONSE']);
    const s = await images(SAFE, 'redirect', { size: '100x100' });
    expect([s.status, s.body.error.gateway_code]).toEqual([400, 'BAD_USER_INPUT']);
    expect(s.body.error.message).toMatch(/size \(width\) is 100; allowed: an integer from 64 to 2048, a multiple of 8/);
  });

  test('without a key: 401 invalid_api_key', async () => {
    const r = await images(SAFE, null);
    expect([r.status, r.body.error.code]).toEqual([401, 'invalid_api_key']);
  });
});

describe('ComfyUI: POST /prompt, GET /history/{id}, GET /view', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('comfyui');
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());

  const workflow = (positive: string, negative = 'blurry, nsfw, gore') => txt2img(positive, negative);

  async function run(positive: string, tenant: Tenant = 'redirect'): Promise<{ id: string; entry: any; history: any }> {
    const r = await post(p, '/prompt', { prompt: workflow(positive), client_id: 'test' }, tenant);
    expect(r.status).toBe(200);
    const id = r.body.prompt_id;
    for (let i = 0; i < 200; i++) {
      const h = await (await fetch(`${p.gw.url}/history/${id}`, { headers: auth(tenant) })).json() as any;
      if (h[id]) return { id, entry: h[id], history: h };
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error('the job never finished');
  }

  test('a safe prompt runs the client\'s workflow unchanged on the backend; /view serves the images', async () => {
    const { entry } = await run(SAFE);
    expect(p.fake.prompts).toEqual([SAFE]);
    expect((p.fake as any).workflows[0]['7'].inputs.text).toBe('blurry, nsfw, gore'); // negative prompts are not screened
    expect(entry.status).toEqual({ status_str: 'success', completed: true, messages: [] });
    const [image] = entry.outputs['9'].images;
    const view = await fetch(`${p.gw.url}/view?${new URLSearchParams({ filename: image.filename, subfolder: '', type: 'output' })}`, { headers: auth('redirect') });
    expect(view.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await view.arrayBuffer()).equals(p.fake.lastImages[0])).toBe(true);
  });

  test('BLOCK: HTTP 400 in ComfyUI\'s validation shape naming the node; nothing is queued', async () => {
    const r = await post(p, '/prompt', { prompt: workflow(UNSAFE) }, 'block');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'prompt_blocked', extra_info: { code: 'UNSAFE_PROMPT' } });
    expect(r.body.node_errors['6']).toMatchObject({ class_type: 'CLIPTextEncode', errors: [expect.objectContaining({ type: 'prompt_blocked' })] });
    expect(r.body.node_errors['7']).toBeUndefined();
    expect(p.fake.received).toEqual([]);
  });

  test('REDIRECT: the backend\'s workflow carries safe text', async () => {
    const { entry } = await run(UNSAFE);
    expect(p.fake.prompts[0]).not.toBe(UNSAFE);
    expect(await classifySafe(p, p.fake.prompts[0])).toBe(true);
    expect(entry.prompt[2]['6'].inputs.text).toBe(p.fake.prompts[0]);
    expect(entry.moderation.prompts[0]).toMatchObject({ action: 'REDIRECT' });
  });

  test('text linked in from another node is screened too (fail closed): reported at the encoder, naming the source', async () => {
    const wf: any = workflow('placeholder');
    wf['10'] = { class_type: 'PrimitiveString', inputs: { value: UNSAFE } };
    wf['6'].inputs.text = ['10', 0];
    const r = await post(p, '/prompt', { prompt: wf }, 'block');
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.node_errors)).toEqual(['6']);
    expect(r.body.node_errors['6'].errors[0].extra_info).toMatchObject({ code: 'UNSAFE_PROMPT', input_name: 'text', sources: ['10'] });
    expect(p.fake.received).toEqual([]);
  });

  test('a withheld image is left out of outputs and /view will not serve it; history says why', async () => {
    p.fake.mode = 'not-image';
    const { entry } = await run(SAFE);
    expect(entry.outputs['9'].images).toEqual([]);
    expect(entry.moderation.images[0]).toMatchObject({ action: 'WITHHOLD', checked: false, code: 'IMAGE_UNCHECKED' });
  });

  test('a backend that is down shows in history as an execution error with the code', async () => {
    p.fake.mode = 'down';
    const { entry } = await run(SAFE);
    expect(entry.status.status_str).toBe('error');
    expect(entry.status.messages[0][1]).toMatchObject({ exception_type: 'BACKEND_UNAVAILABLE' });
  });

  test('jobs and images belong to the key that queued them; unknown files are 404', async () => {
    const { id, entry } = await run(SAFE, 'redirect');
    expect(await (await fetch(`${p.gw.url}/history/${id}`, { headers: auth('flag') })).json() as any).toEqual({});
    const file = entry.outputs['9'].images[0].filename;
    expect((await fetch(`${p.gw.url}/view?filename=${file}`, { headers: auth('flag') })).status).toBe(404);
    expect((await fetch(`${p.gw.url}/view?filename=../../etc/passwd`, { headers: auth('redirect') })).status).toBe(404);
    expect((await fetch(`${p.gw.url}/history/${id}`)).status).toBe(401);
  });
});

test('a drop-in API need not match the backend: OpenAI-style requests served by an AUTOMATIC1111 backend', async () => {
  const p = await startPipeline('a1111');
  try {
    const r = await post(p, '/v1/images/generations', { prompt: SAFE, n: 1, size: '64x64' }, 'redirect');
    expect(r.status).toBe(200);
    expect(p.fake.received[0].body).toMatchObject({ prompt: SAFE, width: 64, height: 64, batch_size: 1 });
    expect(Buffer.from(r.body.data[0].b64_json, 'base64').equals(p.fake.lastImages[0])).toBe(true);
  } finally {
    await p.close();
  }
});
