/**
 * metrics: Prometheus counters and latency histograms per safety decision, on the gateway's registry
 * (served at GET /metrics):
 *
 *   gateway_safety_decisions_total{kind="prompt|image", verdict="safe|unsafe|unchecked", action, policy}
 *   gateway_safety_check_seconds{kind, action}     time from the start of a check to its decision
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { GatewayPlugin } from '../types';
import { resolveSafetyMetricsOptions, type SafetyMetricsOptions } from './options';

export function safetyMetrics(registry: Registry, options: Partial<SafetyMetricsOptions> = {}): GatewayPlugin {
  const o = resolveSafetyMetricsOptions(options);
  const decisions = new Counter({
    name: `${o.prefix}decisions_total`,
    help: 'Safety decisions by kind (prompt, image), verdict (safe, unsafe, unchecked), action and policy',
    labelNames: ['kind', 'verdict', 'action', 'policy'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: `${o.prefix}check_seconds`,
    help: 'Time from the start of a safety check to its decision, by kind and action',
    labelNames: ['kind', 'action'],
    buckets: o.buckets,
    registers: [registry],
  });
  return {
    name: 'metrics',
    onDecision: (e) => {
      decisions.inc({ kind: e.kind, verdict: e.verdict, action: e.action, policy: e.policy });
      seconds.observe({ kind: e.kind, action: e.action }, e.latencyMs / 1000);
    },
  };
}

export type { SafetyMetricsOptions } from './options';
