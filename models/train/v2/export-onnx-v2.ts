/**
 * Writes hysac-mini v2's text tower (encoder.ts) as ONNX with the project's writer (src/onnx), reading words
 * through the int8 vocabulary and unknown words through the subword table (vocab-v2.ts), as the gateway's word
 * tokenizer feeds them (manifest text.tokenizer.subwords; src/runtime/tokenizers/subwords.ts):
 *
 *   input_ids    int64 [N, L]   0 pad, 1 <unk>, 2..V-1 words, V + r: the word whose n-grams are row r of subword_ids
 *   subword_ids  int64 [U, S]   n-gram ids (ngrams.txt lines; 0 = empty slot), at least one row
 *
 *   deq(T, i)  = Cast(Gather(T.q, i)) * Gather(T.scale, i)                     int8 row times its scale
 *   sub        = ReduceSum(deq(G, subword_ids), axis 1) / max(#nonzero slots, 1)      [U, 100]
 *   isSub      = input_ids >= V
 *   e          = Where(isSub, Gather(sub, input_ids - V), deq(E, input_ids))          [N, L, 100]
 *   m          = Cast(input_ids != 0)
 *   then exactly Encoder.encode (encoder.ts): input projection + positions[:L], pre-norm blocks
 *   (LayerNormalization, 4-head attention with the key mask as -1e9 bias, ReLU feed-forward), final norm,
 *   masked mean + max pooling, direction and radius heads  ->  embedding float32 [N, 64] (tangent, before alpha)
 *
 * G's and E's row 0 are zero (scale 0), so empty slots add nothing to the sum; only the count needs the mask.
 */
import { GraphBuilder } from '../../../src/onnx/graph';
import { GLOVE_DIM } from '../mini/config';
import { LN_EPS, type EncoderShape, type EncoderWeights } from './encoder';
import type { Int8Table } from './vocab-v2';

export const TEXT_INPUT = 'input_ids';
export const SUBWORD_INPUT = 'subword_ids';
export const TEXT_OUTPUT = 'embedding';

