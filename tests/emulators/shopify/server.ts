// Local emulator of the Shopify Admin GraphQL API (plus webhooks and a control API for tests).
// See README.md in this folder for what is emulated and how.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { execute, type GraphQLError, parse, validate, type DocumentNode } from "graphql";
import { BulkManager } from "./bulk.js";
import { getOperation, queryCost, SINGLE_QUERY_MAX_COST } from "./cost.js";
import { translateGraphQLError } from "./errors.js";
import { resolveNamespace } from "./metafields.js";
import { getSchema, rootValue, type EmulatorContext } from "./schema.js";
import { CANCEL_REASONS, CUSTOMER_STATES, type EmulatedStore, seedStore, StoreError, type CancelReason, type NewCustomerInput } from "./store.js";
import { LeakyBucket, type ThrottleConfig } from "./throttle.js";
import { gid, isoUtc, parseGid, type IdStyle } from "./util.js";
import { buildPayload, SUPPORTED_TOPICS, stringifyPayload, WebhookDispatcher, type DeliveryRecord } from "./webhooks.js";

export { EmulatedStore, seedStore } from "./store.js";

export interface ShopifyEmulatorOptions {
  /** Default "demo-store.myshopify.com". */
  shopDomain?: string;
  /** Default "shpat_emulator_token"; requests with another token get 401. */
  accessToken?: string;
  /** Default 1. */
  seed?: number;
  /** Default 100. */
  customers?: number;
  /** Default 300. */
  orders?: number;
  /** Where webhooks are delivered: `${appUrl}/webhooks/${topic}`, e.g. /webhooks/customers/create. */
  appUrl?: string;
  /** App secret used to sign webhooks (base64 HMAC-SHA256 of the raw body). */
  apiSecret?: string;
  /** Resolves the "$app" metafield namespace to `app--${appId}`. Default "1". */
  appId?: string;
  /** Default 2000 points, restoring 100 per second (Shopify's standard plan). */
  throttle?: { maximumAvailable: number; restoreRate: number };
  /** Default 0 (any free port) / "127.0.0.1". */
  port?: number;
  host?: string;
  // ---- extras (not required by callers) ----
  /** Shop currency: "BRL" (default) or "USD". */
  currency?: "BRL" | "USD";
  /** "compact" (default): 13-digit ids like today's Shopify. "large": 18-digit ids beyond 2^53, like the documented examples. */
  idStyle?: IdStyle;
  /** API version sent in X-Shopify-API-Version on webhooks and used for their payload shape. Default "2026-01". */
  webhookApiVersion?: string;
  /** Overrides the number of bulk query operations that may run at once (default: 1 before API 2026-01, 5 from 2026-01). */
  bulkConcurrency?: number;
  /** Reference instant for seeded dates (default 2026-11-01T00:00:00Z). */
  referenceDate?: string;
}

export interface ShopifyEmulator {
  url: string;
  port: number;
  /** The current store (replaced by POST /_emulator/reset). */
  readonly store: EmulatedStore;
  /** Waits for running bulk operations and pending webhook deliveries. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const INVALID_TOKEN_BODY = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };
const MAX_BODY = 10 * 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("payload too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const buf = await readBody(req);
  if (!buf.length) return {};
  const v = JSON.parse(buf.toString("utf8")) as unknown;
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

/** A failure the next Admin API request (or bulk file download) answers instead of its result. */
export interface InjectedFault {
  /** The answer's status (`kind` "status"); 200 for "malformed-json"; 0 for "timeout" (no answer). */
  status: number;
  /**
   * "status" (default): an HTTP error answer; "malformed-json": HTTP 200 whose JSON body is cut
   * short; "timeout": no answer at all — the connection is dropped after `delayMs`.
   */
  kind?: FaultKind;
  /** Seconds for the Retry-After header of a 429 (default "2.0", as Shopify sends). */
  retryAfter?: string;
  /** "timeout": how long the request is held before the connection is dropped (default 30,000 ms). */
  delayMs?: number;
  /**
   * "timeout" and "malformed-json" on the GraphQL endpoint: the request is carried out first (a
   * mutation is written), and only its answer is lost or spoiled. Default false: it never ran.
   */
  executed?: boolean;
  /** "admin" (default): the GraphQL endpoint; "bulk": downloads of bulk operation JSONL files. */
  scope: "admin" | "bulk";
}

export type FaultKind = "status" | "timeout" | "malformed-json";
const FAULT_KINDS = new Set<FaultKind>(["status", "timeout", "malformed-json"]);
const DEFAULT_TIMEOUT_FAULT_MS = 30_000;

const FAULT_STATUSES = new Set([429, 500, 502, 503, 504]);
const STATUS_TEXT: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

class Emulator {
  store: EmulatedStore;
  /** Queued faults, consumed in order by the requests of their scope. */
  faults: InjectedFault[] = [];
  /** Requests answered so far (faulted, throttled and refused ones included). */
  readonly requests = { admin: 0, bulkDownloads: 0 };
  readonly bulk: BulkManager;
  readonly webhooks: WebhookDispatcher;
  readonly buckets = new Map<string, LeakyBucket>();
  throttle: ThrottleConfig;
  readonly appId: string;
  readonly appInstallationId: string;
  readonly accessToken: string;
  baseUrl = "";

