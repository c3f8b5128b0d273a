/**
 * Reads the project's own training corpus (models/hysac-mini/data/, written by models/train/corpus/). Nothing
 * else is read: the evaluation data in ../shared/eval is never touched by training or calibration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UNSAFE_CATEGORIES, type AnchorLabel, type UnsafeCategory } from '../../../src/runtime/manifest-types';
import { DATA_DIR } from './config';

export type Split = 'train' | 'calib';

export interface Pair {
  category: UnsafeCategory;
  style: string;
  safe: string;
  unsafe: string;
  split: Split;
}

export interface HardNegative {
  topic: string;
  style: string;
  text: string;
  split: Split;
}

export interface AnchorRow {
  label: AnchorLabel;
  text: string;
}

export interface LexiconRow {
  category: UnsafeCategory;
  term: string;
  replacement: string;
}

export interface Corpus {
  pairs: Pair[];
  hardNegatives: HardNegative[];
  pool: string[];
  anchors: AnchorRow[];
  lexicon: LexiconRow[];
}

/** Rows of a TSV with a header row, as objects keyed by column name (column order does not matter). */
function tsvRows(file: string, columns: string[]): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const header = lines[0].split('\t');
  for (const c of columns) if (!header.includes(c)) throw new Error(`${file}: header ${JSON.stringify(header)} lacks column '${c}'`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split('\t');
    if (cells.length !== header.length) throw new Error(`${file}:${i + 2}: ${cells.length} columns, expected ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, cells[j]]));
  });
}

function category(v: string, where: string): UnsafeCategory {
  if (!(UNSAFE_CATEGORIES as readonly string[]).includes(v)) throw new Error(`${where}: unknown category ${JSON.stringify(v)}`);
  return v as UnsafeCategory;
}

function split(v: string, where: string): Split {
  if (v !== 'train' && v !== 'calib') throw new Error(`${where}: unknown split ${JSON.stringify(v)}`);
  return v;
}

export function readCorpus(dir = DATA_DIR): Corpus {
  const pairsFile = path.join(dir, 'pairs.tsv');
  const pairs = tsvRows(pairsFile, ['category', 'style', 'safe', 'unsafe', 'split']).map((r, i) => ({
    category: category(r.category, `${pairsFile}:${i + 2}`),
    style: r.style,
    safe: r.safe,
    unsafe: r.unsafe,
    split: split(r.split, `${pairsFile}:${i + 2}`),
  }));
  const hnFile = path.join(dir, 'hard_negatives.tsv');
  const hardNegatives = tsvRows(hnFile, ['topic', 'style', 'text', 'split']).map((r, i) => ({ topic: r.topic, style: r.style, text: r.text, split: split(r.split, `${hnFile}:${i + 2}`) }));
  const pool = fs
    .readFileSync(path.join(dir, 'pool.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const anchors: AnchorRow[] = [];
  for (const line of fs.readFileSync(path.join(dir, 'anchors.tsv'), 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [label, text] = line.split('\t');
    if (label !== 'safe') category(label, 'anchors.tsv');
    anchors.push({ label: label as AnchorLabel, text: text.trim() });
  }
  const lexFile = path.join(dir, 'lexicon.tsv');
  const lexicon = tsvRows(lexFile, ['category', 'term', 'safe_replacement']).map((r, i) => ({ category: category(r.category, `${lexFile}:${i + 2}`), term: r.term, replacement: r.safe_replacement }));
  return { pairs, hardNegatives, pool, anchors, lexicon };
}

/** Every text of the corpus (for the vocabulary). */
export function allTexts(c: Corpus): string[] {
  return [
    ...c.pairs.flatMap((p) => [p.safe, p.unsafe]),
    ...c.hardNegatives.map((h) => h.text),
    ...c.pool,
    ...c.anchors.map((a) => a.text),
    ...c.lexicon.flatMap((l) => (l.replacement ? [l.term, l.replacement] : [l.term])),
  ];
}
