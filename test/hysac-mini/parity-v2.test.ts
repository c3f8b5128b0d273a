/**
 * hysac-mini v2's text tower: ONNX Runtime (the exporter's graph, models/train/v2/export-onnx-v2.ts) must give what
 * the TF.js encoder it was trained as gives (models/train/v2/encoder.ts), max |difference| <= 1e-4:
 *
 *  1. The trained weights (models/train/trained/hysac-mini-v2.json) over small seeded int8 word and n-gram tables
 *     (no GloVe needed): words, subword-read words (ids >= V, mean of their n-gram rows), `<unk>`, an empty row and
 *     a full row, fed exactly as the gateway's worker feeds them (input_ids + subword_ids);
 *  2. the committed v2 bundle (models/hysac-mini-v2/text.onnx) on real prompts through the gateway's own tokenizer,
 *     when the lexical layer that training cached (models/train/.cache/v2-lexical.json) is present; assemble-v2.ts
 *     runs the same check when it writes the bundle (TRAINING.md records the figure).
 *
 * TensorFlow.js is a training-only dependency (models/train/node_modules): without it the suite is skipped with the
 * command that installs it. Training modules are loaded with computed paths so that the gateway's type check does
 * not need them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { loadTokenizer } from '../../src/runtime/tokenizers';

const REPO = path.resolve(__dirname, '../..');
const TRAIN = path.join(REPO, 'models', 'train');
const BUNDLE = path.join(REPO, 'models', 'hysac-mini-v2');
const CHECKPOINT = path.join(TRAIN, 'trained', 'hysac-mini-v2.json');
const TOLERANCE = 1e-4;
const haveTf = fs.existsSync(path.join(TRAIN, 'node_modules', '@tensorflow', 'tfjs', 'package.json'));
const haveCheckpoint = fs.existsSync(CHECKPOINT);
if (!haveTf) console.warn('test/hysac-mini/parity-v2: skipped: @tensorflow/tfjs is not installed; run `npm --prefix models/train install`.');
/* eslint-disable @typescript-eslint/no-explicit-any */
const load = (rel: string): any => require(path.join(TRAIN, rel));
const maybe = haveTf && haveCheckpoint ? describe : describe.skip;

async function ortRun(model: Uint8Array | string, ids: number[][], L: number, sub: number[][], slots: number): Promise<Float32Array> {
  const session = await createSession(model);
  try {
    const feedIds = new BigInt64Array(ids.length * L);
    ids.forEach((r, i) => r.forEach((v, j) => (feedIds[i * L + j] = BigInt(v))));
    const rows = Math.max(1, sub.length);
    const feedSub = new BigInt64Array(rows * slots);
    sub.forEach((r, i) => r.forEach((v, j) => (feedSub[i * slots + j] = BigInt(v))));
    const out = await runSession(session, { input_ids: { data: feedIds, dims: [ids.length, L] }, subword_ids: { data: feedSub, dims: [rows, slots] } });
    return out.embedding.data;
  } finally {
    await releaseSession(session);
  }
}

