/**
 * The hysac-mini text tower in TensorFlow.js (training and the parity check); export-onnx.ts writes the same
 * computation as an ONNX graph.
 *
 *   ids [N, L]  (0 = <pad>, 1 = <unk>)
 *   e_t  = E[id_t]                                 E: frozen GloVe rows (unit component RMS) + learnt rows for
 *                                                  corpus words GloVe lacks; <pad>, <unk> = 0          [N, L, 100]
 *   h1_t = tanh(e_t W1 + b1)                                                                          [N, L, H1]
 *   h2_t = tanh(h1_t W2 + b2)                                                                         [N, L, H2]
 *   m_t  = (id_t != 0),  n = sum_t m_t
 *   mean = sum_t m_t h2_t / max(n, 1)
 *   max  = max_t (h2_t + (m_t - 1) 1e4) * min(n, 1)       (pads never win; an empty prompt pools to 0)
 *   p    = [mean, max]                                                                               [N, 2 H2]
 *   dir  = p W3 + b3                                   content direction                              [N, D]
 *   rad  = softplus(tanh(p Wr + br) wr + cr)           radius head (a safety score)                   [N, 1]
 *   v    = sqrt(D) rad dir / |dir|                     tangent vector at the origin, before alpha    [N, D]
 *
 * Direction and length are separate heads. The entailment objective wants each unsafe prompt further out along
 * (nearly) its safe twin's own direction, i.e. a multiplicative, radial change; a plain linear head can only add a
 * fixed "unsafe" offset, which turns the direction and leaves the cone (in an unfactored first version the radial
 * and entailment terms stalled at 0.42 / 0.21 and calib recall was 47 %). Here the words of a prompt set its
 * direction (what it shows) and the radius head its distance from the origin (how unsafe it is): d = alpha sqrt(D)
 * rad. sqrt(D) keeps MERU's convention that alpha starts at D^-1/2 with features of norm ~sqrt(D).
 *
 * Max pooling keeps a single unsafe word from being diluted by twenty safe ones (its features survive the max);
 * the mean carries the rest of the prompt, which the contrastive term needs to keep each unsafe prompt next to
 * its own safe twin. The per-token layers depend only on the token id, so training evaluates them once per
 * distinct id in the batch and gathers. The shipped text.onnx is an ensemble of such towers sharing the frozen
 * rows E (ensemble.ts, export-onnx.ts).
 *
 * Hyperbolic lift (MERU/HySAC): x = expMap0(alpha v) on the hyperboloid of curvature -c, alpha = exp(logAlpha)
 * clamped to <= 1, c = exp(logC) clamped to [c0/10, 10 c0]. The ONNX graph outputs v; the gateway applies alpha
 * and the exponential map (src/runtime/model-runtime.ts), with alpha and c from the manifest.
 */
import { CONFIG, GLOVE_DIM } from './config';
import { ensembleCoefficients } from './ensemble';
import { Prng } from '../../fixture/prng';
import { tf } from './tf';

export interface TowerShape {
  vocabSize: number;
  /** Ids below this are frozen rows (pad, unk, GloVe words); ids from here on are learnt rows. */
  frozenRows: number;
  hidden1: number;
  hidden2: number;
  /** Hidden width of the radius head. */
  radiusHidden: number;
  dim: number;
}

/** Plain-array weights: what a trained tower is saved as (weights.json) and what the exporter reads. */
export interface TowerWeights {
  shape: TowerShape;
  /** Learnt rows for ids frozenRows .. vocabSize - 1, [vocabSize - frozenRows, 100]. */
  oov: number[];
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
  w3: number[];
  b3: number[];
  wr: number[];
  br: number[];
  wr2: number[];
  br2: number;
  logAlpha: number;
  logC: number;
  logitScale: number;
}

