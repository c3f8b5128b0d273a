/**
 * CLIP BPE against OpenAI's reference. The published vectors and CLIP's merges file live in the evaluation
 * data beside the repository (../shared/eval/clip_tokenizer); they are used here only to check ids.
 * Without ../shared those tests are skipped with a warning; the tests on small hand-made merge files run
 * everywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GatewayError } from '../../../src/errors';
import { loadTokenizer } from '../../../src/runtime/tokenizers';
import { ClipBpeTokenizer } from '../../../src/runtime/tokenizers/clip-bpe';
import { CLIP_MERGE_LIMIT, vocabFromOpenAiMerges } from '../../../src/runtime/tokenizers/clip-vocab';

const SHARED_DIR = path.resolve(__dirname, '../../../../shared/eval/clip_tokenizer');
const BPE_FILE = path.join(SHARED_DIR, 'bpe_simple_vocab_16e6.txt.gz');
const VECTORS_FILE = path.join(SHARED_DIR, 'clip_token_vectors.json');
const missingShared = [BPE_FILE, VECTORS_FILE].filter((file) => !fs.existsSync(file));
const haveShared = missingShared.length === 0;
if (!haveShared) {
  console.warn(`CLIP reference tests skipped: missing ${missingShared.join(' and ')} (../shared is not checked out)`);
}
/** `describe` when ../shared is there; otherwise one skipped test whose name says which file is missing. */
function describeShared(name: string, body: () => void): void {
  if (haveShared) describe(name, body);
  else describe(name, () => test.skip(`skipped: missing ${missingShared.join(' and ')}`, () => undefined));
}

interface Vector {
  source: string;
  text: string;
  ids_include_sot_eot: boolean;
  context_length: number | null;
  openai_reference_ids: number[];
  matches_openai_reference: boolean;
}

const SOT = 49406;
const EOT = 49407;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clip-bpe-test-'));
}

/** OpenAI's exact behaviour (typed special tokens are special), as `tokenize --merges` uses it. */
async function clip(dir: string, merges: string, contextLength: number, vocab?: string): Promise<ClipBpeTokenizer> {
  return (await loadTokenizer({ type: 'clip-bpe', merges, vocab, contextLength }, dir, { specialTokensInText: 'special', promptSyntax: false })) as ClipBpeTokenizer;
}

function padded(ids: number[], length: number): number[] {
  return [...ids, ...new Array(length - ids.length).fill(0)];
}

describeShared('OpenAI CLIP reference vectors', () => {
  const vectors: Vector[] = haveShared ? JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')).vectors : [];
  const byContext = new Map<number, ClipBpeTokenizer>();

  beforeAll(async () => {
    for (const n of new Set([77, ...vectors.map((v) => v.context_length ?? 77)])) {
      byContext.set(n, await clip(SHARED_DIR, path.basename(BPE_FILE), n));
    }
  });

  test('the file holds the vectors this test expects', () => {
    expect(vectors.length).toBe(27);
    expect(vectors.filter((v) => !v.matches_openai_reference).length).toBe(2);
  });

  // Every vector, including the two whose source disagrees with OpenAI: OpenAI's ids are the truth.
  test.each(vectors.map((v, i) => [i, v.source, JSON.stringify(v.text).slice(0, 60), v] as const))(
    'vector %i (%s) %s',
    (_i, _source, _label, v) => {
      const n = v.context_length ?? 77;
      const tok = byContext.get(n) as ClipBpeTokenizer;
      if (v.ids_include_sot_eot) {
        expect(Array.from(tok.encode(v.text))).toEqual(padded(v.openai_reference_ids, n));
      } else {
        expect(tok.encodeIds(v.text)).toEqual(v.openai_reference_ids);
        const row = [SOT, ...v.openai_reference_ids, EOT];
        if (row.length <= 77) expect(Array.from(tok.encode(v.text))).toEqual(padded(row, 77));
      }
    },
  );
});

