/**
 * The generation pipeline over GraphQL, for each backend API: real gateway (real ONNX sessions), real HTTP
 * to a test backend on 127.0.0.1 that speaks the API and paints real PNGs. The backend's record of the
 * prompts it received proves what reached it and what never did.
 */
import { BACKEND_KINDS } from '../../src/diffusion/backend';
import { gql } from '../helpers/gateway';
import { auth, compare, fromDataUrl, pixels, RED, SAFE, startPipeline, UNSAFE, type Pipeline, type Tenant } from '../helpers/pipeline';

const GENERATE = `mutation($input: GenerateInput!) {
  generate(input: $input) {
    outcome originalPrompt sentPrompt backend
    promptCheck { checked unsafe score }
    sentCheck { unsafe }
    images { dataUrl action reason check { checked unsafe score distance threshold nearest { category } } }
  }
}`;

describe.each(BACKEND_KINDS)('generate through %s', (kind) => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline(kind);
  });
  afterAll(() => p?.close());
  beforeEach(() => p.fake.reset());

  const generate = (tenant: Tenant, input: Record<string, unknown>) => gql(p.gw, GENERATE, { input: { width: 64, height: 64, ...input } }, auth(tenant));

  test('a safe prompt is forwarded unchanged and its safe image passes', async () => {
    const { body } = await generate('redirect', { prompt: SAFE, count: 2 });
    expect(body.errors).toBeUndefined();
    const g = body.data!.generate;
    expect(p.fake.prompts).toEqual([SAFE]);
    expect(g).toMatchObject({ outcome: 'GENERATED', originalPrompt: SAFE, sentPrompt: SAFE, backend: kind, promptCheck: { checked: true, unsafe: false } });
    expect(g.images).toHaveLength(2);
    for (const [i, img] of g.images.entries()) {
      expect(img).toMatchObject({ action: 'PASSED', reason: null, check: { checked: true, unsafe: false } });
      const bytes = fromDataUrl(img.dataUrl);
      expect(img.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
      expect(bytes.equals(p.fake.lastImages[i])).toBe(true);
      expect(await pixels(bytes)).toMatchObject({ width: 64, height: 64 });
    }
  });

  test('BLOCK: an unsafe prompt fails with UNSAFE_PROMPT and never reaches the backend', async () => {
    const { body } = await generate('block', { prompt: UNSAFE });
    expect(body.data).toBeNull();
    expect(body.errors![0].extensions!.code).toBe('UNSAFE_PROMPT');
    expect(body.errors![0].message).toMatch(/policy "block" blocks unsafe prompts; allowed: a prompt the safety model judges safe/);
    expect(p.fake.prompts).toEqual([]);
    expect(p.fake.received).toEqual([]);
    expect((body as any).extensions.promptScreening).toEqual([expect.objectContaining({ path: 'generate', argument: 'input.prompt', action: 'BLOCK', unsafe: true, code: 'UNSAFE_PROMPT' })]);
  });

  test('REDIRECT: the backend receives safe text instead, which the gateway itself classifies safe', async () => {
    const { body } = await generate('redirect', { prompt: UNSAFE });
    expect(body.errors).toBeUndefined();
    const g = body.data!.generate;
    expect(g.outcome).toBe('REDIRECTED');
    expect(g.promptCheck.unsafe).toBe(true);
    expect(g.sentCheck.unsafe).toBe(false);
    expect(p.fake.prompts).toEqual([g.sentPrompt]);
    expect(g.sentPrompt).not.toBe(UNSAFE);
    const check = await gql(p.gw, 'query($t: String!) { classify(input: { text: $t }) { unsafe } }', { t: p.fake.prompts[0] }, auth('redirect'));
    expect(check.body.data!.classify.unsafe).toBe(false);
  });

  test('FLAG: the prompt passes unchanged and is marked', async () => {
    const { body } = await generate('flag', { prompt: UNSAFE });
    const g = body.data!.generate;
    expect(g).toMatchObject({ outcome: 'FLAGGED', sentPrompt: UNSAFE, promptCheck: { unsafe: true } });
    expect(p.fake.prompts).toEqual([UNSAFE]);
    expect((body as any).extensions.promptScreening[0]).toMatchObject({ action: 'FLAG', unsafe: true });
  });

  test('an unsafe image is blurred (BLUR): same size, different pixels, the stripes gone', async () => {
    const { body } = await generate('redirect', { prompt: RED, width: 128, height: 96 });
    const img = body.data!.generate.images[0];
    expect(body.data!.generate.outcome).toBe('GENERATED');
    expect(img).toMatchObject({ action: 'BLURRED', check: { checked: true, unsafe: true } });
    expect(img.reason).toMatch(/blurred: the image is unsafe/);
    const blurred = fromDataUrl(img.dataUrl);
    const c = await compare(p.fake.lastImages[0], blurred);
    expect(c.sameSize).toBe(true);
    expect(await pixels(blurred)).toMatchObject({ width: 128, height: 96, format: 'png' });
    expect(c.meanAbsDiff).toBeGreaterThan(5);
    expect(c.edgesB).toBeLessThan(c.edgesA / 10);
  });

  test('an unsafe image is withheld (WITHHOLD): no bytes, a reason', async () => {
    const { body } = await generate('block', { prompt: RED });
    const img = body.data!.generate.images[0];
    expect(img).toMatchObject({ dataUrl: null, action: 'WITHHELD', check: { checked: true, unsafe: true } });
    expect(img.reason).toMatch(/the image is unsafe .* policy "block" withholds unsafe images/);
  });

  test('an unsafe image passes, marked, under a PASS policy', async () => {
    const { body } = await generate('flag', { prompt: RED });
    const img = body.data!.generate.images[0];
    expect(img).toMatchObject({ action: 'PASSED', check: { unsafe: true } });
    expect(fromDataUrl(img.dataUrl).equals(p.fake.lastImages[0])).toBe(true);
  });

  test.each<Tenant>(['flag', 'redirect'])('bytes that are not an image are withheld as unchecked, whatever the policy (%s)', async (tenant) => {
    p.fake.mode = 'not-image';
    const { body } = await generate(tenant, { prompt: SAFE });
    const img = body.data!.generate.images[0];
    expect(img).toMatchObject({ dataUrl: null, action: 'WITHHELD', check: { checked: false, unsafe: true, score: 1, nearest: [] } });
    expect(img.check.distance).toBe(img.check.threshold);
    expect(img.reason).toMatch(/could not be checked/);
  });

  test.each([
    ['down', 'BACKEND_UNAVAILABLE'],
    ['unavailable', 'BACKEND_UNAVAILABLE'],
    ['slow', 'BACKEND_TIMEOUT'],
    ['garbage', 'BACKEND_BAD_RESPONSE'],
    ['wrong-shape', 'BACKEND_BAD_RESPONSE'],
  ] as const)('a backend that is %s gives %s and no image', async (mode, code) => {
    p.fake.mode = mode;
    const { body } = await generate('redirect', { prompt: SAFE });
    expect(body.data).toBeNull();
    expect(body.errors![0].extensions!.code).toBe(code);
    expect(body.errors![0].message).toMatch(new RegExp(`diffusion backend \\(${kind}\\)`));
  });

  test('sizes, steps and counts outside their ranges are BAD_USER_INPUT and the backend is not called', async () => {
    for (const [input, message] of [
      [{ width: 100 }, /input.width is 100; allowed: an integer from 64 to 2048, a multiple of 8/],
      [{ count: 9 }, /input.count is 9; allowed: an integer from 1 to 8/],
      [{ steps: 0 }, /input.steps is 0; allowed: an integer from 1 to 150/],
      [{ seed: -2 }, /input.seed is -2; allowed: an integer from -1 to 2147483647/],
    ] as const) {
      const { body } = await generate('redirect', { prompt: SAFE, ...input });
      expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      expect(body.errors![0].message).toMatch(message);
    }
    expect(p.fake.received).toEqual([]);
  });
});

