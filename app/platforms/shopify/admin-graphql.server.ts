import { ClientError, GraphQLClient } from "graphql-request";
import { PlatformError } from "../platform-client";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface CostExtension {
  cost?: { requestedQueryCost?: number; actualQueryCost?: number; throttleStatus?: ThrottleStatus };
}

export interface AdminGraphqlOptions {
  /** https://{shop} in production; the emulator's origin in tests and the demo. */
  origin: string;
  apiVersion: string;
  accessToken: string;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Shopify Admin GraphQL transport: cost-aware (reads extensions.cost.throttleStatus and waits
 * for the bucket to refill before a query that would not fit), retries THROTTLED, 5xx and
 * network errors with backoff, and turns everything else into a PlatformError.
 */
export class AdminGraphql {
  private readonly client: GraphQLClient;
  private throttle: ThrottleStatus | null = null;
  private throttleSeenAt = 0;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: AdminGraphqlOptions) {
    this.client = new GraphQLClient(`${options.origin}/admin/api/${options.apiVersion}/graphql.json`, {
      headers: { "X-Shopify-Access-Token": options.accessToken },
    });
    this.maxAttempts = options.maxAttempts ?? 6;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Points the bucket is estimated to hold now, from the last status Shopify reported. */
  estimatedAvailable(now = Date.now()): number | null {
    if (!this.throttle) return null;
    const restored = ((now - this.throttleSeenAt) / 1000) * this.throttle.restoreRate;
    return Math.min(this.throttle.maximumAvailable, this.throttle.currentlyAvailable + restored);
  }

  async request<T>(query: string, variables?: Record<string, unknown>, expectedCost = 10): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.waitForBudget(expectedCost);
      try {
        const response = await this.client.rawRequest<T>(query, variables);
        this.observe(response.extensions as CostExtension | undefined);
        if (response.data == null) throw new PlatformError("Shopify returned no data", "BAD_RESPONSE", false);
        return response.data;
      } catch (error) {
        const failure = this.classify(error);
        if (!failure.retryable || attempt >= this.maxAttempts) throw failure;
        await this.sleep(this.backoffMs(attempt, failure.code, expectedCost));
      }
    }
  }

  private observe(extensions: CostExtension | undefined) {
    const status = extensions?.cost?.throttleStatus;
    if (status) {
      this.throttle = status;
      this.throttleSeenAt = Date.now();
    }
  }

  private async waitForBudget(cost: number) {
    const available = this.estimatedAvailable();
    if (available === null || !this.throttle || available >= cost) return;
    await this.sleep(Math.ceil(((cost - available) / this.throttle.restoreRate) * 1000));
  }

  private backoffMs(attempt: number, code: PlatformError["code"], cost: number): number {
    if (code === "THROTTLED" && this.throttle) {
      const deficit = Math.max(0, cost - this.throttle.currentlyAvailable);
      return Math.ceil((deficit / this.throttle.restoreRate) * 1000) + 50;
    }
    return Math.min(30_000, 250 * 2 ** (attempt - 1));
  }

  private classify(error: unknown): PlatformError {
    if (error instanceof PlatformError) return error;
    if (error instanceof ClientError) {
      const { status, errors, extensions } = error.response;
      this.observe(extensions as CostExtension | undefined);
      const codes = (errors ?? []).map((e) => (e.extensions as { code?: string } | undefined)?.code);
      if (codes.includes("THROTTLED")) return new PlatformError("Shopify throttled the request", "THROTTLED", true);
      if (status === 401 || status === 403) {
        return new PlatformError(`Shopify refused the access token (HTTP ${status})`, "UNAUTHORIZED", false);
      }
      if (status === 429 || status >= 500) return new PlatformError(`Shopify answered HTTP ${status}`, "UNAVAILABLE", true);
      const message = (errors ?? []).map((e) => e.message).join("; ") || `HTTP ${status}`;
      return new PlatformError(`Shopify rejected the query: ${message}`, "BAD_RESPONSE", false);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new PlatformError(`Shopify could not be reached: ${message}`, "UNAVAILABLE", true);
  }
}
