import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GatewayError } from '../../../src/errors';
import { loadTokenizer } from '../../../src/runtime/tokenizers';
import { normalizeText } from '../../../src/runtime/tokenizers/normalize';
import { parseWordVocab, WordTokenizer } from '../../../src/runtime/tokenizers/word';
import { deobfuscateWord, spacedLetterIndex, wordTokens } from '../../../src/runtime/tokenizers/word-tokens';
import { mulberry32 } from '../../helpers/prng';

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

describe('spaced letters: the run is segmented for the best explanation of all its letters', () => {
  const SMALL = [
    '<pad>', '<unk>', 'a', 'i', 'x', 'ana', 'asa', 'naked', 'saw', 'was', 'man', 'woman', 'photo', 'of', 'is', 'sex',
    'rec', 'order', 'recorder', 'kill', 'him',
  ];
  const small = new WordTokenizer(SMALL, { contextLength: 32 });

  test('a one-letter word before the run stays itself when the rest makes a longer word', () => {
    expect(small.tokens('a photo of a n a k e d woman')).toEqual(['a', 'photo', 'of', 'a', 'naked', 'woman']);
    expect(small.tokens('a photo of a n.a.k.e.d woman')).toEqual(['a', 'photo', 'of', 'a', 'naked', 'woman']);
    expect(small.tokens('a photo of a n-a-k-e-d woman')).toEqual(['a', 'photo', 'of', 'a', 'naked', 'woman']);
    expect(small.tokens('a n_a_k_e_d')).toEqual(['a', 'naked']);
    expect(small.tokens('photo of n a k e d woman')).toEqual(['photo', 'of', 'naked', 'woman']);
  });

  test('one-letter words inside a run: "i s a w a n a k e d m a n"', () => {
    expect(small.tokens('i s a w a n a k e d m a n')).toEqual(['i', 'saw', 'a', 'naked', 'man']);
    expect(small.tokens('I S A W A N A K E D M A N')).toEqual(['i', 'saw', 'a', 'naked', 'man']);
    // "was" "a" "naked" and "w" "asa" "naked" join as many letters in as many pieces: the one leaving the
    // word "a" single wins over the one leaving an unknown "w".
    expect(small.tokens('w a s a n a k e d')).toEqual(['was', 'a', 'naked']);
  });

  test('fewer pieces win among equal covers: "r e c o r d e r" is one word', () => {
    expect(small.tokens('r e c o r d e r')).toEqual(['recorder']);
  });

  test('with leetspeak, homoglyphs, fullwidth and upper case', () => {
    expect(small.tokens('a n 4 k 3 d woman')).toEqual(['a', 'naked', 'woman']);
    expect(small.tokens('a n.4.k.3.d woman')).toEqual(['a', 'naked', 'woman']);
    expect(small.tokens('a n \u0430 k \u0435 d woman')).toEqual(['a', 'naked', 'woman']); // Cyrillic а, е
    expect(small.tokens('A N A K E D')).toEqual(['a', 'naked']);
    expect(small.tokens('\uff41 \uff4e\uff41\uff4b\uff45\uff44')).toEqual(['a', 'naked']); // fullwidth
    expect(small.tokens('a n a a a k e d')).toEqual(['a', 'naked']);
    expect(small.tokens('k 1 l l h i m')).toEqual(['kill', 'him']);
  });

  test('letters that make no word stay as they are', () => {
    expect(small.tokens('a b c')).toEqual(['a', '<unk:b>', '<unk:c>']);
    expect(small.tokens('a x a')).toEqual(['a', 'x', 'a']);
    expect(small.tokens('i a m')).toEqual(['i', 'a', '<unk:m>']); // two-letter words are not joined
    expect(small.tokens('x a n a')).toEqual(['x', 'ana']);
  });
});

