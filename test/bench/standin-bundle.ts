/**
 * A BENCHMARK STAND-IN with the shapes and costs of hysac-mini, for profiling and tuning the runtime before
 * the trained bundle exists. Random weights: its verdicts mean nothing (manifest `fixture: true`).
 *
 *   npx tsx test/bench/standin-bundle.ts [outDir]     (default: $TMPDIR/hysac-bench-standin-v1)
 *   npm run bench -- --bundle standin                  (builds it when missing, then benchmarks it)
 *
 * Text tower: the architecture of models/train/mini/model.ts at its configured sizes (word tokenizer, 64 ids,
 * vocabulary 36,000 + words of the project's own corpus files, token table [V, 64] = the baked first layer,
 * tanh, 64 -> 128, tanh, masked mean + max pooling, 256 -> 64). Image tower: models/hysac-mini/image-nsfw.onnx
 * (nsfwjs's MobileNetV2) with a 5 -> 64 projection of its logits appended, so the image cost is the real one.
 * The projection is appended by concatenating a second serialised `graph` field to the ModelProto: protobuf
 * merges repeated fields of a repeated singular message, so the node, initializer and output are added to
 * the graph without decoding it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GraphBuilder } from '../../src/onnx/graph';
import { DataType, ONNX_FIELDS as F, ProtoWriter } from '../../src/onnx/proto';
import type { Manifest } from '../../src/runtime/manifest-types';
import { createSession, releaseSession, runSession } from '../../src/runtime/ort';
import { WordTokenizer } from '../../src/runtime/tokenizers';
import { generatePrompts, rng } from './prompts';

const REPO = path.resolve(__dirname, '../..');
const DATA = path.join(REPO, 'models', 'hysac-mini', 'data');
const NSFW_ONNX = path.join(REPO, 'models', 'hysac-mini', 'image-nsfw.onnx');
export const STANDIN_DIR = path.join(os.tmpdir(), 'hysac-bench-standin-v1');

const CTX = 64;
const H1 = 64;
const H2 = 128;
const D = 64;
const VOCAB_TARGET = 36000;

function normals(r: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - r();
    const u2 = r();
    const m = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = m * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export function vocabulary(): { vocab: string[]; unsafe: Set<string> } {
  const seen = new Set<string>();
  const add = (w: string): void => void seen.add(w);
  const pool = fs.readFileSync(path.join(DATA, 'pool.txt'), 'utf8');
  words(pool).forEach(add);
  generatePrompts(3000, 99).forEach((p) => words(p).forEach(add));
  const safeWords = new Set(seen);
  const unsafe = new Set<string>();
  for (const line of fs.readFileSync(path.join(DATA, 'lexicon.tsv'), 'utf8').split('\n').slice(1)) {
    const [, term, replacement] = line.split('\t');
    if (!term) continue;
    words(replacement ?? '').forEach(add);
    for (const w of words(term)) {
      add(w);
      if (w.length > 3 && !safeWords.has(w)) unsafe.add(w);
    }
  }
  const r = rng(5);
  const syl = ['ka', 'ro', 'mi', 'zen', 'tor', 'el', 'qua', 'vin', 'sh', 'ly', 'dax', 'or', 'ith', 'ba', 'te', 'pu'];
  while (seen.size < VOCAB_TARGET - 2) seen.add(Array.from({ length: 2 + Math.floor(r() * 3) }, () => syl[Math.floor(r() * syl.length)]).join(''));
  return { vocab: ['<pad>', '<unk>', ...[...seen].sort()], unsafe };
}

/**
 * The stand-in text tower. `bakeSecondLayer`: the same function with both per-token layers precomputed into
 * the table (h2 = tanh(tanh(E W1 + b1) W2 + b2) depends only on the token id, so Gather(T2, ids) replaces the
 * [N, L, 64] x [64, 128] MatMul and two Tanh): the experiment behind the suggestion to the exporter in FINDINGS.md.
 */
