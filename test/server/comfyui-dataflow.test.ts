/**
 * Issue #16 against a real gateway and the ComfyUI test double over HTTP: the drop-in POST /prompt screens
 * the text that reaches each text encoder. The three ways around the old per-input screen (a prompt split
 * across StringConcatenate, a negative prompt drawn at cfg 0, a negative wired into `positive` through a
 * ControlNet's second output) are refused with nothing queued; ordinary workflows still run; the backend
 * receives exactly the text that was judged.
 */
import { gql } from '../helpers/gateway';
import { auth, SAFE, startPipeline, UNSAFE, type Pipeline, type Tenant } from '../helpers/pipeline';
import { controlNet, sdxl, splitPrompt, txt2img, type Workflow } from './comfyui-fixtures';

/** Halves of "a photo of a naked woman" that the fixture model judges safe one by one. */
const HALVES = ['a photo of a nak', 'ed woman'] as const;
const UNSAFE_NEGATIVE = 'nsfw, gore';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('comfyui');
});
afterAll(() => p?.close());
beforeEach(() => p.fake.reset());

async function submit(wf: Workflow, tenant: Tenant = 'block'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.gw.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(tenant) }, body: JSON.stringify({ prompt: wf, client_id: 'test' }) });
  return { status: res.status, body: await res.json() as any };
}

/** Queues the workflow, waits for its history entry, and returns it with the workflow the backend received. */
async function run(wf: Workflow, tenant: Tenant = 'block'): Promise<{ entry: any; sent: Workflow }> {
  const r = await submit(wf, tenant);
  expect([r.status, r.body.error?.message]).toEqual([200, undefined]);
  const id = r.body.prompt_id;
  for (let i = 0; i < 200; i++) {
    const h = await (await fetch(`${p.gw.url}/history/${id}`, { headers: auth(tenant) })).json() as any;
    if (h[id]) {
      expect(h[id].status.status_str).toBe('success');
      const queued = p.fake.received.filter((r) => r.path === 'POST /prompt');
      expect(queued).toHaveLength(1);
      return { entry: h[id], sent: (queued[0].body as { prompt: Workflow }).prompt };
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the job never finished');
}

async function unsafe(text: string): Promise<boolean> {
  const { body } = await gql(p.gw, 'query($t: String!) { classify(input: { text: $t }) { unsafe } }', { t: text }, auth('block'));
  return body.data!.classify.unsafe;
}

describe('the three ways around the screen are closed', () => {
  test('an unsafe prompt split across StringConcatenate is judged whole: 400 at the encoder, naming the pieces; nothing queued', async () => {
    // Each half passes on its own (the old per-input screen let this through); the whole does not.
    expect([await unsafe(HALVES[0]), await unsafe(HALVES[1]), await unsafe(HALVES.join(''))]).toEqual([false, false, true]);
    const r = await submit(splitPrompt(...HALVES));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'prompt_blocked', extra_info: { code: 'UNSAFE_PROMPT' } });
    expect(r.body.node_errors).toEqual({
      '6': { class_type: 'CLIPTextEncode', dependent_outputs: [], errors: [expect.objectContaining({ type: 'prompt_blocked', extra_info: { code: 'UNSAFE_PROMPT', input_name: 'text', sources: ['20', '21'] } })] },
    });
    expect(p.fake.received).toEqual([]);
  });

  test('an unsafe negative prompt at cfg 0 is screened as the prompt it becomes; nothing queued', async () => {
    const r = await submit(txt2img(SAFE, UNSAFE_NEGATIVE, 0));
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.node_errors)).toEqual(['7']);
    expect(r.body.node_errors['7'].errors[0].extra_info).toMatchObject({ code: 'UNSAFE_PROMPT', input_name: 'text' });
    expect(p.fake.received).toEqual([]);
  });

  test('a negative encoder wired into `positive` through ControlNetApplyAdvanced output 1 is screened; nothing queued', async () => {
    const r = await submit(controlNet(SAFE, UNSAFE_NEGATIVE, true));
    expect(r.status).toBe(400);
    expect(r.body.node_errors['7']).toMatchObject({ class_type: 'CLIPTextEncode', errors: [expect.objectContaining({ type: 'prompt_blocked' })] });
    expect(p.fake.received).toEqual([]);
  });
});

