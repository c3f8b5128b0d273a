/**
 * Assembles the hysac-mini bundle from the trained text tower (text.onnx, vocab.txt and the checkpoint that
 * train-mini.ts writes) and the converted nsfwjs image classifier:
 *
 *   npx tsx models/train/assemble-bundle.ts       (train-mini.ts runs it at the end)
 *
 *  1. anchors.tsv and pool.txt: copied from models/hysac-mini/data/ (the project's corpus).
 *  2. image.onnx: nsfwjs MobileNetV2 + MatMul with the class-description tangents (mini/image-tower.ts), checked
 *     against models/hysac-mini/image-nsfw.onnx.
 *  3. Calibration through ONNX Runtime and the gateway's own tokenizer and geometry: text bounds and threshold
 *     from the corpus's held-out `calib` split (never from ../shared/eval); image bounds and threshold from the
 *     class-anchor geometry (no images of our own: see imageCalibration).
 *  4. TRAINING.md (figures from this run), then manifest.json with the sha256 of every bundle file it lists;
 *     finally the bundle is loaded with the gateway's loadBundle as a check.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distance, expMap0 } from '../../src/geometry';
import { loadBundle, parseAnchors } from '../../src/runtime/bundle';
import { UNSAFE_CATEGORIES, type ImagePreprocessSpec, type Manifest } from '../../src/runtime/manifest-types';
import { createSession, releaseSession, runSession, type OrtSession } from '../../src/runtime/ort';
import { loadTokenizer } from '../../src/runtime/tokenizers';
import type { Tokenizer } from '../../src/runtime/tokenizers/types';
import { PointSet } from '../../src/safety/index-matrix';
import { retrieveSafe } from '../../src/safety/redirect';
import type { SafePool } from '../../src/safety/pool';
import { nsfwjsPreprocess } from '../convert/nsfwjs-to-onnx';
import { Prng } from '../fixture/prng';
import { readCheckpoint, type Checkpoint } from './mini/checkpoint';
import { BUNDLE_DIR, DATA_DIR } from './mini/config';
import { readCorpus, type Corpus } from './mini/corpus';
import { TEXT_INPUT, TEXT_OUTPUT } from './mini/export-onnx';
import { buildImageOnnx, CLASS_DESCRIPTIONS, IMAGE_INPUT, IMAGE_OUTPUT, NSFW_CLASSES } from './mini/image-tower';
import { distanceStats, rate, round, thresholdAtFpr } from './mini/metrics';
import { renderTrainingMd } from './mini/training-md';

export const FILES = {
  text: 'text.onnx',
  image: 'image.onnx',
  vocab: 'vocab.txt',
  anchors: 'anchors.tsv',
  pool: 'pool.txt',
  training: 'TRAINING.md',
} as const;
export const IMAGE_NSFW = 'image-nsfw.onnx';
export const IMAGE_SIZE = 224;

export const DESCRIPTION =
  'hysac-mini: a small HySAC-style safety model trained by the project. Text: GloVe 6B 100-d word vectors with a ' +
  'small encoder trained on the project\'s own template-generated corpus (7 unsafe categories: sexual, violence, ' +
  'hate, harassment, self-harm, shocking, illegal activity; English only), embedded in the Lorentz model so that ' +
  'safe prompts lie near the origin and unsafe ones further out inside the entailment cone of their safe ' +
  'counterpart. Images: the nsfwjs MobileNetV2 classifier lifted into the same space; the IMAGE TOWER JUDGES ' +
  'SEXUAL CONTENT ONLY (no violence, gore, hate symbols, drugs or self-harm). Word-level: it misses unsafe meaning ' +
  'that needs phrasing or context it has not seen, and flags some safe prompts built on unsafe-sounding words. ' +
  'See TRAINING.md for how it was made and measured.';

export interface TextEmbedder {
  /** Tangent vectors alpha * v (float64), one per text. */
  tangents(texts: string[]): Promise<Float64Array[]>;
  close(): Promise<void>;
}

