/**
 * What a client sees when the bytes it sends as an image are not one (issue #13): base64 of "hello world"
 * used to say "image format text is not accepted". Every path an image arrives by says that it is not an
 * image, what it looks like, and which formats are allowed: GraphQL `classify` (client images) and the
 * post-check of backend images (GraphQL `generate` and the drop-ins), where such an image is withheld
 * (fail closed) with that reason, in the answer and in the audit log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { Gateway } from '../../src/main';
import { startFakeBackend, type FakeBackend } from '../helpers/backends';
import { gql, startTestGateway } from '../helpers/gateway';
import { auth, captureLog, SAFE, writePolicy } from '../helpers/pipeline';

const ALLOWED = 'allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF';

let p: { gw: Gateway; fake: FakeBackend };
let lines: () => Record<string, any>[];
beforeAll(async () => {
  const fake = await startFakeBackend('a1111');
  const captured = captureLog();
  lines = captured.lines;
  const gw = await startTestGateway({}, { POLICY_FILE: writePolicy(), DIFFUSION_BACKEND: 'a1111', DIFFUSION_URL: fake.url }, { log: captured.log });
  p = { gw, fake };
});
afterAll(async () => {
  await p?.gw.close();
  await p?.fake.close();
});
beforeEach(() => p.fake.reset());

async function classifyImage(bytes: Buffer): Promise<{ message: string; code?: string; format?: unknown }> {
  const { body } = await gql(p.gw, 'query($b: String!) { classify(input: { image: { base64: $b } }) { unsafe } }', { b: bytes.toString('base64') }, auth('redirect'));
  expect(body.data ?? null).toBeNull();
  const e = body.errors![0];
  return { message: e.message, code: e.extensions?.code, format: e.extensions?.format };
}

describe('classify: bytes that are not an image', () => {
  test('base64 of "hello world" says it is not an image but plain text, and lists the allowed formats', async () => {
    expect(await classifyImage(Buffer.from('hello world'))).toEqual({
      message: `not an image (looks like plain text); ${ALLOWED}`,
      code: 'BAD_USER_INPUT',
      format: 'text',
    });
  });

  test.each([
    ['HTML (an error page saved as the image)', Buffer.from('<!doctype html><html><head><title>403 Forbidden</title></head></html>'), `not an image (looks like an HTML page); ${ALLOWED}`],
    ['JSON', Buffer.from('{"error": "not found"}'), `not an image (looks like JSON text); ${ALLOWED}`],
    ['random bytes', Buffer.from([0x13, 0x37, 0xc0, 0xde, 0x00, 0x01, 0x02, 0xff, 0xfe]), `not an image (its first bytes (13 37 c0 de) match no image format); ${ALLOWED}`],
  ])('%s', async (_name, bytes, message) => {
    expect(await classifyImage(bytes)).toMatchObject({ message, code: 'BAD_USER_INPUT' });
  });

  test('an image encoded twice (base64 of base64) is named as such', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
    const e = await classifyImage(Buffer.from(png.toString('base64')));
    expect(e.message).toBe(`not an image (looks like base64 text, i.e. an image encoded twice; base64-encode the image file once); ${ALLOWED}`);
  });

  test('a truncated PNG is an image that could not be decoded, not "not an image"', async () => {
    const e = await classifyImage(fs.readFileSync(path.join(__dirname, '../fixtures/images/truncated-half.png')));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toMatch(/^image could not be decoded \(PNG\): .*; the file may be truncated or corrupt; allowed: a complete image file \(JPEG, PNG, WebP, GIF, AVIF, TIFF\)$/);
  });

  test('a refused image format keeps its name', async () => {
    const e = await classifyImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'));
    expect(e).toMatchObject({ message: `image format SVG is not accepted; ${ALLOWED}`, format: 'SVG' });
  });
});

describe('backend images that are not images are withheld, saying why', () => {
  const REASON = `withheld: the image could not be checked (not an image (looks like plain text); ${ALLOWED}); nothing leaves the gateway unchecked`;

  test('GraphQL generate: the image is WITHHELD with that reason, and the audit line records it', async () => {
    p.fake.mode = 'not-image';
    const res = await fetch(`${p.gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'not-an-image-1', ...auth('redirect') },
      body: JSON.stringify({ query: `mutation { generate(input: { prompt: ${JSON.stringify(SAFE)}, width: 64, height: 64 }) { images { action reason dataUrl check { checked } } } }` }),
    });
    const body = (await res.json()) as any;
    expect(body.data.generate.images).toEqual([{ action: 'WITHHELD', reason: REASON, dataUrl: null, check: { checked: false } }]);
    const audit = lines().filter((l) => l.audit === 'image' && l.requestId === 'not-an-image-1');
    expect(audit).toEqual([expect.objectContaining({ verdict: 'unchecked', action: 'WITHHOLD', code: 'IMAGE_UNCHECKED', reason: REASON })]);
  });

  test('AUTOMATIC1111 drop-in: left out of images, the reason in moderation.images', async () => {
    p.fake.mode = 'not-image';
    const res = await fetch(`${p.gw.url}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('flag') }, body: JSON.stringify({ prompt: SAFE, width: 64, height: 64 }) });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.images).toEqual([]);
    expect(body.moderation.images).toEqual([expect.objectContaining({ action: 'WITHHOLD', checked: false, code: 'IMAGE_UNCHECKED', reason: REASON })]);
  });
});