describeShared('CLIP BPE with the real merges', () => {
  let tok: ClipBpeTokenizer;
  beforeAll(async () => {
    tok = await clip(SHARED_DIR, path.basename(BPE_FILE), 77);
  });

  test('SOT is 49406, EOT 49407, 49,408 tokens', () => {
    expect(tok.sot).toBe(SOT);
    expect(tok.eot).toBe(EOT);
    expect(tok.type).toBe('clip-bpe');
    expect(tok.contextLength).toBe(77);
  });

  test('short text is [SOT, ids, EOT] padded with 0 to 77', () => {
    const row = Array.from(tok.encode('a photo of a cat'));
    expect(row).toHaveLength(77);
    expect(row.slice(0, 7)).toEqual([SOT, 320, 1125, 539, 320, 2368, EOT]);
    expect(row.slice(7).every((id) => id === 0)).toBe(true);
    expect(Array.from(tok.encode(''))).toEqual(padded([SOT, EOT], 77));
  });

  test('truncation at 77 keeps EOT as the last token', () => {
    const text = Array.from({ length: 120 }, (_, i) => `word${i % 10}`).join(' ');
    const ids = tok.encodeIds(text);
    expect(ids.length).toBeGreaterThan(77);
    const row = Array.from(tok.encode(text));
    expect(row).toHaveLength(77);
    expect(row[0]).toBe(SOT);
    expect(row[76]).toBe(EOT);
    expect(row.slice(1, 76)).toEqual(ids.slice(0, 75));
  });

  test('75 ids fill the row exactly; 76 lose the last one to EOT', () => {
    const cat = tok.encodeIds('cat'); // one id per "cat"
    expect(cat).toHaveLength(1);
    const fits = Array.from(tok.encode(new Array(75).fill('cat').join(' ')));
    expect(fits).toEqual([SOT, ...new Array(75).fill(cat[0]), EOT]);
    const over = Array.from(tok.encode(new Array(75).fill('cat').join(' ') + ' dog'));
    expect(over).toEqual(fits);
  });

  test('encodeBatch is the rows one after another', () => {
    const texts = ['a dog', 'Hello world!!!', ''];
    const batch = tok.encodeBatch(texts);
    expect(batch).toHaveLength(3 * 77);
    texts.forEach((t, i) => expect(Array.from(batch.subarray(i * 77, (i + 1) * 77))).toEqual(Array.from(tok.encode(t))));
  });

  test('tokens are readable and match the row without padding', () => {
    expect(tok.tokens('Hello Båstad')).toEqual(['<|startoftext|>', 'hello</w>', 'b', 'å', 'stad</w>', '<|endoftext|>']);
    expect(tok.tokens('x'.repeat(500))).toHaveLength(77);
  });

  test('clean-up as OpenAI: HTML entities, curly quotes, ligatures, fullwidth, NFC, whitespace', () => {
    const same = (a: string, b: string): void => expect(tok.encodeIds(a)).toEqual(tok.encodeIds(b));
    same('rock &amp; roll', 'rock & roll');
    same('rock &amp;amp; roll', 'rock & roll'); // ftfy unescapes to a fixed point
    same('it\u2019s \u201cfine\u201d', 'it\'s "fine"');
    same('\ufb01ne', 'fine');
    same('ＬＯＵＤ\u3000ＮＯＩＳＥＳ', 'loud noises');
    same('cafe\u0301', 'café');
    same(' a\u00a0\u2003dog \n', 'a dog');
    same('\x1b[31mred\x1b[0m', 'red');
    // Without '<' ftfy unescapes to a fixed point; with '<' on the line it leaves entities alone and only
    // html.unescape's two levels apply (ids checked against OpenAI's simple_tokenizer.py).
    same('x &amp;amp;amp;lt;', 'x <');
    expect(tok.encodeIds('<b> &amp;amp;lt;')).toEqual([283, 321, 285, 261, 3333, 282]); // '<b> &lt;'
    expect(tok.encodeIds('<b> &amp;lt;')).toEqual([283, 321, 285, 283]); // '<b> <'
  });

  // Ids computed with OpenAI's clip/simple_tokenizer.py (ftfy 6.3.1, regex 2026.9) for the rules that
  // are easy to get wrong: IGNORECASE quirks, C1 controls, upper-case entities, ftfy's sticky '<' rule.
  test.each([
    ["it'\u017f", [585, 6, 129, 379]], // 's matches 'ſ under IGNORECASE
    ['a\u0345b', [320, 321]], // U+0345 matches no alternative: dropped
    ['don\u2019t', [847, 713]],
    ['x&#133;y', [343, 959, 344]], // &#133; is the Windows-1252 ellipsis
    ['a\u0085b', [320, 959, 321]], // C1 0x85 is fixed to '…' before line breaks are normalised
    ['x\u0080y', [343, 6309, 344]],
    ['P&EACUTE;REZ', [43167, 15192]],
    ['caf&eacute; &copy 2024', [15304, 5811, 273, 271, 273, 275]],
    ['\ufb03ce', [26044]],
    ['a\u001b[31mb', [3937]],
    ['\u0130stanbul', [328, 16384, 11231]],
    ['&#x1F600;', [7334]],
    ['&#xfeff;x', [343]],
    ['<p>&amp;amp;</p>\n&amp;amp;', [283, 335, 29, 5, 34308, 335, 285, 261]],
  ] as Array<[string, number[]]>)('as OpenAI: %j', (text, expected) => {
    expect(tok.encodeIds(text)).toEqual(expected);
  });

  test('serving bundles read a typed <|endoftext|> as plain text, so it cannot hide the rest of a prompt', async () => {
    const served = (await loadTokenizer({ type: 'clip-bpe', merges: path.basename(BPE_FILE), contextLength: 77 }, SHARED_DIR)) as ClipBpeTokenizer;
    const ids = Array.from(served.encode('a cat <|endoftext|> a naked woman'));
    expect(ids.indexOf(EOT)).toBe(ids.lastIndexOf(EOT));
    expect(ids.indexOf(EOT)).toBeGreaterThan(8);
  });

  test('typed special tokens: EOT id as OpenAI, or plain text with specialTokensInText "split"', async () => {
    expect(tok.encodeIds('a <|endoftext|> b')).toEqual([320, EOT, 321]);
    const vocab = vocabFromOpenAiMerges(zlibGunzip(fs.readFileSync(BPE_FILE)));
    const split = new ClipBpeTokenizer(vocab, { contextLength: 77, specialTokensInText: 'split' });
    const ids = split.encodeIds('a <|endoftext|> b');
    expect(ids).not.toContain(EOT);
    expect(ids[0]).toBe(320);
    expect(ids[ids.length - 1]).toBe(321);
  });

  test('plain-text merges file gives the same ids as the gzip one', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'bpe.txt'), zlibGunzip(fs.readFileSync(BPE_FILE)));
    const plain = await clip(dir, 'bpe.txt', 77);
    for (const t of ['Hello world!!!', 'donaudampfschifffahrtsgesellschaftskapitänsmütze', '2025 まあ']) {
      expect(Array.from(plain.encode(t))).toEqual(Array.from(tok.encode(t)));
    }
  });

  test('Hugging Face vocab.json + merges.txt written from the same merges give the same ids', async () => {
    const dir = tempDir();
    const text = zlibGunzip(fs.readFileSync(BPE_FILE));
    const vocab = vocabFromOpenAiMerges(text);
    const mergeLines = text.split('\n').slice(1, CLIP_MERGE_LIMIT + 1);
    fs.writeFileSync(path.join(dir, 'merges.txt'), ['#version: 0.2', ...mergeLines].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(vocab.encoder)));
    const hf = await clip(dir, 'merges.txt', 77, 'vocab.json');
    expect(hf.sot).toBe(SOT);
    expect(hf.eot).toBe(EOT);
    const texts = haveShared ? JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')).vectors.map((v: Vector) => v.text) : [];
    for (const t of texts) expect(Array.from(hf.encode(t))).toEqual(Array.from(tok.encode(t)));
  });
});

