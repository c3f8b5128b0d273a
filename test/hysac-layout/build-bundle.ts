/**
 * Builds a small TEST bundle in the layout models/export/hysac_to_bundle.py writes for the published HySAC
 * weights, with the project's ONNX writer instead of PyTorch:
 *
 *   text.onnx   input_ids int64 [N, 77] (OpenAI CLIP BPE ids, 0-padded) -> text_embeds [N, D]
 *   image.onnx  pixel_values float32 [N, 3, 224, 224] (CLIP preprocessing) -> image_embeds [N, D]
 *   tokenizer   clip-bpe, the real bpe_simple_vocab_16e6.txt.gz, context 77
 *   outputs     'tangent' with alpha text 0.7, image 1.3 and curvature c = 0.5 (none of them 1, so a gateway that
 *               forgot one of them, or used a constant, gives different numbers)
 *
 * Only the sizes differ from ViT-L/14 (D = 12 instead of 768, no transformer layers). Nothing here is a safety
 * model: the weights are seeded random numbers, with a large dim-0 component for the BPE tokens of the fixture's
 * "unsafe" words and for strongly red images, so that classify and redirect have both verdicts to give.
 *
 * Text tower, CLIP-shaped (the output is read at the EOT position, found as argmax of the ids, and depends only on
 * the tokens up to it, so the padding id does not matter, as in CLIP's causal transformer):
 *   e = E[ids]                                  [N, 77, D]   E: [49408, D]
 *   m = (position <= argmax(ids)) as float      [N, 77, 1]   SOT .. EOT
 *   pooled = sum(m e) / sum(m) + max over the m-positions of e
 *   text_embeds = pooled W + b                  [N, D]       tangent vectors at the origin
 * Image tower: channel means (GlobalAveragePool) -> [N, 3]; dim 0 = relu(redness - 0.5) * 1.5 + 0.2 with
 * redness = R - (G + B) / 2 on normalised channels; the other dims small seeded values.
 *
 * Calibration runs the graphs through ONNX Runtime on ids from the runtime's own tokenizer and tensors from the
 * runtime's own image preprocessing, so bounds and thresholds are what the gateway will measure.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { separatingThreshold, distanceStats } from '../../models/fixture/calibrate';
import { Prng } from '../../models/fixture/prng';
import { ANCHORS, buildPool, SAFE_TEXT_EXAMPLES, UNSAFE_TEXT_EXAMPLES } from '../../models/fixture/prompts';
import { UNSAFE_WORDS } from '../../models/fixture/vocab';
import { GraphBuilder } from '../../src/onnx/graph';
import { DEFAULT_IMAGE_LIMITS, preprocessImage } from '../../src/runtime/image';
import { UNSAFE_CATEGORIES, type Manifest } from '../../src/runtime/manifest-types';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { loadTokenizer, type Tokenizer } from '../../src/runtime/tokenizers';
import { CLIP_SPEC } from '../runtime/image/helpers';

export const REPO = path.resolve(__dirname, '..', '..');
/** OpenAI's CLIP merges, in the evaluation data beside the repository (absent in some checkouts). */
export const SHARED_MERGES = path.resolve(REPO, '../shared/eval/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz');
export const SHARED_VECTORS = path.resolve(REPO, '../shared/eval/clip_tokenizer/clip_token_vectors.json');

export const VOCAB_SIZE = 49408;
export const CONTEXT_LENGTH = 77;
/** The image tower's input size: CLIP's 224 (the bundle's preprocess is CLIP_SPEC). */
export const IMAGE_SIZE = CLIP_SPEC.size;
export const DIM = 12;
export const ALPHA = { text: 0.7, image: 1.3 } as const;
export const CURVATURE = 0.5;
const SEED = 20250311;
const SAFE_NORM = 0.35;
const UNSAFE_DIM0 = 2.0;

export const FILES = { merges: 'bpe_simple_vocab_16e6.txt.gz', text: 'text.onnx', image: 'image.onnx', anchors: 'anchors.tsv', pool: 'pool.txt' } as const;

