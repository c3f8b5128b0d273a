/**
 * The training objective of hysac-mini: HySAC's safety-aware hyperbolic objective (Poppi et al., "Hyperbolic
 * Safety-Aware Vision-Language Models", CVPR 2025; aimagelab/HySAC) adapted to text-only pairs, plus a radial
 * hinge that fixes where the decision threshold can sit.
 *
 * HySAC trains on ViSU quadruples (safe text, unsafe text, safe image, unsafe image) with MERU's losses
 * (Desai et al., ICML 2023; facebookresearch/meru): hyperbolic contrastive losses between matching safe and
 * unsafe items (positives on the diagonal, logits = -d_L / tau), and entailment losses that put every unsafe item
 * inside the entailment cone of its safe counterpart, so safe content sits nearer the origin (more generic) and
 * unsafe content further out along the same direction. We have text pairs only, so:
 *
 *   (1) contrastive  L_con = 1/2 [ CE(-d_L(S, U) * s, diag) + CE(-d_L(U, S) * s, diag) ]
 *       over the batch's safe prompts S_i and unsafe prompts U_j, d_L the Lorentzian geodesic distance, s = exp(
 *       logitScale) the learnt inverse temperature (CLIP/MERU, clamped <= 100). Row i's positive is U_i, the
 *       unsafe twin of S_i; the other unsafe prompts are negatives (a column whose safe text equals S_i's is
 *       masked out, not treated as a negative). This keeps each unsafe prompt nearer its own safe twin than any
 *       other safe prompt, which is what makes redirection by traversal toward the origin land on related safe
 *       content.
 *   (2) entailment   L_ent = mean_i max(0, ext(S_i, U_i) - aper(S_i)),
 *       ext the exterior angle at S_i of the triangle O-S_i-U_i, aper(S_i) = asin(2K / (sqrt(c)|S_i|)) the
 *       half-aperture of S_i's cone (K = 0.1): every unsafe prompt inside the cone of its safe counterpart
 *       (MERU's entailment loss, HySAC's safe -> unsafe entailment).
 *   (3) radial       L_rad = sum_k w_k h(d_k - r_s) / sum_k w_k  over safe texts k
 *                          + mean_j h(r_u - d_j)               over unsafe texts j,
 *       h(x) = tau softplus(x / tau), a softened hinge max(0, x) (tau = radialSoftness; plain hinge for tau = 0),
 *       d = distance from the origin = |alpha v| (the exponential map at the origin preserves it). Safe texts:
 *       the pairs' safe prompts, hard negatives (weight `hardNegativeWeight`), safe-pool prompts, safe
 *       anchors and random bags of neutral words (train.ts, neutral-words.ts); unsafe texts: the pairs' unsafe
 *       prompts and unsafe anchors. HySAC separates safe from unsafe through the cone structure (and, with
 *       images, the cross-modal contrastive terms); with a single text modality and a word-level encoder the
 *       cones alone leave the radii free, so this hinge puts a margin (r_s < r_u) between the two groups and
 *       gives the gateway a clean distance threshold. Hard negatives (a chef's knife, a war memorial) count as
 *       safe, which is what keeps them under the threshold.
 *
 *   (4) category     L_cat = mean_i -log( sum_{a in A(k_i)} exp(-s d_L(U_i, a)) / sum_{a in A} exp(-s d_L(U_i, a)) )
 *       over the batch's unsafe prompts U_i (category k_i) and the unsafe concept anchors A of the step (a few of
 *       every category; A(k) those of category k): each unsafe prompt nearer the anchors of its own category than
 *       to the other categories' anchors. Not in HySAC (ViSU has no categories); added because the gateway
 *       explains a verdict by the nearest anchors (anchors.tsv), and without it the unsafe prompts' directions
 *       follow their subjects only (nearest-unsafe-anchor category accuracy on calib was 15 %, chance is 14 %).
 *       Safe anchors are left out on purpose: a far-out unsafe prompt cannot be nearer an unsafe anchor than
 *       every near-origin safe anchor while staying inside its safe twin's cone.
 *
 *   L = lambda_con L_con + lambda_ent L_ent + lambda_rad L_rad + lambda_cat L_cat
 *       (+ decoupled weight decay in the optimiser).
 */
import { CONFIG } from './config';
import { exteriorAngle, expMap0, halfAperture, pairwiseDistance } from './hyperbolic-tf';
import type { EncodedBatch, TextTower } from './model';
import { tf } from './tf';