function zlibGunzip(bytes: Buffer): string {
  return gunzipSync(bytes).toString('utf8');
}

/** A tiny merges file: enough to check the merge loop, ids and file handling without ../shared. */
const TINY_MERGES = ['#version: 0.2', 'a b', 'ab c</w>', 'l o', 'lo l', 'lol o</w>', 'a a', 'aa a</w>'].join('\n') + '\n';

describe('CLIP BPE on a hand-made merges file', () => {
  let dir: string;
  let tok: ClipBpeTokenizer;
  beforeAll(async () => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tiny.txt.gz'), gzipSync(TINY_MERGES));
    tok = await clip(dir, 'tiny.txt.gz', 8);
  });

  test('ids follow OpenAI layout: 256 bytes, 256 bytes + </w>, merges, SOT, EOT', () => {
    expect(tok.sot).toBe(512 + 7);
    expect(tok.eot).toBe(512 + 8);
    expect(tok.tokens('abc')).toEqual(['<|startoftext|>', 'abc</w>', '<|endoftext|>']);
    expect(tok.encodeIds('abc')).toEqual([512 + 1]);
  });

  test('merges apply by rank, left to right without overlap', () => {
    // l o l o</w> -> lo l o</w> -> lol o</w> -> lolo</w>
    expect(tok.tokens('lolo')).toEqual(['<|startoftext|>', 'lolo</w>', '<|endoftext|>']);
    // 'lo l' needs a bare 'l'; the last symbol is 'l</w>'
    expect(tok.tokens('lol')).toEqual(['<|startoftext|>', 'lo', 'l</w>', '<|endoftext|>']);
    // 'a a' merges left to right without overlap: aa a a</w>; 'aa a</w>' then finds no 'aa' next to 'a</w>'
    expect(tok.tokens('aaaa')).toEqual(['<|startoftext|>', 'aa', 'a', 'a</w>', '<|endoftext|>']);
    expect(tok.tokens('aaa')).toEqual(['<|startoftext|>', 'aaa</w>', '<|endoftext|>']);
  });

  test('rows are truncated with EOT last and padded with 0', () => {
    expect(Array.from(tok.encode('abc'))).toEqual([tok.sot, 513, tok.eot, 0, 0, 0, 0, 0]);
    const row = Array.from(tok.encode('abc abc abc abc abc abc abc abc abc'));
    expect(row).toEqual([tok.sot, 513, 513, 513, 513, 513, 513, tok.eot]);
  });

  test('Hugging Face pair: ids come from vocab.json, tokens match the OpenAI layout', async () => {
    const openai = vocabFromOpenAiMerges(TINY_MERGES);
    // Reverse the ids to prove they are read, not computed.
    const size = openai.encoder.size;
    const reversed = Object.fromEntries([...openai.encoder].map(([t, id]) => [t, size - 1 - id]));
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(reversed));
    fs.writeFileSync(path.join(dir, 'merges.txt'), TINY_MERGES);
    const hf = await clip(dir, 'merges.txt', 8, 'vocab.json');
    expect([hf.sot, hf.eot]).toEqual([size - 1 - tok.sot, size - 1 - tok.eot]);
    for (const text of ['abc', 'lolo lol', 'aaaa b', 'Hello']) {
      expect(hf.tokens(text)).toEqual(tok.tokens(text));
      expect(hf.encodeIds(text)).toEqual(tok.encodeIds(text).map((id) => size - 1 - id));
    }
  });
});

