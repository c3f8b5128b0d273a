/**
 * The nsfwjs -> ONNX converter (models/convert) against nsfwjs itself, in TensorFlow.js (pure-JS CPU backend).
 *
 * Both sides get the same inputs: seeded noise, a gradient, a flat grey, and (when ../shared is present) real
 * photographs decoded with sharp to 224 x 224 RGB. Class probabilities must agree within 1e-3 (max abs).
 * Two TF.js references:
 *   - tf.loadLayersModel(tf.io.fromMemory(model.json + raw shard bytes)): TF.js dequantises the weights itself,
 *     so the converter's own dequantisation is checked too; fed arbitrary float inputs;
 *   - nsfwjs.load('MobileNetV2').infer(uint8 pixels): nsfwjs's whole path, including its /255 preprocessing.
 *
 * nsfwjs and TensorFlow.js are conversion-only dependencies in models/train (not the gateway's); without them the
 * suite is skipped with the command that installs them.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { createSession, releaseSession, runSession, type OrtSession } from '../../src/runtime/ort';
import { findNsfwjs, readNsfwjsModel } from '../../models/convert/nsfwjs-package';
import { mulberry32, seededBytes } from '../helpers/prng';
import { convertNsfwjs, DEFAULT_OUT, INPUT_NAME, LOGITS_NAME, PROBS_NAME, sidecarPath, type NsfwjsConversion } from '../../models/convert/nsfwjs-to-onnx';

const REPO = path.resolve(__dirname, '../..');
const TRAIN_DIR = path.join(REPO, 'models', 'train');
const TRAIN_MODULES = path.join(TRAIN_DIR, 'node_modules');
const SAFE_IMAGES = path.resolve(REPO, '../shared/eval/safe_images');
const SIZE = 224;
const TOLERANCE = 1e-3;
const INSTALL = 'npm --prefix models/train install';

const installed = findNsfwjs(TRAIN_DIR) !== null && fs.existsSync(path.join(TRAIN_MODULES, '@tensorflow', 'tfjs', 'package.json'));
if (!installed) {
  console.warn(`test/convert/nsfwjs-onnx: skipped: nsfwjs / @tensorflow/tfjs are not installed in models/train/node_modules. Install them with \`${INSTALL}\`.`);
}

// ---- the small part of the TF.js API this suite uses ---------------------------------------------------------
interface TfTensor {
  shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface TfLayersModel {
  predict(x: TfTensor): TfTensor;
  dispose(): void;
}
interface Tf {
  version: Record<string, string>;
  env(): { set(flag: string, value: unknown): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor(values: Float32Array | Int32Array, shape: number[], dtype?: 'float32' | 'int32'): TfTensor;
  loadLayersModel(handler: unknown): Promise<TfLayersModel>;
  io: { fromMemory(artifacts: { modelTopology: unknown; weightSpecs: unknown; weightData: ArrayBuffer }): unknown };
}
interface TfWasmBackend {
  setWasmPaths(prefix: string): void;
}
interface NsfwjsInstance {
  infer(img: TfTensor): TfTensor;
  dispose(): void;
}
interface NsfwjsModule {
  load(model: string): Promise<NsfwjsInstance>;
}

/** One test input: NHWC floats as nsfwjs's model sees them, and optionally the 8-bit pixels they came from. */
interface Sample {
  label: string;
  nhwc: Float32Array;
  pixels?: Uint8Array;
}

function fromPixels(label: string, pixels: Uint8Array): Sample {
  // What nsfwjs does: toFloat().div(255) (in float32).
  return { label, pixels, nhwc: Float32Array.from(pixels, (p) => p / 255) };
}

function syntheticSamples(): Sample[] {
  const n = SIZE * SIZE * 3;
  const rand = mulberry32(20240611);
  const noise = new Float32Array(n).map(() => rand());
  const noisePixels = seededBytes(n, 7);
  const gradient = new Uint8Array(n);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
    const i = (y * SIZE + x) * 3;
    gradient[i] = Math.round((x / (SIZE - 1)) * 255);
    gradient[i + 1] = Math.round((y / (SIZE - 1)) * 255);
    gradient[i + 2] = Math.round(((x + y) / (2 * (SIZE - 1))) * 255);
  }
  return [
    { label: 'uniform noise in [0, 1) (float, seed 20240611)', nhwc: noise },
    fromPixels('8-bit noise (seed 7)', noisePixels),
    fromPixels('RGB gradient', gradient),
    fromPixels('flat grey 128', new Uint8Array(n).fill(128)),
  ];
}

