/**
 * A bundle's size as issue #12 counts it ("bundle <= 60 MB"): manifest.json plus every file its manifest names
 * (provenance.files, the towers, the tokenizer's vocabulary/merges and subword n-grams, anchors, pool), each
 * once. Files in the folder that the manifest does not name (reports, training data, spare models) are not
 * part of what the gateway loads and are left out. MB = 10^6 bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesNamedByManifest } from '../../models/eval/git-bundle';

/** manifest.json and the files the manifest names, each once, in that order. */
export function bundleFileNames(manifest: unknown): string[] {
  const subwords = (manifest as { text?: { tokenizer?: { subwords?: { ngrams?: unknown } } } }).text?.tokenizer?.subwords?.ngrams;
  const names = ['manifest.json', ...filesNamedByManifest(manifest), ...(typeof subwords === 'string' && subwords !== '' ? [subwords] : [])];
  return [...new Set(names)];
}

/** Bytes of each of those files in `dir` (a missing file is an error: the bundle would not load). */
export function bundleSize(dir: string): { bytes: number; mb: number; files: Record<string, number> } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as unknown;
  const files: Record<string, number> = {};
  let bytes = 0;
  for (const name of bundleFileNames(manifest)) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`bundle ${dir}: its manifest names ${name}, which is not there`);
    files[name] = fs.statSync(file).size;
    bytes += files[name];
  }
  return { bytes, mb: bytes / 1e6, files };
}