  constructor(readonly opts: ShopifyEmulatorOptions) {
    this.store = this.seed({});
    this.appId = opts.appId ?? "1";
    this.appInstallationId = String(900_000_000 + (Number(this.appId) % 100_000_000 || 1));
    this.accessToken = opts.accessToken ?? "shpat_emulator_token";
    this.throttle = { ...(opts.throttle ?? { maximumAvailable: 2000, restoreRate: 100 }) };
    this.bulk = new BulkManager({ schema: getSchema(), ...(opts.bulkConcurrency !== undefined ? { concurrency: opts.bulkConcurrency } : {}) });
    this.webhooks = new WebhookDispatcher({
      ...(opts.appUrl !== undefined ? { appUrl: opts.appUrl } : {}),
      ...(opts.apiSecret !== undefined ? { apiSecret: opts.apiSecret } : {}),
      shopDomain: this.store.shop.myshopifyDomain,
      apiVersion: opts.webhookApiVersion ?? "2026-01",
    });
  }

  seed(over: { seed?: number; customers?: number; orders?: number; currency?: "BRL" | "USD" }): EmulatedStore {
    const o = this.opts;
    return seedStore({
      seed: over.seed ?? o.seed ?? 1,
      customers: over.customers ?? o.customers ?? 100,
      orders: over.orders ?? o.orders ?? 300,
      shopDomain: o.shopDomain ?? "demo-store.myshopify.com",
      currency: over.currency ?? o.currency ?? "BRL",
      idStyle: o.idStyle ?? "compact",
      ...(o.referenceDate ? { referenceDate: o.referenceDate } : {}),
    });
  }

  bucketFor(token: string): LeakyBucket {
    let b = this.buckets.get(token);
    if (!b) {
      b = new LeakyBucket({ ...this.throttle });
      this.buckets.set(token, b);
    }
    return b;
  }