/** Normal(0, std^2) from the seeded generator (Box-Muller). */
function normals(prng: Prng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - prng.uniform();
    const u2 = prng.uniform();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export const LOG_C_MIN = Math.log(CONFIG.curvatureInit / 10);
export const LOG_C_MAX = Math.log(CONFIG.curvatureInit * 10);
/** CLIP/MERU: the logit scale starts at 1/0.07 and is clamped to <= 100. */
export const LOGIT_SCALE_INIT = Math.log(1 / 0.07);
export const LOGIT_SCALE_MAX = Math.log(100);

/** Seeded initial weights: Xavier-style normals for the layers, zeros for biases and learnt rows. */
export function initialWeights(shape: TowerShape, seed: number): TowerWeights {
  const prng = new Prng(seed);
  const { vocabSize, frozenRows, hidden1: H1, hidden2: H2, radiusHidden: HR, dim: D } = shape;
  return {
    shape,
    oov: Array.from(new Float32Array((vocabSize - frozenRows) * GLOVE_DIM)),
    w1: Array.from(normals(prng, GLOVE_DIM * H1, 1 / Math.sqrt(GLOVE_DIM))),
    b1: new Array(H1).fill(0),
    w2: Array.from(normals(prng, H1 * H2, 1 / Math.sqrt(H1))),
    b2: new Array(H2).fill(0),
    w3: Array.from(normals(prng, 2 * H2 * D, 1 / Math.sqrt(2 * H2))),
    b3: new Array(D).fill(0),
    wr: Array.from(normals(prng, 2 * H2 * HR, 1 / Math.sqrt(2 * H2))),
    br: new Array(HR).fill(0),
    wr2: Array.from(normals(prng, HR, 1 / Math.sqrt(HR))),
    // softplus(1.35) = 1.58: every prompt starts between the safe and unsafe radii of the radial term.
    br2: 1.35,
    // MERU: alpha starts at D^-1/2 so that alpha v has about unit norm.
    logAlpha: Math.log(1 / Math.sqrt(D)),
    logC: Math.log(CONFIG.curvatureInit),
    logitScale: LOGIT_SCALE_INIT,
  };
}

/** A batch of token rows prepared for the per-distinct-id evaluation. */
export interface EncodedBatch {
  rows: number;
  /** Longest row in the batch (at least 1): rows are cut to it, which changes nothing (pads are masked). */
  length: number;
  /** Distinct frozen ids and distinct learnt ids of the batch (pad id 0 always included). */
  frozenIds: Int32Array;
  oovIds: Int32Array;
  /** [rows * length] index into concat(frozenIds, oovIds). */
  local: Int32Array;
  /** [rows * length] 1 for a token, 0 for padding. */
  mask: Float32Array;
}

export function prepareBatch(rows: Int32Array[], frozenRows: number): EncodedBatch {
  let length = 1;
  for (const r of rows) {
    let n = r.length;
    while (n > 0 && r[n - 1] === 0) n--;
    if (n > length) length = n;
  }
  const frozen = new Map<number, number>([[0, 0]]);
  const oov = new Map<number, number>();
  for (const r of rows) {
    for (let t = 0; t < length; t++) {
      const id = r[t];
      if (id < frozenRows) {
        if (!frozen.has(id)) frozen.set(id, frozen.size);
      } else if (!oov.has(id)) oov.set(id, oov.size);
    }
  }
  const local = new Int32Array(rows.length * length);
  const mask = new Float32Array(rows.length * length);
  rows.forEach((r, i) => {
    for (let t = 0; t < length; t++) {
      const id = r[t];
      local[i * length + t] = id < frozenRows ? frozen.get(id)! : frozen.size + oov.get(id)!;
      mask[i * length + t] = id === 0 ? 0 : 1;
    }
  });
  return {
    rows: rows.length,
    length,
    frozenIds: Int32Array.from(frozen.keys()),
    oovIds: Int32Array.from([...oov.keys()].map((id) => id - frozenRows)),
    local,
    mask,
  };
}

/**
 * Masked mean and max pooling of per-id features, fused into one op with a hand-written gradient.
 *
 * Input: h [U, H] (features of the batch's distinct ids), b.local / b.mask ([rows, length]). Output [rows, 2H]:
 *   mean_n = sum_t m_nt h[local_nt] / max(count_n, 1),   max_n = max_{t: m_nt = 1} h[local_nt]  (0 if count_n = 0).
 * Gradient: d h[local_nt] += d mean_n / max(count_n, 1) for every token t, and d h[argmax] += d max_n per
 * feature (the first maximal token on ties).
 *
 * Why: the TF.js CPU backend differentiates gather with unsortedSegmentSum, which loops over every segment
 * (O(U x rows x length x H)); a batch step took minutes. This loop is O(rows x length x H).
 */
export function maskedMeanMaxPool(h: tf.Tensor2D, b: EncodedBatch): tf.Tensor2D {
  const [U, H] = h.shape;
  const { rows: N, length: L, local, mask } = b;
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const X = x.dataSync() as Float32Array;
    const out = new Float32Array(N * 2 * H);
    const argmax = new Int32Array(N * H).fill(-1);
    const inv = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      let count = 0;
      const o = n * 2 * H;
      for (let t = 0; t < L; t++) {
        if (mask[n * L + t] === 0) continue;
        const u = local[n * L + t];
        const xo = u * H;
        for (let k = 0; k < H; k++) {
          const v = X[xo + k];
          out[o + k] += v;
          const a = argmax[n * H + k];
          if (a < 0 || v > X[a * H + k]) argmax[n * H + k] = u;
        }
        count++;
      }
      inv[n] = 1 / Math.max(count, 1);
      for (let k = 0; k < H; k++) {
        out[o + k] *= inv[n];
        const a = argmax[n * H + k];
        out[o + H + k] = a < 0 ? 0 : X[a * H + k];
      }
    }
    save([]);
    return {
      value: tf.tensor2d(out, [N, 2 * H]),
      gradFunc: (dy: tf.Tensor) => {
        const DY = dy.dataSync() as Float32Array;
        const dX = new Float32Array(U * H);
        for (let n = 0; n < N; n++) {
          const o = n * 2 * H;
          for (let t = 0; t < L; t++) {
            if (mask[n * L + t] === 0) continue;
            const xo = local[n * L + t] * H;
            for (let k = 0; k < H; k++) dX[xo + k] += DY[o + k] * inv[n];
          }
          for (let k = 0; k < H; k++) {
            const a = argmax[n * H + k];
            if (a >= 0) dX[a * H + k] += DY[o + H + k];
          }
        }
        return tf.tensor2d(dX, [U, H]);
      },
    };
  });
  return pool(h) as tf.Tensor2D;
}

