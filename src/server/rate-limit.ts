/**
 * Per-client rate limiting: a token bucket per API key (or per client address when no keys are
 * configured). Each request takes one token; tokens refill at `perSecond` up to `burst`. A request that
 * finds the bucket empty is refused with HTTP 429 and `Retry-After` (whole seconds until a token is back).
 *
 * Memory is bounded: at most `maxClients` buckets are kept; the least recently used is evicted (a full
 * bucket carries no information, so eviction can only make a client's limit more generous, never stricter).
 */
export interface RateLimitOptions {
  /** Sustained requests per second per client; 0 disables limiting. */
  perSecond: number;
  /** Largest burst per client. */
  burst: number;
  maxClients?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the next token, when refused. */
  retryAfterS: number;
  remaining: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxClients: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.perSecond >= 0)) throw new RangeError(`perSecond must be >= 0, got ${options.perSecond}`);
    if (options.perSecond > 0 && !(options.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${options.burst}`);
    this.maxClients = options.maxClients ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.perSecond > 0;
  }

  take(client: string, now = performance.now()): RateDecision {
    const { perSecond, burst } = this.options;
    if (perSecond <= 0) return { allowed: true, retryAfterS: 0, remaining: Infinity };
    let b = this.buckets.get(client);
    if (b) {
      this.buckets.delete(client); // re-insert below: Map order is our LRU order
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
    } else {
      b = { tokens: burst, at: now };
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterS: 0, remaining: Math.floor(b.tokens) };
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)), remaining: 0 };
  }
}
