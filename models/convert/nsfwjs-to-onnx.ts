/**
 * Converts the NSFW image classifier bundled in the `nsfwjs` npm package (default: its MobileNetV2, 224 px) to
 * ONNX, plus a JSON sidecar recording classes, input, preprocessing and provenance.
 *
 *   npm --prefix models/train install          # once: nsfwjs lives in models/train, not in the gateway
 *   npx tsx models/convert/nsfwjs-to-onnx.ts [--out models/hysac-mini/image-nsfw.onnx] [--model mobilenet_v2]
 *                                            [--train-dir models/train]
 *
 * Writes <out> (.onnx) and <out minus .onnx>.json. The output is a pure function of the package files: the
 * same nsfwjs version gives the same bytes.
 *
 * Graph: pixel_values float32 [N, 3, S, S] (NCHW, RGB, values in [0, 1]) ->
 *        logits [N, 5] (pre-softmax) and probs [N, 5] (softmax), classes in nsfwjs's order.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModel } from '../../src/onnx/graph';
import type { ImagePreprocessSpec } from '../../src/runtime/manifest-types';
import { kerasToOnnx } from './keras-layers';
import { DEFAULT_TRAIN_DIR, findNsfwjs, readNsfwjsModel, type NsfwjsModel, type SourceFile } from './nsfwjs-package';
import { decodeWeights, summariseWeights, type WeightsSummary } from './tfjs-weights';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_OUT = path.join(REPO_ROOT, 'models', 'hysac-mini', 'image-nsfw.onnx');
export const INPUT_NAME = 'pixel_values';
export const PROBS_NAME = 'probs';
export const LOGITS_NAME = 'logits';
export const OPSET = 17;

/**
 * What nsfwjs does to an image before the model (dist/cjs/core.js, NSFWJS.infer):
 *   tf.browser.fromPixels(img)            RGB uint8 [H, W, 3] (alpha dropped)
 *   .toFloat().div(255)                   [0, 1]
 *   tf.image.resizeBilinear(x, [S, S], alignCorners = true)   only when H or W != S; no crop, aspect not kept
 * As a gateway preprocess spec: stretch to S x S, linear kernel, x / 255, mean 0, std 1.
 */
export function nsfwjsPreprocess(size: number): ImagePreprocessSpec {
  return {
    size,
    resize: 'stretch',
    crop: 'none',
    kernel: 'linear',
    scale: 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    layout: 'NCHW',
    background: [0, 0, 0],
  };
}

export const PREPROCESS_NOTES = [
  'nsfwjs (dist/cjs/core.js, NSFWJS.infer): tf.browser.fromPixels -> toFloat -> div(255) -> tf.image.resizeBilinear([S, S], alignCorners=true) when the image is not already S x S -> model.predict. No crop, no mean/std.',
  "nsfwjs's resize is point-sampled bilinear with align_corners=true (no antialiasing when shrinking); the gateway's 'linear' kernel is the nearest spec, not bit-identical for images that need resizing.",
  'fromPixels drops alpha; browsers hand fully transparent pixels over as black, hence background [0, 0, 0].',
];

export interface NsfwjsSidecar {
  model: { file: string; bytes: number; sha256: string; opset: number };
  classes: string[];
  input: { name: string; elemType: 'float32'; dims: (number | string)[]; layout: 'NCHW'; channels: 'RGB'; range: [number, number] };
  outputs: Record<string, { dims: (number | string)[]; description: string }>;
  preprocess: ImagePreprocessSpec;
  preprocessNotes: string[];
  source: {
    package: string;
    version: string;
    license: string;
    model: string;
    upstream: string;
    format: string;
    kerasVersion: string | null;
    weights: WeightsSummary;
    files: SourceFile[];
  };
  conversion: {
    command: string;
    converter: string[];
    layers: Record<string, number>;
    folded: { batchNorms: number; zeroPaddings: number };
  };
}

export interface NsfwjsConversion {
  bytes: Uint8Array;
  sidecar: NsfwjsSidecar;
  source: NsfwjsModel;
}

export interface ConvertOptions {
  /** Folder whose node_modules holds nsfwjs (default models/train). */
  trainDir?: string;
  /** nsfwjs model folder name (default mobilenet_v2). */
  model?: string;
  /** Where the ONNX file will be written (only recorded in the sidecar's file name and command). */
  out?: string;
}

export const INSTALL_HINT = 'nsfwjs is not installed: run `npm --prefix models/train install` (conversion-only dependencies live in models/train/package.json).';

function relativeToRepo(p: string): string {
  return path.relative(REPO_ROOT, path.resolve(p)).split(path.sep).join('/');
}