let nextTowerId = 0;

/** The tower's trainable state as TF.js variables, plus the frozen GloVe rows. */
export class TextTower {
  readonly frozen: tf.Tensor2D;
  readonly oov: tf.Variable;
  readonly w1: tf.Variable;
  readonly b1: tf.Variable;
  readonly w2: tf.Variable;
  readonly b2: tf.Variable;
  readonly w3: tf.Variable;
  readonly b3: tf.Variable;
  readonly wr: tf.Variable;
  readonly br: tf.Variable;
  readonly wr2: tf.Variable;
  readonly br2: tf.Variable;
  readonly logAlpha: tf.Variable;
  readonly logC: tf.Variable;
  readonly logitScale: tf.Variable;
  /** Prefix of the variable names (TF.js names must be unique among live variables). */
  readonly name = `tower${nextTowerId++}`;

  constructor(
    readonly shape: TowerShape,
    frozenRows: Float32Array,
    w: TowerWeights,
  ) {
    const { vocabSize, frozenRows: F, hidden1: H1, hidden2: H2, radiusHidden: HR, dim: D } = shape;
    if (frozenRows.length !== F * GLOVE_DIM) throw new Error(`frozen rows: ${frozenRows.length} values, expected ${F * GLOVE_DIM}`);
    this.frozen = tf.tensor2d(frozenRows, [F, GLOVE_DIM]);
    // A vocabulary without learnt rows still gets one (unused) row so that the variable is not empty.
    const oovRows = Math.max(vocabSize - F, 1);
    const oov = w.oov.length ? Float32Array.from(w.oov) : new Float32Array(GLOVE_DIM);
    this.oov = tf.variable(tf.tensor2d(oov, [oovRows, GLOVE_DIM]), true, `${this.name}/oov`);
    this.w1 = tf.variable(tf.tensor2d(w.w1, [GLOVE_DIM, H1]), true, `${this.name}/w1`);
    this.b1 = tf.variable(tf.tensor1d(w.b1), true, `${this.name}/b1`);
    this.w2 = tf.variable(tf.tensor2d(w.w2, [H1, H2]), true, `${this.name}/w2`);
    this.b2 = tf.variable(tf.tensor1d(w.b2), true, `${this.name}/b2`);
    this.w3 = tf.variable(tf.tensor2d(w.w3, [2 * H2, D]), true, `${this.name}/w3`);
    this.b3 = tf.variable(tf.tensor1d(w.b3), true, `${this.name}/b3`);
    this.wr = tf.variable(tf.tensor2d(w.wr, [2 * H2, HR]), true, `${this.name}/wr`);
    this.br = tf.variable(tf.tensor1d(w.br), true, `${this.name}/br`);
    this.wr2 = tf.variable(tf.tensor2d(w.wr2, [HR, 1]), true, `${this.name}/wr2`);
    this.br2 = tf.variable(tf.scalar(w.br2), true, `${this.name}/br2`);
    this.logAlpha = tf.variable(tf.scalar(w.logAlpha), true, `${this.name}/log_alpha`);
    this.logC = tf.variable(tf.scalar(w.logC), true, `${this.name}/log_c`);
    this.logitScale = tf.variable(tf.scalar(w.logitScale), true, `${this.name}/logit_scale`);
  }

