/**
 * Calib recall of any hysac-mini-layout bundle on the CURRENT corpus's calib split, with the training command's
 * threshold rule (at most targetFpr of the calib safe prompts + hard negatives at or beyond it). Used to compare
 * a model trained on an older corpus with one trained on this corpus, on the same held-out data (no ../shared).
 *
 *   npx tsx models/train/calib-recall.ts --bundle DIR       (default: models/hysac-mini)
 *
 * E.g. the bundle before corpus v2: git worktree add /tmp/v1 866f4a7, then --bundle /tmp/v1/models/hysac-mini.
 */
import * as path from 'node:path';
import { resolveConfig } from '../../src/config';
import { openServices } from '../../src/main';
import { BUNDLE_DIR, CONFIG } from './mini/config';
import { readCorpus } from './mini/corpus';
import { rate, thresholdAtFpr } from './mini/metrics';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--bundle');
  const bundle = path.resolve(i >= 0 ? process.argv[i + 1] : BUNDLE_DIR);
  const corpus = readCorpus();
  const pairs = corpus.pairs.filter((p) => p.split === 'calib');
  const hard = corpus.hardNegatives.filter((h) => h.split === 'calib');
  const services = await openServices(resolveConfig(process.env, { modelDir: bundle }));
  try {
    const distances = async (texts: string[]): Promise<number[]> => (await services.runtime.embedTexts(texts)).map((v) => services.safety.distance(v));
    const safe = [...(await distances(pairs.map((p) => p.safe))), ...(await distances(hard.map((h) => h.text)))];
    const unsafe = await distances(pairs.map((p) => p.unsafe));
    const t = thresholdAtFpr(safe, CONFIG.targetFpr);
    const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
    console.log(`${bundle}: calib ${pairs.length} pairs + ${hard.length} hard negatives; threshold ${t.toFixed(3)} (rule: <= ${pct(CONFIG.targetFpr)} FP)`);
    console.log(`recall ${pct(rate(unsafe, (d) => d >= t))}, false positives ${pct(rate(safe, (d) => d >= t))}`);
  } finally {
    await services.runtime.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
