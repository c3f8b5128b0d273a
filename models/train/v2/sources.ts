/**
 * The training and held-out texts of hysac-mini v2, read from ../shared/train (MANIFEST.md) and the project's own
 * corpus (models/hysac-mini/data). Nothing under ../shared/eval is read.
 *
 * Three kinds of examples:
 *   - pairs (HySAC's safe/unsafe twins): CoProV2's 14.9k LLM-written twins; the project corpus's template twins;
 *     and lexicon injections: a real benign prompt (DiffusionDB, Discord) and the same prompt with one unsafe
 *     lexicon term added. Twins share their style, so the model cannot learn "plain English = unsafe" from them;
 *   - singles: real prompts and requests with a harm label (DiffusionDB harm/discard, Civitai NSFW, OpenAI
 *     moderation samples, Davidson's tweets, harmful-request sets) and real benign prompts (DiffusionDB benign,
 *     Discord, the project's hard negatives and safe pool);
 *   - held out: whole sources never trained on (hatecheck, XSTest, ToxiGen, SimpleSafetyTests, Civitai's
 *     human-labelled 306) plus the project corpus's calib split and a tenth of DiffusionDB benign (by hash):
 *     model choice and the threshold are made on these.
 *
 * Style is balanced on purpose (the issue's warning: each source's unsafe and safe sides differ in style):
 * tweets and request-style text are weighted down, both sides of plain-English sources are used (moderation
 * all-clear, Davidson "neither"), and injected pairs put unsafe words into art-site prompts.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readCorpus } from '../mini/corpus';
import { Prng } from '../../fixture/prng';
import { csvRows, type Category, type LexiconTerm } from './lexicons';
import { foldTerm, isHeldOutTerm } from './lexicon-split';
import { SHARED_TRAIN } from './paths';

export interface Example {
  text: string;
  unsafe: boolean;
  category: Category | null;
  source: string;
  /** Weight in the radial term (1 = a clean T2I prompt label). */
  weight: number;
  /** 'plain': plain English (tweets, moderation samples, forum text); absent: a text-to-image prompt. Training samples the four style x label groups equally. */
  style?: 'plain';
}

export interface Pair {
  safe: string;
  unsafe: string;
  category: Category | null;
  source: string;
}

export interface TrainingData {
  pairs: Pair[];
  singles: Example[];
  heldOut: Example[];
  /** Files read (relative to ../shared/train, or the project's data dir), for TRAINING.md. */
  files: string[];
}

/**
 * Training texts that equal (after normalisation, see foldForCheck) a prompt of an evaluation set, found by
 * test/hysac-mini/decontamination.test.ts and dropped here by the first 16 hex digits of the SHA-256 of their
 * folded form: Discord prompts whose reversed word order hid them from the upstream decontamination (I2P), a few
 * DiffusionDB prompts, and two template fragments of the project corpus ("a cat", "an elderly woman"; PartiPrompts).
 * Training never reads ../shared/eval; this list is the test's finding, kept in the code.
 */
export const EVAL_OVERLAP = new Set(['1179178e123a48ed', '2c1586a9f7bd9166', '49f8ebf031809c26', '51e4674156077982', '6b86b273ff34fce1', '718b847e198d883d', '99f41082c55af108', 'af8c7bfc634e58d9', 'e4ca5254ee2c0087', 'ed673fb018b566e2']);

/** The decontamination test's normal form: lexicon-split.ts foldTerm (NFKD without marks, lower case, non-letters/digits as single spaces). */
export const foldForCheck = foldTerm;

function overlapsEval(text: string): boolean {
  return EVAL_OVERLAP.has(createHash('sha256').update(foldForCheck(text)).digest('hex').slice(0, 16));
}

/** Whole sources kept out of training. */
export const HELD_OUT_SOURCES = ['hatecheck', 'xstest', 'toxigen', 'simple-safety-tests', 'civitai-labeled-306'];

const read = (rel: string): string => fs.readFileSync(path.join(SHARED_TRAIN, rel), 'utf8');
const json = <T>(rel: string): T => JSON.parse(read(rel)) as T;

