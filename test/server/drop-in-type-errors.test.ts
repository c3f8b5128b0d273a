/**
 * A drop-in field of the wrong JSON type is named with its type (issue #13): `{"prompt": 5}` used to get
 * 422 "prompt is missing". Each message says which field, what it must be, what came, and what is allowed;
 * the codes stay BAD_USER_INPUT, and nothing reaches the backend.
 */
import { txt2img as comfyWorkflow } from './comfyui-fixtures';
import { auth, SAFE, startPipeline, type Pipeline } from '../helpers/pipeline';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('a1111');
});
afterAll(() => p?.close());
beforeEach(() => p.fake.reset());
afterEach(() => expect(p.fake.received).toEqual([]));

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('redirect') }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('AUTOMATIC1111 POST /sdapi/v1/txt2img', () => {
  const txt2img = (extra: Record<string, unknown>) => post('/sdapi/v1/txt2img', { prompt: SAFE, width: 64, height: 64, ...extra });

  test('{"prompt": 5} is 422 "prompt must be a string, got a number (5)"', async () => {
    const r = await post('/sdapi/v1/txt2img', { prompt: 5 });
    expect(r).toEqual({
      status: 422,
      body: expect.objectContaining({ code: 'BAD_USER_INPUT', detail: 'prompt must be a string, got a number (5); allowed: a non-empty string of at most 2000 characters' }),
    });
  });

  test('a missing prompt is still "missing", an empty one "empty"', async () => {
    expect((await post('/sdapi/v1/txt2img', { width: 64 })).body.detail).toBe('prompt is missing; allowed: a non-empty string of at most 2000 characters');
    expect((await post('/sdapi/v1/txt2img', { prompt: '  ' })).body.detail).toBe('prompt is empty; allowed: a non-empty string of at most 2000 characters');
  });

  test.each([
    ['prompt', ['a cat'], 'an array of 1 item'],
    ['prompt', { text: 'a cat' }, 'an object'],
    ['prompt', true, 'a boolean (true)'],
    ['prompt', null, 'null'],
  ])('%s sent as %j names its type', async (field, value, got) => {
    const r = await post('/sdapi/v1/txt2img', { [field]: value });
    expect([r.status, r.body.code, r.body.detail]).toEqual([422, 'BAD_USER_INPUT', `${field} must be a string, got ${got}; allowed: a non-empty string of at most 2000 characters`]);
  });

  test.each(['negative_prompt', 'hr_prompt', 'hr_negative_prompt'])('%s of the wrong type names its type', async (field) => {
    const r = await txt2img({ [field]: 5 });
    expect([r.status, r.body.code, r.body.detail]).toEqual([422, 'BAD_USER_INPUT', `${field} must be a string, got a number (5); allowed: well-formed text of at most 2000 characters (MAX_TEXT_LENGTH), or leave it out`]);
  });

  test('a negative prompt over MAX_TEXT_LENGTH says how long it is', async () => {
    expect((await txt2img({ negative_prompt: 'x'.repeat(2001) })).body.detail).toMatch(/^negative_prompt has 2001 characters; allowed: well-formed text of at most 2000/);
  });

  test('numbers sent as strings say so', async () => {
    expect((await txt2img({ width: '512' })).body.detail).toBe('width must be a number, got a string ("512"); allowed: an integer from 64 to 2048, a multiple of 8 (default 512)');
    expect((await txt2img({ n_iter: '2' })).body.detail).toBe('n_iter must be a number, got a string ("2"); allowed: an integer from 1 to 8 (batch_size x n_iter at most 8)');
    expect((await txt2img({ send_images: 'yes' })).body.detail).toMatch(/^send_images must be true or false, got a string \("yes"\); allowed: true or false/);
  });
});

describe('OpenAI POST /v1/images/generations', () => {
  const images = (extra: Record<string, unknown>) => post('/v1/images/generations', { prompt: SAFE, n: 1, size: '64x64', ...extra });

  test('{"prompt": 5} is 400 in OpenAI\'s shape, param prompt, "prompt must be a string"', async () => {
    const r = await images({ prompt: 5 });
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({
      message: 'prompt must be a string, got a number (5); allowed: a non-empty string of at most 2000 characters',
      type: 'invalid_request_error',
      param: 'prompt',
      code: 'invalid_value',
      gateway_code: 'BAD_USER_INPUT',
    });
  });

  test('size, n, response_format and output_compression of the wrong type name it', async () => {
    expect((await images({ size: 512 })).body.error).toMatchObject({ param: 'size', message: 'size must be a string, got a number (512); allowed: "WIDTHxHEIGHT" such as "1024x1024", or "auto"' });
    expect((await images({ n: '2' })).body.error.message).toBe('n must be a number, got a string ("2"); allowed: an integer from 1 to 8 (default 1)');
    expect((await images({ response_format: 1 })).body.error).toMatchObject({ param: 'response_format', message: 'response_format must be a string, got a number (1); allowed: b64_json' });
    expect((await images({ output_compression: '50' })).body.error).toMatchObject({ param: 'output_compression', message: 'output_compression must be a number, got a string ("50"); allowed: an integer from 0 to 100' });
    expect((await images({ quality: 5 })).body.error.message).toBe('quality must be a string, got a number (5); allowed: auto, standard, hd, low, medium, high');
  });
});

describe('ComfyUI POST /prompt', () => {
  test('a prompt that is a string, not a workflow, says so', async () => {
    const r = await post('/prompt', { prompt: 'a cat in a hat' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      type: 'invalid_prompt',
      message: 'prompt must be a workflow (a JSON object of nodes), got a string ("a cat in a hat"); allowed: an API-format workflow { "<node id>": { "class_type": ..., "inputs": { ... } } }',
      extra_info: { code: 'BAD_USER_INPUT' },
    });
    expect((await post('/prompt', {})).body.error.message).toMatch(/^prompt is missing; allowed: an API-format workflow/);
  });

  test('a number as an encoder\'s text names the node, the input and the type', async () => {
    const r = await post('/prompt', { prompt: comfyWorkflow(5 as unknown as string) });
    expect(r.status).toBe(400);
    expect(r.body.node_errors['6'].errors[0]).toMatchObject({ type: 'text_source_invalid', extra_info: { code: 'BAD_USER_INPUT', input_name: 'text' } });
    expect(r.body.error.message).toMatch(/^node "6" \(CLIPTextEncode\) input text must be a string, got a number \(5\); allowed: a string, or a link to one of/);
  });
});