  context(apiVersion: string): EmulatorContext {
    return {
      store: this.store,
      appId: this.appId,
      appInstallationId: this.appInstallationId,
      apiKey: `emulator-api-key-${this.appId}`,
      apiVersion,
      baseUrl: this.baseUrl,
      bulk: this.bulk,
      searchWarnings: [],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // GraphQL

  async graphql(req: IncomingMessage, res: ServerResponse, version: string): Promise<void> {
    const token = req.headers["x-shopify-access-token"];
    if (token !== this.accessToken) return sendJson(res, 401, INVALID_TOKEN_BODY);
    const headers = { "X-Shopify-API-Version": version, "X-Request-Id": randomUUID() };
    const buf = await readBody(req);
    const ctype = String(req.headers["content-type"] ?? "");
    let query: unknown;
    let variables: Record<string, unknown> = {};
    let operationName: string | null = null;
    try {
      if (ctype.includes("application/graphql")) query = buf.toString("utf8");
      else {
        const body = JSON.parse(buf.toString("utf8") || "{}") as Record<string, unknown>;
        query = body.query;
        if (body.variables && typeof body.variables === "object") variables = body.variables as Record<string, unknown>;
        if (typeof body.operationName === "string") operationName = body.operationName;
      }
    } catch {
      return sendJson(res, 400, { errors: "Invalid JSON in request body" }, headers);
    }
    if (typeof query !== "string" || !query.trim()) {
      return sendJson(res, 400, { errors: { query: "Required parameter missing or invalid" } }, headers);
    }
    const bucket = this.bucketFor(String(token));
    const cost = (requested: number, actual: number | null) => ({
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: bucket.status(),
    });
    const schema = getSchema();
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (e) {
      const err = e as GraphQLError;
      return sendJson(res, 200, { errors: [{ message: err.message, locations: err.locations }], extensions: { cost: cost(0, 0) } }, headers);
    }
    const vErrors = validate(schema, doc);
    if (vErrors.length) {
      return sendJson(res, 200, { errors: vErrors.map((e) => translateGraphQLError(e).toJSON()), extensions: { cost: cost(0, 0) } }, headers);
    }
    let requested = 0;
    try {
      requested = queryCost(schema, doc, operationName, variables);
    } catch {
      requested = 0;
    }
    if (requested > SINGLE_QUERY_MAX_COST) {
      return sendJson(
        res,
        200,
        {
          errors: [
            {
              message:
                `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\n` +
                "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\n" +
                "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
                "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: SINGLE_QUERY_MAX_COST, documentation: "https://shopify.dev/api/usage/limits#rate-limits" },
            },
          ],
          extensions: { cost: cost(requested, null) },
        },
        headers,
      );
    }
    if (!bucket.tryTake(requested)) {
      return sendJson(
        res,
        200,
        {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: cost(requested, null) },
        },
        headers,
      );
    }
    const ctx = this.context(version);
    const result = await execute({ schema, document: doc, rootValue, contextValue: ctx, variableValues: variables, operationName });
    let actual = requested;
    const op = getOperation(doc, operationName);
    if (op && op.operation === "query") {
      try {
        actual = Math.min(requested, queryCost(schema, doc, operationName, variables, (result.data as Record<string, unknown> | null | undefined) ?? null));
      } catch {
        actual = requested;
      }
    }
    bucket.refund(requested - actual);
    const body: Record<string, unknown> = {};
    if (result.errors?.length) body.errors = result.errors.map((e) => translateGraphQLError(e).toJSON());
    if (result.data !== undefined) body.data = result.data;
    const extensions: Record<string, unknown> = { cost: cost(requested, actual) };
    if (ctx.searchWarnings.length) extensions.search = ctx.searchWarnings;
    body.extensions = extensions;
    sendJson(res, 200, body, headers);
  }

  /**
   * Answers with the next queued fault of `scope`, if any; true when it did. A fault that lets the
   * request run first (`executed`) is returned instead, for the caller to spoil the real answer.
   */
  private sendFault(res: ServerResponse, scope: InjectedFault["scope"]): boolean | InjectedFault {
    const k = this.faults.findIndex((f) => f.scope === scope);
    if (k < 0) return false;
    const [fault] = this.faults.splice(k, 1) as [InjectedFault];
    if (fault.executed && fault.kind !== undefined && fault.kind !== "status") return fault;
    if (fault.kind === "timeout") {
      holdThenDrop(res, fault.delayMs);
      return true;
    }
    if (fault.kind === "malformed-json") {
      sendMalformedJson(res);
      return true;
    }
    if (fault.status === 429) {
      // Shopify's 429: a Retry-After header (seconds) and a plain errors string.
      sendJson(
        res,
        429,
        { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
        { "Retry-After": fault.retryAfter ?? "2.0", "X-Request-Id": randomUUID() },
      );
      return true;
    }
    const text = `${fault.status} ${STATUS_TEXT[fault.status] ?? "Error"}`;
    res.writeHead(fault.status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)) });
    res.end(text);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // control API

  private customerIndexFrom(id: unknown): number {
    const s = String(id ?? "");
    const g = parseGid(s);
    const legacy = g ? (g.type === "Customer" ? g.id : "") : s;
    return this.store.customerIndex(legacy);
  }

