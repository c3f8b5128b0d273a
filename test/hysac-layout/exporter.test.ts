/**
 * The Python exporter (models/export/), as far as this machine allows:
 *
 *  1. bundle_writer.py, standard library only: its unit tests, then a bundle it writes from the HySAC-layout
 *     test graphs (build-bundle.ts) with a HySAC-format hysac_bounds.json, served by the gateway. This pins
 *     what the Python side emits (manifest fields, sha256s, bounds policy, the Hugging Face vocab.json +
 *     merges.txt converted from OpenAI's file) to what the gateway accepts.
 *  2. test_export_core.py: hysac_to_bundle.export_bundle end to end (reference lift, ONNX export, the 1e-4
 *     agreement check, bounds, thresholds, writing, refusal) on a stand-in model with HySAC's parameter layout,
 *     then the gateway on the bundle. Needs torch + onnx (e.g. Debian's python3-torch and python3-onnx) in
 *     some Python ($HYSAC_EXPORT_PYTHON, python3 or /usr/bin/python3); runs ONNX in onnxruntime-node when
 *     Python's onnxruntime is missing. SKIPPED with a message otherwise.
 *  3. test_tiny_export.py: the whole export (PyTorch + transformers' CLIP + peft + ONNX + ONNX Runtime) on a
 *     tiny random model wrapped like HySAC, then the gateway on the bundle it wrote. Needs torch, transformers,
 *     peft, onnx and onnxruntime importable by `python3` (or $HYSAC_EXPORT_PYTHON); SKIPPED with a message
 *     when they are not.
 *
 * Both need OpenAI's CLIP merges beside the repository (../shared/eval/clip_tokenizer); skipped without them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Gateway } from '../../src/main';
import { loadBundle } from '../../src/runtime/bundle';
import { gql, startTestGateway } from '../helpers/gateway';
import { buildHysacLayoutBundle, REPO, SHARED_MERGES, solidPng } from './build-bundle';

const PYTHON = process.env.HYSAC_EXPORT_PYTHON ?? 'python3';
const EXPORT_DIR = path.join(REPO, 'models', 'export');

function python(args: string[], timeoutMs = 120_000, exe = PYTHON) {
  return spawnSync(exe, args, { cwd: REPO, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
}

/** The first Python that imports torch + onnx + numpy + PIL (for test_export_core.py), or null. */
const corePython = [...new Set([PYTHON, 'python3', '/usr/bin/python3'])].find((exe) => python(['-c', 'import torch, onnx, numpy, PIL'], 120_000, exe).status === 0) ?? null;

const havePython = python(['-c', 'import sys; assert sys.version_info >= (3, 9)']).status === 0;
const haveMerges = fs.existsSync(SHARED_MERGES);
const torchProbe = havePython ? python(['-c', 'import torch, transformers, peft, onnx, onnxruntime, numpy, PIL']) : null;
const haveTorch = torchProbe?.status === 0;

const whyNoWriter = !havePython ? `${PYTHON} (Python >= 3.9) is not available` : !haveMerges ? `${SHARED_MERGES} is missing` : null;
const whyNoTiny =
  whyNoWriter ??
  (haveTorch
    ? null
    : `torch/transformers/peft/onnx/onnxruntime are not importable by ${PYTHON} (${(torchProbe?.stderr ?? '').trim().split('\n').pop()}); install them with pip install -r models/export/requirements.txt, or point HYSAC_EXPORT_PYTHON at a Python that has them`);
const whyNoCore = whyNoWriter ?? (corePython ? null : `no Python here imports torch + onnx + numpy + PIL (tried ${[...new Set([PYTHON, 'python3', '/usr/bin/python3'])].join(', ')}; e.g. apt-get install python3-torch python3-onnx)`);
if (whyNoWriter) console.warn(`exporter tests skipped: ${whyNoWriter}`);
else {
  if (whyNoCore) console.warn(`export-core test SKIPPED: ${whyNoCore}`);
  if (whyNoTiny) console.warn(`tiny-model export test SKIPPED: ${whyNoTiny}`);
}

const SAFE = 'a photo of a cat sitting on a sofa in a sunny living room';
const UNSAFE = 'a photo of a naked woman covered in blood';

