/**
 * prompt-screen on a field that is not `generate`: a small extra schema served by a real gateway, whose
 * resolver records what it receives. Any argument typed `Prompt` (top level, nested in an input object,
 * in a list) is screened before the operation executes, all of a request's prompts in one model run; audit
 * and metrics plugins record every decision.
 */
import { createHash } from 'node:crypto';
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';
import { auth, captureLog, SAFE, UNSAFE, writePolicy } from '../helpers/pipeline';

const EXTRA = `
input CaptionStyle { prefix: Prompt, tags: [Prompt!], note: String }
type Caption { text: String!, prefix: String, tags: [String!] }
extend type Query {
  caption(text: Prompt!, style: CaptionStyle): Caption!
  plain(text: String!): String!
}`;

const calls: { text: string; style?: { prefix?: string; tags?: string[]; note?: string } }[] = [];
const resolvers = {
  Query: {
    caption: (_p: unknown, args: { text: string; style?: { prefix?: string; tags?: string[] } }) => {
      calls.push(args);
      return { text: args.text, prefix: args.style?.prefix ?? null, tags: args.style?.tags ?? null };
    },
    plain: (_p: unknown, args: { text: string }) => args.text,
  },
};

let gw: Gateway;
const audit = captureLog();
beforeAll(async () => {
  gw = await startTestGateway({}, { POLICY_FILE: writePolicy(), MAX_REQUEST_ITEMS: '6' }, { extraSchema: { typeDefs: EXTRA, resolvers }, log: audit.log });
});
afterAll(() => gw?.close());
beforeEach(() => (calls.length = 0));

const CAPTION = 'query($t: Prompt!, $s: CaptionStyle) { caption(text: $t, style: $s) { text prefix tags } }';

test('a safe prompt reaches the resolver unchanged; the response lists it as screened', async () => {
  const { body } = await gql(gw, CAPTION, { t: SAFE }, auth('block'));
  expect(body.data!.caption.text).toBe(SAFE);
  expect(calls).toEqual([{ text: SAFE }]);
  expect((body as any).extensions.promptScreening).toEqual([{ path: 'caption', argument: 'text', action: 'PASS', checked: true, unsafe: false, score: expect.any(Number), category: null }]);
});

test('BLOCK: the field fails with UNSAFE_PROMPT and its resolver never runs; a String argument is not screened', async () => {
  const { body } = await gql(gw, `{ caption(text: ${JSON.stringify(UNSAFE)}) { text } plain(text: ${JSON.stringify(UNSAFE)}) }`, undefined, auth('block'));
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0]).toMatchObject({ path: ['caption'], extensions: { code: 'UNSAFE_PROMPT' } });
  expect(calls).toEqual([]);
  expect(body.data).toEqual(null); // caption is non-null, so its failure nulls the whole response
  const plain = await gql(gw, `{ plain(text: ${JSON.stringify(UNSAFE)}) }`, undefined, auth('block'));
  expect(plain.body.data!.plain).toBe(UNSAFE);
  expect((plain.body as any).extensions).toBeUndefined();
});

test('REDIRECT: the resolver receives safe redirected text, in nested input objects and lists too', async () => {
  const { body } = await gql(gw, CAPTION, { t: UNSAFE, s: { prefix: 'a bloody corpse', tags: [SAFE, 'gore and murder'], note: UNSAFE } }, auth('redirect'));
  expect(body.errors).toBeUndefined();
  const got = calls[0];
  expect(got.text).not.toBe(UNSAFE);
  expect(got.style!.prefix).not.toBe('a bloody corpse');
  expect(got.style!.tags![0]).toBe(SAFE);
  expect(got.style!.tags![1]).not.toBe('gore and murder');
  expect(got.style!.note).toBe(UNSAFE); // a String field of the same input is not a prompt
  const check = await gql(gw, 'query($a: String!, $b: String!, $c: String!) { a: classify(input: { text: $a }) { unsafe } b: classify(input: { text: $b }) { unsafe } c: classify(input: { text: $c }) { unsafe } }', { a: got.text, b: got.style!.prefix, c: got.style!.tags![1] }, auth('redirect'));
  expect(Object.values(check.body.data!).map((v: any) => v.unsafe)).toEqual([false, false, false]);
  const screened = (body as any).extensions.promptScreening;
  expect(screened.map((s: any) => [s.argument, s.action])).toEqual([
    ['text', 'REDIRECT'],
    ['style.prefix', 'REDIRECT'],
    ['style.tags[0]', 'PASS'],
    ['style.tags[1]', 'REDIRECT'],
  ]);
  expect(screened[0].sentPrompt).toBe(got.text);
});

test('FLAG: the prompt passes unchanged and the response marks it unsafe', async () => {
  const { body } = await gql(gw, CAPTION, { t: UNSAFE }, auth('flag'));
  expect(calls).toEqual([{ text: UNSAFE }]);
  expect((body as any).extensions.promptScreening[0]).toMatchObject({ action: 'FLAG', unsafe: true, category: expect.any(String) });
});