/** Calibration images: solid colours, [name, rgb, width, height] (not square, so the crop matters). */
export const SAFE_COLOURS: readonly [string, [number, number, number]][] = [
  ['grey', [128, 128, 128]],
  ['blue', [0, 0, 255]],
  ['sky blue', [135, 206, 235]],
  ['green', [0, 160, 0]],
  ['white', [255, 255, 255]],
  ['black', [0, 0, 0]],
  ['beige', [220, 200, 170]],
];
export const UNSAFE_COLOURS: readonly [string, [number, number, number]][] = [
  ['red', [255, 0, 0]],
  ['dark red', [200, 0, 0]],
  ['crimson', [220, 20, 60]],
];

export async function solidPng(rgb: readonly [number, number, number], width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

export interface LayoutBuild {
  dir: string;
  manifest: Manifest;
  /** The token id given a large dim-0 component, per unsafe word that is a single BPE token. */
  flagged: Map<string, number>;
  distances: { safeText: number[]; unsafeText: number[]; safeImage: number[]; unsafeImage: number[] };
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bpeIds(tok: Tokenizer, text: string): number[] {
  return Array.from(tok.encode(text)).filter((id) => id !== 0 && id < VOCAB_SIZE - 2);
}

/** The text graph described at the top of this file. */
function textGraph(table: Float32Array, w: Float32Array, bias: Float32Array): Uint8Array {
  const g = new GraphBuilder('hysac_layout_text');
  g.input('input_ids', 'int64', ['N', CONTEXT_LENGTH]);
  const e = g.op('Gather', [g.initializer('token_embedding', table, [VOCAB_SIZE, DIM]), 'input_ids'], { axis: 0 }); // [N, L, D]
  // ArgMax has no int64 kernel in ONNX Runtime; CLIP's exported graphs cast to int32 first too.
  const eot = g.op('ArgMax', [g.op('Cast', ['input_ids'], { to: 6 })], { axis: 1, keepdims: 1 }); // [N, 1] int64
  const positions = g.constInt64(Array.from({ length: CONTEXT_LENGTH }, (_, i) => i), [1, CONTEXT_LENGTH], 'positions');
  const upToEot = g.op('LessOrEqual', [positions, eot]); // [N, L]
  const mask = g.op('Unsqueeze', [g.op('Cast', [upToEot], { to: 1 }), g.constInt64([2], [1], 'axis2')]); // [N, L, 1]
  const axis1 = g.constInt64([1], [1], 'axis1');
  const count = g.op('ReduceSum', [mask, axis1], { keepdims: 0 }); // [N, 1], >= 1 (position 0 is always in)
  const mean = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [e, mask]), axis1], { keepdims: 0 }), count]);
  const one = g.constFloat([1], [], 'one');
  const penalty = g.op('Mul', [g.op('Sub', [mask, one]), g.constFloat([1e4], [], 'big')]); // 0 inside, -1e4 after EOT
  const max = g.op('ReduceMax', [g.op('Add', [e, penalty])], { axes: [1], keepdims: 0 });
  const pooled = g.op('Add', [mean, max]);
  const lin = g.op('MatMul', [pooled, g.initializer('text_projection', w, [DIM, DIM])]);
  g.node('Add', [lin, g.initializer('text_projection_bias', bias, [DIM])], ['text_embeds']);
  g.output('text_embeds', 'float32', ['N', DIM]);
  return g.toModelBytes({ docString: 'hysac-layout TEST bundle text tower: seeded weights, no safety value' });
}

/** The image graph described at the top of this file. */
function imageGraph(w: Float32Array, bias: Float32Array): Uint8Array {
  const g = new GraphBuilder('hysac_layout_image');
  g.input('pixel_values', 'float32', ['N', 3, IMAGE_SIZE, IMAGE_SIZE]);
  const means = g.op('Flatten', [g.op('GlobalAveragePool', ['pixel_values'])], { axis: 1 }); // [N, 3]
  // redness = R - (G + B) / 2, then relu(redness - 0.5) * 1.5 + 0.2 in dim 0
  const redness = g.op('MatMul', [means, g.initializer('redness', Float32Array.from([1, -0.5, -0.5]), [3, 1])]); // [N, 1]
  const dim0 = g.op('Add', [g.op('Mul', [g.op('Relu', [g.op('Sub', [redness, g.constFloat([0.5], [], 'half')])]), g.constFloat([1.5], [], 'gain')]), g.constFloat([0.2], [], 'floor')]);
  const rest = g.op('Add', [g.op('MatMul', [means, g.initializer('visual_projection', w, [3, DIM - 1])]), g.initializer('visual_projection_bias', bias, [DIM - 1])]);
  g.node('Concat', [dim0, rest], ['image_embeds'], { axis: 1 });
  g.output('image_embeds', 'float32', ['N', DIM]);
  return g.toModelBytes({ docString: 'hysac-layout TEST bundle image tower: seeded weights, no safety value' });
}

