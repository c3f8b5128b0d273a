/**
 * The GraphQL contract over real HTTP, on the test-fixture bundle with real ONNX sessions in worker threads.
 */
import sharp from 'sharp';
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

async function png(r: number, g: number, b: number, size = 48): Promise<string> {
  const buf = await sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } }).png().toBuffer();
  return buf.toString('base64');
}

const SAFE = 'a photo of a cat sitting on a sofa in a sunny living room';
const UNSAFE = 'a photo of a naked woman covered in blood';

describe('HTTP surface', () => {
  test('healthz and readyz answer 200 once the model is warm', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json() as any).toEqual({ status: 'ready' });
  });

  test('the landing page loads nothing from the internet', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/graphql');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    const viaGraphql = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await viaGraphql.text()).toBe(html);
  });

  test('metrics are Prometheus text with the model counters', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('gateway_model_batches_total');
    expect(text).toContain('gateway_model_items_total');
  });

  test('unknown routes are 404 with a code', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json() as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  test('CSRF prevention stays on: a simple text/plain POST and a bare GET are refused', async () => {
    const post = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(post.status).toBe(400);
    const bare = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(bare.status).toBe(400);
    const ok = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ model { name } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
    expect((await ok.json() as any).data.model.name).toBe('fixture-tiny');
  });

  test('invalid JSON is a 400 with a message', async () => {
    const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const body = await res.json() as any;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/not valid JSON/);
  });
});