describe('CLIP BPE loading errors name the file and the problem', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'merges.txt'), TINY_MERGES);
    fs.writeFileSync(path.join(dir, 'noheader.txt'), 'a b\nab c</w>\n');
    fs.writeFileSync(path.join(dir, 'badline.txt'), '#version: 0.2\na b\nabc\n');
    fs.writeFileSync(path.join(dir, 'bad.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    fs.writeFileSync(path.join(dir, 'notjson.json'), '{"a": ');
    fs.writeFileSync(path.join(dir, 'partial.json'), JSON.stringify({ a: 0, '<|startoftext|>': 1, '<|endoftext|>': 2 }));
  });

  async function failure(spec: { merges: string; vocab?: string; contextLength?: number }): Promise<GatewayError> {
    try {
      await loadTokenizer({ type: 'clip-bpe', contextLength: 77, ...spec }, dir);
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      return err as GatewayError;
    }
    throw new Error('expected loadTokenizer to fail');
  }

  test('missing file', async () => {
    const err = await failure({ merges: 'nope.txt.gz' });
    expect(err.message).toContain(path.join(dir, 'nope.txt.gz'));
    expect(err.message).toContain('ENOENT');
    expect(err.code).toBe('BUNDLE_INVALID');
    expect((err as { cause?: unknown }).cause).toBeDefined();
  });

  test('no header line', async () => {
    const err = await failure({ merges: 'noheader.txt' });
    expect(err.message).toContain('noheader.txt');
    expect(err.message).toContain('header');
  });

  test('a line that is not a merge', async () => {
    const err = await failure({ merges: 'badline.txt' });
    expect(err.message).toMatch(/badline\.txt: line 3 should be a merge/);
  });

  test('corrupt gzip', async () => {
    const err = await failure({ merges: 'bad.gz' });
    expect(err.message).toMatch(/bad\.gz: .*gunzip/);
  });

  test('vocab.json that is not JSON, or lacks tokens the merges produce', async () => {
    expect((await failure({ merges: 'merges.txt', vocab: 'notjson.json' })).message).toMatch(/notjson\.json: vocab is not valid JSON/);
    const partial = await failure({ merges: 'merges.txt', vocab: 'partial.json' });
    expect(partial.message).toMatch(/partial\.json: vocab lacks \d+ token/);
  });

  test('with a Hugging Face pair, a bad merges line names merges.txt, not vocab.json', async () => {
    const err = await failure({ merges: 'badline.txt', vocab: 'partial.json' });
    expect(err.message).toMatch(/badline\.txt: line 3 should be a merge/);
  });

  test('contextLength below 2', async () => {
    const err = await failure({ merges: 'merges.txt', contextLength: 1 });
    expect(err.message).toMatch(/contextLength .* must be an integer >= 2, got 1/);
  });
});