export function textGraph(vocab: string[], unsafe: Set<string>, bakeSecondLayer = false): Uint8Array {
  const r = rng(20250611);
  const V = vocab.length;
  const table = normals(r, V * H1, 0.6);
  // Words of the unsafe lexicon get a strong push along one direction, so that some texts are far out.
  vocab.forEach((w, id) => {
    if (id < 2) table.fill(0, id * H1, id * H1 + H1);
    else if (unsafe.has(w)) for (let j = 0; j < 8; j++) table[id * H1 + j] = 3;
  });
  const w2 = normals(r, H1 * H2, 1 / Math.sqrt(H1));
  const b2 = new Float32Array(H2);
  const w3 = normals(r, 2 * H2 * D, 0.5 / Math.sqrt(2 * H2));
  const b3 = new Float32Array(D);
  const b = new GraphBuilder('standin_text');
  b.input('input_ids', 'int64', ['N', CTX]);
  let h2: string;
  if (bakeSecondLayer) {
    const t2 = new Float32Array(V * H2);
    for (let id = 0; id < V; id++) {
      for (let k = 0; k < H2; k++) {
        let acc = b2[k];
        for (let j = 0; j < H1; j++) acc += Math.tanh(table[id * H1 + j]) * w2[j * H2 + k];
        t2[id * H2 + k] = Math.tanh(acc);
      }
    }
    h2 = b.op('Gather', [b.initializer('token_table2', t2, [V, H2]), 'input_ids'], { axis: 0 });
  } else {
    const h1 = b.op('Tanh', [b.op('Gather', [b.initializer('token_table', table, [V, H1]), 'input_ids'], { axis: 0 })]);
    h2 = b.op('Tanh', [b.op('Add', [b.op('MatMul', [h1, b.initializer('w2', w2, [H1, H2])]), b.initializer('b2', b2, [H2])])]);
  }
  const keep = b.op('Not', [b.op('Equal', ['input_ids', b.constInt64([0], [], 'pad_id')])]);
  const mask = b.op('Unsqueeze', [b.op('Cast', [keep], { to: 1 }), b.constInt64([2], [1], 'axis2')]);
  const axis1 = b.constInt64([1], [1], 'axis1');
  const count = b.op('ReduceSum', [mask, axis1], { keepdims: 0 });
  const one = b.constFloat([1], [], 'one');
  const mean = b.op('Div', [b.op('ReduceSum', [b.op('Mul', [h2, mask]), axis1], { keepdims: 0 }), b.op('Max', [count, one])]);
  const pen = b.op('Mul', [b.op('Sub', [mask, one]), b.constFloat([1e4], [], 'big')]);
  const max = b.op('Mul', [b.op('ReduceMax', [b.op('Add', [h2, pen])], { axes: [1], keepdims: 0 }), b.op('Min', [count, one])]);
  const pooled = b.op('Concat', [mean, max], { axis: 1 });
  const v = b.op('Add', [b.op('MatMul', [pooled, b.initializer('w3', w3, [2 * H2, D])]), b.initializer('b3', b3, [D])]);
  b.node('Identity', [v], ['embedding']);
  b.output('embedding', 'float32', ['N', D]);
  return b.toModelBytes({ docString: 'hysac-gateway BENCHMARK STAND-IN text tower: random weights' });
}

/** image-nsfw.onnx + MatMul(logits [N, 5], P [5, 64]) -> embedding [N, 64], appended as a second graph field. */
function imageGraph(): Uint8Array {
  const base = fs.readFileSync(NSFW_ONNX);
  const r = rng(11);
  const p = normals(r, 5 * D, 0.15);
  const w = new ProtoWriter(4096);
  w.messageField(F.model.graph, (g) => {
    g.messageField(F.graph.node, (n) => {
      n.stringField(F.node.input, 'logits').stringField(F.node.input, 'standin_projection');
      n.stringField(F.node.output, 'embedding').stringField(F.node.name, 'standin_projection_matmul').stringField(F.node.opType, 'MatMul');
    });
    g.messageField(F.graph.initializer, (t) => {
      t.repeatedInt64s(F.tensor.dims, [5, D]).int64Field(F.tensor.dataType, DataType.FLOAT).stringField(F.tensor.name, 'standin_projection');
      t.bytesField(F.tensor.rawData, new Uint8Array(p.buffer.slice(0)));
    });
    g.messageField(F.graph.output, (vi) => {
      vi.stringField(F.valueInfo.name, 'embedding');
      vi.messageField(F.valueInfo.type, (tp) =>
        tp.messageField(F.typeProto.tensorType, (tt) => {
          tt.int64Field(F.typeTensor.elemType, DataType.FLOAT);
          tt.messageField(F.typeTensor.shape, (s) => {
            s.messageField(F.tensorShape.dim, (d) => d.stringField(F.dimension.dimParam, 'N'));
            s.messageField(F.tensorShape.dim, (d) => d.int64Field(F.dimension.dimValue, D));
          });
        }),
      );
    });
  });
  const extra = w.finish();
  const out = new Uint8Array(base.length + extra.length);
  out.set(base, 0);
  out.set(extra, base.length);
  return out;
}

