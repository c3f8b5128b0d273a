/**
 * A generated corpus of hostile requests (deterministic: seeded). Each case is a raw HTTP request; the
 * fuzz suite sends them all to a real gateway and checks that every one gets a clear 4xx or a GraphQL
 * error (or, for odd-but-valid input such as control characters or an animated GIF, a normal answer),
 * never a 5xx, a hang or a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../helpers/prng';

export interface HostileCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** True when the input is odd but legitimate: a normal 200 answer without errors is also acceptable. */
  mayPass?: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const gqlCase = (name: string, query: string, variables?: unknown, mayPass = false): HostileCase => ({
  name,
  method: 'POST',
  path: '/graphql',
  headers: JSON_HEADERS,
  body: JSON.stringify({ query, variables }),
  mayPass,
});

const IMAGE_QUERY = 'query($b: String!) { classify(input: { image: { base64: $b } }) { unsafe score } }';
const TEXT_QUERY = 'query($t: String!) { classify(input: { text: $t }) { unsafe score } }';

export async function buildCorpus(): Promise<HostileCase[]> {
  const rand = mulberry32(20261128);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const cases: HostileCase[] = [];

  // 1. GraphQL syntax junk: random characters, truncated and mangled documents.
  const valid = '{ classify(input: { text: "a cat" }) { unsafe score nearest { text } } }';
  const alphabet = '{}()[]:!$@#"\\\n\t ,.abcXYZ019_-=|&*';
  for (let i = 0; i < 50; i++) {
    const len = 1 + Math.floor(rand() * 200);
    cases.push(gqlCase(`syntax junk ${i}`, Array.from({ length: len }, () => pick([...alphabet])).join('')));
  }
  for (let i = 0; i < 30; i++) {
    const cut = Math.floor(rand() * (valid.length - 1));
    cases.push(gqlCase(`truncated document ${i}`, valid.slice(0, cut)));
  }
  for (let i = 0; i < 20; i++) {
    const chars = [...valid];
    for (let k = 0; k < 3; k++) chars[Math.floor(rand() * chars.length)] = pick([...alphabet]);
    cases.push({ ...gqlCase(`mangled document ${i}`, chars.join('')), mayPass: true });
  }
  cases.push(gqlCase('unknown field', '{ classify(input: { text: "a" }) { secret } }'));
  cases.push(gqlCase('unknown root field', '{ deleteEverything }'));
  cases.push(gqlCase('wrong argument type', '{ classify(input: { text: 42 }) { unsafe } }'));
  cases.push(gqlCase('missing variable', TEXT_QUERY));
  cases.push(gqlCase('variable of the wrong type', TEXT_QUERY, { t: { nested: true } }));
  cases.push(gqlCase('two anonymous operations', '{ model { name } } { model { name } }'));
  cases.push(gqlCase('fragment cycle', 'query { model { ...A } } fragment A on ModelInfo { ...B } fragment B on ModelInfo { ...A }'));

  // 2. Deep nesting and 3. alias floods.
  for (const depth of [20, 50, 200, 1000]) {
    const open = '__schema { types { fields { type { ofType '.repeat(1);
    let q = 'name';
    for (let d = 0; d < depth; d++) q = `ofType { ${q} }`;
    cases.push(gqlCase(`introspection nested ${depth} deep`, `{ ${open}{ ${q} } } } } } }`));
    cases.push(gqlCase(`selection braces nested ${depth} deep`, `{ model ${'{ name '.repeat(depth)}${'}'.repeat(depth)} }`));
  }
  for (const n of [200, 1000, 5000]) {
    const aliases = Array.from({ length: n }, (_, i) => `a${i}: classify(input: { text: "cat ${i}" }) { unsafe }`).join(' ');
    cases.push(gqlCase(`${n} aliases of classify`, `{ ${aliases} }`));
    cases.push(gqlCase(`${n} aliases of __typename`, `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`));
  }
  cases.push(gqlCase('1,000 directives', `{ model @include(if: true) ${'@skip(if: false) '.repeat(1000)} { name } }`));
  cases.push(gqlCase('100,000 tokens', `{ model { ${'name '.repeat(100000)} } }`));

  // 4. Huge lists.
  for (const n of [257, 1000, 10000]) {
    cases.push(gqlCase(`${n}-item classifyMany`, 'query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', { i: Array.from({ length: n }, (_, k) => ({ text: `a dog ${k}` })) }));
    cases.push(gqlCase(`${n}-item embedMany`, 'query($i: [ContentInput!]!) { embedMany(inputs: $i) { distance } }', { i: Array.from({ length: n }, () => ({ text: 'a dog' })) }));
  }

  // 5. Huge and hostile texts.
  for (const size of [2001, 100_000, 1_000_000]) cases.push(gqlCase(`${size}-character prompt`, TEXT_QUERY, { t: 'a'.repeat(size) }));
  cases.push(gqlCase('empty prompt', TEXT_QUERY, { t: '' }));
  cases.push(gqlCase('whitespace prompt', TEXT_QUERY, { t: ' \t\n ' }));
  // 6. Lone surrogates (written into the JSON by hand: JSON.stringify would escape them the same way).
  for (const s of ['\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b', '\\ud800\\ud800']) {
    cases.push({ name: `lone surrogate ${s}`, method: 'POST', path: '/graphql', headers: JSON_HEADERS, body: `{"query":${JSON.stringify(TEXT_QUERY)},"variables":{"t":"cat ${s} dog"}}` });
  }
  // 7. Control and zero-width characters: odd but legitimate text, judged like any other.
  const odd = ['\u0000', '\u0007', '\u001b[31m', '\u200b', '\u200d', '\ufeff', '\u202e', '\u2066', '\u00ad', '\uffff', '\ufffd'];
  for (let i = 0; i < odd.length * 2; i++) {
    cases.push(gqlCase(`control/zero-width text ${i}`, TEXT_QUERY, { t: `a ${odd[i % odd.length].repeat(1 + (i % 5))} cat n${odd[i % odd.length]}aked` }, true));
  }
  for (let i = 0; i < 10; i++) {
    const t = Array.from({ length: 50 }, () => String.fromCodePoint(Math.floor(rand() * 0x2ffff))).join('').replace(/[\ud800-\udfff]/g, '');
    cases.push(gqlCase(`random code points ${i}`, TEXT_QUERY, { t: t || 'x' }, true));
  }

  // 8. Broken HTTP: invalid JSON, wrong content types, wrong methods, odd paths.
  for (const body of ['{', '{"query":', 'null', '[]', '"query"', '{"query": null}', '{"query": 5}', '{"variables": {}}', '{"query":"{ model { name } }","variables":"x"}', '\u0000\u0001', 'x'.repeat(5000)]) {
    cases.push({ name: `invalid JSON body ${JSON.stringify(body.slice(0, 20))}`, method: 'POST', path: '/graphql', headers: JSON_HEADERS, body });
  }
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json; charset=utf-16']) {
    cases.push({ name: `content type ${JSON.stringify(type)}`, method: 'POST', path: '/graphql', headers: type ? { 'content-type': type } : {}, body: JSON.stringify({ query: '{ model { name } }' }), mayPass: type.startsWith('application/json') });
  }
  cases.push({ name: 'PUT /graphql', method: 'PUT', path: '/graphql', headers: JSON_HEADERS, body: '{}' });
  cases.push({ name: 'DELETE /graphql', method: 'DELETE', path: '/graphql', headers: JSON_HEADERS });
  cases.push({ name: 'GET mutation-like without preflight', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ model { name } }')}`, headers: {} });
  cases.push({ name: 'GET with junk query', method: 'GET', path: '/graphql?query=%7B%7B%7B', headers: { 'apollo-require-preflight': 'true' } });
  for (const p of ['/../../etc/passwd', '/graphql/../metrics', '/%00', '/graphql?query=' + 'a'.repeat(8000), '/.env', '/admin']) {
    cases.push({ name: `path ${p.slice(0, 30)}`, method: 'GET', path: p, headers: {}, mayPass: p.includes('metrics') });
  }

  // 9. Hostile images.
  const fixtures = path.resolve(__dirname, '../fixtures/images');
  const fileB64 = (f: string) => fs.readFileSync(path.join(fixtures, f)).toString('base64');
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90, g: 120, b: 200 } } }).png().toBuffer();
  const frames = await Promise.all(
    Array.from({ length: 2000 }, (_, i) => sharp({ create: { width: 4, height: 4, channels: 3, background: { r: i % 256, g: 40, b: 90 } } }).png().toBuffer()),
  );
  const animatedGif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
  const animatedWebp = await sharp(frames, { join: { animated: true } }).webp({ lossless: true }).toBuffer();
  const images: [string, string, boolean?][] = [
    ['empty image', ''],
    ['image of one byte', Buffer.from([0x89]).toString('base64')],
    ['truncated PNG', fileB64('truncated-half.png')],
    ['truncated JPEG', fileB64('truncated-half.jpg')],
    ['PNG bomb 50,000 x 50,000', fileB64('bomb-50000x50000.png')],
    ['GIF bomb 60,000 x 60,000', fileB64('bomb-60000x60000.gif')],
    ['JPEG bomb 65,000 x 65,000', fileB64('bomb-65000x65000.jpg')],
    ['SVG with an external reference', fileB64('external-ref.svg')],
    ['SVG as a data URL', `data:image/svg+xml;base64,${fileB64('external-ref.svg')}`],
    ['PDF', fileB64('minimal.pdf')],
    ['animated GIF with 2,000 frames', animatedGif.toString('base64'), true],
    ['animated WebP with 2,000 frames', animatedWebp.toString('base64'), true],
    ['PNG magic with garbage after', Buffer.concat([png.subarray(0, 16), Buffer.alloc(500, 7)]).toString('base64')],
    ['text/plain data URL', `data:text/plain;base64,${png.toString('base64')}`],
    ['data URL without base64', `data:image/png,${encodeURIComponent('not an image')}`],
    ['base64url alphabet', png.toString('base64url')],
    ['base64 with junk characters', `${png.toString('base64').slice(0, 40)}!!!@@@`],
    ['base64 with bad padding', `${png.toString('base64')}===`],
    ['http URL instead of bytes', 'http://127.0.0.1:1/secret.png'],
    ['file URL instead of bytes', 'file:///etc/passwd'],
  ];
  for (const [name, b64, mayPass] of images) cases.push(gqlCase(name, IMAGE_QUERY, { b: b64 }, mayPass));
  for (let i = 0; i < 40; i++) {
    const buf = Buffer.from(png);
    for (let k = 0; k < 1 + (i % 8); k++) buf[8 + Math.floor(rand() * (buf.length - 8))] = Math.floor(rand() * 256);
    cases.push(gqlCase(`bit-flipped PNG ${i}`, IMAGE_QUERY, { b: buf.toString('base64') }, true));
  }
  for (let i = 0; i < 20; i++) {
    const bytes = Buffer.from(Array.from({ length: 16 + Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)));
    cases.push(gqlCase(`random bytes ${i}`, IMAGE_QUERY, { b: bytes.toString('base64') }));
  }
  for (let i = 0; i < 20; i++) {
    // Cut inside the data (a PNG missing only its 12-byte IEND chunk still holds every pixel and decodes).
    const cut = 1 + Math.floor(rand() * (png.length - 14));
    cases.push(gqlCase(`PNG cut at ${cut} bytes`, IMAGE_QUERY, { b: png.subarray(0, cut).toString('base64') }));
  }
  // Contract violations mixing both.
  cases.push(gqlCase('text and image together', 'query($b: String!) { classify(input: { text: "a", image: { base64: $b } }) { unsafe } }', { b: png.toString('base64') }));
  cases.push(gqlCase('redirect with neither', '{ redirect(input: {}) { output } }'));
  cases.push(gqlCase('300 aliases of one 1-item classifyMany each', `{ ${Array.from({ length: 100 }, (_, i) => `m${i}: classifyMany(inputs: [{ text: "a" }, { text: "b" }, { text: "c" }]) { unsafe }`).join(' ')} }`));
  cases.push(gqlCase('unknown redirect strategy', '{ redirect(input: { text: "a", strategy: DELETE }) { output } }'));
  return cases;
}
