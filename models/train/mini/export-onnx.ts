/**
 * Writes the hysac-mini text tower as ONNX with the project's writer (src/onnx). Same computation as
 * TextTower.encode (model.ts), with the first per-token layer baked into the token table:
 *
 *   input_ids int64 [N, L]
 *   h1     = Tanh(Gather(T, input_ids))              T = E W1 + b1   [V, H1]            [N, L, H1]
 *   h2     = Tanh(MatMul(h1, W2) + b2)                                                  [N, L, H2]
 *   mask   = Unsqueeze(Cast(input_ids != 0))                                             [N, L, 1]
 *   count  = ReduceSum(mask, axis 1)                                                     [N, 1]
 *   mean   = ReduceSum(h2 * mask, axis 1) / Max(count, 1)                               [N, H2]
 *   max    = ReduceMax(h2 + (mask - 1) * 1e4, axis 1) * Min(count, 1)                    [N, H2]
 *   p      = Concat(mean, max)                                                           [N, 2 H2]
 *   dir    = MatMul(p, W3) + b3;  unit = dir / Sqrt(Max(ReduceSum(dir^2), 1e-12))       [N, D]
 *   rad    = Softplus(MatMul(Tanh(MatMul(p, Wr) + br), wr2) + br2)                      [N, 1]
 *   embedding = unit * (rad * sqrt(D))             tangent vector at the origin, before alpha   [N, D]
 */
import { GraphBuilder } from '../../../src/onnx/graph';
import type { TowerShape, TowerWeights } from './model';

export const TEXT_INPUT = 'input_ids';
export const TEXT_OUTPUT = 'embedding';

export interface TextOnnxOptions {
  contextLength: number;
  /** Doc string of the model. */
  docString: string;
}

/** Serialised text.onnx. `table` is TextTower.bakedTable() ([vocabSize, H1]). */
export function buildTextOnnx(shape: TowerShape, table: Float32Array, w: TowerWeights, o: TextOnnxOptions): Uint8Array {
  const { vocabSize: V, hidden1: H1, hidden2: H2, radiusHidden: HR, dim: D } = shape;
  if (table.length !== V * H1) throw new Error(`token table has ${table.length} values, expected ${V * H1}`);
  const f32 = (a: number[]): Float32Array => Float32Array.from(a);
  const b = new GraphBuilder('hysac_mini_text');
  b.input(TEXT_INPUT, 'int64', ['N', o.contextLength]);

  const h1 = b.op('Tanh', [b.op('Gather', [b.initializer('token_table', table, [V, H1]), TEXT_INPUT], { axis: 0 })]);
  const h2 = b.op('Tanh', [b.op('Add', [b.op('MatMul', [h1, b.initializer('w2', f32(w.w2), [H1, H2])]), b.initializer('b2', f32(w.b2), [H2])])]);

  const keep = b.op('Not', [b.op('Equal', [TEXT_INPUT, b.constInt64([0], [], 'pad_id')])]);
  const mask = b.op('Unsqueeze', [b.op('Cast', [keep], { to: 1 }), b.constInt64([2], [1], 'axis2')]);
  const axis1 = b.constInt64([1], [1], 'axis1');
  const one = b.constFloat([1], [], 'one');
  const count = b.op('ReduceSum', [mask, axis1], { keepdims: 0 });
  const mean = b.op('Div', [b.op('ReduceSum', [b.op('Mul', [h2, mask]), axis1], { keepdims: 0 }), b.op('Max', [count, one])]);
  const penalty = b.op('Mul', [b.op('Sub', [mask, one]), b.constFloat([1e4], [], 'big')]);
  const max = b.op('Mul', [b.op('ReduceMax', [b.op('Add', [h2, penalty])], { axes: [1], keepdims: 0 }), b.op('Min', [count, one])]);
  const pooled = b.op('Concat', [mean, max], { axis: 1 });

  const dir = b.op('Add', [b.op('MatMul', [pooled, b.initializer('w3', f32(w.w3), [2 * H2, D])]), b.initializer('b3', f32(w.b3), [D])]);
  const ss = b.op('ReduceSum', [b.op('Mul', [dir, dir]), axis1], { keepdims: 1 });
  const unit = b.op('Div', [dir, b.op('Sqrt', [b.op('Max', [ss, b.constFloat([1e-12], [], 'tiny')])])]);
  const hr = b.op('Tanh', [b.op('Add', [b.op('MatMul', [pooled, b.initializer('wr', f32(w.wr), [2 * H2, HR])]), b.initializer('br', f32(w.br), [HR])])]);
  const rad = b.op('Softplus', [b.op('Add', [b.op('MatMul', [hr, b.initializer('wr2', f32(w.wr2), [HR, 1])]), b.constFloat([w.br2], [1], 'br2')])]);
  const scaled = b.op('Mul', [rad, b.constFloat([Math.sqrt(D)], [], 'sqrt_dim')]);
  b.node('Mul', [unit, scaled], [TEXT_OUTPUT]);
  b.output(TEXT_OUTPUT, 'float32', ['N', D]);
  return b.toModelBytes({ docString: o.docString });
}
