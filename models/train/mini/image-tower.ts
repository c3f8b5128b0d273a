/**
 * The hysac-mini image tower: the nsfwjs MobileNetV2 classifier (converted by models/convert) lifted into the
 * shared hyperbolic space.
 *
 *   probs = nsfwjs(pixel_values)                    [N, 5]  classes Drawing, Hentai, Neutral, Porn, Sexy
 *   embedding = MatMul(probs, C)                    [N, D]  C[k] = alpha_text * v_text(description of class k)
 *
 * C's rows are the tangent vectors (logMap0 of the text embeddings, alpha already applied) of short class
 * descriptions embedded by the trained text tower, so an image is placed at expMap0(sum_k p_k C[k]): a mixture of
 * where the text tower puts "an ordinary everyday photograph", "explicit pornographic photo of naked people", ...
 * Since C already includes the text alpha, the manifest's alpha.image is 1.
 *
 * The image tower therefore judges SEXUAL content only: nsfwjs knows nothing about violence, hate, self-harm,
 * drugs or shocking imagery, and such an image lands where its nsfwjs class puts it (usually Neutral or Drawing).
 *
 * ONNX Runtime cannot chain two model files, so image.onnx is one graph: the converter's graph builder (same
 * code, same weights as image-nsfw.onnx) with the MatMul appended. Its probs are checked against image-nsfw.onnx.
 */
import { GraphBuilder } from '../../../src/onnx/graph';
import { findNsfwjs, readNsfwjsModel } from '../../convert/nsfwjs-package';
import { kerasToOnnx } from '../../convert/keras-layers';
import { INPUT_NAME, LOGITS_NAME, OPSET, PROBS_NAME } from '../../convert/nsfwjs-to-onnx';
import { decodeWeights } from '../../convert/tfjs-weights';
import { TRAIN_DIR } from './config';

export const IMAGE_INPUT = INPUT_NAME;
export const IMAGE_OUTPUT = 'embedding';
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

/** The text each nsfwjs class is described by (its row of C). */
export const CLASS_DESCRIPTIONS: Record<(typeof NSFW_CLASSES)[number], string> = {
  Drawing: 'a drawing or illustration',
  Hentai: 'explicit sexual anime drawing',
  Neutral: 'an ordinary everyday photograph',
  Porn: 'explicit pornographic photo of naked people',
  Sexy: 'a person posing in lingerie',
};

export interface ImageGraph {
  bytes: Uint8Array;
  classes: string[];
  nsfwjsVersion: string;
}

/** image.onnx: the nsfwjs graph followed by MatMul(probs, classTangents [5, D]). Needs nsfwjs in models/train. */
export function buildImageOnnx(classTangents: Float32Array, dim: number): ImageGraph {
  const packageDir = findNsfwjs(TRAIN_DIR);
  if (!packageDir) throw new Error('nsfwjs is not installed: run `npm --prefix models/train install`');
  const source = readNsfwjsModel(packageDir, 'mobilenet_v2');
  if (source.classes.join() !== NSFW_CLASSES.join()) throw new Error(`nsfwjs classes are ${source.classes.join(', ')}, expected ${NSFW_CLASSES.join(', ')}`);
  const weights = decodeWeights(source.modelJson.weightsManifest, (p) => {
    const s = source.shards.get(p);
    if (!s) throw new Error(`weight shard '${p}' was not read`);
    return s;
  });
  const converted = kerasToOnnx(source.modelJson.modelTopology, weights, {
    inputName: INPUT_NAME,
    outputName: PROBS_NAME,
    logitsName: LOGITS_NAME,
    batchDim: 'N',
    graphName: 'hysac_mini_image',
  });
  const b: GraphBuilder = converted.builder;
  if (classTangents.length !== NSFW_CLASSES.length * dim) throw new Error(`class tangents: ${classTangents.length} values, expected ${NSFW_CLASSES.length * dim}`);
  b.node('MatMul', [PROBS_NAME, b.initializer('class_tangents', classTangents, [NSFW_CLASSES.length, dim])], [IMAGE_OUTPUT]);
  b.output(IMAGE_OUTPUT, 'float32', ['N', dim]);
  const bytes = b.toModelBytes({
    opset: OPSET,
    producer: 'hysac-gateway models/train/assemble-bundle.ts',
    docString:
      `hysac-mini image tower: nsfwjs ${source.version} (${source.license}) mobilenet_v2 class probabilities (${NSFW_CLASSES.join(', ')}) ` +
      `times the text-tower tangents of class descriptions; output '${IMAGE_OUTPUT}' = tangent vector at the origin (alpha 1). ` +
      'Judges sexual content only. Rebuild: npm run train:mini',
  });
  return { bytes, classes: source.classes, nsfwjsVersion: source.version };
}
