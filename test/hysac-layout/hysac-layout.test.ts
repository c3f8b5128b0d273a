/**
 * A bundle in the HySAC ViT-L/14 layout (what models/export/hysac_to_bundle.py writes for the published weights),
 * built here with the project's ONNX writer at toy size (build-bundle.ts), served by a real gateway over HTTP.
 * Every GraphQL field is exercised, and the numbers are checked against the raw ONNX outputs computed here:
 * the gateway must apply alpha[modality] and the exponential map with the manifest's curvature, feed OpenAI's
 * CLIP token ids, and preprocess images as the manifest says. Nothing in the gateway may know this bundle
 * beyond its manifest.
 *
 * Needs OpenAI's merges file from the evaluation data beside the repository
 * (../shared/eval/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz); without it the suite is skipped, saying so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Gateway } from '../../src/main';
import { loadBundle } from '../../src/runtime/bundle';
import { DEFAULT_IMAGE_LIMITS, preprocessImage } from '../../src/runtime/image';
import { gql, startTestGateway } from '../helpers/gateway';
import { ALPHA, buildHysacLayoutBundle, CONTEXT_LENGTH, CURVATURE, DIM, IMAGE_SIZE, runTower, SHARED_MERGES, SHARED_VECTORS, solidPng, type LayoutBuild } from './build-bundle';

const haveMerges = fs.existsSync(SHARED_MERGES);
if (!haveMerges) console.warn(`hysac-layout tests skipped: ${SHARED_MERGES} is missing (../shared is not checked out)`);

function describeWithMerges(name: string, body: () => void): void {
  if (haveMerges) describe(name, body);
  else describe(name, () => test.skip(`skipped: missing ${SHARED_MERGES}`, () => undefined));
}

const SAFE = 'a photo of a cat sitting on a sofa in a sunny living room';
const UNSAFE = 'a photo of a naked woman covered in blood';
const EDITABLE = 'a watercolor painting of a naked woman on a beach at sunset';

/** exp_O(alpha v) on the hyperboloid of curvature -c: space components, in float64. */
function lift(v: ArrayLike<number>, alpha: number, c: number): number[] {
  const u = Array.from(v, (x) => alpha * x);
  const r = Math.sqrt(c) * Math.hypot(...u);
  const k = r < 1e-12 ? 1 : Math.sinh(r) / r;
  return u.map((x) => x * k);
}

function sq(xs: number[]): number {
  return xs.reduce((s, x) => s + x * x, 0);
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], digits));
}

