/**
 * Prometheus metrics (prom-client), served at GET /metrics. The model counters make batching visible from
 * outside: items_total / batches_total is the mean batch size.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  modelBatches: Counter<'modality'>;
  modelItems: Counter<'modality'>;
  modelSeconds: Histogram<'modality'>;
  httpRequests: Counter<'route' | 'status'>;
  workerReplacements: Counter<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_process_' });
  return {
    registry,
    modelBatches: new Counter({ name: 'gateway_model_batches_total', help: 'Model runs (batches), by modality', labelNames: ['modality'], registers: [registry] }),
    modelItems: new Counter({ name: 'gateway_model_items_total', help: 'Items embedded by model runs, by modality', labelNames: ['modality'], registers: [registry] }),
    modelSeconds: new Histogram({
      name: 'gateway_model_batch_seconds',
      help: 'Wall time of one model run including worker messaging, by modality',
      labelNames: ['modality'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    httpRequests: new Counter({ name: 'gateway_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    workerReplacements: new Counter({ name: 'gateway_model_worker_replacements_total', help: 'Model workers replaced after a crash, hang or failed start', registers: [registry] }),
  };
}
