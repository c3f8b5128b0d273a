/** model: what bundle is being served, with its provenance and calibration. */
import type { QueryResolvers } from '../generated/graphql';

export const modelQuery: Pick<QueryResolvers, 'model'> = {
  model: (_p, _a, ctx) => {
    const { runtime, safety } = ctx.services;
    const m = runtime.bundle.manifest;
    return {
      name: m.name,
      description: m.description,
      fixture: m.fixture,
      provenance: { source: m.provenance.source, license: m.provenance.license, rebuild: m.provenance.rebuild, notes: m.provenance.notes ?? null },
      curvature: m.curvature,
      embeddingDim: m.embeddingDim,
      tokenizer: m.text.tokenizer.type,
      contextLength: m.text.tokenizer.contextLength,
      imageSize: m.image.preprocess.size,
      bounds: m.bounds,
      threshold: m.threshold,
      anchorCount: safety.anchors.anchors.length,
      poolSize: safety.pool?.usableCount ?? 0,
    };
  },
};
