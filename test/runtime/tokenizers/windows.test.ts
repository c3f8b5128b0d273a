/** Token windows (a long text is judged whole) and prompt syntax read as diffusion backends read it. */
import { tokenWindows, windowOverlap } from '../../../src/runtime/tokenizers/windows';
import { readPromptSyntax } from '../../../src/runtime/tokenizers/prompt-syntax';
import { mostUnsafeWindows } from '../../../src/runtime/most-unsafe-window';
import { WordTokenizer } from '../../../src/runtime/tokenizers/word';

describe('tokenWindows', () => {
  test('a text that fits is one window; an empty text one empty window', () => {
    expect(tokenWindows(10, 64)).toEqual([{ start: 0, end: 10 }]);
    expect(tokenWindows(64, 64)).toEqual([{ start: 0, end: 64 }]);
    expect(tokenWindows(0, 64)).toEqual([{ start: 0, end: 0 }]);
  });

  test('65 tokens: two windows, the last aligned to the end', () => {
    expect(tokenWindows(65, 64)).toEqual([{ start: 0, end: 64 }, { start: 1, end: 65 }]);
  });

  test.each([1, 2, 3, 8, 32, 64, 75])('size %i: every token covered, every run of overlap+1 tokens inside one window, count linear', (size) => {
    const overlap = windowOverlap(size);
    const problems: string[] = [];
    for (let n = 0; n <= 6 * size + 3; n++) {
      const ws = tokenWindows(n, size);
      for (const w of ws) if (w.end - w.start > size || w.start < 0 || w.end > n) problems.push(`n ${n}: window ${w.start}-${w.end} out of bounds`);
      if (ws[ws.length - 1].end !== n) problems.push(`n ${n}: last window does not end at the text's end`);
      for (let t = 0; t < n; t++) if (!ws.some((w) => w.start <= t && t < w.end)) problems.push(`n ${n}: token ${t} in no window`);
      const run = Math.min(overlap + 1, size, n);
      for (let a = 0; a + run <= n; a++) if (!ws.some((w) => w.start <= a && a + run <= w.end)) problems.push(`n ${n}: run ${a}-${a + run} split`);
      const stride = size - overlap;
      if (ws.length !== (n <= size ? 1 : 1 + Math.ceil((n - size) / stride))) problems.push(`n ${n}: ${ws.length} windows`);
    }
    expect(problems).toEqual([]);
  });

  test('bad sizes are refused', () => {
    expect(() => tokenWindows(5, 0)).toThrow(/window size/);
    expect(() => tokenWindows(5, 1.5)).toThrow(/window size/);
  });
});

describe('mostUnsafeWindows: a text is judged by its window farthest from the origin', () => {
  test('picks the largest norm per text and reports index and count', () => {
    const rows = new Float32Array([0.1, 0, /**/ 3, 0, /**/ 0, 1, /**/ 0.5, 0.5, /**/ 0, -2, /**/ 1, 1]);
    const { data, windows } = mostUnsafeWindows(rows, 2, new Int32Array([3, 1, 2]));
    expect(Array.from(data)).toEqual([3, 0, 0.5, 0.5, 0, -2]);
    expect(Array.from(windows)).toEqual([1, 3, 0, 1, 0, 2]);
  });

  test('a NaN window decides (a broken output is never out-voted by a safe-looking window)', () => {
    const rows = new Float32Array([5, 0, NaN, 0, 0.1, 0]);
    const { data, windows } = mostUnsafeWindows(rows, 2, new Int32Array([3]));
    expect(Number.isNaN(data[0])).toBe(true);
    expect(windows[0]).toBe(1);
  });
});