/** ||alpha v|| for each row: the geodesic distance from the origin of exp_O(alpha v) (below the sinh clamp). */
function liftedDistances(data: Float32Array, rows: number, alpha: number): number[] {
  return Array.from({ length: rows }, (_, i) => {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += data[i * DIM + j] ** 2;
    return alpha * Math.sqrt(s);
  });
}

/** Raw tangent outputs of a tower for a batch (through src/runtime/ort.ts). */
export async function runTower(model: string | Uint8Array, input: 'input_ids' | 'pixel_values', rows: (Int32Array | Float32Array)[]): Promise<Float32Array> {
  const session = await createSession(model);
  try {
    if (input === 'input_ids') {
      const data = new BigInt64Array(rows.length * CONTEXT_LENGTH);
      rows.forEach((r, i) => r.forEach((v, j) => (data[i * CONTEXT_LENGTH + j] = BigInt(v))));
      return (await runSession(session, { input_ids: { data, dims: [rows.length, CONTEXT_LENGTH] } })).text_embeds.data;
    }
    const per = 3 * IMAGE_SIZE * IMAGE_SIZE;
    const data = new Float32Array(rows.length * per);
    rows.forEach((r, i) => data.set(r, i * per));
    return (await runSession(session, { pixel_values: { data, dims: [rows.length, 3, IMAGE_SIZE, IMAGE_SIZE] } })).image_embeds.data;
  } finally {
    await releaseSession(session);
  }
}