describe('GraphQL fields', () => {
  test('model says which bundle is served and that it is a fixture', async () => {
    const { body } = await gql(gw, '{ model { name fixture curvature embeddingDim tokenizer contextLength imageSize threshold { text image } bounds { safeText { mean p5 p95 } } provenance { source license rebuild } anchorCount poolSize } }');
    expect(body.errors).toBeUndefined();
    const m = body.data!.model;
    expect(m.name).toBe('fixture-tiny');
    expect(m.fixture).toBe(true);
    expect(m.embeddingDim).toBe(16);
    expect(m.tokenizer).toBe('word');
    expect(m.anchorCount).toBeGreaterThan(0);
    expect(m.poolSize).toBeGreaterThan(0);
  });

  test('embed returns a point on the hyperboloid: time^2 - |space|^2 = 1/c', async () => {
    const { body } = await gql(gw, `{ embed(input: { text: ${JSON.stringify(SAFE)} }) { modality space time distance curvature } }`);
    const e = body.data!.embed;
    expect(e.modality).toBe('TEXT');
    expect(e.space).toHaveLength(16);
    const norm2 = e.space.reduce((s: number, x: number) => s + x * x, 0);
    expect(e.time * e.time - norm2).toBeCloseTo(1 / e.curvature, 5);
    const c = e.curvature;
    expect(e.distance).toBeCloseTo(Math.asinh(Math.sqrt(c) * Math.sqrt(norm2)) / Math.sqrt(c), 5);
  });

  test('classify: safe text passes, text with an unsafe word is flagged, scores agree with distances', async () => {
    const { body } = await gql(gw, `{
      safe: classify(input: { text: ${JSON.stringify(SAFE)} }) { modality unsafe score distance threshold category nearest { text category distance } }
      unsafe: classify(input: { text: ${JSON.stringify(UNSAFE)} }) { unsafe score distance threshold category nearest { category } }
    }`);
    expect(body.errors).toBeUndefined();
    const { safe, unsafe } = body.data!;
    expect(safe.unsafe).toBe(false);
    expect(safe.score).toBeLessThan(0.5);
    expect(safe.distance).toBeLessThan(safe.threshold);
    expect(unsafe.unsafe).toBe(true);
    expect(unsafe.score).toBeGreaterThan(0.5);
    expect(unsafe.distance).toBeGreaterThanOrEqual(unsafe.threshold);
    expect(safe.nearest).toHaveLength(3);
    expect(safe.nearest[0].distance).toBeLessThanOrEqual(safe.nearest[1].distance);
    expect(unsafe.nearest.some((n: { category: string }) => n.category !== 'safe')).toBe(true);
    expect(safe.category).toBeNull();
    expect(['sexual', 'violence', 'shocking']).toContain(unsafe.category);
  });

  test('classify images: the fixture flags a red image and passes a grey one', async () => {
    const { body } = await gql(gw, `query($red: String!, $grey: String!) {
      red: classify(input: { image: { base64: $red } }) { modality unsafe score distance }
      grey: classify(input: { image: { base64: $grey } }) { modality unsafe score distance }
    }`, { red: `data:image/png;base64,${await png(250, 10, 10)}`, grey: await png(128, 128, 128) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.red).toMatchObject({ modality: 'IMAGE', unsafe: true });
    expect(body.data!.grey).toMatchObject({ modality: 'IMAGE', unsafe: false });
    expect(body.data!.red.distance).toBeGreaterThan(body.data!.grey.distance);
  });

  test('redirect: safe text comes back unchanged; unsafe text becomes a safe pool prompt', async () => {
    const { body } = await gql(gw, `{
      safe: redirect(input: { text: ${JSON.stringify(SAFE)} }) { input output redirected strategy before { unsafe } after { unsafe } }
      unsafe: redirect(input: { text: ${JSON.stringify(UNSAFE)}, strategy: RETRIEVE }) { input output redirected strategy before { unsafe distance } after { unsafe distance } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.safe).toEqual({ input: SAFE, output: SAFE, redirected: false, strategy: 'EDIT', before: { unsafe: false }, after: { unsafe: false } });
    const u = body.data!.unsafe;
    expect(u.redirected).toBe(true);
    expect(u.before.unsafe).toBe(true);
    expect(u.after.unsafe).toBe(false);
    expect(u.output).not.toBe(UNSAFE);
    // The output is judged safe when classified afresh, not only by the pool's cached embedding.
    const again = await gql(gw, `query($t: String!) { classify(input: { text: $t }) { unsafe distance } }`, { t: u.output });
    expect(again.body.data!.classify.unsafe).toBe(false);
    expect(again.body.data!.classify.distance).toBeCloseTo(u.after.distance, 4);
  });

  test('redirect EDIT (the default) keeps the prompt and changes only the words that make it unsafe', async () => {
    const prompt = 'a watercolor painting of a naked woman on a beach at sunset';
    const { body } = await gql(gw, `query($t: String!) { redirect(input: { text: $t }) { output redirected strategy edits { from to } before { unsafe } after { unsafe distance } } }`, { t: prompt });
    expect(body.errors).toBeUndefined();
    const r = body.data!.redirect;
    expect(r.strategy).toBe('EDIT');
    expect(r.redirected).toBe(true);
    expect(r.before.unsafe).toBe(true);
    expect(r.after.unsafe).toBe(false);
    expect(r.edits.map((e: { from: string }) => e.from)).toEqual(['naked']);
    const kept = prompt.split(' ').filter((w) => r.output.split(' ').includes(w));
    expect(kept.length).toBe(prompt.split(' ').length - 1);
    const again = await gql(gw, `query($t: String!) { classify(input: { text: $t }) { unsafe } }`, { t: r.output });
    expect(again.body.data!.classify.unsafe).toBe(false);
  });

  test('redirect of an unsafe image retrieves safe text from the pool', async () => {
    const { body } = await gql(gw, `query($img: String!) { redirect(input: { image: { base64: $img } }) { input output redirected strategy before { modality unsafe } after { modality unsafe } } }`, { img: await png(250, 10, 10) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.redirect).toMatchObject({ input: null, redirected: true, strategy: 'RETRIEVE', before: { modality: 'IMAGE', unsafe: true }, after: { modality: 'TEXT', unsafe: false } });
    expect(typeof body.data!.redirect.output).toBe('string');
  });
});

describe('batching', () => {
  test('64 aliases in one document become one model run per modality', async () => {
    const red = await png(250, 10, 10);
    const grey = await png(120, 130, 140);
    const textAliases = Array.from({ length: 64 }, (_, i) => `t${i}: classify(input: { text: "a cat number ${i} on a mat" }) { unsafe }`);
    const imageAliases = Array.from({ length: 64 }, (_, i) => `i${i}: classify(input: { image: { base64: $img${i % 2} } }) { unsafe }`);
    const before = { tb: await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' }), ti: await metric(gw, 'gateway_model_items_total', { modality: 'TEXT' }), ib: await metric(gw, 'gateway_model_batches_total', { modality: 'IMAGE' }), ii: await metric(gw, 'gateway_model_items_total', { modality: 'IMAGE' }) };
    const { body } = await gql(gw, `query($img0: String!, $img1: String!) { ${textAliases.join('\n')} ${imageAliases.join('\n')} }`, { img0: red, img1: grey });
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data!)).toHaveLength(128);
    expect((await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })) - before.tb).toBe(1);
    expect((await metric(gw, 'gateway_model_items_total', { modality: 'TEXT' })) - before.ti).toBe(64);
    expect((await metric(gw, 'gateway_model_batches_total', { modality: 'IMAGE' })) - before.ib).toBe(1);
    // Images are keyed by the sha256 of their bytes: two distinct images, so two items.
    expect((await metric(gw, 'gateway_model_items_total', { modality: 'IMAGE' })) - before.ii).toBe(2);
  });

  test('64 distinct images in one document are one image model run', async () => {
    const imgs = await Promise.all(Array.from({ length: 64 }, (_, i) => png(i * 4, 100, 255 - i * 4, 32)));
    const before = await metric(gw, 'gateway_model_batches_total', { modality: 'IMAGE' });
    const { body } = await gql(gw, 'query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', { i: imgs.map((b) => ({ image: { base64: b } })) });
    expect(body.errors).toBeUndefined();
    expect((await metric(gw, 'gateway_model_batches_total', { modality: 'IMAGE' })) - before).toBe(1);
  });

  test('a 64-item classifyMany is one model run', async () => {
    const before = await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' });
    const inputs = Array.from({ length: 64 }, (_, i) => ({ text: `a dog number ${i} in a park` }));
    const { body } = await gql(gw, 'query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { unsafe } embedMany(inputs: $inputs) { distance } }', { inputs });
    expect(body.errors).toBeUndefined();
    expect(body.data!.classifyMany).toHaveLength(64);
    expect((await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })) - before).toBe(1);
  });

  test('concurrent single-prompt requests are coalesced across requests', async () => {
    const before = await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' });
    const results = await Promise.all(Array.from({ length: 48 }, (_, i) => gql(gw, `{ classify(input: { text: "a bird number ${i} on a branch" }) { unsafe } }`)));
    expect(results.every((r) => r.body.data?.classify.unsafe === false)).toBe(true);
    const batches = (await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })) - before;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(48);
  });
});

describe('errors carry stable codes and say what is allowed', () => {
  const cases: [string, string, RegExp][] = [
    ['neither text nor image', '{ classify(input: {}) { unsafe } }', /exactly one of text or image/],
    ['both text and image', '{ classify(input: { text: "a cat", image: { base64: "aGk=" } }) { unsafe } }', /exactly one of text or image/],
    ['empty text', '{ embed(input: { text: "   " }) { distance } }', /empty/],
    ['text over the limit', `{ classify(input: { text: "${'a'.repeat(2001)}" }) { unsafe } }`, /at most 2000/],
    ['base64 that is not an image', '{ classify(input: { image: { base64: "aGVsbG8gd29ybGQ=" } }) { unsafe } }', /allowed/i],
    ['base64 that is not base64', '{ classify(input: { image: { base64: "@@not base64@@" } }) { unsafe } }', /base64/i],
  ];
  test.each(cases)('%s -> BAD_USER_INPUT', async (_name, query, message) => {
    const { status, body } = await gql(gw, query);
    expect(status).toBe(200);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(message);
    expect(body.errors![0].extensions).not.toHaveProperty('stacktrace');
  });

  test('a list over MAX_LIST_ITEMS is refused before any model run', async () => {
    const inputs = Array.from({ length: 257 }, () => ({ text: 'a cat' }));
    const { body } = await gql(gw, 'query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { unsafe } }', { inputs });
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/257 items; allowed: at most 256/);
  });

  test('a bad alias is reported with its path (fields are non-null, so the whole result is withheld)', async () => {
    const { body } = await gql(gw, `{ good: classify(input: { text: "a cat" }) { unsafe } bad: classify(input: { text: "" }) { unsafe } }`);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect((body.errors![0] as { path?: unknown }).path).toEqual(['bad']);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  test('a body over MAX_BODY_BYTES is a 413', async () => {
    const small = await startTestGateway({ maxBodyBytes: 2048 });
    try {
      const res = await fetch(`${small.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ classify(input: { text: "${'a'.repeat(4000)}" }) { unsafe } }` }) });
      expect(res.status).toBe(413);
      expect((await res.json() as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });
});

describe('document limits (so one document cannot ask for a thousand model runs)', () => {
  test('more aliases than MAX_ALIASES is refused before anything runs', async () => {
    const before = await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' });
    const q = `{ ${Array.from({ length: 129 }, (_, i) => `a${i}: classify(input: { text: "cat ${i}" }) { unsafe }`).join(' ')} }`;
    const { status, body } = await gql(gw, q);
    expect(status).toBe(400);
    expect(body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0].message).toMatch(/Aliases limit of 128 exceeded/);
    expect(await metric(gw, 'gateway_model_batches_total', { modality: 'TEXT' })).toBe(before);
  });

  test('selections deeper than MAX_QUERY_DEPTH are refused', async () => {
    let q = 'name';
    for (let d = 0; d < 20; d++) q = `ofType { ${q} }`;
    const { status, body } = await gql(gw, `{ __schema { types { fields { type { ${q} } } } } }`);
    expect(status).toBe(400);
    expect(body.errors![0].message).toMatch(/Query depth limit of 15 exceeded/);
  });

  test('more model inputs than MAX_REQUEST_ITEMS across fields is refused', async () => {
    const q = `{ ${Array.from({ length: 3 }, (_, i) => `m${i}: classifyMany(inputs: [${Array.from({ length: 100 }, (_, k) => `{ text: "a ${k}" }`).join(', ')}]) { unsafe }`).join(' ')} }`;
    const { body } = await gql(gw, q);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/more than 256 model inputs/);
  });

  test('documents over MAX_TOKENS are refused by the parser', async () => {
    const { status, body } = await gql(gw, `{ model { ${'name '.repeat(20000)} } }`);
    expect(status).toBe(400);
    expect(body.errors![0].message).toMatch(/more that 10000 tokens/);
  });
});
