import { PlatformError } from "../platform-client";

/**
 * Nuvemshop / Tiendanube REST transport: `{origin}/{apiVersion}/{store_id}{path}` with
 * `Authentication: bearer TOKEN` (Nuvemshop's header; not `Authorization`) and a `User-Agent` naming the
 * app and a contact (requests without one get 400).
 *
 * Rate limit: a leaky bucket per store and app (40 requests draining 2/s; ten times that on the larger
 * plans). Every answer says `x-rate-limit-limit`, `x-rate-limit-remaining` and `x-rate-limit-reset` (ms until
 * the bucket is empty); the client paces itself from those headers — never from hard-coded numbers — and
 * leaves a few requests of room for the app's other callers of the same store (webhook handlers), so the
 * steady state never meets a 429. A 429 is still waited out and retried (from the same headers), and so are
 * 5xx answers and network errors (exponential backoff with jitter). One request at a time per transport.
 */
export interface NuvemshopRestOptions {
  /** `https://api.tiendanube.com` (default; `https://api.nuvemshop.com.br` is the same API); the emulator's URL in tests. */
  origin?: string;
  /** Path version: `2025-03` (default, the documented current one) or the legacy `v1`. */
  apiVersion?: string;
  storeId: string | number;
  accessToken: string;
  /**
   * Reads the store's token again (from storage). Nuvemshop's tokens never expire, but each new
   * authorization (a re-install, an admin sign-in: decision 0015) replaces the token
   * and the old one stops working; on a 401/403 the transport reloads it and, if it changed, retries with
   * the new one, so work in flight survives a merchant signing in.
   */
  reloadToken?: () => Promise<string | null>;
  /** The app's name and a contact, e.g. `Carryover (support@carryover.app)`. */
  userAgent: string;
  /** Tries per request, the first included (default 6). */
  maxAttempts?: number;
  /** First retry delay after a 5xx / network error / 429, doubled each time, jittered to 50–100 % (default 500 ms). */
  baseDelayMs?: number;
  /** Longest single backoff (default 30 s). */
  maxDelayMs?: number;
  /** Requests kept free in the bucket for the app's other callers (default 4, at most a tenth of the bucket). */
  reserve?: number;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock for pacing (default Date.now); tests pass a fake one together with `sleep`. */
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface RestResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RestRequest {
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  /** Statuses handed back to the caller instead of thrown (e.g. 404 for "no such customer", 422 for validation). */
  accept?: number[];
}

export const DEFAULT_ORIGIN = "https://api.tiendanube.com";
export const DEFAULT_API_VERSION = "2025-03";

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follows the bucket from the rate-limit headers of the last answer: the room left then, plus what has
 * leaked since at the rate the headers imply (`level / reset`).
 */
export class RateLimitPacer {
  private limit = 0;
  private remaining = 0;
  private leakPerMs: number | null = null;
  private seenAt = 0;
  private known = false;

  constructor(private readonly reserve = 4) {}

  /** Reads `x-rate-limit-*`; answers without them (a gateway's 5xx) leave the estimate as it was. */
  observe(headers: Headers, now: number): void {
    const limit = Number(headers.get("x-rate-limit-limit"));
    const remaining = Number(headers.get("x-rate-limit-remaining"));
    const reset = Number(headers.get("x-rate-limit-reset"));
    if (!headers.has("x-rate-limit-limit") || !headers.has("x-rate-limit-remaining") || !Number.isFinite(limit) || !Number.isFinite(remaining) || limit <= 0) return;
    this.limit = limit;
    this.remaining = Math.max(0, Math.min(limit, remaining));
    const level = limit - this.remaining;
    if (level > 0 && Number.isFinite(reset) && reset > 0) this.leakPerMs = level / reset;
    this.seenAt = now;
    this.known = true;
  }

  /** Requests the bucket is estimated to have room for now; null before any answer. */
  estimatedRemaining(now: number): number | null {
    if (!this.known) return null;
    const leaked = this.leakPerMs ? Math.max(0, now - this.seenAt) * this.leakPerMs : 0;
    return Math.min(this.limit, this.remaining + leaked);
  }

  /** How long to wait before the next request so that it leaves the reserve untouched (0: go). */
  delayMs(now: number): number {
    const estimate = this.estimatedRemaining(now);
    if (estimate === null) return 0;
    const need = Math.max(0, Math.min(this.reserve, Math.floor(this.limit / 10))) + 1;
    if (estimate >= need) return 0;
    // No leak rate known yet (the bucket was never seen filling): wait a typical drop and look again.
    if (!this.leakPerMs) return 1000;
    return Math.ceil((need - estimate) / this.leakPerMs);
  }
}

export class NuvemshopRest {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetch: typeof fetch;
  readonly pacer: RateLimitPacer;
  private queue: Promise<unknown> = Promise.resolve();
  private accessToken: string;
  private readonly reloadToken: (() => Promise<string | null>) | undefined;

