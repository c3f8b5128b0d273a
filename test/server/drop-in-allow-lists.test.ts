/**
 * The A1111 and OpenAI drop-ins forward an allow-list: texts the gateway screened and settings it checked.
 * Each refusal here was a way around the screen (infotext filling hr_prompt, override_settings changing the
 * backend for every tenant, a negative prompt rendered at cfg_scale 0, a client's model); the test backend's
 * record of what it received proves what reached it and what never did.
 */
import { A1111_FORWARDED } from '../../src/diffusion/a1111-fields';
import { gql } from '../helpers/gateway';
import { auth, POLICY, RED, SAFE, startPipeline, UNSAFE, writePolicy, type Pipeline, type Tenant } from '../helpers/pipeline';

async function post(p: Pipeline, path: string, body: unknown, tenant: Tenant = 'redirect'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(tenant) }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function classifiedSafe(p: Pipeline, text: string): Promise<boolean> {
  const { body } = await gql(p.gw, 'query($t: String!) { classify(input: { text: $t }) { unsafe } }', { t: text }, auth('redirect'));
  return body.data!.classify.unsafe === false;
}

/** A body as the webuiapi Python client sends it: every field, the unused ones empty. */
const webuiClientBody = (prompt: string) => ({
  prompt,
  negative_prompt: 'blurry, lowres, watermark',
  styles: [],
  seed: 1234,
  subseed: -1,
  subseed_strength: 0,
  seed_resize_from_h: 0,
  seed_resize_from_w: 0,
  sampler_name: 'DPM++ 2M Karras',
  sampler_index: 'Euler a',
  scheduler: 'Automatic',
  batch_size: 2,
  n_iter: 1,
  steps: 5,
  cfg_scale: 7,
  width: 64,
  height: 64,
  restore_faces: false,
  tiling: false,
  do_not_save_samples: false,
  do_not_save_grid: false,
  eta: 1,
  denoising_strength: 0.7,
  s_churn: 0,
  s_tmax: 0,
  s_tmin: 0,
  s_noise: 1,
  enable_hr: true,
  firstphase_width: 0,
  firstphase_height: 0,
  hr_scale: 2,
  hr_upscaler: 'R-ESRGAN 4x+',
  hr_second_pass_steps: 0,
  hr_resize_x: 0,
  hr_resize_y: 0,
  hr_checkpoint_name: null,
  hr_sampler_name: '',
  hr_prompt: '',
  hr_negative_prompt: '',
  override_settings: {},
  override_settings_restore_afterwards: true,
  script_name: null,
  script_args: [],
  alwayson_scripts: {},
  send_images: true,
  save_images: true,
  infotext: '',
});