maybe('hysac-mini v2 text tower: ONNX Runtime vs TensorFlow.js', () => {
  jest.setTimeout(120_000);
  let tf: any;
  let ck: any;
  beforeAll(async () => {
    tf = await load('mini/tf').initTf('cpu');
    ck = JSON.parse(fs.readFileSync(CHECKPOINT, 'utf8'));
  });

  test('the exporter reproduces the trained encoder over seeded int8 tables, words and subword-read words alike', async () => {
    const { Encoder } = load('v2/encoder');
    const { buildTextOnnxV2 } = load('v2/export-onnx-v2');
    const { quantize, dequantizeRow, subwordVector } = load('v2/vocab-v2');
    const { Prng } = load('../fixture/prng');
    const prng = new Prng(5);
    const V = 40;
    const G = 30;
    const table = (rows: number): Float32Array => new Float32Array(rows * 100).map((_, i) => (i < 100 ? 0 : prng.range(-2, 2)));
    const words = quantize(table(V), V);
    const grams = quantize(table(G), G);
    const shape = ck.config.shape;
    const onnx = buildTextOnnxV2(shape, ck.weights, words, grams, 'test');
    // Rows: an empty row, a full row, words, <unk> (1), subword-read words (ids >= V) sharing the batch's rows.
    const L = shape.positions;
    const sub = [[3, 7, 9], [12], [4, 4, 29, 28, 0, 0]];
    const rows: number[][] = [[], Array.from({ length: L }, (_, t) => 2 + (t % (V - 2))), [5, 6, 1, 7], [V, 8, V + 2, 9], [V + 1], [2, 3, V + 2, 1, 1, 30, 31]];
    const ids = rows.map((r) => [...r, ...new Array(L - r.length).fill(0)]);
    const viaOrt = await ortRun(onnx, ids, L, sub, 6);

    // TF.js: the same vectors computed by hand (dequantised rows; subword mean over non-empty slots).
    const e = new Float32Array(ids.length * L * 100);
    const m = new Float32Array(ids.length * L);
    const v = new Float32Array(100);
    ids.forEach((r, i) =>
      r.forEach((id, t) => {
        if (id === 0) return;
        m[i * L + t] = 1;
        if (id >= V) subwordVector(grams, sub[id - V], v);
        else dequantizeRow(words, id, v);
        e.set(v, (i * L + t) * 100);
      }),
    );
    const enc = new Encoder(shape, ck.weights, ck.config.curvatureInit);
    const viaTf: Float32Array = tf.tidy(() => enc.encode(tf.tensor3d(e, [ids.length, L, 100]), tf.tensor2d(m, [ids.length, L])).dataSync());
    enc.dispose();
    let diff = 0;
    for (let i = 0; i < viaTf.length; i++) diff = Math.max(diff, Math.abs(viaTf[i] - viaOrt[i]));
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
    expect(Array.from(viaOrt).every(Number.isFinite)).toBe(true);
    // A subword-read word is not <unk>: the same row with id 1 in its place embeds differently.
    const asUnk = await ortRun(onnx, [ids[4].map((x) => (x >= V ? 1 : x))], L, sub, 6);
    expect(Math.abs(asUnk[0] - viaOrt[4 * shape.dim])).toBeGreaterThan(1e-6);
  });

  const cache = path.join(TRAIN, '.cache', 'v2-lexical.json');
  (fs.existsSync(cache) ? test : test.skip)('the committed text.onnx equals the TF.js encoder on real prompts through the gateway tokenizer', async () => {
    const { Encoder } = load('v2/encoder');
    const { lexicalLayer } = load('v2/train-v2');
    const { makeFeaturizer, batchInputs } = load('v2/features');
    const manifest = JSON.parse(fs.readFileSync(path.join(BUNDLE, 'manifest.json'), 'utf8'));
    const layer = lexicalLayer([], []);
    const tokenizer = await loadTokenizer(manifest.text.tokenizer, BUNDLE);
    const texts = ['a couple fucking on a sofa', 'close-up of her tits', 'two people making love on a bed', 'kill the lights', 'a shot of espresso', 'a fat ugly retard', 'nekkid b00bies pornstar', 'a firefighter carrying a baby out of a burning house', ''];
    const encW = tokenizer.encodeWindows(texts);
    expect(Array.from(encW.counts).every((c) => c === 1)).toBe(true);
    const L = tokenizer.contextLength;
    const idRows = texts.map((_, i) => Array.from(encW.ids.subarray(i * L, (i + 1) * L)));
    const subRows = Array.from({ length: encW.subwords!.rows }, (_, r) => Array.from(encW.subwords!.ids.subarray(r * encW.subwords!.slots, (r + 1) * encW.subwords!.slots)));
    const viaOrt = await ortRun(path.join(BUNDLE, 'text.onnx'), idRows, L, subRows, encW.subwords!.slots);
    const f = makeFeaturizer(layer);
    const b = batchInputs(f, texts, ck.config.contextLength);
    const enc = new Encoder(ck.config.shape, ck.weights, ck.config.curvatureInit);
    const viaTf: Float32Array = tf.tidy(() => enc.encode(tf.tensor3d(b.e, [b.n, b.L, 100]), tf.tensor2d(b.m, [b.n, b.L])).dataSync());
    enc.dispose();
    let diff = 0;
    for (let i = 0; i < viaTf.length; i++) diff = Math.max(diff, Math.abs(viaTf[i] - viaOrt[i]));
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
  });
});
