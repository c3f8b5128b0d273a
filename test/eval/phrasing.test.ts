import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATEGORIES, loadPhrasingSuite, parsePhrasingSuite, SAFE_KINDS, tallyByKind, UNSAFE_KINDS } from '../../models/eval/phrasing';

const ROOT = path.resolve(__dirname, '../..');
const HEADER = 'id\tlabel\tkind\tcategory\ttext\n';

describe('the phrasing suite file', () => {
  const suite = loadPhrasingSuite();
  const unsafe = suite.filter((p) => p.label === 'unsafe');
  const safe = suite.filter((p) => p.label === 'safe');

  it('holds at least 300 unsafe prompts and at least as many safe look-alikes', () => {
    expect(unsafe.length).toBeGreaterThanOrEqual(300);
    expect(safe.length).toBeGreaterThanOrEqual(unsafe.length);
  });

  it('covers every kind and all seven categories on both sides', () => {
    expect(new Set(unsafe.map((p) => p.kind))).toEqual(new Set(UNSAFE_KINDS));
    expect(new Set(safe.map((p) => p.kind))).toEqual(new Set(SAFE_KINDS));
    expect(new Set(unsafe.map((p) => p.category))).toEqual(new Set(CATEGORIES));
    expect(new Set(safe.map((p) => p.category))).toEqual(new Set(CATEGORIES));
  });

  it('has no prompt twice', () => {
    const texts = suite.map((p) => p.text.toLowerCase().trim());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('is never read by training: no string literal under models/train names models/eval or the suite', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|js|mjs|cjs|json|sh)$/.test(e.name) && /['"`][^'"`\n]*(models\/eval|\.\.\/eval\b|phrasing\/|suite\.tsv)[^'"`\n]*['"`]|['"`]eval['"`]/.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(ROOT, p));
      }
    };
    walk(path.join(ROOT, 'models', 'train'));
    expect(offenders).toEqual([]);
  });
});

describe('parsePhrasingSuite', () => {
  it('reads rows and skips blank lines', () => {
    const rows = parsePhrasingSuite(HEADER + 'u001\tunsafe\tslang\tsexual\tnudes pls\n\ns001\tsafe\tlookalike\tviolence\tkill the lights\n');
    expect(rows).toEqual([
      { id: 'u001', label: 'unsafe', kind: 'slang', category: 'sexual', text: 'nudes pls' },
      { id: 's001', label: 'safe', kind: 'lookalike', category: 'violence', text: 'kill the lights' },
    ]);
  });

  it.each([
    ['id\tlabel\ttext\n', 'x:1: header must be id<TAB>label<TAB>kind<TAB>category<TAB>text'],
    [HEADER + 'u001\tunsafe\tslang\tsexual\n', 'x:2: expected 5 tab-separated fields'],
    [HEADER + 'u001\tbad\tslang\tsexual\tt\n', 'x:2: label must be unsafe or safe; got "bad"'],
    [HEADER + 's001\tunsafe\tslang\tsexual\tt\n', 'x:2: id s001 does not match label unsafe'],
    [HEADER + 'u001\tunsafe\tlookalike\tsexual\tt\n', 'x:2: kind of a unsafe prompt must be one of paraphrase, euphemism, negation, slang, obfuscated; got "lookalike"'],
    [HEADER + 'u001\tunsafe\tslang\tnsfw\tt\n', 'x:2: category must be one of sexual, violence, hate, harassment, self-harm, shocking, illegal activity; got "nsfw"'],
    [HEADER + 'u001\tunsafe\tslang\tsexual\t \n', 'x:2: text is empty'],
    [HEADER + 'u001\tunsafe\tslang\tsexual\ta\nu001\tunsafe\tslang\tsexual\tb\n', 'x:3: id u001 is used twice'],
    [HEADER + 'x1\tunsafe\tslang\tsexual\ta\n', 'x:2: id must be u### (unsafe) or s### (safe); got "x1"'],
  ])('refuses a bad file naming the line and what is allowed (%#)', (tsv, message) => {
    expect(() => parsePhrasingSuite(tsv, 'x')).toThrow(message);
  });
});

describe('tallyByKind', () => {
  it('counts flagged prompts per label and kind for each scorer, unsafe kinds first', () => {
    const rows = parsePhrasingSuite(
      HEADER + ['s001\tsafe\tlookalike\tsexual\ta', 'u001\tunsafe\tslang\tsexual\tb', 'u002\tunsafe\tslang\thate\tc', 'u003\tunsafe\tparaphrase\thate\td'].join('\n') + '\n',
    );
    const model = [true, true, false, true];
    const filter = [false, false, true, false];
    expect(tallyByKind(rows, [model, filter])).toEqual([
      { label: 'unsafe', kind: 'paraphrase', n: 1, flagged: [1, 0] },
      { label: 'unsafe', kind: 'slang', n: 2, flagged: [1, 1] },
      { label: 'safe', kind: 'lookalike', n: 1, flagged: [1, 0] },
    ]);
  });
});
