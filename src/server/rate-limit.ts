/**
 * Per-client rate limiting: a token bucket per API key (or per client address for a request without a valid
 * key). Each request takes one token; tokens refill at `perSecond` up to `burst`. A request that finds the
 * bucket empty is refused with HTTP 429 and `Retry-After` (whole seconds until a token is back).
 *
 * On by default only where it cannot throttle a legitimate backend (rateLimitFor): the usual caller of the
 * gateway is one web backend, which is one client address however many users it serves, so a per-address
 * limit would refuse its traffic past 100 requests a second. With API keys each backend has its own key and
 * bucket, and a request without a valid key is refused (401) anyway.
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

/** The sustained rate when RATE_LIMIT_PER_SECOND is unset and the policy file lists API keys. */
export const DEFAULT_RATE_PER_KEY = 100;

/**
 * The limiter's rate, resolved once at start-up: RATE_LIMIT_PER_SECOND when it is set (0 = off), otherwise
 * DEFAULT_RATE_PER_KEY when API keys are configured and 0 (off) when they are not.
 */
export function rateLimitFor(configured: number | null, burst: number, apiKeys: number): RateLimitOptions {
  return { perSecond: configured ?? (apiKeys > 0 ? DEFAULT_RATE_PER_KEY : 0), burst };
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
