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
  /** Tries of one request that fails with 5xx, 429 or a network error (default 6). */
  maxAttempts?: number;
  /** Waits answered `THROTTLED` (cost bucket empty) before giving up; they are pacing, not failures (default 30). */
  maxThrottleWaits?: number;
  /** First backoff after a failure, doubled each time (default 250 ms). */
  backoffBaseMs?: number;
  /** Longest backoff (default 30 s). A 429's Retry-After is honoured as given. */
  maxBackoffMs?: number;
  /**
   * How long one GraphQL request may take before it is abandoned and retried like a network error
   * (default 30 s). Without it a request Shopify never answers holds the job until the socket's own
   * limits (minutes), with its heartbeat stopped. Bulk downloads are not bound by it (they stream).
   */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The fetch used for GraphQL requests and bulk result downloads (default: the global fetch). */
  fetch?: typeof fetch;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A classified failure and, when the platform said so, how long to wait before the next try. */
interface Failure {
  error: PlatformError;
  waitMs?: number;
  /** THROTTLED by the cost bucket (pacing, counted apart from failures). */
  bucket?: boolean;
}

/** Retry-After in seconds (Shopify sends "2.0"), or an HTTP date; milliseconds, or undefined. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Shopify Admin GraphQL transport: cost-aware (reads extensions.cost.throttleStatus and waits
 * for the bucket to refill before a query that would not fit), retries THROTTLED, 429 (after its
 * Retry-After), 5xx and network errors with backoff, and turns everything else into a PlatformError.
 * `download` fetches other Shopify URLs (bulk operation results) with the same retry rules.
 */
export class AdminGraphql {
  private readonly client: GraphQLClient;
  private throttle: ThrottleStatus | null = null;
  private throttleSeenAt = 0;
  private readonly maxAttempts: number;
  private readonly maxThrottleWaits: number;
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly fetchImpl: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;

  constructor(options: AdminGraphqlOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const fetchImpl = this.fetchImpl;
    this.client = new GraphQLClient(`${options.origin}/admin/api/${options.apiVersion}/graphql.json`, {
      headers: { "X-Shopify-Access-Token": options.accessToken },
      fetch: (input, init) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      },
    });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.maxThrottleWaits = options.maxThrottleWaits ?? 30;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Points the bucket is estimated to hold now, from the last status Shopify reported. */
  estimatedAvailable(now = Date.now()): number | null {
    if (!this.throttle) return null;
    const restored = ((now - this.throttleSeenAt) / 1000) * this.throttle.restoreRate;
    return Math.min(this.throttle.maximumAvailable, this.throttle.currentlyAvailable + restored);
  }

  /** One GraphQL request; `expectedCost` is its requested cost, used to wait for the bucket first. */
  async request<T>(query: string, variables?: Record<string, unknown>, expectedCost = 10): Promise<T> {
    return this.withRetries(async () => {
      await this.waitForBudget(expectedCost);
      try {
        const response = await this.client.rawRequest<T>(query, variables);
        this.observe(response.extensions as CostExtension | undefined);
        if (response.data == null) throw new PlatformError("Shopify returned no data", "BAD_RESPONSE", false);
        return response.data;
      } catch (error) {
        throw this.classify(error, expectedCost);
      }
    });
  }

  /**
   * GETs a URL Shopify handed out (a bulk operation's JSONL), retrying 5xx, 429 and network
   * errors. A 403/404/410 (the signed URL expired or never existed) is NOT_FOUND, not retried.
   * The caller owns the body stream.
   */
  async download(url: string, init: RequestInit = {}): Promise<Response> {
    return this.withRetries(async () => {
      let response: Response;
      try {
        response = await this.fetchImpl(url, init);
      } catch (error) {
        throw this.networkFailure(error);
      }
      if (response.ok && response.body) return response;
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if (response.ok) throw { error: new PlatformError("Shopify's file had no body", "BAD_RESPONSE", false) } satisfies Failure;
      if (status === 403 || status === 404 || status === 410) {
        throw { error: new PlatformError(`Shopify's file is gone (HTTP ${status}); its URL may have expired`, "NOT_FOUND", false) } satisfies Failure;
      }
      if (status === 429 || status >= 500) {
        const waitMs = retryAfterMs(response.headers.get("retry-after"));
        const code = status === 429 ? "THROTTLED" : "UNAVAILABLE";
        throw { error: new PlatformError(`Shopify answered HTTP ${status} for a file`, code, true), ...(waitMs !== undefined ? { waitMs } : {}) } satisfies Failure;
      }
      throw { error: new PlatformError(`Shopify refused the file download (HTTP ${status})`, "BAD_RESPONSE", false) } satisfies Failure;
    });
  }

