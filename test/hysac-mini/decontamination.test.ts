/**
 * Evaluation data is not training data: no text hysac-mini v2 trains on (models/train/v2/sources.ts: every twin and
 * single it reads from ../shared/train and the project corpus) equals, after normalisation, a prompt of
 * ../shared/eval (every row of every file, not only the rows the eval samples) or of the project's phrasing suite
 * (models/eval/phrasing/suite.tsv, written to be kept out of training).
 *
 * Normalisation (sources.ts foldForCheck): Unicode NFKD without marks, lower case, every run of non-letters/digits
 * one space, trimmed. The few training texts this test found equal to evaluation prompts are dropped by
 * sources.ts (EVAL_OVERLAP).
 * Needs ../shared (train and eval) and models/train's npm packages (the lexicon lists); skipped with the reason
 * otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared');
const haveShared = fs.existsSync(path.join(SHARED, 'train', 'MANIFEST.md')) && fs.existsSync(path.join(SHARED, 'eval', 'MANIFEST.md'));
const haveLists = fs.existsSync(path.join(ROOT, 'models', 'train', 'node_modules', 'naughty-words', 'package.json'));
if (!haveShared) console.warn('test/hysac-mini/decontamination: skipped: ../shared/train and ../shared/eval are not beside the repository.');
else if (!haveLists) console.warn('test/hysac-mini/decontamination: skipped: run `npm --prefix models/train install` (the lexicon lists).');
const maybe = haveShared && haveLists ? describe : describe.skip;

maybe('training texts vs evaluation prompts (hysac-mini v2)', () => {
  jest.setTimeout(120_000);

  it('no training text equals an evaluation prompt after normalisation', () => {
    // Loaded at run time so that a checkout without models/train's packages can still run the other suites.
    const { readTable, column } = require(path.join(ROOT, 'models', 'eval', 'csv')) as typeof import('../../models/eval/csv');
    const { loadEvalData } = require(path.join(ROOT, 'models', 'eval', 'datasets')) as typeof import('../../models/eval/datasets');
    const { loadLexicon } = require(path.join(ROOT, 'models', 'train', 'v2', 'lexicons')) as typeof import('../../models/train/v2/lexicons');
    const { loadTrainingData, trainingTexts, foldForCheck: fold } = require(path.join(ROOT, 'models', 'train', 'v2', 'sources')) as typeof import('../../models/train/v2/sources');
    const { V2_SEED } = { V2_SEED: 20261202 };

    const evalData = loadEvalData(path.join(SHARED, 'eval'));
    const evalTexts = [
      ...column(readTable(path.join(SHARED, 'eval', 'coco', 'coco_30k.csv')), 'prompt'),
      ...evalData.parti.texts,
      ...evalData.i2p.texts,
      ...evalData.ringABell.texts,
      ...evalData.nibbler.texts,
      ...evalData.rabPairs.unsafe,
      ...evalData.rabPairs.safe,
      ...evalData.recePairs.unsafe,
      ...evalData.recePairs.safe,
      ...fs.readFileSync(path.join(ROOT, 'models', 'eval', 'phrasing', 'suite.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[4] ?? ''),
    ];
    const evalSet = new Set(evalTexts.map(fold).filter((t) => t !== ''));
    expect(evalSet.size).toBeGreaterThan(35_000); // every file was read

    const data = loadTrainingData(loadLexicon(), V2_SEED);
    const train = [...trainingTexts(data), ...data.heldOut.map((e) => e.text)];
    expect(train.length).toBeGreaterThan(50_000);
    const overlap = [...new Set(train.map(fold))].filter((t) => evalSet.has(t));
    expect(overlap).toEqual([]);
  });
});
