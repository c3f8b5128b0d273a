import { decodeImageInput } from '../../../src/runtime/image';
import { badInputOf, LIMITS } from './helpers';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('decodeImageInput', () => {
  it('decodes raw base64 and data URLs to the same bytes', () => {
    const b64 = PNG_MAGIC.toString('base64');
    expect(decodeImageInput(b64, LIMITS)).toEqual(PNG_MAGIC);
    expect(decodeImageInput(`data:image/png;base64,${b64}`, LIMITS)).toEqual(PNG_MAGIC);
    // Scheme, MIME type and the base64 flag are case-insensitive; extra parameters are allowed.
    expect(decodeImageInput(`DATA:Image/PNG;name=x.png;BASE64,${b64}`, LIMITS)).toEqual(PNG_MAGIC);
    // The MIME type is not trusted: a JPEG label on PNG bytes still decodes (the format is sniffed later).
    expect(decodeImageInput(`data:image/jpeg;base64,${b64}`, LIMITS)).toEqual(PNG_MAGIC);
  });

  it('handles every padding length', () => {
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const bytes = Buffer.alloc(n, 0xab);
      expect(decodeImageInput(bytes.toString('base64'), LIMITS)).toEqual(bytes);
    }
  });

  it('refuses an empty string', async () => {
    const e = await badInputOf(() => decodeImageInput('', LIMITS));
    expect(e.message).toMatch(/image is empty/);
    expect(e.message).toMatch(/base64/);
  });

  it('refuses an empty data URL payload', async () => {
    const e = await badInputOf(() => decodeImageInput('data:image/png;base64,', LIMITS));
    expect(e.message).toMatch(/data URL payload is empty/);
  });

  it('refuses characters outside the base64 alphabet, naming the character and position', async () => {
    const e = await badInputOf(() => decodeImageInput('@@@', LIMITS));
    expect(e.message).toMatch(/not valid base64: "@" at character 0 is not allowed/);
    expect(e.message).toMatch(/A-Z a-z 0-9 \+ \//);
    const ws = await badInputOf(() => decodeImageInput('QUJD\nREVG', LIMITS));
    expect(ws.message).toMatch(/a line break \(\\n\) at character 4/);
    const sp = await badInputOf(() => decodeImageInput('QUJD REVG', LIMITS));
    expect(sp.message).toMatch(/a space at character 4/);
    const url = await badInputOf(() => decodeImageInput('ab-_', LIMITS));
    expect(url.message).toMatch(/base64url is not accepted/);
    const uni = await badInputOf(() => decodeImageInput('QUJDé===', LIMITS));
    expect(uni.message).toMatch(/U\+00E9 at character 4/);
  });

  it('refuses bad padding', async () => {
    expect((await badInputOf(() => decodeImageInput('QUJ', LIMITS))).message).toMatch(/length 3 is not a multiple of 4/);
    expect((await badInputOf(() => decodeImageInput('QQ=', LIMITS))).message).toMatch(/not a multiple of 4/);
    expect((await badInputOf(() => decodeImageInput('QQ===', LIMITS))).message).toMatch(/padding at character 2 is not at the end/);
    expect((await badInputOf(() => decodeImageInput('QQ==QUJD', LIMITS))).message).toMatch(/padding at character 2 is not at the end/);
    // Non-canonical: "QR==" has non-zero bits under the padding (Buffer.from would silently accept it).
    expect((await badInputOf(() => decodeImageInput('QR==', LIMITS))).message).toMatch(/bad padding/);
    expect((await badInputOf(() => decodeImageInput('QUJ=', LIMITS))).message).toMatch(/bad padding/);
    expect((await badInputOf(() => decodeImageInput('====', LIMITS))).message).toMatch(/padding at character 0/);
  });

  it('refuses oversize input from its length, before decoding', async () => {
    const limits = { maxBytes: 1000, maxPixels: 1000 };
    const justRight = Buffer.alloc(1000, 7).toString('base64');
    expect(decodeImageInput(justRight, limits).length).toBe(1000);
    const over = Buffer.alloc(1001, 7).toString('base64');
    const e = await badInputOf(() => decodeImageInput(over, limits));
    expect(e.message).toMatch(/image is too large: 1001 bytes; the limit is 1000 bytes/);
    expect(e.extensions.maxBytes).toBe(1000);

    // A ~200 MB string of invalid characters is refused by length alone: no scan, no decode.
    const huge = '@'.repeat(200 * 1024 * 1024);
    // '@'.repeat builds a rope; flatten it first, as a string from a parsed request body already is.
    expect(huge.charCodeAt(huge.length - 1)).toBe(64);
    const big = await badInputOf(() => decodeImageInput(huge, LIMITS));
    expect(big.message).toMatch(/image is too large: about 150 MiB after base64 decoding; the limit is 10 MiB/);
    // Not a wall-clock limit (this machine is shared): measured against one plain scan of the same string in
    // the same run, which refusing by length must not come near. The refusal's time is the fastest of five, so
    // that one pause of a loaded machine (9.8 ms once, against a 22 ms scan) does not decide it.
    let ms = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      await badInputOf(() => decodeImageInput(huge, LIMITS));
      ms = Math.min(ms, performance.now() - t0);
    }
    const s0 = performance.now();
    expect(huge.includes('#')).toBe(false);
    const scanMs = performance.now() - s0;
    expect(ms).toBeLessThan(scanMs / 4);
    // Same for a data URL.
    const bigUrl = await badInputOf(() => decodeImageInput(`data:image/png;base64,${huge.slice(0, 20 * 1024 * 1024)}`, LIMITS));
    expect(bigUrl.message).toMatch(/too large/);
  });

  it('refuses data URLs with a non-image MIME type', async () => {
    const b64 = PNG_MAGIC.toString('base64');
    const e = await badInputOf(() => decodeImageInput(`data:text/plain;base64,${b64}`, LIMITS));
    expect(e.message).toMatch(/MIME type "text\/plain", which is not an image type/);
    const none = await badInputOf(() => decodeImageInput(`data:;base64,${b64}`, LIMITS));
    expect(none.message).toMatch(/no MIME type \(which means text\/plain\)/);
    const svg = await badInputOf(() => decodeImageInput(`data:image/svg+xml;base64,${b64}`, LIMITS));
    expect(svg.message).toMatch(/SVG images are not accepted; allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF/);
    const app = await badInputOf(() => decodeImageInput(`data:application/pdf;base64,${b64}`, LIMITS));
    expect(app.message).toMatch(/"application\/pdf", which is not an image type/);
  });

  it('refuses data URLs that are not base64', async () => {
    const e = await badInputOf(() => decodeImageInput('data:image/png,%89PNG%0D%0A', LIMITS));
    expect(e.message).toMatch(/not base64-encoded/);
    const charset = await badInputOf(() => decodeImageInput('data:image/png;charset=utf-8,abc', LIMITS));
    expect(charset.message).toMatch(/not base64-encoded/);
    const noComma = await badInputOf(() => decodeImageInput('data:image/png;base64', LIMITS));
    expect(noComma.message).toMatch(/no "," after the header/);
    const badPayload = await badInputOf(() => decodeImageInput('data:image/png;base64,@@@@', LIMITS));
    expect(badPayload.message).toMatch(/data URL payload is not valid base64: "@" at character 22/);
  });

  it('rejects invalid limits as a configuration bug (plain Error)', () => {
    expect(() => decodeImageInput('QQ==', { maxBytes: 0, maxPixels: 1 })).toThrow(/maxBytes must be a positive integer/);
  });
});