  /** Variables the optimiser updates, and the subset that gets weight decay (matrices and learnt rows). */
  trainable(): tf.Variable[] {
    return [this.oov, this.w1, this.b1, this.w2, this.b2, this.w3, this.b3, this.wr, this.br, this.wr2, this.br2, this.logAlpha, this.logC, this.logitScale];
  }
  decayed(): tf.Variable[] {
    return [this.oov, this.w1, this.w2, this.w3, this.wr, this.wr2];
  }

  /** MERU's clamps, applied after every optimiser step: alpha <= 1, c in [c0/10, 10 c0], logit scale <= 100. */
  clamp(): void {
    tf.tidy(() => {
      this.logAlpha.assign(tf.minimum(this.logAlpha, 0));
      this.logC.assign(tf.clipByValue(this.logC, LOG_C_MIN, LOG_C_MAX));
      this.logitScale.assign(tf.minimum(this.logitScale, LOGIT_SCALE_MAX));
    });
  }

  alpha(): tf.Scalar {
    return tf.exp(this.logAlpha) as tf.Scalar;
  }
  curvature(): tf.Scalar {
    return tf.exp(this.logC) as tf.Scalar;
  }

  /**
   * Tangent vectors v (before alpha) for a prepared batch: [rows, D]. Call inside tf.tidy / variableGrads.
   * `pooling`: 'fused' (default, for training) pools with maskedMeanMaxPool below; 'ops' spells the pooling
   * out with TF.js ops exactly as the ONNX graph does (gather to [N, L, H2], masked sum and max), which is
   * slow to differentiate on the CPU backend but is the reference the fused version is checked against.
   */
  encode(b: EncodedBatch, pooling: 'fused' | 'ops' = 'fused'): tf.Tensor2D {
    const { unit, rad } = this.heads(this.pool(b, pooling));
    return tf.mul(unit, tf.mul(rad, Math.sqrt(this.shape.dim))) as tf.Tensor2D;
  }