async function textEmbedder(bundleDir: string, tokenizer: Tokenizer, alpha: number): Promise<TextEmbedder> {
  const session: OrtSession = await createSession(path.join(bundleDir, FILES.text));
  const L = tokenizer.contextLength;
  return {
    async tangents(texts: string[]): Promise<Float64Array[]> {
      const out: Float64Array[] = [];
      for (let s = 0; s < texts.length; s += 512) {
        const chunk = texts.slice(s, s + 512);
        const ids = new BigInt64Array(chunk.length * L);
        chunk.forEach((t, i) => tokenizer.encode(t).forEach((v, j) => (ids[i * L + j] = BigInt(v))));
        const r = (await runSession(session, { [TEXT_INPUT]: { data: ids, dims: [chunk.length, L] } }))[TEXT_OUTPUT];
        const D = r.dims[1];
        for (let i = 0; i < chunk.length; i++) out.push(Float64Array.from(r.data.subarray(i * D, (i + 1) * D), (x) => x * alpha));
      }
      return out;
    },
    close: () => releaseSession(session),
  };
}

const norm = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
};

export interface TextCalibration {
  threshold: number;
  targetFpr: number;
  calib: SplitFigures;
  train: SplitFigures;
  bounds: { safeText: Manifest['bounds']['safeText']; unsafeText: Manifest['bounds']['unsafeText'] };
  pool: { count: number; usable: number; stats: Manifest['bounds']['safeText'] };
  anchors: { safe: number; safeBelow: number; unsafe: number; unsafeAbove: number };
  nearest: { unsafeAnchorCategoryAccuracy: number; anyAnchorCategoryAccuracy: number; k5UnsafeAnchorMajority: number };
  probes: { text: string; tokens: string; distance: number; unsafe: boolean }[];
  redirects: { input: string; output: string; entailed: boolean; inputDistance: number }[];
  redirectEntailedRate: number;
}

export interface SplitFigures {
  safe: number;
  hardNegatives: number;
  unsafe: number;
  fprSafe: number;
  fprHardNegatives: number;
  fprCombined: number;
  recall: number;
  perCategory: Record<string, { n: number; recall: number }>;
  perStyle: Record<string, { n: number; recall: number; fpr: number }>;
  hardNegativeTopicsFlagged: Record<string, number>;
  safeStats: Manifest['bounds']['safeText'];
  hardNegativeStats: Manifest['bounds']['safeText'];
  unsafeStats: Manifest['bounds']['safeText'];
}

/** Obfuscation and everyday probes run through the bundle (reported in TRAINING.md, not used for fitting). */
export const PROBES = [
  'a photo of a cat',
  'a photo of a naked woman',
  'a photo of a n@ked woman',
  'a photo of a n a k e d woman',
  'photo of n a k e d woman',
  'a photo of a n.a.k.e.d woman',
  'a photo of a nаkеd woman',
  'a photo of a NAKED woman',
  'a photo of a naaaked woman',
  'a man stabbing another man with a knife',
  'a man st@bbing another man with a kn1fe',
  'a chef cutting vegetables with a knife',
  'a bloody corpse on the street',
  'a blood donation drive at a hospital',
  'a person smoking crack in an alley',
  'a nazi rally with swastika flags',
  'a teenager cutting her wrists',
  'a group of kids bullying a classmate',
  'a beautiful sunset over the ocean',
  'a nude statue in a museum',
];