describe('AUTOMATIC1111 drop-in: only what was judged is forwarded', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('a1111');
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());
  const txt2img = (extra: Record<string, unknown>, tenant: Tenant = 'redirect') => post(p, '/sdapi/v1/txt2img', { prompt: SAFE, width: 64, height: 64, steps: 5, ...extra }, tenant);

  test('a real web UI client body works, and the backend receives only allow-listed fields, with the gateway\'s save_images', async () => {
    const r = await post(p, '/sdapi/v1/txt2img', webuiClientBody(SAFE));
    expect(r.status).toBe(200);
    expect(r.body.images).toHaveLength(2);
    const got = p.fake.received[0].body as Record<string, unknown>;
    expect(got).toMatchObject({ prompt: SAFE, negative_prompt: 'blurry, lowres, watermark', seed: 1234, sampler_name: 'DPM++ 2M Karras', cfg_scale: 7, batch_size: 2, n_iter: 1, enable_hr: true, hr_scale: 2, hr_upscaler: 'R-ESRGAN 4x+', denoising_strength: 0.7, restore_faces: false });
    expect(got.save_images).toBe(false);
    const core = ['prompt', 'negative_prompt', 'width', 'height', 'steps', 'seed', 'batch_size', 'send_images', 'save_images'];
    expect(Object.keys(got).filter((k) => !core.includes(k) && !A1111_FORWARDED.includes(k))).toEqual([]);
    for (const k of ['override_settings', 'styles', 'alwayson_scripts', 'script_args', 'infotext', 'hr_checkpoint_name']) expect(got).not.toHaveProperty(k);
    expect(r.body.parameters).toMatchObject({ prompt: SAFE, sampler_name: 'DPM++ 2M Karras', batch_size: 2 });
    // The client's gateway key is not the backend's: with no DIFFUSION_API_KEY the backend gets none.
    expect(p.fake.received[0].authorization).toBeUndefined();
  });

  test('infotext is refused: its "Hires prompt:" would become an unscreened hr_prompt', async () => {
    const infotext = `${SAFE}\nSteps: 5, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 64x64, Hires upscale: 2, Hires prompt: "${UNSAFE}"`;
    const r = await txt2img({ infotext, enable_hr: true });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ error: 'HTTPException', code: 'BAD_USER_INPUT' });
    expect(r.body.detail).toMatch(/^infotext is not forwarded: A1111 fills every unset field from it .*; allowed: leave infotext out or empty$/);
    expect(p.fake.received).toEqual([]);
  });

  test('override_settings is refused (it would change the backend for every tenant); empty, it is dropped', async () => {
    const r = await txt2img({ override_settings: { sd_model_checkpoint: 'other.safetensors', CLIP_stop_at_last_layers: 2 } });
    expect([r.status, r.body.code]).toEqual([422, 'BAD_USER_INPUT']);
    expect(r.body.detail).toMatch(/^override_settings is not forwarded: it changes the backend's global settings/);
    expect(p.fake.received).toEqual([]);
    const ok = await txt2img({ override_settings: {}, override_settings_restore_afterwards: true });
    expect(ok.status).toBe(200);
    expect(p.fake.received[0].body).not.toHaveProperty('override_settings');
  });

  test('styles, checkpoint names and an unknown field are refused, naming the field and what is allowed', async () => {
    const styles = await txt2img({ styles: ['my server-side style'] });
    expect([styles.status, styles.body.detail]).toEqual([422, expect.stringMatching(/^styles is not forwarded: styles are prompt texts stored on the backend/)]);
    const ckpt = await txt2img({ hr_checkpoint_name: 'other.safetensors' });
    expect(ckpt.body.detail).toMatch(/^hr_checkpoint_name is not forwarded: it loads another checkpoint/);
    const unknown = await txt2img({ ad_prompt: UNSAFE });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'BAD_USER_INPUT']);
    expect(unknown.body.detail).toMatch(/^ad_prompt is not a txt2img field the gateway forwards .*; allowed: prompt, negative_prompt, hr_prompt, hr_negative_prompt, width, .*cfg_scale/);
    expect(p.fake.received).toEqual([]);
  });

  test('settings are checked for type and range', async () => {
    const cfg = await txt2img({ cfg_scale: -3 });
    expect([cfg.status, cfg.body.detail]).toEqual([422, 'cfg_scale is -3; allowed: a number from 0 to 30']);
    const sampler = await txt2img({ sampler_name: { $ref: 'x' } });
    expect(sampler.body.detail).toMatch(/^sampler_name must be a string, got an object; allowed: a name of at most 100/);
    const hires = await txt2img({ enable_hr: 'yes' });
    expect(hires.body.detail).toBe('enable_hr must be true or false, got a string ("yes"); allowed: true or false');
    const steps = await txt2img({ cfg_scale: '7' });
    expect(steps.body.detail).toBe('cfg_scale must be a number, got a string ("7"); allowed: a number from 0 to 30');
    const many = await txt2img({ batch_size: 4, n_iter: 3 });
    expect([many.status, many.body.detail]).toEqual([422, expect.stringMatching(/^batch_size x n_iter is 12; allowed: an integer from 1 to 8/)]);
    expect(p.fake.received).toEqual([]);
  });

  test('cfg_scale 0 renders the negative prompt: an unsafe one is screened like a prompt and blocked', async () => {
    const r = await txt2img({ negative_prompt: UNSAFE, cfg_scale: 0 }, 'block');
    expect([r.status, r.body.code]).toEqual([400, 'UNSAFE_PROMPT']);
    expect(r.body.moderation.prompts).toEqual([expect.objectContaining({ field: 'prompt', action: 'PASS' }), expect.objectContaining({ field: 'negative_prompt', action: 'BLOCK', code: 'UNSAFE_PROMPT' })]);
    const hr = await txt2img({ hr_negative_prompt: UNSAFE, cfg_scale: 0.5, enable_hr: true }, 'block');
    expect([hr.status, hr.body.code]).toEqual([400, 'UNSAFE_PROMPT']);
    expect(p.fake.received).toEqual([]);
  });

  test('at cfg_scale 0 a safe negative passes and an unsafe one is redirected; at cfg_scale >= 1 negatives go as written', async () => {
    expect(await classifiedSafe(p, RED)).toBe(true);
    const safe = await txt2img({ negative_prompt: RED, cfg_scale: 0 }, 'block');
    expect(safe.status).toBe(200);
    expect(p.fake.received[0].body).toMatchObject({ negative_prompt: RED, cfg_scale: 0 });
    const redirected = await txt2img({ negative_prompt: UNSAFE, cfg_scale: 0 }, 'redirect');
    expect(redirected.status).toBe(200);
    const sentNegative = (p.fake.received[1].body as { negative_prompt: string }).negative_prompt;
    expect(sentNegative).not.toBe(UNSAFE);
    expect(await classifiedSafe(p, sentNegative)).toBe(true);
    expect(redirected.body.parameters.negative_prompt).toBe(sentNegative);
    const pushedAway = await txt2img({ negative_prompt: UNSAFE, hr_negative_prompt: UNSAFE, cfg_scale: 1 }, 'block');
    expect(pushedAway.status).toBe(200);
    expect(p.fake.received[2].body).toMatchObject({ negative_prompt: UNSAFE, hr_negative_prompt: UNSAFE });
    expect(pushedAway.body.moderation.prompts).toHaveLength(1);
  });
});