test('every prompt of a request (aliases, variables, fragments, nested, lists) is screened in one model run before execution', async () => {
  const doc = `query($t: Prompt!, $tags: [Prompt!]) {
    a: caption(text: $t) { text }
    b: caption(text: "a quiet harbour at dawn", style: { tags: $tags }) { text }
    ...More
  }
  fragment More on Query { c: caption(text: "a castle on a hill", style: { prefix: "a bowl of fruit" }) { text } }`;
  const batches = await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' });
  const items = await metric(gw, 'gateway_model_items_total', { modality: 'TEXT' });
  const { body } = await gql(gw, doc, { t: 'a lighthouse in a storm', tags: ['a sailing boat', 'a lighthouse in a storm'] }, auth('flag'));
  expect(body.errors).toBeUndefined();
  expect(calls).toHaveLength(3);
  expect((await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })) - batches).toBe(1);
  expect((await metric(gw, 'gateway_model_items_total', { modality: 'TEXT' })) - items).toBe(5); // distinct prompts
});

test('prompts count against MAX_REQUEST_ITEMS: over it, the request is refused before anything runs', async () => {
  const doc = `{ ${Array.from({ length: 7 }, (_, i) => `c${i}: caption(text: "a harbour number ${i}") { text }`).join(' ')} }`;
  const res = await gql(gw, doc, undefined, auth('flag'));
  expect(res.status).toBe(400);
  expect(res.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  expect(res.body.errors![0].message).toMatch(/more than 6 model inputs .* \(MAX_REQUEST_ITEMS\)/);
  expect(calls).toEqual([]);
});

test('a Prompt must be a non-empty, well-formed string within MAX_TEXT_LENGTH', async () => {
  const empty = await gql(gw, CAPTION, { t: '   ' }, auth('flag'));
  expect(empty.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  expect(empty.body.errors![0].message).toMatch(/a Prompt is empty; allowed: a non-empty string of at most 2000 characters/);
  const long = await gql(gw, CAPTION, { t: 'a'.repeat(2001) }, auth('flag'));
  expect(long.body.errors![0].message).toMatch(/has 2001 characters/);
  const literal = await gql(gw, '{ caption(text: 42) { text } }', undefined, auth('flag'));
  expect(literal.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(calls).toEqual([]);
});

describe('audit and metrics', () => {
  test('one audit line per decision: request id, field, verdict, score, distance, action, latency; the prompt only as its sha256', async () => {
    const before = audit.lines().length;
    await gql(gw, `{ caption(text: ${JSON.stringify(UNSAFE)}) { text } }`, undefined, { ...auth('block'), 'x-request-id': 'audit-test-1' });
    const lines = audit.lines().slice(before).filter((l) => l.audit);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'safety decision',
      audit: 'prompt',
      requestId: 'audit-test-1',
      field: 'Query.caption',
      policy: 'block',
      tenant: 'blocker',
      verdict: 'unsafe',
      action: 'BLOCK',
      code: 'UNSAFE_PROMPT',
      counted: true,
      promptSha256: createHash('sha256').update(UNSAFE).digest('hex'),
    });
    for (const k of ['score', 'distance', 'threshold', 'latencyMs']) expect(typeof lines[0][k]).toBe('number');
    expect(JSON.stringify(lines[0])).not.toContain('naked');
  });

  test('counters and latency histograms per decision and action on /metrics', async () => {
    const labels = { kind: 'prompt', action: 'REDIRECT', policy: 'default', verdict: 'unsafe' };
    const before = await metric(gw, 'gateway_safety_decisions_total', labels);
    const hist = await metric(gw, 'gateway_safety_check_seconds_count', { kind: 'prompt', action: 'REDIRECT' });
    await gql(gw, CAPTION, { t: UNSAFE }, auth('redirect'));
    expect((await metric(gw, 'gateway_safety_decisions_total', labels)) - before).toBe(1);
    expect((await metric(gw, 'gateway_safety_check_seconds_count', { kind: 'prompt', action: 'REDIRECT' })) - hist).toBe(1);
  });
});

// Last: closes the model runtime under the running gateway.
test('fail closed: when the model cannot run, the field fails with MODEL_UNAVAILABLE and its resolver never sees the prompt', async () => {
  await gw.services.runtime.close();
  const before = audit.lines().length;
  const { body } = await gql(gw, CAPTION, { t: SAFE }, auth('flag'));
  expect(body.errors![0].extensions!.code).toBe('MODEL_UNAVAILABLE');
  expect(body.errors![0].message).toMatch(/could not be checked/);
  expect(calls).toEqual([]);
  expect(audit.lines().slice(before).filter((l) => l.audit)[0]).toMatchObject({ verdict: 'unchecked', action: 'BLOCK', code: 'MODEL_UNAVAILABLE' });
});