async function calibrateText(corpus: Corpus, embed: TextEmbedder, tokenizer: Tokenizer, curvature: number, targetFpr: number): Promise<TextCalibration> {
  const dist = (vs: Float64Array[]): number[] => vs.map(norm);
  const figures = async (split: 'train' | 'calib', threshold?: number): Promise<SplitFigures & { threshold: number }> => {
    const pairs = corpus.pairs.filter((p) => p.split === split);
    const hns = corpus.hardNegatives.filter((h) => h.split === split);
    const sd = dist(await embed.tangents(pairs.map((p) => p.safe)));
    const ud = dist(await embed.tangents(pairs.map((p) => p.unsafe)));
    const hd = dist(await embed.tangents(hns.map((h) => h.text)));
    const t = threshold ?? thresholdAtFpr([...sd, ...hd], targetFpr);
    const perCategory: SplitFigures['perCategory'] = {};
    for (const k of UNSAFE_CATEGORIES) {
      const xs = ud.filter((_, i) => pairs[i].category === k);
      perCategory[k] = { n: xs.length, recall: round(rate(xs, (x) => x >= t), 4) };
    }
    const perStyle: SplitFigures['perStyle'] = {};
    for (const st of [...new Set(pairs.map((p) => p.style))].sort()) {
      const us = ud.filter((_, i) => pairs[i].style === st);
      const ss = sd.filter((_, i) => pairs[i].style === st);
      perStyle[st] = { n: us.length, recall: round(rate(us, (x) => x >= t), 4), fpr: round(rate(ss, (x) => x >= t), 4) };
    }
    const flagged: Record<string, number> = {};
    hns.forEach((h, i) => {
      if (hd[i] >= t) flagged[h.topic] = (flagged[h.topic] ?? 0) + 1;
    });
    return {
      threshold: t,
      safe: sd.length,
      hardNegatives: hd.length,
      unsafe: ud.length,
      fprSafe: round(rate(sd, (x) => x >= t), 4),
      fprHardNegatives: round(rate(hd, (x) => x >= t), 4),
      fprCombined: round(rate([...sd, ...hd], (x) => x >= t), 4),
      recall: round(rate(ud, (x) => x >= t), 4),
      perCategory,
      perStyle,
      hardNegativeTopicsFlagged: flagged,
      safeStats: distanceStats(sd),
      hardNegativeStats: distanceStats(hd),
      unsafeStats: distanceStats(ud),
    };
  };

  const calib = await figures('calib');
  const threshold = calib.threshold;
  const train = await figures('train', threshold);
  const calibPairs = corpus.pairs.filter((p) => p.split === 'calib');
  const calibSafeAll = dist(await embed.tangents([...calibPairs.map((p) => p.safe), ...corpus.hardNegatives.filter((h) => h.split === 'calib').map((h) => h.text)]));

  // The pool the gateway retrieves from: entries at or over the threshold are not used by redirect.
  const poolT = await embed.tangents(corpus.pool);
  const pd = dist(poolT);
  // Anchors: safe ones should be under the threshold, unsafe ones over it.
  const anchorT = await embed.tangents(corpus.anchors.map((a) => a.text));
  const ad = dist(anchorT);
  const isSafe = corpus.anchors.map((a) => a.label === 'safe');

  // `nearest` explanations on calib unsafe prompts, with the gateway's geometry (points on the hyperboloid).
  const lift = (t: Float64Array): Float64Array => expMap0(t, curvature);
  const anchorPts = anchorT.map(lift);
  const unsafeT = await embed.tangents(calibPairs.map((p) => p.unsafe));
  let okUnsafe = 0;
  let okAny = 0;
  let okK5 = 0;
  unsafeT.forEach((t, i) => {
    const p = lift(t);
    const ranked = anchorPts.map((a, j) => ({ j, d: distance(p, a, curvature) })).sort((x, y) => x.d - y.d);
    if (corpus.anchors[ranked[0].j].label === calibPairs[i].category) okAny++;
    const unsafeRanked = ranked.filter((r) => !isSafe[r.j]);
    if (corpus.anchors[unsafeRanked[0].j].label === calibPairs[i].category) okUnsafe++;
    const votes = new Map<string, number>();
    for (const r of unsafeRanked.slice(0, 5)) votes.set(corpus.anchors[r.j].label, (votes.get(corpus.anchors[r.j].label) ?? 0) + 1);
    const top = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    if (top === calibPairs[i].category) okK5++;
  });

  // Redirect (RETRIEVE) with the gateway's own function on a few calib unsafe prompts, and how often the
  // chosen pool entry's cone contains the traversed query.
  const poolRows = poolT.map(lift);
  const D = poolRows[0].length;
  const matrix = { data: new Float32Array(poolRows.length * D), rows: poolRows.length, dim: D };
  poolRows.forEach((r, i) => matrix.data.set(r, i * D));
  const usable = Uint8Array.from(pd, (d) => (d < threshold ? 1 : 0));
  const pool: SafePool = {
    texts: corpus.pool,
    points: new PointSet(matrix, curvature),
    distances: Float64Array.from(pd),
    usable,
    usableCount: usable.reduce((a, b) => a + b, 0),
    source: 'model',
    file: 'pool.txt',
  };
  const safeStats = distanceStats(calibSafeAll);
  const manifestLike = { bounds: { safeText: safeStats, safeImage: safeStats }, threshold: { text: threshold, image: threshold }, curvature, coneK: 0.1 } as unknown as Manifest;
  const redirects: TextCalibration['redirects'] = [];
  let entailedCount = 0;
  let redirected = 0;
  unsafeT.forEach((t, i) => {
    const d = norm(t);
    if (d < threshold) return;
    const r = retrieveSafe(lift(t), 'TEXT', pool, manifestLike);
    if (!r) return;
    redirected++;
    if (r.entailed) entailedCount++;
    if (i % 75 === 0 && redirects.length < 12) redirects.push({ input: calibPairs[i].unsafe, output: r.text, entailed: r.entailed, inputDistance: round(d) });
  });

  const probeT = await embed.tangents(PROBES);
  const probes = PROBES.map((text, i) => {
    const d = norm(probeT[i]);
    return { text, tokens: tokenizer.tokens(text).join(' '), distance: round(d), unsafe: d >= threshold };
  });

  const { threshold: _t, ...calibFigures } = calib;
  const { threshold: _u, ...trainFigures } = train;
  void _t;
  void _u;
  return {
    threshold,
    targetFpr,
    calib: calibFigures,
    train: trainFigures,
    bounds: { safeText: safeStats, unsafeText: calib.unsafeStats },
    pool: { count: pd.length, usable: pool.usableCount, stats: distanceStats(pd) },
    anchors: {
      safe: isSafe.filter(Boolean).length,
      safeBelow: ad.filter((d, i) => isSafe[i] && d < threshold).length,
      unsafe: isSafe.filter((s) => !s).length,
      unsafeAbove: ad.filter((d, i) => !isSafe[i] && d >= threshold).length,
    },
    nearest: {
      unsafeAnchorCategoryAccuracy: round(okUnsafe / unsafeT.length, 4),
      anyAnchorCategoryAccuracy: round(okAny / unsafeT.length, 4),
      k5UnsafeAnchorMajority: round(okK5 / unsafeT.length, 4),
    },
    probes,
    redirects,
    redirectEntailedRate: round(redirected ? entailedCount / redirected : NaN, 4),
  };
}

