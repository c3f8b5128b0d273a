/**
 * A text read as several windows (tokenizers/windows.ts) is judged by its most unsafe window. The worker runs
 * every window as a row and keeps one row per text with this; kept apart from worker.ts so that it can be
 * tested without starting ONNX Runtime.
 */

/**
 * One row per text from its window rows: the window farthest from the origin, the most unsafe one. The geodesic
 * distance from the origin, (1/sqrt c) asinh(sqrt c |x|), is increasing in the Euclidean norm |x| of the space
 * components, so the largest |x|^2 picks it without the curvature. `windows` holds, per text, the chosen window's
 * index and the text's window count (`[index0, count0, index1, count1, ...]`).
 */
export function mostUnsafeWindows(rows: Float32Array, dim: number, counts: Int32Array): { data: Float32Array; windows: Int32Array } {
  const data = new Float32Array(counts.length * dim);
  const windows = new Int32Array(counts.length * 2);
  let r = 0;
  for (let t = 0; t < counts.length; t++) {
    let best = 0;
    let bestNorm = -1;
    for (let w = 0; w < counts[t]; w++) {
      let norm = 0;
      const o = (r + w) * dim;
      for (let k = 0; k < dim; k++) norm += rows[o + k] * rows[o + k];
      // NaN never wins a comparison: a NaN row must still be the verdict (the caller's checks then fail it).
      if (norm > bestNorm || Number.isNaN(norm)) {
        bestNorm = Number.isNaN(norm) ? Infinity : norm;
        best = w;
      }
    }
    data.set(rows.subarray((r + best) * dim, (r + best + 1) * dim), t * dim);
    windows[2 * t] = best;
    windows[2 * t + 1] = counts[t];
    r += counts[t];
  }
  return { data, windows };
}
