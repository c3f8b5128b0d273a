/**
 * run-bench.ts section `v1` (issue #12's cost floor: "text classify throughput >= 0.6x v1's in the same
 * `npm run bench` run"): the text classify load of section 1 (64 connections, the same prompts, the same
 * duration) on two gateways, one serving the current bundle and one serving v1, the default bundle as
 * committed at V1_COMMIT, written out of git history (models/eval/git-bundle.ts, as `npm run eval` does it).
 *
 * Both gateways are started once, warmed once each, and stay up; the load alternates between them round by
 * round in the order A B, B A, A B, ... (alternationOrder), each turn a warm-up and then the measured window, so
 * that drift on a shared machine (other processes starting or stopping) falls on both sides alike instead of on
 * whichever ran last. Figures: the median of each side's rounds (the mean of the middle two for an even count);
 *   ratio = median(current ok/s) / median(v1 ok/s)      (the floor's figure, >= 0.6)
 * each round's own current/v1 ratio is kept to show the spread. CPU microseconds a request (all gateway threads,
 * /proc), which other load changes far less than ok/s, is reported beside it.
 */
import * as path from 'node:path';
import { materialiseBundle } from '../../models/eval/git-bundle';
import { cpuTimes, drive, meanBatch, metricsSnapshot, type Server } from './lib';

export const V1_COMMIT = '7362428';
export const V1_BUNDLE_PATH = 'models/hysac-mini';

export type Side = 'current' | 'v1';

export interface Turn {
  round: number;
  side: Side;
  /** 2xx answers without GraphQL errors a second. */
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU microseconds a request served, all the gateway's threads (NaN where /proc is not readable). */
  cpuUsPerReq: number;
  meanBatch: number;
}

export interface Summary {
  current: { rps: number; cpuUsPerReq: number };
  v1: { rps: number; cpuUsPerReq: number };
  /** median(current rps) / median(v1 rps): the floor's figure. */
  ratio: number;
  /** Per round, current rps / v1 rps. */
  roundRatios: number[];
  /** median(v1 CPU a request) / median(current CPU a request): above 1, the current bundle costs less. */
  cpuRatio: number;
}

/** The median, the mean of the two middle values for an even count (lib.ts's `median` takes the lower one, which for two rounds is the minimum). */
export function middle(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** The order of turns: round r runs [a, b] when r is even, [b, a] when odd (A B B A A B ...). */
export function alternationOrder<T>(a: T, b: T, rounds: number): { round: number; side: T }[] {
  const out: { round: number; side: T }[] = [];
  for (let round = 0; round < rounds; round++) for (const side of round % 2 === 0 ? [a, b] : [b, a]) out.push({ round, side });
  return out;
}

/** Medians per side and the ratios (see Summary). Every round must have both sides. */
export function summarise(turns: readonly Turn[]): Summary {
  const of = (side: Side) => turns.filter((t) => t.side === side);
  const cur = of('current');
  const v1 = of('v1');
  if (cur.length === 0 || v1.length === 0) throw new Error(`summarise: need turns of both sides, got ${cur.length} current and ${v1.length} v1`);
  const rounds = [...new Set(turns.map((t) => t.round))].sort((x, y) => x - y);
  const roundRatios = rounds.map((r) => {
    const c = cur.find((t) => t.round === r);
    const v = v1.find((t) => t.round === r);
    if (!c || !v) throw new Error(`summarise: round ${r} lacks a side`);
    return c.rps / v.rps;
  });
  const current = { rps: middle(cur.map((t) => t.rps)), cpuUsPerReq: middle(cur.map((t) => t.cpuUsPerReq)) };
  const base = { rps: middle(v1.map((t) => t.rps)), cpuUsPerReq: middle(v1.map((t) => t.cpuUsPerReq)) };
  return { current, v1: base, ratio: current.rps / base.rps, roundRatios, cpuRatio: base.cpuUsPerReq / current.cpuUsPerReq };
}

/** v1's folder (written once into cacheRoot, reused after), or why it cannot be had. */
export function materialiseV1(repo: string, cacheRoot: string): ReturnType<typeof materialiseBundle> {
  return materialiseBundle(repo, V1_COMMIT, V1_BUNDLE_PATH, cacheRoot, 'v1');
}

/**
 * Runs the alternating load. `start(side)` starts a gateway on that side's bundle; both are stopped at the end
 * (also on failure).
 */
export async function alternateLoad(o: {
  start: (side: Side) => Promise<Server>;
  bodies: string[];
  rounds: number;
  warmupSeconds: number;
  seconds: number;
  connections?: number;
  log?: (line: string) => void;
}): Promise<Turn[]> {
  const connections = o.connections ?? 64;
  const servers: Partial<Record<Side, Server>> = {};
  try {
    servers.current = await o.start('current');
    servers.v1 = await o.start('v1');
    // One unmeasured turn each first (JIT, connections, the workers' first runs), so round 1's first side is not the only cold one.
    for (const side of ['current', 'v1'] as const) await drive(servers[side]!.url, o.bodies, { connections, duration: o.warmupSeconds });
    const turns: Turn[] = [];
    for (const { round, side } of alternationOrder<Side>('current', 'v1', o.rounds)) {
      const s = servers[side]!;
      await drive(s.url, o.bodies, { connections, duration: o.warmupSeconds });
      const before = await metricsSnapshot(s.url);
      const c0 = cpuTimes(s.proc.pid!);
      const r = await drive(s.url, o.bodies, { connections, duration: o.seconds });
      const c1 = cpuTimes(s.proc.pid!);
      const after = await metricsSnapshot(s.url);
      const served = r.ok + r.gqlErrors;
      const turn: Turn = {
        round,
        side,
        rps: r.rps,
        p50: r.p50,
        p99: r.p99,
        failed: r.gqlErrors + r.non2xx + r.errors,
        cpuUsPerReq: c0 && c1 && served ? ((c1.totalMs - c0.totalMs) * 1000) / served : NaN,
        meanBatch: meanBatch(before, after, 'TEXT'),
      };
      turns.push(turn);
      o.log?.(`round ${round + 1} ${side.padEnd(7)}: ${turn.rps.toFixed(0)} ok/s, p50 ${turn.p50.toFixed(1)} ms, p99 ${turn.p99.toFixed(1)} ms, CPU/req ${turn.cpuUsPerReq.toFixed(0)} us, batch ${turn.meanBatch.toFixed(1)}${turn.failed ? `, FAILED ${turn.failed}` : ''}`);
    }
    return turns;
  } finally {
    await Promise.all(Object.values(servers).map((s) => s!.stop()));
  }
}

export const V1_CACHE_ROOT = path.join(__dirname, '.cache', 'bundles');