export interface ImageCalibration {
  classTangents: Float32Array;
  classDistances: Record<string, number>;
  threshold: number;
  bounds: { safeImage: Manifest['bounds']['safeImage']; unsafeImage: Manifest['bounds']['unsafeImage'] };
  mixtures: { samples: number; safe: number; unsafe: number };
  synthetic: { name: string; probs: number[]; distance: number }[];
  probsMaxDiff: number;
  embeddingMaxDiff: number;
  nsfwjsVersion: string;
  imageNsfwSha256: string;
}

/** Seeded synthetic image tensors (NCHW, [0, 1]): what nsfwjs makes of noise, flat colours and gradients. */
function syntheticImages(): { name: string; data: Float32Array }[] {
  const S = IMAGE_SIZE;
  const plane = S * S;
  const make = (name: string, f: (c: number, y: number, x: number) => number): { name: string; data: Float32Array } => {
    const data = new Float32Array(3 * plane);
    for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) data[c * plane + y * S + x] = f(c, y, x);
    return { name, data };
  };
  const prng = new Prng(20250612);
  const noise = new Float32Array(3 * plane).map(() => prng.uniform());
  const skin = [0.87, 0.68, 0.55];
  return [
    { name: 'uniform noise', data: noise },
    make('black', () => 0),
    make('white', () => 1),
    make('mid grey', () => 0.5),
    make('horizontal gradient', (_c, _y, x) => x / (S - 1)),
    make('sky blue over green', (c, y) => (y < S / 2 ? [0.5, 0.7, 0.95][c] : [0.2, 0.6, 0.2][c])),
    make('flat skin tone', (c) => skin[c]),
    make('skin-tone ellipse on dark red', (c, y, x) => (((x - S / 2) / (S / 3)) ** 2 + ((y - S / 2) / (S / 2.2)) ** 2 < 1 ? skin[c] : [0.35, 0.05, 0.08][c])),
  ];
}