export function buildTextOnnxV2(shape: EncoderShape, w: EncoderWeights, words: Int8Table, grams: Int8Table, docString: string): Uint8Array {
  const b = new GraphBuilder('hysac_mini_v2_text');
  b.input(TEXT_INPUT, 'int64', ['N', 'L']);
  b.input(SUBWORD_INPUT, 'int64', ['U', 'S']);
  const f32 = (name: string, dims: number[]): string => b.initializer(name, Float32Array.from(w[name]), dims);
  const d = shape.width;
  const H = shape.heads;
  const dh = d / H;
  const i64 = (vals: number[], dims: number[], name: string): string => b.constInt64(vals, dims, name);
  const last = i64([-1], [1], 'axis_last');
  const axis1 = i64([1], [1], 'axis1');
  const one = b.constFloat([1], [], 'one');

  const deq = (table: Int8Table, name: string, idx: string): string =>
    b.op('Mul', [
      b.op('Cast', [b.op('Gather', [b.initializer(`${name}_q`, table.q, [table.rows, GLOVE_DIM]), idx], { axis: 0 })], { to: 1 }),
      b.op('Unsqueeze', [b.op('Gather', [b.initializer(`${name}_scale`, table.scale, [table.rows]), idx], { axis: 0 }), last]),
    ]);

  // Subword vectors of the batch's unknown words.
  const slotMask = b.op('Cast', [b.op('Greater', [SUBWORD_INPUT, i64([0], [], 'zero_i64')])], { to: 1 });
  const slotCount = b.op('Max', [b.op('ReduceSum', [slotMask, axis1], { keepdims: 1 }), one]);
  const sub = b.op('Div', [b.op('ReduceSum', [deq(grams, 'ngram_rows', SUBWORD_INPUT), axis1], { keepdims: 0 }), slotCount]);

  const V = i64([words.rows], [], 'vocab_size');
  const zero = i64([0], [], 'zero_id');
  const isSub = b.op('GreaterOrEqual', [TEXT_INPUT, V]);
  const wordIds = b.op('Where', [isSub, zero, TEXT_INPUT]);
  const subIds = b.op('Where', [isSub, b.op('Sub', [TEXT_INPUT, V]), zero]);
  const e = b.op('Where', [b.op('Unsqueeze', [isSub, last]), b.op('Gather', [sub, subIds], { axis: 0 }), deq(words, 'word_rows', wordIds)]);
  const m = b.op('Cast', [b.op('Not', [b.op('Equal', [TEXT_INPUT, zero])])], { to: 1 }); // [N, L]

  // Input projection and positions [:L].
  const L = b.op('Slice', [b.op('Shape', [TEXT_INPUT]), axis1, i64([2], [1], 'two'), i64([0], [1], 'axis0')]);
  const pos = b.op('Slice', [f32('pos', [shape.positions, d]), i64([0], [1], 'start0'), L, i64([0], [1], 'axis0b')]);
  let h = b.op('Add', [b.op('Add', [b.op('MatMul', [e, f32('w_in', [shape.input, d])]), f32('b_in', [d])]), pos]);

  // Key mask bias [N, 1, 1, L].
  const bias = b.op('Unsqueeze', [b.op('Mul', [b.op('Sub', [m, one]), b.constFloat([1e9], [], 'big')]), i64([1, 2], [2], 'axes12')]);
  const ln = (x: string, name: string): string => b.op('LayerNormalization', [x, f32(`${name}.g`, [d]), f32(`${name}.b`, [d])], { axis: -1, epsilon: { float: LN_EPS } });
  const splitHeads = i64([0, 0, H, dh], [4], 'split_heads');
  const mergeHeads = i64([0, 0, d], [3], 'merge_heads');
  const invSqrt = b.constFloat([1 / Math.sqrt(dh)], [], 'inv_sqrt_dh');
  for (let l = 0; l < shape.layers; l++) {
    const p = `l${l}`;
    const a = ln(h, `${p}.ln1`);
    const proj = (k: string): string => b.op('Reshape', [b.op('MatMul', [a, f32(`${p}.${k}`, [d, d])]), splitHeads]); // [N, L, H, dh]
    const q = b.op('Transpose', [proj('wq')], { perm: [0, 2, 1, 3] });
    const kT = b.op('Transpose', [proj('wk')], { perm: [0, 2, 3, 1] });
    const v = b.op('Transpose', [proj('wv')], { perm: [0, 2, 1, 3] });
    const att = b.op('Softmax', [b.op('Add', [b.op('Mul', [b.op('MatMul', [q, kT]), invSqrt]), bias])], { axis: -1 });
    const ctx = b.op('Reshape', [b.op('Transpose', [b.op('MatMul', [att, v])], { perm: [0, 2, 1, 3] }), mergeHeads]);
    h = b.op('Add', [h, b.op('Add', [b.op('MatMul', [ctx, f32(`${p}.wo`, [d, d])]), f32(`${p}.bo`, [d])])]);
    const fIn = ln(h, `${p}.ln2`);
    const ff = b.op('Add', [b.op('MatMul', [b.op('Relu', [b.op('Add', [b.op('MatMul', [fIn, f32(`${p}.w1`, [d, shape.ffn])]), f32(`${p}.b1`, [shape.ffn])])]), f32(`${p}.w2`, [shape.ffn, d])]), f32(`${p}.b2`, [d])]);
    h = b.op('Add', [h, ff]);
  }
  const z = ln(h, 'lnf');

  // Masked mean + max pooling.
  const m3 = b.op('Unsqueeze', [m, i64([2], [1], 'axis2')]);
  const n = b.op('ReduceSum', [m, axis1], { keepdims: 1 }); // [N, 1]
  const mean = b.op('Div', [b.op('ReduceSum', [b.op('Mul', [z, m3]), axis1], { keepdims: 0 }), b.op('Max', [n, one])]);
  const max = b.op('Mul', [b.op('ReduceMax', [b.op('Add', [z, b.op('Mul', [b.op('Sub', [m3, one]), b.constFloat([1e4], [], 'pad_penalty')])])], { axes: [1], keepdims: 0 }), b.op('Min', [n, one])]);
  const pooled = b.op('Concat', [mean, max], { axis: 1 });

  // Heads.
  const dir = b.op('Add', [b.op('MatMul', [pooled, f32('w_dir', [2 * d, shape.dim])]), f32('b_dir', [shape.dim])]);
  const unit = b.op('Div', [dir, b.op('Sqrt', [b.op('Max', [b.op('ReduceSum', [b.op('Mul', [dir, dir]), axis1], { keepdims: 1 }), b.constFloat([1e-12], [], 'tiny')])])]);
  const rad = b.op('Softplus', [b.op('Add', [b.op('MatMul', [b.op('Tanh', [b.op('Add', [b.op('MatMul', [pooled, f32('w_r', [2 * d, shape.radiusHidden])]), f32('b_r', [shape.radiusHidden])])]), f32('w_r2', [shape.radiusHidden, 1])]), f32('b_r2', [1])])]);
  b.node('Mul', [unit, b.op('Mul', [rad, b.constFloat([Math.sqrt(shape.dim)], [], 'sqrt_dim')])], [TEXT_OUTPUT]);
  b.output(TEXT_OUTPUT, 'float32', ['N', shape.dim]);
  return b.toModelBytes({ docString });
}
