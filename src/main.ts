/**
 * The one place that wires the layers together: config -> policy file -> bundle -> runtime -> safety ->
 * plugins (prompt screen, image post-check, audit, metrics) + diffusion backend -> HTTP server.
 * Nothing happens at import time; `startGateway` does the work.
 */
import { buildASTSchema, parse } from 'graphql';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Config } from './config';
import { createLoaders } from './loaders';
import { distanceFromOrigin } from './geometry';
import { loadBundle } from './runtime/bundle';
import { ModelRuntime } from './runtime/model-runtime';
import { AnchorIndex } from './safety/anchors';
import { safeWordCandidates, type SafeWords } from './safety/edit';
import { embedWithCache } from './safety/embedded-texts';
import { PointSet } from './safety/index-matrix';
import { loadSafePool } from './safety/pool';
import { safeBound } from './safety/redirect';
import { SafetyService } from './safety/service';
import { createApollo } from './server/apollo';
import { createDrainer } from './server/drain';
import { createRequestHandler } from './server/http';
import { BodyBudget } from './server/body';
import { createHttpServer } from './server/http-server';
import { RateLimiter, rateLimitFor } from './server/rate-limit';
import { RequestUsage } from './server/usage';
import { INTERNAL_CLIENT } from './runtime/batcher';
import { createAuthenticator } from './server/auth';
import type { GatewayContext } from './server/context';
import { readTypeDefs } from './server/schema';
import { createDropInRoutes } from './server/proxy';
import { resolvers as gatewayResolvers } from './resolvers';
import { createBackend, reportingBackend, type BackendFailureEvent } from './diffusion';
import { loadPipelineSettings, type PipelineSettings, type Tenant } from './safety/policy-file';
import type { SafetyDecisionEvent } from './safety/decisions';
import { audit } from '../plugins/audit';
import { imagePostcheck } from '../plugins/image-postcheck';
import { safetyMetrics } from '../plugins/metrics';
import { promptScreen } from '../plugins/prompt-screen';
import type { GatewayPlugin, ResolverMap } from '../plugins/types';
import { createMetrics, type Metrics } from './server/metrics';
import type { Services } from './services';

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'hysac-gateway' } }, pino.destination(2));
}

/** Loads the bundle, starts the model workers, embeds anchors and the safe-prompt pool. */
export async function openServices(config: Readonly<Config>, opts: { metrics?: Metrics; log?: Logger } = {}): Promise<Services> {
  const t0 = performance.now();
  const bundle = await loadBundle(config.modelDir);
  const m = bundle.manifest;
  if (m.fixture) opts.log?.warn({ bundle: m.name }, `serving ${m.name}, a TEST FIXTURE with hand-set weights: it is not a safety model`);
  const runtime = await ModelRuntime.start(bundle, {
    workers: config.workers,
    intraOpThreads: config.intraOpThreads,
    executionProviders: config.executionProviders,
    batchMaxSize: config.batchMaxSize,
    imageBatchMaxSize: config.imageBatchMaxSize ?? undefined,
    batchMaxWaitMs: config.batchMaxWaitMs,
    batchMaxTextChars: config.batchMaxTextChars,
    inferenceTimeoutMs: config.inferenceTimeoutMs,
    onBatch: (tower, items, ms) => {
      const modality = tower === 'text' ? 'TEXT' : 'IMAGE';
      opts.metrics?.modelBatches.inc({ modality });
      opts.metrics?.modelItems.inc({ modality }, items);
      opts.metrics?.modelSeconds.observe({ modality }, ms / 1000);
    },
  });
  runtime.pool.on('worker-replaced', (reason: string) => {
    opts.metrics?.workerReplacements.inc();
    opts.log?.error({ reason }, 'model worker replaced');
  });
  try {
    const embed = (texts: string[]) => runtime.embedTexts(texts);
    const anchors = await AnchorIndex.build(bundle.anchors, embed, m.embeddingDim, m.curvature);
    const poolFile = config.poolFile ?? bundle.poolFile;
    const pool = poolFile
      ? await loadSafePool({
          file: poolFile,
          bundleFingerprint: bundle.fingerprint,
          dim: m.embeddingDim,
          curvature: m.curvature,
          textThreshold: m.threshold.text,
          cacheDir: config.cacheDir,
          embed,
          distanceFromOrigin: (v) => distanceFromOrigin(v, m.curvature),
        })
      : null;
    const words = pool ? await loadSafeWords(pool.texts, bundle.fingerprint, config.cacheDir, embed, m.embeddingDim, m.curvature, safeBound(m, 'TEXT')) : null;
    opts.log?.info(
      { bundle: m.name, dir: bundle.dir, workers: config.workers, anchors: bundle.anchors.length, pool: pool ? { file: pool.file, entries: pool.texts.length, usable: pool.usableCount, from: pool.source } : null, safeWords: words?.words.length ?? 0, ms: Math.round(performance.now() - t0) },
      'model ready',
    );
    // Text verdicts read each row's coverage, measured in the model worker (0 cost here).
    const safety = new SafetyService({ manifest: m, anchors, pool, words, substitutions: bundle.substitutions, embed, coverage: (v) => runtime.textCoverage(v) });
    return { config, runtime, safety, imageLimits: { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels } };
  } catch (e) {
    await runtime.close(0);
    throw e;
  }
}

