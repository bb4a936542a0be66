// Nuvemshop's rate limit: a leaky bucket per store and app. Every request adds one drop; the bucket
// drains at `leakPerSecond`; a request that would overflow it gets HTTP 429.
// https://tiendanube.github.io/api-documentation/intro#rate-limiting

export interface BucketConfig {
  size: number;
  leakPerSecond: number;
}

export interface BucketHeaders {
  "x-rate-limit-limit": string;
  "x-rate-limit-remaining": string;
  "x-rate-limit-reset": string;
}

export class LeakyBucket {
  /** Drops currently in the bucket (fractional while draining). */
  private level = 0;
  private last: number;

  constructor(
    public config: BucketConfig,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.last = clock();
  }

  private drain(): void {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.level = Math.max(0, this.level - elapsed * this.config.leakPerSecond);
  }

  /** Adds one request; false (nothing added) when the bucket is full. */
  tryAdd(): boolean {
    this.drain();
    if (this.level + 1 > this.config.size + 1e-9) return false;
    this.level += 1;
    return true;
  }

  setLevel(level: number): void {
    this.drain();
    this.level = Math.max(0, Math.min(this.config.size, level));
  }

  status(): { size: number; leakPerSecond: number; level: number; remaining: number; resetMs: number } {
    this.drain();
    const remaining = Math.max(0, Math.floor(this.config.size - this.level));
    const resetMs = this.config.leakPerSecond > 0 ? Math.ceil((this.level / this.config.leakPerSecond) * 1000) : 0;
    return { size: this.config.size, leakPerSecond: this.config.leakPerSecond, level: this.level, remaining, resetMs };
  }

  headers(): BucketHeaders {
    const s = this.status();
    return {
      "x-rate-limit-limit": String(s.size),
      "x-rate-limit-remaining": String(s.remaining),
      "x-rate-limit-reset": String(s.resetMs),
    };
  }
}
