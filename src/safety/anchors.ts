/**
 * Concept anchors: short labelled phrases ('safe' or one of the seven unsafe categories) embedded once at
 * start-up. `nearest` explains a verdict by the anchors closest to the input's embedding.
 */
import type { Anchor } from '../runtime/bundle';
import { PointSet, stack } from './index-matrix';

export interface Neighbour {
  text: string;
  category: string;
  distance: number;
}

export class AnchorIndex {
  private constructor(
    readonly anchors: Anchor[],
    readonly points: PointSet,
  ) {}

  static async build(anchors: Anchor[], embed: (texts: string[]) => Promise<Float32Array[]>, dim: number, curvature: number): Promise<AnchorIndex> {
    const rows = await embed(anchors.map((a) => a.text));
    return new AnchorIndex(anchors, new PointSet(stack(rows, dim), curvature));
  }

  nearest(vec: ArrayLike<number>, k: number): Neighbour[] {
    return this.points.nearest(vec, k).map(({ index, distance }) => ({
      text: this.anchors[index].text,
      category: this.anchors[index].label,
      distance,
    }));
  }
}