function stats(xs: number[]): { mean: number; p5: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return { mean: r3(s.reduce((a, b) => a + b, 0) / s.length), p5: r3(q(0.05)), p95: r3(q(0.95)) };
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Builds the stand-in into `outDir` unless a complete one is there already; returns the folder. */
export async function buildStandinBundle(outDir = STANDIN_DIR): Promise<string> {
  if (fs.existsSync(path.join(outDir, 'manifest.json'))) return outDir;
  if (!fs.existsSync(NSFW_ONNX)) throw new Error(`${NSFW_ONNX} is missing (npx tsx models/convert/nsfwjs-to-onnx.ts builds it)`);
  const { vocab, unsafe } = vocabulary();
  const text = textGraph(vocab, unsafe);
  const image = imageGraph();
  const files: Record<string, Uint8Array | string> = {
    'vocab.txt': vocab.join('\n') + '\n',
    'text.onnx': text,
    'image.onnx': image,
    'anchors.tsv': fs.readFileSync(path.join(DATA, 'anchors.tsv'), 'utf8'),
    'pool.txt': fs.readFileSync(path.join(DATA, 'pool.txt'), 'utf8'),
  };
  // Calibration of the random tower on project-owned texts only: pool prompts (safe) and lexicon terms (unsafe).
  const tokenizer = new WordTokenizer(vocab, { contextLength: CTX });
  const session = await createSession(text);
  const dist = async (texts: string[]): Promise<number[]> => {
    const ids = new BigInt64Array(texts.length * CTX);
    texts.forEach((t, i) => tokenizer.encode(t).forEach((v, j) => (ids[i * CTX + j] = BigInt(v))));
    const out = (await runSession(session, { input_ids: { data: ids, dims: [texts.length, CTX] } }))['embedding'].data;
    return texts.map((_, i) => Math.asinh(Math.hypot(...out.subarray(i * D, (i + 1) * D))));
  };
  const safe = await dist((files['pool.txt'] as string).split('\n').filter(Boolean).slice(0, 1000));
  const lexicon = fs.readFileSync(path.join(DATA, 'lexicon.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[1]).filter(Boolean);
  const bad = await dist(lexicon);
  await releaseSession(session);
  const safeStats = stats(safe);
  const measured = stats(bad);
  // Random weights separate poorly; keep the manifest's ordering invariants (unsafe mean beyond the safe p95).
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const unsafeStats = measured.mean > safeStats.p95 + 0.1 ? measured : { mean: r3(safeStats.p95 + 0.4), p5: r3(safeStats.p95 + 0.1), p95: r3(safeStats.p95 + 0.8) };
  const threshold = Math.round((safeStats.p95 + 0.02) * 100) / 100;
  const manifest: Manifest = {
    formatVersion: 1,
    name: 'bench-standin',
    description: 'BENCHMARK STAND-IN with random weights and the shapes of hysac-mini: it only measures speed. Never use it to moderate content.',
    fixture: true,
    provenance: { source: 'random weights (test/bench/standin-bundle.ts) + nsfwjs MobileNetV2 (models/hysac-mini/image-nsfw.onnx)', license: 'MIT', rebuild: 'npx tsx test/bench/standin-bundle.ts', files: {} },
    embeddingDim: D,
    curvature: 1,
    outputs: 'tangent',
    alpha: { text: 1, image: 1 },
    text: { model: 'text.onnx', input: 'input_ids', output: 'embedding', inputType: 'int64', tokenizer: { type: 'word', vocab: 'vocab.txt', contextLength: CTX } },
    image: {
      model: 'image.onnx',
      input: 'pixel_values',
      output: 'embedding',
      preprocess: { size: 224, resize: 'stretch', crop: 'none', kernel: 'linear', scale: 255, mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW', background: [0, 0, 0] },
    },
    bounds: { safeText: safeStats, unsafeText: unsafeStats, safeImage: { mean: 1, p5: 0.5, p95: 1.5 }, unsafeImage: { mean: 3, p5: 2.5, p95: 3.5 } },
    threshold: { text: threshold, image: 2 },
    coneK: 0.1,
    anchors: 'anchors.tsv',
    pool: 'pool.txt',
  };
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    fs.writeFileSync(path.join(outDir, name), data);
    manifest.provenance.files[name] = sha256(data);
  }
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return outDir;
}

if (require.main === module) {
  buildStandinBundle(process.argv[2] ? path.resolve(process.argv[2]) : STANDIN_DIR).then(
    (dir) => console.log(`stand-in bundle: ${dir}`),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
