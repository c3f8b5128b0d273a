import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { column, findColumn, parseCsv, readTable, toTable } from '../../models/eval/csv';

describe('parseCsv', () => {
  it('splits plain records', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('keeps commas inside quoted fields', () => {
    expect(parseCsv('prompt,n\n"a cat, a dog, and a bird",3\n')).toEqual([
      ['prompt', 'n'],
      ['a cat, a dog, and a bird', '3'],
    ]);
  });

  it('turns doubled quotes into one', () => {
    expect(parseCsv('x\n"she said ""hi"", then left"\n"""quoted"""\n')).toEqual([['x'], ['she said "hi", then left'], ['"quoted"']]);
  });

  it('keeps line breaks (LF and CRLF) inside quoted fields and counts them for error lines', () => {
    expect(parseCsv('a,b\r\n"line one\nline two",x\r\n"p\r\nq",y\r\n')).toEqual([
      ['a', 'b'],
      ['line one\nline two', 'x'],
      ['p\r\nq', 'y'],
    ]);
    expect(() => parseCsv('a\r\nb\n"x\r\ny\nz')).toThrow(/line 3 is never closed/);
  });

  it('drops a UTF-8 BOM', () => {
    const t = toTable(parseCsv('\uFEFFsensitive prompt,normal prompt\r\nu,s\r\n'));
    expect(t.header).toEqual(['sensitive prompt', 'normal prompt']);
    expect(t.rows).toEqual([{ 'sensitive prompt': 'u', 'normal prompt': 's' }]);
  });

  it('accepts CRLF, LF and lone CR record ends, with or without a final line break', () => {
    const want = [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ];
    expect(parseCsv('a,b\r\n1,2\r\n3,4\r\n')).toEqual(want);
    expect(parseCsv('a,b\n1,2\n3,4')).toEqual(want);
    expect(parseCsv('a,b\r1,2\r3,4\r')).toEqual(want);
  });

  it('keeps empty fields, including empty quoted ones, and skips empty lines', () => {
    expect(parseCsv(',x,\n"",,""\n\n\r\nlast\n')).toEqual([['', 'x', ''], ['', '', ''], ['last']]);
  });

  it('treats a quote inside an unquoted field as text, and keeps text after a closing quote', () => {
    expect(parseCsv('5\'10" tall man,ok\n"G I G G L E" painted,ok\n')).toEqual([
      ['5\'10" tall man', 'ok'],
      ['G I G G L E painted', 'ok'],
    ]);
  });

  it('keeps U+FFFD and control characters unchanged', () => {
    const s = 'prompt\nblood \uFFFD drained\u0014juxta \uFFFD\n';
    expect(parseCsv(s)[1][0]).toBe('blood \uFFFD drained\u0014juxta \uFFFD');
  });

  it('reads TSV with quoting off: quotes stay literal', () => {
    const tsv = 'Prompt\tCategory\n"G I G G L E" painted on a wall\tIllustrations\nA "quoted" word\tArts\n';
    expect(parseCsv(tsv, { delimiter: '\t', quoting: false })).toEqual([
      ['Prompt', 'Category'],
      ['"G I G G L E" painted on a wall', 'Illustrations'],
      ['A "quoted" word', 'Arts'],
    ]);
  });

  it('rejects bad delimiters', () => {
    expect(() => parseCsv('a', { delimiter: '"' })).toThrow(/delimiter/);
    expect(() => parseCsv('a', { delimiter: ';;' })).toThrow(/delimiter/);
  });
});

describe('tables', () => {
  it('fills short records, rejects long ones', () => {
    expect(toTable([['a', 'b'], ['1']]).rows).toEqual([{ a: '1', b: '' }]);
    expect(() => toTable([['a'], ['1', '2']], 'f.csv')).toThrow(/f.csv: record 2 has 2 fields, the header has 1/);
  });

  it('reads a file with a BOM, CRLF and a multi-line field; finds columns', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-csv-'));
    const file = path.join(dir, 't.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,prompt\r\n1,"two\r\nlines, comma"\r\n2,plain\r\n')]));
    const t = readTable(file);
    expect(column(t, 'prompt')).toEqual(['two\r\nlines, comma', 'plain']);
    expect(findColumn(t, ['text', 'prompt'])).toBe('prompt');
    expect(findColumn(t, ['PROMPT'])).toBe('prompt');
    expect(() => column(t, 'Prompt')).toThrow(/no column "Prompt"; it has "id", "prompt"/);
    expect(() => findColumn(t, ['caption'])).toThrow(/none of the columns "caption"/);
  });

  it('decodes invalid UTF-8 as U+FFFD', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-csv-'));
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('p\na'), Buffer.from([0xff]), Buffer.from('b\n')]));
    expect(column(readTable(file), 'p')).toEqual(['a\uFFFDb']);
  });
});