/** Real photos: every 4th file of ../shared/eval/safe_images, stretched to 224 x 224 sRGB by sharp. */
async function photoSamples(): Promise<Sample[]> {
  if (!fs.existsSync(SAFE_IMAGES)) {
    console.warn(`test/convert/nsfwjs-onnx: no photos: ${SAFE_IMAGES} not found (needs ../shared/eval/safe_images); synthetic inputs only`);
    return [];
  }
  const files = fs.readdirSync(SAFE_IMAGES).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().filter((_, i) => i % 4 === 0);
  const out: Sample[] = [];
  for (const f of files) {
    const raw = await sharp(path.join(SAFE_IMAGES, f)).toColourspace('srgb').removeAlpha().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer();
    if (raw.length !== SIZE * SIZE * 3) throw new Error(`${f}: decoded to ${raw.length} bytes`);
    out.push(fromPixels(f, new Uint8Array(raw)));
  }
  return out;
}

function nhwcToNchw(nhwc: Float32Array, out: Float32Array, offset: number): void {
  const hw = SIZE * SIZE;
  for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) out[offset + c * hw + p] = nhwc[p * 3 + c];
}

function sha256(b: Uint8Array): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmax(a: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (a[from + k] > a[from + best]) best = k;
  return best;
}

/**
 * TF.js's WebAssembly backend (XNNPACK) when @tensorflow/tfjs-backend-wasm is installed in models/train: about
 * 100 ms a 224 px image instead of 4 to 5 s on the pure-JS CPU backend, which is the fallback.
 */
