import * as http from 'http';
import type { AddressInfo } from 'net';
import sharp, { type Sharp } from 'sharp';
import type { ImageLimits } from '../../../src/runtime/image/limits';
import {
  ALLOWED_FORMATS,
  inspectImage,
  planResize,
  preprocessImage,
  preprocessToRgb,
  sniffFormat,
  validatePreprocessSpec,
} from '../../../src/runtime/image';
import { badInputOf, channelMaxDev, channelMean, CLIP_SPEC, fixture, levelsSpec, LIMITS, pixelAt } from './helpers';

const COLOUR = { r: 200, g: 100, b: 50 };

function solid(width: number, height: number, colour: { r: number; g: number; b: number; alpha?: number } = COLOUR) {
  return sharp({ create: { width, height, channels: colour.alpha === undefined ? 3 : 4, background: colour } });
}

/** Per format: encoder and the largest error (8-bit levels) its compression may introduce on a flat colour. */
const FORMATS: Array<[string, (s: Sharp) => Promise<Buffer>, number]> = [
  ['png', (s) => s.png().toBuffer(), 0],
  ['jpeg', (s) => s.jpeg({ quality: 95 }).toBuffer(), 2],
  ['webp', (s) => s.webp({ quality: 90 }).toBuffer(), 2],
  ['gif', (s) => s.gif().toBuffer(), 0],
  ['avif', (s) => s.avif({ quality: 80 }).toBuffer(), 3],
  ['tiff', (s) => s.tiff().toBuffer(), 0],
];

