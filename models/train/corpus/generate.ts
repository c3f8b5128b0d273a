/**
 * Generates the hysac-mini training corpus into models/hysac-mini/data/:
 *   pairs.tsv, hard_negatives.tsv, pool.txt, anchors.tsv, lexicon.tsv, README.md
 *
 *   npx tsx models/train/corpus/generate.ts            write the files, print counts
 *   npx tsx models/train/corpus/generate.ts --check    regenerate in memory and fail if any file differs
 *   npx tsx models/train/corpus/generate.ts --out DIR  write elsewhere
 */
import * as fs from 'fs';
import * as path from 'path';
import { ANIMAL_ACTIONS, GROUP_ACTIONS, PERSON_ACTIONS, SAFE_ATTIRE } from './actions';
import { ANCHORS } from './anchors';
import { generateHardNegatives } from './hard-negatives';
import { buildLexicon } from './lexicon-table';
import { CONCEPTS } from './lexicons';
import { generatePairs, rejectedMinor } from './pairs';
import { generatePool } from './pool';
import { Rng } from './prng';
import { countTable, readme } from './readme';
import { ALL_SETTINGS, TIMES } from './settings';
import { groupedSplit } from './split';
import { LEADS, VOCAB } from './styles';
import { ANIMALS, GROUP_HEADS, PERSON_DESC, PERSON_HEADS, PERSON_POST, SCENERY, THINGS } from './subjects';
import { tsvField } from './text';
import { CATEGORIES, STYLES, type Category } from './types';

const SEED = 'hysac-mini-corpus-v1';
const PAIRS_PER_CATEGORY = 1500;
const POOL_SIZE = 2600;
const CALIB_FRACTION = 0.15;

function tsv(header: string[] | null, rows: string[][]): string {
  const lines = rows.map((r) => r.map(tsvField).join('\t'));
  return [...(header ? [header.join('\t')] : []), ...lines].join('\n') + '\n';
}

