/**
 * A test bundle with a subword model (manifest text.tokenizer.subwords): fixture-tiny's vocabulary, image tower,
 * anchors and pool, and a text graph that implements the subword contract (src/runtime/tokenizers/subwords.ts):
 *
 *   input_ids [N, L], subword_ids [U, S]; V = vocabulary size
 *   word(id)   = E[id]                                   for id < V   (E: the fixture's word vectors)
 *   sub(r)     = sum_s G[subword_ids[r, s]] / max(#{s: subword_ids[r, s] != 0}, 1)   (mean of the row's n-grams)
 *   e[n, l]    = id >= V ? sub(id - V) : word(id)
 *   embedding  = masked mean over l + masked max over l (ids != 0), a tangent vector (alpha 1, curvature 1)
 *
 * N-gram table: every n-gram (3..5) of SAFE_SOURCES gets a small "safe" vector (norm ~0.3, dim 0 = 0); every
 * n-gram of UNSAFE_SOURCE gets dim 0 = 2 and the violence dimension 1, like the fixture's unsafe words. So
 * "kittens" (not in the vocabulary) is read by subwords as safe, "bloodied" as unsafe, and "zzqx" not at all.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMBEDDING_DIM, SEED } from '../../models/fixture/constants';
import { Prng } from '../../models/fixture/prng';
import { fixtureVocab, textWeights } from '../../models/fixture/text-graph';
import { GraphBuilder } from '../../src/onnx/graph';
import { UNSAFE_CATEGORIES } from '../../src/runtime/manifest-types';
import { charNgrams } from '../../src/runtime/tokenizers/char-ngrams';
import { FIXTURE_BUNDLE } from '../helpers/gateway';

export const SAFE_SOURCES = ['kitten', 'meadow'];
export const UNSAFE_SOURCE = 'blood';
export const MIN_N = 3;
export const MAX_N = 5;
export const SLOTS = 48;
const D = EMBEDDING_DIM;

export interface SubwordBundle {
  dir: string;
  vocab: string[];
  /** ngrams[i] has id i; ngrams[0] is `<none>`. */
  ngrams: string[];
  /** [ngrams.length, D]; row 0 is zero. */
  gramTable: Float32Array;
  /** [vocab.length, D] */
  wordTable: Float32Array;
}

export function ngramTable(): { ngrams: string[]; table: Float32Array } {
  const prng = new Prng(SEED + 7);
  const ngrams = ['<none>'];
  const rows: number[][] = [new Array(D).fill(0)];
  const add = (source: string, unsafe: boolean) => {
    for (const g of charNgrams(source, MIN_N, MAX_N)) {
      if (ngrams.includes(g)) continue;
      ngrams.push(g);
      const row = new Array(D).fill(0);
      if (unsafe) {
        for (let j = 1; j < D; j++) row[j] = prng.range(-0.05, 0.05);
        row[0] = 2;
        row[1 + UNSAFE_CATEGORIES.indexOf('violence')] = 1;
      } else {
        for (let j = 1; j < D; j++) row[j] = prng.range(-0.15, 0.15);
      }
      rows.push(row);
    }
  };
  SAFE_SOURCES.forEach((s) => add(s, false));
  add(UNSAFE_SOURCE, true);
  return { ngrams, table: Float32Array.from(rows.flat()) };
}

