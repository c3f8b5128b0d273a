/**
 * Tokenizer throughput on one core: `npx tsx test/bench/tokenizer-bench.ts [prompts] [bpe-file]`.
 *
 * Prompts are synthetic image prompts of 5-15 words (subject, setting, style and quality tags, commas),
 * made by a seeded generator, so runs are comparable. About one word in ten is a made-up word (a name, a
 * typo) so that the word cache keeps missing as it does on real traffic.
 *
 * Figures, in prompts per second (encode() of one prompt at a time, the full 77-id row):
 *   clip.cold     a fresh tokenizer, each prompt seen once (every new word pays its BPE)
 *   clip.warm     the same prompts again (word cache hot)
 *   clip.noCache  cache disabled: every word pays its BPE every time (the worst case)
 *   word.*        the word tokenizer with a vocabulary of the generator's words (normalisation and
 *                 de-obfuscation included), cold and warm
 * The last line of output is the JSON summary. Not a test: nothing here asserts a time.
 */
import { mulberry32 as rng } from '../helpers/prng';
import * as path from 'node:path';
import { readBundleText } from '../../src/runtime/tokenizers/bundle-files';
import { ClipBpeTokenizer } from '../../src/runtime/tokenizers/clip-bpe';
import { vocabFromOpenAiMerges } from '../../src/runtime/tokenizers/clip-vocab';
import type { Tokenizer } from '../../src/runtime/tokenizers/types';
import { WordTokenizer } from '../../src/runtime/tokenizers/word';

const SUBJECTS = [
  'a cat', 'an old fisherman', 'a young woman', 'two dogs', 'a red fox', 'a knight in armor', 'a robot',
  'a lighthouse', 'a bowl of fruit', 'an astronaut', 'a dragon', 'a little girl', 'a vintage car', 'a castle',
  'a cup of coffee', 'a group of friends', 'a samurai', 'a mountain village', 'a wizard', 'a sailboat',
];
const ACTIONS = [
  'sitting on', 'walking through', 'standing in front of', 'flying over', 'reading a book in', 'dancing in',
  'looking at', 'riding a bicycle through', 'sleeping under', 'playing guitar on',
];
const PLACES = [
  'a busy street', 'the forest', 'a sunlit meadow', 'the beach at sunset', 'a neon city', 'a snowy mountain',
  'an ancient temple', 'a cozy kitchen', 'the desert', 'a rainy alley', 'outer space', 'a flower garden',
];
const STYLES = [
  'oil painting', 'watercolor', 'digital art', 'concept art', 'photorealistic', 'studio ghibli style',
  'by greg rutkowski', 'by alphonse mucha', 'cinematic lighting', 'volumetric light', 'trending on artstation',
  'unreal engine', 'octane render', 'highly detailed', 'sharp focus', 'bokeh', '8k', '4k', 'hdr',
  'dramatic lighting', 'golden hour', 'pastel colors', 'low poly', 'pixel art', 'isometric', 'film grain',
];


function makePrompts(n: number, seed = 42): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const syllables = ['ka', 'ro', 'mi', 'zen', 'tor', 'el', 'qua', 'vin', 'sh', 'ly', 'dax', 'or', 'ith'];
  const madeUp = (): string => Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(syllables)).join('');
  const prompts: string[] = [];
  while (prompts.length < n) {
    const words: string[] = [...pick(SUBJECTS).split(' '), ...pick(ACTIONS).split(' '), ...pick(PLACES).split(' ')];
    words[words.length - 1] += ',';
    const tags = 1 + Math.floor(r() * 3);
    for (let i = 0; i < tags; i++) words.push(...`${pick(STYLES)},`.split(' '));
    for (let i = 0; i < words.length; i++) if (r() < 0.1) words[i] = madeUp();
    const cut = words.slice(0, 5 + Math.floor(r() * 11)); // 5..15 words
    cut[cut.length - 1] = cut[cut.length - 1].replace(/,$/, '');
    prompts.push(cut.join(' '));
  }
  return prompts;
}

/** Prompts per second of encode() over all prompts, on a fresh clock. */
function rate(tok: Tokenizer, prompts: string[]): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (const p of prompts) sink += tok.encode(p)[1];
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === -1) console.log(''); // keep the work observable
  return Math.round(prompts.length / seconds);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 50000);
  const bpeFile = path.resolve(
    process.argv[3] ?? path.resolve(__dirname, '../../../shared/eval/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz'),
  );
  const prompts = makePrompts(count);
  const warmup = makePrompts(2000, 7);

  const loadStart = process.hrtime.bigint();
  const clipVocab = vocabFromOpenAiMerges(await readBundleText(bpeFile));
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  // JIT warm-up on other prompts, then a fresh tokenizer (empty cache) on the same vocabulary.
  rate(new ClipBpeTokenizer(clipVocab, { contextLength: 77 }), warmup);
  const fresh = new ClipBpeTokenizer(clipVocab, { contextLength: 77 });
  const clipCold = rate(fresh, prompts);
  const clipWarm = rate(fresh, prompts);
  const noCache = new ClipBpeTokenizer(clipVocab, { contextLength: 77, cacheSize: 0 });
  const clipNoCache = rate(noCache, prompts.slice(0, Math.min(prompts.length, 20000)));

  const vocab = ['<pad>', '<unk>', ...new Set([...SUBJECTS, ...ACTIONS, ...PLACES, ...STYLES].join(' ').split(' '))];
  vocab.push(',');
  const wordWarmup = new WordTokenizer(vocab, { contextLength: 32 });
  rate(wordWarmup, warmup);
  const word = new WordTokenizer(vocab, { contextLength: 32 });
  const wordCold = rate(word, prompts);
  const wordWarm = rate(word, prompts);

  const words = prompts.reduce((n, p) => n + p.split(' ').length, 0) / prompts.length;
  console.log(`prompts: ${prompts.length}, mean words ${words.toFixed(1)}, e.g. "${prompts[0]}"`);
  console.log(`clip-bpe load: ${loadMs.toFixed(0)} ms`);
  console.log(`clip-bpe: cold ${clipCold}/s, warm ${clipWarm}/s, no cache ${clipNoCache}/s`);
  console.log(`word: cold ${wordCold}/s, warm ${wordWarm}/s`);
  console.log(
    JSON.stringify({
      prompts: prompts.length,
      meanWords: Number(words.toFixed(2)),
      node: process.version,
      clipLoadMs: Math.round(loadMs),
      clip: { cold: clipCold, warm: clipWarm, noCache: clipNoCache },
      word: { cold: wordCold, warm: wordWarm },
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