describe('ALLOWED_FORMATS', () => {
  it('lists the six formats', () => {
    expect([...ALLOWED_FORMATS]).toEqual(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff']);
  });
});

describe('planResize (torchvision Resize(size) + CenterCrop(size) geometry)', () => {
  const spec = { size: 224, resize: 'shortest-side' as const };
  it.each([
    // width, height, resized w, h, left, top
    [451, 300, 336, 224, 56, 0], // int(224 * 451 / 300) = int(336.75) = 336: truncation, not rounding
    [512, 768, 224, 336, 0, 56],
    [384, 303, 283, 224, 30, 0], // (283 - 224) / 2 = 29.5 -> 30 (half to even)
    [227, 149, 341, 224, 58, 0], // (341 - 224) / 2 = 58.5 -> 58 (half to even)
    [190, 127, 335, 224, 56, 0], // 55.5 -> 56
    [2725, 2225, 274, 224, 25, 0],
    [224, 224, 224, 224, 0, 0],
    [224, 300, 224, 300, 0, 38],
    [10, 10, 224, 224, 0, 0],
  ])('%i x %i -> %i x %i, crop at (%i, %i)', (w, h, rw, rh, left, top) => {
    const p = planResize(w, h, spec);
    expect([p.resizeWidth, p.resizeHeight, p.left, p.top]).toEqual([rw, rh, left, top]);
    expect(p.resize).toBe(rw !== w || rh !== h);
  });
  it('stretch scales both sides to size', () => {
    expect(planResize(451, 300, { size: 224, resize: 'stretch' })).toEqual({
      resizeWidth: 224,
      resizeHeight: 224,
      resize: true,
      left: 0,
      top: 0,
    });
  });
});

describe('validatePreprocessSpec', () => {
  it('accepts the CLIP spec', () => expect(() => validatePreprocessSpec(CLIP_SPEC)).not.toThrow());
  it.each([
    [{ crop: 'none' as const }, /needs crop 'center'/],
    [{ size: 0 }, /size must be an integer/],
    [{ std: [1, 0, 1] as [number, number, number] }, /std must be three finite numbers > 0/],
    [{ kernel: 'mitchell' as never }, /kernel must be one of/],
    [{ background: [0, 0, 256] as [number, number, number] }, /background must be three integers/],
    [{ layout: 'CHW' as never }, /layout must be/],
    [{ scale: -1 }, /scale must be a positive number/],
  ])('refuses %j', (patch, re) => {
    expect(() => validatePreprocessSpec({ ...CLIP_SPEC, ...patch })).toThrow(re);
  });
});

describe('preprocessImage: formats', () => {
  it.each(FORMATS)('%s: a solid (200, 100, 50) image gives the normalised colour', async (format, encode, tol) => {
    const bytes = await encode(solid(48, 32));
    expect(sniffFormat(bytes)).toEqual({ ok: true, format });
    expect((await inspectImage(bytes, LIMITS)).format).toBe(format);
    const t = await preprocessImage(bytes, CLIP_SPEC, LIMITS);
    expect(t).toBeInstanceOf(Float32Array);
    expect(t.length).toBe(3 * 224 * 224);
    const rgb = [COLOUR.r, COLOUR.g, COLOUR.b];
    for (let c = 0; c < 3; c++) {
      const expected = (rgb[c] / 255 - CLIP_SPEC.mean[c]) / CLIP_SPEC.std[c];
      const allowed = tol / 255 / CLIP_SPEC.std[c] + 1e-6;
      expect(channelMaxDev(t, 224, c, expected)).toBeLessThanOrEqual(allowed);
    }
  });

  it('a lossless solid image gives exactly the normalised values (float32 of (v/255 - mean)/std)', async () => {
    const t = await preprocessImage(await solid(300, 200).png().toBuffer(), CLIP_SPEC, LIMITS);
    const rgb = [200, 100, 50];
    for (let c = 0; c < 3; c++) {
      const expected = Math.fround((rgb[c] / 255 - CLIP_SPEC.mean[c]) / CLIP_SPEC.std[c]);
      expect(channelMaxDev(t, 224, c, expected)).toBe(0);
    }
    expect(t[0]).toBeCloseTo(1.12742, 5); // (200/255 - 0.48145466) / 0.26862954
  });

  it('NHWC and NCHW hold the same values, transposed', async () => {
    const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .png()
      .toBuffer();
    const nchw = await preprocessImage(bytes, CLIP_SPEC, LIMITS);
    const nhwc = await preprocessImage(bytes, { ...CLIP_SPEC, layout: 'NHWC' }, LIMITS);
    const n = 224 * 224;
    for (const i of [0, 1, 777, 12345, n - 1]) for (let c = 0; c < 3; c++) expect(nhwc[i * 3 + c]).toBe(nchw[c * n + i]);
  });

  it('animated GIF and WebP: only the first frame is used', async () => {
    const frame = (colour: string) => sharp({ create: { width: 16, height: 16, channels: 3, background: colour } }).png().toBuffer();
    const frames = [await frame('#ff0000'), await frame('#0000ff')];
    const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
    const webp = await sharp(frames, { join: { animated: true } }).webp({ lossless: true }).toBuffer();
    for (const bytes of [gif, webp]) {
      expect((await sharp(bytes).metadata()).pages).toBe(2); // really animated
      const info = await inspectImage(bytes, LIMITS);
      expect([info.width, info.height]).toEqual([16, 16]); // one frame, not the 16 x 32 strip
      const t = await preprocessImage(bytes, levelsSpec(8), LIMITS);
      expect(channelMaxDev(t, 8, 0, 255)).toBe(0);
      expect(channelMaxDev(t, 8, 1, 0)).toBe(0);
      expect(channelMaxDev(t, 8, 2, 0)).toBe(0);
    }
  });

  it('applies EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    // Stored 40 x 20: left half red, right half blue. Displayed with orientation 6: 20 x 40, red on top.
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 40; x++) raw.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
    const stored = sharp(raw, { raw: { width: 40, height: 20, channels: 3 } });
    const plain = await stored.clone().png().toBuffer();
    const rotated = await stored.clone().jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(rotated).metadata()).orientation).toBe(6);

    const info = await inspectImage(rotated, LIMITS);
    expect([info.width, info.height, info.orientedWidth, info.orientedHeight]).toEqual([40, 20, 20, 40]);

    // Shortest-side 16 + centre crop: 20 x 40 -> 16 x 32 -> rows 8..23: top half red, bottom half blue.
    const spec = levelsSpec(16, { resize: 'shortest-side', crop: 'center', kernel: 'nearest' });
    const t = await preprocessImage(rotated, spec, LIMITS);
    const near = (p: number[], q: number[]) => p.every((v, i) => Math.abs(v - q[i]) <= 8);
    expect(near(pixelAt(t, 16, 8, 2), [255, 0, 0])).toBe(true);
    expect(near(pixelAt(t, 16, 8, 13), [0, 0, 255])).toBe(true);
    expect(near(pixelAt(t, 16, 2, 2), pixelAt(t, 16, 13, 2))).toBe(true); // no left/right split

    // Without orientation: 40 x 20 -> 32 x 16 -> columns 8..23: left red, right blue.
    const u = await preprocessImage(plain, spec, LIMITS);
    expect(pixelAt(u, 16, 2, 8)).toEqual([255, 0, 0]);
    expect(pixelAt(u, 16, 13, 8)).toEqual([0, 0, 255]);
  });
});

