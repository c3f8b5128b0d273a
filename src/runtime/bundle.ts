/**
 * A model bundle on disk: manifest + ONNX files + tokenizer + concept anchors (+ a safe-prompt pool).
 * Loading verifies the manifest, the sha256 of every file it lists, and parses the anchors, so a broken
 * bundle stops start-up with a message naming what is wrong.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayError, ErrorCode } from '../errors';
import { readManifest } from './manifest';
import { UNSAFE_CATEGORIES, type AnchorLabel, type Manifest } from './manifest-types';
import { loadTokenizer } from './tokenizers';
import type { Tokenizer } from './tokenizers/types';

export interface Anchor {
  label: AnchorLabel;
  text: string;
}

export interface Bundle {
  dir: string;
  manifest: Manifest;
  tokenizer: Tokenizer;
  anchors: Anchor[];
  /** The bundle's own safe-prompt pool file, if it ships one. */
  poolFile: string | null;
  /** sha256 of manifest.json: identifies the bundle in caches. */
  fingerprint: string;
}

const LABELS: readonly string[] = ['safe', ...UNSAFE_CATEGORIES];

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function invalid(message: string, cause?: unknown): GatewayError {
  return new GatewayError(ErrorCode.BUNDLE_INVALID, message, { cause });
}

/** Parses an anchors TSV (`label<TAB>text`, '#' comments allowed). */
export function parseAnchors(file: string): Anchor[] {
  const anchors: Anchor[] = [];
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    const label = tab < 0 ? '' : line.slice(0, tab).trim();
    const text = tab < 0 ? '' : line.slice(tab + 1).trim();
    if (!LABELS.includes(label) || !text) {
      throw invalid(`${file}:${i + 1}: expected "label<TAB>text" with label one of ${LABELS.join(', ')}; got ${JSON.stringify(line.slice(0, 80))}`);
    }
    anchors.push({ label: label as AnchorLabel, text });
  });
  if (anchors.length === 0) throw invalid(`${file} holds no anchors; allowed: at least one "label<TAB>text" line`);
  return anchors;
}

/** Loads and verifies the bundle in `dir`. */
export async function loadBundle(dir: string): Promise<Bundle> {
  const abs = path.resolve(dir);
  const manifest = readManifest(abs);
  for (const [name, expected] of Object.entries(manifest.provenance.files)) {
    const file = path.join(abs, name);
    if (!fs.existsSync(file)) throw invalid(`${abs}/manifest.json: provenance.files lists ${name}, which is missing from the bundle`);
    const actual = sha256File(file);
    if (actual !== expected) {
      throw invalid(`${file} does not match its sha256 in manifest.json (expected ${expected}, found ${actual}); rebuild the bundle with: ${manifest.provenance.rebuild}`);
    }
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer(manifest.text.tokenizer, abs);
  } catch (cause) {
    throw invalid(`${abs}: the ${manifest.text.tokenizer.type} tokenizer could not be loaded: ${(cause as Error).message}`, cause);
  }
  return {
    dir: abs,
    manifest,
    tokenizer,
    anchors: parseAnchors(path.join(abs, manifest.anchors)),
    poolFile: manifest.pool ? path.join(abs, manifest.pool) : null,
    fingerprint: sha256File(path.join(abs, 'manifest.json')),
  };
}
