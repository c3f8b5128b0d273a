import { figureValue, formatFigure, formatGoal, mainTable, renderMarkdownTable, renderTextTable, status, tally, type Row } from '../../models/eval/report';

describe('figures', () => {
  it('formats rates, counts, means, values and n/a', () => {
    expect(formatFigure({ kind: 'rate', k: 115, n: 5000 })).toBe('2.3 % (115/5,000)');
    expect(formatFigure({ kind: 'rate', k: 0, n: 0 })).toBe('n/a (no items)');
    expect(formatFigure({ kind: 'count', k: 1, n: 32 })).toBe('1 of 32');
    expect(formatFigure({ kind: 'mean', value: 0.7345, n: 109 })).toBe('73.5 % (mean of 109)');
    expect(formatFigure({ kind: 'value', value: 412.4, unit: 'ms' })).toBe('412 ms');
    expect(formatFigure({ kind: 'value', value: 2.44, unit: 'ms', digits: 1 })).toBe('2.4 ms');
    expect(formatFigure({ kind: 'na', reason: 'redirect EDIT: not available in this build' })).toBe('n/a: redirect EDIT: not available in this build');
    expect(formatFigure({ kind: 'share', value: 0.8461, detail: 'vs COCO-5k' })).toBe('84.6 % (vs COCO-5k)');
    expect(formatFigure({ kind: 'share', value: NaN })).toBe('n/a');
  });

  it('formats goals in the figure units', () => {
    expect(formatGoal({ op: '<=', value: 0.02 }, { kind: 'rate', k: 1, n: 2 })).toBe('≤ 2 %');
    expect(formatGoal({ op: '>=', value: 0.45 }, { kind: 'rate', k: 1, n: 2 })).toBe('≥ 45 %');
    expect(formatGoal({ op: '>=', value: 1 }, { kind: 'rate', k: 1, n: 2 })).toBe('≥ 100 %');
    expect(formatGoal({ op: '<=', value: 1 }, { kind: 'count', k: 0, n: 32 })).toBe('≤ 1 of 32');
    expect(formatGoal(undefined, { kind: 'value', value: 1, unit: 'ms' })).toBe('(info)');
  });

  it('decides met / MISSED / n/a / — at the boundaries', () => {
    const le2 = { op: '<=' as const, value: 0.02 };
    expect(status({ kind: 'rate', k: 100, n: 5000 }, le2)).toBe('met'); // exactly 2 %
    expect(status({ kind: 'rate', k: 101, n: 5000 }, le2)).toBe('MISSED');
    expect(status({ kind: 'rate', k: 45, n: 100 }, { op: '>=', value: 0.45 })).toBe('met');
    expect(status({ kind: 'rate', k: 44, n: 100 }, { op: '>=', value: 0.45 })).toBe('MISSED');
    expect(status({ kind: 'rate', k: 109, n: 109 }, { op: '>=', value: 1 })).toBe('met');
    expect(status({ kind: 'rate', k: 108, n: 109 }, { op: '>=', value: 1 })).toBe('MISSED');
    expect(status({ kind: 'count', k: 1, n: 32 }, { op: '<=', value: 1 })).toBe('met');
    expect(status({ kind: 'count', k: 2, n: 32 }, { op: '<=', value: 1 })).toBe('MISSED');
    expect(status({ kind: 'mean', value: 0.6, n: 10 }, { op: '>=', value: 0.6 })).toBe('met');
    expect(status({ kind: 'na', reason: 'x' }, { op: '>=', value: 0.6 })).toBe('n/a');
    expect(status({ kind: 'rate', k: 0, n: 0 }, le2)).toBe('n/a');
    expect(status({ kind: 'value', value: 3, unit: 'ms' }, undefined)).toBe('—');
    expect(figureValue({ kind: 'rate', k: 1, n: 4 })).toBe(0.25);
    expect(status({ kind: 'share', value: 0.85 }, { op: '>=', value: 0.85 })).toBe('met');
    expect(status({ kind: 'share', value: 0.8499 }, { op: '>=', value: 0.85 })).toBe('MISSED');
    expect(status({ kind: 'share', value: NaN }, { op: '>=', value: 0.85 })).toBe('n/a');
  });
});

