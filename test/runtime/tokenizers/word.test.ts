import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GatewayError } from '../../../src/errors';
import { loadTokenizer } from '../../../src/runtime/tokenizers';
import { normalizeText } from '../../../src/runtime/tokenizers/normalize';
import { parseWordVocab, WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { deobfuscateWord, wordTokens } from '../../../src/runtime/tokenizers/word-tokens';

const VOCAB = [
  '<pad>', '<unk>', 'naked', 'a', 'cat', 'on', 'mat', '1st', 'b&w', '4k', '8k', 'photo', 'of', 'woman', 'the',
  'nice', 'good', 'god', 'fork', 'funk', 'sex', 'kill', 'love', 'usa', 'i', 'am', ',', '.', '!', "'s", "n't", 'do',
  'cool', 'portrait', 'in', 'style', 'cafe', 'hello', 'x',
];

let dir: string;
let tok: WordTokenizer;
const has = (w: string): boolean => VOCAB.indexOf(w) > 1;
const ids = (text: string): number[] => Array.from(tok.encode(text));
const id = (word: string): number => VOCAB.indexOf(word);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'word-tokenizer-test-'));
  fs.writeFileSync(path.join(dir, 'vocab.txt'), VOCAB.join('\n') + '\n');
  tok = (await loadTokenizer({ type: 'word', vocab: 'vocab.txt', contextLength: 8 }, dir)) as WordTokenizer;
});

describe('obfuscations of "naked" all give the ids of "naked"', () => {
  const disguises: Array<[string, string]> = [
    ['spaced letters', 'n a k e d'],
    ['leetspeak @', 'n@ked'],
    ['Cyrillic а', 'n\u0430ked'],
    ['zero-width space', 'n\u200Baked'],
    ['fullwidth', 'ＮＡＫＥＤ'],
    ['dotted capitals', 'N.A.K.E.D'],
    ['leet digits', 'n4k3d'],
    ['stretched', 'naaaked'],
    ['hyphens', 'n-a-k-e-d'],
    ['underscores', 'n_a_k_e_d'],
    ['spaced dots', 'n . a . k . e . d'],
    ['masked letter', 'n*ked'],
    ['diacritics', 'nákéd'],
    ['soft hyphen', 'nak\u00ADed'],
    ['mathematical bold', '\u{1D427}\u{1D41A}\u{1D424}\u{1D41E}\u{1D41D}'],
    ['negative squared letters', '\u{1F17D}\u{1F170}\u{1F17A}\u{1F174}\u{1F173}'],
    ['Greek capitals', '\u039D\u0391\u039A\u0395D'],
    ['leet mixed', 'n@k3d'],
  ];
  test.each(disguises)('%s: %s', (_name, text) => {
    expect(ids(text)).toEqual(ids('naked'));
    expect(ids(text)[0]).toBe(id('naked'));
  });

  test('inside a sentence', () => {
    expect(tok.tokens('a n a k e d woman')).toEqual(['a', 'naked', 'woman']);
    expect(tok.tokens('a n@k3d woman!')).toEqual(['a', 'naked', 'woman', '!']);
    expect(tok.tokens('"n@ked",')).toEqual(['<unk:">', 'naked', '<unk:">', ',']);
    expect(tok.tokens('x n a k e d cat')).toEqual(['x', 'naked', 'cat']); // a partial run
  });
});

describe('text that is not obfuscated is left alone', () => {
  test('safe text is untouched', () => {
    expect(tok.tokens('a cat on a mat')).toEqual(['a', 'cat', 'on', 'a', 'mat']);
    expect(ids('a cat on a mat').slice(0, 5)).toEqual(['a', 'cat', 'on', 'a', 'mat'].map(id));
  });

  test('known words with digits or symbols stay whole: 1st, b&w, 4k, 8k', () => {
    expect(tok.tokens('1st b&w 4k 8k photo')).toEqual(['1st', 'b&w', '4k', '8k', 'photo']);
  });

  test('single letters that are words are not glued together', () => {
    expect(tok.tokens('i am a cat')).toEqual(['i', 'am', 'a', 'cat']);
    expect(tok.tokens('a x a')).toEqual(['a', 'x', 'a']);
  });

  test('numerals with a unit or ordinal are not read as leetspeak', () => {
    const vocab = new Set(['ak', 'ist', 'ed', 'sam', 'loth']);
    for (const word of ['4k', '1st', '3d', '5am', '10th']) expect(deobfuscateWord(word, (w) => vocab.has(w))).toBeNull();
  });

  test('unknown words stay unknown rather than becoming some other word', () => {
    expect(tok.tokens('zebra')).toEqual(['<unk:zebra>']);
    expect(ids('zebra')[0]).toBe(1);
  });

  test('a masked word that fits several words stays unknown', () => {
    expect(deobfuscateWord('f**k', has)).toBeNull(); // fork and funk both fit
    expect(deobfuscateWord('n*ked', has)).toBe('naked');
  });

  test('stretched letters keep a double letter when that is the word', () => {
    expect(deobfuscateWord('goood', has)).toBe('good'); // not "god"
    expect(deobfuscateWord('sooo', (w) => w === 'so')).toBe('so');
  });

  test('leetspeak tries 1 as i and as l', () => {
    expect(deobfuscateWord('k1ll', has)).toBe('kill');
    expect(deobfuscateWord('1ove', has)).toBe('love');
    expect(deobfuscateWord('$3x', has)).toBe('sex');
  });

  test('clitics split as the vocabulary has them', () => {
    expect(tok.tokens("the woman's cat")).toEqual(['the', 'woman', "'s", 'cat']);
    expect(tok.tokens("don't")).toEqual(['do', "n't"]);
  });

  test('typed <unk> and <pad> are not their ids', () => {
    expect(ids('<pad> <unk>').slice(0, 2).every((n) => n !== 0)).toBe(true);
  });
});

