/**
 * Evaluation harness: measures the current model bundle, and beside it the bundle as committed at a baseline
 * revision (v1), on real public data (../shared/eval, see its MANIFEST.md), the project's phrasing suite and
 * held-out lexicon terms; writes <bundle>/REPORT.md (compose-report.ts) and prints the floors table.
 *
 *   npm run eval -- [--bundle DIR] [--baseline REF|none] [--label NAME] [--out FILE] [--data DIR] [--quick] [--strict]
 *   (root script: npm --prefix models/eval install && npm --prefix models/train install && tsx models/eval/run-eval.ts)
 *
 * MEASURING ONLY: the figures and the data must never feed back into training, thresholds or tuning. The
 * harness uses each bundle's own thresholds, one per modality, for every set.
 *
 * Exit status: 0 when the report was written (floors met or not; with --strict, 1 when the current bundle
 * missed a floor), 2 for a usage error or missing data/bundle.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import { composeReport, type LexiconEval } from './compose-report';
import { EVAL_FILES, loadEvalData, missingPaths, type EvalData, type I2PSet, type TextSet } from './datasets';
import { materialiseBundle } from './git-bundle';
import { carrierPrompts, heldOutSevereTerms, type LexiconTerm } from './lexicon-carriers';
import { measureBundle, type BundleRun, type TextInput } from './measure';
import { loadPhrasingSuite } from './phrasing';

const DEFAULT_BUNDLE = 'models/hysac-mini';
/** hysac-mini v1: the bundle as committed before v2 (issue #12). */
const DEFAULT_BASELINE = '7362428';
/** Redirect examples shown per pair file. */
const EXAMPLES = 3;
/** --quick: at most this many rows of each large set (every k-th row), and of the lexicon carriers. */
const QUICK_MAX = 400;
const QUICK_REDIRECT = 10;
const CACHE = path.join(__dirname, '.cache');

interface Args {
  bundle: string;
  baseline: string | null;
  label: string;
  out: string | null;
  data: string;
  strict: boolean;
  quick: boolean;
}

class UsageError extends Error {}

const USAGE = `usage: tsx models/eval/run-eval.ts [--bundle DIR] [--baseline REF|none] [--label NAME] [--out FILE] [--data DIR] [--quick] [--strict]
  --bundle DIR      model bundle to measure (default ${DEFAULT_BUNDLE})
  --baseline REF    also measure ${DEFAULT_BUNDLE} as committed at git revision REF, in the column "v1"
                    (default ${DEFAULT_BASELINE}; none: only the current bundle). Skipped when it is the same bundle.
  --label NAME      column name of the current bundle (default v2; "v1" when it is the baseline itself)
  --out FILE        report file (default <bundle>/REPORT.md; with --quick, models/eval/.cache/REPORT-quick.md)
  --data DIR        evaluation data (default ../shared/eval from the project root, or $EVAL_DATA)
  --quick           subsample (at most ${QUICK_MAX} rows a set, ${QUICK_REDIRECT} redirects a pair file) for development
  --strict          exit 1 when the current bundle misses a floor`;

function parseArgs(argv: string[]): Args {
  const a: Args = {
    bundle: path.join(PROJECT_ROOT, DEFAULT_BUNDLE),
    baseline: DEFAULT_BASELINE,
    label: 'v2',
    out: null,
    data: process.env.EVAL_DATA ? path.resolve(process.env.EVAL_DATA) : path.resolve(PROJECT_ROOT, '..', 'shared', 'eval'),
    strict: false,
    quick: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--bundle') a.bundle = path.resolve(value());
    else if (flag === '--out') a.out = path.resolve(value());
    else if (flag === '--data') a.data = path.resolve(value());
    else if (flag === '--strict') a.strict = true;
    else if (flag === '--quick') a.quick = true;
    else if (flag === '--baseline') {
      const v = value();
      a.baseline = v === 'none' ? null : v;
    } else if (flag === '--label') a.label = value();
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return a;
}

function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..' + path.sep + '..') || path.isAbsolute(r) ? p : r;
}

/** The command as typed, for the report. */
function commandLine(argv: string[]): string {
  const envs = ['EVAL_DATA', 'HYSAC_SHARED_TRAIN', 'MODEL_WORKERS', 'MODEL_THREADS', 'BATCH_MAX_SIZE', 'EXECUTION_PROVIDERS']
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `${k}=${process.env[k]}`);
  const quote = (s: string): string => (/^[\w./=:@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const args = argv.map(quote).join(' ');
  const base = process.env.npm_lifecycle_event === 'eval' ? `npm run eval${args ? ' -- ' + args : ''}` : `npx tsx ${rel(__filename)}${args ? ' ' + args : ''}`;
  return [...envs, base].join(' ');
}

/** Every k-th item so that at most `max` remain (all when there are fewer). */
function everyKth<T>(xs: readonly T[], max: number): number[] {
  const k = Math.max(1, Math.ceil(xs.length / max));
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i += k) idx.push(i);
  return idx;
}

