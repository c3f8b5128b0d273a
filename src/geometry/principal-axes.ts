/**
 * Principal axes of a set of rows: the leading eigenvectors of their second-moment matrix (1/n) sum x x^T, found
 * by the cyclic Jacobi method. nearest-in-cone.ts projects a pool on the first few of them so that a few
 * coordinates carry most of every row's norm, which lets it bound x.q from a short partial sum (see there).
 *
 * Only a basis: nothing downstream depends on it being the exact principal axes (only how much work the early
 * exit saves does), only on the axes being orthonormal (re-orthonormalised here by Gram-Schmidt, to ~1e-15), so a
 * sample of the rows is enough.
 */
import { assertMatrix, type Matrix } from './lorentz';

/** Most rows the second-moment matrix is summed over (an even stride through the matrix). */
export const PRINCIPAL_AXES_SAMPLE = 4096;

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major, overwritten) by cyclic Jacobi rotations.
 * Returns the eigenvalues; `vecs` (n x n, row-major) receives the eigenvectors as columns.
 */
function jacobiEigen(a: Float64Array, n: number, vecs: Float64Array): Float64Array {
  vecs.fill(0);
  for (let i = 0; i < n; i++) vecs[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (!(off > 1e-30 * total)) break; // also stops on NaN
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < n; k++) {
          // columns p and q
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = cs * akp - sn * akq;
          a[k * n + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p and q
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = cs * apk - sn * aqk;
          a[q * n + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = vecs[k * n + p];
          const vkq = vecs[k * n + q];
          vecs[k * n + p] = cs * vkp - sn * vkq;
          vecs[k * n + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return values;
}

/**
 * The first `count` principal axes of m's rows (largest second moment first), as the rows of a count x dim
 * Float64Array, orthonormal. Rows are sampled with an even stride (at most PRINCIPAL_AXES_SAMPLE of them);
 * a NaN in the sample, or no rows, gives the leading coordinate axes instead.
 * Input: m (rows x dim), 0 <= count <= dim. Output: Float64Array of length count * dim.
 */
export function principalAxes(m: Matrix, count: number): Float64Array {
  assertMatrix(m);
  const { data, rows, dim } = m;
  if (!Number.isInteger(count) || count < 0 || count > dim) throw new RangeError(`principalAxes: count must be an integer in [0, ${dim}]; got ${count}`);
  const moment = new Float64Array(dim * dim);
  const stride = Math.max(1, Math.ceil(rows / PRINCIPAL_AXES_SAMPLE));
  for (let i = 0; i < rows; i += stride) {
    const base = i * dim;
    for (let p = 0; p < dim; p++) {
      const xp = data[base + p];
      for (let q = p; q < dim; q++) moment[p * dim + q] += xp * data[base + q];
    }
  }
  for (let p = 0; p < dim; p++) for (let q = 0; q < p; q++) moment[p * dim + q] = moment[q * dim + p];
  const vecs = new Float64Array(dim * dim);
  const values = jacobiEigen(moment, dim, vecs);
  const order = Array.from({ length: dim }, (_, i) => i);
  const finite = values.every(Number.isFinite);
  if (finite) order.sort((a, b) => values[b] - values[a] || a - b);
  const axes = new Float64Array(count * dim);
  for (let a = 0; a < count; a++) {
    const col = order[a];
    for (let j = 0; j < dim; j++) axes[a * dim + j] = finite ? vecs[j * dim + col] : j === a ? 1 : 0;
  }
  // Modified Gram-Schmidt, twice ("twice is enough"): orthonormal to rounding whatever Jacobi left.
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < a; b++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += axes[a * dim + j] * axes[b * dim + j];
        for (let j = 0; j < dim; j++) axes[a * dim + j] -= d * axes[b * dim + j];
      }
      let n = 0;
      for (let j = 0; j < dim; j++) n += axes[a * dim + j] * axes[a * dim + j];
      n = Math.sqrt(n);
      for (let j = 0; j < dim; j++) axes[a * dim + j] /= n;
    }
  }
  return axes;
}
