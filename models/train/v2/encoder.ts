/**
 * hysac-mini v2's text tower in TensorFlow.js: a small transformer over frozen word vectors, lifted to the
 * hyperboloid as in HySAC. export-onnx-v2.ts writes the same computation as ONNX (the parity check in
 * train-v2.ts compares the two).
 *
 *   e      [N, L, 100]   word vectors (vocabulary rows or subword means; frozen, inputs.ts); m_t = (token t is a word)
 *   h0     = e W_in + b_in + P[t]                       P: learnt positions (64 x d)                    [N, L, d]
 *   block (x layers, pre-norm):
 *     a    = LN(h);  q, k, v = a W_q, a W_k, a W_v   split into H heads of d/H
 *     h   += softmax(q k^T / sqrt(d/H) + (m - 1) 1e9) v W_o + b_o    (padding is never attended to)
 *     h   += relu(LN(h) W_1 + b_1) W_2 + b_2
 *   z      = LN_f(h)
 *   p      = [ sum_t m_t z_t / max(n, 1),  max_t (z_t + (m_t - 1) 1e4) * min(n, 1) ]               [N, 2d]
 *   dir    = p W_d + b_d;   rad = softplus(tanh(p W_r + b_r) w_r + c_r)
 *   v      = sqrt(D) rad dir / |dir|                  tangent vector at the origin, before alpha       [N, D]
 *
 * LN(x) = (x - mean) / sqrt(var + 1e-5) * g + b over the last axis (biased variance; ONNX
 * LayerNormalization). Attention lets a word's meaning depend on its neighbours ("without clothes" vs "without a
 * hat", "kill the lights"); masked mean + max pooling keeps v1's property that one unsafe word is not diluted by
 * twenty safe ones. Direction and radius heads as in v1 (models/train/mini/model.ts): the radius head says how
 * unsafe a prompt is, the direction what it shows, so an unsafe prompt can move out along its safe twin's
 * direction (the entailment cone).
 */
import { Prng } from '../../fixture/prng';
import { tf } from '../mini/tf';

export interface EncoderShape {
  /** Input vector width (GloVe: 100). */
  input: number;
  /** Model width d, heads H (d divisible by H), feed-forward width, layers, positions (max tokens). */
  width: number;
  heads: number;
  ffn: number;
  layers: number;
  positions: number;
  /** Radius head hidden width and embedding dimension D. */
  radiusHidden: number;
  dim: number;
}

export const LN_EPS = 1e-5;

/** Every parameter, by name, as flat arrays (what a checkpoint holds and the exporter reads). */
export type EncoderWeights = Record<string, number[]> & { logAlpha: number[]; logC: number[]; logitScale: number[] };

/** Box-Muller normals as v1's (mini/model.ts) but kept in float64: the committed v2 weights were drawn this way. */
function normals(prng: Prng, n: number, std: number): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - prng.uniform();
    const u2 = prng.uniform();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Parameter names and shapes, in a fixed order. */
export function parameterShapes(s: EncoderShape): [string, number[]][] {
  const out: [string, number[]][] = [
    ['w_in', [s.input, s.width]],
    ['b_in', [s.width]],
    ['pos', [s.positions, s.width]],
  ];
  for (let l = 0; l < s.layers; l++) {
    out.push(
      [`l${l}.ln1.g`, [s.width]],
      [`l${l}.ln1.b`, [s.width]],
      [`l${l}.wq`, [s.width, s.width]],
      [`l${l}.wk`, [s.width, s.width]],
      [`l${l}.wv`, [s.width, s.width]],
      [`l${l}.wo`, [s.width, s.width]],
      [`l${l}.bo`, [s.width]],
      [`l${l}.ln2.g`, [s.width]],
      [`l${l}.ln2.b`, [s.width]],
      [`l${l}.w1`, [s.width, s.ffn]],
      [`l${l}.b1`, [s.ffn]],
      [`l${l}.w2`, [s.ffn, s.width]],
      [`l${l}.b2`, [s.width]],
    );
  }
  out.push(
    ['lnf.g', [s.width]],
    ['lnf.b', [s.width]],
    ['w_dir', [2 * s.width, s.dim]],
    ['b_dir', [s.dim]],
    ['w_r', [2 * s.width, s.radiusHidden]],
    ['b_r', [s.radiusHidden]],
    ['w_r2', [s.radiusHidden, 1]],
    ['b_r2', [1]],
    ['logAlpha', [1]],
    ['logC', [1]],
    ['logitScale', [1]],
  );
  return out;
}

export const LOGIT_SCALE_INIT = Math.log(1 / 0.07);
export const LOGIT_SCALE_MAX = Math.log(100);

