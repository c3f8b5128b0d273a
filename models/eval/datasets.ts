/**
 * The evaluation sets, read from ../shared/eval (see its MANIFEST.md). Measuring only: nothing read here may
 * be used to train, calibrate or tune anything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { column, findColumn, readTable } from './csv';

/** Every file the harness reads, relative to the data folder. */
export const EVAL_FILES = {
  manifest: 'MANIFEST.md',
  coco: 'coco/coco_30k.csv',
  parti: 'parti/PartiPrompts.tsv',
  i2p: 'i2p/unsafe-prompts4703.csv',
  ringABell: 'ring_a_bell/Violence_eta_5.5_K_77.csv',
  nibbler: 'adversarial_nibbler/nibbler_submitted_flat.csv',
  rabPairs: 'paired_unsafe_safe/ringabell_Violence_30.csv',
  recePairs: 'paired_unsafe_safe/rece_nudity-ring-a-bell.csv',
  images: 'safe_images/images.csv',
} as const;

export const COCO_ROWS = 5000;
export const NIBBLER_MIN_VOTES = 3;

/** Paths (absolute) that are missing: the data folder itself, else any file the harness needs. */
export function missingPaths(dataDir: string): string[] {
  if (!fs.existsSync(dataDir)) return [dataDir];
  return Object.values(EVAL_FILES)
    .map((f) => path.join(dataDir, f))
    .filter((f) => !fs.existsSync(f));
}

export interface TextSet {
  id: string;
  /** Short name for the tables. */
  label: string;
  /** Source file, relative to the data folder, and how rows were chosen. */
  source: string;
  texts: string[];
  /** Rows dropped because the prompt was empty or only whitespace. */
  skippedEmpty: number;
}

export interface I2PSet extends TextSet {
  /** Categories of each text (I2P `categories`, split on commas). */
  categories: string[][];
  /** Whether each text is an I2P `hard == 1` row (inappropriate_percentage >= 50). */
  hard: boolean[];
}

export interface PairSet {
  id: string;
  label: string;
  source: string;
  unsafe: string[];
  safe: string[];
  skippedEmpty: number;
}

export interface SafeImage {
  file: string;
  path: string;
  description: string;
}

export interface EvalData {
  coco: TextSet;
  parti: TextSet;
  /** All I2P rows (4,703 less empty prompts); `hard` marks the strict subset. */
  i2p: I2PSet;
  ringABell: TextSet;
  nibbler: TextSet;
  rabPairs: PairSet;
  recePairs: PairSet;
  images: SafeImage[];
}

function nonEmpty(values: string[]): { texts: string[]; skipped: number; kept: number[] } {
  const texts: string[] = [];
  const kept: number[] = [];
  values.forEach((v, i) => {
    if (v.trim() !== '') {
      texts.push(v);
      kept.push(i);
    }
  });
  return { texts, skipped: values.length - texts.length, kept };
}

function num(v: string): number {
  const x = Number(v.trim());
  return Number.isFinite(x) ? x : NaN;
}

function textSet(id: string, label: string, source: string, values: string[]): TextSet {
  const { texts, skipped } = nonEmpty(values);
  return { id, label, source, texts, skippedEmpty: skipped };
}

function pairSet(id: string, label: string, source: string, unsafe: string[], safe: string[]): PairSet {
  const u: string[] = [];
  const s: string[] = [];
  unsafe.forEach((x, i) => {
    if (x.trim() !== '' && safe[i].trim() !== '') {
      u.push(x);
      s.push(safe[i]);
    }
  });
  return { id, label, source, unsafe: u, safe: s, skippedEmpty: unsafe.length - u.length };
}

export function loadEvalData(dataDir: string): EvalData {
  const p = (f: string): string => path.join(dataDir, f);

  const cocoTable = readTable(p(EVAL_FILES.coco));
  const coco = textSet('coco', 'COCO captions', `${EVAL_FILES.coco}: column prompt, first ${COCO_ROWS} rows`, column(cocoTable, 'prompt').slice(0, COCO_ROWS));

  // Plain TSV: quoting off (a prompt may begin with a quoted word).
  const partiTable = readTable(p(EVAL_FILES.parti), { delimiter: '\t', quoting: false });
  const parti = textSet('parti', 'PartiPrompts', `${EVAL_FILES.parti}: column Prompt, all rows`, column(partiTable, 'Prompt'));

  const i2pTable = readTable(p(EVAL_FILES.i2p));
  const { texts: i2pTexts, skipped: i2pSkipped, kept: i2pKept } = nonEmpty(i2pTable.rows.map((r) => r['prompt']));
  const i2p: I2PSet = {
    id: 'i2p',
    label: 'I2P (all)',
    source: `${EVAL_FILES.i2p}: column prompt, all rows; hard == 1 marks I2P hard`,
    texts: i2pTexts,
    skippedEmpty: i2pSkipped,
    categories: i2pKept.map((i) =>
      (i2pTable.rows[i]['categories'] ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
    hard: i2pKept.map((i) => num(i2pTable.rows[i]['hard']) === 1),
  };

  const rabTable = readTable(p(EVAL_FILES.ringABell));
  const rabCol = findColumn(rabTable, ['prompt', 'prompts', 'Prompt', 'text']);
  const ringABell = textSet('ringABell', 'Ring-A-Bell violence', `${EVAL_FILES.ringABell}: column ${rabCol}, all rows`, column(rabTable, rabCol));

  const nibTable = readTable(p(EVAL_FILES.nibbler));
  const nibRows = nibTable.rows.filter((r) => num(r['text_unsafe_votes']) >= NIBBLER_MIN_VOTES);
  const nibbler = textSet(
    'nibbler',
    'Adversarial Nibbler',
    `${EVAL_FILES.nibbler}: column prompt, rows with text_unsafe_votes >= ${NIBBLER_MIN_VOTES}`,
    nibRows.map((r) => r['prompt']),
  );

  const rab = readTable(p(EVAL_FILES.rabPairs));
  const rabPairs = pairSet('rabPairs', 'Ring-A-Bell violence pairs', `${EVAL_FILES.rabPairs}: prompt (unsafe) vs prompt1 (safe)`, column(rab, 'prompt'), column(rab, 'prompt1'));

  const rece = readTable(p(EVAL_FILES.recePairs));
  const recePairs = pairSet(
    'recePairs',
    'RECE nudity pairs',
    `${EVAL_FILES.recePairs}: "sensitive prompt" (unsafe) vs "normal prompt" (safe)`,
    column(rece, 'sensitive prompt'),
    column(rece, 'normal prompt'),
  );

  const imgTable = readTable(p(EVAL_FILES.images));
  const images = imgTable.rows.map((r) => ({ file: r['file'], path: path.join(dataDir, 'safe_images', r['file']), description: r['description'] ?? '' }));
  for (const im of images) if (!fs.existsSync(im.path)) throw new Error(`missing image listed in ${EVAL_FILES.images}: ${im.path}`);

  return { coco, parti, i2p, ringABell, nibbler, rabPairs, recePairs, images };
}
