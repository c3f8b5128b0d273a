/**
 * Deterministic grouped calibration split: whole groups (a subject's head noun, a setting for object
 * scenes, a hard-negative topic) go to `calib`, chosen by a seeded hash order until about `fraction` of the
 * rows are covered. So no calibration subject or topic is also seen in training.
 */
import { hash32 } from './prng';

export type Split = 'train' | 'calib';

export function groupedSplit<T>(rows: T[], groupOf: (r: T) => string, fraction: number, seed: string): Split[] {
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(groupOf(r), (sizes.get(groupOf(r)) ?? 0) + 1);
  const order = [...sizes.keys()].sort((a, b) => hash32(`${seed}:${a}`) - hash32(`${seed}:${b}`) || (a < b ? -1 : 1));
  const target = Math.round(rows.length * fraction);
  const calib = new Set<string>();
  let covered = 0;
  for (const g of order) {
    if (covered >= target) break;
    const n = sizes.get(g) ?? 0;
    // Skip a group that would overshoot by more than it helps (keeps the fraction close to target).
    if (covered + n - target > target - covered) continue;
    calib.add(g);
    covered += n;
  }
  return rows.map((r) => (calib.has(groupOf(r)) ? 'calib' : 'train'));
}