/** The EDIT strategy's replacement vocabulary: content words of the pool that are safe on their own. */
async function loadSafeWords(poolTexts: string[], fingerprint: string, cacheDir: string, embed: (t: string[]) => Promise<Float32Array[]>, dim: number, curvature: number, target: number): Promise<SafeWords> {
  const candidates = safeWordCandidates(poolTexts);
  const { matrix } = await embedWithCache(candidates, { kind: 'words', bundleFingerprint: fingerprint, dim, cacheDir, embed });
  const keep: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    if (distanceFromOrigin(matrix.data.subarray(i * dim, (i + 1) * dim), curvature) < target) keep.push(i);
  }
  const data = new Float32Array(keep.length * dim);
  keep.forEach((i, j) => data.set(matrix.data.subarray(i * dim, (i + 1) * dim), j * dim));
  return { words: keep.map((i) => candidates[i]), points: new PointSet({ data, rows: keep.length, dim }, curvature) };
}

/** The policy file and backend settings, resolved from the config (POLICY_FILE + overriding env). */
export function pipelineSettings(config: Readonly<Config>): PipelineSettings {
  return loadPipelineSettings({
    policyFile: config.policyFile,
    promptAction: config.promptAction,
    imageAction: config.imageAction,
    redirectStrategy: config.redirectStrategy,
    diffusion: { backend: config.diffusionBackend, url: config.diffusionUrl, timeoutMs: config.diffusionTimeoutMs, apiKey: config.diffusionApiKey },
  });
}

/** More schema for the gateway to serve (an embedder's own fields; tests): SDL plus resolvers, merged per type. */
export interface ExtraSchema {
  typeDefs: string;
  resolvers: ResolverMap;
}

/**
 * The generation pipeline: plugins (prompt-screen, image-postcheck, audit, metrics), the backend, the
 * schema after the plugins' transforms, the per-request context and the drop-in endpoints.
 */
