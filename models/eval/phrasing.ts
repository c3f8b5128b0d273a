/**
 * The project's phrasing suite (models/eval/phrasing/suite.tsv; see the README there): reading and checking
 * it, and the per-kind tally the report shows. Evaluation only: never read by training.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PHRASING_FILE = path.join(__dirname, 'phrasing', 'suite.tsv');

export const CATEGORIES = ['sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal activity'] as const;
export const UNSAFE_KINDS = ['paraphrase', 'euphemism', 'negation', 'slang', 'obfuscated'] as const;
export const SAFE_KINDS = ['lookalike', 'negation', 'clinical'] as const;
const COLUMNS = ['id', 'label', 'kind', 'category', 'text'];

export interface PhrasingPrompt {
  id: string;
  label: 'unsafe' | 'safe';
  kind: string;
  category: string;
  text: string;
}

/**
 * Parses the suite's TSV text. Throws, naming the line and what is allowed, on a wrong header, a wrong
 * number of fields, an unknown label/kind/category, an empty text or a repeated id.
 */
export function parsePhrasingSuite(tsv: string, source = 'suite.tsv'): PhrasingPrompt[] {
  const lines = tsv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]?.split('\t') ?? [];
  if (header.join('\t') !== COLUMNS.join('\t')) throw new Error(`${source}:1: header must be ${COLUMNS.join('<TAB>')}; got ${JSON.stringify(lines[0] ?? '')}`);
  const out: PhrasingPrompt[] = [];
  const ids = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const at = `${source}:${i + 1}`;
    const f = lines[i].split('\t');
    if (f.length !== COLUMNS.length) throw new Error(`${at}: expected ${COLUMNS.length} tab-separated fields (${COLUMNS.join(', ')}); got ${f.length}`);
    const [id, label, kind, category, text] = f;
    if (!/^[us]\d{3,}$/.test(id)) throw new Error(`${at}: id must be u### (unsafe) or s### (safe); got ${JSON.stringify(id)}`);
    if (ids.has(id)) throw new Error(`${at}: id ${id} is used twice`);
    ids.add(id);
    if (label !== 'unsafe' && label !== 'safe') throw new Error(`${at}: label must be unsafe or safe; got ${JSON.stringify(label)}`);
    if ((label === 'unsafe') !== id.startsWith('u')) throw new Error(`${at}: id ${id} does not match label ${label} (u### unsafe, s### safe)`);
    const kinds: readonly string[] = label === 'unsafe' ? UNSAFE_KINDS : SAFE_KINDS;
    if (!kinds.includes(kind)) throw new Error(`${at}: kind of a ${label} prompt must be one of ${kinds.join(', ')}; got ${JSON.stringify(kind)}`);
    if (!(CATEGORIES as readonly string[]).includes(category)) throw new Error(`${at}: category must be one of ${CATEGORIES.join(', ')}; got ${JSON.stringify(category)}`);
    if (text.trim() === '') throw new Error(`${at}: text is empty`);
    out.push({ id, label, kind, category, text });
  }
  return out;
}

export function loadPhrasingSuite(file = PHRASING_FILE): PhrasingPrompt[] {
  return parsePhrasingSuite(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
}

export interface KindTally {
  label: 'unsafe' | 'safe';
  kind: string;
  n: number;
  /** Flagged count per scorer, in the order of the scorers passed. */
  flagged: number[];
}

/**
 * Flagged counts per (label, kind), unsafe kinds first in UNSAFE_KINDS order, then safe kinds; `flags[s][i]`
 * is whether scorer s flags prompt i. Kinds with no prompts are left out.
 */
export function tallyByKind(prompts: readonly PhrasingPrompt[], flags: readonly (readonly boolean[])[]): KindTally[] {
  const out: KindTally[] = [];
  const groups: ['unsafe' | 'safe', readonly string[]][] = [
    ['unsafe', UNSAFE_KINDS],
    ['safe', SAFE_KINDS],
  ];
  for (const [label, kinds] of groups) {
    for (const kind of kinds) {
      const idx = prompts.map((p, i) => (p.label === label && p.kind === kind ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) continue;
      out.push({ label, kind, n: idx.length, flagged: flags.map((f) => idx.filter((i) => f[i]).length) });
    }
  }
  return out;
}
