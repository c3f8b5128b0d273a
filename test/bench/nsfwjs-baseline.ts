/**
 * The image baseline: the `nsfwjs` package (MobileNetV2) classifying photographs in TensorFlow.js, the way a
 * Node user of nsfwjs does it: read the file, decode it to RGB pixels (sharp, as the gateway does), hand the
 * [h, w, 3] tensor to `nsfwjs.classify` (which scales, resizes to 224 x 224 and runs the model). One image at a
 * time, after one warm-up image.
 *
 *   npx tsx test/bench/nsfwjs-baseline.ts --backend cpu|wasm [--max-seconds S] IMAGE...
 *
 * Prints one JSON line: { backend, threads, images, seconds, perSecond, tfjs, nsfwjs }.
 * nsfwjs and TensorFlow.js are conversion-only dependencies in models/train (`npm --prefix models/train install`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const TRAIN_MODULES = path.resolve(__dirname, '../../models/train/node_modules');
export const NSFWJS_INSTALL = 'npm --prefix models/train install';

export function nsfwjsInstalled(): boolean {
  return ['nsfwjs', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'].every((p) => fs.existsSync(path.join(TRAIN_MODULES, p, 'package.json')));
}

interface TfTensor {
  dispose(): void;
}
interface Tf {
  version: Record<string, string>;
  env(): { set(flag: string, value: unknown): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): TfTensor;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, 'max-seconds': { type: 'string', default: '60' } }, allowPositionals: true });
  if (!nsfwjsInstalled()) throw new Error(`nsfwjs / TensorFlow.js are not installed; install them with \`${NSFWJS_INSTALL}\``);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const tf = require(path.join(TRAIN_MODULES, '@tensorflow', 'tfjs')) as Tf;
  tf.env().set('PROD', true);
  let threads = 1;
  if (values.backend === 'wasm') {
    const wasm = require(path.join(TRAIN_MODULES, '@tensorflow', 'tfjs-backend-wasm')) as { setWasmPaths(p: string): void; getThreadsCount(): number };
    wasm.setWasmPaths(path.join(TRAIN_MODULES, '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend did not start');
    await tf.ready();
    threads = wasm.getThreadsCount();
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const nsfwjs = require(path.join(TRAIN_MODULES, 'nsfwjs')) as { load(m: string): Promise<{ classify(t: TfTensor): Promise<unknown> }> };
  const nsfwjsVersion = (JSON.parse(fs.readFileSync(path.join(TRAIN_MODULES, 'nsfwjs', 'package.json'), 'utf8')) as { version: string }).version;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const info = console.info;
  console.info = () => undefined; // nsfwjs announces the model it loads
  const net = await nsfwjs.load('MobileNetV2');
  console.info = info;

  const classify = async (file: string): Promise<void> => {
    const { data, info: meta } = await sharp(fs.readFileSync(file)).rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = tf.tensor3d(Int32Array.from(data), [meta.height, meta.width, 3], 'int32');
    await net.classify(img);
    img.dispose();
  };
  const files = positionals;
  await classify(files[0]); // warm-up (kernel compilation, weight upload)
  const limit = Number(values['max-seconds']) * 1000;
  let n = 0;
  const t0 = performance.now();
  for (const f of files) {
    await classify(f);
    n++;
    if (performance.now() - t0 > limit && n >= 2) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ backend: tf.getBackend(), threads, images: n, seconds, perSecond: n / seconds, tfjs: tf.version['tfjs-core'], nsfwjs: nsfwjsVersion }));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