describe('rows', () => {
  test('padded with 0 to contextLength', () => {
    expect(ids('a cat')).toEqual([id('a'), id('cat'), 0, 0, 0, 0, 0, 0]);
    expect(ids('')).toEqual(new Array(8).fill(0));
  });

  test('truncated to contextLength', () => {
    const row = ids('a cat on a mat a cat on a mat');
    expect(row).toHaveLength(8);
    expect(row).toEqual(['a', 'cat', 'on', 'a', 'mat', 'a', 'cat', 'on'].map(id));
    expect(tok.tokens('a cat on a mat a cat on a mat')).toHaveLength(8);
  });

  test('encodeBatch is the rows one after another', () => {
    const texts = ['a cat', 'n@ked', ''];
    const batch = tok.encodeBatch(texts);
    expect(batch).toHaveLength(24);
    texts.forEach((t, i) => expect(Array.from(batch.subarray(i * 8, i * 8 + 8))).toEqual(ids(t)));
  });

  test('type and contextLength', () => {
    expect(tok.type).toBe('word');
    expect(tok.contextLength).toBe(8);
  });

  test('the same text gives the same ids with and without the cache', () => {
    const uncached = new WordTokenizer(VOCAB, { contextLength: 8, cacheSize: 0 });
    for (const t of ['n a k e d', 'n@ked n@ked', 'a cat', 'zebra zebra']) {
      expect(Array.from(uncached.encode(t))).toEqual(ids(t));
      expect(ids(t)).toEqual(ids(t));
    }
  });
});

describe('normalizeText', () => {
  test.each([
    ['NFKC fullwidth and lower-case', 'ＨｅＬＬｏ', 'hello'],
    ['zero-width and format characters removed', 'n\u200Ba\u200Ck\u200De\u2060d\uFEFF', 'naked'],
    ['variation selectors removed', 'cat\uFE0F', 'cat'],
    ['control characters become spaces', 'a\u0007cat', 'a cat'],
    ['Cyrillic homoglyphs', '\u0441\u0430\u0442', 'cat'],
    ['Greek homoglyphs', '\u03BF\u03BD', 'ov'],
    ['diacritics on Latin letters dropped', 'café naïve', 'cafe naive'],
    ['marks on other scripts kept', '\u0439', '\u0439'],
    ['regional indicators', '\u{1F1F3}\u{1F1E6}', 'na'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  test('idempotent', () => {
    for (const s of ['ＮＡＫＥＤ', 'n\u0430ked', 'café', '\u0439\u0301', 'İstanbul', 'a\u0007b']) {
      expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
    }
  });
});

describe('wordTokens', () => {
  test('works on a plain predicate', () => {
    expect(wordTokens('s e x', has)).toEqual(['sex']);
    expect(wordTokens('a b', has)).toEqual(['a', 'b']);
  });
});

describe('vocabulary file errors name the file and the line', () => {
  async function failure(lines: string[]): Promise<GatewayError> {
    fs.writeFileSync(path.join(dir, 'bad.txt'), lines.join('\n'));
    try {
      await loadTokenizer({ type: 'word', vocab: 'bad.txt', contextLength: 8 }, dir);
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      return err as GatewayError;
    }
    throw new Error('expected loadTokenizer to fail');
  }

  test('line 1 must be <pad>, line 2 <unk>', async () => {
    expect((await failure(['<unk>', '<pad>', 'a'])).message).toMatch(/bad\.txt: line 1 must be "<pad>"/);
    expect((await failure(['<pad>', 'a'])).message).toMatch(/bad\.txt: line 2 must be "<unk>"/);
  });

  test('duplicates and empty lines', async () => {
    expect((await failure(['<pad>', '<unk>', 'a', 'b', 'a'])).message).toMatch(/line 5 repeats "a" from line 3/);
    expect((await failure(['<pad>', '<unk>', 'a', '', 'b'])).message).toMatch(/line 4 is empty/);
  });

  test('missing file', async () => {
    const err = await loadTokenizer({ type: 'word', vocab: 'none.txt', contextLength: 8 }, dir).catch((e: unknown) => e);
    expect((err as Error).message).toContain(path.join(dir, 'none.txt'));
  });

  test('parseWordVocab accepts CRLF and a final newline', () => {
    expect(parseWordVocab('<pad>\r\n<unk>\r\na\r\n')).toEqual(['<pad>', '<unk>', 'a']);
  });

  test('unknown tokenizer type', async () => {
    const err = await loadTokenizer({ type: 'sentencepiece' } as never, dir).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/"sentencepiece" .* allowed: "word", "clip-bpe"/);
  });
});

describe('spaced letters next to real one-letter words', () => {
  test('"a n a k e d" reads as "a naked", not "ana" + k, e, d', async () => {
    const { WordTokenizer } = await import('../../../src/runtime/tokenizers/word');
    const tok = new WordTokenizer(['<pad>', '<unk>', 'a', 'ana', 'naked', 'woman', 'photo', 'of'], { contextLength: 8 });
    expect(tok.tokens('a photo of a n a k e d woman')).toEqual(['a', 'photo', 'of', 'a', 'naked', 'woman']);
    expect(tok.tokens('a n.a.k.e.d woman')).toEqual(['a', 'naked', 'woman']);
  });
});
