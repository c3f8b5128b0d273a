/**
 * A model bundle on disk: manifest + ONNX files + tokenizer + concept anchors (+ a safe-prompt pool, + a
 * substitution table learnt from safe/unsafe twins for EDIT). Loading verifies the manifest, the sha256 of every file it lists, and parses the anchors, so a broken
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
  /** The learnt replacements of unsafe words (manifest `substitutions`), if the bundle ships them; else null. */
  substitutions: Substitutions | null;
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

/** One learnt replacement of an unsafe word: a word or short phrase (null = the word is dropped) and how often the twins showed it. */
export interface Substitution {
  replacement: string | null;
  count: number;
}

/** Learnt replacements per unsafe word (lowercase), most frequent first. */
export type Substitutions = ReadonlyMap<string, readonly Substitution[]>;

/** The header line of a substitution table, and the replacement column's marker for "dropped". */
export const SUBSTITUTIONS_HEADER = 'unsafe_word\treplacement\tcount';
export const DROP_MARKER = '<drop>';
/** Longest replacement phrase, in words. */
export const MAX_REPLACEMENT_WORDS = 3;

const LOWER_WORD = /^[^\s<>]+$/u;

/**
 * Parses a substitution table: TSV, first line `unsafe_word<TAB>replacement<TAB>count`, then one row per learnt
 * replacement: a lowercase word, its replacement (1 to 3 lowercase words separated by single spaces, or `<drop>`)
 * and a positive integer count. '#' comments and blank lines are allowed. Rows of a word are returned in count
 * order (ties: file order). A malformed row stops loading with BUNDLE_INVALID naming the file and line.
 */
export function parseSubstitutions(file: string): Substitutions {
  const table = new Map<string, Substitution[]>();
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const row = 'a row "unsafe_word<TAB>replacement<TAB>count": a lowercase word, 1 to 3 lowercase words separated by single spaces or <drop>, an integer >= 1';
  let header = false;
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    if (!header) {
      if (line !== SUBSTITUTIONS_HEADER) throw invalid(`${where}: expected the header ${JSON.stringify(SUBSTITUTIONS_HEADER)}; got ${JSON.stringify(line.slice(0, 80))}`);
      header = true;
      return;
    }
    const cols = line.split('\t');
    if (cols.length !== 3) throw invalid(`${where}: has ${cols.length} tab-separated fields; allowed: ${row}`);
    const [word, replacement, countText] = cols;
    if (!LOWER_WORD.test(word) || word !== word.toLowerCase()) throw invalid(`${where}: unsafe word ${JSON.stringify(word)} is not one lowercase word; allowed: ${row}`);
    const phrase = replacement.split(' ');
    const isDrop = replacement === DROP_MARKER;
    if (!isDrop && (phrase.length > MAX_REPLACEMENT_WORDS || !phrase.every((w) => LOWER_WORD.test(w)) || replacement !== replacement.toLowerCase())) {
      throw invalid(`${where}: replacement ${JSON.stringify(replacement)} is not 1 to ${MAX_REPLACEMENT_WORDS} lowercase words separated by single spaces nor ${DROP_MARKER}; allowed: ${row}`);
    }
    if (!isDrop && phrase.includes(word)) throw invalid(`${where}: replacement ${JSON.stringify(replacement)} contains the unsafe word ${JSON.stringify(word)} itself; allowed: a replacement without it`);
    if (!/^[1-9][0-9]{0,9}$/.test(countText)) throw invalid(`${where}: count ${JSON.stringify(countText)} is not an integer >= 1; allowed: ${row}`);
    const list = table.get(word) ?? [];
    const value = isDrop ? null : replacement;
    if (list.some((s) => s.replacement === value)) throw invalid(`${where}: ${JSON.stringify(word)} -> ${JSON.stringify(replacement)} is listed twice; allowed: each replacement of a word once`);
    list.push({ replacement: value, count: Number(countText) });
    table.set(word, list);
  });
  if (!header) throw invalid(`${file} is empty; allowed: the header ${JSON.stringify(SUBSTITUTIONS_HEADER)} and rows "unsafe_word<TAB>replacement<TAB>count"`);
  for (const list of table.values()) list.sort((a, b) => b.count - a.count); // stable: ties keep file order
  return table;
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
    substitutions: manifest.substitutions ? parseSubstitutions(path.join(abs, manifest.substitutions)) : null,
    fingerprint: sha256File(path.join(abs, 'manifest.json')),
  };
}
