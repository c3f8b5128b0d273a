import { composeReport, type ReportContext } from '../../models/eval/compose-report';
import type { EvalData, PairSet, TextSet } from '../../models/eval/datasets';
import type { KeywordFilter } from '../../models/eval/keyword-filter';
import type { BundleRun, Scored } from '../../models/eval/measure';
import type { PhrasingPrompt } from '../../models/eval/phrasing';
import type { Manifest } from '../../src/runtime/manifest-types';

const set = (id: string, texts: string[]): TextSet => ({ id, label: id, source: `${id}.csv`, texts, skippedEmpty: 0 });
const pair = (id: string): PairSet => ({ id, label: `${id} pairs`, source: `${id}.csv`, unsafe: ['u1', 'u2'], safe: ['s1', 's2'], skippedEmpty: 0 });

const data: EvalData = {
  coco: set('coco', ['c1', 'c2', 'c3', 'c4']),
  parti: set('parti', ['p1', 'p2']),
  i2p: { ...set('i2p', ['i1', 'i2', 'i3']), categories: [['sexual'], ['violence'], ['sexual', 'hate']], hard: [true, false, true] },
  ringABell: set('ringABell', ['r1', 'r2']),
  nibbler: set('nibbler', ['n1']),
  rabPairs: pair('rabPairs'),
  recePairs: pair('recePairs'),
  images: [{ file: 'a.png', path: '/x/a.png', description: 'a cat' }],
};
const phrasing: PhrasingPrompt[] = [
  { id: 'u001', label: 'unsafe', kind: 'slang', category: 'sexual', text: 'x' },
  { id: 's001', label: 'safe', kind: 'lookalike', category: 'violence', text: 'kill the lights' },
];

/** Distances per input; flagged when >= 3. */
function run(label: string, d: Record<string, number[]>): BundleRun {
  const scores = new Map<string, Scored>(Object.entries(d).map(([k, v]) => [k, { distance: v, unsafe: v.map((x) => x >= 3) }]));
  return {
    label,
    dir: `/bundles/${label}`,
    manifest: { name: 'hysac-mini', fixture: false, threshold: { text: 3, image: 2 }, curvature: 0.1 } as unknown as Manifest,
    manifestSha: label.repeat(8),
    openMs: 1,
    scores,
    images: [{ distance: 0.7, unsafe: false, error: null }],
    edit: [],
    retrieve: [],
    redirectNote: null,
    timing: { textMs: 1, textN: 1, imageMs: 1, redirectMs: 1, redirectN: 0 },
    engine: { workers: 1, threads: 1, batchMaxSize: 8, executionProviders: ['cpu'] },
  };
}

const common = { 'parti': [1, 1], 'ringABell': [4, 4], 'nibbler': [3.5], 'rabPairs:unsafe': [4, 2], 'rabPairs:safe': [1, 3], 'recePairs:unsafe': [4, 4], 'recePairs:safe': [1, 1], 'phrasing': [4, 1] };
// v1: I2P scores below every COCO caption (AUROC 0); v2: above every one (AUROC 1).
const v1 = run('v1', { ...common, coco: [2, 2.5, 2.6, 2.7], i2p: [1, 1.5, 1.2] });
const v2 = run('v2', { ...common, coco: [1, 1.1, 1.2, 1.3], i2p: [5, 3.5, 2] });
const filter: KeywordFilter = { name: 'kw', version: '1', rule: 'test', flags: () => false };

function ctx(over: Partial<ReportContext> = {}): ReportContext {
  const flags = new Map<string, boolean[][]>([...v1.scores.entries()].map(([k, s]) => [k, [s.unsafe.map((_, i) => k === 'ringABell' && i === 0)]]));
  return {
    bundles: [v1, v2],
    bundleNotes: ['v1 from git'],
    data,
    dataDir: '/data',
    dataManifestSha: 'abc',
    phrasing,
    lexicon: { ok: false, reason: 'models/train/v2/lexicons.ts is not in this checkout' },
    filters: [filter],
    filterFlags: flags,
    filterMs: [1],
    filterN: 10,
    quick: null,
    command: 'npm run eval',
    started: new Date(0),
    totalMs: 1000,
    ortVersion: '1',
    rel: (p) => p,
    examples: 3,
    ...over,
  };
}

describe('composeReport', () => {
  const r = composeReport(ctx());
  const floorLine = (measure: string, setName: string): string => r.markdown.split('\n').find((l) => l.startsWith(`| ${measure} | ${setName} |`)) ?? '';

  it('puts v1 and v2 side by side in the floors table, each with its own pass/fail', () => {
    expect(r.markdown).toContain('| Measure | Set | Goal | v1 | v1 status | v2 | v2 status |');
    expect(floorLine('AUROC vs COCO-5k', 'I2P (all)')).toBe('| AUROC vs COCO-5k | I2P (all) | ≥ 85 % | 0.0 % | MISSED | 100.0 % | met |');
    expect(floorLine('Flagged at the shipped threshold', 'I2P hard')).toContain('| 0.0 % (0/2) | MISSED | 50.0 % (1/2) | met |');
    expect(floorLine('Pair: unsafe above its safe twin', 'rabPairs pairs')).toContain('| 50.0 % (1/2) | MISSED | 50.0 % (1/2) | MISSED |');
  });

  it('says why the held-out lexicon floor is not measured', () => {
    expect(floorLine('Flagged at the shipped threshold', 'Held-out lexicon terms in carriers')).toContain('n/a: models/train/v2/lexicons.ts is not in this checkout');
    expect(r.markdown).toContain('Not measured: models/train/v2/lexicons.ts is not in this checkout');
  });

  it('reports a keyword filter by its one operating point', () => {
    // kw flags 1 of 2 Ring-A-Bell prompts and no COCO caption: AUROC-equivalent (1 + 0.5 - 0) / 2.
    expect(r.markdown).toContain('| kw (keyword filter, one operating point) | 50.0 % | 75.0 % |');
  });

  it('counts missed floors per bundle, the current bundle last', () => {
    expect(r.missed).toHaveLength(2);
    expect(r.missed[0]).toBeGreaterThan(r.missed[1]);
    expect(r.stdout).toContain('v2: floors');
  });
});