  /** Backoff before try `attempt + 1` after a plain failure (5xx, network). */
  backoffMs(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** (attempt - 1));
  }

  /**
   * Runs `once` until it succeeds. It throws a Failure (or a PlatformError): THROTTLED from the cost
   * bucket waits and retries up to maxThrottleWaits times; other retryable failures (5xx, 429,
   * network) retry up to maxAttempts tries in all; the rest are thrown at once.
   */
  private async withRetries<T>(once: () => Promise<T>): Promise<T> {
    let failures = 0;
    let throttleWaits = 0;
    for (;;) {
      try {
        return await once();
      } catch (thrown) {
        const failure: Failure = thrown instanceof PlatformError ? { error: thrown } : isFailure(thrown) ? thrown : this.networkFailure(thrown);
        const { error } = failure;
        if (!error.retryable) throw error;
        if (failure.bucket) {
          if (++throttleWaits > this.maxThrottleWaits) throw error;
        } else if (++failures >= this.maxAttempts) {
          throw error;
        }
        await this.sleep(failure.waitMs ?? this.backoffMs(failures));
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
    if (available === null || !this.throttle) return;
    const needed = Math.min(cost, this.throttle.maximumAvailable);
    if (available >= needed) return;
    await this.sleep(Math.ceil(((needed - available) / Math.max(1, this.throttle.restoreRate)) * 1000));
  }

  /** How long the bucket needs to hold `cost` points again, from the status Shopify just reported. */
  private bucketWaitMs(cost: number): number {
    if (!this.throttle) return this.backoffBaseMs;
    const deficit = Math.max(0, Math.min(cost, this.throttle.maximumAvailable) - this.throttle.currentlyAvailable);
    return Math.ceil((deficit / Math.max(1, this.throttle.restoreRate)) * 1000) + 50;
  }

  private networkFailure(error: unknown): Failure {
    const message = error instanceof Error ? error.message : String(error);
    return { error: new PlatformError(`Shopify could not be reached: ${message}`, "UNAVAILABLE", true) };
  }

  private classify(error: unknown, cost: number): Failure {
    if (error instanceof PlatformError) return { error };
    if (error instanceof ClientError) {
      const { status, errors, extensions, headers } = error.response as ClientError["response"] & { headers?: Headers };
      this.observe(extensions as CostExtension | undefined);
      const list = Array.isArray(errors) ? errors : [];
      const codes = list.map((e) => (e.extensions as { code?: string } | undefined)?.code);
      if (codes.includes("THROTTLED")) {
        return { error: new PlatformError("Shopify throttled the request", "THROTTLED", true), waitMs: this.bucketWaitMs(cost), bucket: true };
      }
      if (status === 401 || status === 403) {
        return { error: new PlatformError(`Shopify refused the access token (HTTP ${status})`, "UNAUTHORIZED", false) };
      }
      if (status === 429) {
        const waitMs = retryAfterMs(headers?.get?.("retry-after"));
        return { error: new PlatformError("Shopify answered HTTP 429 (too many requests)", "THROTTLED", true), ...(waitMs !== undefined ? { waitMs } : {}) };
      }
      if (status >= 500) return { error: new PlatformError(`Shopify answered HTTP ${status}`, "UNAVAILABLE", true) };
      const message = list.map((e) => e.message).join("; ") || `HTTP ${status}`;
      return { error: new PlatformError(`Shopify rejected the query: ${message}`, "BAD_RESPONSE", false) };
    }
    return this.networkFailure(error);
  }
}

function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && (value as Failure).error instanceof PlatformError;
}