describe('OpenAI drop-in: the operator\'s settings win', () => {
  let p: Pipeline;
  beforeAll(async () => {
    // POLICY ends inside its diffusion: mapping.
    p = await startPipeline('openai', { POLICY_FILE: writePolicy(`${POLICY}  openai: { model: operator-model }\n`) });
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());
  const images = (extra: Record<string, unknown>) => post(p, '/v1/images/generations', { prompt: SAFE, n: 1, size: '64x64', ...extra });

  test('the client\'s model, moderation and user never reach the backend; the operator\'s model does', async () => {
    const r = await images({ model: 'gpt-image-1', moderation: 'low', user: 'someone-else', quality: 'hd', style: 'natural' });
    expect(r.status).toBe(200);
    const got = p.fake.received[0].body as Record<string, unknown>;
    expect(got).toEqual({ model: 'operator-model', prompt: SAFE, n: 1, size: '64x64', response_format: 'b64_json', quality: 'hd', style: 'natural' });
  });

  test('unknown fields, streaming and out-of-list values are refused in OpenAI\'s shape, naming the param', async () => {
    const unknown = await images({ webhook_url: 'http://example.invalid/' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ param: 'webhook_url', code: 'invalid_value', gateway_code: 'BAD_USER_INPUT' });
    expect(unknown.body.error.message).toMatch(/^webhook_url is not a field the gateway forwards; allowed: prompt, n, size, response_format, quality, style/);
    const stream = await images({ stream: true });
    expect([stream.status, stream.body.error.param]).toEqual([400, 'stream']);
    const quality = await images({ quality: 'ultra' });
    expect(quality.body.error).toMatchObject({ param: 'quality', message: 'quality is "ultra"; allowed: auto, standard, hd, low, medium, high' });
    expect(p.fake.received).toEqual([]);
  });
});

test('OpenAI drop-in: the operator\'s quality and moderation replace the client\'s', async () => {
  const p = await startPipeline('openai', { POLICY_FILE: writePolicy(`${POLICY}  openai: { model: operator-model, quality: standard, moderation: auto }\n`) });
  try {
    const r = await post(p, '/v1/images/generations', { prompt: SAFE, n: 1, size: '64x64', quality: 'hd', moderation: 'low', model: 'gpt-image-1' });
    expect(r.status).toBe(200);
    expect(p.fake.received[0].body).toMatchObject({ model: 'operator-model', quality: 'standard', moderation: 'auto' });
  } finally {
    await p.close();
  }
});

test('OpenAI drop-in with no operator model: the client\'s model is dropped, not forwarded', async () => {
  const p = await startPipeline('openai');
  try {
    const r = await post(p, '/v1/images/generations', { prompt: SAFE, n: 1, size: '64x64', model: 'dall-e-3', moderation: 'low' });
    expect(r.status).toBe(200);
    expect(p.fake.received[0].body).not.toHaveProperty('model');
    expect(p.fake.received[0].body).not.toHaveProperty('moderation');
  } finally {
    await p.close();
  }
});