/** text.onnx per the file comment. */
export function subwordTextGraph(wordTable: Float32Array, V: number, gramTable: Float32Array, M: number, o: { inputName?: string; subwordInput?: string } = {}): Uint8Array {
  const ids = o.inputName ?? 'input_ids';
  const subIds = o.subwordInput ?? 'subword_ids';
  const b = new GraphBuilder('subword_text');
  b.input(ids, 'int64', ['N', 'L']);
  b.input(subIds, 'int64', ['U', SLOTS]);
  const zero = b.constInt64([0], [], 'zero');
  const vocabSize = b.constInt64([V], [], 'vocab_size');
  const axis1 = b.constInt64([1], [1], 'axis1');
  const axis2 = b.constInt64([2], [1], 'axis2');
  const one = b.constFloat([1], [], 'one');

  const isSub = b.op('GreaterOrEqual', [ids, vocabSize]); // [N, L]
  const wordEmb = b.op('Gather', [b.initializer('word_table', wordTable, [V, D]), b.op('Where', [isSub, zero, ids])], { axis: 0 }); // [N, L, D]
  const gramEmb = b.op('Gather', [b.initializer('ngram_table', gramTable, [M, D]), subIds], { axis: 0 }); // [U, S, D]
  const gmask = b.op('Unsqueeze', [b.op('Cast', [b.op('Not', [b.op('Equal', [subIds, zero])])], { to: 1 }), axis2]); // [U, S, 1]
  const gsum = b.op('ReduceSum', [b.op('Mul', [gramEmb, gmask]), axis1], { keepdims: 0 }); // [U, D]
  const gcount = b.op('ReduceSum', [gmask, axis1], { keepdims: 0 }); // [U, 1]
  const subVec = b.op('Div', [gsum, b.op('Max', [gcount, one])]); // [U, D]
  const subEmb = b.op('Gather', [subVec, b.op('Where', [isSub, b.op('Sub', [ids, vocabSize]), zero])], { axis: 0 }); // [N, L, D]
  const emb = b.op('Where', [b.op('Unsqueeze', [isSub, axis2]), subEmb, wordEmb]); // [N, L, D]

  const mask = b.op('Unsqueeze', [b.op('Cast', [b.op('Not', [b.op('Equal', [ids, zero])])], { to: 1 }), axis2]); // [N, L, 1]
  const count = b.op('ReduceSum', [mask, axis1], { keepdims: 0 }); // [N, 1]
  const mean = b.op('Div', [b.op('ReduceSum', [b.op('Mul', [emb, mask]), axis1], { keepdims: 0 }), b.op('Max', [count, one])]);
  const penalty = b.op('Mul', [b.op('Sub', [mask, one]), b.constFloat([1e4], [], 'big')]);
  const max = b.op('Mul', [b.op('ReduceMax', [b.op('Add', [emb, penalty])], { axes: [1], keepdims: 0 }), b.op('Min', [count, one])]);
  b.node('Add', [mean, max], ['embedding']);
  b.output('embedding', 'float32', ['N', D]);
  return b.toModelBytes({ docString: 'hysac-gateway test bundle: subword text tower, hand-set weights, no safety value' });
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes the bundle into a new temporary folder. `manifest` may change the manifest before it is written (to
 * build broken bundles); `ngramsText` replaces ngrams.txt's text.
 */
export function buildSubwordBundle(o: { manifest?: (m: any) => void; ngramsText?: string; graph?: { subwordInput?: string } } = {}): SubwordBundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subword-bundle-'));
  const vocab = fixtureVocab();
  const { table: wordTable } = textWeights(vocab, new Prng(SEED));
  const { ngrams, table: gramTable } = ngramTable();
  for (const f of ['image.onnx', 'anchors.tsv', 'pool.txt']) fs.copyFileSync(path.join(FIXTURE_BUNDLE, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'ngrams.txt'), o.ngramsText ?? ngrams.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'text.onnx'), subwordTextGraph(wordTable, vocab.length, gramTable, ngrams.length, o.graph));
  const m = JSON.parse(fs.readFileSync(path.join(FIXTURE_BUNDLE, 'manifest.json'), 'utf8'));
  m.name = 'fixture-subwords';
  m.text.tokenizer.subwords = { ngrams: 'ngrams.txt', input: 'subword_ids', minN: MIN_N, maxN: MAX_N, slots: SLOTS };
  m.text.trimPadding = true;
  m.provenance.files = {};
  for (const f of ['vocab.txt', 'ngrams.txt', 'text.onnx', 'image.onnx', 'anchors.tsv', 'pool.txt']) m.provenance.files[f] = sha256(fs.readFileSync(path.join(dir, f)));
  o.manifest?.(m);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
  return { dir, vocab, ngrams, gramTable, wordTable };
}
