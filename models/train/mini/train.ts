/**
 * The training loop: Adam with decoupled weight decay (AdamW-style), linear warm-up then cosine decay, MERU's
 * clamps after each step. Everything random comes from the seeded generator, and the TF.js CPU backend is
 * deterministic, so a run is reproducible bit for bit on the same Node/TF.js versions.
 */
import { UNSAFE_CATEGORIES } from '../../../src/runtime/manifest-types';
import { WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { Prng } from '../../fixture/prng';
import { CONFIG } from './config';
import type { Corpus } from './corpus';
import { lossTerms, type LossBatch } from './losses';
import { initialWeights, prepareBatch, TextTower, type TowerShape } from './model';
import { neutralWords, type NeutralWordsRecord } from './neutral-words';
import { conceptPositions, dropPairWords, neutralBag, substitutePairWords } from './augment';
import { tf } from './tf';
import type { Vocabulary } from './vocab';

export interface EpochLog {
  epoch: number;
  seconds: number;
  learningRate: number;
  total: number;
  contrastive: number;
  entailment: number;
  radial: number;
  category: number;
  alpha: number;
  curvature: number;
  logitScale: number;
}

export interface TrainResult {
  tower: TextTower;
  history: EpochLog[];
  seconds: number;
  steps: number;
  neutral: NeutralWordsRecord;
}

function shuffled(n: number, prng: Prng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Endless shuffled cycling over `n` items (a fresh shuffle each pass). */
class Cycler {
  private order: number[] = [];
  private at = 0;
  constructor(
    private readonly n: number,
    private readonly prng: Prng,
  ) {}
  take(k: number): number[] {
    const out: number[] = [];
    if (this.n === 0) return out;
    while (out.length < k) {
      if (this.at >= this.order.length) {
        this.order = shuffled(this.n, this.prng);
        this.at = 0;
      }
      out.push(this.order[this.at++]);
    }
    return out;
  }
}

export function learningRateAt(step: number, totalSteps: number): number {
  const { learningRate: lr, warmupSteps, lrFinalFraction } = CONFIG;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const p = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return lr * (lrFinalFraction + (1 - lrFinalFraction) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** Trains one tower from `seed` (initial weights; batch order, dropout and substitution use seed + 1, + 2, + 3). */
export async function trainTower(corpus: Corpus, vocab: Vocabulary, seed: number, log: (line: string) => void = console.log): Promise<TrainResult> {
  const tokenizer = new WordTokenizer(vocab.tokens, { contextLength: CONFIG.contextLength });
  const enc = (t: string): Int32Array => tokenizer.encode(t);
  const shape: TowerShape = {
    vocabSize: vocab.tokens.length,
    frozenRows: 2 + vocab.gloveRows,
    hidden1: CONFIG.hidden1,
    hidden2: CONFIG.hidden2,
    radiusHidden: CONFIG.radiusHidden,
    dim: CONFIG.embeddingDim,
  };
  const tower = new TextTower(shape, vocab.frozen, initialWeights(shape, seed));

  const pairs = corpus.pairs.filter((p) => p.split === 'train');
  const safeIds = pairs.map((p) => enc(p.safe));
  const unsafeIds = pairs.map((p) => enc(p.unsafe));
  const concepts = pairs.map((_, i) => conceptPositions(safeIds[i], unsafeIds[i]));
  const conceptWords = new Set<string>();
  concepts.forEach((c, i) => c.forEach((on, t) => on && conceptWords.add(vocab.tokens[unsafeIds[i][t]])));
  const neutral = neutralWords(corpus, vocab.tokens, vocab.frozen, shape.frozenRows, (t) => tokenizer.words(t), conceptWords, CONFIG);
  log(
    `neutral words: ${neutral.ids.length} (excluded: ${neutral.seeds} unsafe corpus words, ${neutral.excludedNeighbours} of their GloVe neighbours, ` +
      `${neutral.excludedCalibOnly} calib-only words)`,
  );
  const hardNeg = corpus.hardNegatives.filter((h) => h.split === 'train').map((h) => enc(h.text));
  const pool = corpus.pool.map(enc);
  const safeAnchors = corpus.anchors.filter((a) => a.label === 'safe').map((a) => enc(a.text));
  const unsafeAnchorRows = corpus.anchors.filter((a) => a.label !== 'safe');
  const unsafeAnchors = unsafeAnchorRows.map((a) => enc(a.text));
  const anchorsByCategory = UNSAFE_CATEGORIES.map((k) => unsafeAnchorRows.flatMap((a, i) => (a.label === k ? [i] : [])));
  log(`training on ${pairs.length} pairs, ${hardNeg.length} hard negatives, ${CONFIG.batchPool ? pool.length : 0} pool prompts, ${safeAnchors.length}+${unsafeAnchors.length} anchors`);

  const prng = new Prng(seed + 1);
  const dropPrng = new Prng(seed + 2);
  const neutralPrng = new Prng(seed + 3);
  const hnCycle = new Cycler(hardNeg.length, prng);
  const poolCycle = new Cycler(pool.length, prng);
  const safeAnchorCycle = new Cycler(safeAnchors.length, prng);
  const categoryCycles = anchorsByCategory.map((list) => new Cycler(list.length, prng));

  const stepsPerEpoch = Math.ceil(pairs.length / CONFIG.batchPairs);
  const totalSteps = stepsPerEpoch * CONFIG.epochs;
  const optimizer = tf.train.adam(CONFIG.learningRate, 0.9, 0.98, 1e-7);
  const decayed = new Set(tower.decayed());
  const history: EpochLog[] = [];
  const t0 = performance.now();
  let step = 0;

  for (let epoch = 0; epoch < CONFIG.epochs; epoch++) {
    const te = performance.now();
    const order = shuffled(pairs.length, prng);
    const sums = { total: 0, contrastive: 0, entailment: 0, radial: 0, category: 0 };
    let lr = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * CONFIG.batchPairs, (s + 1) * CONFIG.batchPairs);
      const B = idx.length;
      const negativeMask = new Float32Array(B * B).fill(1);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < B; j++) {
          if (i !== j && (pairs[idx[i]].safe === pairs[idx[j]].safe || pairs[idx[i]].unsafe === pairs[idx[j]].unsafe)) negativeMask[i * B + j] = 0;
        }
      }
      const dropped = idx.map((i) => {
        const [ds, du] = dropPairWords(safeIds[i], unsafeIds[i], concepts[i], CONFIG.wordDropout, dropPrng);
        // Dropout keeps the concept's words but moves them left; find them again in the shortened row.
        return substitutePairWords(ds, du, conceptPositions(ds, du), CONFIG.wordSubstitution, neutral.ids, neutralPrng);
      });
      const nb = Array.from({ length: CONFIG.batchNeutral }, () => neutralBag(neutral.ids, CONFIG.contextLength, neutralPrng));
      const hn = hnCycle.take(CONFIG.batchHardNegatives).map((i) => hardNeg[i]);
      const pl = poolCycle.take(CONFIG.batchPool).map((i) => pool[i]);
      const sa = safeAnchorCycle.take(CONFIG.batchSafeAnchors).map((i) => safeAnchors[i]);
      const uaIdx = categoryCycles.flatMap((cy, k) => cy.take(CONFIG.batchAnchorsPerCategory).map((j) => anchorsByCategory[k][j]));
      const ua = uaIdx.map((i) => unsafeAnchors[i]);
      // categoryMatch[i, j] = 1 when unsafe prompt i and unsafe anchor j have the same category.
      const categoryMatch = new Float32Array(B * ua.length);
      idx.forEach((pi, i) => uaIdx.forEach((ai, j) => (categoryMatch[i * ua.length + j] = unsafeAnchorRows[ai].label === pairs[pi].category ? 1 : 0)));
      const extraSafe = [...hn, ...pl, ...sa, ...nb];
      const extraSafeWeights = Float32Array.from([...hn.map(() => CONFIG.hardNegativeWeight), ...pl.map(() => 1), ...sa.map(() => 1), ...nb.map(() => 1)]);
      const batch: LossBatch = {
        safe: prepareBatch(dropped.map(([s]) => s), shape.frozenRows),
        unsafe: prepareBatch(dropped.map(([, u]) => u), shape.frozenRows),
        negativeMask,
        extraSafe: prepareBatch(extraSafe, shape.frozenRows),
        extraSafeWeights,
        extraUnsafe: prepareBatch(ua, shape.frozenRows),
        categoryMatch,
      };

      lr = learningRateAt(step, totalSteps);
      (optimizer as unknown as { learningRate: number }).learningRate = lr; // read by every applyGradients
      let parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const t = lossTerms(tower, batch);
        parts = [tf.keep(t.contrastive), tf.keep(t.entailment), tf.keep(t.radial), tf.keep(t.category)];
        return t.total;
      }, tower.trainable());
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
      tf.tidy(() => {
        for (const v of decayed) v.assign(tf.mul(v, 1 - lr * CONFIG.weightDecay));
      });
      tower.clamp();
      const [vt, vc, ve, vr, vk] = await Promise.all([value, ...parts].map(async (x) => (await x.data())[0]));
      if (!Number.isFinite(vt)) throw new Error(`loss is ${vt} at step ${step}`);
      sums.total += vt;
      sums.contrastive += vc;
      sums.entailment += ve;
      sums.radial += vr;
      sums.category += vk;
      tf.dispose([value, ...parts, ...Object.values(grads)]);
      step++;
    }
    const [alpha, curvature, logitScale] = await Promise.all([tower.alpha(), tower.curvature(), tf.exp(tower.logitScale)].map(async (x) => {
      const v = (await x.data())[0];
      x.dispose();
      return v;
    }));
    const entry: EpochLog = {
      epoch: epoch + 1,
      seconds: (performance.now() - te) / 1000,
      learningRate: lr,
      total: sums.total / stepsPerEpoch,
      contrastive: sums.contrastive / stepsPerEpoch,
      entailment: sums.entailment / stepsPerEpoch,
      radial: sums.radial / stepsPerEpoch,
      category: sums.category / stepsPerEpoch,
      alpha,
      curvature,
      logitScale,
    };
    history.push(entry);
    log(
      `epoch ${String(entry.epoch).padStart(2)}  loss ${entry.total.toFixed(4)}  (con ${entry.contrastive.toFixed(4)}, ent ${entry.entailment.toFixed(4)}, rad ${entry.radial.toFixed(4)}, cat ${entry.category.toFixed(4)})  ` +
        `alpha ${alpha.toFixed(4)}  c ${curvature.toFixed(4)}  scale ${logitScale.toFixed(2)}  lr ${lr.toExponential(2)}  ${entry.seconds.toFixed(1)}s  tensors ${tf.memory().numTensors}`,
    );
  }
  optimizer.dispose();
  const { ids, ...counts } = neutral;
  return { tower, history, seconds: (performance.now() - t0) / 1000, steps: step, neutral: { count: ids.length, ...counts } };
}