describeWithMerges('a HySAC-layout bundle (clip-bpe/77, CLIP preprocessing at 224, alpha 0.7/1.3, c = 0.5)', () => {
  let tmp: string;
  let built: LayoutBuild;
  let gw: Gateway;
  let grey: string;
  let red: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-layout-'));
    built = await buildHysacLayoutBundle(path.join(tmp, 'bundle'));
    gw = await startTestGateway({ modelDir: built.dir });
    grey = (await solidPng([128, 128, 128], 320, 240)).toString('base64');
    red = (await solidPng([250, 10, 10], 240, 320)).toString('base64');
  });
  afterAll(async () => {
    await gw?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** What the gateway should return for a text: the raw ONNX output for the runtime's ids, lifted here. */
  async function expectedText(text: string): Promise<{ ids: Int32Array; raw: Float32Array; space: number[] }> {
    const ids = gw.services.runtime.tokenize(text);
    const raw = await runTower(path.join(built.dir, 'text.onnx'), 'input_ids', [ids]);
    return { ids, raw, space: lift(raw, ALPHA.text, CURVATURE) };
  }

  async function expectedImage(base64: string): Promise<number[]> {
    const tensor = await preprocessImage(Buffer.from(base64, 'base64'), built.manifest.image.preprocess, DEFAULT_IMAGE_LIMITS);
    expect(tensor).toHaveLength(3 * IMAGE_SIZE * IMAGE_SIZE);
    return lift(await runTower(path.join(built.dir, 'image.onnx'), 'pixel_values', [tensor]), ALPHA.image, CURVATURE);
  }

  test('the bundle loads and validates; the manifest carries every model fact', async () => {
    const bundle = await loadBundle(built.dir);
    expect(bundle.tokenizer.type).toBe('clip-bpe');
    expect(bundle.tokenizer.contextLength).toBe(77);
    expect(built.manifest.alpha).toEqual({ text: 0.7, image: 1.3 });
    expect(built.manifest.curvature).toBe(0.5);
    expect(built.flagged.size).toBeGreaterThan(20);
  });

  test('model', async () => {
    const { body } = await gql(gw, `{ model { name description fixture curvature embeddingDim tokenizer contextLength imageSize
      threshold { text image } bounds { safeText { mean p5 p95 } safeImage { mean p5 p95 } unsafeText { mean p5 p95 } unsafeImage { mean p5 p95 } }
      provenance { source license rebuild notes } anchorCount poolSize } }`);
    expect(body.errors).toBeUndefined();
    const m = body.data!.model;
    expect(m).toMatchObject({ name: 'hysac-layout-test', fixture: true, curvature: CURVATURE, embeddingDim: DIM, tokenizer: 'clip-bpe', contextLength: CONTEXT_LENGTH, imageSize: IMAGE_SIZE });
    expect(m.threshold).toEqual(built.manifest.threshold);
    expect(m.bounds).toEqual(built.manifest.bounds);
    expect(m.anchorCount).toBeGreaterThan(0);
    expect(m.poolSize).toBeGreaterThan(0);
  });

  test("the runtime feeds OpenAI's CLIP ids (SOT ... EOT, 0-padded to 77)", async () => {
    const vectors: { text: string; ids_include_sot_eot: boolean; context_length: number | null; openai_reference_ids: number[]; matches_openai_reference: boolean }[] = fs.existsSync(SHARED_VECTORS)
      ? JSON.parse(fs.readFileSync(SHARED_VECTORS, 'utf8')).vectors
      : [];
    const usable = vectors.filter((v) => (v.context_length ?? 77) === 77 && !v.text.includes('<|') && v.openai_reference_ids.length <= 75);
    const cases: [string, number[]][] = usable.map((v) => [v.text, v.ids_include_sot_eot ? v.openai_reference_ids : [49406, ...v.openai_reference_ids, 49407]]);
    // 'a photo of a cat' with OpenAI's simple_tokenizer (also in the vectors when ../shared has them).
    cases.push(['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]]);
    for (const [text, ids] of cases) {
      const row = Array.from(gw.services.runtime.tokenize(text));
      expect(row).toHaveLength(77);
      expect(row).toEqual([...ids, ...new Array(77 - ids.length).fill(0)]);
    }
    expect(cases.length).toBeGreaterThan(usable.length > 0 ? 5 : 0);
  });

  test('embed (text): on the hyperboloid, time^2 - |space|^2 = 1/c, and equal to exp_O(0.7 v) of the raw ONNX output', async () => {
    const { body } = await gql(gw, `query($t: String!) { embed(input: { text: $t }) { modality space time distance curvature } }`, { t: SAFE });
    expect(body.errors).toBeUndefined();
    const e = body.data!.embed;
    expect(e.modality).toBe('TEXT');
    expect(e.curvature).toBe(CURVATURE);
    expect(e.space).toHaveLength(DIM);
    expect(e.time * e.time - sq(e.space)).toBeCloseTo(1 / CURVATURE, 5);
    const want = await expectedText(SAFE);
    expectClose(e.space, want.space);
    // d(O, exp_O(u)) = |u| = alpha |v|, and the schema's formula (1/sqrt c) asinh(sqrt c |space|)
    expect(e.distance).toBeCloseTo(ALPHA.text * Math.sqrt(sq(Array.from(want.raw))), 5);
    expect(e.distance).toBeCloseTo(Math.asinh(Math.sqrt(CURVATURE) * Math.sqrt(sq(e.space))) / Math.sqrt(CURVATURE), 5);
    // alpha and c matter: the lift with alpha = 1 or c = 1 would be measurably different
    expect(Math.abs(Math.sqrt(sq(lift(want.raw, 1, CURVATURE))) - Math.sqrt(sq(e.space)))).toBeGreaterThan(1e-3);
    expect(Math.abs(Math.sqrt(sq(lift(want.raw, ALPHA.text, 1))) - Math.sqrt(sq(e.space)))).toBeGreaterThan(1e-3);
  });

  test('embed (image): CLIP preprocessing, then exp_O(1.3 v) of the raw ONNX output', async () => {
    const { body } = await gql(gw, `query($img: String!) { embed(input: { image: { base64: $img } }) { modality space time distance curvature } }`, { img: red });
    expect(body.errors).toBeUndefined();
    const e = body.data!.embed;
    expect(e.modality).toBe('IMAGE');
    // |space| ~ 37 here: compare relative to time^2 (float32 components)
    expect((e.time * e.time - sq(e.space)) * CURVATURE).toBeCloseTo(1, 3);
    expectClose(e.space, await expectedImage(red), 4);
    expect(e.distance).toBeCloseTo(Math.asinh(Math.sqrt(CURVATURE) * Math.sqrt(sq(e.space))) / Math.sqrt(CURVATURE), 5);
  });

  test('embedMany: mixed texts and images, in order, equal to the single embeds', async () => {
    const { body } = await gql(gw, `query($inputs: [ContentInput!]!) { embedMany(inputs: $inputs) { modality space distance } }`, {
      inputs: [{ text: SAFE }, { image: { base64: grey } }, { text: UNSAFE }, { image: { base64: red } }],
    });
    expect(body.errors).toBeUndefined();
    const list = body.data!.embedMany;
    expect(list.map((e: { modality: string }) => e.modality)).toEqual(['TEXT', 'IMAGE', 'TEXT', 'IMAGE']);
    expectClose(list[0].space, (await expectedText(SAFE)).space);
    expectClose(list[1].space, await expectedImage(grey), 4);
    expectClose(list[2].space, (await expectedText(UNSAFE)).space);
    expectClose(list[3].space, await expectedImage(red), 4);
  });

  test('classify (text and image): both verdicts, unsafe exactly when distance >= threshold', async () => {
    const { body } = await gql(gw, `query($grey: String!, $red: String!) {
      safe: classify(input: { text: ${JSON.stringify(SAFE)} }) { modality unsafe score distance threshold nearest { text category distance } }
      unsafe: classify(input: { text: ${JSON.stringify(UNSAFE)} }) { modality unsafe score distance threshold nearest { category } }
      grey: classify(input: { image: { base64: $grey } }) { modality unsafe score distance threshold }
      red: classify(input: { image: { base64: $red } }) { modality unsafe score distance threshold }
    }`, { grey, red });
    expect(body.errors).toBeUndefined();
    const { safe, unsafe, grey: g, red: r } = body.data!;
    expect(safe).toMatchObject({ modality: 'TEXT', unsafe: false, threshold: built.manifest.threshold.text });
    expect(unsafe).toMatchObject({ modality: 'TEXT', unsafe: true, threshold: built.manifest.threshold.text });
    expect(g).toMatchObject({ modality: 'IMAGE', unsafe: false, threshold: built.manifest.threshold.image });
    expect(r).toMatchObject({ modality: 'IMAGE', unsafe: true, threshold: built.manifest.threshold.image });
    for (const c of [safe, unsafe, g, r]) {
      expect(c.unsafe).toBe(c.distance >= c.threshold);
      expect(c.score > 0.5).toBe(c.unsafe);
    }
    expect(safe.nearest).toHaveLength(3);
    expect(unsafe.nearest.some((n: { category: string }) => n.category !== 'safe')).toBe(true);
  });

  test('classifyMany: one verdict per input, in order, matching classify', async () => {
    const { body } = await gql(gw, `query($inputs: [ContentInput!]!) { classifyMany(inputs: $inputs) { modality unsafe distance } }`, {
      inputs: [{ text: UNSAFE }, { text: SAFE }, { image: { base64: red } }, { image: { base64: grey } }],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.classifyMany.map((c: { modality: string; unsafe: boolean }) => [c.modality, c.unsafe])).toEqual([
      ['TEXT', true],
      ['TEXT', false],
      ['IMAGE', true],
      ['IMAGE', false],
    ]);
  });

  test('redirect EDIT: only the unsafe word changes and the result is safe when classified afresh', async () => {
    const { body } = await gql(gw, `query($t: String!) { redirect(input: { text: $t, strategy: EDIT }) { input output redirected strategy edits { from to } before { unsafe } after { unsafe distance } } }`, { t: EDITABLE });
    expect(body.errors).toBeUndefined();
    const r = body.data!.redirect;
    expect(r).toMatchObject({ input: EDITABLE, redirected: true, strategy: 'EDIT', before: { unsafe: true }, after: { unsafe: false } });
    expect(r.edits.map((e: { from: string }) => e.from)).toEqual(['naked']);
    const again = await gql(gw, `query($t: String!) { classify(input: { text: $t }) { unsafe distance } }`, { t: r.output });
    expect(again.body.data!.classify.unsafe).toBe(false);
    expect(again.body.data!.classify.distance).toBeCloseTo(r.after.distance, 4);
  });

  test('redirect RETRIEVE (text and image): a safe pool prompt; safe input comes back unchanged', async () => {
    const pool = fs.readFileSync(path.join(built.dir, 'pool.txt'), 'utf8').split('\n').filter(Boolean);
    const { body } = await gql(gw, `query($img: String!) {
      text: redirect(input: { text: ${JSON.stringify(UNSAFE)}, strategy: RETRIEVE }) { output redirected strategy before { unsafe } after { unsafe modality } }
      image: redirect(input: { image: { base64: $img } }) { input output redirected strategy before { modality unsafe } after { modality unsafe } }
      safe: redirect(input: { text: ${JSON.stringify(SAFE)}, strategy: RETRIEVE }) { output redirected }
    }`, { img: red });
    expect(body.errors).toBeUndefined();
    const { text, image, safe } = body.data!;
    expect(text).toMatchObject({ redirected: true, strategy: 'RETRIEVE', before: { unsafe: true }, after: { unsafe: false, modality: 'TEXT' } });
    expect(pool).toContain(text.output);
    expect(image).toMatchObject({ input: null, redirected: true, strategy: 'RETRIEVE', before: { modality: 'IMAGE', unsafe: true }, after: { modality: 'TEXT', unsafe: false } });
    expect(pool).toContain(image.output);
    expect(safe).toEqual({ output: SAFE, redirected: false });
  });
});
