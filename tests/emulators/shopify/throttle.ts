// Leaky bucket of query cost points (one per access token, i.e. per app and shop).
// https://shopify.dev/docs/api/usage/limits#the-leaky-bucket-algorithm

export interface ThrottleConfig {
  maximumAvailable: number;
  restoreRate: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private last: number;

  constructor(
    public config: ThrottleConfig,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.available = config.maximumAvailable;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.available = Math.min(this.config.maximumAvailable, this.available + elapsed * this.config.restoreRate);
  }

  /** Takes `cost` points when available; returns false (taking nothing) otherwise. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.config.maximumAvailable, this.available + Math.max(0, points));
  }

  set(points: number): void {
    this.refill();
    this.available = Math.max(0, Math.min(this.config.maximumAvailable, points));
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.config.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.config.restoreRate,
    };
  }
}
