/**
 * The one door to the new store's platform. Two implementations (Shopify GraphQL Admin API,
 * Nuvemshop REST); services and jobs never know which one they hold.
 */
export interface StoreCounts {
  customers: number;
  orders: number;
}

export interface PlatformClient {
  readonly platform: "shopify" | "nuvemshop";
  /** How many customers and orders the store holds right now. */
  storeCounts(): Promise<StoreCounts>;
}

/** A platform call that failed after the client's own retries; `retryable` says whether a later try may work. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly code: "UNAUTHORIZED" | "THROTTLED" | "UNAVAILABLE" | "BAD_RESPONSE" | "NOT_INSTALLED",
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "PlatformError";
  }
}