describe('preprocessImage: enlargement path (Pillow port)', () => {
  it('EXIF orientation is applied before the source window is cut', async () => {
    // Stored 20 x 10, left half red, right half blue; orientation 6 -> displayed 10 x 20, red on top.
    const raw = Buffer.alloc(20 * 10 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) raw.set(x < 10 ? [255, 0, 0] : [0, 0, 255], (y * 20 + x) * 3);
    const jpeg = await sharp(raw, { raw: { width: 20, height: 10, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    // 10 x 20 -> 16 x 32 (enlarged), crop rows 8..23.
    const spec = levelsSpec(16, { resize: 'shortest-side', crop: 'center', kernel: 'nearest' });
    for (const resampler of ['fast', 'exact'] as const) {
      const t = await preprocessImage(jpeg, spec, LIMITS, { resampler });
      const near = (p: number[], q: number[]) => p.every((v, i) => Math.abs(v - q[i]) <= 8);
      expect(near(pixelAt(t, 16, 8, 1), [255, 0, 0])).toBe(true);
      expect(near(pixelAt(t, 16, 8, 14), [0, 0, 255])).toBe(true);
    }
  });

  it("'stretch' with one side enlarged and one reduced works in both modes and they stay close", async () => {
    const png = await sharp({ create: { width: 100, height: 400, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .blur(2)
      .png()
      .toBuffer();
    const spec = { ...CLIP_SPEC, resize: 'stretch' as const };
    const a = await preprocessImage(png, spec, LIMITS); // libvips (mixed)
    const b = await preprocessImage(png, spec, LIMITS, { resampler: 'exact' });
    expect(a.length).toBe(b.length);
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
    expect(sum / a.length).toBeLessThan(0.05);
  });

  it("'fast' and 'exact' agree on enlargements (both use the Pillow port)", async () => {
    const png = await sharp({ create: { width: 50, height: 30, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .png()
      .toBuffer();
    const a = await preprocessImage(png, CLIP_SPEC, LIMITS);
    const b = await preprocessImage(png, CLIP_SPEC, LIMITS, { resampler: 'exact' });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});

describe('preprocessImage: colour conversion to 8-bit sRGB RGB', () => {
  it('CMYK JPEG', async () => {
    const white = await solid(32, 32, { r: 255, g: 255, b: 255 }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const orange = await solid(32, 32).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(orange).metadata();
    expect([meta.space, meta.channels]).toEqual(['cmyk', 4]);
    const w = await preprocessImage(white, levelsSpec(8), LIMITS);
    for (let c = 0; c < 3; c++) expect(channelMaxDev(w, 8, c, 255)).toBeLessThanOrEqual(2);
    const o = await preprocessImage(orange, levelsSpec(8), LIMITS);
    expect(o.length).toBe(3 * 64);
    // The CMYK round trip goes through ICC profiles (gamut), so only the hue is checked: R > G > B.
    const [r, g, b] = [0, 1, 2].map((c) => channelMean(o, 8, c));
    expect(Math.abs(r - 200)).toBeLessThan(10);
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
  });

  it('greyscale PNG gives equal RGB channels', async () => {
    const grey = await solid(32, 32, { r: 90, g: 90, b: 90 }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const t = await preprocessImage(grey, levelsSpec(8), LIMITS);
    for (let c = 0; c < 3; c++) expect(channelMaxDev(t, 8, c, 90)).toBe(0);
  });

  it('RGBA: transparent pixels are composited onto spec.background', async () => {
    // Left half opaque red, right half fully transparent green, bottom-left 50% white.
    const raw = Buffer.alloc(16 * 16 * 4);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) {
        const px = x >= 8 ? [0, 255, 0, 0] : y >= 8 ? [255, 255, 255, 128] : [255, 0, 0, 255];
        raw.set(px, (y * 16 + x) * 4);
      }
    const png = await sharp(raw, { raw: { width: 16, height: 16, channels: 4 } }).png().toBuffer();
    expect((await sharp(png).metadata()).hasAlpha).toBe(true);
    const spec = levelsSpec(16, { kernel: 'nearest', background: [10, 20, 30] });
    const t = await preprocessImage(png, spec, LIMITS);
    expect(pixelAt(t, 16, 2, 2)).toEqual([255, 0, 0]);
    expect(pixelAt(t, 16, 12, 4)).toEqual([10, 20, 30]); // transparent green -> background
    const half = pixelAt(t, 16, 2, 12); // 50% white over (10, 20, 30)
    [10, 20, 30].forEach((bg, c) => expect(Math.abs(half[c] - (bg + (255 - bg) * (128 / 255)))).toBeLessThanOrEqual(1));

  });

  it('RGBA: alpha is composited before resampling (no fringe from hidden colours)', async () => {
    // Left half fully transparent with a hidden green, right half opaque red; background black.
    const raw = Buffer.alloc(32 * 32 * 4);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) raw.set(x < 16 ? [0, 255, 0, 0] : [255, 0, 0, 255], (y * 32 + x) * 4);
    const png = await sharp(raw, { raw: { width: 32, height: 32, channels: 4 } }).png().toBuffer();
    for (const size of [7, 64]) {
      const t = await preprocessImage(png, levelsSpec(size), LIMITS);
      const n = size * size;
      const green = t.subarray(n, 2 * n);
      expect(Math.max(...green)).toBe(0); // a straight (non-premultiplied) resize would blend green in at the edge
      expect(pixelAt(t, size, 0, 0)).toEqual([0, 0, 0]);
      expect(pixelAt(t, size, size - 1, 0)).toEqual([255, 0, 0]);
    }
  });

  it('16-bit PNG gives 8-bit levels', async () => {
    const png16 = await solid(32, 32).toColourspace('rgb16').png().toBuffer();
    const meta = await sharp(png16).metadata();
    expect([meta.depth, meta.bitsPerSample]).toEqual(['ushort', 16]);
    const t = await preprocessImage(png16, levelsSpec(8), LIMITS);
    [200, 100, 50].forEach((v, c) => expect(channelMaxDev(t, 8, c, v)).toBe(0));
  });

  it('palette PNG', async () => {
    const pal = await solid(32, 32).png({ palette: true }).toBuffer();
    expect((await sharp(pal).metadata()).isPalette).toBe(true);
    const t = await preprocessImage(pal, levelsSpec(8), LIMITS);
    [200, 100, 50].forEach((v, c) => expect(channelMaxDev(t, 8, c, v)).toBe(0));
  });
});

describe('preprocessImage: refusals', () => {
  const refuse = (bytes: Buffer, limits: ImageLimits = LIMITS) => badInputOf(preprocessImage(bytes, CLIP_SPEC, limits));

  it('random bytes (wrong magic)', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7919 + 13) % 251));
    const e = await refuse(bytes);
    expect(e.message).toBe('not an image (its first bytes (0d 97 26 b0) match no image format); allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF');
    expect(e.extensions.format).toBe('unknown');
  });

  it('empty bytes', async () => {
    expect((await refuse(Buffer.alloc(0))).message).toBe('image is empty (0 bytes); allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF');
  });

  // What a client sees when it base64-encodes something that is not an image file (issue #13).
  it.each([
    ['plain text', 'hello world', 'text', 'looks like plain text'],
    ['UTF-8 text', 'grüße aus köln, 東京', 'text', 'looks like plain text'],
    ['JSON', '{"image": "cat.png"}', 'JSON', 'looks like JSON text'],
    ['HTML', '<!DOCTYPE html><html><body>404 Not Found</body></html>', 'HTML', 'looks like an HTML page'],
    ['XML', '<?xml version="1.0"?><note>hi</note>', 'XML', 'looks like XML text (SVG is not accepted either)'],
    ['base64 of a PNG, encoded again', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ', 'text', 'looks like base64 text, i.e. an image encoded twice; base64-encode the image file once'],
    ['a data URL as text', 'data:image/png;base64,iVBORw0KGgo=', 'text', 'looks like a data: URL written as text, i.e. encoded twice; send the data URL itself'],
    ['a PDF', '%PDF-1.4\n1 0 obj', 'PDF', 'a PDF document'],
    ['a ZIP archive', 'PK\x03\x04\x14\x00\x00\x00', 'ZIP', 'a ZIP archive'],
    ['a WAV file', 'RIFF\x24\x00\x00\x00WAVEfmt ', 'RIFF (WAVE)', 'a RIFF file of type "WAVE" (audio or video, not WebP)'],
    ['a PNG cut inside its signature', '\x89PNG', 'truncated', 'only 4 bytes, the start of a PNG signature: the file was cut short'],
  ])('%s is "not an image", saying what it looks like and what is allowed', async (_name, text, format, looks) => {
    const e = await refuse(Buffer.from(text, text.startsWith('\x89') || text.startsWith('PK') || text.startsWith('RIFF') ? 'latin1' : 'utf8'));
    expect(e.message).toBe(`not an image (${looks}); allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF`);
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', format });
  });

  it.each([
    ['truncated-half.png', /image could not be decoded \(PNG\): .*libpng read error.*; the file may be truncated or corrupt; allowed: a complete image file \(JPEG, PNG, WebP, GIF, AVIF, TIFF\)$/],
    ['truncated-half.jpg', /image could not be decoded \(JPEG\): .*premature end of JPEG image.*allowed: a complete image file/],
  ])('truncated %s', async (name, re) => {
    const e = await refuse(fixture(name));
    expect(e.message).toMatch(re);
    expect((e as { cause?: unknown }).cause).toBeInstanceOf(Error); // the sharp error is kept for logs
  });

  it('JPEG and PNG cut anywhere in the image data are refused', async () => {
    // Deterministic detailed content (so every cut loses real scan data).
    const raw = Buffer.alloc(96 * 64 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    const img = sharp(raw, { raw: { width: 96, height: 64, channels: 3 } });
    for (const [format, bytes] of [
      ['JPEG', await img.clone().jpeg({ quality: 90 }).toBuffer()],
      ['PNG', await img.clone().png().toBuffer()],
    ] as const) {
      for (const keep of [0.25, 0.5, 0.75, 0.9, 0.98]) {
        const e = await refuse(bytes.subarray(0, Math.floor(bytes.length * keep)));
        expect(e.message).toMatch(new RegExp(`could not be decoded \\(${format}\\)`));
      }
    }
  });

  it('SVG with an external reference is refused before any parser sees it (no fetch)', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const svg = fixture('external-ref.svg').toString('utf8').replace(/http:\/\/example\.com/g, `http://127.0.0.1:${port}`);
      const e = await refuse(Buffer.from(svg));
      expect(e.message).toBe('image format SVG is not accepted; allowed: JPEG, PNG, WebP, GIF, AVIF, TIFF');
      expect(e.extensions.format).toBe('SVG');
      // Variants: no XML declaration, BOM + whitespace.
      expect((await refuse(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).message).toMatch(/format SVG/);
      expect((await refuse(Buffer.from('\ufeff \n<svg width="1" height="1"></svg>'))).message).toMatch(/format SVG/);
      // Gzipped SVG (SVGZ).
      expect((await refuse(require('zlib').gzipSync(Buffer.from(svg)))).message).toMatch(/not an image \(gzip-compressed data \(SVGZ is not accepted either\)\)/);
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('PDF, HEIC, BMP and others are named', async () => {
    expect((await refuse(fixture('minimal.pdf'))).message).toMatch(/^not an image \(a PDF document\); allowed: JPEG, PNG/);
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64)]);
    expect((await refuse(heic)).message).toMatch(/format HEIC \(HEVC-coded HEIF\) is not accepted/);
    expect((await refuse(Buffer.concat([Buffer.from('BM'), Buffer.alloc(64)]))).message).toMatch(/format BMP/);
    const jxl = Buffer.from([0xff, 0x0a, 0, 0, 0, 0]);
    expect((await refuse(jxl)).message).toMatch(/format JPEG XL/);
  });

  it('an allowed signature with a corrupt body is refused as undecodable', async () => {
    const tiff = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00]), Buffer.alloc(60, 0xee)]);
    expect((await refuse(tiff)).message).toMatch(/image could not be decoded \(TIFF\)/);
  });

  it.each([
    ['bomb-50000x50000.png', 50000, 50000],
    ['bomb-65000x65000.jpg', 65000, 65000],
    ['bomb-60000x60000.gif', 60000, 60000],
  ])('decompression bomb %s is refused from its header, fast and without allocating', async (name, w, h) => {
    const bytes = fixture(name);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const e = await refuse(bytes);
    const ms = performance.now() - t0;
    const rssMb = (process.memoryUsage().rss - rss0) / 1e6;
    expect(e.message).toContain(`image is too large: ${w} x ${h} = ${(w * h) / 1e6} megapixels; the limit is 40 megapixels`);
    expect(e.extensions).toMatchObject({ width: w, height: h, maxPixels: 40_000_000 });
    expect(ms).toBeLessThan(500);
    expect(rssMb).toBeLessThan(100); // a decode would need 7.5 GB or more
    // eslint-disable-next-line no-console
    console.log(`${name} (${bytes.length} bytes): refused in ${ms.toFixed(1)} ms, RSS change ${rssMb.toFixed(1)} MB`);
  });

  it("sharp's limitInputPixels is the second line: it refuses the bomb on its own too", async () => {
    await expect(sharp(fixture('bomb-50000x50000.png'), { limitInputPixels: 40_000_000 }).raw().toBuffer()).rejects.toThrow(
      /exceeds pixel limit/,
    );
  });

  it('maxPixels, maxSide and the aspect-ratio limit', async () => {
    const png = await solid(300, 200).png().toBuffer();
    const e = await refuse(png, { ...LIMITS, maxPixels: 50_000 });
    expect(e.message).toMatch(/image is too large: 300 x 200 = 60000 pixels; the limit is 50000 pixels/);
    expect((await refuse(png, { ...LIMITS, maxSide: 256 })).message).toMatch(/longest side may be at most 256 pixels/);
    const strip = await solid(3000, 2).png().toBuffer();
    expect((await refuse(strip)).message).toMatch(/aspect ratio is too extreme: 3000 x 2; at most 1000:1/);
    // 1000:1 itself is fine, and the shortest-side resize of a strip stays cheap (only the crop is computed).
    const ok = await preprocessImage(await solid(2000, 2).png().toBuffer(), CLIP_SPEC, LIMITS);
    expect(ok.length).toBe(3 * 224 * 224);
  });

  it('oversize bytes', async () => {
    const png = await solid(64, 64).png().toBuffer();
    const e = await refuse(png, { ...LIMITS, maxBytes: 100 });
    expect(e.message).toMatch(/image is too large: \d+ bytes; the limit is 100 bytes/);
  });
});

describe('preprocessToRgb', () => {
  it('returns size * size * 3 bytes of interleaved RGB', async () => {
    const rgb = await preprocessToRgb(await solid(10, 10).png().toBuffer(), levelsSpec(4), LIMITS);
    expect(Array.from(rgb)).toEqual(Array.from({ length: 48 }, (_, i) => [200, 100, 50][i % 3]));
  });
});
