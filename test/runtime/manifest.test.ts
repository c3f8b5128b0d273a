/** Manifest validation: an invalid bundle stops start-up with a message naming the field. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBundle } from '../../src/runtime/bundle';
import { readManifest, validateManifest } from '../../src/runtime/manifest';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

const good = () => JSON.parse(fs.readFileSync(path.join(FIXTURE_BUNDLE, 'manifest.json'), 'utf8'));

function expectInvalid(mutate: (m: any) => void, message: RegExp): void {
  const m = good();
  mutate(m);
  let err: any;
  try {
    validateManifest(m, FIXTURE_BUNDLE);
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  expect(err.extensions.code).toBe('BUNDLE_INVALID');
  expect(err.message).toMatch(message);
}

test('the fixture manifest is valid', () => {
  const m = readManifest(FIXTURE_BUNDLE);
  expect(m.name).toBe('fixture-tiny');
  expect(m.fixture).toBe(true);
  // No text.trimPadding: the gateway runs every contextLength position, as a CLIP-layout graph needs.
  expect(m.text.trimPadding).toBe(false);
  expect(validateManifest({ ...good(), text: { ...good().text, trimPadding: true } }, FIXTURE_BUNDLE).text.trimPadding).toBe(true);
});

test.each<[string, (m: any) => void, RegExp]>([
  ['wrong format version', (m) => (m.formatVersion = 2), /formatVersion is 2; allowed: 1/],
  ['missing name', (m) => delete m.name, /manifest\.name is missing; allowed: a non-empty string/],
  ['negative curvature', (m) => (m.curvature = -1), /manifest\.curvature is -1; allowed: a number > 0/],
  ['unknown outputs mode', (m) => (m.outputs = 'logits'), /manifest\.outputs is "logits"; allowed: tangent, space/],
  ['fractional dim', (m) => (m.embeddingDim = 1.5), /embeddingDim is 1\.5; allowed: an integer/],
  ['unknown tokenizer', (m) => (m.text.tokenizer.type = 'sentencepiece'), /text\.tokenizer\.type is "sentencepiece"; allowed: word, clip-bpe/],
  ['missing model file', (m) => (m.text.model = 'missing.onnx'), /text\.model names "missing\.onnx", which is not in/],
  ['file outside the bundle', (m) => (m.image.model = '../x.onnx'), /image\.model is "\.\.\/x\.onnx"; allowed: a file name inside the bundle folder/],
  ['bad mean', (m) => (m.image.preprocess.mean = [0.5, 0.5]), /image\.preprocess\.mean is \[0\.5,0\.5\]; allowed: three numbers/],
  ['zero std', (m) => (m.image.preprocess.std = [1, 0, 1]), /image\.preprocess\.std .*allowed: three positive numbers/],
  ['shortest-side without crop', (m) => { m.image.preprocess.resize = 'shortest-side'; m.image.preprocess.crop = 'none'; }, /image\.preprocess\.crop is "none" with resize "shortest-side"/],
  ['bad layout', (m) => (m.image.preprocess.layout = 'CHW'), /layout is "CHW"; allowed: NCHW, NHWC/],
  ['unordered bounds', (m) => (m.bounds.safeText.p5 = 99), /bounds\.safeText has p5=99.*allowed: p5 <= mean <= p95/],
  ['missing threshold', (m) => delete m.threshold.image, /threshold\.image is missing/],
  ['bad sha256', (m) => (m.provenance.files['text.onnx'] = 'abc'), /provenance\.files\.text\.onnx is "abc"; allowed: a sha256 hex digest/],
  ['non-boolean trimPadding', (m) => (m.text.trimPadding = 'yes'), /text\.trimPadding is "yes"; allowed: true or false \(default false\)/],
])('%s is refused with a message naming the field', (_name, mutate, message) => expectInvalid(mutate, message));

test('a file that does not match its sha256 stops loading', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  for (const f of fs.readdirSync(FIXTURE_BUNDLE)) fs.copyFileSync(path.join(FIXTURE_BUNDLE, f), path.join(dir, f));
  fs.appendFileSync(path.join(dir, 'anchors.tsv'), 'safe\ta tampered line\n');
  await expect(loadBundle(dir)).rejects.toThrow(/anchors\.tsv does not match its sha256/);
});

test('a folder without a manifest says where to point MODEL_DIR', () => {
  expect(() => readManifest(os.tmpdir())).toThrow(/no model bundle at .*set MODEL_DIR or --bundle/);
});
