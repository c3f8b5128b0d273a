/**
 * A prompt is never judged safe because its words were unknown: with a subword model the tokenizer measures
 * each text's coverage (words read / all words), and a text below the policy's `minCoverage` (default 0.5) is
 * unsafe whatever its distance, on every route that judges a text (classify, redirect, generate's prompt
 * screen, the drop-ins), through SafetyService.verdict. Real gateway, real ONNX sessions (the subword test
 * bundle, test/runtime/subword-bundle.ts), a test AUTOMATIC1111 backend over real HTTP on loopback.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GatewayError } from '../../src/errors';
import type { Gateway } from '../../src/main';
import { counts, defaultPolicy, parsePolicy } from '../../src/safety/policy';
import { calibrationFor, describeUnsafe, judge } from '../../src/safety/verdict';
import { readManifest } from '../../src/runtime/manifest';
import { renderPng, startFakeBackend, type FakeBackend } from '../helpers/backends';
import { gql, startTestGateway } from '../helpers/gateway';
import { buildSubwordBundle } from '../runtime/subword-bundle';

const UNREADABLE = 'zzqx vvkp wqjz';
const KEYS = { strict: 'key-strict-0123456789', block: 'key-block-0123456789ab', lax: 'key-lax-0123456789abcd', sexualOnly: 'key-sexual-0123456789a' } as const;
type Tenant = keyof typeof KEYS;
const auth = (t: Tenant) => ({ authorization: `Bearer ${KEYS[t]}` });
const POLICY = `
prompts: { unsafe: REDIRECT, redirect: EDIT }
policies:
  block: { prompts: { unsafe: BLOCK } }
  lax: { prompts: { unsafe: BLOCK }, minCoverage: 0 }
  sexualOnly: { prompts: { unsafe: BLOCK }, categories: [sexual] }
apiKeys:
  - { name: strict-app, key: ${KEYS.strict}, policy: default }
  - { name: blocker, key: ${KEYS.block}, policy: block }
  - { name: lab, key: ${KEYS.lax}, policy: lax }
  - { name: narrow, key: ${KEYS.sexualOnly}, policy: sexualOnly }
`;

describe('judge: coverage below the minimum is unsafe whatever the distance', () => {
  const cal = { threshold: 1.5, scale: 0.3 };
  test('below: unsafe, reason coverage, score 1; the distance is still reported', () => {
    expect(judge(0.2, 'TEXT', cal, { coverage: 0.4, minCoverage: 0.5 })).toEqual({ modality: 'TEXT', unsafe: true, reason: 'coverage', score: 1, distance: 0.2, threshold: 1.5, coverage: 0.4, minCoverage: 0.5 });
  });
  test('at the minimum: judged by distance alone', () => {
    const v = judge(0.2, 'TEXT', cal, { coverage: 0.5, minCoverage: 0.5 });
    expect(v).toMatchObject({ unsafe: false, coverage: 0.5 });
    expect(v.score).toBeLessThan(0.5);
    expect(v.reason).toBeUndefined();
  });
  test('far and unread: the distance is the reason (its category applies)', () => {
    expect(judge(2, 'TEXT', cal, { coverage: 0, minCoverage: 0.5 })).toMatchObject({ unsafe: true, reason: 'distance' });
  });
  test('a NaN coverage fails closed; minCoverage 0 turns the check off', () => {
    expect(judge(0.2, 'TEXT', cal, { coverage: NaN, minCoverage: 0.5 })).toMatchObject({ unsafe: true, reason: 'coverage' });
    expect(judge(0.2, 'TEXT', cal, { coverage: 0, minCoverage: 0 }).unsafe).toBe(false);
  });
  test('without a measured coverage nothing changes', () => {
    expect(judge(0.2, 'TEXT', cal)).toEqual({ modality: 'TEXT', unsafe: false, score: expect.any(Number), distance: 0.2, threshold: 1.5 });
  });
  test('the reason in words names the coverage and the minimum', () => {
    expect(describeUnsafe(judge(0.2, 'TEXT', cal, { coverage: 1 / 3, minCoverage: 0.5 }), null)).toBe('only 33.3 % of its words could be read by the model, below the minimum coverage of 50 %; unread words are never taken as safe');
  });
});

describe('policy minCoverage', () => {
  const parse = (raw: unknown) => parsePolicy(raw, { where: 'POLICY_FILE p.yaml', key: '', name: 'default', base: defaultPolicy() });
  test('defaults to 0.5; 0 and 1 are allowed; named policies inherit it', () => {
    expect(parse({}).minCoverage).toBe(0.5);
    expect(parse({ minCoverage: 0 }).minCoverage).toBe(0);
    expect(parse({ minCoverage: 1 }).minCoverage).toBe(1);
  });
  test.each([1.5, -0.1, '0.5', true])('%j is refused with CONFIG_INVALID naming the key and what is allowed', (v) => {
    let err: unknown;
    try {
      parse({ minCoverage: v });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/^POLICY_FILE p\.yaml: minCoverage = .* is not a usable coverage; allowed: a number from 0 to 1, the share of a text's words the model must be able to read \(0 turns the check off; default 0\.5\)$/);
  });
  test('a low-coverage verdict counts whatever the categories: no concept decided it', () => {
    const narrow = parse({ categories: ['sexual'] });
    const cal = { threshold: 1.5, scale: 0.3 };
    expect(counts(narrow, judge(0.2, 'TEXT', cal, { coverage: 0, minCoverage: 0.5 }), null)).toBe(true);
    expect(counts(narrow, judge(2, 'TEXT', cal), 'violence')).toBe(false);
  });
});

describe('through the gateway (subword test bundle)', () => {
  let gw: Gateway;
  let fake: FakeBackend;
  let threshold: number;
  beforeAll(async () => {
    const bundle = buildSubwordBundle();
    threshold = calibrationFor(readManifest(bundle.dir), 'TEXT').threshold;
    fake = await startFakeBackend('a1111');
    const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coverage-policy-')), 'policy.yaml');
    fs.writeFileSync(policyFile, POLICY);
    gw = await startTestGateway({ modelDir: bundle.dir }, { POLICY_FILE: policyFile, DIFFUSION_BACKEND: 'a1111', DIFFUSION_URL: fake.url });
  });
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  const CLASSIFY = 'query($t: String!) { classify(input: { text: $t }) { checked unsafe score distance threshold category coverage reason window { text } } }';
  const classify = async (t: string, tenant: Tenant = 'strict') => {
    const { body } = await gql(gw, CLASSIFY, { t }, auth(tenant));
    expect(body.errors).toBeUndefined();
    return body.data!.classify;
  };

  test('classify: a text of words with no known n-grams has coverage 0 and is unsafe for LOW_COVERAGE', async () => {
    const c = await classify(UNREADABLE);
    expect(c).toMatchObject({ checked: true, unsafe: true, reason: 'LOW_COVERAGE', coverage: 0, score: 1, category: null, window: { text: '<unk:zzqx> <unk:vvkp> <unk:wqjz>' } });
    // Judged by distance alone it would have passed: unread words add nothing, so it lies near the origin.
    expect(c.distance).toBeLessThan(threshold);
    // Emoji and CJK that survive normalisation as words are no better.
    expect(await classify('猫猫 狗狗 🙂🙂')).toMatchObject({ unsafe: true, reason: 'LOW_COVERAGE', coverage: 0 });
  });

  test('classify: words read by subwords count as read; an unknown unsafe word is caught by its n-grams', async () => {
    expect(await classify('kittens in a garden')).toMatchObject({ unsafe: false, coverage: 1, reason: null, category: null, window: { text: '<sub:kittens> in a garden' } });
    expect(await classify('a cat zzqx')).toMatchObject({ unsafe: false, reason: null }); // 2/3 read: above 0.5
    expect((await classify('a cat zzqx')).coverage).toBeCloseTo(2 / 3, 6);
    expect(await classify('a bloodied cat')).toMatchObject({ unsafe: true, reason: 'DISTANCE', category: 'violence', coverage: 1 });
  });

  test('classify follows the request policy: minCoverage 0 judges by distance alone', async () => {
    expect(await classify(UNREADABLE, 'lax')).toMatchObject({ unsafe: false, coverage: 0, reason: null });
  });

  test('images have no coverage', async () => {
    const png = await renderPng('a grey square', 32, 32);
    const { body } = await gql(gw, 'query($b: String!) { classify(input: { image: { base64: $b } }) { coverage } }', { b: png.toString('base64') }, auth('strict'));
    expect(body.data!.classify.coverage).toBeNull();
  });

  test('generate, BLOCK: refused with UNSAFE_PROMPT saying the coverage was too low; the backend never sees it', async () => {
    const m = 'mutation($p: Prompt!) { generate(input: { prompt: $p, width: 64, height: 64 }) { outcome } }';
    const { body } = await gql(gw, m, { p: UNREADABLE }, auth('block'));
    expect(body.errors?.[0].extensions?.code).toBe('UNSAFE_PROMPT');
    expect(body.errors?.[0].message).toMatch(/the prompt is unsafe \(only 0 % of its words could be read by the model, below the minimum coverage of 50 %; unread words are never taken as safe\) and policy "block" blocks unsafe prompts/);
    expect((body as any).extensions.promptScreening).toEqual([expect.objectContaining({ action: 'BLOCK', unsafe: true, coverage: 0, reason: 'coverage', category: null, code: 'UNSAFE_PROMPT' })]);
    expect(fake.prompts).toEqual([]);
  });

  test('generate, BLOCK under a policy that counts only "sexual": still refused (low coverage counts whatever the categories)', async () => {
    const m = 'mutation($p: Prompt!) { generate(input: { prompt: $p, width: 64, height: 64 }) { outcome } }';
    const { body } = await gql(gw, m, { p: UNREADABLE }, auth('sexualOnly'));
    expect(body.errors?.[0].extensions?.code).toBe('UNSAFE_PROMPT');
    expect(fake.prompts).toEqual([]);
    // A violent prompt is outside that policy's categories and passes, as before.
    const passed = await gql(gw, m, { p: 'a bloodied cat' }, auth('sexualOnly'));
    expect(passed.body.data?.generate.outcome).toBe('GENERATED');
    expect(fake.prompts).toEqual(['a bloodied cat']);
  });

  test('generate, REDIRECT: the unreadable prompt is replaced by a safe-pool prompt; the backend gets only that', async () => {
    const m = 'mutation($p: Prompt!) { generate(input: { prompt: $p, width: 64, height: 64 }) { outcome sentPrompt promptCheck { unsafe reason coverage } sentCheck { unsafe } } }';
    const { body } = await gql(gw, m, { p: UNREADABLE }, auth('strict'));
    expect(body.errors).toBeUndefined();
    const g = body.data!.generate;
    expect(g).toMatchObject({ outcome: 'REDIRECTED', promptCheck: { unsafe: true, reason: 'LOW_COVERAGE', coverage: 0 }, sentCheck: { unsafe: false } });
    expect(g.sentPrompt).not.toBe(UNREADABLE);
    expect(fake.prompts).toEqual([g.sentPrompt]);
  });

  test('the A1111 drop-in refuses it too, with the reason in its moderation', async () => {
    const res = await fetch(`${gw.url}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('block') }, body: JSON.stringify({ prompt: UNREADABLE, width: 64, height: 64, steps: 5 }) });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body).toMatchObject({ code: 'UNSAFE_PROMPT', detail: expect.stringMatching(/could be read by the model, below the minimum coverage/) });
    expect(fake.received).toEqual([]);
  });

  test('redirect: a low-coverage text goes to RETRIEVE (editing cannot make unread words readable)', async () => {
    const q = 'query($t: String!) { redirect(input: { text: $t }) { redirected strategy output before { unsafe reason coverage } after { unsafe } } }';
    const { body } = await gql(gw, q, { t: UNREADABLE }, auth('strict'));
    expect(body.errors).toBeUndefined();
    expect(body.data!.redirect).toMatchObject({ redirected: true, strategy: 'RETRIEVE', before: { unsafe: true, reason: 'LOW_COVERAGE', coverage: 0 }, after: { unsafe: false } });
    const lax = (await gql(gw, q, { t: UNREADABLE }, auth('lax'))).body.data!.redirect;
    expect(lax).toMatchObject({ redirected: false, output: UNREADABLE, before: { unsafe: false, coverage: 0 } });
  });
});
