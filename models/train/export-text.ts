/**
 * Rewrites models/hysac-mini/text.onnx from the trained checkpoint (models/train/trained/hysac-mini.json) and
 * reassembles the bundle, without training: for a change to the exporter (mini/export-onnx.ts) or to the
 * assembly. The weights are the checkpoint's, so the result is what `npm run train:mini` writes with the same
 * code. test/hysac-mini/parity.test.ts then checks the file against the TF.js towers.
 *
 *   npx tsx models/train/export-text.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleBundle } from './assemble-bundle';
import { decodeWeights, readCheckpoint } from './mini/checkpoint';
import { BUNDLE_DIR } from './mini/config';
import { buildTextOnnx, textOnnxDocString } from './mini/export-onnx';
import { frozenRowsFor, loadGlove } from './mini/vocab';

async function main(): Promise<void> {
  const ck = readCheckpoint();
  const tokens = fs.readFileSync(path.join(BUNDLE_DIR, 'vocab.txt'), 'utf8').trimEnd().split('\n');
  const frozen = frozenRowsFor(loadGlove(), tokens, ck.glove.gloveRows, ck.glove.scale);
  const towers = ck.towers.map((t) => ({ shape: ck.shape, weights: decodeWeights(ck.shape, t.weights) }));
  const bytes = buildTextOnnx(towers, frozen, {
    contextLength: ck.config.contextLength,
    docString: textOnnxDocString(towers.length),
  });
  fs.writeFileSync(path.join(BUNDLE_DIR, 'text.onnx'), bytes);
  console.log(`wrote text.onnx (${towers.length} towers, ${(bytes.length / 1e6).toFixed(1)} MB)`);
  await assembleBundle();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