describe('workflows the gateway cannot evaluate are refused, naming the node', () => {
  test('a custom node feeding an encoder: 400 text_source_unsupported keyed by that node, with its class_type', async () => {
    const wf = txt2img(['70', 0]);
    wf['70'] = { class_type: 'WildcardProcessor', inputs: { wildcard_text: 'a __animal__ in the snow' } };
    const r = await submit(wf, 'redirect');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'text_source_unsupported', extra_info: { code: 'BAD_USER_INPUT' } });
    expect(r.body.error.message).toMatch(/node "70" \(WildcardProcessor\) output 0 feeds node "6" \(CLIPTextEncode\) input text, and the gateway cannot evaluate WildcardProcessor nodes; allowed: /);
    expect(r.body.node_errors).toEqual({ '70': { class_type: 'WildcardProcessor', dependent_outputs: [], errors: [expect.objectContaining({ type: 'text_source_unsupported', extra_info: { code: 'BAD_USER_INPUT' } })] } });
    expect(p.fake.received).toEqual([]);
  });

  test('a cycle of string nodes: 400 text_source_cycle; nothing queued', async () => {
    const wf = txt2img(['80', 0]);
    wf['80'] = { class_type: 'StringConcatenate', inputs: { string_a: ['81', 0], string_b: 'a fox', delimiter: ' ' } };
    wf['81'] = { class_type: 'StringReplace', inputs: { string: ['80', 0], find: 'fox', replace: 'cat' } };
    const r = await submit(wf, 'redirect');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'text_source_cycle', extra_info: { code: 'BAD_USER_INPUT' } });
    expect(Object.keys(r.body.node_errors)).toHaveLength(1);
    expect(p.fake.received).toEqual([]);
  });
});

describe('ordinary workflows still run', () => {
  test('txt2img: the client\'s workflow reaches the backend unchanged', async () => {
    const wf = txt2img(SAFE);
    const { sent } = await run(wf);
    expect(sent).toEqual(wf);
  });

  test('SDXL: both texts of the positive encoder are screened and sent unchanged', async () => {
    const wf = sdxl(SAFE, 'soft morning light');
    const { sent, entry } = await run(wf);
    expect(sent).toEqual(wf);
    expect(entry.moderation.prompts).toHaveLength(2);
  });

  test('a safe prompt split across string nodes: the encoder receives the concatenation as text', async () => {
    const { sent } = await run(splitPrompt('a watercolor painting of a fox', 'in the snow', ' '));
    expect(sent['6'].inputs.text).toBe(SAFE);
    expect(p.fake.prompts).toEqual([SAFE]);
  });

  test('a safe negative prompt at cfg 0 passes; at cfg 7 an unsafe one is not screened (it names what not to draw)', async () => {
    expect((await run(txt2img(SAFE, 'blurry', 0))).sent['7'].inputs.text).toBe('blurry');
    p.fake.reset();
    expect((await run(txt2img(SAFE, UNSAFE_NEGATIVE, 7))).sent['7'].inputs.text).toBe(UNSAFE_NEGATIVE);
  });
});

test('REDIRECT of a concatenated prompt: the encoder receives exactly the judged (redirected) text', async () => {
  const { sent, entry } = await run(splitPrompt(...HALVES), 'redirect');
  const judged = entry.moderation.prompts[0];
  expect(judged).toMatchObject({ action: 'REDIRECT' });
  expect(sent['6'].inputs.text).toBe(judged.sentPrompt);
  expect(sent['6'].inputs.text).not.toBe(HALVES.join(''));
  expect(await unsafe(sent['6'].inputs.text as string)).toBe(false);
  expect(entry.prompt[2]['6'].inputs.text).toBe(judged.sentPrompt);
});

test('UNSAFE is still refused when typed straight into the encoder', async () => {
  const r = await submit(txt2img(UNSAFE));
  expect([r.status, Object.keys(r.body.node_errors)]).toEqual([400, ['6']]);
});

test('an AUTOMATIC1111 backend behind the ComfyUI drop-in is asked for the evaluated main prompt and the negative prompt', async () => {
  const a = await startPipeline('a1111');
  try {
    // The split prompt behind a ControlNet, and a custom node's text listed first: the main prompt still goes first.
    const { '6': _p, '7': _n, ...net } = controlNet('', 'blurry', false);
    const wf: Workflow = { '1': { class_type: 'MyNote', inputs: { note: 'a quiet morning' } }, ...splitPrompt('a watercolor painting of a fox', 'in the snow', ' '), ...net };
    wf['7'].inputs.text = 'blurry';
    const r = await fetch(`${a.gw.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('block') }, body: JSON.stringify({ prompt: wf }) });
    expect(r.status).toBe(200);
    for (let i = 0; i < 200 && a.fake.received.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(a.fake.received[0].body).toMatchObject({ prompt: SAFE, negative_prompt: 'blurry', width: 64, height: 64, steps: 4, seed: 7 });
  } finally {
    await a.close();
  }
});
