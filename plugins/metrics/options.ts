/** metrics options, with their defaults. Resolved once by the factory; see index.ts. */
export interface SafetyMetricsOptions {
  /** Metric name prefix. Default "gateway_safety_". */
  prefix: string;
  /** Histogram buckets for check latency, seconds. Default 1 ms to 10 s. */
  buckets: number[];
}

export const SAFETY_METRICS_DEFAULTS: Readonly<SafetyMetricsOptions> = Object.freeze({
  prefix: 'gateway_safety_',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export function resolveSafetyMetricsOptions(o: Partial<SafetyMetricsOptions> = {}): Readonly<SafetyMetricsOptions> {
  const r = { prefix: o.prefix ?? SAFETY_METRICS_DEFAULTS.prefix, buckets: [...(o.buckets ?? SAFETY_METRICS_DEFAULTS.buckets)] };
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(r.prefix)) throw new TypeError(`metrics: prefix is ${JSON.stringify(r.prefix)}; allowed: a Prometheus metric name prefix`);
  if (r.buckets.length === 0 || r.buckets.some((b, i) => !(b > 0) || (i > 0 && b <= r.buckets[i - 1]))) throw new TypeError('metrics: buckets must be positive and increasing');
  return Object.freeze(r);
}