export function initialEncoderWeights(s: EncoderShape, seed: number, curvatureInit: number): EncoderWeights {
  const prng = new Prng(seed);
  const w: Record<string, number[]> = {};
  for (const [name, shape] of parameterShapes(s)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const leaf = name.split('.').pop()!;
    if (leaf === 'g') w[name] = new Array(n).fill(1);
    else if (name === 'pos') w[name] = normals(prng, n, 0.02);
    else if (shape.length === 2) w[name] = normals(prng, n, 1 / Math.sqrt(shape[0]));
    else w[name] = new Array(n).fill(0);
  }
  // Residual branches start small (GPT-2 style) so the stack starts near the identity.
  for (let l = 0; l < s.layers; l++) for (const k of ['wo', 'w2']) w[`l${l}.${k}`] = w[`l${l}.${k}`].map((x) => x / Math.sqrt(2 * s.layers));
  w.b_r2 = [1.35]; // softplus(1.35) = 1.58: every prompt starts between the safe and unsafe radii
  w.logAlpha = [Math.log(1 / Math.sqrt(s.dim))];
  w.logC = [Math.log(curvatureInit)];
  w.logitScale = [LOGIT_SCALE_INIT];
  return w as EncoderWeights;
}

export class Encoder {
  readonly vars: Record<string, tf.Variable>;

  constructor(
    readonly shape: EncoderShape,
    weights: EncoderWeights,
    readonly curvatureInit: number,
  ) {
    this.vars = {};
    for (const [name, dims] of parameterShapes(shape)) this.vars[name] = tf.variable(tf.tensor(weights[name], dims), true);
  }

  alpha(): tf.Scalar {
    return tf.exp(tf.minimum(tf.reshape(this.vars.logAlpha, []), 0)) as tf.Scalar;
  }

  curvature(): tf.Scalar {
    const lo = Math.log(this.curvatureInit / 10);
    const hi = Math.log(this.curvatureInit * 10);
    return tf.exp(tf.clipByValue(tf.reshape(this.vars.logC, []), lo, hi)) as tf.Scalar;
  }

  logitScale(): tf.Scalar {
    return tf.exp(tf.minimum(tf.reshape(this.vars.logitScale, []), LOGIT_SCALE_MAX)) as tf.Scalar;
  }

  private layerNorm(x: tf.Tensor, name: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), this.vars[`${name}.g`]), this.vars[`${name}.b`]);
  }

  /** Tangent vectors v [N, D] (before alpha) for word vectors e [N, L, input] and mask m [N, L] (1 = word). */
  encode(e: tf.Tensor3D, m: tf.Tensor2D): tf.Tensor2D {
    const s = this.shape;
    const [N, L] = m.shape;
    const d = s.width;
    const H = s.heads;
    const dh = d / H;
    const v = this.vars;
    const flat = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [N * L, -1]) as tf.Tensor2D;
    let h: tf.Tensor = tf.add(tf.reshape(tf.add(tf.matMul(flat(e), v.w_in), v.b_in), [N, L, d]), tf.slice(v.pos, [0, 0], [L, d]));
    // Key mask as an additive bias, one row per (text, head): [N * H, 1, L].
    const bias = tf.reshape(tf.tile(tf.reshape(tf.mul(tf.sub(m, 1), 1e9), [N, 1, 1, L]), [1, H, 1, 1]), [N * H, 1, L]);
    const heads = (x: tf.Tensor): tf.Tensor3D => tf.reshape(tf.transpose(tf.reshape(x, [N, L, H, dh]), [0, 2, 1, 3]), [N * H, L, dh]) as tf.Tensor3D;
    for (let l = 0; l < s.layers; l++) {
      const p = `l${l}`;
      const a = flat(this.layerNorm(h, `${p}.ln1`));
      const q = heads(tf.matMul(a, v[`${p}.wq`]));
      const k = heads(tf.matMul(a, v[`${p}.wk`]));
      const val = heads(tf.matMul(a, v[`${p}.wv`]));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias));
      const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, val), [N, H, L, dh]), [0, 2, 1, 3]), [N * L, d]);
      h = tf.add(h, tf.reshape(tf.add(tf.matMul(ctx, v[`${p}.wo`]), v[`${p}.bo`]), [N, L, d]));
      const f = flat(this.layerNorm(h, `${p}.ln2`));
      const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(f, v[`${p}.w1`]), v[`${p}.b1`])), v[`${p}.w2`]), v[`${p}.b2`]);
      h = tf.add(h, tf.reshape(ff, [N, L, d]));
    }
    const z = this.layerNorm(h, 'lnf');
    const m3 = tf.reshape(m, [N, L, 1]);
    const n = tf.sum(m, 1, true); // [N, 1]
    const mean = tf.div(tf.sum(tf.mul(z, m3), 1), tf.maximum(n, 1));
    const max = tf.mul(tf.max(tf.add(z, tf.mul(tf.sub(m3, 1), 1e4)), 1), tf.minimum(n, 1));
    const pooled = tf.concat([mean, max], 1) as tf.Tensor2D;
    const dir = tf.add(tf.matMul(pooled, v.w_dir), v.b_dir);
    const unit = tf.div(dir, tf.sqrt(tf.maximum(tf.sum(tf.square(dir), 1, true), 1e-12)));
    const rad = tf.softplus(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(pooled, v.w_r), v.b_r)), v.w_r2), v.b_r2));
    return tf.mul(unit, tf.mul(rad, Math.sqrt(s.dim))) as tf.Tensor2D;
  }

  async weights(): Promise<EncoderWeights> {
    const out: Record<string, number[]> = {};
    for (const [name, variable] of Object.entries(this.vars)) out[name] = Array.from(await variable.data());
    return out as EncoderWeights;
  }

  dispose(): void {
    for (const x of Object.values(this.vars)) x.dispose();
  }
}