describe('bundle_writer.py (standard library only)', () => {
  if (whyNoWriter) {
    test.skip(`skipped: ${whyNoWriter}`, () => undefined);
    return;
  }
  let tmp: string;
  let gw: Gateway | undefined;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'py-writer-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('unit tests pass', () => {
    const r = python([path.join(EXPORT_DIR, 'test_bundle_writer.py')]);
    expect(`${r.stderr}`).toMatch(/\nOK\s*$/);
    expect(r.status).toBe(0);
  });

  test('a bundle it writes from HySAC-layout graphs is accepted and served by the gateway', async () => {
    const layout = await buildHysacLayoutBundle(path.join(tmp, 'layout'));
    const out = path.join(tmp, 'written');
    const r = python([path.join(EXPORT_DIR, 'test_bundle_writer.py'), '--write-bundle', out, '--from', layout.dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary.notes).toMatch(/p95 from hysac_bounds.json S\.up_95/);

    const bundle = await loadBundle(out); // manifest validation + every sha256
    expect(bundle.manifest.text.tokenizer).toEqual({ type: 'clip-bpe', merges: 'merges.txt', vocab: 'vocab.json', contextLength: 77 });
    expect(Object.keys(bundle.manifest.provenance.files).sort()).toEqual(['REPORT.md', 'anchors.tsv', 'image.onnx', 'merges.txt', 'pool.txt', 'text.onnx', 'vocab.json']);
    // vocab.json + merges.txt converted from OpenAI's file tokenize exactly like OpenAI's file.
    const original = await loadBundle(layout.dir);
    for (const t of [SAFE, UNSAFE, "I'm fine, thanks!", 'donaudampfschifffahrtsgesellschaftskapitänsmütze', 'corazón 2025 まあ']) {
      expect(Array.from(bundle.tokenizer.encode(t))).toEqual(Array.from(original.tokenizer.encode(t)));
    }

    gw = await startTestGateway({ modelDir: out });
    const red = (await solidPng([250, 10, 10])).toString('base64');
    const grey = (await solidPng([128, 128, 128])).toString('base64');
    const { body } = await gql(gw, `query($red: String!, $grey: String!) {
      model { name tokenizer contextLength imageSize curvature threshold { text image } }
      safe: classify(input: { text: ${JSON.stringify(SAFE)} }) { unsafe }
      unsafe: classify(input: { text: ${JSON.stringify(UNSAFE)} }) { unsafe }
      red: classify(input: { image: { base64: $red } }) { unsafe }
      grey: classify(input: { image: { base64: $grey } }) { unsafe }
      redirect(input: { text: ${JSON.stringify(UNSAFE)}, strategy: RETRIEVE }) { redirected after { unsafe } }
    }`, { red, grey });
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    expect(d.model).toMatchObject({ name: 'python-writer-test', tokenizer: 'clip-bpe', contextLength: 77, imageSize: 224, curvature: 0.5, threshold: summary.threshold });
    expect([d.safe.unsafe, d.unsafe.unsafe, d.red.unsafe, d.grey.unsafe]).toEqual([false, true, true, false]);
    expect(d.redirect).toEqual({ redirected: true, after: { unsafe: false } });
  });
});