/** Builds the bundle into `dir` (created). Needs SHARED_MERGES. */
export async function buildHysacLayoutBundle(dir: string, mergesFile = SHARED_MERGES): Promise<LayoutBuild> {
  fs.mkdirSync(dir, { recursive: true });
  const mergesBytes = fs.readFileSync(mergesFile);
  fs.writeFileSync(path.join(dir, FILES.merges), mergesBytes);
  // Exactly the tokenizer the gateway builds from the manifest (typed special tokens read as text).
  const tok = await loadTokenizer({ type: 'clip-bpe', merges: FILES.merges, contextLength: CONTEXT_LENGTH }, dir);

  const prng = new Prng(SEED);
  const pool = buildPool(new Prng(SEED + 1));
  const safeTexts = [...SAFE_TEXT_EXAMPLES, ...ANCHORS.filter(([l]) => l === 'safe').map(([, t]) => t), ...pool];
  const unsafeTexts = [...UNSAFE_TEXT_EXAMPLES, ...ANCHORS.filter(([l]) => l !== 'safe').map(([, t]) => t)];

  // Flag the unsafe words that are one BPE token of their own (never in a safe text); word pieces such as
  // 'n</w>' are left alone, so safe prompts that happen to share a piece stay safe.
  const safeIds = new Set(safeTexts.flatMap((t) => bpeIds(tok, t)));
  const flagged = new Map<string, number>();
  const categoryOf = new Map<number, number>();
  UNSAFE_CATEGORIES.forEach((c, k) => {
    for (const word of UNSAFE_WORDS[c]) {
      const ids = bpeIds(tok, word);
      if (ids.length !== 1 || safeIds.has(ids[0])) continue;
      flagged.set(word, ids[0]);
      categoryOf.set(ids[0], k);
    }
  });

  // Unsafe calibration texts: those holding a flagged word (the others are anchors this toy model cannot tell).
  const unsafeCalibration = unsafeTexts.filter((t) => bpeIds(tok, t).some((id) => categoryOf.has(id)));

  const table = new Float32Array(VOCAB_SIZE * DIM);
  for (let id = 0; id < VOCAB_SIZE; id++) {
    const row = table.subarray(id * DIM, id * DIM + DIM);
    const k = categoryOf.get(id);
    if (k === undefined) {
      const v = prng.vector(DIM - 1, SAFE_NORM * prng.range(0.8, 1.2));
      for (let j = 1; j < DIM; j++) row[j] = v[j - 1];
    } else {
      for (let j = 1; j < DIM; j++) row[j] = prng.range(-0.05, 0.05);
      row[0] = UNSAFE_DIM0;
      row[1 + (k % (DIM - 1))] = 1;
    }
  }
  const w = new Float32Array(DIM * DIM);
  for (let i = 0; i < DIM; i++) for (let j = 0; j < DIM; j++) w[i * DIM + j] = (i === j ? 1 : 0) + prng.range(-0.03, 0.03);
  const b = Float32Array.from({ length: DIM }, () => prng.range(-0.02, 0.02));
  const textBytes = textGraph(table, w, b);

  const iw = Float32Array.from({ length: 3 * (DIM - 1) }, () => prng.range(-0.03, 0.03));
  const ib = Float32Array.from({ length: DIM - 1 }, () => prng.range(-0.03, 0.03));
  const imageBytes = imageGraph(iw, ib);

  const textDist = async (texts: string[]): Promise<number[]> => liftedDistances(await runTower(textBytes, 'input_ids', texts.map((t) => tok.encode(t))), texts.length, ALPHA.text);
  const imageDist = async (colours: typeof SAFE_COLOURS): Promise<number[]> => {
    const tensors = await Promise.all(colours.map(async ([, rgb]) => preprocessImage(await solidPng(rgb), CLIP_SPEC, DEFAULT_IMAGE_LIMITS)));
    return liftedDistances(await runTower(imageBytes, 'pixel_values', tensors), tensors.length, ALPHA.image);
  };
  const distances = {
    safeText: await textDist(safeTexts),
    unsafeText: await textDist(unsafeCalibration),
    safeImage: await imageDist(SAFE_COLOURS),
    unsafeImage: await imageDist(UNSAFE_COLOURS),
  };
  const threshold = {
    text: separatingThreshold(distances.safeText, distances.unsafeText, 'hysac-layout text'),
    image: separatingThreshold(distances.safeImage, distances.unsafeImage, 'hysac-layout image'),
  };

  const contents: Record<string, Uint8Array | string> = {
    [FILES.merges]: mergesBytes,
    [FILES.text]: textBytes,
    [FILES.image]: imageBytes,
    [FILES.anchors]: ['# label<TAB>text', ...ANCHORS.map(([l, t]) => `${l}\t${t}`)].join('\n') + '\n',
    [FILES.pool]: pool.join('\n') + '\n',
  };
  const files: Record<string, string> = {};
  for (const [name, data] of Object.entries(contents)) {
    fs.writeFileSync(path.join(dir, name), data);
    files[name] = sha256(data);
  }
  const manifest: Manifest = {
    formatVersion: 1,
    name: 'hysac-layout-test',
    description: 'TEST bundle in the HySAC ViT-L/14 layout (CLIP BPE, 77 tokens, CLIP preprocessing at 224, tangent outputs with alphas and curvature), seeded weights, no safety value.',
    fixture: true,
    provenance: {
      source: 'seeded test weights (test/hysac-layout/build-bundle.ts)',
      license: 'MIT',
      rebuild: 'built by test/hysac-layout/hysac-layout.test.ts',
      files,
      notes: `seed ${SEED}; D=${DIM}; ${flagged.size} unsafe words flagged`,
    },
    embeddingDim: DIM,
    curvature: CURVATURE,
    outputs: 'tangent',
    alpha: { ...ALPHA },
    text: {
      model: FILES.text,
      input: 'input_ids',
      output: 'text_embeds',
      inputType: 'int64',
      tokenizer: { type: 'clip-bpe', merges: FILES.merges, contextLength: CONTEXT_LENGTH },
    },
    image: { model: FILES.image, input: 'pixel_values', output: 'image_embeds', preprocess: { ...CLIP_SPEC } },
    bounds: {
      safeText: distanceStats(distances.safeText, 'safe text'),
      safeImage: distanceStats(distances.safeImage, 'safe images'),
      unsafeText: distanceStats(distances.unsafeText, 'unsafe text'),
      unsafeImage: distanceStats(distances.unsafeImage, 'unsafe images'),
    },
    threshold,
    coneK: 0.1,
    anchors: FILES.anchors,
    pool: FILES.pool,
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { dir, manifest, flagged, distances };
}
