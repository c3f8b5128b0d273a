/** A bundle's size as issue #12 counts it (test/bench/bundle-size.ts): manifest.json and the files it names, nothing else. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURE_BUNDLE } from '../helpers/gateway';
import { buildSubwordBundle } from '../runtime/subword-bundle';
import { bundleFileNames, bundleSize } from './bundle-size';

const sizeOf = (dir: string, f: string) => fs.statSync(path.join(dir, f)).size;

test('the fixture: manifest.json plus each file its manifest names, once', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE_BUNDLE, 'manifest.json'), 'utf8'));
  const names = bundleFileNames(manifest);
  expect(names[0]).toBe('manifest.json');
  expect(names).toEqual(expect.arrayContaining(['text.onnx', 'image.onnx', manifest.text.tokenizer.vocab]));
  expect(new Set(names).size).toBe(names.length);
  const s = bundleSize(FIXTURE_BUNDLE);
  expect(s.bytes).toBe(names.reduce((a, f) => a + sizeOf(FIXTURE_BUNDLE, f), 0));
  expect(s.mb).toBeCloseTo(s.bytes / 1e6, 9);
  expect(Object.keys(s.files).sort()).toEqual([...names].sort());
});

test('a subword bundle counts its n-gram file; a file the manifest does not name is left out; a named file missing is an error', () => {
  const { dir } = buildSubwordBundle({ manifest: (m) => delete m.provenance.files['ngrams.txt'] });
  try {
    const before = bundleSize(dir);
    // ngrams.txt is named only by text.tokenizer.subwords here, and still counted.
    expect(before.files['ngrams.txt']).toBe(sizeOf(dir, 'ngrams.txt'));
    fs.writeFileSync(path.join(dir, 'REPORT.md'), 'x'.repeat(5000));
    expect(bundleSize(dir).bytes).toBe(before.bytes);
    fs.rmSync(path.join(dir, 'ngrams.txt'));
    expect(() => bundleSize(dir)).toThrow(/names ngrams\.txt, which is not there/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