describe('readPromptSyntax: what A1111 and ComfyUI render', () => {
  test.each([
    ['a watercolor fox in the snow', 'a watercolor fox in the snow'],
    ['(masterpiece:1.3), a (naked:0.1) woman', 'masterpiece, a naked woman'],
    ['((((best quality)))), [blurry]', 'best quality, blurry'],
    ['[a cat:a naked woman:0.5]', 'a cat a naked woman'],
    ['[a naked woman::10] in a field', 'a naked woman in a field'],
    ['[cat|naked woman|dog]', 'cat naked woman dog'],
    ['a dog AND a naked woman :0.8', 'a dog a naked woman'],
    ['a castle BREAK a naked woman', 'a castle a naked woman'],
    ['<lora:nsfw_body_v2:0.8> a woman', 'nsfw body v2 a woman'],
    ['<hypernet:gore-style:1> a street', 'gore style a street'],
    ['embedding:bad_hands, a portrait', 'bad hands, a portrait'],
    ['a \\(literal\\) bracket and a \\[b\\]', 'a (literal) bracket and a [b]'],
    ['(word: -0.5) (other:.8)', 'word other'],
    ['Portrait: a woman, 10:30 am', 'Portrait: a woman, 10:30 am'],
    ['a castle at dusk :1.2 AND a dragon:0.6', 'a castle at dusk a dragon'],
  ])('%j -> %j', (input, expected) => {
    expect(readPromptSyntax(input)).toBe(expected);
  });

  test('every word survives: weights and syntax go, never content', () => {
    const words = (s: string) => s.toLowerCase().split(/[^a-z]+/).filter((w) => w && w !== 'lora' && w !== 'and' && w !== 'break');
    for (const t of ['(a:1)[b|c] d::e (f:g:0.3)', '<lora:x_y:1>z', 'p AND q BREAK r']) {
      expect(new Set(words(readPromptSyntax(t)))).toEqual(new Set(words(t)));
    }
  });

  test('linear time on hostile input', () => {
    const hostile = '('.repeat(20000) + ':1'.repeat(20000) + '\\('.repeat(20000) + '[a|'.repeat(20000);
    const t0 = performance.now();
    readPromptSyntax(hostile);
    expect(performance.now() - t0).toBeLessThan(2000); // linear: ~10 ms here; a quadratic scan would take minutes
  });
});

describe('WordTokenizer windows', () => {
  const vocab = ['<pad>', '<unk>', 'a', 'green', 'meadow', 'naked', 'woman'];
  const tok = new WordTokenizer(vocab, { contextLength: 8 });

  test('a long text is encoded as all its windows; the first row is what encode gives', () => {
    const text = 'a green meadow '.repeat(5) + 'a naked woman';
    const { ids, rows, counts } = tok.encodeWindows([text, 'a woman']);
    expect(Array.from(counts)).toEqual([3, 1]);
    expect(rows).toBe(4);
    expect(Array.from(ids.subarray(0, 8))).toEqual(Array.from(tok.encode(text)));
    const last = Array.from(ids.subarray(16, 24));
    expect(last.slice(-3)).toEqual([2, 5, 6]); // the tail "a naked woman" is read
    expect(Array.from(ids.subarray(24, 32))).toEqual([2, 6, 0, 0, 0, 0, 0, 0]);
  });

  test('encodeWindows().window(t, w): the span and readable text of any window, unknown words shown', () => {
    const text = 'a green meadow a green meadow a zebra naked woman';
    const enc = tok.encodeWindows(['a woman', text]);
    expect(Array.from(enc.counts)).toEqual([1, 2]);
    expect(enc.window(0, 0)).toEqual({ start: 0, end: 2, text: 'a woman' });
    expect(enc.window(1, 0)).toEqual({ start: 0, end: 8, text: 'a green meadow a green meadow a <unk:zebra>' });
    expect(enc.window(1, 1)).toEqual({ start: 2, end: 10, text: 'meadow a green meadow a <unk:zebra> naked woman' });
  });

  test('prompt syntax is read before tokenising: weights are not words', () => {
    expect(tok.tokens('(naked:1.3) woman')).toEqual(['naked', 'woman']);
    const raw = new WordTokenizer(vocab, { contextLength: 8, promptSyntax: false });
    expect(raw.tokens('(naked:1.3) woman')).toEqual(['<unk:(>', 'naked', '<unk::>', '<unk:1>', '<unk:.>', '<unk:3>', '<unk:)>', 'woman']);
  });
});