describe('API keys and budgets', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('a1111', { MAX_REQUEST_ITEMS: '4' });
  });
  afterAll(() => p?.close());

  test('without a valid key: HTTP 401, UNAUTHENTICATED, and nothing runs', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-known-key-000000' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
      const res = await gql(p.gw, '{ model { name } }', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors![0].message).toMatch(/allowed: the header `Authorization: Bearer <API key>`/);
    }
    expect(p.fake.received).toEqual([]);
  });

  test('the same request under two keys: one tenant is blocked, the other redirected', async () => {
    const input = { prompt: UNSAFE, width: 64, height: 64 };
    const blocked = await gql(p.gw, GENERATE, { input }, auth('block'));
    const redirected = await gql(p.gw, GENERATE, { input }, auth('redirect'));
    expect(blocked.body.errors![0].extensions!.code).toBe('UNSAFE_PROMPT');
    expect(redirected.body.data!.generate.outcome).toBe('REDIRECTED');
    expect(p.fake.prompts).toEqual([redirected.body.data!.generate.sentPrompt]);
  });

  test('generated images count against MAX_REQUEST_ITEMS with the prompts; over it, the backend is not called', async () => {
    p.fake.reset();
    const { body } = await gql(p.gw, GENERATE, { input: { prompt: SAFE, width: 64, height: 64, count: 4 } }, auth('redirect'));
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/more than 4 model inputs .*MAX_REQUEST_ITEMS/);
    expect(p.fake.received).toEqual([]);
  });

  test('health, readiness and metrics stay open without a key', async () => {
    for (const route of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${p.gw.url}${route}`)).status).toBe(200);
  });
});

test('without a configured backend, generate is BACKEND_UNAVAILABLE after screening (a blocked prompt is still UNSAFE_PROMPT)', async () => {
  const { startTestGateway } = await import('../helpers/gateway');
  const gw = await startTestGateway({}, { PROMPT_ACTION: 'BLOCK' });
  try {
    const safe = await gql(gw, GENERATE, { input: { prompt: SAFE } });
    expect(safe.body.errors![0].extensions!.code).toBe('BACKEND_UNAVAILABLE');
    expect(safe.body.errors![0].message).toMatch(/no diffusion backend is configured; allowed: set DIFFUSION_BACKEND \(a1111, comfyui, openai\) and DIFFUSION_URL/);
    const unsafe = await gql(gw, GENERATE, { input: { prompt: UNSAFE } });
    expect(unsafe.body.errors![0].extensions!.code).toBe('UNSAFE_PROMPT');
  } finally {
    await gw.close();
  }
});