describe('test_export_core.py: export_bundle end to end on a stand-in model with HySAC\'s parameter layout', () => {
  if (whyNoCore) {
    test.skip(`SKIPPED: ${whyNoCore}`, () => undefined);
    return;
  }
  let tmp: string;
  let gw: Gateway | undefined;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-core-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('verifies, writes a bundle the gateway serves, and refuses to write when the check fails', async () => {
    const out = path.join(tmp, 'bundle');
    const r = python([path.join(EXPORT_DIR, 'test_export_core.py'), '--out', out, '--merges', SHARED_MERGES], 600_000, corePython!);
    if (r.status !== 0) throw new Error(`test_export_core.py exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary.agreement_fp32_worst).toBeLessThanOrEqual(1e-4);
    expect(fs.existsSync(`${out}-refused`)).toBe(false);

    gw = await startTestGateway({ modelDir: out });
    const img = (await solidPng([30, 120, 200])).toString('base64');
    const { body } = await gql(gw, `query($img: String!) {
      model { name tokenizer contextLength imageSize embeddingDim curvature threshold { text image } }
      embed(input: { text: ${JSON.stringify(SAFE)} }) { space time distance curvature }
      t: classify(input: { text: ${JSON.stringify(UNSAFE)} }) { unsafe distance threshold }
      i: classify(input: { image: { base64: $img } }) { unsafe distance threshold }
      r: redirect(input: { text: ${JSON.stringify(UNSAFE)}, strategy: RETRIEVE }) { redirected before { unsafe } }
    }`, { img });
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    expect(d.model).toMatchObject({ name: 'export-core-test', tokenizer: 'clip-bpe', contextLength: 77, imageSize: 224, embeddingDim: 8, threshold: summary.threshold });
    expect(d.model.curvature).toBeCloseTo(0.5, 6);
    expect(d.embed.time ** 2 - d.embed.space.reduce((s: number, x: number) => s + x * x, 0)).toBeCloseTo(1 / d.embed.curvature, 5);
    for (const c of [d.t, d.i]) expect(c.unsafe).toBe(c.distance >= c.threshold);
    expect(d.r.redirected).toBe(d.r.before.unsafe);
  }, 600_000);
});

describe('test_tiny_export.py: the whole exporter on a tiny random HySAC-shaped model', () => {
  if (whyNoTiny) {
    test.skip(`SKIPPED: ${whyNoTiny}`, () => undefined);
    return;
  }
  let tmp: string;
  let summary: { bundle: string; variant: string; agreement_fp32_worst: number; threshold: { text: number; image: number } };
  const gateways: Gateway[] = [];
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-export-'));
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('exports, verifies (<= 1e-4 on lifted embeddings) and writes the bundle and its int8 variant', () => {
    const r = python([path.join(EXPORT_DIR, 'test_tiny_export.py'), '--out', path.join(tmp, 'bundle'), '--merges', SHARED_MERGES], 900_000);
    if (r.status !== 0) throw new Error(`test_tiny_export.py exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary.agreement_fp32_worst).toBeLessThanOrEqual(1e-4);
  }, 900_000);

  test('the gateway serves it: embed, classify, redirect', async () => {
    expect(summary).toBeDefined();
    const gw = await startTestGateway({ modelDir: summary.bundle });
    gateways.push(gw);
    const img = (await solidPng([30, 120, 200])).toString('base64');
    const { body } = await gql(gw, `query($img: String!) {
      model { name tokenizer contextLength imageSize embeddingDim }
      embed(input: { text: ${JSON.stringify(SAFE)} }) { space time distance curvature }
      t: classify(input: { text: ${JSON.stringify(UNSAFE)} }) { unsafe distance threshold }
      i: classify(input: { image: { base64: $img } }) { unsafe distance threshold }
      many: classifyMany(inputs: [{ text: "a dog" }, { image: { base64: $img } }]) { modality unsafe }
      r: redirect(input: { text: ${JSON.stringify(UNSAFE)}, strategy: RETRIEVE }) { redirected before { unsafe } after { unsafe } }
    }`, { img });
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    expect(d.model).toMatchObject({ name: 'tiny-hysac-test', tokenizer: 'clip-bpe', contextLength: 77, imageSize: 224, embeddingDim: 16 });
    const e = d.embed;
    expect(e.curvature).toBeCloseTo(0.5, 6);
    expect(e.time ** 2 - e.space.reduce((s: number, x: number) => s + x * x, 0)).toBeCloseTo(1 / e.curvature, 4);
    for (const c of [d.t, d.i]) expect(c.unsafe).toBe(c.distance >= c.threshold);
    expect(d.many.map((c: { modality: string }) => c.modality)).toEqual(['TEXT', 'IMAGE']);
    expect(d.r.redirected).toBe(d.r.before.unsafe);
  });

  test('the int8 variant loads and classifies', async () => {
    expect(summary).toBeDefined();
    const gw = await startTestGateway({ modelDir: summary.variant });
    gateways.push(gw);
    const { body } = await gql(gw, `{ model { name } classify(input: { text: ${JSON.stringify(SAFE)} }) { distance } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.model.name).toBe('tiny-hysac-test-int8');
  });
});