function assemblePipeline(config: Readonly<Config>, settings: PipelineSettings, services: Services, metrics: Metrics, log: Logger, bodyBudget: BodyBudget, extra?: ExtraSchema) {
  const plugins: GatewayPlugin[] = [];
  // Hands an event to every plugin's hook; a plugin that throws is logged and does not stop the others.
  const notify = <E>(hook: 'onDecision' | 'onBackendFailure', event: E, what: string): void => {
    for (const p of plugins) {
      try {
        (p[hook] as ((e: E) => void) | undefined)?.call(p, event);
      } catch (err) {
        log.error({ err, plugin: p.name }, `a plugin failed to record ${what}`);
      }
    }
  };
  const emit = (e: SafetyDecisionEvent) => notify('onDecision', e, 'a safety decision');
  const screen = promptScreen({ safety: services.safety, emit }, { maxLength: config.maxTextLength, maxRequestItems: config.maxRequestItems });
  const postcheck = imagePostcheck({ safety: services.safety, imageLimits: services.imageLimits, emit });
  plugins.push(screen, postcheck, audit(log, { prompts: config.auditPrompts }), safetyMetrics(metrics.registry));

  const typeDefs = extra ? `${readTypeDefs()}\n${extra.typeDefs}` : readTypeDefs();
  let resolvers: ResolverMap = { ...(gatewayResolvers as ResolverMap) };
  const plain = (v: unknown): v is object => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
  for (const [type, fields] of Object.entries(extra?.resolvers ?? {})) {
    const current = resolvers[type];
    resolvers[type] = plain(current) && plain(fields) ? { ...current, ...fields } : fields;
  }
  const schema = buildASTSchema(parse(typeDefs));
  for (const p of plugins) if (p.transformResolvers) resolvers = p.transformResolvers(schema, resolvers);

  const backend = settings.diffusion ? createBackend(settings.diffusion) : null;
  // A backend failure goes to the plugins (audit logs what the backend said); the client gets its kind,
  // status and request id only (diffusion/report.ts).
  const reportBackendFailure = (e: BackendFailureEvent) => notify('onBackendFailure', e, 'a backend failure');
  // `client`: whose turn the request's model work takes in the batcher (server/usage.ts clientKey).
  const context = (requestId: string, tenant: Tenant, client: string = INTERNAL_CLIENT): GatewayContext => {
    const usage = new RequestUsage(config);
    const loaders = createLoaders(services, { client, usage });
    const scope = { requestId, tenant, loaders };
    return { services, loaders, requestId, usage, client, tenant, prompts: screen.forRequest(scope, usage), images: postcheck.forRequest(scope), diffusion: backend && reportingBackend(backend, { requestId, tenant: tenant.name, policy: tenant.policy.name }, reportBackendFailure) };
  };
  const authenticate = createAuthenticator(settings.policies);
  return {
    apolloPlugins: plugins.flatMap((p) => (p.apollo ? [p.apollo] : [])),
    schema: { typeDefs, resolvers },
    context,
    authenticate,
    dropIn: createDropInRoutes({ authenticate, context, maxBodyBytes: Math.min(config.maxDropInBodyBytes, config.maxBodyBytes), bodyBudget }),
  };
}

export interface Gateway {
  url: string;
  port: number;
  services: Services;
  metrics: Metrics;
  /** The policy file and backend settings in force. */
  settings: PipelineSettings;
  /** Stops accepting, finishes in-flight requests, closes model sessions. */
  close(): Promise<void>;
}

export async function startGateway(config: Readonly<Config>, opts: { log?: Logger; extraSchema?: ExtraSchema } = {}): Promise<Gateway> {
  const settings = pipelineSettings(config); // a bad policy file stops start-up before any model loads
  const metrics = createMetrics();
  const services = await openServices(config, { metrics, log: opts.log });
  // One budget for every request body in flight, /graphql and drop-in routes alike (server/body.ts).
  const bodyBudget = new BodyBudget(config.maxBufferedBytes);
  bodyBudget.register(metrics.registry);
  const pipeline = assemblePipeline(config, settings, services, metrics, opts.log ?? pino({ enabled: false }), bodyBudget, opts.extraSchema);
  opts.log?.info(
    { policyFile: settings.file, policies: [...settings.policies.byName.keys()], apiKeys: settings.policies.keys.size, backend: settings.diffusion ? { kind: settings.diffusion.backend, url: settings.diffusion.url } : null },
    'generation pipeline ready',
  );
  const httpServer = createHttpServer();
  const apollo = createApollo({
    production: config.production,
    introspection: config.introspection,
    limits: { maxDepth: config.maxQueryDepth, maxAliases: config.maxAliases, maxTokens: config.maxTokens, maxDirectives: 50, blockSuggestions: config.production },
    plugins: pipeline.apolloPlugins,
    schema: pipeline.schema,
  });
  await apollo.start();
  const m = services.runtime.bundle.manifest;
  const drainer = createDrainer(httpServer);
  httpServer.on(
    'request',
    createRequestHandler({
      apollo,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      bodyBudget,
      // Not ready while draining: a load balancer polling /readyz stops sending new requests to a replica that is
      // shutting down, while the requests already sent are still answered.
      ready: () => !drainer.draining && services.runtime.ready(),
      context: pipeline.context,
      authenticate: pipeline.authenticate,
      rateLimiter: new RateLimiter(rateLimitFor(config.rateLimitPerSecond, config.rateLimitBurst, settings.policies.keys.size)),
      dropIn: pipeline.dropIn,
      logError: (err, message) => opts.log?.error({ err }, message),
      modelName: m.name,
      fixture: m.fixture,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    services,
    metrics,
    settings,
    close: () =>
      (closing ??= (async () => {
        // Drain (server/drain.ts): stop accepting, finish every request in flight, then stop Apollo and
        // close the model sessions.
        await drainer.drain();
        await apollo.stop();
        await services.runtime.close();
      })()),
  };
}