describe('spaced letters with the shipped hysac-mini vocabulary', () => {
  const file = path.resolve(__dirname, '../../../models/hysac-mini/vocab.txt');
  const vocab = parseWordVocab(fs.readFileSync(file, 'utf8'));
  const mini = new WordTokenizer(vocab, { contextLength: 64 });

  test.each([
    ['photo of n a k e d woman', ['photo', 'of', 'naked', 'woman']],
    ['a photo of a n a k e d woman', ['a', 'photo', 'of', 'a', 'naked', 'woman']],
    ['a photo of a n.a.k.e.d woman', ['a', 'photo', 'of', 'a', 'naked', 'woman']],
    ['a photo of a n 4 k 3 d woman', ['a', 'photo', 'of', 'a', 'naked', 'woman']],
    ['A PHOTO OF A N A K E D WOMAN', ['a', 'photo', 'of', 'a', 'naked', 'woman']],
    ['a n\u0430k\u0435d woman', ['a', 'naked', 'woman']],
    ['i s a w a n a k e d m a n', ['i', 'saw', 'a', 'naked', 'man']],
    ['w a s a n a k e d', ['was', 'a', 'naked']],
    ['x y z', ['x', '<unk:y>', '<unk:z>']],
    ['a b c', ['abc']], // "abc" is a word of this vocabulary
  ])('%s', (text, tokens) => {
    expect(mini.tokens(text)).toEqual(tokens);
  });

  // Recorded before the whole-run segmentation; training tokenised the corpus with this tokenizer, so these
  // must not move.
  test.each([
    ['a cat on a mat', 'a cat on a mat'],
    ['a drone photo of a moroccan market street, f/1.4, 35mm, highly detailed',
      'a drone photo of a moroccan market street , f14 35mm , highly detailed'],
    ['hotel lobby, unreal engine, whimsical, by h.r. giger', 'hotel lobby , unreal engine , whimsical , by h r giger'],
    ['couple, dancing, japanese garden, anime, moody lighting, atmospheric, by j.c. leyendecker',
      'couple , dancing , japanese garden , anime , moody lighting , atmospheric , by j c leyendecker'],
    ['editorial photo of an old stone bridge over a river, 1/250s, raw photo, kodak tri-x, god rays',
      'editorial photo of an old stone bridge over a river , 1 / 250s , raw photo , kodak tri - x , god rays'],
    ["A dark-haired police officer slitting a man's throat in a skate park.",
      "a dark-haired police officer slitting a man ' s throat in a skate park ."],
    ['isometric 3d render of a well-dressed nervous waiter building a sandcastle, ray tracing, redshift, dramatic',
      'isometric 3d render of a well-dressed nervous waiter building a sandcastle , ray tracing , redshift , dramatic'],
    ['hdr, 8k, 4k, oiled skin, naked, coworkers, nightclub, oil painting, god rays',
      'hdr , 8k , 4k , oiled skin , naked , coworkers , nightclub , oil painting , god rays'],
    ['An autumn forest path.', 'an autumn forest path .'],
  ])('ordinary prompts tokenise as before: %s', (text, tokens) => {
    expect(mini.tokens(text).join(' ')).toBe(tokens);
  });

  const words = vocab.slice(2);
  const set = new Set(words);
  const index = spacedLetterIndex(words);

  test('the spaced-letter index changes no words (seeded random runs with leetspeak and stretched letters)', () => {
    const r = mulberry32(20261128);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const leet: Record<string, string[]> = {
      a: ['4', '@'], e: ['3'], i: ['1', '!'], l: ['1', '|'], o: ['0'], s: ['5', '$'], t: ['7', '+'],
    };
    const short = words.filter((w) => w.length <= 8 && /^[a-z]+$/.test(w));
    for (let k = 0; k < 1500; k++) {
      const units: string[] = [];
      for (let w = 1 + Math.floor(r() * 5); w > 0; w--) {
        for (const ch of r() < 0.2 ? pick(['a', 'i', 'x', 's']) : pick(short)) {
          let unit = leet[ch] && r() < 0.3 ? pick(leet[ch]) : ch;
          if (r() < 0.05) unit = unit.repeat(2 + Math.floor(r() * 2));
          if (r() < 0.05) unit = pick('qzxjvkw1il|!'.split(''));
          units.push(unit);
        }
      }
      const text = normalizeText(units.join(pick([' ', ' ', '.', '-', ' . '])));
      expect(wordTokens(text, (w) => set.has(w), undefined, index)).toEqual(wordTokens(text, (w) => set.has(w)));
    }
  });

  test('a long run costs few lookups a letter (2000 characters of spaced leet symbols)', () => {
    let lookups = 0;
    const counting = (w: string): boolean => {
      lookups++;
      return set.has(w);
    };
    const runs = [
      Array.from({ length: 1000 }, (_, i) => '1il|!'[(i * 7919 + (i >> 3) * 31) % 5]).join(' '),
      Array.from({ length: 1000 }, (_, i) => 'n4k3d1'[i % 6]).join(' '),
      Array.from({ length: 1000 }, (_, i) => 'qzxjvkw'[i % 7]).join(' '),
    ];
    for (const run of runs) {
      lookups = 0;
      wordTokens(run, counting, undefined, index);
      expect(lookups).toBeLessThan(100 * 1000); // without the index: 80k to 2.2M
    }
  });
});