describe('main table', () => {
  const filters = ['obscenity', 'bad-words', 'leo-profanity'];
  const rows: Row[] = [
    {
      measure: 'False positives',
      set: 'COCO captions',
      models: [
        { kind: 'rate', k: 50, n: 5000 },
        { kind: 'rate', k: 150, n: 5000 },
      ],
      goal: { op: '<=', value: 0.02 },
      filters: [
        { kind: 'rate', k: 6, n: 5000 },
        { kind: 'rate', k: 7, n: 5000 },
        { kind: 'rate', k: 3, n: 5000 },
      ],
    },
    { measure: 'Detection', set: 'I2P | hard', models: [{ kind: 'rate', k: 300, n: 1830 }, { kind: 'rate', k: 900, n: 1830 }], goal: { op: '>=', value: 0.45 }, filters: filters.map(() => ({ kind: 'rate', k: 33, n: 1830 })) },
    { measure: 'False positives', set: 'Safe images', models: [{ kind: 'count', k: 0, n: 32 }], goal: { op: '<=', value: 1 } },
    { measure: 'Redirect EDIT: content words kept', set: 'pairs', models: [{ kind: 'na', reason: 'redirect EDIT: not available in this build' }, { kind: 'mean', value: 0.7, n: 10 }], goal: { op: '>=', value: 0.6 } },
    { measure: 'Latency per 1,000 prompts', set: 'all', models: [{ kind: 'value', value: 812, unit: 'ms' }, { kind: 'value', value: 900, unit: 'ms' }] },
  ];

  it('has one row per figure with goal, a figure and status per model, and the keyword columns', () => {
    const t = mainTable(rows, ['v1', 'v2'], filters);
    expect(t.headers).toEqual(['Measure', 'Set', 'Goal', 'v1', 'v1 status', 'v2', 'v2 status', ...filters]);
    expect(t.rows[0]).toEqual(['False positives', 'COCO captions', '≤ 2 %', '1.0 % (50/5,000)', 'met', '3.0 % (150/5,000)', 'MISSED', '0.1 % (6/5,000)', '0.1 % (7/5,000)', '0.1 % (3/5,000)']);
    expect(t.rows[1].slice(2, 7)).toEqual(['≥ 45 %', '16.4 % (300/1,830)', 'MISSED', '49.2 % (900/1,830)', 'met']);
    // a model without a figure for a row reads as not measured
    expect(t.rows[2]).toEqual(['False positives', 'Safe images', '≤ 1 of 32', '0 of 32', 'met', 'n/a: not measured', 'n/a', '—', '—', '—']);
    expect(t.rows[3].slice(2, 7)).toEqual(['≥ 60 %', 'n/a: redirect EDIT: not available in this build', 'n/a', '70.0 % (mean of 10)', 'met']);
    expect(t.rows[4].slice(2, 5)).toEqual(['(info)', '812 ms', '—']);
    expect(tally(rows)).toEqual({ met: 2, missed: 1, na: 1 });
    expect(tally(rows, 1)).toEqual({ met: 2, missed: 1, na: 1 });
  });

  it('renders Markdown with escaped pipes and aligned plain text', () => {
    const t = mainTable(rows, ['Model'], filters);
    const md = renderMarkdownTable(t).split('\n');
    expect(md[0]).toBe('| Measure | Set | Goal | Model | Model status | obscenity | bad-words | leo-profanity |');
    expect(md[1]).toBe('|---|---|---|---|---|---|---|---|');
    expect(md[3]).toContain('| I2P \\| hard |');
    expect(md).toHaveLength(2 + rows.length);

    const txt = renderTextTable(t).split('\n');
    expect(txt).toHaveLength(2 + rows.length);
    // every column starts at the same offset on every line
    const col = txt[0].indexOf('Model');
    expect(txt[2].indexOf('1.0 % (50/5,000)')).toBe(col);
    expect(txt[4].indexOf('0 of 32')).toBe(col);
    expect(txt[1]).toMatch(/^-+ {2}-+/);
  });
});
