import {
  PlatformError,
  type BalanceWrite,
  type BalanceWriteResult,
  type CustomerSnapshot,
  type OrderSnapshot,
  type Page,
  type PlatformClient,
  type StoreCounts,
  type StreamOptions,
} from "../platform-client";
import { decodeCursor, encodeCursor, MappingError, parseLinkHeader, toCustomerSnapshot, toOrderSnapshot, type StreamPosition } from "./nuvemshop-mapping";
import { describeErrorBody, NuvemshopRest, type NuvemshopRestOptions, type RestResponse } from "./nuvemshop-rest.server";

export interface NuvemshopClientOptions extends NuvemshopRestOptions {
  /** Records per list request (default 200, Nuvemshop's maximum). */
  perPage?: number;
  /** Metafield namespace holding the loyalty state (default `carryover`). */
  namespace?: string;
}

/**
 * Orders are pulled in one pass per payment status. Nuvemshop's documented default for `payment_status`
 * is "any", which it defines as authorized, pending and paid only: without explicit passes, abandoned,
 * refunded and voided orders (the ones that reverse points) would never be seen. These are the documented
 * values; a value the API refuses (422) is read as an empty pass, so adding one is safe.
 */
export const ORDER_PAYMENT_PASSES = ["pending", "authorized", "paid", "abandoned", "refunded", "voided"] as const;

/** Metafield keys of the loyalty state (values are strings; an absent metafield reads as null). */
export const BALANCE_KEYS = { points: "points", tier: "tier", restoredAt: "restored_at" } as const;

const CUSTOMER_FIELDS = "id,name,email,phone,identification,created_at,updated_at";
const ORDER_FIELDS = "id,number,customer,payment_status,shipping_status,status,cancelled_at,total,currency,created_at,updated_at";
const MAX_PER_PAGE = 200;

type Json = Record<string, unknown>;
interface StoredMetafield {
  id: string;
  value: string;
}
/** Per customer: metafield key → the stored metafield. */
type BalanceFields = Map<string, StoredMetafield>;

/** A balance that could not be written for this customer alone (the batch goes on). */
class CustomerWriteError extends Error {}

