/**
 * A token bucket per key (the visitor's IP), in this process's memory. Enough for one app instance:
 * with several instances each keeps its own buckets, so a visitor spread over N instances gets up to
 * N times the rate; a shared limit would need the buckets in Redis or PostgreSQL (decision 0014).
 * The map is bounded: past `maxKeys` the least recently seen key is dropped (a dropped key starts
 * again with a full bucket, which only ever errs on the side of answering).
 */
export interface TokenBucketOptions {
  /** Requests a key may make at once. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
  maxKeys?: number;
  now?: () => number;
}

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.maxKeys = options.maxKeys ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const { capacity, refillPerSecond } = this.options;
    const seen = this.buckets.get(key);
    let tokens = capacity;
    if (seen) {
      tokens = Math.min(capacity, seen.tokens + ((now - seen.at) / 1000) * refillPerSecond);
      this.buckets.delete(key); // re-inserted below: the map stays in least-recently-seen order
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return allowed
      ? { allowed: true, remaining: Math.floor(tokens) }
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerSecond)) };
  }
}

/** The storefront proxy's limit per visitor IP: a burst of 60, then one request a second. */
export const STOREFRONT_RATE = { capacity: 60, refillPerSecond: 1 } as const;
export const storefrontLimiter = new TokenBucketLimiter(STOREFRONT_RATE);

/**
 * The visitor's IP. Shopify's proxy forwards the shopper's address in X-Forwarded-For (first entry);
 * the connection itself comes from Shopify. The header is not covered by the signature, so the
 * limit is load protection, not an identity: no answer depends on it.
 */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for");
  const first = forwarded?.split(",")[0]?.trim();
  return first || request.headers.get("x-real-ip")?.trim() || "unknown";
}
