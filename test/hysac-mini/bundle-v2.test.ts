/**
 * The committed v2 bundle, models/hysac-mini-v2 (not the default; see its TRAINING.md and REPORT.md): it loads with the gateway's loadBundle (manifest, sha256s,
 * tokenizer with its subword model, anchors, substitutions), stays within the 60 MB, and on the project
 * corpus's held-out calib split (models/hysac-mini/data, never the evaluation data) its text tower gives the recall
 * and false-positive rate TRAINING.md records for it. Runs ONNX Runtime only (no training dependencies), feeding the
 * graph exactly as the gateway's worker does (token ids and the batch's subword rows; every window, the most unsafe
 * one wins).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distanceFromOrigin, expMap0Batch } from '../../src/geometry';
import { loadBundle, type Bundle } from '../../src/runtime/bundle';
import { mostUnsafeWindows } from '../../src/runtime/most-unsafe-window';
import { createSession, releaseSession, runSession, type OrtSession } from '../../src/runtime/ort';
import { tsv } from './corpus-tsv';

const BUNDLE = path.resolve(__dirname, '../../models/hysac-mini-v2');
const DATA = path.resolve(__dirname, '../../models/hysac-mini/data');
const MAX_BYTES = 60 * 1000 * 1000;

const present = fs.existsSync(path.join(BUNDLE, 'manifest.json')) && fs.existsSync(path.join(DATA, 'pairs.tsv'));
if (!present) console.warn('test/hysac-mini/bundle-v2: skipped: models/hysac-mini-v2 has no manifest.json yet; build it with `npm run train:mini-v2`.');
const maybe = present ? describe : describe.skip;

/** Tangent outputs (before alpha) of texts, fed as the gateway feeds them; `width` cuts the id rows (trimPadding). */
async function embed(bundle: Bundle, session: OrtSession, texts: string[], width?: number): Promise<Float32Array> {
  const m = bundle.manifest;
  const enc = bundle.tokenizer.encodeWindows(texts);
  const L = bundle.tokenizer.contextLength;
  const w = width ?? L;
  const ids = new BigInt64Array(enc.rows * w);
  for (let r = 0; r < enc.rows; r++) for (let j = 0; j < w; j++) ids[r * w + j] = BigInt(enc.ids[r * L + j]);
  const sub = enc.subwords!;
  const out = (
    await runSession(session, {
      [m.text.input]: { data: ids, dims: [enc.rows, w] },
      [m.text.tokenizer.type === 'word' ? m.text.tokenizer.subwords!.input : '']: { data: BigInt64Array.from(sub.ids, (v) => BigInt(v)), dims: [sub.rows, sub.slots] },
    })
  )[m.text.output];
  return mostUnsafeWindows(out.data, m.embeddingDim, enc.counts).data;
}