/** Like tsv, but a field may be empty (lexicon replacements). */
function tsvLoose(header: string[], rows: string[][]): string {
  for (const r of rows) for (const f of r) if (/[\t\r\n]/.test(f)) throw new Error(`tab/newline in ${JSON.stringify(f)}`);
  return [header.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') + '\n';
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const outIdx = args.indexOf('--out');
  const outDir = path.resolve(outIdx >= 0 ? args[outIdx + 1] : path.join(__dirname, '..', '..', 'hysac-mini', 'data'));
  const rng = new Rng(SEED);

  const pairs = generatePairs(rng.fork('pairs'), PAIRS_PER_CATEGORY);
  const pairSplit: string[] = new Array(pairs.length);
  for (const c of CATEGORIES) {
    const idx = pairs.map((p, i) => (p.category === c ? i : -1)).filter((i) => i >= 0);
    const s = groupedSplit(idx, (i) => pairs[i].group, CALIB_FRACTION, SEED);
    idx.forEach((i, k) => (pairSplit[i] = s[k]));
  }
  const hard = generateHardNegatives(rng.fork('hard-negatives'));
  const hardSplit = groupedSplit(hard, (h) => h.topic, CALIB_FRACTION, SEED);
  const hardSet = new Set(hard.map((h) => h.text));
  const pool = generatePool(rng.fork('pool'), POOL_SIZE, hardSet);

  const safeText = [...hard.map((h) => h.text), ...pool].join('\n').toLowerCase();
  const lexicon = buildLexicon(safeText);

  const anchorRows: string[][] = [];
  for (const label of [...CATEGORIES, 'safe' as const]) for (const t of ANCHORS[label]) anchorRows.push([label, t]);

  const files: Record<string, string> = {
    'pairs.tsv': tsv(['category', 'style', 'safe', 'unsafe', 'split'], pairs.map((p, i) => [p.category, p.style, p.safe, p.unsafe, pairSplit[i]])),
    'hard_negatives.tsv': tsv(['topic', 'text', 'style', 'split'], hard.map((h, i) => [h.topic, h.text, h.style, hardSplit[i]])),
    'pool.txt': pool.map(tsvField).join('\n') + '\n',
    'anchors.tsv': '# label\ttext\n' + tsv(null, anchorRows),
    'lexicon.tsv': tsvLoose(['category', 'term', 'safe_replacement'], lexicon.map((l) => [l.category, l.term, l.replacement])),
  };
  const count = <T,>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});
  files['README.md'] = readme({
    seed: SEED,
    pairs: pairs.map((p, i) => ({ category: p.category, style: p.style, split: pairSplit[i] })),
    hardNegatives: hard.map((h, i) => ({ style: h.style, split: hardSplit[i], topic: h.topic })),
    pool: pool.length,
    anchors: count(anchorRows, (r) => r[0]),
    lexicon: count(lexicon, (l) => l.category),
    concepts: Object.fromEntries(Object.entries(CONCEPTS).map(([k, v]) => [k, v.length])),
    vocab: {
      'person head nouns': PERSON_HEADS.length,
      'person adjectives': PERSON_DESC.length,
      'person post-modifiers': PERSON_POST.length,
      'group subjects': GROUP_HEADS.length,
      animals: ANIMALS.length,
      'still-life surfaces': THINGS.length,
      'landscapes, cities, food and objects': SCENERY.length,
      settings: ALL_SETTINGS.length,
      'time/weather modifiers': TIMES.length,
      'safe actions': PERSON_ACTIONS.length + GROUP_ACTIONS.length + ANIMAL_ACTIONS.length,
      'safe outfits': SAFE_ATTIRE.length,
      'medium leads': Object.values(LEADS).flat().length,
      'painters, photographers, anime artists and directors': VOCAB.PAINTERS.length + VOCAB.PHOTOGRAPHERS.length + VOCAB.ANIME_ARTISTS.length + VOCAB.DIRECTORS.length,
      'quality, lighting, camera, render, film and mood terms': VOCAB.QUALITY.length + VOCAB.LIGHTING.length + VOCAB.CAMERA.length + VOCAB.RENDER.length + VOCAB.FILM.length + VOCAB.MOOD.length,
    },
  });

  if (check) {
    const stale = Object.entries(files).filter(([name, body]) => {
      const p = path.join(outDir, name);
      return !fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== body;
    });
    if (stale.length) {
      console.error(`corpus out of date: ${stale.map(([n]) => n).join(', ')} (run: npx tsx models/train/corpus/generate.ts)`);
      process.exit(1);
    }
    console.log(`corpus up to date in ${outDir}`);
    return;
  }

  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), body);

  console.log(`wrote ${Object.keys(files).join(', ')} to ${outDir}\n`);
  console.log('pairs per category and style:');
  console.log(countTable(pairs));
  const calib = pairSplit.filter((s) => s === 'calib').length;
  console.log(`\npairs calib: ${calib}/${pairs.length} (${((100 * calib) / pairs.length).toFixed(1)}%); sexual pairs rejected by the minor-word check: ${rejectedMinor}`);
  const hs = count(hard, (h) => h.style);
  console.log(`hard negatives: ${hard.length} (${STYLES.map((s) => `${s} ${hs[s] ?? 0}`).join(', ')}), calib ${hardSplit.filter((s) => s === 'calib').length}`);
  console.log(`pool: ${pool.length}`);
  const ac = count(anchorRows, (r) => r[0]);
  console.log(`anchors: ${Object.entries(ac).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const lc = count(lexicon, (l) => l.category as Category);
  console.log(`lexicon: ${lexicon.length} terms (${Object.entries(lc).map(([k, v]) => `${k} ${v}`).join(', ')}), ${lexicon.filter((l) => l.replacement).length} with a safe replacement`);
}

main();
