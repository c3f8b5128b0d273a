/**
 * hysac-mini v2's training objective: v1's (models/train/mini/losses.ts, where each term is derived) over the
 * v2 batch, which mixes twins and labelled singles:
 *
 *   L = L_con + L_ent + L_rad + lambda_cat L_cat
 *   L_con  HySAC/MERU contrastive over the twins: logits -d_L(S_i, U_j) s, symmetric cross-entropy, diagonal positives
 *          (columns whose safe text equals S_i's are masked);
 *   L_ent  mean_i max(0, ext(S_i, U_i) - aper(S_i)): each unsafe twin inside its safe twin's entailment cone;
 *   L_rad  weighted soft hinges on the distance from the origin d = |alpha v|: safe texts (twins' safe sides, safe
 *          singles) inside r_safe, unsafe texts (twins' unsafe sides, unsafe singles) beyond r_unsafe; the weights
 *          are the sources' (examples' `weight`: noisy or off-style sources count less);
 *   L_cat  each unsafe text with a category nearer the step's unsafe anchors of its category than to the others'.
 */
import { exteriorAngle, expMap0, halfAperture, pairwiseDistance } from '../mini/hyperbolic-tf';
import { diagonalCrossEntropy } from '../mini/losses';
import { tf } from '../mini/tf';
import type { Encoder } from './encoder';

export interface ObjectiveConfig {
  coneK: number;
  radiusSafe: number;
  radiusUnsafe: number;
  radialSoftness: number;
  lambdaCategory: number;
}

export interface StepInputs {
  /** Encoded groups: twins' safe sides, twins' unsafe sides, singles, anchors. Each [n, L, 100] + mask. */
  groups: { e: tf.Tensor3D; m: tf.Tensor2D }[];
  pairs: number;
  /** [pairs * pairs] 1 = negative or diagonal, 0 = masked duplicate. */
  negativeMask: Float32Array;
  /** Singles: 1 unsafe / 0 safe, and weights. */
  singleUnsafe: Float32Array;
  singleWeight: Float32Array;
  /** Category match [categorised unsafe texts x anchors], and which rows of (twins' unsafe ++ singles) they are. */
  categoryRows: Int32Array;
  categoryMatch: Float32Array;
}

export interface Terms {
  total: tf.Scalar;
  contrastive: tf.Scalar;
  entailment: tf.Scalar;
  radial: tf.Scalar;
  category: tf.Scalar;
}


export function objective(enc: Encoder, b: StepInputs, cfg: ObjectiveConfig): Terms {
  const alpha = enc.alpha();
  const c = enc.curvature();
  const scale = enc.logitScale();
  const [vs, vu, vx, va] = b.groups.map((g) => tf.mul(enc.encode(g.e, g.m), alpha));
  const B = b.pairs;
  const S = expMap0(vs, c);
  const U = expMap0(vu, c);

  const logits = tf.mul(tf.neg(pairwiseDistance(S, U, c)), scale) as tf.Tensor2D;
  const mask = tf.tensor2d(b.negativeMask, [B, B]);
  const contrastive = tf.mul(0.5, tf.add(diagonalCrossEntropy(logits, mask), diagonalCrossEntropy(tf.transpose(logits) as tf.Tensor2D, tf.transpose(mask) as tf.Tensor2D))) as tf.Scalar;
  const entailment = tf.mean(tf.relu(tf.sub(exteriorAngle(S, U, c), halfAperture(S, c, cfg.coneK)))) as tf.Scalar;

  const norm = (v: tf.Tensor): tf.Tensor1D => tf.sqrt(tf.maximum(tf.sum(tf.square(v), 1), 1e-12)) as tf.Tensor1D;
  const soft = cfg.radialSoftness;
  const hinge = (x: tf.Tensor): tf.Tensor => tf.mul(soft, tf.softplus(tf.div(x, soft)));
  const dx = norm(vx);
  const isU = tf.tensor1d(b.singleUnsafe);
  const w = tf.tensor1d(b.singleWeight);
  const safeW = tf.concat([tf.ones([B]), tf.mul(w, tf.sub(1, isU))]);
  const unsafeW = tf.concat([tf.ones([B]), tf.mul(w, isU)]);
  const safeD = tf.concat([norm(vs), dx]);
  const unsafeD = tf.concat([norm(vu), dx]);
  const radial = tf.add(
    tf.div(tf.sum(tf.mul(safeW, hinge(tf.sub(safeD, cfg.radiusSafe)))), tf.maximum(tf.sum(safeW), 1)),
    tf.div(tf.sum(tf.mul(unsafeW, hinge(tf.sub(cfg.radiusUnsafe, unsafeD)))), tf.maximum(tf.sum(unsafeW), 1)),
  ) as tf.Scalar;

  let category = tf.scalar(0);
  if (b.categoryRows.length > 0) {
    const rowsAll = expMap0(tf.concat([vu, vx]), c);
    // Rows picked by a one-hot product (the wasm backend has no gradient kernel for gather).
    const total = rowsAll.shape[0];
    const pickRows = new Float32Array(b.categoryRows.length * total);
    b.categoryRows.forEach((r, i) => (pickRows[i * total + r] = 1));
    const R = tf.matMul(tf.tensor2d(pickRows, [b.categoryRows.length, total]), rowsAll);
    const A = expMap0(va, c);
    const logpA = tf.logSoftmax(tf.mul(tf.neg(pairwiseDistance(R, A, c)), scale), 1);
    const match = tf.tensor2d(b.categoryMatch, [b.categoryRows.length, va.shape[0]]);
    category = tf.neg(tf.mean(tf.logSumExp(tf.add(logpA, tf.mul(tf.sub(match, 1), 1e9)), 1))) as tf.Scalar;
  }
  const total = tf.addN([contrastive, entailment, radial, tf.mul(cfg.lambdaCategory, category)]) as tf.Scalar;
  return { total, contrastive, entailment, radial, category };
}