  /** Pooled features [N, 2 H2] of a prepared batch (see encode). */
  pool(b: EncodedBatch, pooling: 'fused' | 'ops' = 'fused'): tf.Tensor2D {
    const { hidden2: H2 } = this.shape;
    const parts: tf.Tensor2D[] = [tf.gather(this.frozen, tf.tensor1d(b.frozenIds, 'int32'))];
    // Learnt rows through a one-hot product: its gradient is a matrix product, where gather's would need
    // unsortedSegmentSum (missing from the wasm backend, slow on the cpu one).
    if (b.oovIds.length) parts.push(tf.matMul(tf.oneHot(tf.tensor1d(b.oovIds, 'int32'), this.oov.shape[0]), this.oov));
    const e = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    const h1 = tf.tanh(tf.add(tf.matMul(e, this.w1), this.b1));
    const h2 = tf.tanh(tf.add(tf.matMul(h1, this.w2), this.b2)) as tf.Tensor2D;
    let pooled: tf.Tensor2D;
    if (pooling === 'fused') {
      pooled = maskedMeanMaxPool(h2, b);
    } else {
      const tok = tf.reshape(tf.gather(h2, tf.tensor1d(b.local, 'int32')), [b.rows, b.length, H2]);
      const m = tf.tensor3d(b.mask, [b.rows, b.length, 1]);
      const count = tf.sum(m, 1); // [N, 1]
      const mean = tf.div(tf.sum(tf.mul(tok, m), 1), tf.maximum(count, 1));
      const max = tf.mul(tf.max(tf.add(tok, tf.mul(tf.sub(m, 1), 1e4)), 1), tf.minimum(count, 1));
      pooled = tf.concat([mean, max], 1) as tf.Tensor2D;
    }
    return pooled;
  }

  /** The two heads on pooled features [N, 2 H2]: unit direction dir / |dir| [N, D] and radius [N, 1]. */
  heads(pooled: tf.Tensor2D): { unit: tf.Tensor2D; rad: tf.Tensor2D } {
    const dir = tf.add(tf.matMul(pooled, this.w3), this.b3);
    const unit = tf.div(dir, tf.sqrt(tf.maximum(tf.sum(tf.square(dir), 1, true), 1e-12))) as tf.Tensor2D;
    const rad = tf.softplus(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(pooled, this.wr), this.br)), this.wr2), this.br2)) as tf.Tensor2D;
    return { unit, rad };
  }

  async weights(): Promise<TowerWeights> {
    const arr = async (v: tf.Tensor): Promise<number[]> => Array.from(await v.data());
    const { vocabSize, frozenRows } = this.shape;
    return {
      shape: this.shape,
      oov: vocabSize > frozenRows ? await arr(this.oov) : [],
      w1: await arr(this.w1),
      b1: await arr(this.b1),
      w2: await arr(this.w2),
      b2: await arr(this.b2),
      w3: await arr(this.w3),
      b3: await arr(this.b3),
      wr: await arr(this.wr),
      br: await arr(this.br),
      wr2: await arr(this.wr2),
      br2: (await this.br2.data())[0],
      logAlpha: (await this.logAlpha.data())[0],
      logC: (await this.logC.data())[0],
      logitScale: (await this.logitScale.data())[0],
    };
  }

  dispose(): void {
    this.frozen.dispose();
    for (const v of this.trainable()) v.dispose();
  }
}

/** Tangent vectors of the ensemble (one tower: that tower's own) for token rows, as a plain array ([rows * D]), in chunks. */
export async function embedEnsemble(towers: TextTower[], rows: Int32Array[], chunk = 512): Promise<Float32Array> {
  const D = towers[0].shape.dim;
  const alphas = await Promise.all(towers.map(async (t) => (await t.logAlpha.data())[0]));
  const coef = ensembleCoefficients(alphas.map(Math.exp));
  const out = new Float32Array(rows.length * D);
  for (let i = 0; i < rows.length; i += chunk) {
    const b = prepareBatch(rows.slice(i, i + chunk), towers[0].shape.frozenRows);
    const v = tf.tidy(() => {
      const heads = towers.map((t) => t.heads(t.pool(b)));
      const rad = heads.map((h, k) => tf.mul(h.rad, coef[k])).reduce((a, x) => tf.add(a, x));
      return tf.mul(heads[0].unit, tf.mul(rad, Math.sqrt(D)));
    });
    out.set(await v.data(), i * D);
    v.dispose();
  }
  return out;
}
