/**
 * A copy of the fixture bundle whose text tower is deliberately expensive: its cost grows with the batch
 * (quadratic in the batch size), so the warm-up (one item) is quick while a 256-item batch runs for seconds.
 * With a short INFERENCE_TIMEOUT_MS this gives a real "hung" worker for the fault tests, with no test-only
 * code in the product.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GraphBuilder } from '../../src/onnx';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

export function buildSlowBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slow-bundle-'));
  for (const f of fs.readdirSync(FIXTURE_BUNDLE)) fs.copyFileSync(path.join(FIXTURE_BUNDLE, f), path.join(dir, f));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const L = manifest.text.tokenizer.contextLength as number;
  const D = manifest.embeddingDim as number;
  // Cost grows with the square of the batch: h [N, W]; repeat h <- tanh((h h^T) h * eps). About 4 N^2 W
  // FLOP an iteration: negligible for the start-up batches (N <= 10), ~400 GFLOP for N = 256.
  const W = 65536;
  const b = new GraphBuilder('slow_text');
  b.input('input_ids', 'int64', ['N', L]);
  const x = b.op('Cast', ['input_ids'], { to: 1 }); // [N, L]
  let h = b.op('MatMul', [x, b.initializer('w_in', new Float32Array(L * W).fill(1e-3), [L, W])]); // [N, W]
  for (let i = 0; i < 24; i++) {
    const gram = b.op('MatMul', [h, b.op('Transpose', [h], { perm: [1, 0] })]); // [N, N]
    h = b.op('Tanh', [b.op('Mul', [b.op('MatMul', [gram, h]), b.constFloat([1e-6], [])])]);
  }
  const pooled = b.op('ReduceMean', [h], { axes: [1], keepdims: 1 }); // [N, 1]
  b.node('MatMul', [pooled, b.initializer('w_out', new Float32Array(D).fill(1e-3), [1, D])], ['embedding']);
  b.output('embedding', 'float32', ['N', D]);
  const bytes = b.toModelBytes();
  fs.writeFileSync(path.join(dir, 'text.onnx'), bytes);
  // Keep start-up cheap: a few anchors and pool entries (they are embedded at start-up).
  const small = { 'anchors.tsv': 'safe\ta cat on a mat\nviolence\tblood\nsafe\ta red apple\n', 'pool.txt': 'a cat on a mat\na red apple\na blue sky\n' };
  for (const [f, text] of Object.entries(small)) {
    fs.writeFileSync(path.join(dir, f), text);
    manifest.provenance.files[f] = createHash('sha256').update(text).digest('hex');
  }
  manifest.name = 'fixture-slow';
  manifest.provenance.files['text.onnx'] = createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
