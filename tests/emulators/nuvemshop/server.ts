// Local emulator of the Nuvemshop / Tiendanube REST API (`/v1/{store_id}/...`), plus a control API
// under `/_emulator/` for tests, benchmarks and the demo. See README.md for what is emulated.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LeakyBucket, type BucketConfig } from "./bucket.js";
import { metafieldJson, NuvemshopStore, type CustomerEdit, ORDER_STATUSES, PAYMENT_STATUSES, scriptJson, SHIPPING_STATUSES, webhookJson, DEFAULT_STORE_ID } from "./store.js";
import { parseDateParam, type DateOffset } from "./util.js";
import { WEBHOOK_EVENTS, WebhookDeliverer, type DeliveryRecord } from "./webhooks.js";
import { DEFAULT_CODE_TTL_MS, DEFAULT_SCOPE, OAuthState } from "./oauth.js";

export { NuvemshopStore, seedStore, DEFAULT_REFERENCE_DATE, DEFAULT_STORE_ID } from "./store.js";
export { signBody, WEBHOOK_EVENTS, type DeliveryRecord } from "./webhooks.js";
export { isValidCpf } from "./util.js";
export { DEFAULT_SCOPE, DEFAULT_CODE_TTL_MS } from "./oauth.js";

export const DEFAULT_ACCESS_TOKEN = "nuvemshop_emulator_token";
export const DEFAULT_APP_SECRET = "nuvemshop_emulator_secret";
export const DEFAULT_APP_ID = 4321;
export const MAX_PER_PAGE = 200;
export const DEFAULT_PER_PAGE = 30;

export interface NuvemshopEmulatorOptions {
  /** Store id in `/v1/{store_id}` and webhook payloads (default 1234567). */
  storeId?: number;
  /**
   * The token accepted in `Authentication: bearer TOKEN` until the app is authorized through OAuth (each
   * authorization mints a new token that replaces it) or uninstalled (default `nuvemshop_emulator_token`).
   */
  accessToken?: string;
  /** The app's redirect URL, where authorize sends the merchant (default `${appUrl}/nuvemshop/callback`). */
  redirectUrl?: string;
  /** The scopes a token is granted (default `read_customers,write_customers,read_orders,write_scripts`). */
  scope?: string;
  /** How long an authorization code can be exchanged (default 5 minutes). */
  codeTtlMs?: number;
  /** Reject requests without a User-Agent with 400, as Nuvemshop does (default true). */
  userAgentRequired?: boolean;
  seed?: number;
  customers?: number;
  orders?: number;
  /** Seeded dates lie in the two years before it (default 2026-11-01T00:00:00Z). */
  referenceDate?: string;
  /** How dates are written: `+0000` (UTC, default) or `-0300` (store time, like some documented examples). */
  dateOffset?: DateOffset;
  /** Base URL of the app: webhooks without a registered subscription go to `appUrl + webhookPaths[event]`. */
  appUrl?: string;
  /** Path per event (`"*"` for all others); default `/webhooks/nuvemshop` for every event. */
  webhookPaths?: Record<string, string>;
  /** Signs `X-Linkedstore-HMAC-SHA256` (default `nuvemshop_emulator_secret`). */
  appSecret?: string;
  /** The app's id (sent as `id` in app/uninstalled). */
  appId?: number;
  /** Leaky bucket (default 40 requests, draining 2 per second). */
  bucket?: BucketConfig;
  /**
   * The app's scripts as registered in the Partner Portal: script id → the file's URL. `POST /scripts
   * {script_id}` associates one with the store (an id not listed gets 422 when any is listed), and the
   * storefront page (`GET /_emulator/storefront`) loads the associated ones.
   */
  partnerScripts?: Record<string, string>;
  /** Milliseconds clock driving the bucket (default performance.now); tests pass a fake one. */
  clock?: () => number;
  port?: number;
  host?: string;
}

export interface NuvemshopEmulator {
  url: string;
  port: number;
  /** The current store (replaced by `POST /_emulator/reset`). */
  readonly store: NuvemshopStore;
  readonly bucket: LeakyBucket;
  readonly deliveries: DeliveryRecord[];
  /** API requests answered so far (every status, injected faults and 429s included; not the control API). */
  readonly requestCount: number;
  /** Faults still queued by `POST /_emulator/faults`, in the order they will be served. */
  readonly faults: ReadonlyArray<InjectedFault>;
  /** The token the API accepts now (null after an uninstall); authorization codes and tokens issued. */
  readonly oauth: OAuthState;
  /** Waits for pending and scheduled webhook deliveries. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Statuses `POST /_emulator/faults` can inject. */
const FAULT_STATUSES = [429, 500, 502, 503, 504];

/**
 * A queued fault: `kind` "status" (default) answers `status`; "malformed-json" answers 200 with a
 * JSON body cut short; "timeout" never answers and drops the connection after `delayMs` (default
 * 30 s). With `executed` (timeout, malformed-json) the request is carried out first and only its
 * answer is lost or spoiled.
 */
export interface InjectedFault {
  status: number;
  count: number;
  kind?: "status" | "timeout" | "malformed-json";
  delayMs?: number;
  executed?: boolean;
}
const DEFAULT_TIMEOUT_FAULT_MS = 30_000;

function holdThenDrop(res: ServerResponse, delayMs = DEFAULT_TIMEOUT_FAULT_MS) {
  const timer = setTimeout(() => res.destroy(), delayMs);
  timer.unref();
  res.once("close", () => clearTimeout(timer));
}

function sendMalformedJson(res: ServerResponse) {
  const text = '[{"id":950000013,"name":"Jo';
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Lets the request's real answer be written into nothing, then answers with the fault instead. */
function spoilAnswer(res: ServerResponse, fault: InjectedFault) {
  const writeHead = res.writeHead.bind(res);
  const end = res.end.bind(res);
  res.writeHead = (() => res) as unknown as typeof res.writeHead;
  res.end = ((..._args: unknown[]) => {
    res.writeHead = writeHead;
    res.end = end;
    if (fault.kind === "timeout") holdThenDrop(res, fault.delayMs);
    else sendMalformedJson(res);
    return res;
  }) as typeof res.end;
}

/** Nuvemshop's error shape: `{ code, message, description }`. */
function apiError(status: number, description: string): HttpError {
  return new HttpError(status, { code: status, message: REASONS[status] ?? "Error", description });
}

/** Validation errors: `422 { field: ["message", ...] }`. */
function validation(errors: Record<string, string[]>): HttpError {
  return new HttpError(422, errors);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: IncomingMessage, strictContentType: boolean): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  if (strictContentType && !(req.headers["content-type"] ?? "").includes("json")) throw apiError(415, "Content-Type must be application/json");
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: "Problems parsing JSON" });
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new HttpError(400, { error: "Problems parsing JSON" });
  return v as Record<string, unknown>;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const OWNER_RESOURCES = ["Product", "Product_Variant", "Category", "Page", "Order", "Customer"];