  constructor(options: NuvemshopRestOptions) {
    if (!options.userAgent?.trim()) throw new Error("Nuvemshop needs a User-Agent naming the app and a contact");
    const origin = (options.origin ?? DEFAULT_ORIGIN).replace(/\/+$/, "");
    this.baseUrl = `${origin}/${options.apiVersion ?? DEFAULT_API_VERSION}/${encodeURIComponent(String(options.storeId))}`;
    this.accessToken = options.accessToken;
    this.reloadToken = options.reloadToken;
    this.headers = {
      "User-Agent": options.userAgent,
      Accept: "application/json",
    };
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.fetch = options.fetch ?? fetch;
    this.pacer = new RateLimitPacer(options.reserve ?? 4);
  }

  get<T>(path: string, request: Omit<RestRequest, "body"> = {}): Promise<RestResponse<T>> {
    return this.request<T>("GET", path, request);
  }

  /** One API call, paced, retried and classified; requests through one transport run one at a time. */
  request<T>(method: string, path: string, request: RestRequest = {}): Promise<RestResponse<T>> {
    const run = this.queue.then(() => this.attempt<T>(method, path, request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private url(path: string, query: RestRequest["query"]): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  private async attempt<T>(method: string, path: string, request: RestRequest): Promise<RestResponse<T>> {
    const url = this.url(path, request.query);
    const headers: Record<string, string> = { ...this.headers };
    if (request.body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
    for (let attempt = 1; ; attempt++) {
      headers.Authentication = `bearer ${this.accessToken}`;
      const wait = this.pacer.delayMs(this.now());
      if (wait > 0) await this.sleep(wait);
      let failure: PlatformError;
      let status = 0;
      try {
        const res = await this.fetch(url, {
          method,
          headers,
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        this.pacer.observe(res.headers, this.now());
        status = res.status;
        const text = await res.text();
        if ((res.status >= 200 && res.status < 300) || request.accept?.includes(res.status)) {
          return { status: res.status, body: parseBody<T>(text, res.status, method, path), headers: res.headers };
        }
        failure = classify(res.status, text, method, path);
      } catch (error) {
        if (error instanceof PlatformError && !error.retryable) throw error;
        if (error instanceof PlatformError) failure = error;
        else {
          const message = error instanceof Error ? `${error.name === "TimeoutError" ? "timed out: " : ""}${error.message}` : String(error);
          failure = new PlatformError(`Nuvemshop could not be reached (${method} ${path}): ${message}`, "UNAVAILABLE", true);
        }
      }
      // A refused token may have been replaced by a newer one (a new authorization): once per new token.
      if ((status === 401 || status === 403) && (await this.tokenReplaced())) continue;
      // 402 (store suspended) may pass later, but not within this call's retries.
      if (!failure.retryable || status === 402 || attempt >= this.maxAttempts) throw failure;
      // A 429's own headers tell the pacer how long the bucket needs; the backoff is on top of that.
      await this.sleep(this.backoffMs(attempt));
    }
  }

  /** True when storage holds a token other than the one just refused (now in use). */
  private async tokenReplaced(): Promise<boolean> {
    if (!this.reloadToken) return false;
    const fresh = await this.reloadToken().catch(() => null);
    if (!fresh || fresh === this.accessToken) return false;
    this.accessToken = fresh;
    return true;
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }
}

function parseBody<T>(text: string, status: number, method: string, path: string): T {
  if (!text.trim()) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A success whose body breaks off (a proxy, a cut transfer) says nothing about the request: tried again.
    throw new PlatformError(`Nuvemshop answered ${method} ${path} (HTTP ${status}) with a body that is not JSON`, "BAD_RESPONSE", true);
  }
}

/** A short, log-safe description of an error body (`{code,message,description}` or `{field:[messages]}`). */
export function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.description === "string") return body.description;
    if (typeof body.message === "string") return body.message;
    return Object.entries(body)
      .map(([field, messages]) => `${field} ${Array.isArray(messages) ? messages.join(", ") : JSON.stringify(messages)}`)
      .join("; ")
      .slice(0, 500);
  } catch {
    return text.slice(0, 200);
  }
}

function classify(status: number, text: string, method: string, path: string): PlatformError {
  const what = `Nuvemshop answered ${method} ${path} with HTTP ${status}`;
  const detail = describeErrorBody(text);
  const message = detail ? `${what}: ${detail}` : what;
  if (status === 401 || status === 403) return new PlatformError(`${message} (the access token was refused: reinstall the app)`, "UNAUTHORIZED", false);
  // 402: the store is suspended for payment; a later try may work, an immediate one will not.
  if (status === 402) return new PlatformError(message, "UNAVAILABLE", true);
  if (status === 404) return new PlatformError(message, "NOT_FOUND", false);
  if (status === 429) return new PlatformError(message, "THROTTLED", true);
  if (status >= 500) return new PlatformError(message, "UNAVAILABLE", true);
  return new PlatformError(message, "BAD_RESPONSE", false);
}