async function useFastestBackend(tf: Tf): Promise<void> {
  const wasmDir = path.join(TRAIN_MODULES, '@tensorflow', 'tfjs-backend-wasm');
  if (fs.existsSync(path.join(wasmDir, 'package.json'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require(wasmDir) as TfWasmBackend;
    wasm.setWasmPaths(path.join(wasmDir, 'dist') + path.sep);
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return;
    }
    console.warn('test/convert/nsfwjs-onnx: the TF.js wasm backend did not start; using the (slow) CPU backend');
  }
  await tf.setBackend('cpu');
  await tf.ready();
}

const suite = installed ? describe : describe.skip;

suite(`nsfwjs -> ONNX converter (needs \`${INSTALL}\`)`, () => {
  let tf: Tf;
  let conversion: NsfwjsConversion;
  let session: OrtSession;
  let samples: Sample[];
  let onnx: { probs: Float32Array; logits: Float32Array };
  const classes = 5;

  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tf = require(path.join(TRAIN_MODULES, '@tensorflow', 'tfjs')) as Tf;
    tf.env().set('PROD', true); // no "install tfjs-node" banner
    await useFastestBackend(tf);
    conversion = convertNsfwjs({ trainDir: TRAIN_DIR });
    session = await createSession(conversion.bytes);
    samples = [...syntheticSamples(), ...(await photoSamples())];
    const n = samples.length;
    const nchw = new Float32Array(n * 3 * SIZE * SIZE);
    samples.forEach((s, i) => nhwcToNchw(s.nhwc, nchw, i * 3 * SIZE * SIZE));
    const r = await runSession(session, { [INPUT_NAME]: { data: nchw, dims: [n, 3, SIZE, SIZE] } });
    expect(r[PROBS_NAME].dims).toEqual([n, classes]);
    expect(r[LOGITS_NAME].dims).toEqual([n, classes]);
    onnx = { probs: r[PROBS_NAME].data, logits: r[LOGITS_NAME].data };
  }, 300_000);

  afterAll(async () => {
    if (session) await releaseSession(session);
  });

  it('reads nsfwjs classes in its order', () => {
    expect(conversion.sidecar.classes).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
    expect(conversion.sidecar.input.dims).toEqual(['N', 3, SIZE, SIZE]);
    expect(conversion.bytes.length).toBeLessThan(20 * 1024 * 1024);
  });

  it('is deterministic: converting twice gives the same bytes', () => {
    const again = convertNsfwjs({ trainDir: TRAIN_DIR });
    expect(sha256(again.bytes)).toBe(sha256(conversion.bytes));
    expect(again.sidecar).toEqual(conversion.sidecar);
  }, 120_000);

  it('matches the committed models/hysac-mini/image-nsfw.onnx and its sidecar (same nsfwjs version)', () => {
    const sidecarFile = sidecarPath(DEFAULT_OUT);
    if (!fs.existsSync(DEFAULT_OUT) || !fs.existsSync(sidecarFile)) {
      console.warn(`test/convert/nsfwjs-onnx: ${path.relative(REPO, DEFAULT_OUT)} not built yet; run npx tsx models/convert/nsfwjs-to-onnx.ts`);
      return;
    }
    const committed = JSON.parse(fs.readFileSync(sidecarFile, 'utf8')) as NsfwjsConversion['sidecar'];
    if (committed.source.version !== conversion.sidecar.source.version) {
      console.warn(`test/convert/nsfwjs-onnx: committed model is from nsfwjs ${committed.source.version}, installed is ${conversion.sidecar.source.version}; not comparing bytes`);
      return;
    }
    expect(sha256(fs.readFileSync(DEFAULT_OUT))).toBe(sha256(conversion.bytes));
    expect(committed).toEqual(conversion.sidecar);
  });

  it('probs are the softmax of logits', () => {
    for (let i = 0; i < samples.length; i++) {
      const row = Array.from(onnx.logits.subarray(i * classes, (i + 1) * classes));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      expect(maxAbsDiff(onnx.probs.subarray(i * classes, (i + 1) * classes), e.map((v) => v / s))).toBeLessThan(1e-6);
    }
  });

  it(`agrees with tf.loadLayersModel on the package files within ${TOLERANCE}`, async () => {
    const src = readNsfwjsModel(findNsfwjs(TRAIN_DIR)!, 'mobilenet_v2');
    const shards = src.modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => src.shards.get(p)!);
    const weightData = new Uint8Array(shards.reduce((a, s) => a + s.length, 0));
    let at = 0;
    for (const s of shards) {
      weightData.set(s, at);
      at += s.length;
    }
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: src.modelJson.modelTopology,
        weightSpecs: src.modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData: weightData.buffer,
      }),
    );
    try {
      const n = samples.length;
      const nhwc = new Float32Array(n * SIZE * SIZE * 3);
      samples.forEach((s, i) => nhwc.set(s.nhwc, i * SIZE * SIZE * 3));
      const x = tf.tensor(nhwc, [n, SIZE, SIZE, 3], 'float32');
      const y = model.predict(x);
      const ref = (await y.data()) as Float32Array;
      x.dispose();
      y.dispose();
      const diff = maxAbsDiff(onnx.probs, ref);
      const lines = samples.map((s, i) => {
        const d = maxAbsDiff(onnx.probs.subarray(i * classes, (i + 1) * classes), ref.subarray(i * classes, (i + 1) * classes));
        const top = argmax(ref, i * classes, classes);
        return `  ${s.label}: max |dp| ${d.toExponential(2)}, top ${conversion.sidecar.classes[top]} ${ref[i * classes + top].toFixed(4)}`;
      });
      console.log(`nsfwjs ${conversion.sidecar.source.version} vs ONNX (tfjs ${tf.version['tfjs-core']} ${tf.getBackend()}), ${n} inputs: max abs diff of probabilities ${diff.toExponential(3)}\n${lines.join('\n')}`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
      for (let i = 0; i < n; i++) expect(argmax(onnx.probs, i * classes, classes)).toBe(argmax(ref, i * classes, classes));
    } finally {
      model.dispose();
    }
  }, 300_000);

  it(`agrees with nsfwjs.load('MobileNetV2').infer on 8-bit pixels within ${TOLERANCE}`, async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nsfwjs = require(path.join(TRAIN_MODULES, 'nsfwjs')) as NsfwjsModule;
    const info = console.info;
    console.info = () => undefined; // nsfwjs announces the model it loads
    let net: NsfwjsInstance;
    try {
      net = await nsfwjs.load('MobileNetV2');
    } finally {
      console.info = info;
    }
    try {
      let diff = 0;
      let count = 0;
      // On the slow CPU backend a few inputs are enough here; the layers-model test above covers all of them.
      const limit = tf.getBackend() === 'cpu' ? 3 : Infinity;
      for (let i = 0; i < samples.length && count < limit; i++) {
        const s = samples[i];
        if (!s.pixels) continue;
        const img = tf.tensor(Int32Array.from(s.pixels), [SIZE, SIZE, 3], 'int32');
        const y = net.infer(img);
        const ref = (await y.data()) as Float32Array;
        img.dispose();
        y.dispose();
        diff = Math.max(diff, maxAbsDiff(onnx.probs.subarray(i * classes, (i + 1) * classes), ref));
        count++;
      }
      console.log(`nsfwjs.infer (tfjs ${tf.getBackend()}) vs ONNX on ${count} pixel inputs: max abs diff of probabilities ${diff.toExponential(3)}`);
      expect(count).toBeGreaterThan(0);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      net.dispose();
    }
  }, 300_000);
});