  private orderIndexFrom(id: unknown): number {
    const s = String(id ?? "");
    const g = parseGid(s);
    const legacy = g ? (g.type === "Order" ? g.id : "") : s;
    return this.store.orderIndex(legacy);
  }

  customerSummary(i: number) {
    const s = this.store;
    return {
      id: gid("Customer", s.customerLegacyId(i)),
      legacyResourceId: s.customerLegacyId(i),
      firstName: s.firstName(i),
      lastName: s.lastName(i),
      email: s.email(i),
      phone: s.phone(i),
      state: s.state(i),
      createdAt: isoUtc(s.cCreated[i] ?? 0),
      updatedAt: isoUtc(s.cUpdated[i] ?? 0),
    };
  }

  orderSummary(j: number) {
    const s = this.store;
    const c = s.orderCustomer(j);
    return {
      id: gid("Order", s.orderLegacyId(j)),
      legacyResourceId: s.orderLegacyId(j),
      name: s.orderName(j),
      displayFinancialStatus: s.financialStatus(j),
      displayFulfillmentStatus: s.fulfillmentStatus(j),
      cancelledAt: s.isCancelled(j) ? isoUtc(s.oCancelledAt[j] ?? 0) : null,
      cancelReason: s.cancelReason(j),
      closed: s.isClosed(j),
      customerId: c >= 0 ? gid("Customer", s.customerLegacyId(c)) : null,
    };
  }

  private deliveryView(r: DeliveryRecord) {
    return { ...r };
  }

  /** Delivers topics built from the store (or a given payload); waits unless delayMs is set. */
  async deliverTopics(
    topics: string[],
    target: { customer?: number; order?: number; dataRequestId?: number },
    opts: { times?: number; delayMs?: number; webhookId?: string; eventId?: string; payload?: unknown },
  ) {
    const out: Array<{ topic: string; webhookId: string; eventId: string; attempts: DeliveryRecord[] }> = [];
    const waits: Array<Promise<unknown>> = [];
    for (const topic of topics) {
      const body =
        opts.payload === undefined
          ? stringifyPayload(buildPayload({ store: this.store, apiVersion: this.webhooks.opts.apiVersion }, topic, target))
          : typeof opts.payload === "string"
            ? opts.payload
            : JSON.stringify(opts.payload);
      const { records, done } = this.webhooks.deliver(topic, body, {
        ...(opts.times !== undefined ? { times: opts.times } : {}),
        ...(opts.delayMs !== undefined ? { delayMs: opts.delayMs } : {}),
        ...(opts.webhookId !== undefined ? { webhookId: opts.webhookId } : {}),
        ...(opts.eventId !== undefined ? { eventId: opts.eventId } : {}),
      });
      waits.push(done);
      const first = records[0] as DeliveryRecord;
      out.push({ topic, webhookId: first.webhookId, eventId: first.eventId, attempts: records });
    }
    const scheduled = !!opts.delayMs;
    if (!scheduled) await Promise.all(waits);
    return {
      scheduled,
      deliveries: out.map((d) => ({
        topic: d.topic,
        webhookId: d.webhookId,
        eventId: d.eventId,
        statuses: d.attempts.map((a) => a.status),
        attempts: d.attempts.map((a) => this.deliveryView(a)),
      })),
    };
  }

  private deliverOpts(body: Record<string, unknown>, nested = true) {
    const d = (nested ? body.deliver : body) as Record<string, unknown> | undefined | false;
    if (d === false) return null;
    const src = d && typeof d === "object" ? d : {};
    return {
      topics: Array.isArray(src.topics) ? src.topics.map(String) : undefined,
      ...(src.times !== undefined ? { times: Number(src.times) } : {}),
      ...(src.delayMs !== undefined ? { delayMs: Number(src.delayMs) } : {}),
      ...(src.webhookId !== undefined ? { webhookId: String(src.webhookId) } : {}),
      ...(src.eventId !== undefined ? { eventId: String(src.eventId) } : {}),
    };
  }

