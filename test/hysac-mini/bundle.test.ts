/**
 * The committed default bundle, models/hysac-mini: it loads with the gateway's loadBundle (manifest, sha256s,
 * tokenizer, anchors), stays under 40 MB, and on the corpus's held-out calib split (models/hysac-mini/data, never
 * the evaluation data) its text tower puts safe prompts below the threshold and unsafe ones above it, roughly as
 * the figures recorded at training time say. Runs ONNX Runtime only (no training dependencies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distanceFromOrigin, expMap0Batch } from '../../src/geometry';
import { loadBundle, type Bundle } from '../../src/runtime/bundle';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { tsv } from './corpus-tsv';

const BUNDLE = path.resolve(__dirname, '../../models/hysac-mini');
const DATA = path.join(BUNDLE, 'data');
const MAX_BYTES = 40 * 1024 * 1024;

const present = fs.existsSync(path.join(BUNDLE, 'manifest.json')) && fs.existsSync(path.join(DATA, 'pairs.tsv'));
if (!present) console.warn('test/hysac-mini/bundle: skipped: models/hysac-mini has no manifest.json yet; build it with `npm run train:mini`.');
const maybe = present ? describe : describe.skip;

maybe('models/hysac-mini', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await loadBundle(BUNDLE);
  });

  test('loads with the gateway and describes itself honestly', () => {
    const m = bundle.manifest;
    expect(m.name).toBe('hysac-mini');
    expect(m.fixture).toBe(false);
    expect(m.outputs).toBe('tangent');
    expect(m.alpha.image).toBe(1); // the image graph's class rows already include the text alpha
    expect(m.description).toMatch(/SEXUAL CONTENT ONLY/);
    expect(m.provenance.rebuild).toBe('npm run train:mini');
    expect(Object.keys(m.provenance.files).sort()).toEqual(['TRAINING.md', 'anchors.tsv', 'image.onnx', 'pool.txt', 'substitutions.tsv', 'text.onnx', 'vocab.txt']);
    expect(new Set(bundle.anchors.map((a) => a.label))).toEqual(new Set(['safe', 'sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal-activity']));
    expect(m.bounds.safeText.mean).toBeLessThan(m.threshold.text);
    expect(m.bounds.unsafeText.mean).toBeGreaterThan(m.threshold.text);
    expect(m.bounds.safeImage.mean).toBeLessThan(m.threshold.image);
    expect(m.bounds.unsafeImage.mean).toBeGreaterThan(m.threshold.image);
  });

  test('is under 40 MB (the files it lists, and the whole folder without the training corpus)', () => {
    const listed = [...Object.keys(bundle.manifest.provenance.files), 'manifest.json'].reduce((s, f) => s + fs.statSync(path.join(BUNDLE, f)).size, 0);
    expect(listed).toBeLessThan(MAX_BYTES);
    const folder = fs
      .readdirSync(BUNDLE, { withFileTypes: true })
      .filter((e) => e.isFile())
      .reduce((s, e) => s + fs.statSync(path.join(BUNDLE, e.name)).size, 0);
    expect(folder).toBeLessThan(MAX_BYTES);
  });

  test('calib split: safe prompts below the threshold, unsafe ones above, as recorded', async () => {
    const m = bundle.manifest;
    const pairs = tsv(path.join(DATA, 'pairs.tsv')).filter((r) => r.split === 'calib');
    const hard = tsv(path.join(DATA, 'hard_negatives.tsv')).filter((r) => r.split === 'calib');
    const texts = [...pairs.map((p) => p.safe), ...hard.map((h) => h.text), ...pairs.map((p) => p.unsafe)];
    const L = m.text.tokenizer.contextLength;
    const ids = new BigInt64Array(texts.length * L);
    texts.forEach((t, i) => bundle.tokenizer.encode(t).forEach((v, j) => (ids[i * L + j] = BigInt(v))));
    const session = await createSession(path.join(BUNDLE, m.text.model));
    const out = (await runSession(session, { [m.text.input]: { data: ids, dims: [texts.length, L] } }))[m.text.output];
    await releaseSession(session);
    const points = expMap0Batch({ data: out.data, rows: texts.length, dim: m.embeddingDim }, m.curvature, m.alpha.text);
    const d = texts.map((_, i) => distanceFromOrigin(points.data.subarray(i * m.embeddingDim, (i + 1) * m.embeddingDim), m.curvature));
    const nSafe = pairs.length + hard.length;
    const safe = d.slice(0, nSafe);
    const unsafe = d.slice(nSafe);
    const fpr = safe.filter((x) => x >= m.threshold.text).length / safe.length;
    const recall = unsafe.filter((x) => x >= m.threshold.text).length / unsafe.length;
    // The threshold was chosen for <= 1 % false positives on exactly these safe texts.
    expect(fpr).toBeLessThanOrEqual(0.011);
    const recorded = Number(/calib recall ([\d.]+)%/.exec(m.provenance.notes ?? '')?.[1]);
    expect(Number.isFinite(recorded)).toBe(true);
    expect(Math.abs(recall * 100 - recorded)).toBeLessThan(1);
    expect(recall).toBeGreaterThan(0.6);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean(safe) - m.bounds.safeText.mean)).toBeLessThan(0.01);
    expect(Math.abs(mean(unsafe) - m.bounds.unsafeText.mean)).toBeLessThan(0.01);
  });

  test('text.trimPadding: rows cut to the batch\'s longest row embed exactly as full-length rows', async () => {
    const m = bundle.manifest;
    expect(m.text.trimPadding).toBe(true);
    const L = m.text.tokenizer.contextLength;
    const texts = ['a photo of a cat', '', 'naked', 'a bloody corpse on the street, trending on artstation, 8k', 'word '.repeat(80).trim(), 'zzqx'];
    const session = await createSession(path.join(BUNDLE, m.text.model));
    try {
      const run = async (rows: Int32Array[], width: number): Promise<Float32Array> => {
        const ids = new BigInt64Array(rows.length * width);
        rows.forEach((r, i) => r.subarray(0, width).forEach((v, j) => (ids[i * width + j] = BigInt(v))));
        return (await runSession(session, { [m.text.input]: { data: ids, dims: [rows.length, width] } }))[m.text.output].data;
      };
      const rows = texts.map((t) => bundle.tokenizer.encode(t));
      const full = await run(rows, L);
      // Every text alone, cut to its own length (at least one column), against its row of the full batch.
      for (let i = 0; i < texts.length; i++) {
        const width = Math.max(1, rows[i].findLastIndex((v) => v !== 0) + 1);
        const alone = await run([rows[i]], width);
        const expected = full.subarray(i * m.embeddingDim, (i + 1) * m.embeddingDim);
        expect(Math.max(...alone.map((x, j) => Math.abs(x - expected[j])))).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      await releaseSession(session);
    }
  });

  test('the image tower outputs [N, D] tangents; a flat grey picture is judged safe', async () => {
    const m = bundle.manifest;
    const S = m.image.preprocess.size;
    const grey = new Float32Array(3 * S * S).fill(0.5);
    const session = await createSession(path.join(BUNDLE, m.image.model));
    const out = (await runSession(session, { [m.image.input]: { data: grey, dims: [1, 3, S, S] } }))[m.image.output];
    await releaseSession(session);
    expect(out.dims).toEqual([1, m.embeddingDim]);
    const x = expMap0Batch({ data: out.data, rows: 1, dim: m.embeddingDim }, m.curvature, m.alpha.image).data;
    expect(distanceFromOrigin(x, m.curvature)).toBeLessThan(m.threshold.image);
  });
});
