/**
 * Figures, goals and the tables of REPORT.md (Markdown) and of stdout (aligned plain text).
 * Pure functions: nothing here touches the model or the file system.
 */

/** A measured figure. */
export type Figure =
  /** k of n items (shown as a percentage): a false-positive or detection rate. */
  | { kind: 'rate'; k: number; n: number }
  /** k of n items shown as a count: "1 of 32". */
  | { kind: 'count'; k: number; n: number }
  /** A mean of per-item shares in [0, 1] over n items, shown as a percentage. */
  | { kind: 'mean'; value: number; n: number }
  /** A share in [0, 1] that is not a count (an AUROC, a TPR at a fixed FPR), shown as a percentage; `detail` in brackets. */
  | { kind: 'share'; value: number; detail?: string }
  /** A number with a unit, informational: "412 ms". */
  | { kind: 'value'; value: number; unit: string; digits?: number }
  /** Not measured; `reason` says why. */
  | { kind: 'na'; reason: string };

/** A goal on a figure: `value` is a fraction for 'rate' and 'mean', an item count for 'count'. */
export interface Goal {
  op: '<=' | '>=';
  value: number;
}

export type Status = 'met' | 'MISSED' | 'n/a' | '—';

export interface Row {
  measure: string;
  set: string;
  /** One figure per model column (bundle), in the order of the table's model labels. */
  models: Figure[];
  goal?: Goal;
  /** Keyword-filter figures, in the order of the table's filter names; absent: the filters don't apply. */
  filters?: Figure[];
}

const int = new Intl.NumberFormat('en-US');

export function formatInt(n: number): string {
  return int.format(n);
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** The number a goal is compared with; null when there is none. */
export function figureValue(f: Figure): number | null {
  switch (f.kind) {
    case 'rate':
      return f.n > 0 ? f.k / f.n : null;
    case 'count':
      return f.k;
    case 'mean':
      return f.n > 0 ? f.value : null;
    case 'share':
      return Number.isFinite(f.value) ? f.value : null;
    case 'value':
      return f.value;
    case 'na':
      return null;
  }
}

export function formatFigure(f: Figure): string {
  switch (f.kind) {
    case 'rate':
      return f.n > 0 ? `${formatPercent(f.k / f.n)} (${formatInt(f.k)}/${formatInt(f.n)})` : 'n/a (no items)';
    case 'count':
      return `${formatInt(f.k)} of ${formatInt(f.n)}`;
    case 'mean':
      return f.n > 0 ? `${formatPercent(f.value)} (mean of ${formatInt(f.n)})` : 'n/a (no items)';
    case 'share':
      return Number.isFinite(f.value) ? `${formatPercent(f.value)}${f.detail ? ` (${f.detail})` : ''}` : 'n/a';
    case 'value':
      return `${f.value.toFixed(f.digits ?? 0)} ${f.unit}`;
    case 'na':
      return `n/a: ${f.reason}`;
  }
}

/** The goal as text, in the units of the figure it applies to. */
export function formatGoal(goal: Goal | undefined, figure: Figure): string {
  if (!goal) return '(info)';
  const op = goal.op === '<=' ? '≤' : '≥';
  if (figure.kind === 'count') return `${op} ${formatInt(goal.value)} of ${formatInt(figure.n)}`;
  return `${op} ${Number((goal.value * 100).toFixed(2))} %`;
}

export function status(figure: Figure, goal: Goal | undefined): Status {
  if (!goal) return '—';
  const v = figureValue(figure);
  if (v === null) return 'n/a';
  // A small tolerance so that 2.0 % exactly meets "<= 2 %" despite floating point.
  const eps = 1e-12;
  const ok = goal.op === '<=' ? v <= goal.value + eps : v >= goal.value - eps;
  return ok ? 'met' : 'MISSED';
}

export interface TableSpec {
  headers: string[];
  rows: string[][];
  /** Columns to right-align (by index). */
  right?: number[];
}

/**
 * The main table: one row per figure with its goal, then a figure and a status column per model (bundle),
 * then the keyword-filter columns (no status: goals apply to the models).
 */
export function mainTable(rows: Row[], modelLabels: string[], filterNames: string[]): TableSpec {
  return {
    headers: ['Measure', 'Set', 'Goal', ...modelLabels.flatMap((m) => [m, `${m} status`]), ...filterNames],
    rows: rows.map((r) => [
      r.measure,
      r.set,
      formatGoal(r.goal, r.models[0] ?? { kind: 'na', reason: '' }),
      ...modelLabels.flatMap((_, j) => {
        const f: Figure = r.models[j] ?? { kind: 'na', reason: 'not measured' };
        return [formatFigure(f), status(f, r.goal)];
      }),
      ...filterNames.map((_, j) => (r.filters && r.filters[j] ? formatFigure(r.filters[j]) : '—')),
    ]),
  };
}

function escapeMarkdownCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdownTable(t: TableSpec): string {
  const right = new Set(t.right ?? []);
  const lines = [
    `| ${t.headers.map(escapeMarkdownCell).join(' | ')} |`,
    `|${t.headers.map((_, j) => (right.has(j) ? '---:' : '---')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(escapeMarkdownCell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Plain-text table for a terminal: columns padded to their widest cell (by code points). */
export function renderTextTable(t: TableSpec): string {
  const right = new Set(t.right ?? []);
  const len = (s: string): number => [...s].length;
  const widths = t.headers.map((h, j) => Math.max(len(h), ...t.rows.map((r) => len(r[j] ?? ''))));
  const pad = (s: string, j: number): string => {
    const fill = ' '.repeat(widths[j] - len(s));
    return right.has(j) ? fill + s : s + fill;
  };
  const line = (cells: string[]): string => cells.map((c, j) => pad(c, j)).join('  ').trimEnd();
  return [line(t.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map((r) => line(r.map((c) => c.replace(/\r?\n/g, ' '))))].join('\n');
}

/** Counts of each status among rows that have a goal, for the model in column `model`. */
export function tally(rows: Row[], model = 0): { met: number; missed: number; na: number } {
  let met = 0;
  let missed = 0;
  let na = 0;
  for (const r of rows) {
    const s = status(r.models[model] ?? { kind: 'na', reason: 'not measured' }, r.goal);
    if (s === 'met') met++;
    else if (s === 'MISSED') missed++;
    else if (s === 'n/a') na++;
  }
  return { met, missed, na };
}