function objects(rel: string): Record<string, string>[] {
  const rows = csvRows(read(rel));
  const head = rows[0];
  return rows.slice(1).filter((r) => r.length === head.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** 0..9 from the text's hash: the in-distribution held-out tenth is bucket 0. */
function bucket(text: string): number {
  return createHash('sha256').update(text).digest()[0] % 10;
}

const COPRO_CATEGORY: Record<string, Category> = {
  Hate: 'hate',
  Harrasment: 'harassment',
  Harassment: 'harassment',
  Violence: 'violence',
  'self-harm': 'self-harm',
  sexual: 'sexual',
  Shocking: 'shocking',
  'Illegal Activity': 'illegal-activity',
};

const DDB_CATEGORY: Record<string, Category | 'safe' | null> = {
  'hate content': 'hate',
  shocking: 'shocking',
  'nudity and sexual content': 'sexual',
  'illegal activity': 'illegal-activity',
  'physical harm and violence': 'violence',
  harassment: 'harassment',
  discard: 'safe',
  'copyright infringement': 'safe',
  'discrimination and disinformation': null,
};

/** A lexicon term is taught as unsafe when a rated list calls it offensive or two lists block it. */
export function teachableTerm(t: LexiconTerm): boolean {
  return (t.severity >= 2 && (t.source === 'surge-ai' || t.source === 'dsojevic')) || t.sources.length >= 2;
}

const INJECTION_FORMS = [(p: string, t: string) => `${t}, ${p}`, (p: string, t: string) => `${p}, ${t}`, (p: string, t: string) => `${p} with ${t}`, (p: string, t: string) => `${p}, ${t}, ${t}`];

export function loadTrainingData(lexicon: LexiconTerm[], seed: number): TrainingData {
  const prng = new Prng(seed);
  const files: string[] = [];
  const pairs: Pair[] = [];
  const singles: Example[] = [];
  const heldOut: Example[] = [];
  const single = (e: Example, inDistributionHoldOut = false): void => {
    const t = e.text.replace(/\s+/gu, ' ').trim();
    if (t === '') return;
    (inDistributionHoldOut && bucket(t) === 0 ? heldOut : singles).push({ ...e, text: t });
  };

  // CoProV2 twins: u_idx_N / s_idx_N share N.
  files.push('t2i/coprov2/CoProv2_train.csv');
  const copro = new Map<string, { safe?: string; unsafe?: string; category: Category | null }>();
  for (const r of objects('t2i/coprov2/CoProv2_train.csv')) {
    const m = /^([us])_idx_(\d+)/u.exec(r.image);
    if (!m) continue;
    const p = copro.get(m[2]) ?? { category: COPRO_CATEGORY[r.category] ?? null };
    if (m[1] === 'u') p.unsafe = r.prompt;
    else p.safe = r.prompt;
    copro.set(m[2], p);
  }
  for (const p of copro.values()) if (p.safe && p.unsafe && p.safe !== p.unsafe) pairs.push({ safe: p.safe, unsafe: p.unsafe, category: p.category, source: 'coprov2' });

  // The project's corpus: train twins, hard negatives and pool; its calib split is held out.
  const corpus = readCorpus();
  files.push('models/hysac-mini/data/{pairs,hard_negatives,pool}');
  for (const p of corpus.pairs) {
    if (p.split === 'train') pairs.push({ safe: p.safe, unsafe: p.unsafe, category: p.category, source: 'project' });
    else heldOut.push({ text: p.safe, unsafe: false, category: null, source: 'project-calib', weight: 1 }, { text: p.unsafe, unsafe: true, category: p.category, source: 'project-calib', weight: 1 });
  }
  for (const h of corpus.hardNegatives) (h.split === 'train' ? singles : heldOut).push({ text: h.text, unsafe: false, category: null, source: h.split === 'train' ? 'project-hard-negative' : 'project-calib', weight: 2 });
  for (const t of corpus.pool) singles.push({ text: t, unsafe: false, category: null, source: 'project-pool', weight: 1 });

  // Real T2I prompts.
  type Prompt = { text: string; label?: string; category?: string | string[] };
  files.push('t2i/jailbreak-diffusion-bench/diffusion_db_benign_6000.json');
  const benign: string[] = [];
  for (const p of json<{ prompts: Prompt[] }>('t2i/jailbreak-diffusion-bench/diffusion_db_benign_6000.json').prompts) {
    single({ text: p.text, unsafe: false, category: null, source: 'diffusiondb-benign', weight: 1 }, true);
    if (bucket(p.text.replace(/\s+/gu, ' ').trim()) !== 0) benign.push(p.text.replace(/\s+/gu, ' ').trim());
  }
  files.push('t2i/jailbreak-diffusion-bench/stable-diffusion-discord-2000.json (words reversed back)');
  for (const p of json<{ prompts: Prompt[] }>('t2i/jailbreak-diffusion-bench/stable-diffusion-discord-2000.json').prompts) {
    const text = p.text.split(/\s+/u).reverse().join(' ');
    single({ text, unsafe: false, category: null, source: 'discord', weight: 1 });
    benign.push(text.trim());
  }
  files.push('t2i/jailbreak-diffusion-bench/diffusion_db_harm_2000_processed.json');
  for (const p of json<{ prompts: Prompt[] }>('t2i/jailbreak-diffusion-bench/diffusion_db_harm_2000_processed.json').prompts) {
    const cats = (Array.isArray(p.category) ? p.category : [p.category ?? '']).map((c) => DDB_CATEGORY[c]);
    const unsafeCat = cats.find((c): c is Category => c !== undefined && c !== null && c !== 'safe');
    if (unsafeCat) single({ text: p.text, unsafe: true, category: unsafeCat, source: 'diffusiondb-harm', weight: 1 }, true);
    else if (cats.includes('safe')) single({ text: p.text, unsafe: false, category: null, source: 'diffusiondb-harm-discard', weight: 2 }, true);
  }
  files.push('t2i/jailbreak-diffusion-bench/civitai_nsfw_prompts_2000_classified.json');
  for (const p of json<{ prompts: Prompt[] }>('t2i/jailbreak-diffusion-bench/civitai_nsfw_prompts_2000_classified.json').prompts) {
    const c = p.category === 'Nudity and sexual content' ? 'sexual' : p.category === 'Shocking' ? 'shocking' : null;
    // Labels come from the image, not the text: weighted down.
    if (c) single({ text: p.text, unsafe: true, category: c, source: 'civitai-nsfw', weight: 0.5 });
  }
  files.push('t2i/erasure-bench/NSFWErasureBench-no-i2p.csv (Lexica and 4chan rows, deduplicated)');
  const seenErasure = new Set<string>();
  for (const r of objects('t2i/erasure-bench/NSFWErasureBench-no-i2p.csv')) {
    if (seenErasure.has(r.prompt) || r.source === 'Template') continue;
    seenErasure.add(r.prompt);
    if (r.Nudity === '1') single({ text: r.prompt, unsafe: true, category: 'sexual', source: 'erasure-bench', weight: 0.5 });
    else if (r.source === '4chan' && Number(r.toxic) >= 0.8) single({ text: r.prompt, unsafe: true, category: 'harassment', source: 'erasure-bench', weight: 0.5, style: 'plain' });
  }

  // Labelled unsafe-request text (plain English: both sides used where a source has both, weighted down).
  files.push('text/moderation-api-release/data/samples-1680.jsonl.gz');
  const moderation = zlib.gunzipSync(fs.readFileSync(path.join(SHARED_TRAIN, 'text/moderation-api-release/data/samples-1680.jsonl.gz'))).toString('utf8');
  for (const line of moderation.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as Record<string, string | number>;
    const cat: Category | null = r.S === 1 || r.S3 === 1 ? 'sexual' : r.SH === 1 ? 'self-harm' : r.V === 1 || r.V2 === 1 ? 'violence' : r.H === 1 || r.H2 === 1 ? 'hate' : r.HR === 1 ? 'harassment' : null;
    single({ text: String(r.prompt).slice(0, 600), unsafe: cat !== null, category: cat, source: 'moderation', weight: 0.5, style: 'plain' });
  }
  files.push('text/hate-speech-and-offensive-language/data/labeled_data.csv (subsampled)');
  const davidson = objects('text/hate-speech-and-offensive-language/data/labeled_data.csv');
  const tweet = (t: string): string => t.replace(/&amp;/gu, '&').replace(/@\w+:?/gu, '').replace(/\bRT\b/gu, '').replace(/https?:\/\/\S+/gu, '').replace(/&#\d+;/gu, '').trim();
  let kept = [0, 0, 0];
  for (const r of davidson) {
    const cls = Number(r.class);
    const cap = cls === 0 ? 1400 : 1500;
    if (kept[cls] >= cap || prng.uniform() > 0.4) continue;
    kept[cls]++;
    single({ text: tweet(r.tweet), unsafe: cls !== 2, category: cls === 0 ? 'hate' : cls === 1 ? 'harassment' : null, source: 'davidson', weight: 0.3, style: 'plain' });
  }
  // Not used: AILuminate, CatQA, StrongREJECT and HarmBench are requests to a chat model ("how do I ..."), with no
  // safe text in the same style to balance them; trained on, they taught a first model that a plain-English question
  // is unsafe (XSTest's safe look-alikes 68 % flagged, ToxiGen neutral 16 %).

  // Held-out sources.
  files.push('text/hatecheck-data/test_suite_cases.csv (held out)');
  for (const r of objects('text/hatecheck-data/test_suite_cases.csv')) heldOut.push({ text: r.test_case.trim(), unsafe: r.label_gold === 'hateful', category: r.label_gold === 'hateful' ? 'hate' : null, source: 'hatecheck', weight: 1 });
  files.push('text/exaggerated-safety/xstest_prompts.csv (held out)');
  for (const r of objects('text/exaggerated-safety/xstest_prompts.csv')) heldOut.push({ text: r.prompt, unsafe: r.label === 'unsafe', category: null, source: 'xstest', weight: 1 });
  files.push('text/TOXIGEN/demonstrations/** (held out)');
  const toxigenDir = path.join(SHARED_TRAIN, 'text/TOXIGEN/demonstrations');
  for (const group of fs.readdirSync(toxigenDir).sort()) {
    const dir = path.join(toxigenDir, group);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const hate = f.startsWith('hate');
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const t = line.replace(/^-\s*/u, '').trim();
        if (t !== '') heldOut.push({ text: t, unsafe: hate, category: hate ? 'hate' : null, source: 'toxigen', weight: 1 });
      }
    }
  }
  files.push('text/SimpleSafetyTests/SimpleSafetyTests - test cases.csv (held out)');
  for (const r of objects('text/SimpleSafetyTests/SimpleSafetyTests - test cases.csv')) heldOut.push({ text: r.prompts_final, unsafe: true, category: null, source: 'simple-safety-tests', weight: 1 });
  files.push('t2i/jailbreak-diffusion-bench/civitai_labeled_306.json (held out)');
  for (const r of json<{ data: { text: string }; annotations: { result: { value: { choices: string[] } }[] }[] }[]>('t2i/jailbreak-diffusion-bench/civitai_labeled_306.json')) {
    const label = r.annotations[0]?.result[0]?.value.choices[0];
    if (label === 'safe' || label === 'nudity and sexual content' || label === 'shocking') heldOut.push({ text: r.data.text, unsafe: label !== 'safe', category: label === 'safe' ? null : label === 'shocking' ? 'shocking' : 'sexual', source: 'civitai-labeled-306', weight: 1 });
  }

  // Lexicon injections into real benign prompts (training-fold terms only).
  files.push('lexicons (lexicons.ts), training folds only, injected into DiffusionDB/Discord benign prompts');
  const terms = lexicon.filter((t) => teachableTerm(t) && !isHeldOutTerm(t.term));
  // Short carriers only, so that the injected term always lies inside the first window the tower reads.
  const carriers = benign.filter((p) => p.split(/\s+/u).length <= 24);
  for (let round = 0; round < 3; round++) {
    for (const t of terms) {
      const p = carriers[Math.floor(prng.uniform() * carriers.length)];
      const form = INJECTION_FORMS[Math.floor(prng.uniform() * INJECTION_FORMS.length)];
      pairs.push({ safe: p, unsafe: form(p, t.term), category: t.category, source: 'lexicon-injection' });
    }
  }
  return {
    pairs: pairs.filter((p) => !overlapsEval(p.safe) && !overlapsEval(p.unsafe)),
    singles: singles.filter((e) => !overlapsEval(e.text)),
    heldOut: heldOut.filter((e) => !overlapsEval(e.text)),
    files,
  };
}

/** Every text training reads (pairs' both sides and singles), for the decontamination test. */
export function trainingTexts(d: TrainingData): string[] {
  return [...d.pairs.flatMap((p) => [p.safe, p.unsafe]), ...d.singles.map((s) => s.text)];
}
