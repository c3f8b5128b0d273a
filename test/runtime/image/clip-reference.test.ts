/**
 * Our CLIP preprocessing against references computed independently with Pillow + NumPy exactly as
 * torchvision/CLIP's _transform does (test/fixtures/clip-preprocess/make_reference.py, README.md there).
 *
 * The stored reference for an image is Pillow's 224x224 RGB after Resize(224, BICUBIC) + CenterCrop(224)
 * (uint8), plus lut.f32 = ToTensor+Normalize of every level in float32; lut[c][rgb] is bit-identical to the
 * torchvision tensor (the generator asserts it).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { normalisePixels, preprocessImage, type PreprocessOptions } from '../../../src/runtime/image';
import { CLIP_FIXTURES, CLIP_SPEC, LIMITS, SAFE_IMAGES, levelsSpec } from './helpers';

interface RefImage {
  file: string;
  fixture?: boolean;
  sha256: string;
  width: number;
  height: number;
  resized: [number, number];
  crop: [number, number];
  reference: string;
}
interface RefKernel {
  file: string;
  fixture: boolean;
  kernel: 'cubic' | 'linear' | 'lanczos3' | 'nearest';
  size: number;
  reference: string;
}
const ref = JSON.parse(fs.readFileSync(path.join(CLIP_FIXTURES, 'reference.json'), 'utf8')) as {
  pillow: string;
  images: RefImage[];
  kernels: RefKernel[];
  synthetic: { file: string; reference: string };
};
const lutBytes = fs.readFileSync(path.join(CLIP_FIXTURES, 'lut.f32'));
const LUT = new Float32Array(lutBytes.buffer.slice(lutBytes.byteOffset, lutBytes.byteOffset + lutBytes.length));
const N = 224 * 224;
const LEVEL = (c: number) => 1 / 255 / CLIP_SPEC.std[c]; // one 8-bit level in normalised units

function sourcePath(file: string, fixture?: boolean): string {
  return fixture ? path.join(CLIP_FIXTURES, file) : path.join(SAFE_IMAGES, file);
}

/** The torchvision tensor (NCHW float32) from Pillow's uint8 HWC crop. */
function referenceTensor(rgb: Uint8Array): Float32Array {
  const n = rgb.length / 3;
  const t = new Float32Array(rgb.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) t[c * n + i] = LUT[c * 256 + rgb[i * 3 + c]];
  return t;
}

function compare(ours: Float32Array, theirs: Float32Array) {
  let sum = 0;
  let max = 0;
  let levelsMax = 0;
  const n = ours.length / 3;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - theirs[i]);
    sum += d;
    if (d > max) max = d;
    levelsMax = Math.max(levelsMax, Math.round(d / LEVEL(Math.floor(i / n))));
  }
  return { mean: sum / ours.length, max, levelsMax };
}

const results: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  if (results.length) console.log(`ours vs Pillow ${ref.pillow} (normalised units; 1 level = ${LEVEL(0).toFixed(4)}..${LEVEL(2).toFixed(4)}):\n${results.join('\n')}`);
});

describe('normalisation', () => {
  it('our table equals torchvision float32 ToTensor+Normalize to 1 ulp', () => {
    const levels = new Uint8Array(256 * 3);
    for (let v = 0; v < 256; v++) levels.set([v, v, v], v * 3);
    const ours = normalisePixels(levels, { ...CLIP_SPEC, size: 16 });
    let max = 0;
    for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) max = Math.max(max, Math.abs(ours[c * 256 + v] - LUT[c * 256 + v]));
    expect(max).toBeLessThan(5e-7);
  });

  it('synthetic 224x224 image (no resampling): matches the Pillow/torchvision tensor to 1e-6', async () => {
    const bytes = fs.readFileSync(path.join(CLIP_FIXTURES, ref.synthetic.file));
    const theirs = referenceTensor(new Uint8Array(fs.readFileSync(path.join(CLIP_FIXTURES, ref.synthetic.reference))));
    for (const resampler of ['fast', 'exact'] as const) {
      const ours = await preprocessImage(bytes, CLIP_SPEC, LIMITS, { resampler });
      const d = compare(ours, theirs);
      expect(d.max).toBeLessThan(1e-6);
      if (resampler === 'fast') results.push(`  synthetic224.png (no resize): mean ${d.mean.toExponential(2)}, max ${d.max.toExponential(2)}`);
    }
  });
});