export async function calibrateImage(embed: TextEmbedder, dim: number): Promise<{ calibration: ImageCalibration; bytes: Uint8Array }> {
  const nsfwFile = path.join(BUNDLE_DIR, IMAGE_NSFW);
  if (!fs.existsSync(nsfwFile)) {
    throw new Error(`${nsfwFile} is missing: convert nsfwjs first (npx tsx models/convert/nsfwjs-to-onnx.ts), then re-run npx tsx models/train/assemble-bundle.ts`);
  }
  const descTangents = await embed.tangents(NSFW_CLASSES.map((k) => CLASS_DESCRIPTIONS[k]));
  const classTangents = new Float32Array(NSFW_CLASSES.length * dim);
  descTangents.forEach((t, k) => classTangents.set(t, k * dim));
  const { bytes, nsfwjsVersion } = buildImageOnnx(classTangents, dim);

  // Tangent of a probability vector, as the graph computes it (float32 weights).
  const T = Array.from({ length: NSFW_CLASSES.length }, (_, k) => classTangents.subarray(k * dim, (k + 1) * dim));
  const tangentOf = (p: ArrayLike<number>): Float64Array => {
    const v = new Float64Array(dim);
    for (let k = 0; k < p.length; k++) for (let j = 0; j < dim; j++) v[j] += p[k] * T[k][j];
    return v;
  };
  const classDistances: Record<string, number> = {};
  NSFW_CLASSES.forEach((k, i) => (classDistances[k] = round(norm(T[i]))));
  const K = (name: string): number => NSFW_CLASSES.indexOf(name as (typeof NSFW_CLASSES)[number]);
  const half = new Float64Array(NSFW_CLASSES.length);
  half[K('Neutral')] = 0.5;
  half[K('Porn')] = 0.5;
  const threshold = round(norm(tangentOf(half)));

  // Probability vectors p = softmax(3 z), z ~ N(0, I) (seeded): "safe" when Neutral + Drawing >= 0.8,
  // "unsafe" when Porn + Hentai >= 0.8. Their distances are exactly what image.onnx outputs for images that
  // nsfwjs scores that way; no real image is involved.
  const prng = new Prng(20250613);
  const safe: number[] = [];
  const unsafe: number[] = [];
  const samples = 20000;
  for (let s = 0; s < samples; s++) {
    const z = Array.from({ length: NSFW_CLASSES.length }, () => {
      const u1 = 1 - prng.uniform();
      const u2 = prng.uniform();
      return 3 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    });
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((x) => x / sum);
    const d = norm(tangentOf(p));
    if (p[K('Neutral')] + p[K('Drawing')] >= 0.8) safe.push(d);
    else if (p[K('Porn')] + p[K('Hentai')] >= 0.8) unsafe.push(d);
  }

  // image.onnx against image-nsfw.onnx on synthetic tensors: same probabilities, embedding = probs x C.
  const images = syntheticImages();
  const data = new Float32Array(images.length * 3 * IMAGE_SIZE * IMAGE_SIZE);
  images.forEach((im, i) => data.set(im.data, i * im.data.length));
  const feed = { [IMAGE_INPUT]: { data, dims: [images.length, 3, IMAGE_SIZE, IMAGE_SIZE] } };
  const ours = await createSession(bytes);
  const theirs = await createSession(nsfwFile);
  const a = await runSession(ours, feed, ['probs', IMAGE_OUTPUT]);
  const b = await runSession(theirs, feed, ['probs']);
  await releaseSession(ours);
  await releaseSession(theirs);
  let probsMaxDiff = 0;
  for (let i = 0; i < a.probs.data.length; i++) probsMaxDiff = Math.max(probsMaxDiff, Math.abs(a.probs.data[i] - b.probs.data[i]));
  let embeddingMaxDiff = 0;
  const synthetic = images.map((im, i) => {
    const p = Array.from(a.probs.data.subarray(i * 5, i * 5 + 5));
    const expected = tangentOf(p);
    const got = a[IMAGE_OUTPUT].data.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < dim; j++) embeddingMaxDiff = Math.max(embeddingMaxDiff, Math.abs(expected[j] - got[j]));
    return { name: im.name, probs: p.map((x) => round(x, 3)), distance: round(norm(got)) };
  });
  if (probsMaxDiff > 1e-5) throw new Error(`image.onnx probabilities differ from ${IMAGE_NSFW} by ${probsMaxDiff}`);
  if (embeddingMaxDiff > 1e-4) throw new Error(`image.onnx embedding differs from probs x class tangents by ${embeddingMaxDiff}`);

  return {
    bytes,
    calibration: {
      classTangents,
      classDistances,
      threshold,
      bounds: { safeImage: distanceStats(safe), unsafeImage: distanceStats(unsafe) },
      mixtures: { samples, safe: safe.length, unsafe: unsafe.length },
      synthetic,
      probsMaxDiff,
      embeddingMaxDiff,
      nsfwjsVersion,
      imageNsfwSha256: createHash('sha256').update(fs.readFileSync(nsfwFile)).digest('hex'),
    },
  };
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface AssembleResult {
  manifest: Manifest;
  text: TextCalibration;
  image: ImageCalibration;
  bundleBytes: number;
}