/** `updated_at_min` as Nuvemshop's docs write instants (whole seconds, numeric offset), floored so nothing is missed. */
function apiInstant(iso: string): string {
  return `${new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

export class NuvemshopClient implements PlatformClient {
  readonly platform = "nuvemshop" as const;
  readonly rest: NuvemshopRest;
  private readonly perPage: number;
  private readonly namespace: string;

  constructor(options: NuvemshopClientOptions) {
    this.rest = new NuvemshopRest(options);
    this.perPage = Math.max(1, Math.min(MAX_PER_PAGE, options.perPage ?? MAX_PER_PAGE));
    this.namespace = options.namespace ?? "carryover";
  }

  async storeCounts(): Promise<StoreCounts> {
    const customers = await this.count("/customers", {});
    let orders = 0;
    for (const pass of ORDER_PAYMENT_PASSES) orders += await this.count("/orders", { payment_status: pass });
    return { customers, orders };
  }

  customers(options: StreamOptions = {}): AsyncIterable<Page<CustomerSnapshot>> {
    return this.stream("/customers", CUSTOMER_FIELDS, null, [""], options, toCustomerSnapshot);
  }

  orders(options: StreamOptions = {}): AsyncIterable<Page<OrderSnapshot>> {
    return this.stream("/orders", ORDER_FIELDS, "payment_status", ORDER_PAYMENT_PASSES, options, toOrderSnapshot);
  }

  async customer(platformId: string): Promise<CustomerSnapshot | null> {
    if (!/^\d+$/.test(platformId)) return null;
    const res = await this.rest.get<Json>(`/customers/${platformId}`, { query: { fields: CUSTOMER_FIELDS }, accept: [404] });
    if (res.status === 404) return null;
    return this.map(res.body, toCustomerSnapshot, `GET /customers/${platformId}`);
  }

  async order(platformId: string): Promise<OrderSnapshot | null> {
    if (!/^\d+$/.test(platformId)) return null;
    const res = await this.rest.get<Json>(`/orders/${platformId}`, { query: { fields: ORDER_FIELDS }, accept: [404] });
    if (res.status === 404) return null;
    return this.map(res.body, toOrderSnapshot, `GET /orders/${platformId}`);
  }

  /**
   * One metafield per key (`points`, `tier`, `restored_at`) in the `carryover` namespace of each customer:
   * created when missing, updated (PUT) when different, left alone when equal, deleted when the value is now
   * null (Nuvemshop refuses blank values, so "no tier" is "no metafield"). A customer the store refuses (unknown
   * id: 422/404) goes to `failed`; the others are written. Platform-wide failures (token refused, API down after
   * retries) throw, and the batch can be run again: unchanged values cost no write.
   *
   * Cost: 1 to 3 writes per customer, plus finding what is stored — either one list request per customer
   * (`owner_id` + `namespace`), or, when the namespace holds few enough metafields, the whole namespace in
   * pages of 200 (whichever needs fewer requests). At 2 requests/s (the base plan) a first push of
   * 10,000 balances with tiers takes about 3 hours; larger plans are 10 times faster.
   */
  async writeBalances(balances: BalanceWrite[]): Promise<BalanceWriteResult> {
    const failed: BalanceWriteResult["failed"] = [];
    let written = 0;
    const valid = balances.filter((b) => {
      if (/^\d+$/.test(b.customerId)) return true;
      failed.push({ customerId: b.customerId, message: "not a Nuvemshop customer id (a number)" });
      return false;
    });
    const stored = await this.prefetchBalanceFields(new Set(valid.map((b) => b.customerId)));
    for (const balance of valid) {
      try {
        if (!Number.isFinite(balance.points)) throw new CustomerWriteError(`points must be a number, got ${String(balance.points)}`);
        let fields = stored?.get(balance.customerId);
        if (!fields) {
          fields = await this.lookupBalanceFields(balance.customerId);
          stored?.set(balance.customerId, fields);
        }
        await this.writeField(balance.customerId, fields, BALANCE_KEYS.points, String(balance.points));
        await this.writeField(balance.customerId, fields, BALANCE_KEYS.tier, balance.tier?.trim() ? balance.tier : null);
        await this.writeField(balance.customerId, fields, BALANCE_KEYS.restoredAt, balance.restoredAt?.trim() ? balance.restoredAt : null);
        written++;
      } catch (error) {
        if (error instanceof CustomerWriteError) failed.push({ customerId: balance.customerId, message: error.message });
        else if (error instanceof PlatformError && (error.code === "BAD_RESPONSE" || error.code === "NOT_FOUND")) failed.push({ customerId: balance.customerId, message: error.message });
        else throw error;
      }
    }
    return { written, failed };
  }

  // ---- reading ---------------------------------------------------------------------------------

  private map<J, T>(json: J, mapper: (j: J) => T, where: string): T {
    try {
      return mapper(json);
    } catch (error) {
      if (error instanceof MappingError) throw new PlatformError(`Nuvemshop answered ${where} with ${error.message}`, "BAD_RESPONSE", false);
      throw error;
    }
  }

  private async count(path: string, query: Record<string, string>): Promise<number> {
    const res = await this.rest.get<unknown>(path, { query: { ...query, per_page: 1, fields: "id" }, accept: [404, 422] });
    // A list with nothing in it, or a filter value this store's API does not know: no records.
    if (res.status === 404 || res.status === 422) return 0;
    const total = Number(res.headers.get("x-total-count"));
    if (!res.headers.has("x-total-count") || !Number.isSafeInteger(total) || total < 0) {
      throw new PlatformError(`Nuvemshop answered GET ${path} without a usable X-Total-Count`, "BAD_RESPONSE", false);
    }
    return total;
  }

  /**
   * Pages through a list by `since_id` (see StreamPosition for why not by page number), `per_page=200`,
   * optionally `updated_at_min`, one pass per value of `passParam`. Uses the `Link` header's rel="next" to
   * know whether more follows, and `X-Total-Count` for the total. Ids must come in ascending order (they do:
   * the walk depends on it, so an answer that breaks it fails loudly instead of skipping records).
   * `mode` does not matter: Nuvemshop has no bulk export, every mode pages. `total` is what was streamed
   * plus what is left in the current pass: exact for customers, a lower bound for orders until the last pass.
   * A list answering 404 (no records) or, for a pass, 422 (a filter value the API does not know) is empty.
   * A record changed during a long pull may show up in two passes (consumers upsert by id) or be missed by
   * this pull (its `updated_at` moved, so the next incremental sync picks it up).
   */
  private async *stream<T extends { platformId: string }>(
    path: string,
    fields: string,
    passParam: string | null,
    passes: readonly string[],
    options: StreamOptions,
    mapper: (json: Json) => T,
  ): AsyncGenerator<Page<T>> {
    let position: StreamPosition;
    if (options.cursor) {
      try {
        position = decodeCursor(options.cursor);
      } catch (error) {
        throw new PlatformError(`cannot resume ${path}: ${(error as Error).message}`, "BAD_RESPONSE", false);
      }
      if (!passes.includes(position.pass)) throw new PlatformError(`cannot resume ${path}: the cursor belongs to another stream`, "BAD_RESPONSE", false);
    } else {
      position = { pass: passes[0] ?? "", sinceId: null, updatedMin: options.updatedSince ? options.updatedSince.toISOString() : null, seen: 0 };
    }

    for (;;) {
      const query: Record<string, string | number | undefined> = {
        per_page: this.perPage,
        fields,
        since_id: position.sinceId ?? undefined,
        updated_at_min: position.updatedMin ? apiInstant(position.updatedMin) : undefined,
      };
      if (passParam) query[passParam] = position.pass;
      const res = await this.rest.get<unknown>(path, { query, accept: passParam ? [404, 422] : [404] });
      const { items, more, remaining } = this.readList(res, path, position.sinceId, mapper);
      const seen = position.seen + items.length;
      const passIndex = passes.indexOf(position.pass);
      let next: StreamPosition | null = null;
      if (more) next = { ...position, sinceId: items.at(-1)?.platformId ?? position.sinceId, seen };
      else if (passIndex + 1 < passes.length) next = { pass: passes[passIndex + 1] ?? "", sinceId: null, updatedMin: position.updatedMin, seen };
      // An empty page in the middle (an empty pass) is not worth a page of its own; the last page always is.
      if (items.length > 0 || next === null) {
        yield { items, cursor: next ? encodeCursor(next) : null, total: position.seen + remaining };
      }
      if (!next) return;
      position = next;
    }
  }

  private readList<T extends { platformId: string }>(
    res: RestResponse<unknown>,
    path: string,
    sinceId: string | null,
    mapper: (json: Json) => T,
  ): { items: T[]; more: boolean; remaining: number } {
    if (res.status === 404 || res.status === 422) return { items: [], more: false, remaining: 0 };
    if (!Array.isArray(res.body)) throw new PlatformError(`Nuvemshop answered GET ${path} with something other than a list`, "BAD_RESPONSE", false);
    const items = res.body.map((json) => this.map(json as Json, mapper, `GET ${path}`));
    let previous = sinceId === null ? -1n : BigInt(sinceId);
    for (const item of items) {
      const id = BigInt(item.platformId);
      if (id <= previous) {
        throw new PlatformError(`Nuvemshop answered GET ${path} with ids out of ascending order (${item.platformId} after ${previous}); a since_id walk would skip records`, "BAD_RESPONSE", false);
      }
      previous = id;
    }
    const linkHeader = res.headers.get("link");
    // Trust rel="next"; without any Link header, a full page may still have a successor (one extra request at worst).
    const more = items.length > 0 && (linkHeader ? parseLinkHeader(linkHeader).next !== undefined : items.length >= this.perPage);
    const total = Number(res.headers.get("x-total-count"));
    const remaining = res.headers.has("x-total-count") && Number.isSafeInteger(total) ? total : items.length;
    return { items, more, remaining };
  }

  // ---- balances (metafields) -------------------------------------------------------------------

  private metafieldsOf(list: unknown): Array<{ id: string; ownerId: string; key: string; value: string }> {
    if (!Array.isArray(list)) throw new PlatformError("Nuvemshop answered GET /metafields/customers with something other than a list", "BAD_RESPONSE", false);
    return list.flatMap((m: Json) =>
      m && m.namespace === this.namespace && typeof m.key === "string" && typeof m.value === "string" && m.id !== undefined && m.owner_id !== undefined
        ? [{ id: String(m.id), ownerId: String(m.owner_id), key: m.key, value: m.value }]
        : [],
    );
  }

  private async lookupBalanceFields(customerId: string): Promise<BalanceFields> {
    const res = await this.rest.get<unknown>("/metafields/customers", { query: { owner_id: customerId, namespace: this.namespace, per_page: MAX_PER_PAGE } });
    const fields: BalanceFields = new Map();
    for (const m of this.metafieldsOf(res.body)) if (m.ownerId === customerId) fields.set(m.key, { id: m.id, value: m.value });
    return fields;
  }

  /**
   * Reads the whole namespace when that takes fewer requests than one lookup per customer; null when it
   * would not (each customer is then looked up on its own). Customers without metafields map to empty.
   */
  private async prefetchBalanceFields(customerIds: Set<string>): Promise<Map<string, BalanceFields> | null> {
    if (customerIds.size <= 2) return null;
    const all = new Map<string, BalanceFields>();
    let sinceId: string | undefined;
    for (let page = 0; ; page++) {
      const res = await this.rest.get<unknown>("/metafields/customers", { query: { namespace: this.namespace, per_page: MAX_PER_PAGE, since_id: sinceId }, accept: [404] });
      if (res.status === 404) break;
      if (page === 0) {
        const total = Number(res.headers.get("x-total-count"));
        if (!Number.isSafeInteger(total) || Math.ceil(total / MAX_PER_PAGE) > customerIds.size) return null;
      }
      const list = this.metafieldsOf(res.body);
      for (const m of list) {
        if (!customerIds.has(m.ownerId)) continue;
        const fields = all.get(m.ownerId) ?? new Map<string, StoredMetafield>();
        fields.set(m.key, { id: m.id, value: m.value });
        all.set(m.ownerId, fields);
      }
      const raw = res.body as unknown[];
      const linkHeader = res.headers.get("link");
      const more = raw.length > 0 && (linkHeader ? parseLinkHeader(linkHeader).next !== undefined : raw.length >= MAX_PER_PAGE);
      if (!more) break;
      sinceId = String((raw.at(-1) as Json).id);
    }
    for (const id of customerIds) if (!all.has(id)) all.set(id, new Map());
    return all;
  }

  private async writeField(customerId: string, fields: BalanceFields, key: string, value: string | null): Promise<void> {
    const current = fields.get(key);
    if (value === null) {
      if (!current) return;
      await this.rest.request("DELETE", `/metafields/${current.id}`, { accept: [404] });
      fields.delete(key);
      return;
    }
    if (current?.value === value) return;
    if (current) {
      const res = await this.rest.request<Json>("PUT", `/metafields/${current.id}`, { body: { value }, accept: [404, 422] });
      if (res.status === 200) {
        fields.set(key, { id: current.id, value });
        return;
      }
      if (res.status === 422) throw new CustomerWriteError(`Nuvemshop refused ${key}: ${describeJson(res.body)}`);
      fields.delete(key); // deleted meanwhile: create it again
    }
    const created = await this.rest.request<Json>("POST", "/metafields", {
      body: { owner_resource: "Customer", owner_id: customerId, namespace: this.namespace, key, value },
      accept: [404, 422],
    });
    if (created.status === 201 || created.status === 200) {
      fields.set(key, { id: String(created.body.id), value });
      return;
    }
    const errors = created.body ?? {};
    const keyErrors = Array.isArray(errors.key) ? errors.key.map(String) : [];
    if (created.status === 422 && keyErrors.some((m) => /taken/i.test(m))) {
      // Written by someone else since we looked: read it and update it instead.
      const fresh = await this.lookupBalanceFields(customerId);
      const existing = fresh.get(key);
      if (existing) {
        for (const [k, v] of fresh) fields.set(k, v);
        return this.writeField(customerId, fields, key, value);
      }
    }
    const ownerErrors = Array.isArray(errors.owner_id) ? errors.owner_id.map(String) : [];
    if (ownerErrors.length || created.status === 404) throw new CustomerWriteError(`the store has no customer ${customerId} (${describeJson(errors)})`);
    throw new CustomerWriteError(`Nuvemshop refused ${key}: ${describeJson(errors)}`);
  }
}

function describeJson(body: unknown): string {
  return describeErrorBody(JSON.stringify(body ?? {}));
}
