/**
 * The shipped text tower: an ensemble of K towers trained alike from different seeds (config ensembleSize).
 * Small word-level towers trained on a template corpus differ a lot from seed to seed in which safe prompts they
 * push outward; averaging their distances from the origin removes much of that noise. Tower 0 gives the
 * direction (what a prompt shows) and the bundle's alpha and curvature; the distance is the mean of the towers'
 * distances d_k = alpha_k sqrt(D) rad_k:
 *
 *   v = unit_0 * sqrt(D) * sum_k (alpha_k / (K alpha_0)) rad_k,   so that |alpha_0 v| = mean_k d_k.
 *
 * Every tower is trained to put an unsafe prompt further out than its safe twin along nearly the same direction;
 * the mean of the radii keeps that order wherever the towers agree, and tower 0's direction keeps its cones.
 * Tower k is trained with seed (config seed) + 1000 k: tower 0 is the single-tower model of the same seed.
 */
export const ENSEMBLE_SEED_STRIDE = 1000;

/** c_k = alpha_k / (K alpha_0): the weights of the towers' radii in the shipped tangent vector (see above). */
export function ensembleCoefficients(alphas: number[]): number[] {
  return alphas.map((a) => a / (alphas.length * alphas[0]));
}