const OWNER_PATHS: Record<string, string> = {
  products: "Product",
  product_variants: "Product_Variant",
  categories: "Category",
  pages: "Page",
  orders: "Order",
  customers: "Customer",
};

interface ListWindow {
  page: number;
  perPage: number;
}

function pageParams(q: URLSearchParams): ListWindow {
  const page = Math.max(1, Math.floor(Number(q.get("page") ?? "1")) || 1);
  const pp = Math.floor(Number(q.get("per_page") ?? String(DEFAULT_PER_PAGE))) || DEFAULT_PER_PAGE;
  return { page, perPage: Math.min(MAX_PER_PAGE, Math.max(1, pp)) };
}

function dateParam(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null || v === "") return null;
  const s = parseDateParam(v);
  if (s === null) throw validation({ [name]: ["is not a valid date"] });
  return s;
}

function intParam(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null || v === "") return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw validation({ [name]: ["is not a number"] });
  return n;
}

/** `fields=id,name` keeps only those keys. */
function selectFields(obj: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return obj;
  const keep = new Set(fields.split(",").map((f) => f.trim()).filter(Boolean));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keep.has(k)));
}

/** Scans indices `from..to` and returns the total and the page window of those matching. */
function scan(from: number, to: number, match: ((i: number) => boolean) | null, w: ListWindow): { total: number; items: number[] } {
  const skip = (w.page - 1) * w.perPage;
  if (!match) {
    const total = Math.max(0, to - from);
    const items: number[] = [];
    for (let i = from + skip; i < to && items.length < w.perPage; i++) items.push(i);
    return { total, items };
  }
  let total = 0;
  const items: number[] = [];
  for (let i = from; i < to; i++) {
    if (!match(i)) continue;
    if (total >= skip && items.length < w.perPage) items.push(i);
    total++;
  }
  return { total, items };
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A plain store page: the documented `LS` object (store page variant) and the associated scripts. */
function storefrontHtml(input: { storeId: number; baseUrl: string; lang: string; customer: number | null; customerName: string | null; scripts: string[] }): string {
  const LS = {
    store: { id: input.storeId, url: `${input.baseUrl}/_emulator/storefront` },
    cart: { subtotal: 0, items: [], has_shippable_products: false, has_non_shippable_products: false },
    lang: input.lang,
    currency: { code: "BRL", display_short: "R$ %s", display_long: "R$ %s BRL", cents_separator: ",", thousands_separator: "." },
    country: "BR",
    customer: input.customer,
    theme: { code: "emulator", name: "Emulator" },
  };
  const htmlLang = input.lang.replace("_", "-");
  const who = input.customerName ? `<p class="account" data-signed-in="${input.customer}">${escapeHtml(input.customerName)}</p>` : `<p class="account"><a href="/account/login/">Entrar</a></p>`;
  return `<!doctype html>
<html lang="${escapeHtml(htmlLang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loja Demonstração</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #222; background: #fafafa; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 1rem 2rem; background: #fff; border-bottom: 1px solid #e5e5e5; }
  header h1 { font-size: 1.25rem; margin: 0; }
  main { padding: 2rem; max-width: 60rem; }
  .products { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem; }
  .product { background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 1rem; height: 8rem; }
</style>
<script>var LS = ${JSON.stringify(LS).replace(/</g, "\\u003c")};</script>
</head>
<body>
<header><h1>Loja Demonstração</h1>${who}</header>
<main>
<div class="products"><div class="product">Camiseta</div><div class="product">Caneca</div><div class="product">Boné</div></div>
</main>
${input.scripts.map((src) => `<script type="text/javascript" src="${escapeHtml(src)}"></script>`).join("\n")}
</body>
</html>
`;
}

export async function startNuvemshopEmulator(opts: NuvemshopEmulatorOptions = {}): Promise<NuvemshopEmulator> {
  const storeId = opts.storeId ?? DEFAULT_STORE_ID;
  const oauth = new OAuthState({
    storeId,
    appId: opts.appId ?? DEFAULT_APP_ID,
    appSecret: opts.appSecret ?? DEFAULT_APP_SECRET,
    initialToken: opts.accessToken ?? DEFAULT_ACCESS_TOKEN,
    redirectUrl: opts.redirectUrl ?? (opts.appUrl ? `${opts.appUrl.replace(/\/+$/, "")}/nuvemshop/callback` : undefined),
    scope: opts.scope ?? DEFAULT_SCOPE,
    codeTtlMs: opts.codeTtlMs ?? DEFAULT_CODE_TTL_MS,
  });
  const uaRequired = opts.userAgentRequired ?? true;
  const clock = opts.clock ?? (() => performance.now());
  let config = { seed: opts.seed ?? 1, customers: opts.customers ?? 100, orders: opts.orders ?? 300 };
  const makeStore = () => new NuvemshopStore({ storeId, ...config, ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}), ...(opts.dateOffset ? { dateOffset: opts.dateOffset } : {}) }).seed();
  let store = makeStore();
  let bucket = new LeakyBucket({ ...(opts.bucket ?? { size: 40, leakPerSecond: 2 }) }, clock);
  const deliverer = new WebhookDeliverer({
    store: () => store,
    appSecret: opts.appSecret ?? DEFAULT_APP_SECRET,
    appUrl: opts.appUrl,
    webhookPaths: opts.webhookPaths ?? {},
    appId: opts.appId ?? DEFAULT_APP_ID,
  });
  const nowSec = () => Math.floor(Date.now() / 1000);
  const partnerScripts = opts.partnerScripts ?? {};
  let baseUrl = "";
  /** Responses whose request went into the bucket: their errors carry the rate-limit headers too. */
  const counted = new WeakSet<ServerResponse>();
  /** Injected faults, served in order to the next API requests (`POST /_emulator/faults`). */
  let faults: InjectedFault[] = [];
  /** API requests answered, in total and by status (`GET /_emulator/requests`). */
  let requestCount = 0;
  let byStatus: Record<string, number> = {};

  /** Answers an API request with the next queued fault, if any; true when it did ("executed" faults spoil the real answer instead: false). */
  function serveFault(res: ServerResponse): boolean {
    const fault = faults[0];
    if (!fault) return false;
    fault.count -= 1;
    if (fault.count <= 0) faults.shift();
    if (fault.kind === "timeout" || fault.kind === "malformed-json") {
      if (fault.executed) {
        spoilAnswer(res, fault);
        return false;
      }
      if (fault.kind === "timeout") holdThenDrop(res, fault.delayMs);
      else sendMalformedJson(res);
      return true;
    }
    if (fault.status === 429) {
      // Like a real 429: the bucket is full, and the answer says so in its headers.
      bucket.setLevel(bucket.config.size);
      send(res, 429, { code: 429, message: REASONS[429], description: "Too Many Requests: the rate limit of this store was exceeded, retry later" }, bucket.headers() as unknown as Record<string, string>);
    } else {
      send(res, fault.status, { code: fault.status, message: REASONS[fault.status] ?? "Error", description: "Injected by the emulator (POST /_emulator/faults)" });
    }
    return true;
  }

  // ---- REST API ---------------------------------------------------------------------------

  function linkHeader(path: string, q: URLSearchParams, w: ListWindow, total: number): Record<string, string> {
    const last = Math.max(1, Math.ceil(total / w.perPage));
    const link = (page: number) => {
      const p = new URLSearchParams(q);
      p.set("page", String(page));
      p.set("per_page", String(w.perPage));
      return `${baseUrl}${path}?${p.toString()}`;
    };
    const parts: string[] = [];
    if (w.page < last) parts.push(`<${link(w.page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (w.page > 1) parts.push(`<${link(1)}>; rel="first"`, `<${link(Math.min(w.page - 1, last))}>; rel="prev"`);
    const h: Record<string, string> = { "X-Total-Count": String(total) };
    if (parts.length) h.Link = parts.join(", ");
    return h;
  }

  function listResult(path: string, q: URLSearchParams, w: ListWindow, r: { total: number; items: number[] }, json: (i: number) => Record<string, unknown>) {
    const last = Math.max(1, Math.ceil(r.total / w.perPage));
    if (w.page > last) throw apiError(404, `Last page is ${last}`);
    const fields = q.get("fields");
    return { body: r.items.map((i) => selectFields(json(i), fields)), headers: linkHeader(path, q, w, r.total) };
  }

  function customerMatcher(q: URLSearchParams): ((i: number) => boolean) | null {
    const cMin = dateParam(q, "created_at_min");
    const cMax = dateParam(q, "created_at_max");
    const uMin = dateParam(q, "updated_at_min");
    const uMax = dateParam(q, "updated_at_max");
    const text = q.get("q");
    const email = q.get("email");
    if (cMin === null && cMax === null && uMin === null && uMax === null && !text && !email) return null;
    const s = store;
    const matchQ = text ? s.queryMatcher(text) : null;
    return (i) => {
      const c = s.cCreated[i] ?? 0;
      const u = s.cUpdated[i] ?? 0;
      if (cMin !== null && c < cMin) return false;
      if (cMax !== null && c > cMax) return false;
      if (uMin !== null && u < uMin) return false;
      if (uMax !== null && u > uMax) return false;
      if (email && (s.email(i) ?? "").trim().toLowerCase() !== email.trim().toLowerCase()) return false;
      if (matchQ && !matchQ(i)) return false;
      return true;
    };
  }

  function orderMatcher(q: URLSearchParams): ((j: number) => boolean) | null {
    const checks: Array<(j: number) => boolean> = [];
    const s = store;
    const enumParam = (name: string, allowed: readonly string[], get: (j: number) => string) => {
      const v = q.get(name);
      if (!v || v === "any") return;
      if (!allowed.includes(v)) throw validation({ [name]: [`must be one of: any, ${allowed.join(", ")}`] });
      checks.push((j) => get(j) === v);
    };
    enumParam("status", ORDER_STATUSES, (j) => s.orderState(j).status);
    enumParam("payment_status", PAYMENT_STATUSES, (j) => s.orderState(j).payment);
    enumParam("shipping_status", SHIPPING_STATUSES, (j) => s.orderState(j).shipping);
    const cMin = dateParam(q, "created_at_min");
    const cMax = dateParam(q, "created_at_max");
    const uMin = dateParam(q, "updated_at_min");
    const uMax = dateParam(q, "updated_at_max");
    if (cMin !== null) checks.push((j) => (s.oCreated[j] ?? 0) >= cMin);
    if (cMax !== null) checks.push((j) => (s.oCreated[j] ?? 0) <= cMax);
    if (uMin !== null) checks.push((j) => (s.oUpdated[j] ?? 0) >= uMin);
    if (uMax !== null) checks.push((j) => (s.oUpdated[j] ?? 0) <= uMax);
    const tMin = intParam(q, "total_min");
    const tMax = intParam(q, "total_max");
    if (tMin !== null) checks.push((j) => (s.oTotal[j] ?? 0) >= tMin * 100);
    if (tMax !== null) checks.push((j) => (s.oTotal[j] ?? 0) <= tMax * 100);
    const text = q.get("q");
    if (text) {
      const n = Number(text.replace(/^#/, ""));
      const matchQ = s.queryMatcher(text);
      checks.push((j) => (Number.isInteger(n) && 100 + j === n) || ((s.oCustomer[j] ?? -1) >= 0 && matchQ(s.oCustomer[j] ?? 0)));
    }
    if (!checks.length) return null;
    return (j) => checks.every((c) => c(j));
  }

  function listCustomers(path: string, q: URLSearchParams) {
    const w = pageParams(q);
    const since = intParam(q, "since_id");
    const from = since === null ? 0 : store.customerIndexAfter(since);
    const r = scan(from, store.customerCount, customerMatcher(q), w);
    return listResult(path, q, w, r, (i) => store.customerJson(i));
  }

  function listOrders(path: string, q: URLSearchParams) {
    const w = pageParams(q);
    const since = intParam(q, "since_id");
    const from = since === null ? 0 : store.orderIndexAfter(since);
    const match = orderMatcher(q);
    const ids = q.get("customer_ids");
    if (ids) {
      // Narrow to the customers' own orders first (cheap on a large store).
      const js: number[] = [];
      for (const part of ids.split(",")) {
        const i = store.customerIndex(Number(part.trim()));
        if (i >= 0) for (const j of store.ordersOf(i)) if (j >= from) js.push(j);
      }
      js.sort((a, b) => a - b);
      const r = scan(0, js.length, match ? (k) => match(js[k] ?? 0) : null, w);
      return listResult(path, q, w, { total: r.total, items: r.items.map((k) => js[k] ?? 0) }, (j) => store.orderJson(j));
    }
    const r = scan(from, store.orderCount, match, w);
    return listResult(path, q, w, r, (j) => store.orderJson(j));
  }

  function listRecords<T extends { id: number; created_at: number; updated_at: number }>(
    path: string,
    q: URLSearchParams,
    all: T[],
    extra: (r: T) => boolean,
    json: (r: T) => Record<string, unknown>,
  ) {
    const w = pageParams(q);
    const since = intParam(q, "since_id");
    const cMin = dateParam(q, "created_at_min");
    const cMax = dateParam(q, "created_at_max");
    const uMin = dateParam(q, "updated_at_min");
    const uMax = dateParam(q, "updated_at_max");
    const rows = all
      .filter((r) => (since === null || r.id > since) && (cMin === null || r.created_at >= cMin) && (cMax === null || r.created_at <= cMax))
      .filter((r) => (uMin === null || r.updated_at >= uMin) && (uMax === null || r.updated_at <= uMax) && extra(r))
      .sort((a, b) => a.id - b.id);
    const r = scan(0, rows.length, null, w);
    return listResult(path, q, w, r, (k) => json(rows[k] as T));
  }

  function validateMetafield(b: Record<string, unknown>, existing: { owner_resource: string; owner_id: number; id: number } | null): Record<string, string[]> {
    const errors: Record<string, string[]> = {};
    const add = (f: string, m: string) => (errors[f] ??= []).push(m);
    for (const f of ["namespace", "key"] as const) {
      if (existing && b[f] === undefined) continue;
      const v = b[f];
      if (v === undefined || v === null || v === "") add(f, "can't be blank");
      else if (typeof v !== "string" || !NAME_RE.test(v)) add(f, "is invalid");
    }
    if (!existing || b.value !== undefined) {
      if (b.value === undefined || b.value === null || b.value === "") add("value", "can't be blank");
      else if (typeof b.value !== "string") add("value", "must be a string");
    }
    if (b.description !== undefined && b.description !== null && typeof b.description !== "string") add("description", "must be a string");
    if (!existing) {
      const or = b.owner_resource;
      if (or === undefined || or === null || or === "") add("owner_resource", "can't be blank");
      else if (typeof or !== "string" || !OWNER_RESOURCES.includes(or)) add("owner_resource", "is not included in the list");
      const oid = b.owner_id;
      if (oid === undefined || oid === null || oid === "") add("owner_id", "can't be blank");
      else if (!Number.isSafeInteger(Number(oid)) || Number(oid) <= 0) add("owner_id", "is not a number");
      else if (or === "Customer" && store.customerIndex(Number(oid)) < 0) add("owner_id", "does not exist");
      else if (or === "Order" && store.orderIndex(Number(oid)) < 0) add("owner_id", "does not exist");
    }
    return errors;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const method = req.method ?? "GET";
    const ua = req.headers["user-agent"];
    if (uaRequired && (!ua || !ua.trim())) {
      throw apiError(400, "You must provide a User-Agent header identifying your app, e.g. \"User-Agent: MyApp (name@email.com)\"");
    }
    const auth = req.headers["authentication"];
    const m = typeof auth === "string" ? /^\s*bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m || oauth.token === null || m[1] !== oauth.token) throw apiError(401, "Invalid access token");
    if (Number(parts[1]) !== storeId) throw apiError(401, "Invalid access token");
    if (!bucket.tryAdd()) {
      throw Object.assign(apiError(429, "Too Many Requests: the rate limit of this store was exceeded, retry later"), { rateHeaders: true });
    }
    counted.add(res);
    const rate = bucket.headers() as unknown as Record<string, string>;
    const resource = parts[2] ?? "";
    const sub = parts[3];
    const path = `/${parts.slice(0, 3).join("/")}`;
    const q = url.searchParams;
    const ok = (status: number, body: unknown, headers: Record<string, string> = {}) => send(res, status, body, { ...rate, ...headers });
    const idOf = (v: string | undefined): number => {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : -1;
    };
    const body = method === "POST" || method === "PUT" ? await readJson(req, true) : {};

    if (resource === "store" && !sub && method === "GET") {
      return ok(200, {
        id: storeId,
        name: { pt: "Loja Demonstração" },
        email: "contato@loja-demo.com.br",
        country: "BR",
        main_currency: "BRL",
        main_language: "pt",
        languages: { pt: { currency: "BRL", active: true } },
        created_at: store.iso(store.referenceSec - 3 * 365 * 86400),
      });
    }
    if (resource === "customers" && method === "GET") {
      if (!sub) {
        const r = listCustomers(path, q);
        return ok(200, r.body, r.headers);
      }
      const i = store.customerIndex(idOf(sub));
      if (i < 0 || parts.length > 4) throw apiError(404, "Customer with such id does not exist");
      return ok(200, selectFields(store.customerJson(i), q.get("fields")));
    }
    if (resource === "orders" && method === "GET") {
      if (!sub) {
        const r = listOrders(path, q);
        return ok(200, r.body, r.headers);
      }
      const j = store.orderIndex(idOf(sub));
      if (j < 0 || parts.length > 4) throw apiError(404, "Order with such id does not exist");
      return ok(200, selectFields(store.orderJson(j), q.get("fields")));
    }
    if (resource === "metafields") {
      const all = [...store.metafields.values()];
      if (method === "GET" && (!sub || OWNER_PATHS[sub])) {
        const ownerResource = sub ? OWNER_PATHS[sub] : q.get("owner_resource");
        const ownerId = q.get("owner_id");
        const ns = q.get("namespace");
        const key = q.get("key");
        const r = listRecords(
          sub ? `${path}/${sub}` : path,
          q,
          all,
          (x) => (!ownerResource || x.owner_resource === ownerResource) && (!ownerId || ownerId.split(",").map(Number).includes(x.owner_id)) && (!ns || x.namespace === ns) && (!key || x.key === key),
          (x) => metafieldJson(x, store.iso),
        );
        return ok(200, r.body, r.headers);
      }
      if (method === "POST" && !sub) {
        const errors = validateMetafield(body, null);
        const dup = all.find((x) => x.owner_resource === body.owner_resource && x.owner_id === Number(body.owner_id) && x.namespace === body.namespace && x.key === body.key);
        if (dup) (errors.key ??= []).push("has already been taken");
        if (Object.keys(errors).length) throw validation(errors);
        const now = nowSec();
        const rec = store.addMetafield({
          namespace: body.namespace as string,
          key: body.key as string,
          value: body.value as string,
          description: typeof body.description === "string" ? body.description : null,
          owner_resource: body.owner_resource as string,
          owner_id: Number(body.owner_id),
          created_at: now,
          updated_at: now,
        });
        return ok(201, metafieldJson(rec, store.iso));
      }
      const rec = store.metafields.get(idOf(sub));
      if (!rec) throw apiError(404, "Metafield with such id does not exist");
      if (method === "GET") return ok(200, metafieldJson(rec, store.iso));
      if (method === "PUT") {
        const errors = validateMetafield(body, rec);
        const ns = (body.namespace as string | undefined) ?? rec.namespace;
        const key = (body.key as string | undefined) ?? rec.key;
        if (all.some((x) => x.id !== rec.id && x.owner_resource === rec.owner_resource && x.owner_id === rec.owner_id && x.namespace === ns && x.key === key)) (errors.key ??= []).push("has already been taken");
        if (Object.keys(errors).length) throw validation(errors);
        rec.namespace = ns;
        rec.key = key;
        if (typeof body.value === "string") rec.value = body.value;
        if (body.description !== undefined) rec.description = typeof body.description === "string" ? body.description : null;
        rec.updated_at = nowSec();
        return ok(200, metafieldJson(rec, store.iso));
      }
      if (method === "DELETE") {
        store.metafields.delete(rec.id);
        return ok(200, {});
      }
    }
    if (resource === "webhooks") {
      const validate = (b: Record<string, unknown>, partial: boolean) => {
        const errors: Record<string, string[]> = {};
        if (!partial || b.event !== undefined) {
          if (typeof b.event !== "string" || !(WEBHOOK_EVENTS as readonly string[]).includes(b.event)) errors.event = [`Invalid event specified. Events allowed: ${WEBHOOK_EVENTS.join(", ")}`];
        }
        if (!partial || b.url !== undefined) {
          let okUrl = false;
          try {
            okUrl = typeof b.url === "string" && /^https?:$/.test(new URL(b.url).protocol);
          } catch {
            okUrl = false;
          }
          if (!okUrl) errors.url = ["invalid url specified"];
        }
        if (Object.keys(errors).length) throw validation(errors);
      };
      if (method === "GET" && !sub) {
        const ev = q.get("event");
        const u = q.get("url");
        const r = listRecords(path, q, [...store.webhooks.values()], (w) => (!ev || w.event === ev) && (!u || w.url === u), (w) => webhookJson(w, store.iso));
        return ok(200, r.body, r.headers);
      }
      if (method === "POST" && !sub) {
        validate(body, false);
        return ok(201, webhookJson(store.addWebhook(body.event as string, body.url as string, nowSec()), store.iso));
      }
      const w = store.webhooks.get(idOf(sub));
      if (!w) throw apiError(404, "Webhook with such id does not exist");
      if (method === "GET") return ok(200, webhookJson(w, store.iso));
      if (method === "PUT") {
        validate(body, true);
        if (typeof body.event === "string") w.event = body.event;
        if (typeof body.url === "string") w.url = body.url;
        w.updated_at = nowSec();
        return ok(200, webhookJson(w, store.iso));
      }
      if (method === "DELETE") {
        store.webhooks.delete(w.id);
        return ok(200, {});
      }
    }
    if (resource === "scripts") {
      if (method === "GET" && !sub) {
        const r = listRecords(path, q, [...store.scripts.values()], () => true, (x) => scriptJson(x, store.iso));
        return ok(200, r.body, r.headers);
      }
      if (method === "POST" && !sub) {
        const errors: Record<string, string[]> = {};
        const hasScriptId = body.script_id !== undefined;
        if (hasScriptId) {
          if (!Number.isSafeInteger(Number(body.script_id)) || Number(body.script_id) <= 0) errors.script_id = ["is invalid"];
          else if (Object.keys(partnerScripts).length && !partnerScripts[String(Number(body.script_id))]) errors.script_id = ["does not exist"];
          if (body.query_params !== undefined && body.query_params !== null && (typeof body.query_params !== "string" || !isJsonObject(body.query_params))) errors.query_params = ["must be a JSON object in a string"];
        } else {
          if (typeof body.src !== "string" || !/^https:\/\//.test(body.src)) errors.src = [body.src ? "must be an https URL" : "can't be blank"];
          if (!["onload", "onfirstinteraction"].includes(String(body.event ?? ""))) errors.event = ["is not included in the list"];
          const where = String(body.where ?? "");
          if (!where || !where.split(",").every((x) => ["store", "checkout"].includes(x.trim()))) errors.where = ["is not included in the list"];
        }
        if (Object.keys(errors).length) throw validation(errors);
        const now = nowSec();
        const rec = store.addScript({
          src: typeof body.src === "string" ? body.src : null,
          event: typeof body.event === "string" ? body.event : "onload",
          where: typeof body.where === "string" ? body.where : "store",
          script_id: hasScriptId ? Number(body.script_id) : null,
          query_params: typeof body.query_params === "string" ? body.query_params : null,
          created_at: now,
          updated_at: now,
        });
        return ok(201, scriptJson(rec, store.iso));
      }
      const s = store.scripts.get(idOf(sub));
      if (!s) throw apiError(404, "Script with such id does not exist");
      if (method === "GET") return ok(200, scriptJson(s, store.iso));
      if (method === "DELETE") {
        store.scripts.delete(s.id);
        return ok(200, {});
      }
    }
    throw apiError(404, `No route for ${method} ${url.pathname}`);
  }

  // ---- OAuth (the www.tiendanube.com side) ----------------------------------------------------

  async function handleOAuth(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const method = req.method ?? "GET";
    // GET /apps/{app_id}/authorize?state=…
    if (method === "GET" && parts.length === 3 && parts[2] === "authorize") {
      const answer = oauth.authorize(parts[1] ?? "", url.searchParams.get("state"));
      if (answer.status !== 302) return send(res, answer.status, { code: answer.status, message: REASONS[answer.status] ?? "Error", description: answer.message });
      res.writeHead(302, { Location: answer.location, "Content-Length": "0" });
      res.end();
      return;
    }
    // POST /apps/authorize/token, JSON or form-encoded (both appear in the docs' examples)
    if (method === "POST" && parts.length === 3 && parts[1] === "authorize" && parts[2] === "token") {
      const text = await readBody(req);
      let params: Record<string, unknown> = {};
      if ((req.headers["content-type"] ?? "").includes("json")) {
        try {
          const v: unknown = JSON.parse(text || "{}");
          if (v && typeof v === "object" && !Array.isArray(v)) params = v as Record<string, unknown>;
        } catch {
          throw new HttpError(400, { error: "invalid_request", error_description: "The request body is not JSON." });
        }
      } else {
        params = Object.fromEntries(new URLSearchParams(text));
      }
      const answer = oauth.exchange(params);
      return send(res, answer.status, answer.body);
    }
    throw apiError(404, `No route for ${method} ${url.pathname}`);
  }

  // ---- control API --------------------------------------------------------------------------

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const method = req.method ?? "GET";
    const what = parts[1] ?? "";
    const body = method === "POST" ? await readJson(req, false) : {};
    const num = (v: unknown, name: string): number | undefined => {
      if (v === undefined || v === null) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw validation({ [name]: ["is not a number"] });
      return n;
    };
    /** `deliver`: `false`, or `{ times?, delayMs?, events? }` (default: `defaultEvents` once). */
    async function deliverFor(id: number, deliver: unknown, defaultEvents: string[]) {
      const result: Array<{ event: string; scheduled: boolean; deliveries: unknown }> = [];
      if (deliver === false) return result;
      const d = deliver && typeof deliver === "object" ? (deliver as Record<string, unknown>) : {};
      const events = Array.isArray(d.events) ? d.events.map(String) : defaultEvents;
      const times = num(d.times, "times");
      const delayMs = num(d.delayMs, "delayMs");
      for (const event of events) {
        const r = await deliverer.deliver({ event, ids: [id], ...(times !== undefined ? { times } : {}), ...(delayMs !== undefined ? { delayMs } : {}) });
        result.push({ event, ...r });
      }
      return result;
    }
    if (what === "oauth") {
      if (method === "POST") {
        const ttl = num(body.codeTtlMs, "codeTtlMs");
        if (ttl !== undefined) oauth.codeTtlMs = ttl;
      }
      if (method === "GET" || method === "POST") return send(res, 200, oauth.status());
    }
    if (what === "uninstall" && method === "POST") {
      // The merchant uninstalls the app: the token stops working, then app/uninstalled (and, with
      // `redact`, the LGPD store/redact that follows an uninstall) is delivered. Subscriptions are kept.
      oauth.uninstall();
      const webhooks: Array<{ event: string; scheduled: boolean; deliveries: unknown }> = [];
      if (body.deliver !== false) {
        for (const event of body.redact === true ? ["app/uninstalled", "store/redact"] : ["app/uninstalled"]) {
          webhooks.push({ event, ...(await deliverer.deliver({ event, ids: [] })) });
        }
      }
      return send(res, 200, { uninstalled: true, webhooks });
    }
    if (what === "health" && method === "GET") {
      return send(res, 200, { ok: true, store_id: storeId, customers: store.customerCount, orders: store.orderCount, seed: store.options.seed });
    }
    if (what === "customers" && method === "POST" && !parts[2]) {
      const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
      const name = str(body.name);
      if (!name || !name.trim()) throw validation({ name: ["can't be blank"] });
      const email = str(body.email);
      if (email) {
        const n = email.trim().toLowerCase();
        for (let i = store.customerCount - 1; i >= 0 && i >= store.customerCount - 5000; i--) {
          if ((store.email(i) ?? "").trim().toLowerCase() === n) throw validation({ email: ["has already been taken"] });
        }
      }
      const i = store.createCustomer(
        { name, email, phone: str(body.phone), identification: str(body.identification), note: str(body.note), accepts_marketing: body.accepts_marketing === true },
        nowSec(),
      );
      const result = await deliverFor(store.customerId(i), body.deliver, ["customer/created"]);
      return send(res, 201, { customer: store.customerJson(i), webhooks: result });
    }
    if (what === "customers" && (method === "PUT" || method === "PATCH") && parts[2] && !parts[3]) {
      const i = store.customerIndex(Number(parts[2]));
      if (i < 0) throw apiError(404, "Customer with such id does not exist");
      const patch = await readJson(req, false);
      const edit: CustomerEdit = {};
      const errors: Record<string, string[]> = {};
      for (const f of ["name", "email", "phone", "identification", "note"] as const) {
        const v = patch[f];
        if (v === undefined) continue;
        if (v !== null && typeof v !== "string") errors[f] = ["must be a string"];
        else if (f === "name" && (v === null || !v.trim())) errors[f] = ["can't be blank"];
        else edit[f] = v as string;
      }
      if (Object.keys(errors).length) throw validation(errors);
      store.updateCustomer(i, edit, nowSec());
      const webhooks = await deliverFor(store.customerId(i), patch.deliver, ["customer/updated"]);
      return send(res, 200, { customer: store.customerJson(i), webhooks });
    }
    if (what === "faults") {
      if (method === "POST") {
        const status = num(body.status, "status");
        const count = num(body.count, "count") ?? 1;
        const kind = body.kind ?? "status";
        if (count <= 0) faults = [];
        else if (kind === "timeout" || kind === "malformed-json") {
          const delayMs = num(body.delayMs, "delayMs");
          faults.push({
            kind,
            status: kind === "timeout" ? 0 : 200,
            count: Math.floor(count),
            ...(kind === "timeout" ? { delayMs: delayMs ?? DEFAULT_TIMEOUT_FAULT_MS } : {}),
            ...(body.executed === true ? { executed: true } : {}),
          });
        } else if (kind !== "status") throw validation({ kind: ["must be one of status, timeout, malformed-json"] });
        else if (status === undefined || !FAULT_STATUSES.includes(status)) throw validation({ status: [`must be one of ${FAULT_STATUSES.join(", ")}`] });
        else faults.push({ status, count: Math.floor(count) });
      } else if (method === "DELETE") faults = [];
      if (method === "POST" || method === "GET" || method === "DELETE") return send(res, 200, { faults });
    }
    if (what === "requests") {
      if (method === "DELETE") {
        requestCount = 0;
        byStatus = {};
      }
      if (method === "GET" || method === "DELETE") return send(res, 200, { count: requestCount, byStatus });
    }
    if (what === "customers" && method === "GET" && parts[2]) {
      const i = store.customerIndex(Number(parts[2]));
      if (i < 0) throw apiError(404, "Customer with such id does not exist");
      return send(res, 200, store.customerJson(i));
    }
    if (what === "webhooks" && method === "POST") {
      const event = body.event;
      if (typeof event !== "string" || !event) throw validation({ event: ["can't be blank"] });
      const ids: Array<number | null> = Array.isArray(body.ids) ? body.ids.map((x) => Number(x)) : body.id === undefined || body.id === null ? [] : [Number(body.id)];
      const times = num(body.times, "times");
      const delayMs = num(body.delayMs, "delayMs");
      const r = await deliverer.deliver({
        event,
        ids,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
        ...(times !== undefined ? { times } : {}),
        ...(delayMs !== undefined ? { delayMs } : {}),
        outOfOrder: body.outOfOrder === true,
      });
      return send(res, 200, r);
    }
    if (what === "deliveries") {
      if (method === "DELETE") {
        deliverer.clear();
        return send(res, 200, {});
      }
      if (method === "GET") {
        const ev = url.searchParams.get("event");
        return send(res, 200, deliverer.log.filter((d) => !ev || d.event === ev));
      }
    }
    if (what === "bucket") {
      if (method === "POST") {
        const size = num(body.size, "size");
        const leak = num(body.leakPerSecond, "leakPerSecond");
        if (size !== undefined) bucket.config.size = size;
        if (leak !== undefined) bucket.config.leakPerSecond = leak;
        const level = num(body.level, "level");
        if (level !== undefined) bucket.setLevel(level);
      }
      if (method === "POST" || method === "GET") return send(res, 200, bucket.status());
    }
    if (what === "reset" && method === "POST") {
      config = {
        seed: num(body.seed, "seed") ?? config.seed,
        customers: num(body.customers, "customers") ?? config.customers,
        orders: num(body.orders, "orders") ?? config.orders,
      };
      await deliverer.idle();
      deliverer.clear();
      store = makeStore();
      bucket = new LeakyBucket({ ...bucket.config }, clock);
      faults = [];
      return send(res, 200, { ok: true, customers: store.customerCount, orders: store.orderCount, seed: store.options.seed });
    }
    if (what === "storefront" && method === "GET") {
      // The store's page as a shopper sees it: `LS` as Nuvemshop documents it for scripts, with the
      // signed-in customer of `?customer=` (this emulator has no shopper sign-in), then every script
      // associated with the store (`POST /scripts`) as a <script> tag with `store` and its query_params.
      const customerParam = url.searchParams.get("customer");
      let customer: number | null = null;
      let customerName: string | null = null;
      if (customerParam) {
        const i = store.customerIndex(Number(customerParam));
        if (i < 0) throw apiError(404, "Customer with such id does not exist");
        customer = store.customerId(i);
        customerName = String(store.customerJson(i).name ?? "");
      }
      const lang = /^[a-z]{2}(_[A-Z]{2})?$/.test(url.searchParams.get("lang") ?? "") ? (url.searchParams.get("lang") as string) : "pt_BR";
      const srcs: string[] = [];
      for (const script of store.scripts.values()) {
        const src = script.script_id !== null ? partnerScripts[String(script.script_id)] : script.where.split(",").map((w) => w.trim()).includes("store") ? script.src : null;
        if (!src) continue;
        const target = new URL(src);
        target.searchParams.set("store", String(storeId));
        if (script.query_params && isJsonObject(script.query_params)) {
          for (const [k, v] of Object.entries(JSON.parse(script.query_params) as Record<string, unknown>)) target.searchParams.set(k, String(v));
        }
        srcs.push(target.toString());
      }
      const html = storefrontHtml({ storeId, baseUrl, lang, customer, customerName, scripts: srcs });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": String(Buffer.byteLength(html)), "Cache-Control": "no-store" });
      res.end(html);
      return;
    }
    if (what === "metafields" && method === "GET") {
      const owner = url.searchParams.get("owner_id");
      const rows = [...store.metafields.values()].filter((m) => !owner || String(m.owner_id) === owner).map((m) => metafieldJson(m, store.iso));
      return send(res, 200, rows);
    }
    throw apiError(404, `No control route for ${method} ${url.pathname}`);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean);
    const handler =
      parts[0] === "_emulator" ? handleControl : parts[0] === "apps" ? handleOAuth : /^(v1|\d{4}-\d{2})$/.test(parts[0] ?? "") && parts.length >= 2 ? handleApi : null;
    if (handler === handleApi) {
      requestCount += 1;
      res.on("finish", () => {
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      });
      // An injected fault answers before anything else (like a gateway or the rate limiter in front of the API).
      if (serveFault(res)) {
        req.resume();
        return;
      }
    }
    const run = handler ? handler(req, res, url, parts) : Promise.reject(apiError(404, `No route for ${req.method ?? "GET"} ${url.pathname}`));
    run.catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof HttpError) {
        const withRate = (e as HttpError & { rateHeaders?: boolean }).rateHeaders || counted.has(res);
        const rate = withRate ? (bucket.headers() as unknown as Record<string, string>) : {};
        return send(res, e.status, e.body, rate);
      }
      send(res, 500, { code: 500, message: "Internal Server Error", description: e instanceof Error ? e.message : String(e) });
    });
  });

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    get store() {
      return store;
    },
    get bucket() {
      return bucket;
    },
    get deliveries() {
      return deliverer.log;
    },
    get requestCount() {
      return requestCount;
    },
    get faults() {
      return faults.map((f) => ({ ...f }));
    },
    oauth,
    idle: () => deliverer.idle(),
    close: async () => {
      deliverer.close();
      await deliverer.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
