/**
 * A request's budget of model work (src/server/usage.ts): characters of text (MAX_REQUEST_TEXT_CHARS) and
 * declared image pixels (MAX_REQUEST_PIXELS), counted over every field, list and prompt before anything is
 * embedded. Over it: BAD_USER_INPUT naming the limit and the option, and no model run at all.
 */
import sharp from 'sharp';
import type { Gateway } from '../../src/main';
import { gql, metric, startTestGateway } from '../helpers/gateway';
import { startPipeline, type Pipeline, auth } from '../helpers/pipeline';

async function png(width: number, height: number): Promise<string> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 200 } } }).png().toBuffer();
  return buf.toString('base64');
}

const items = async (gw: Gateway, modality: 'TEXT' | 'IMAGE'): Promise<number> => metric(gw, 'gateway_model_items_total', { modality });

describe('MAX_REQUEST_TEXT_CHARS 1000, MAX_REQUEST_PIXELS 30000', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startTestGateway({}, { MAX_REQUEST_TEXT_CHARS: '1000', MAX_REQUEST_PIXELS: '30000' });
  });
  afterAll(() => gw?.close());

  const texts = (n: number, length: number): string[] => Array.from({ length: n }, (_, i) => `a cat on a mat ${i} `.repeat(40).slice(0, length));

  test('a list within the budget is answered', async () => {
    const { body } = await gql(gw, 'query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { unsafe } }', { inputs: texts(5, 200).map((text) => ({ text })) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.classifyMany).toHaveLength(5);
  });

  test('a list over it is refused, naming the limit and the option, and nothing of it is embedded', async () => {
    const before = await items(gw, 'TEXT');
    const { body } = await gql(gw, 'query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { unsafe } }', { inputs: texts(6, 200).map((text) => ({ text })) });
    expect(body.data).toBeNull();
    const e = body.errors![0];
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'MAX_REQUEST_TEXT_CHARS', max: 1000 });
    expect(e.message).toMatch(/more than 1000 characters of text \(1200 with inputs\[5\]\.text\); allowed: at most 1000 characters per request .*\(MAX_REQUEST_TEXT_CHARS\)/);
    expect(await items(gw, 'TEXT')).toBe(before); // the first five, within the budget, were not embedded either
  });

  test('fields of one document share the budget: aliases over it are all refused, none embedded', async () => {
    const before = await items(gw, 'TEXT');
    const [a, b, c] = texts(3, 400);
    const { body } = await gql(gw, 'query($a: String!, $b: String!, $c: String!) { a: classify(input: { text: $a }) { unsafe } b: embed(input: { text: $b }) { distance } c: redirect(input: { text: $c }) { output } }', { a, b, c });
    // a (400) and b (800) were within the budget when counted, c (1200) was not: the request fails, and the
    // loaders refuse a's and b's texts too, so nothing is embedded.
    expect(body.data).toBeNull();
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'MAX_REQUEST_TEXT_CHARS' });
    expect(body.errors![0].message).toMatch(/\(1200 with input\.text\)/);
    expect(await items(gw, 'TEXT')).toBe(before);
  });

  test('images count their declared pixels before any is decoded: over the budget, none is embedded', async () => {
    const ok = await gql(gw, 'query($a: String!) { classify(input: { image: { base64: $a } }) { modality } }', { a: await png(150, 150) });
    expect(ok.body.errors).toBeUndefined();
    const before = await items(gw, 'IMAGE');
    const { body } = await gql(gw, 'query($a: String!, $b: String!) { a: classify(input: { image: { base64: $a } }) { unsafe } b: classify(input: { image: { base64: $b } }) { unsafe } }', { a: await png(150, 150), b: await png(100, 100) });
    expect(body.data).toBeNull();
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'MAX_REQUEST_PIXELS', max: 30000 });
    expect(body.errors![0].message).toMatch(/more than 30000 pixels of images .*\(MAX_REQUEST_PIXELS\)/);
    expect(await items(gw, 'IMAGE')).toBe(before);
  });
});

test('an unknown or out-of-range budget setting stops start-up with a message naming it', async () => {
  const { resolveConfig } = await import('../../src/config');
  expect(() => resolveConfig({ MAX_REQUEST_TEXT_CHARS: '0' })).toThrow(/MAX_REQUEST_TEXT_CHARS=0 is out of range; allowed: 1 to/);
  expect(() => resolveConfig({ MAX_REQUEST_PIXELS: 'lots' })).toThrow(/MAX_REQUEST_PIXELS="lots" is not a whole number/);
  expect(() => resolveConfig({ BATCH_MAX_TEXT_CHARS: '-1' })).toThrow(/BATCH_MAX_TEXT_CHARS="-1" is not a whole number/);
});

describe('the drop-in endpoints share the budget (prompts count their characters)', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('a1111', { MAX_REQUEST_TEXT_CHARS: '100' });
  });
  afterAll(() => p?.close());

  test('a prompt over MAX_REQUEST_TEXT_CHARS is refused before the model or the backend sees it', async () => {
    p.fake.reset();
    const before = await items(p.gw, 'TEXT');
    const res = await fetch(`${p.gw.url}/sdapi/v1/txt2img`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth('flag') },
      body: JSON.stringify({ prompt: 'a watercolor painting of a fox in the snow, '.repeat(3), width: 64, height: 64 }),
    });
    expect(res.status).toBe(422); // A1111's status for a request it cannot take (BAD_USER_INPUT)
    expect(JSON.stringify(await res.json())).toMatch(/more than 100 characters of text .*MAX_REQUEST_TEXT_CHARS/);
    expect(p.fake.prompts).toHaveLength(0);
    expect(await items(p.gw, 'TEXT')).toBe(before);
  });
});
