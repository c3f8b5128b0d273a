/**
 * Finding the `nsfwjs` npm package (installed in models/train/node_modules, never in the gateway's own
 * dependencies) and reading one of the models it bundles from disk.
 *
 * nsfwjs 4.x ships each model as browserify UMD bundles under dist/models/<model>/:
 *   model.min.js              module.exports = { modelTopology, weightsManifest }   (a TF.js Layers model.json)
 *   group1-shardKofN.min.js   module.exports = "<base64 of the binary weight shard>"
 * nsfwjs itself loads them with `require` and decodes the base64 (core.js, JSONHandler); this module does the
 * same, with no network. The class names come from dist/cjs/nsfw_classes.js (index -> name).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { KerasModelTopology } from './keras-layers';
import type { WeightsManifestGroup } from './tfjs-weights';

/** models/train: the separate package holding training- and conversion-only dependencies. */
export const DEFAULT_TRAIN_DIR = path.resolve(__dirname, '..', 'train');

/** The models nsfwjs bundles, with the square input size nsfwjs feeds each. */
export const NSFWJS_MODELS: Record<string, { size: number; nsfwjsName: string }> = {
  mobilenet_v2: { size: 224, nsfwjsName: 'MobileNetV2' },
  mobilenet_v2_mid: { size: 224, nsfwjsName: 'MobileNetV2Mid' },
  inception_v3: { size: 299, nsfwjsName: 'InceptionV3' },
};

export interface TfjsModelJson {
  modelTopology: KerasModelTopology;
  weightsManifest: WeightsManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

export interface SourceFile {
  /** Path inside the package, e.g. dist/models/mobilenet_v2/model.min.js. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface NsfwjsModel {
  packageDir: string;
  version: string;
  license: string;
  /** Folder name under dist/models, e.g. 'mobilenet_v2'. */
  model: string;
  /** Input side nsfwjs uses for this model. */
  size: number;
  modelJson: TfjsModelJson;
  /** Weight shard bytes by the name used in the manifest's `paths`. */
  shards: Map<string, Uint8Array>;
  /** The package files the model was read from. */
  files: SourceFile[];
  /** Class names in output order (index 0 first). */
  classes: string[];
}

export class NsfwjsPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NsfwjsPackageError';
  }
}

/** The nsfwjs package folder under `trainDir`/node_modules, or null when it is not installed. */
export function findNsfwjs(trainDir = DEFAULT_TRAIN_DIR): string | null {
  const dir = path.join(trainDir, 'node_modules', 'nsfwjs');
  return fs.existsSync(path.join(dir, 'package.json')) ? dir : null;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** `require` of a UMD bundle; browserify's `module.exports = x` may come back wrapped as { default: x }. */
function requireExport(req: NodeRequire, file: string): unknown {
  const m = req(file) as unknown;
  if (m && typeof m === 'object' && 'default' in m && Object.keys(m).length === 1) return (m as { default: unknown }).default;
  return m;
}

/** Reads one bundled model (default: the MobileNetV2 224 px model that nsfwjs loads by default). */
export function readNsfwjsModel(packageDir: string, model = 'mobilenet_v2'): NsfwjsModel {
  const spec = NSFWJS_MODELS[model];
  if (!spec) throw new NsfwjsPackageError(`unknown nsfwjs model '${model}' (${Object.keys(NSFWJS_MODELS).join(', ')})`);
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: string };
  if (pkg.name !== 'nsfwjs') throw new NsfwjsPackageError(`${packageDir} is not the nsfwjs package`);
  const req = createRequire(path.join(packageDir, 'package.json'));
  const modelDir = path.join(packageDir, 'dist', 'models', model);
  const files: SourceFile[] = [];
  const record = (abs: string): void => {
    const bytes = fs.readFileSync(abs);
    files.push({ path: path.relative(packageDir, abs).split(path.sep).join('/'), bytes: bytes.length, sha256: sha256(bytes) });
  };

  const modelFile = path.join(modelDir, 'model.min.js');
  if (!fs.existsSync(modelFile)) throw new NsfwjsPackageError(`${modelFile} is missing: this nsfwjs version does not bundle '${model}' as expected`);
  const modelJson = requireExport(req, modelFile) as TfjsModelJson;
  if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new NsfwjsPackageError(`${modelFile} does not export a TF.js model.json ({ modelTopology, weightsManifest })`);
  }
  record(modelFile);

  const shards = new Map<string, Uint8Array>();
  for (const p of modelJson.weightsManifest.flatMap((g) => g.paths)) {
    const file = path.join(modelDir, `${p}.min.js`);
    if (!fs.existsSync(file)) throw new NsfwjsPackageError(`weight shard ${file} is missing`);
    const b64 = requireExport(req, file);
    if (typeof b64 !== 'string') throw new NsfwjsPackageError(`${file} does not export a base64 string`);
    shards.set(p, new Uint8Array(Buffer.from(b64, 'base64')));
    record(file);
  }

  const classesFile = path.join(packageDir, 'dist', 'cjs', 'nsfw_classes.js');
  const table = (req(classesFile) as { NSFW_CLASSES?: Record<string, string> }).NSFW_CLASSES;
  if (!table) throw new NsfwjsPackageError(`${classesFile} does not export NSFW_CLASSES`);
  const classes = Object.keys(table)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i, k) => {
      if (i !== k) throw new NsfwjsPackageError(`NSFW_CLASSES indices are not 0..n-1: ${JSON.stringify(table)}`);
      return table[i];
    });
  record(classesFile);

  return { packageDir, version: pkg.version ?? 'unknown', license: pkg.license ?? 'unknown', model, size: spec.size, modelJson, shards, files, classes };
}
