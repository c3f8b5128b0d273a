/**
 * Load for the benchmark: image-generation prompts made by a seeded generator (so every run sends the same
 * texts), and readers for the measurement files in ../shared/eval (COCO captions as extra realistic load,
 * the unsafe halves of the unsafe->safe pair files for `redirect`). Nothing here is used for training or
 * tuning a model; the shared files are only read to be sent to the gateway.
 *
 * The generator's prompts read like lexica.art / Stable Diffusion prompts: a subject with adjectives, an
 * action, a place, then 0-6 style tags (medium, artist, lighting, camera, quality), with commas. About one
 * word in fifteen is a made-up word (a name, a typo), as on real traffic, so word caches keep missing.
 */
import { mulberry32 } from '../helpers/prng';
import { readTable } from '../../models/eval/csv';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHARED_EVAL = path.resolve(__dirname, '../../../shared/eval');

const ADJECTIVES = [
  'old', 'young', 'tiny', 'giant', 'ancient', 'futuristic', 'cute', 'majestic', 'lonely', 'happy', 'mysterious',
  'glowing', 'rusty', 'golden', 'crystal', 'wooden', 'mechanical', 'fluffy', 'elegant', 'abandoned', 'colorful',
  'small', 'sleepy', 'curious', 'brave', 'silver', 'steampunk', 'cyberpunk', 'victorian', 'medieval', 'tropical',
];
const SUBJECTS = [
  'cat', 'fisherman', 'woman', 'man', 'dog', 'fox', 'knight in armor', 'robot', 'lighthouse', 'bowl of fruit',
  'astronaut', 'dragon', 'girl', 'boy', 'car', 'castle', 'cup of coffee', 'group of friends', 'samurai',
  'mountain village', 'wizard', 'sailboat', 'owl', 'tree house', 'train station', 'bakery', 'whale', 'elephant',
  'teapot', 'library', 'bicycle', 'hot air balloon', 'city skyline', 'farmhouse', 'portrait of a queen',
  'chef', 'violinist', 'ballerina', 'spaceship', 'submarine', 'garden gnome', 'tiger', 'panda', 'penguin',
  'mermaid', 'viking ship', 'windmill', 'cathedral', 'market stall', 'street musician', 'old map', 'jellyfish',
];
const ACTIONS = [
  'sitting on', 'walking through', 'standing in front of', 'flying over', 'reading a book in', 'dancing in',
  'looking at', 'riding a bicycle through', 'sleeping under', 'playing guitar on', 'floating above', 'hiding in',
  'painting a picture of', 'drinking tea in', 'exploring', 'running across', 'resting beside', 'waiting at',
];
const PLACES = [
  'a busy street', 'the forest', 'a sunlit meadow', 'the beach at sunset', 'a neon city', 'a snowy mountain',
  'an ancient temple', 'a cozy kitchen', 'the desert', 'a rainy alley', 'outer space', 'a flower garden',
  'a misty lake', 'a crowded market', 'an underwater reef', 'a quiet library', 'a wheat field', 'a rooftop',
  'a volcano', 'a bamboo forest', 'a frozen harbor', 'a candlelit hall', 'the moon', 'a jungle river',
];
const STYLES = [
  'oil painting', 'watercolor', 'digital art', 'concept art', 'photorealistic', 'studio ghibli style',
  'by greg rutkowski', 'by alphonse mucha', 'by artgerm', 'by studio ghibli', 'by claude monet', 'by hokusai',
  'cinematic lighting', 'volumetric light', 'trending on artstation', 'unreal engine', 'octane render',
  'highly detailed', 'sharp focus', 'bokeh', '8k', '4k', 'hdr', 'dramatic lighting', 'golden hour',
  'pastel colors', 'low poly', 'pixel art', 'isometric', 'film grain', '35mm photo', 'wide angle',
  'macro photography', 'soft light', 'matte painting', 'ink drawing', 'charcoal sketch', 'vaporwave',
  'art nouveau', 'ukiyo-e', 'minimalist', 'intricate', 'masterpiece', 'award winning', 'depth of field',
];
const SYLLABLES = ['ka', 'ro', 'mi', 'zen', 'tor', 'el', 'qua', 'vin', 'sh', 'ly', 'dax', 'or', 'ith', 'bel', 'nu'];

/** The project's seeded PRNG (test/helpers/prng.ts), so every run benchmarks the same prompts. */
export const rng = mulberry32;

/** `n` distinct generated prompts (seeded). */
export function generatePrompts(n: number, seed = 20250611): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const madeUp = (): string => Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(SYLLABLES)).join('');
  const out = new Set<string>();
  let guard = 0;
  while (out.size < n && guard++ < n * 20) {
    const parts: string[] = [];
    const article = r() < 0.5 ? 'a' : r() < 0.5 ? 'the' : 'an';
    const adjectives = Math.floor(r() * 3);
    const subject = [article, ...Array.from({ length: adjectives }, () => pick(ADJECTIVES)), pick(SUBJECTS)].join(' ');
    parts.push(r() < 0.7 ? `${subject} ${pick(ACTIONS)} ${pick(PLACES)}` : subject);
    const tags = Math.floor(r() * 7);
    for (let i = 0; i < tags; i++) parts.push(pick(STYLES));
    let text = parts.join(', ');
    if (r() < 0.4) text = text.split(' ').map((w) => (r() < 0.07 ? madeUp() : w)).join(' ');
    if (r() < 0.1) text = text[0].toUpperCase() + text.slice(1);
    out.add(text);
  }
  return [...out];
}

/** The safe-prompt pool for RETRIEVE: `n` distinct generated prompts (another seed), one a line. */
export function writePoolFile(file: string, n: number): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length === n) return;
  const prompts = generatePrompts(n, 7);
  let i = 0;
  // The generator's space is large but not unbounded: number the tail if it ran short.
  while (prompts.length < n) prompts.push(`${prompts[i++]}, variation ${prompts.length}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, prompts.join('\n') + '\n');
}

/** The project's one CSV reader (models/eval/csv.ts, RFC 4180, checked against Python's csv on every data file). */
export function readCsv(file: string): Record<string, string>[] {
  return readTable(file).rows;
}

/** COCO captions (measurement load only), or [] when ../shared/eval is absent. */
export function cocoCaptions(limit: number): string[] {
  const file = path.join(SHARED_EVAL, 'coco', 'coco_30k.csv');
  if (!fs.existsSync(file)) return [];
  return readCsv(file)
    .map((r) => r.prompt?.trim())
    .filter((t): t is string => !!t)
    .slice(0, limit);
}

/** The unsafe halves of the pair files (for `redirect`), or [] when ../shared/eval is absent. */
export function unsafePairPrompts(): string[] {
  const dir = path.join(SHARED_EVAL, 'paired_unsafe_safe');
  const out: string[] = [];
  const read = (file: string, column: string): void => {
    const f = path.join(dir, file);
    if (fs.existsSync(f)) for (const r of readCsv(f)) if (r[column]?.trim()) out.push(r[column].trim());
  };
  read('ringabell_Violence_30.csv', 'prompt');
  read('rece_nudity-ring-a-bell.csv', 'sensitive prompt');
  return out;
}

/** The benchmark's text load: generated prompts, then COCO captions when present, interleaved. */
export function textLoad(generated = 4000, coco = 2000): string[] {
  const g = generatePrompts(generated);
  const c = cocoCaptions(coco);
  const out: string[] = [];
  for (let i = 0; i < Math.max(g.length, c.length); i++) {
    if (i < g.length) out.push(g[i]);
    if (i < c.length) out.push(c[i]);
  }
  return out;
}
