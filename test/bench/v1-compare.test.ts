/** The v1-beside-current section's ordering and arithmetic (test/bench/v1-compare.ts). */
import { alternationOrder, middle, summarise, type Turn } from './v1-compare';

test('turns alternate A B, B A, ... so neither side always runs last', () => {
  expect(alternationOrder('A', 'B', 3).map((t) => `${t.round}${t.side}`)).toEqual(['0A', '0B', '1B', '1A', '2A', '2B']);
  expect(alternationOrder('A', 'B', 0)).toEqual([]);
});

const turn = (round: number, side: 'current' | 'v1', rps: number, cpuUsPerReq: number): Turn => ({ round, side, rps, cpuUsPerReq, p50: 1, p99: 2, failed: 0, meanBatch: 8 });

test('summarise: medians per side, their ratio against v1, each round\'s own ratio, and the CPU ratio', () => {
  const s = summarise([turn(0, 'current', 300, 200), turn(0, 'v1', 1000, 100), turn(1, 'v1', 800, 110), turn(1, 'current', 400, 190), turn(2, 'current', 900, 180), turn(2, 'v1', 900, 120)]);
  expect(s.current.rps).toBe(400);
  expect(s.v1.rps).toBe(900);
  expect(s.ratio).toBeCloseTo(400 / 900, 9);
  expect(s.roundRatios.map((r) => Number(r.toFixed(3)))).toEqual([0.3, 0.5, 1]);
  expect(s.cpuRatio).toBeCloseTo(110 / 190, 9);
});

test('summarise refuses turns missing a side, naming what it got', () => {
  expect(() => summarise([turn(0, 'current', 1, 1)])).toThrow(/both sides, got 1 current and 0 v1/);
  expect(() => summarise([turn(0, 'current', 1, 1), turn(0, 'v1', 1, 1), turn(1, 'v1', 1, 1)])).toThrow(/round 1 lacks a side/);
});

test('middle: the median, the mean of the middle two for an even count (two rounds are not judged by their minimum)', () => {
  expect(middle([1500, 2409])).toBe(1954.5);
  expect(middle([3, 1, 2])).toBe(2);
  expect(Number.isNaN(middle([]))).toBe(true);
  const s = summarise([turn(0, 'current', 1500, 1), turn(0, 'v1', 2379, 1), turn(1, 'v1', 2600, 1), turn(1, 'current', 2409, 1)]);
  expect(s.ratio).toBeCloseTo(1954.5 / 2489.5, 9);
});