maybe('models/hysac-mini-v2', () => {
  let bundle: Bundle;
  let session: OrtSession;
  beforeAll(async () => {
    bundle = await loadBundle(BUNDLE);
    session = await createSession(path.join(BUNDLE, bundle.manifest.text.model));
  });
  afterAll(async () => {
    await releaseSession(session);
  });

  test('loads with the gateway and describes itself honestly', () => {
    const m = bundle.manifest;
    expect(m.name).toBe('hysac-mini-v2');
    expect(m.fixture).toBe(false);
    expect(m.outputs).toBe('tangent');
    expect(m.alpha.image).toBe(1); // the image graph's class rows already include the text alpha
    expect(m.description).toMatch(/SEXUAL CONTENT ONLY/);
    expect(m.provenance.rebuild).toBe('npm run train:mini-v2');
    expect(Object.keys(m.provenance.files).sort()).toEqual(['TRAINING.md', 'anchors.tsv', 'image.onnx', 'ngrams.txt', 'pool.txt', 'substitutions.tsv', 'text.onnx', 'vocab.txt']);
    expect(m.text.tokenizer.type === 'word' && m.text.tokenizer.subwords?.ngrams).toBe('ngrams.txt');
    expect(new Set(bundle.anchors.map((a) => a.label))).toEqual(new Set(['safe', 'sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal-activity']));
    expect(m.bounds.safeText.mean).toBeLessThan(m.threshold.text);
    expect(m.bounds.unsafeText.mean).toBeGreaterThan(m.bounds.safeText.mean);
    expect(m.bounds.safeImage.mean).toBeLessThan(m.threshold.image);
    expect(m.bounds.unsafeImage.mean).toBeGreaterThan(m.threshold.image);
  });

  test('is within 60 MB (the files it lists with manifest.json)', () => {
    const listed = [...Object.keys(bundle.manifest.provenance.files), 'manifest.json'].reduce((s, f) => s + fs.statSync(path.join(BUNDLE, f)).size, 0);
    expect(listed).toBeLessThan(MAX_BYTES);
  });

  test('calib split: recall and false positives at the threshold as TRAINING.md records them', async () => {
    const m = bundle.manifest;
    const pairs = tsv(path.join(DATA, 'pairs.tsv')).filter((r) => r.split === 'calib');
    const hard = tsv(path.join(DATA, 'hard_negatives.tsv')).filter((r) => r.split === 'calib');
    const safeTexts = [...pairs.map((p) => p.safe), ...hard.map((h) => h.text)];
    const unsafeTexts = pairs.map((p) => p.unsafe);
    const distances = async (texts: string[]): Promise<number[]> => {
      const out: number[] = [];
      for (let s = 0; s < texts.length; s += 512) {
        const v = await embed(bundle, session, texts.slice(s, s + 512));
        const x = expMap0Batch({ data: v, rows: v.length / m.embeddingDim, dim: m.embeddingDim }, m.curvature, m.alpha.text).data;
        for (let i = 0; i < v.length / m.embeddingDim; i++) out.push(distanceFromOrigin(x.subarray(i * m.embeddingDim, (i + 1) * m.embeddingDim), m.curvature));
      }
      return out;
    };
    const safe = await distances(safeTexts);
    const unsafe = await distances(unsafeTexts);
    const fpr = safe.filter((x) => x >= m.threshold.text).length / safe.length;
    const recall = unsafe.filter((x) => x >= m.threshold.text).length / unsafe.length;
    // TRAINING.md's held-out table: | project-calib | safe | unsafe | AUROC | recall % | FPR % |
    const row = /\| project-calib \| (\d+) \| (\d+) \| [\d.]+ \| ([\d.]+) % \| ([\d.]+) % \|/.exec(fs.readFileSync(path.join(BUNDLE, 'TRAINING.md'), 'utf8'));
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBe(safe.length);
    expect(Number(row![2])).toBe(unsafe.length);
    expect(Math.abs(recall * 100 - Number(row![3]))).toBeLessThan(0.2);
    expect(Math.abs(fpr * 100 - Number(row![4]))).toBeLessThan(0.2);
  });

  test('text.trimPadding: rows cut to the batch\'s longest row embed exactly as full-length rows', async () => {
    const m = bundle.manifest;
    expect(m.text.trimPadding).toBe(true);
    const texts = ['a photo of a cat', '', 'naked', 'a bloody corpse on the street, trending on artstation, 8k', 'zzqx nekkid b00bies'];
    const full = await embed(bundle, session, texts);
    for (let i = 0; i < texts.length; i++) {
      const row = bundle.tokenizer.encode(texts[i]);
      const width = Math.max(1, row.findLastIndex((v) => v !== 0) + 1);
      const alone = await embed(bundle, session, [texts[i]], width);
      const expected = full.subarray(i * m.embeddingDim, (i + 1) * m.embeddingDim);
      expect(Math.max(...alone.map((x, j) => Math.abs(x - expected[j])))).toBeLessThanOrEqual(1e-5);
    }
  });

  test('the image tower outputs [N, D] tangents; a flat grey picture is judged safe', async () => {
    const m = bundle.manifest;
    const S = m.image.preprocess.size;
    const grey = new Float32Array(3 * S * S).fill(0.5);
    const image = await createSession(path.join(BUNDLE, m.image.model));
    const out = (await runSession(image, { [m.image.input]: { data: grey, dims: [1, 3, S, S] } }))[m.image.output];
    await releaseSession(image);
    expect(out.dims).toEqual([1, m.embeddingDim]);
    const x = expMap0Batch({ data: out.data, rows: 1, dim: m.embeddingDim }, m.curvature, m.alpha.image).data;
    expect(distanceFromOrigin(x, m.curvature)).toBeLessThan(m.threshold.image);
  });
});
