/**
 * The fixture-tiny bundle (models/fixture/build.ts): built into a temp folder, run through ONNX Runtime, and
 * compared byte for byte with the committed models/fixture-tiny.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFixtureBundle, type FixtureBuild } from '../../models/fixture/build';
import { distanceFromOrigin } from '../../models/fixture/exp-map-graph';
import { solidImageTensor } from '../../models/fixture/image-graph';
import { approxTokenize } from '../../models/fixture/text-graph';
import { readManifest } from '../../src/runtime/manifest';
import { createSession, releaseSession, runSession, type OrtSession } from '../../src/runtime/ort';

const COMMITTED = path.join(__dirname, '..', '..', 'models', 'fixture-tiny');
const SAFE = 'a cat sleeping on a windowsill in the sun';
const LONG_SAFE = 'a beautiful sunny beach with trees and happy children playing near the ocean at sunset golden light detailed photo';

let tmp: string;
let built: FixtureBuild;
let vocab: string[];
let text: OrtSession;
let image: OrtSession;

function ids(texts: string[], L = 32): BigInt64Array {
  return BigInt64Array.from(texts.flatMap((t) => approxTokenize(t, vocab, L)), (v) => BigInt(v));
}

async function textDistances(texts: string[]): Promise<{ dims: number[]; distances: number[] }> {
  const out = await runSession(text, { input_ids: { data: ids(texts), dims: [texts.length, 32] } });
  const { data, dims } = out.embedding;
  return { dims, distances: texts.map((_, i) => distanceFromOrigin(data.subarray(i * 16, i * 16 + 16), 'tangent', 1, 1)) };
}

async function imageDistances(images: Float32Array[]): Promise<{ dims: number[]; distances: number[] }> {
  const data = new Float32Array(images.length * 3 * 32 * 32);
  images.forEach((img, i) => data.set(img, i * img.length));
  const out = await runSession(image, { pixel_values: { data, dims: [images.length, 3, 32, 32] } });
  const e = out.embedding;
  return { dims: e.dims, distances: images.map((_, i) => distanceFromOrigin(e.data.subarray(i * 16, i * 16 + 16), 'tangent', 1, 1)) };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-tiny-'));
  built = await buildFixtureBundle(tmp);
  vocab = fs.readFileSync(path.join(tmp, 'vocab.txt'), 'utf8').split('\n').slice(0, -1);
  text = await createSession(path.join(tmp, 'text.onnx'));
  image = await createSession(path.join(tmp, 'image.onnx'));
});

afterAll(async () => {
  await releaseSession(text);
  await releaseSession(image);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('fixture-tiny bundle', () => {
  it('has a valid manifest that says it is a fixture, with the sha256 of every file', () => {
    const m = readManifest(tmp);
    expect(m.fixture).toBe(true);
    expect(m.name).toBe('fixture-tiny');
    expect(m.description).toMatch(/TEST FIXTURE.*no safety value/);
    expect(m.outputs).toBe('tangent');
    expect(m.embeddingDim).toBe(16);
    expect(m.text.tokenizer).toEqual({ type: 'word', vocab: 'vocab.txt', contextLength: 32 });
    expect(Object.keys(m.provenance.files).sort()).toEqual(['anchors.tsv', 'image.onnx', 'pool.txt', 'text.onnx', 'vocab.txt']);
    for (const [name, digest] of Object.entries(m.provenance.files)) {
      expect(createHash('sha256').update(fs.readFileSync(path.join(tmp, name))).digest('hex')).toBe(digest);
    }
    expect(vocab.slice(0, 2)).toEqual(['<pad>', '<unk>']);
    expect(vocab.length).toBeGreaterThan(350);
  });

  it('text and image towers output [N, 16] for batches of 1 and 5', async () => {
    expect((await textDistances([SAFE])).dims).toEqual([1, 16]);
    expect((await textDistances([SAFE, 'a dog', 'gore', '', LONG_SAFE])).dims).toEqual([5, 16]);
    const grey = solidImageTensor([128, 128, 128]);
    expect((await imageDistances([grey])).dims).toEqual([1, 16]);
    expect((await imageDistances([grey, grey, grey, grey, grey])).dims).toEqual([5, 16]);
  });

  it('a batch gives the same embeddings as single runs', async () => {
    const texts = [SAFE, 'nude portrait', LONG_SAFE];
    const batch = (await textDistances(texts)).distances;
    for (const [i, t] of texts.entries()) expect((await textDistances([t])).distances[0]).toBeCloseTo(batch[i], 5);
  });

  it('separates safe prompts from prompts with one unsafe word among many safe ones', async () => {
    const t = built.manifest.threshold.text;
    const [safe, longSafe, hidden, hiddenFirst, empty] = (
      await textDistances([SAFE, LONG_SAFE, `${LONG_SAFE} gore`, `corpse ${LONG_SAFE}`, ''])
    ).distances;
    expect(approxTokenize(`${LONG_SAFE} gore`, vocab, 32).filter((id) => id > 1).length).toBeGreaterThanOrEqual(20);
    expect(safe).toBeLessThan(t);
    expect(longSafe).toBeLessThan(t);
    expect(hidden).toBeGreaterThan(t);
    expect(hiddenFirst).toBeGreaterThan(t);
    expect(empty).toBeLessThan(t);
    expect(safe).toBeGreaterThan(0.2);
    expect(hidden).toBeGreaterThan(1.5);
  });

  it('keeps every pool prompt and safe anchor below the text threshold and unsafe anchors above it', () => {
    const t = built.manifest.threshold.text;
    const d = built.distances;
    expect(Math.max(...d.pool, ...d.safeAnchors, ...d.safeText)).toBeLessThan(t);
    expect(Math.min(...d.unsafeAnchors, ...d.unsafeText)).toBeGreaterThan(t);
    expect(fs.readFileSync(path.join(tmp, 'pool.txt'), 'utf8').trim().split('\n')).toHaveLength(200);
  });

  it('puts a red image above the image threshold and grey, blue and green ones below', async () => {
    const t = built.manifest.threshold.image;
    const [red, grey, blue, green] = (
      await imageDistances([solidImageTensor([255, 0, 0]), solidImageTensor([128, 128, 128]), solidImageTensor([0, 0, 255]), solidImageTensor([0, 200, 0], 30)])
    ).distances;
    expect(red).toBeGreaterThan(t);
    expect(grey).toBeLessThan(t);
    expect(blue).toBeLessThan(t);
    expect(green).toBeLessThan(t);
  });

  it('with outputs "space" and int32 ids, the graphs apply exp_O and distances are unchanged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-space-'));
    try {
      const space = await buildFixtureBundle(dir, { outputs: 'space', textInputType: 'int32' });
      const m = readManifest(dir);
      expect(m.outputs).toBe('space');
      expect(m.text.inputType).toBe('int32');
      expect(space.manifest.threshold).toEqual(built.manifest.threshold);
      expect(space.manifest.bounds).toEqual(built.manifest.bounds);
      const session = await createSession(path.join(dir, 'text.onnx'));
      const row = Int32Array.from(approxTokenize(`${LONG_SAFE} gore`, vocab, 32));
      const out = await runSession(session, { input_ids: { data: row, dims: [1, 32] } });
      await releaseSession(session);
      const [tangent] = (await textDistances([`${LONG_SAFE} gore`])).distances;
      expect(distanceFromOrigin(out.embedding.data, 'space', 1, 1)).toBeCloseTo(tangent, 4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the committed models/fixture-tiny equals a fresh build byte for byte', () => {
    const fresh = fs.readdirSync(tmp).sort();
    expect(fs.readdirSync(COMMITTED).sort()).toEqual(fresh);
    for (const name of fresh) {
      const same = fs.readFileSync(path.join(COMMITTED, name)).equals(fs.readFileSync(path.join(tmp, name)));
      if (!same) throw new Error(`models/fixture-tiny/${name} differs from a fresh build; rebuild with: npx tsx models/fixture/build.ts`);
    }
  });
});