function subsampleSet<T extends TextSet>(s: T, max: number, extra: (idx: number[]) => Partial<T> = () => ({})): T {
  const idx = everyKth(s.texts, max);
  return { ...s, texts: idx.map((i) => s.texts[i]), ...extra(idx) };
}

/** --quick: the large sets cut to QUICK_MAX rows (every k-th row, so I2P hard rows stay in proportion). */
function quickData(d: EvalData): EvalData {
  return {
    ...d,
    coco: subsampleSet(d.coco, QUICK_MAX),
    parti: subsampleSet(d.parti, QUICK_MAX),
    i2p: subsampleSet<I2PSet>(d.i2p, QUICK_MAX, (idx) => ({ categories: idx.map((i) => d.i2p.categories[i]), hard: idx.map((i) => d.i2p.hard[i]) })),
    ringABell: subsampleSet(d.ringABell, QUICK_MAX),
    nibbler: subsampleSet(d.nibbler, QUICK_MAX),
  };
}

/**
 * The held-out severe lexicon terms from training's own definitions (models/train/v2). Loaded at run time
 * by path, so that the eval still runs (and says why) in a checkout without them or without ../shared/train.
 */
async function loadHeldOutLexicon(): Promise<{ ok: true; terms: LexiconTerm[]; sources: string[] } | { ok: false; reason: string }> {
  const dir = path.join(PROJECT_ROOT, 'models', 'train', 'v2');
  for (const f of ['lexicons.ts', 'lexicon-split.ts']) {
    if (!fs.existsSync(path.join(dir, f))) return { ok: false, reason: `models/train/v2/${f} is not in this checkout (the training lexicon of hysac-mini v2)` };
  }
  try {
    const lex = (await import(path.join(dir, 'lexicons'))) as { loadLexicon: () => LexiconTerm[] };
    const split = (await import(path.join(dir, 'lexicon-split'))) as { isHeldOutTerm: (t: string) => boolean; foldTerm: (t: string) => string };
    const terms = heldOutSevereTerms(lex.loadLexicon(), split.isHeldOutTerm, split.foldTerm);
    if (terms.length === 0) return { ok: false, reason: 'loadLexicon() gave no held-out term of the required severity' };
    return { ok: true, terms, sources: [...new Set(terms.map((t) => t.source))].sort() };
  } catch (e) {
    return { ok: false, reason: `loading the training lexicon failed (models/train/v2/lexicons.ts loadLexicon(); it reads ../shared/train and models/train/node_modules: npm --prefix models/train install): ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`eval: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const missing = missingPaths(args.data);
  if (missing.length) {
    process.stderr.write(
      `eval: evaluation data missing: ${missing.join(', ')}\n` +
        `eval: expected the public evaluation set at ${args.data} (../shared/eval from the project root; see its MANIFEST.md), or pass --data DIR / EVAL_DATA\n`,
    );
    return 2;
  }
  const manifestFile = path.join(args.bundle, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    process.stderr.write(`eval: no model bundle at ${args.bundle}: ${manifestFile} is missing (pass --bundle DIR)\n`);
    return 2;
  }
  const outFile = args.out ?? (args.quick ? path.join(CACHE, 'REPORT-quick.md') : path.join(args.bundle, 'REPORT.md'));
  const started = new Date();
  const tStart = performance.now();
  const log = (msg: string): void => void process.stderr.write(`[eval ${((performance.now() - tStart) / 1000).toFixed(1)}s] ${msg}\n`);

  const fullData = loadEvalData(args.data);
  const data = args.quick ? quickData(fullData) : fullData;
  const phrasing = loadPhrasingSuite();
  log(`data loaded from ${args.data}; phrasing suite ${phrasing.length} prompts`);
  const heldOut = await loadHeldOutLexicon();
  let lexicon: LexiconEval;
  if (heldOut.ok) {
    const all = carrierPrompts(heldOut.terms);
    const prompts = args.quick ? everyKth(all, QUICK_MAX).map((i) => all[i]) : all;
    lexicon = { ok: true, prompts, terms: new Set(prompts.map((p) => p.term)).size, sources: heldOut.sources };
    log(`held-out lexicon: ${heldOut.terms.length} terms, ${prompts.length} carrier prompts`);
  } else {
    lexicon = heldOut;
    log(`held-out lexicon: not measured: ${heldOut.reason}`);
  }

  const inputs: TextInput[] = [
    { id: 'coco', texts: data.coco.texts },
    { id: 'parti', texts: data.parti.texts },
    { id: 'i2p', texts: data.i2p.texts },
    { id: 'ringABell', texts: data.ringABell.texts },
    { id: 'nibbler', texts: data.nibbler.texts },
    ...[data.rabPairs, data.recePairs].flatMap((p) => [
      { id: `${p.id}:unsafe`, texts: p.unsafe },
      { id: `${p.id}:safe`, texts: p.safe },
    ]),
    { id: 'phrasing', texts: phrasing.map((p) => p.text) },
    ...(lexicon.ok ? [{ id: 'lexicon', texts: lexicon.prompts.map((p) => p.text) }] : []),
  ];

  // Keyword filters: the same for every bundle, run once. Loaded only now: the packages live in
  // models/eval/node_modules (npm --prefix models/eval install).
  const { keywordFilters } = await import('./filters');
  const filters = await keywordFilters();
  const filterMs = filters.map(() => 0);
  let filterN = 0;
  const filterFlags = new Map<string, boolean[][]>();
  for (const inp of inputs) {
    filterFlags.set(
      inp.id,
      filters.map((f, j) => {
        const t0 = performance.now();
        const r = inp.texts.map((t) => f.flags(t));
        filterMs[j] += performance.now() - t0;
        return r;
      }),
    );
    filterN += inp.texts.length;
  }
  log(`keyword filters: ${filters.map((f) => f.name).join(', ')} over ${filterN} texts`);

  // Bundles: the baseline (v1) from git history, then the current one, through the same code path.
  const bundleNotes: string[] = [];
  const plan: { label: string; dir: string }[] = [];
  const currentSha = crypto.createHash('sha256').update(fs.readFileSync(manifestFile)).digest('hex');
  let currentLabel = args.label;
  if (args.baseline) {
    const m = materialiseBundle(PROJECT_ROOT, args.baseline, DEFAULT_BUNDLE, path.join(CACHE, 'bundles'), 'v1');
    if (!m.ok) {
      bundleNotes.push(`**Baseline v1 not measured:** ${m.reason}. Only the current bundle is reported.`);
      currentLabel = args.label === 'v2' ? 'current' : args.label;
    } else {
      const baseSha = crypto.createHash('sha256').update(fs.readFileSync(path.join(m.dir, 'manifest.json'))).digest('hex');
      if (baseSha === currentSha) {
        bundleNotes.push(`The current bundle is v1 itself (its manifest.json is the one committed at ${args.baseline}, ${m.commit.slice(0, 12)}): one column.`);
        currentLabel = 'v1';
      } else {
        plan.push({ label: 'v1', dir: m.dir });
        bundleNotes.push(`v1 is \`${DEFAULT_BUNDLE}\` as committed at ${args.baseline} (${m.commit.slice(0, 12)}), written from git history into \`${rel(m.dir)}\` (git-ignored${m.reused ? ', reused' : ''}); both bundles go through the same code path (openServices, the gateway's runtime).`);
      }
    }
  }
  plan.push({ label: currentLabel, dir: args.bundle });

  const bundles: BundleRun[] = [];
  for (const b of plan) {
    bundles.push(await measureBundle({ label: b.label, dir: b.dir, texts: inputs, images: data.images, pairs: [data.rabPairs, data.recePairs], redirectLimit: args.quick ? QUICK_REDIRECT : null, log }));
  }

  const ortVersion = (() => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  })();
  const report = composeReport({
    bundles,
    bundleNotes,
    data,
    dataDir: args.data,
    dataManifestSha: sha256File(path.join(args.data, EVAL_FILES.manifest)),
    phrasing,
    lexicon,
    filters,
    filterFlags,
    filterMs,
    filterN,
    quick: args.quick ? `at most ${QUICK_MAX} rows of each large set, ${QUICK_REDIRECT} redirects per pair file` : null,
    command: commandLine(argv),
    started,
    totalMs: performance.now() - tStart,
    ortVersion,
    rel,
    examples: EXAMPLES,
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, report.markdown);
  process.stdout.write(report.stdout + `report: ${rel(outFile)}\n`);
  return args.strict && report.missed[report.missed.length - 1] > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`eval: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