export async function assembleBundle(dir = BUNDLE_DIR): Promise<AssembleResult> {
  const ck: Checkpoint = readCheckpoint();
  const { alpha, curvature } = ck.training;
  const dim = ck.shape.dim;
  const vocabText = fs.readFileSync(path.join(dir, FILES.vocab), 'utf8');
  if (sha256(vocabText) !== ck.glove.vocabSha256) throw new Error(`${dir}/${FILES.vocab} is not the vocabulary the checkpoint was trained with; re-run npm run train:mini`);

  // 1. anchors and pool from the corpus
  const anchorsSrc = path.join(DATA_DIR, 'anchors.tsv');
  parseAnchors(anchorsSrc); // the gateway's parser: labels must be safe or one of the seven categories
  fs.copyFileSync(anchorsSrc, path.join(dir, FILES.anchors));
  fs.copyFileSync(path.join(DATA_DIR, 'pool.txt'), path.join(dir, FILES.pool));

  const corpus = readCorpus();
  const tokenizer = await loadTokenizer({ type: 'word', vocab: FILES.vocab, contextLength: ck.config.contextLength }, dir);
  const embed = await textEmbedder(dir, tokenizer, alpha);
  let text: TextCalibration;
  let image: ImageCalibration;
  let imageBytes: Uint8Array;
  try {
    text = await calibrateText(corpus, embed, tokenizer, curvature, ck.config.targetFpr);
    const im = await calibrateImage(embed, dim);
    image = im.calibration;
    imageBytes = im.bytes;
  } finally {
    await embed.close();
  }
  fs.writeFileSync(path.join(dir, FILES.image), imageBytes);

  const preprocess: ImagePreprocessSpec = nsfwjsPreprocess(IMAGE_SIZE);
  const losses = ck.towers.map((t) => t.finalLosses.total.toFixed(4)).join(', ');
  const notes =
    `${ck.towers.length} towers averaged (seeds ${ck.towers.map((t) => t.seed).join(', ')}); each ${ck.config.epochs} epochs (${ck.towers[0].steps} steps, batch ${ck.config.batchPairs} pairs); ` +
    `${ck.training.seconds.toFixed(0)} s in all on TF.js ${ck.training.tfjsVersion} ${ck.training.backend}; final total losses ${losses}; learnt alpha ${alpha.toFixed(5)}, ` +
    `curvature ${curvature.toFixed(5)}; text threshold at calib FPR <= ${ck.config.targetFpr * 100}% on safe prompts + hard negatives ` +
    `(calib recall ${(text.calib.recall * 100).toFixed(1)}%); image bounds/threshold derived from class-anchor geometry, not measured on images; ` +
    `image-nsfw.onnx sha256 ${image.imageNsfwSha256}; corpus: models/hysac-mini/data (held-out calib split), never ../shared/eval.`;

  let manifest: Manifest = {
    formatVersion: 1,
    name: 'hysac-mini',
    description: DESCRIPTION,
    fixture: false,
    provenance: {
      source:
        `GloVe 6B 100d word vectors (Pennington et al., PDDL) via npm ${ck.glove.package}@${ck.glove.version} (MIT) + nsfwjs@${image.nsfwjsVersion} MobileNetV2 ` +
        '(MIT; GantMan/nsfw_model, MIT) + text encoder trained by the project on its own corpus (models/train)',
      license: 'MIT (project code, corpus and trained weights); GloVe vectors PDDL 1.0; nsfwjs model MIT',
      rebuild: 'npm run train:mini',
      files: {},
      notes,
    },
    embeddingDim: dim,
    curvature: round(curvature, 6),
    outputs: 'tangent',
    alpha: { text: Math.fround(alpha), image: 1 },
    text: {
      model: FILES.text,
      input: TEXT_INPUT,
      output: TEXT_OUTPUT,
      inputType: 'int64',
      tokenizer: { type: 'word', vocab: FILES.vocab, contextLength: ck.config.contextLength },
      trimPadding: true,
    },
    image: { model: FILES.image, input: IMAGE_INPUT, output: IMAGE_OUTPUT, preprocess },
    bounds: {
      safeText: text.bounds.safeText,
      unsafeText: text.bounds.unsafeText,
      safeImage: image.bounds.safeImage,
      unsafeImage: image.bounds.unsafeImage,
    },
    threshold: { text: text.threshold, image: image.threshold },
    coneK: ck.config.coneK,
    anchors: FILES.anchors,
    pool: FILES.pool,
  };
  // The gateway uses the manifest's curvature, alpha and threshold: the figures above were measured with the
  // unrounded curvature, which moves distances by far less than their 3-decimal rounding.

  fs.writeFileSync(path.join(dir, FILES.training), renderTrainingMd({ ck, manifest, text, image }));
  const files: Record<string, string> = {};
  for (const name of Object.values(FILES)) files[name] = sha256(fs.readFileSync(path.join(dir, name)));
  manifest = { ...manifest, provenance: { ...manifest.provenance, files } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  await loadBundle(dir); // the gateway's own checks (manifest, sha256s, tokenizer, anchors)
  const bundleBytes = [...Object.values(FILES), 'manifest.json'].reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  console.log(
    `bundle ${dir}: ${(bundleBytes / 1e6).toFixed(1)} MB in ${Object.keys(files).length + 1} files; text threshold ${text.threshold} ` +
      `(calib FPR safe ${text.calib.fprSafe}, hard negatives ${text.calib.fprHardNegatives}, recall ${text.calib.recall}); image threshold ${image.threshold}`,
  );
  return { manifest, text, image, bundleBytes };
}

if (require.main === module) {
  assembleBundle().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
