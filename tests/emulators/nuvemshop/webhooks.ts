// Webhook payloads and signed delivery, the way Nuvemshop sends them: a POST whose JSON body carries
// only `{ store_id, event, id }` (the app fetches the resource itself), signed with
// `X-Linkedstore-HMAC-SHA256` = hex HMAC-SHA256 of the raw body with the app secret.
// https://tiendanube.github.io/api-documentation/resources/webhook

import { createHmac } from "node:crypto";
import type { NuvemshopStore } from "./store.js";

/** Events accepted by `POST /webhooks` (the documented list, 2025-03). */
export const WEBHOOK_EVENTS = [
  "app/uninstalled",
  "app/suspended",
  "app/resumed",
  "category/created",
  "category/updated",
  "category/deleted",
  "customer/created",
  "customer/updated",
  "customer/deleted",
  "order/created",
  "order/updated",
  "order/paid",
  "order/packed",
  "order/fulfilled",
  "order/cancelled",
  "order/edited",
  "order/pending",
  "order/voided",
  "product/created",
  "product/updated",
  "product/deleted",
  "domain/updated",
  "store/redact",
  "customers/redact",
  "customers/data_request",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DEFAULT_WEBHOOK_PATH = "/webhooks/nuvemshop";
export const DELIVERY_TIMEOUT_MS = 10_000;

export function signBody(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

export interface DeliveryRecord {
  seq: number;
  event: string;
  id: number | null;
  url: string;
  attempt: number;
  times: number;
  body: string;
  hmac: string;
  status: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface DeliverRequest {
  event: string;
  /** Resource id(s); omitted for events without one (store/redact). */
  ids: Array<number | null>;
  /** An exact payload (object or raw string) instead of the built one. */
  payload?: unknown;
  times?: number;
  delayMs?: number;
  /** Deliver the batch (ids × times) in reverse order. */
  outOfOrder?: boolean;
}

export interface DeliverResult {
  scheduled: boolean;
  deliveries: Array<{ seq: number; event: string; id: number | null; url: string; attempt: number; status: number | null }>;
}

export interface DelivererOptions {
  store: () => NuvemshopStore;
  appSecret: string;
  appUrl: string | undefined;
  webhookPaths: Record<string, string>;
  appId: number;
}

export class WebhookDeliverer {
  readonly log: DeliveryRecord[] = [];
  private seq = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly opts: DelivererOptions) {}

  /** Registered webhook URLs for the event, else `appUrl + webhookPaths[event]`, else none. */
  targets(event: string): string[] {
    const urls = [...this.opts.store().webhooks.values()].filter((w) => w.event === event).map((w) => w.url);
    if (urls.length > 0) return urls;
    if (!this.opts.appUrl) return [];
    const path = this.opts.webhookPaths[event] ?? this.opts.webhookPaths["*"] ?? DEFAULT_WEBHOOK_PATH;
    return [this.opts.appUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`)];
  }

  /** The JSON body Nuvemshop sends for an event. */
  payload(event: string, id: number | null): Record<string, unknown> {
    const store = this.opts.store();
    const storeId = store.options.storeId;
    if (event === "store/redact") return { store_id: storeId };
    if (event === "customers/redact" || event === "customers/data_request") {
      const i = id === null ? -1 : store.customerIndex(id);
      const customer = i >= 0 ? { id, email: store.email(i), phone: store.phone(i), identification: store.identification(i) } : { id };
      const orders = i >= 0 ? Array.from(store.ordersOf(i), (j) => store.orderId(j)) : [];
      if (event === "customers/redact") return { store_id: storeId, customer, orders_to_redact: orders };
      return { store_id: storeId, customer, orders_requested: orders, checkouts_requested: [], drafts_orders_requested: [], data_request: { id: 500_000 + this.seq } };
    }
    if (event === "app/uninstalled" || event === "app/suspended" || event === "app/resumed") return { store_id: storeId, event, id: this.opts.appId };
    return { store_id: storeId, event, id };
  }

  /** Delivers now (awaits the attempts) or, with `delayMs`, schedules and returns at once. */
  async deliver(req: DeliverRequest): Promise<DeliverResult> {
    const times = Math.max(1, Math.floor(req.times ?? 1));
    const batch: Array<{ id: number | null; body: string; attempt: number }> = [];
    for (const id of req.ids.length ? req.ids : [null]) {
      // The body is built once per event so repeated deliveries are byte-identical.
      const body = req.payload === undefined ? JSON.stringify(this.payload(req.event, id)) : typeof req.payload === "string" ? req.payload : JSON.stringify(req.payload);
      for (let a = 1; a <= times; a++) batch.push({ id, body, attempt: a });
    }
    if (req.outOfOrder) batch.reverse();
    const urls = this.targets(req.event);
    const records: DeliveryRecord[] = [];
    for (const item of batch) {
      for (const url of urls) {
        const rec: DeliveryRecord = {
          seq: ++this.seq,
          event: req.event,
          id: item.id,
          url,
          attempt: item.attempt,
          times,
          body: item.body,
          hmac: signBody(item.body, this.opts.appSecret),
          status: null,
          error: null,
          durationMs: null,
        };
        this.log.push(rec);
        records.push(rec);
      }
    }
    const run = async () => {
      for (const rec of records) {
        if (this.closed) return;
        await this.send(rec);
      }
    };
    const summary = (): DeliverResult["deliveries"] => records.map((r) => ({ seq: r.seq, event: r.event, id: r.id, url: r.url, attempt: r.attempt, status: r.status }));
    if (req.delayMs && req.delayMs > 0) {
      const p = new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          run().then(resolve, resolve);
        }, req.delayMs);
        this.timers.set(t, resolve);
      });
      this.track(p);
      return { scheduled: true, deliveries: summary() };
    }
    await this.track(run());
    return { scheduled: false, deliveries: summary() };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private async send(rec: DeliveryRecord): Promise<void> {
    const started = performance.now();
    try {
      const res = await fetch(rec.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Nuvemshop-Webhooks (emulator)",
          "X-Linkedstore-HMAC-SHA256": rec.hmac,
        },
        body: rec.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      rec.status = res.status;
    } catch (e) {
      rec.error = e instanceof Error ? e.message : String(e);
    }
    rec.durationMs = Math.round(performance.now() - started);
  }

  /** Resolves when no delivery is running or scheduled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  clear(): void {
    this.log.length = 0;
  }

  close(): void {
    this.closed = true;
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
  }
}
