/**
 * A set of labelled points on the hyperboloid (concept anchors, the safe-prompt pool) stored as one
 * row-major matrix with precomputed time components, squared norms and norms (one pass, when the set is built),
 * so a query against 100,000 rows is one tight loop.
 */
import { coneIndex, distancesTo, prepareRows, prepareSearch, type ConeIndex, type Matrix, type PreparedRows, type SearchRows } from '../geometry';

export class PointSet {
  /** Time components (bit for bit timeComponents(matrix, curvature)). */
  readonly times: Float64Array;
  /** Per-row x_t, |x|^2, |x| for the one-pass cone search (geometry/nearest-in-cone.ts). */
  readonly prepared: PreparedRows;
  private searchRows: SearchRows | null = null;
  private readonly cones = new Map<number, ConeIndex>();
  constructor(
    readonly matrix: Matrix,
    readonly curvature: number,
  ) {
    this.prepared = prepareRows(matrix, curvature);
    this.times = this.prepared.times;
  }

  /**
   * The rows' projection on their principal axes for nearestInCone's early exit (prepareSearch: one pass,
   * ~0.1-0.2 s for 100,000 x 64): built on the first call, then reused. loadSafePool calls it when the pool
   * is built, so that no query pays for it.
   */
  search(): SearchRows {
    this.searchRows ??= prepareSearch(this.prepared);
    return this.searchRows;
  }

  /**
   * The rows' cos(aperture) for cone parameter K, for nearestInCone: computed on the first call for each K
   * (one sqrt and one division a row, from the norms; no pass over the matrix), then reused.
   */
  coneIndex(K: number): ConeIndex {
    let index = this.cones.get(K);
    if (index === undefined) {
      index = coneIndex(this.search(), K);
      this.cones.set(K, index);
    }
    return index;
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
