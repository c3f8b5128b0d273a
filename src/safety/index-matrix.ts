/**
 * A set of labelled points on the hyperboloid (concept anchors, the safe-prompt pool) stored as one
 * row-major matrix with precomputed time components, so a query against 100,000 rows is one tight loop.
 */
import { distancesTo, timeComponents, type Matrix } from '../geometry';

export class PointSet {
  readonly times: Float64Array;
  constructor(
    readonly matrix: Matrix,
    readonly curvature: number,
  ) {
    this.times = timeComponents(matrix, curvature);
  }

  get size(): number {
    return this.matrix.rows;
  }

  row(i: number): Float32Array {
    const { data, dim } = this.matrix;
    return data.subarray(i * dim, (i + 1) * dim);
  }

  distances(query: ArrayLike<number>): Float64Array {
    return distancesTo(query, this.matrix, this.curvature, this.times);
  }

  /** Indices of the k rows nearest to `query` (geodesic distance), nearest first, optionally filtered. */
  nearest(query: ArrayLike<number>, k: number, keep?: (i: number) => boolean): { index: number; distance: number }[] {
    const d = this.distances(query);
    const best: { index: number; distance: number }[] = [];
    for (let i = 0; i < d.length; i++) {
      if (keep && !keep(i)) continue;
      if (best.length < k) {
        best.push({ index: i, distance: d[i] });
        best.sort((a, b) => a.distance - b.distance);
      } else if (k > 0 && d[i] < best[k - 1].distance) {
        best[k - 1] = { index: i, distance: d[i] };
        best.sort((a, b) => a.distance - b.distance);
      }
    }
    return best;
  }
}

/** Stacks equal-length rows into a Matrix. */
export function stack(rows: Float32Array[], dim: number): Matrix {
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, rows: rows.length, dim };
}