/**
 * Tolerances for the default ('fast') path, set from measurements (see README.md) with a margin:
 * mean |diff| and max |diff| in normalised units.
 */
const FAST_TOLERANCE: Record<string, { mean: number; max: number }> = {
  'kodak_kodim04.png': { mean: 0.005, max: 0.15 }, // measured 0.0034 / 0.090
  'skimage_coffee.png': { mean: 0.005, max: 0.15 }, // measured 0.0032 / 0.085
  'skimage_coins.png': { mean: 0.005, max: 0.06 }, // measured 0.0033 / 0.030
  'sharp_Portrait_1.jpg': { mean: 0.005, max: 0.3 }, // measured 0.0032 / 0.195
  'sharp_2569067123_aca715a2ee_o.jpg': { mean: 0.015, max: 0.4 }, // measured 0.0108 / 0.256
  'small_kodim23_190x127.png': { mean: 1e-6, max: 1e-6 }, // enlargement: Pillow port, exact
};

describe.each(ref.images.map((im) => [im.file, im] as const))('CLIP reference %s', (file, im) => {
  const src = sourcePath(file, im.fixture);
  const present = fs.existsSync(src);
  const maybe = present ? it : it.skip;
  if (!present) {
    // eslint-disable-next-line no-console
    console.warn(`clip-reference: skipping ${file}: ${src} not found (needs ../shared/eval/safe_images)`);
  }

  const run = async (options: PreprocessOptions) => {
    const bytes = fs.readFileSync(src);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(im.sha256);
    const ours = await preprocessImage(bytes, CLIP_SPEC, LIMITS, options);
    const theirs = referenceTensor(new Uint8Array(fs.readFileSync(path.join(CLIP_FIXTURES, im.reference))));
    expect(ours.length).toBe(3 * N);
    return compare(ours, theirs);
  };

  maybe("default ('fast') path: close to Pillow", async () => {
    const d = await run({});
    results.push(
      `  ${file.padEnd(36)} fast:  mean ${d.mean.toFixed(5)}  max ${d.max.toFixed(4)} (${d.levelsMax} levels)  [${im.width}x${im.height} -> ${im.resized.join('x')} crop ${im.crop.join(',')}]`,
    );
    const tol = FAST_TOLERANCE[file];
    expect(d.mean).toBeLessThan(tol.mean);
    expect(d.max).toBeLessThan(tol.max);
  });

  maybe("'exact' path: identical to Pillow", async () => {
    const d = await run({ resampler: 'exact' });
    results.push(`  ${file.padEnd(36)} exact: mean ${d.mean.toFixed(5)}  max ${d.max.toFixed(4)} (${d.levelsMax} levels)`);
    // Measured bit-identical for all (sharp's libjpeg-turbo and Debian's decode these JPEGs identically); allow
    // one level for JPEG should a decoder's IDCT differ.
    if (/\.png$/.test(file)) expect(d.max).toBeLessThan(1e-6);
    else expect(d.levelsMax).toBeLessThanOrEqual(1);
  });
});

describe("other kernels ('exact' path, stretch to 64x64) match Pillow's filters", () => {
  it.each(ref.kernels.map((k) => [k.kernel, k.file, k] as const))('%s on %s', async (kernel, file, k) => {
    const src = sourcePath(file, k.fixture);
    if (!fs.existsSync(src)) {
      // eslint-disable-next-line no-console
      console.warn(`skipping: ${src} not found`);
      return;
    }
    const spec = levelsSpec(k.size, { kernel });
    const ours = await preprocessImage(fs.readFileSync(src), spec, LIMITS, { resampler: 'exact' });
    const theirs = new Uint8Array(fs.readFileSync(path.join(CLIP_FIXTURES, k.reference)));
    const n = k.size * k.size;
    let max = 0;
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(ours[c * n + i] - theirs[i * 3 + c]));
    expect(max).toBe(0);
  });
});