  private defaultTarget(topic: string) {
    const s = this.store;
    if (topic.startsWith("orders/")) {
      const want = topic === "orders/paid" ? (j: number) => s.financialStatus(j) === "PAID" && !s.isCancelled(j) : topic === "orders/cancelled" ? (j: number) => s.isCancelled(j) : () => true;
      for (let j = s.orderCount - 1; j >= 0; j--) if (want(j)) return { order: j };
      return {};
    }
    if (topic.startsWith("customers/")) {
      for (let i = s.customerCount - 1; i >= 0; i--) if (topic !== "customers/redact" || s.customerOrders(i).length) return { customer: i };
      return s.customerCount ? { customer: s.customerCount - 1 } : {};
    }
    return {};
  }

  async control(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const s = this.store;
    if (method === "GET" && path === "/_emulator/health") {
      return sendJson(res, 200, {
        ok: true,
        shop: s.shop.myshopifyDomain,
        customers: s.customerCount,
        orders: s.orderCount,
        seed: s.options.seed,
        currency: s.shop.currencyCode,
      });
    }
    if (method === "POST" && path === "/_emulator/customers") {
      const body = await readJson(req);
      const state = body.state === undefined ? undefined : String(body.state).toUpperCase();
      if (state !== undefined && !(CUSTOMER_STATES as readonly string[]).includes(state)) throw new HttpError(422, { errors: { state: ["is not included in the list"] } });
      const input: NewCustomerInput = {
        firstName: (body.firstName as string | null | undefined) ?? null,
        lastName: (body.lastName as string | null | undefined) ?? null,
        email: (body.email as string | null | undefined) ?? null,
        phone: (body.phone as string | null | undefined) ?? null,
        ...(state ? { state: state as NewCustomerInput["state"] } : {}),
        ...(Array.isArray(body.tags) ? { tags: body.tags.map(String) } : {}),
        ...(typeof body.locale === "string" ? { locale: body.locale } : {}),
        ...(typeof body.note === "string" ? { note: body.note } : {}),
        ...(typeof body.emailMarketingState === "string" ? { emailMarketingState: body.emailMarketingState as NewCustomerInput["emailMarketingState"] } : {}),
        ...(typeof body.smsMarketingState === "string" ? { smsMarketingState: body.smsMarketingState as NewCustomerInput["smsMarketingState"] } : {}),
      };
      let i: number;
      try {
        i = s.createCustomer(input);
      } catch (e) {
        if (e instanceof StoreError) throw new HttpError(422, { errors: { [e.field]: [e.message] } });
        throw e;
      }
      const d = this.deliverOpts(body);
      const delivered = d ? await this.deliverTopics(d.topics ?? ["customers/create"], { customer: i }, d) : { scheduled: false, deliveries: [] };
      return sendJson(res, 201, { customer: this.customerSummary(i), ...delivered });
    }
    let m = /^\/_emulator\/customers\/([^/]+)$/.exec(path);
    if ((method === "PATCH" || method === "POST") && m) {
      const i = this.customerIndexFrom(decodeURIComponent(m[1] ?? ""));
      if (i < 0) throw new HttpError(404, { errors: "Not Found" });
      const body = await readJson(req);
      for (const field of ["email", "phone"]) {
        if (field in body) throw new HttpError(422, { errors: { [field]: ["cannot be changed through the emulator"] } });
      }
      const text = (k: string) => (body[k] === undefined ? undefined : body[k] === null ? null : String(body[k]));
      const patch = {
        ...(text("firstName") !== undefined ? { firstName: text("firstName") ?? null } : {}),
        ...(text("lastName") !== undefined ? { lastName: text("lastName") ?? null } : {}),
        ...(text("note") !== undefined ? { note: text("note") ?? null } : {}),
        ...(Array.isArray(body.tags) ? { tags: body.tags.map(String) } : {}),
      };
      s.updateCustomer(i, patch);
      if (typeof body.state === "string") {
        const state = body.state.toUpperCase();
        if (!(CUSTOMER_STATES as readonly string[]).includes(state)) throw new HttpError(422, { errors: { state: ["is not included in the list"] } });
        s.setCustomerState(i, state as (typeof CUSTOMER_STATES)[number]);
      }
      const d = this.deliverOpts(body);
      const delivered = d ? await this.deliverTopics(d.topics ?? ["customers/update"], { customer: i }, d) : { scheduled: false, deliveries: [] };
      return sendJson(res, 200, { customer: this.customerSummary(i), ...delivered });
    }
    m = /^\/_emulator\/customers\/([^/]+)\/(enable|disable)$/.exec(path);
    if (method === "POST" && m) {
      const i = this.customerIndexFrom(decodeURIComponent(m[1] ?? ""));
      if (i < 0) throw new HttpError(404, { errors: "Not Found" });
      const body = await readJson(req);
      s.setCustomerState(i, m[2] === "enable" ? "ENABLED" : "DISABLED");
      const d = this.deliverOpts(body, !("topics" in body || "times" in body || "delayMs" in body));
      const delivered = d ? await this.deliverTopics(d.topics ?? [`customers/${m[2]}`], { customer: i }, d) : { scheduled: false, deliveries: [] };
      return sendJson(res, 200, { customer: this.customerSummary(i), ...delivered });
    }
    m = /^\/_emulator\/orders\/([^/]+)\/(cancel|pay)$/.exec(path);
    if (method === "POST" && m) {
      const j = this.orderIndexFrom(decodeURIComponent(m[1] ?? ""));
      if (j < 0) throw new HttpError(404, { errors: "Not Found" });
      const body = await readJson(req);
      if (m[2] === "cancel") {
        if (s.isCancelled(j)) throw new HttpError(422, { errors: { base: ["Order has already been cancelled"] } });
        const reason = String(body.reason ?? "CUSTOMER").toUpperCase();
        if (!(CANCEL_REASONS as readonly string[]).includes(reason)) throw new HttpError(422, { errors: { reason: ["is not included in the list"] } });
        s.cancelOrder(j, reason as CancelReason);
      } else {
        s.markOrderPaid(j);
      }
      const d = this.deliverOpts(body, !("topics" in body || "times" in body || "delayMs" in body));
      const topic = m[2] === "cancel" ? "orders/cancelled" : "orders/paid";
      const delivered = d ? await this.deliverTopics(d.topics ?? [topic], { order: j }, d) : { scheduled: false, deliveries: [] };
      return sendJson(res, 200, { order: this.orderSummary(j), ...delivered });
    }
    if (method === "POST" && path === "/_emulator/webhooks") {
      const body = await readJson(req);
      const topic = String(body.topic ?? "");
      if (!topic) throw new HttpError(400, { errors: { topic: ["can't be blank"] } });
      const target: { customer?: number; order?: number; dataRequestId?: number } = {};
      if (body.customerId !== undefined) {
        const i = this.customerIndexFrom(body.customerId);
        if (i < 0) throw new HttpError(404, { errors: { customerId: ["not found"] } });
        target.customer = i;
      }
      if (body.orderId !== undefined) {
        const j = this.orderIndexFrom(body.orderId);
        if (j < 0) throw new HttpError(404, { errors: { orderId: ["not found"] } });
        target.order = j;
      }
      if (body.dataRequestId !== undefined) target.dataRequestId = Number(body.dataRequestId);
      if (body.payload === undefined) {
        if (!(SUPPORTED_TOPICS as readonly string[]).includes(topic)) {
          throw new HttpError(400, { errors: { topic: [`cannot build a payload for ${topic}; pass "payload"`] } });
        }
        Object.assign(target, { ...this.defaultTarget(topic), ...target });
        if (topic.startsWith("orders/") && target.order === undefined) throw new HttpError(422, { errors: { orderId: ["no order to use"] } });
        if (topic.startsWith("customers/") && target.customer === undefined) throw new HttpError(422, { errors: { customerId: ["no customer to use"] } });
      }
      const d = this.deliverOpts(body, false) ?? {};
      const delivered = await this.deliverTopics([topic], target, { ...d, payload: body.payload });
      return sendJson(res, 200, delivered);
    }
    if (method === "GET" && path === "/_emulator/metafields") {
      const ownerId = url.searchParams.get("ownerId");
      const ns = url.searchParams.get("namespace");
      const namespace = ns ? resolveNamespace(ns, this.appId) : null;
      const list = [];
      for (const [owner, byKey] of s.metafields) {
        if (ownerId && owner !== ownerId) continue;
        for (const mf of byKey.values()) {
          if (namespace && mf.namespace !== namespace) continue;
          list.push({
            id: gid("Metafield", mf.id),
            ownerId: mf.ownerId,
            ownerType: mf.ownerType,
            namespace: mf.namespace,
            key: mf.key,
            type: mf.type,
            value: mf.value,
            compareDigest: mf.compareDigest,
            createdAt: isoUtc(mf.createdAt),
            updatedAt: isoUtc(mf.updatedAt),
          });
        }
      }
      return sendJson(res, 200, { metafields: list });
    }
    if (method === "POST" && path === "/_emulator/reset") {
      const body = await readJson(req);
      this.webhooks.close();
      this.bulk.abortAll();
      await this.bulk.idle();
      this.store = this.seed({
        ...(body.seed !== undefined ? { seed: Number(body.seed) } : {}),
        ...(body.customers !== undefined ? { customers: Number(body.customers) } : {}),
        ...(body.orders !== undefined ? { orders: Number(body.orders) } : {}),
        ...(body.currency === "USD" || body.currency === "BRL" ? { currency: body.currency } : {}),
      });
      this.webhooks.reopen();
      this.webhooks.reset();
      this.buckets.clear();
      this.faults = [];
      return sendJson(res, 200, { ok: true, shop: this.store.shop.myshopifyDomain, customers: this.store.customerCount, orders: this.store.orderCount });
    }
    if (path === "/_emulator/deliveries") {
      if (method === "DELETE") {
        this.webhooks.reset();
        return sendJson(res, 200, { deliveries: [] });
      }
      const topic = url.searchParams.get("topic");
      return sendJson(res, 200, { deliveries: this.webhooks.deliveries.filter((d) => !topic || d.topic === topic) });
    }
    if (method === "POST" && path === "/_emulator/throttle") {
      const body = await readJson(req);
      if (body.maximumAvailable !== undefined) this.throttle.maximumAvailable = Number(body.maximumAvailable);
      if (body.restoreRate !== undefined) this.throttle.restoreRate = Number(body.restoreRate);
      const token = this.accessToken;
      const bucket = this.bucketFor(token);
      for (const b of this.buckets.values()) b.config = { ...this.throttle };
      if (body.currentlyAvailable !== undefined) for (const b of this.buckets.values()) b.set(Number(body.currentlyAvailable));
      return sendJson(res, 200, { throttleStatus: bucket.status() });
    }
    if (path === "/_emulator/faults") {
      if (method === "POST") {
        const body = await readJson(req);
        const count = Number(body.count ?? 1);
        const status = Number(body.status);
        const scope = body.scope === "bulk" ? "bulk" : "admin";
        if (!Number.isInteger(count) || count < 0) throw new HttpError(422, { errors: { count: ["must be an integer >= 0"] } });
        const kind = (body.kind ?? "status") as FaultKind;
        if (count === 0) {
          this.faults = this.faults.filter((f) => f.scope !== scope);
        } else if (kind !== "status") {
          if (!FAULT_KINDS.has(kind)) throw new HttpError(422, { errors: { kind: ["must be one of status, timeout, malformed-json"] } });
          const delayMs = body.delayMs === undefined ? undefined : Number(body.delayMs);
          if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) throw new HttpError(422, { errors: { delayMs: ["must be a number >= 0"] } });
          const executed = body.executed === true;
          for (let k = 0; k < count; k++) {
            this.faults.push({ kind, status: kind === "timeout" ? 0 : 200, scope, ...(kind === "timeout" ? { delayMs: delayMs ?? DEFAULT_TIMEOUT_FAULT_MS } : {}), ...(executed ? { executed } : {}) });
          }
        } else {
          if (!FAULT_STATUSES.has(status)) throw new HttpError(422, { errors: { status: ["must be one of 429, 500, 502, 503, 504"] } });
          const retryAfter = body.retryAfter === undefined ? undefined : String(body.retryAfter);
          for (let k = 0; k < count; k++) this.faults.push({ status, scope, ...(retryAfter !== undefined ? { retryAfter } : {}) });
        }
      } else if (method === "DELETE") {
        this.faults = [];
      }
      return sendJson(res, 200, { faults: this.faults });
    }
    if (path === "/_emulator/requests") {
      if (method === "DELETE") {
        this.requests.admin = 0;
        this.requests.bulkDownloads = 0;
      }
      return sendJson(res, 200, { ...this.requests });
    }
    if (path === "/_emulator/bulk") {
      if (method === "POST") {
        const body = await readJson(req);
        if (typeof body.paused === "boolean") this.bulk.setPaused(body.paused);
      }
      return sendJson(res, 200, {
        paused: this.bulk.paused,
        bulkOperations: this.bulk.all.map((o) => ({ ...o, file: undefined, done: undefined, cancelRequested: undefined })),
      });
    }
    if (method === "GET" && (m = /^\/_emulator\/customers\/([^/]+)$/.exec(path))) {
      const i = this.customerIndexFrom(decodeURIComponent(m[1] ?? ""));
      if (i < 0) throw new HttpError(404, { errors: "Not Found" });
      return sendJson(res, 200, { customer: this.customerSummary(i) });
    }
    throw new HttpError(404, { errors: "Not Found" });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    try {
      const gql = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
      if (gql) {
        this.requests.admin++;
        const fault = this.sendFault(res, "admin");
        if (fault === true) return;
        if (req.method !== "POST") throw new HttpError(405, { errors: "Method Not Allowed" });
        // A fault after the fact: the request runs, then its answer is lost (timeout) or spoiled.
        if (fault) spoilAnswer(res, fault);
        return await this.graphql(req, res, gql[1] ?? "unstable");
      }
      const bulk = /^\/bulk\/(\d+)\.jsonl$/.exec(path);
      if (bulk && req.method === "GET") {
        this.requests.bulkDownloads++;
        if (this.sendFault(res, "bulk") !== false) return;
        const stream = this.bulk.openFile(bulk[1] ?? "");
        if (!stream) throw new HttpError(404, { errors: "Not Found" });
        res.writeHead(200, { "Content-Type": "application/jsonl" });
        stream.pipe(res);
        return;
      }
      if (path.startsWith("/_emulator/")) return await this.control(req, res, path, url);
      throw new HttpError(404, { errors: "Not Found" });
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) return sendJson(res, e.status, e.body);
      if (e instanceof SyntaxError) return sendJson(res, 400, { errors: "Invalid JSON in request body" });
      return sendJson(res, 500, { errors: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** No answer: the request is held, then its connection dropped (what a client sees as a timeout). */
function holdThenDrop(res: ServerResponse, delayMs = DEFAULT_TIMEOUT_FAULT_MS) {
  const timer = setTimeout(() => res.destroy(), delayMs);
  timer.unref();
  res.once("close", () => clearTimeout(timer));
}

/** HTTP 200, JSON content type, a body cut short in the middle of an object. */
function sendMalformedJson(res: ServerResponse) {
  const text = '{"data":{"customers":{"edges":[{"cursor":"eyJsYXN0X2lkIjo';
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

/** Starts the emulator on `host:port` (defaults 127.0.0.1 and a free port). */
export async function startShopifyEmulator(opts: ShopifyEmulatorOptions = {}): Promise<ShopifyEmulator> {
  const emu = new Emulator(opts);
  const server: Server = createServer((req, res) => {
    void emu.handle(req, res);
  });
  server.keepAliveTimeout = 1000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  emu.baseUrl = url;
  let closed = false;
  return {
    url,
    port,
    get store() {
      return emu.store;
    },
    async idle() {
      await emu.bulk.idle();
      await emu.webhooks.idle();
    },
    async close() {
      if (closed) return;
      closed = true;
      emu.webhooks.close();
      emu.bulk.abortAll();
      await emu.bulk.idle().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await emu.webhooks.idle();
      emu.bulk.close();
    },
  };
}

export type { DeliveryRecord } from "./webhooks.js";
export { CUSTOMER_STATES, CANCEL_REASONS } from "./store.js";