/** Converts an nsfwjs model to ONNX bytes plus its sidecar. Deterministic. */
export function convertNsfwjs(options: ConvertOptions = {}): NsfwjsConversion {
  const trainDir = options.trainDir ?? DEFAULT_TRAIN_DIR;
  const model = options.model ?? 'mobilenet_v2';
  const out = options.out ?? DEFAULT_OUT;
  const packageDir = findNsfwjs(trainDir);
  if (!packageDir) throw new Error(INSTALL_HINT);
  const source = readNsfwjsModel(packageDir, model);
  const { modelTopology, weightsManifest } = source.modelJson;

  const weights = decodeWeights(weightsManifest, (p) => {
    const s = source.shards.get(p);
    if (!s) throw new Error(`weight shard '${p}' was not read`);
    return s;
  });
  const converted = kerasToOnnx(modelTopology, weights, {
    inputName: INPUT_NAME,
    outputName: PROBS_NAME,
    logitsName: LOGITS_NAME,
    batchDim: 'N',
    graphName: `nsfwjs_${model}`,
  });
  const [, c, h, w] = converted.inputDims;
  if (c !== 3 || h !== source.size || w !== source.size) {
    throw new Error(`model input is [N, ${c}, ${h}, ${w}], expected [N, 3, ${source.size}, ${source.size}]`);
  }
  const probsDims = converted.outputs[PROBS_NAME];
  if (probsDims[1] !== source.classes.length) throw new Error(`model has ${probsDims[1]} outputs for ${source.classes.length} classes`);

  const command = `npx tsx models/convert/nsfwjs-to-onnx.ts --out ${relativeToRepo(out)}${model === 'mobilenet_v2' ? '' : ` --model ${model}`}`;
  const bytes = converted.builder.toModelBytes({
    opset: OPSET,
    producer: 'hysac-gateway models/convert/nsfwjs-to-onnx.ts',
    docString: `nsfwjs ${source.version} (${source.license}) ${model}, classes ${source.classes.join(', ')}; input ${INPUT_NAME} NCHW RGB in [0, 1]. Rebuild: ${command}`,
  });

  const sidecar: NsfwjsSidecar = {
    model: { file: path.basename(out), bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), opset: OPSET },
    classes: source.classes,
    input: { name: INPUT_NAME, elemType: 'float32', dims: converted.inputDims, layout: 'NCHW', channels: 'RGB', range: [0, 1] },
    outputs: {
      [PROBS_NAME]: { dims: probsDims, description: 'softmax class probabilities, in the order of `classes` (what nsfwjs.classify reports)' },
      ...(converted.outputs[LOGITS_NAME] ? { [LOGITS_NAME]: { dims: converted.outputs[LOGITS_NAME], description: 'pre-softmax scores of the final Dense layer' } } : {}),
    },
    preprocess: nsfwjsPreprocess(source.size),
    preprocessNotes: PREPROCESS_NOTES,
    source: {
      package: 'nsfwjs',
      version: source.version,
      license: source.license,
      model,
      upstream: 'GantMan/nsfw_model (MIT), packaged by Infinite Red in nsfwjs (MIT)',
      format: 'TF.js Layers model (Keras functional topology + weightsManifest)',
      kerasVersion: modelTopology.keras_version ?? null,
      weights: summariseWeights(weightsManifest),
      files: source.files,
    },
    conversion: {
      command,
      converter: ['models/convert/nsfwjs-to-onnx.ts', 'models/convert/nsfwjs-package.ts', 'models/convert/tfjs-weights.ts', 'models/convert/keras-layers.ts'],
      layers: converted.layers,
      folded: converted.folded,
    },
  };
  return { bytes, sidecar, source };
}

/** The sidecar path for an ONNX output path: x.onnx -> x.json. */
export function sidecarPath(out: string): string {
  return out.replace(/\.onnx$/i, '') + '.json';
}

function parseArgs(argv: string[]): ConvertOptions {
  const opts: ConvertOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--model') opts.model = value();
    else if (a === '--train-dir') opts.trainDir = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      console.log('usage: npx tsx models/convert/nsfwjs-to-onnx.ts [--out FILE.onnx] [--model mobilenet_v2|mobilenet_v2_mid|inception_v3] [--train-dir models/train]');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return opts;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const out = opts.out ?? DEFAULT_OUT;
  const { bytes, sidecar } = convertNsfwjs({ ...opts, out });
  writeModel(out, bytes);
  fs.writeFileSync(sidecarPath(out), JSON.stringify(sidecar, null, 2) + '\n');
  console.log(`nsfwjs ${sidecar.source.version} ${sidecar.source.model} -> ${relativeToRepo(out)} (${(bytes.length / 1e6).toFixed(2)} MB, sha256 ${sidecar.model.sha256})`);
  console.log(`  layers: ${JSON.stringify(sidecar.conversion.layers)}; folded ${sidecar.conversion.folded.batchNorms} BatchNorms, ${sidecar.conversion.folded.zeroPaddings} ZeroPaddings`);
  console.log(`  weights: ${JSON.stringify(sidecar.source.weights)}`);
  console.log(`  sidecar: ${relativeToRepo(sidecarPath(out))}`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