export interface LossBatch {
  /** Safe prompts S_i and their unsafe twins U_i (same length B). */
  safe: EncodedBatch;
  unsafe: EncodedBatch;
  /** [B * B] 1 where column j is a negative for row i, 0 for masked duplicates (the diagonal is 1). */
  negativeMask: Float32Array;
  /** Extra safe texts for the radial term and their weights. */
  extraSafe: EncodedBatch;
  extraSafeWeights: Float32Array;
  /** Extra unsafe texts (unsafe anchors) for the radial and category terms. */
  extraUnsafe: EncodedBatch;
  /** [B * extraUnsafe.rows] 1 where unsafe prompt i and anchor j share a category. */
  categoryMatch: Float32Array;
}

export interface LossTerms {
  total: tf.Scalar;
  contrastive: tf.Scalar;
  entailment: tf.Scalar;
  radial: tf.Scalar;
  category: tf.Scalar;
}

/** Softmax cross-entropy with the diagonal as target, over masked logits [B, B]. */
export function diagonalCrossEntropy(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const B = logits.shape[0];
  // Masked entries get -1e9 so they drop out of the softmax.
  const masked = tf.add(logits, tf.mul(tf.sub(mask, 1), 1e9));
  const logp = tf.logSoftmax(masked, 1);
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.eye(B)), 1))) as tf.Scalar;
}

/** The three terms for one batch. Call inside tf.variableGrads / tf.tidy. */
export function lossTerms(tower: TextTower, b: LossBatch): LossTerms {
  const alpha = tower.alpha();
  const c = tower.curvature();
  const B = b.safe.rows;

  const vs = tf.mul(tower.encode(b.safe), alpha);
  const vu = tf.mul(tower.encode(b.unsafe), alpha);
  const ve = tf.mul(tower.encode(b.extraSafe), alpha);
  const vx = tf.mul(tower.encode(b.extraUnsafe), alpha);
  const S = expMap0(vs, c);
  const U = expMap0(vu, c);

  // (1) contrastive
  const scale = tf.exp(tower.logitScale);
  const logits = tf.mul(tf.neg(pairwiseDistance(S, U, c)), scale) as tf.Tensor2D; // rows: safe, columns: unsafe
  const mask = tf.tensor2d(b.negativeMask, [B, B]);
  const contrastive = tf.mul(0.5, tf.add(diagonalCrossEntropy(logits, mask), diagonalCrossEntropy(tf.transpose(logits) as tf.Tensor2D, tf.transpose(mask) as tf.Tensor2D))) as tf.Scalar;

  // (2) entailment: U_i inside the cone of S_i
  const entailment = tf.mean(tf.relu(tf.sub(exteriorAngle(S, U, c), halfAperture(S, c, CONFIG.coneK)))) as tf.Scalar;

  // (3) radial hinge on the distance from the origin, |alpha v|
  const norm = (v: tf.Tensor): tf.Tensor1D => tf.sqrt(tf.maximum(tf.sum(tf.square(v), 1), 1e-12)) as tf.Tensor1D;
  const safeD = tf.concat([norm(vs), norm(ve)]);
  const safeW = tf.concat([tf.ones([B]), tf.tensor1d(b.extraSafeWeights)]);
  const soft = CONFIG.radialSoftness;
  const hinge = (x: tf.Tensor): tf.Tensor => (soft > 0 ? tf.mul(soft, tf.softplus(tf.div(x, soft))) : tf.relu(x));
  const safeHinge = tf.div(tf.sum(tf.mul(safeW, hinge(tf.sub(safeD, CONFIG.radiusSafe)))), tf.sum(safeW));
  const unsafeD = tf.concat([norm(vu), norm(vx)]);
  const unsafeHinge = tf.mean(hinge(tf.sub(CONFIG.radiusUnsafe, unsafeD)));
  const radial = tf.add(safeHinge, unsafeHinge) as tf.Scalar;

  // (4) category: log of the softmax mass on same-category anchors
  const A = b.extraUnsafe.rows;
  const X = expMap0(vx, c);
  const logpA = tf.logSoftmax(tf.mul(tf.neg(pairwiseDistance(U, X, c)), scale), 1); // [B, A]
  const match = tf.tensor2d(b.categoryMatch, [B, A]);
  // log sum_{a in A(k)} p_a = logsumexp over the matching entries (others masked with -1e9)
  const category = tf.neg(tf.mean(tf.logSumExp(tf.add(logpA, tf.mul(tf.sub(match, 1), 1e9)), 1))) as tf.Scalar;

  const total = tf.addN([
    tf.mul(CONFIG.lambdaContrastive, contrastive),
    tf.mul(CONFIG.lambdaEntailment, entailment),
    tf.mul(CONFIG.lambdaRadial, radial),
    tf.mul(CONFIG.lambdaCategory, category),
  ]) as tf.Scalar;
  return { total, contrastive, entailment, radial, category };
}
