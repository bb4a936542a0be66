// GraphQL schema (built from sdl.ts) and lazily-built resolver objects over the compact store.
// Resolvers are plain methods: graphql-js's default field resolver calls `source[field](args, context)`.

import { buildSchema, GraphQLError, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { checkPageArgs, encodeCursor, makeSeq, paginate, paginateArray, type PageArgs } from "./connection.js";
import { findDefinition, metafieldDefinitionCreate, metafieldsDelete, metafieldsSet, resolveNamespace, typeCategory, type MetafieldDefinitionInput, type MetafieldsSetInput } from "./metafields.js";
import { compileCustomerSearch, compileOrderSearch, type Filter, type SearchWarning } from "./search.js";
import { SDL } from "./sdl.js";
import type { AddressView, EmulatedStore, MetafieldDefinitionRecord, MetafieldRecord } from "./store.js";
import { decimal, gid, isoUtc, parseGid, tzOffsetMinutes } from "./util.js";

export interface BulkOperationView {
  id: string;
  status: string;
  type: "QUERY" | "MUTATION";
  errorCode: string | null;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  query: string;
}

export interface BulkApi {
  run(query: string, ctx: EmulatorContext): { bulkOperation: BulkOperationView | null; userErrors: Array<{ field: string[] | null; message: string; code: string | null }> };
  cancel(id: string): { bulkOperation: BulkOperationView | null; userErrors: Array<{ field: string[] | null; message: string }> };
  current(type: "QUERY" | "MUTATION"): BulkOperationView | null;
  get(id: string): BulkOperationView | null;
}

export interface EmulatorContext {
  store: EmulatedStore;
  appId: string;
  appInstallationId: string;
  apiKey: string;
  apiVersion: string;
  baseUrl: string;
  bulk: BulkApi;
  searchWarnings: Array<{ path: Array<string | number>; query: string; warnings: SearchWarning[] }>;
}

let cachedSchema: GraphQLSchema | null = null;

export function getSchema(): GraphQLSchema {
  cachedSchema ??= buildSchema(SDL);
  return cachedSchema;
}

// ---------------------------------------------------------------------------------------------
// helpers

function money(cents: number, currencyCode: string) {
  return { amount: decimal(cents), currencyCode };
}

function moneyBag(cents: number, currencyCode: string) {
  const m = money(cents, currencyCode);
  return { shopMoney: m, presentmentMoney: m };
}

function connection<T>(
  items: number[] | T[],
  hasNextPage: boolean,
  hasPreviousPage: boolean,
  node: (x: never) => unknown,
  cursor: (x: never) => string,
) {
  const edges = (items as never[]).map((x) => ({ cursor: cursor(x), node: node(x) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function invalidId(id: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" } });
}

function warn(ctx: EmulatorContext, info: GraphQLResolveInfo | undefined, query: string | null | undefined, warnings: SearchWarning[]): void {
  if (!warnings.length || !query) return;
  const path: Array<string | number> = [];
  for (let p = info?.path; p; p = p.prev) path.unshift(p.key);
  ctx.searchWarnings.push({ path, query, warnings });
}

const CUSTOMER_NATURAL = new Set(["ID", "CREATED_AT", "RELEVANCE"]);
const ORDER_NATURAL = new Set(["ID", "CREATED_AT", "PROCESSED_AT", "ORDER_NUMBER", "RELEVANCE"]);

function customerSortValue(store: EmulatedStore, key: string, i: number): string {
  switch (key) {
    case "UPDATED_AT":
      return isoUtc(store.cUpdated[i] ?? 0);
    case "CREATED_AT":
      return isoUtc(store.cCreated[i] ?? 0);
    case "NAME":
      return store.displayName(i);
    default:
      return store.customerLegacyId(i);
  }
}

function orderSortValue(store: EmulatedStore, key: string, j: number): string {
  switch (key) {
    case "UPDATED_AT":
      return isoUtc(store.oUpdated[j] ?? 0);
    case "CREATED_AT":
    case "PROCESSED_AT":
      return isoUtc(store.oCreated[j] ?? 0);
    case "TOTAL_PRICE":
      return decimal(store.oCurrent[j] ?? 0);
    case "FINANCIAL_STATUS":
      return store.financialStatus(j);
    case "FULFILLMENT_STATUS":
      return store.fulfillmentStatus(j);
    case "ORDER_NUMBER":
      return String(1001 + j);
    default:
      return store.orderLegacyId(j);
  }
}

/** All indices matching a filter, in the order of a sort key (used by bulk operations and counts). */
export function* iterateMatches(total: number, filter: Filter, sorted: { perm: Uint32Array; pos: Uint32Array } | null, reverse: boolean): Generator<number> {
  const seq = makeSeq(total, filter, sorted, reverse);
  const pred = filter.pred;
  for (let k = 0; k < seq.length; k++) {
    const i = seq.at(k);
    if (!pred || pred(i)) yield i;
  }
}

function countMatches(total: number, filter: Filter, limit: number | null): { count: number; precision: "EXACT" | "AT_LEAST" } {
  let n = 0;
  for (const _ of iterateMatches(total, filter, null, false)) {
    n++;
    if (limit !== null && n > limit) return { count: limit, precision: "AT_LEAST" };
  }
  return { count: n, precision: "EXACT" };
}

// ---------------------------------------------------------------------------------------------
// metafields shared by every HasMetafields owner

abstract class HasMetafields {
  constructor(readonly ctx: EmulatorContext) {}
  abstract ownerGid(): string;

  protected ownerMetafields(): MetafieldRecord[] {
    return [...(this.ctx.store.metafields.get(this.ownerGid())?.values() ?? [])];
  }

  metafield(args: { namespace?: string | null; key: string }) {
    const ns = resolveNamespace(args.namespace, this.ctx.appId);
    const rec = this.ctx.store.metafields.get(this.ownerGid())?.get(`${ns}.${args.key}`);
    return rec ? new MetafieldNode(this.ctx, rec) : null;
  }

  filteredMetafields(args: { namespace?: string | null; keys?: string[] | null }): MetafieldRecord[] {
    const ns = args.namespace ? resolveNamespace(args.namespace, this.ctx.appId) : null;
    const keys = args.keys?.map((k) => {
      const dot = k.lastIndexOf(".");
      return dot > 0 ? `${resolveNamespace(k.slice(0, dot), this.ctx.appId)}.${k.slice(dot + 1)}` : k;
    });
    return this.ownerMetafields().filter((m) => (!ns || m.namespace === ns) && (!keys || keys.includes(`${m.namespace}.${m.key}`)));
  }

  metafields(args: PageArgs & { namespace?: string | null; keys?: string[] | null }) {
    const list = this.filteredMetafields(args);
    const page = paginateArray(list, args, (m) => m.id);
    return connection(
      page.items,
      page.hasNextPage,
      page.hasPreviousPage,
      ((m: MetafieldRecord) => new MetafieldNode(this.ctx, m)) as never,
      ((m: MetafieldRecord) => encodeCursor(m.id, m.id)) as never,
    );
  }

  /** Bulk operations: every child of a nested connection. */
  bulkChildren(field: string, args: Record<string, unknown>): Iterable<unknown> {
    if (field === "metafields") return this.filteredMetafields(args).map((m) => new MetafieldNode(this.ctx, m));
    return [];
  }
}

export class MetafieldNode {
  readonly __typename = "Metafield";
  constructor(
    readonly ctx: EmulatorContext,
    readonly rec: MetafieldRecord,
  ) {}
  id() {
    return gid("Metafield", this.rec.id);
  }
  legacyResourceId() {
    return this.rec.id;
  }
  namespace() {
    return this.rec.namespace;
  }
  key() {
    return this.rec.key;
  }
  value() {
    return this.rec.value;
  }
  type() {
    return this.rec.type;
  }
  jsonValue() {
    const { type, value } = this.rec;
    try {
      if (type === "json" || type.startsWith("list.") || ["money", "rating", "dimension", "volume", "weight", "link", "rich_text_field"].includes(type)) return JSON.parse(value);
      if (type === "number_integer" || type === "number_decimal") return Number(value);
      if (type === "boolean") return value === "true";
    } catch {
      return value;
    }
    return value;
  }
  ownerType() {
    return this.rec.ownerType;
  }
  compareDigest() {
    return this.rec.compareDigest;
  }
  createdAt() {
    return isoUtc(this.rec.createdAt);
  }
  updatedAt() {
    return isoUtc(this.rec.updatedAt);
  }
  description() {
    return null;
  }
  definition() {
    const d = findDefinition(this.ctx.store, this.rec.ownerType, this.rec.namespace, this.rec.key);
    return d ? new MetafieldDefinitionNode(d) : null;
  }
}

export class MetafieldDefinitionNode {
  readonly __typename = "MetafieldDefinition";
  constructor(readonly d: MetafieldDefinitionRecord) {}
  id() {
    return gid("MetafieldDefinition", this.d.id);
  }
  name() {
    return this.d.name;
  }
  namespace() {
    return this.d.namespace;
  }
  key() {
    return this.d.key;
  }
  description() {
    return this.d.description;
  }
  type() {
    return { name: this.d.type, category: typeCategory(this.d.type) };
  }
  ownerType() {
    return this.d.ownerType;
  }
  access() {
    return this.d.access;
  }
  pinnedPosition() {
    return this.d.pinned ? 1 : null;
  }
}

export class CustomerNode extends HasMetafields {
  readonly __typename = "Customer";
  constructor(
    ctx: EmulatorContext,
    readonly i: number,
  ) {
    super(ctx);
  }
  private get s() {
    return this.ctx.store;
  }
  ownerGid() {
    return gid("Customer", this.s.customerLegacyId(this.i));
  }
  id() {
    return this.ownerGid();
  }
  legacyResourceId() {
    return this.s.customerLegacyId(this.i);
  }
  firstName() {
    return this.s.firstName(this.i);
  }
  lastName() {
    return this.s.lastName(this.i);
  }
  displayName() {
    return this.s.displayName(this.i);
  }
  email() {
    return this.s.email(this.i);
  }
  phone() {
    return this.s.phone(this.i);
  }
  defaultEmailAddress() {
    const e = this.s.email(this.i);
    if (!e) return null;
    const state = this.s.emailMarketingState(this.i);
    return {
      emailAddress: e,
      marketingState: state,
      marketingOptInLevel: state === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
      marketingUpdatedAt: state === "NOT_SUBSCRIBED" ? null : isoUtc(this.s.cCreated[this.i] ?? 0),
      validFormat: /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.trim()),
    };
  }
  defaultPhoneNumber() {
    const p = this.s.phone(this.i);
    if (!p) return null;
    const state = this.s.smsMarketingState(this.i);
    return {
      phoneNumber: p,
      marketingState: state,
      marketingOptInLevel: state === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
      marketingUpdatedAt: state === "NOT_SUBSCRIBED" ? null : isoUtc(this.s.cCreated[this.i] ?? 0),
    };
  }
  defaultAddress() {
    const a = this.s.address(this.i);
    return a ? new AddressNode(a) : null;
  }
  addresses() {
    const a = this.s.address(this.i);
    return a ? [new AddressNode(a)] : [];
  }
  state() {
    return this.s.state(this.i);
  }
  createdAt() {
    return isoUtc(this.s.cCreated[this.i] ?? 0);
  }
  updatedAt() {
    return isoUtc(this.s.cUpdated[this.i] ?? 0);
  }
  numberOfOrders() {
    return String(this.s.cOrders[this.i] ?? 0);
  }
  amountSpent() {
    return money(this.s.cSpent[this.i] ?? 0, this.s.shop.currencyCode);
  }
  tags() {
    return this.s.tags(this.i);
  }
  note() {
    return this.s.note(this.i);
  }
  verifiedEmail() {
    return this.s.verifiedEmail(this.i);
  }
  validEmailAddress() {
    const e = this.s.email(this.i);
    return !!e && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.trim());
  }
  taxExempt() {
    return false;
  }
  locale() {
    return this.s.locale(this.i);
  }
  canDelete() {
    return (this.s.cOrders[this.i] ?? 0) === 0;
  }
  lifetimeDuration() {
    const days = Math.max(0, Math.floor((Date.now() / 1000 - (this.s.cCreated[this.i] ?? 0)) / 86400));
    if (days >= 365) return `about ${Math.round(days / 365)} year${days >= 548 ? "s" : ""}`;
    if (days >= 30) return `${Math.round(days / 30)} month${days >= 45 ? "s" : ""}`;
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  private ordersMatching(args: { query?: string | null; sortKey?: string | null; reverse?: boolean | null }): number[] {
    const warnings: SearchWarning[] = [];
    const filter = compileOrderSearch(this.s, args.query, warnings);
    let list = Array.from(this.s.customerOrders(this.i));
    if (filter.pred) list = list.filter(filter.pred);
    const key = args.sortKey ?? "ID";
    if (!ORDER_NATURAL.has(key)) {
      const { pos } = this.s.sorted("order", key);
      list.sort((a, b) => (pos[a] ?? 0) - (pos[b] ?? 0));
    }
    if (args.reverse) list.reverse();
    return list;
  }
  orders(args: PageArgs & { query?: string | null; sortKey?: string | null }) {
    checkPageArgs(args);
    const list = this.ordersMatching(args);
    const page = paginateArray(list, { ...args, reverse: false }, (j) => this.s.orderLegacyId(j));
    const key = args.sortKey ?? "ID";
    return connection(
      page.items,
      page.hasNextPage,
      page.hasPreviousPage,
      ((j: number) => new OrderNode(this.ctx, j)) as never,
      ((j: number) => encodeCursor(this.s.orderLegacyId(j), orderSortValue(this.s, key, j))) as never,
    );
  }
  override bulkChildren(field: string, args: Record<string, unknown>): Iterable<unknown> {
    if (field === "orders") return this.ordersMatching(args).map((j) => new OrderNode(this.ctx, j));
    return super.bulkChildren(field, args);
  }
}

export class AddressNode {
  readonly __typename = "MailingAddress";
  constructor(readonly a: AddressView) {}
  id() {
    return `gid://shopify/MailingAddress/${this.a.id}?model_name=CustomerAddress`;
  }
  address1() {
    return this.a.address1;
  }
  address2() {
    return this.a.address2;
  }
  city() {
    return this.a.city;
  }
  company() {
    return this.a.company;
  }
  country() {
    return this.a.country;
  }
  countryCodeV2() {
    return this.a.countryCode;
  }
  firstName() {
    return this.a.firstName;
  }
  lastName() {
    return this.a.lastName;
  }
  name() {
    return this.a.name;
  }
  phone() {
    return this.a.phone;
  }
  province() {
    return this.a.province;
  }
  provinceCode() {
    return this.a.provinceCode;
  }
  zip() {
    return this.a.zip;
  }
  formatted(args: { withName?: boolean; withCompany?: boolean }) {
    const lines = [this.a.address1, this.a.address2, `${this.a.city} ${this.a.provinceCode} ${this.a.zip}`, this.a.country].filter((x): x is string => !!x);
    return args.withName && this.a.name ? [this.a.name, ...lines] : lines;
  }
}

export class OrderNode extends HasMetafields {
  readonly __typename = "Order";
  constructor(
    ctx: EmulatorContext,
    readonly j: number,
  ) {
    super(ctx);
  }
  private get s() {
    return this.ctx.store;
  }
  private get cur() {
    return this.s.shop.currencyCode;
  }
  ownerGid() {
    return gid("Order", this.s.orderLegacyId(this.j));
  }
  id() {
    return this.ownerGid();
  }
  legacyResourceId() {
    return this.s.orderLegacyId(this.j);
  }
  name() {
    return this.s.orderName(this.j);
  }
  number() {
    return this.j + 1;
  }
  email() {
    return this.s.orderEmail(this.j);
  }
  phone() {
    return this.s.orderPhone(this.j);
  }
  createdAt() {
    return isoUtc(this.s.oCreated[this.j] ?? 0);
  }
  updatedAt() {
    return isoUtc(this.s.oUpdated[this.j] ?? 0);
  }
  processedAt() {
    return isoUtc(this.s.oCreated[this.j] ?? 0);
  }
  cancelledAt() {
    const t = this.s.oCancelledAt[this.j] ?? 0;
    return this.s.isCancelled(this.j) && t ? isoUtc(t) : null;
  }
  cancelReason() {
    return this.s.cancelReason(this.j);
  }
  closed() {
    return this.s.isClosed(this.j);
  }
  closedAt() {
    const t = this.s.oClosedAt[this.j] ?? 0;
    return this.s.isClosed(this.j) && t ? isoUtc(t) : null;
  }
  confirmed() {
    return true;
  }
  test() {
    return this.s.isTest(this.j);
  }
  fullyPaid() {
    return ["PAID", "PARTIALLY_REFUNDED", "REFUNDED"].includes(this.s.financialStatus(this.j));
  }
  unpaid() {
    return ["PENDING", "AUTHORIZED", "EXPIRED", "VOIDED"].includes(this.s.financialStatus(this.j));
  }
  displayFinancialStatus() {
    return this.s.financialStatus(this.j);
  }
  displayFulfillmentStatus() {
    return this.s.fulfillmentStatus(this.j);
  }
  customer() {
    const c = this.s.orderCustomer(this.j);
    return c >= 0 ? new CustomerNode(this.ctx, c) : null;
  }
  currencyCode() {
    return this.cur;
  }
  presentmentCurrencyCode() {
    return this.cur;
  }
  totalPriceSet() {
    return moneyBag(this.s.oTotal[this.j] ?? 0, this.cur);
  }
  currentTotalPriceSet() {
    return moneyBag(this.s.oCurrent[this.j] ?? 0, this.cur);
  }
  subtotalPriceSet() {
    return moneyBag(this.s.oTotal[this.j] ?? 0, this.cur);
  }
  currentSubtotalPriceSet() {
    return moneyBag(this.s.oCurrent[this.j] ?? 0, this.cur);
  }
  totalRefundedSet() {
    const refunded = ["REFUNDED", "PARTIALLY_REFUNDED"].includes(this.s.financialStatus(this.j)) ? (this.s.oTotal[this.j] ?? 0) - (this.s.oCurrent[this.j] ?? 0) : 0;
    return moneyBag(refunded, this.cur);
  }
  totalDiscountsSet() {
    return moneyBag(0, this.cur);
  }
  totalTaxSet() {
    return moneyBag(0, this.cur);
  }
  totalShippingPriceSet() {
    return moneyBag(0, this.cur);
  }
  sourceName() {
    return this.s.sourceName(this.j);
  }
  tags() {
    return [];
  }
  note() {
    return null;
  }
  customerLocale() {
    const c = this.s.orderCustomer(this.j);
    return c >= 0 ? this.s.locale(c) : this.s.shop.locale;
  }
}

class ShopNode extends HasMetafields {
  readonly __typename = "Shop";
  private get shop() {
    return this.ctx.store.shop;
  }
  ownerGid() {
    return gid("Shop", this.shop.legacyId);
  }
  id() {
    return this.ownerGid();
  }
  name() {
    return this.shop.name;
  }
  email() {
    return this.shop.email;
  }
  contactEmail() {
    return this.shop.email;
  }
  myshopifyDomain() {
    return this.shop.myshopifyDomain;
  }
  primaryDomain() {
    return { id: gid("Domain", this.shop.legacyId), host: this.shop.myshopifyDomain, url: `https://${this.shop.myshopifyDomain}`, sslEnabled: true };
  }
  url() {
    return `https://${this.shop.myshopifyDomain}`;
  }
  currencyCode() {
    return this.shop.currencyCode;
  }
  enabledPresentmentCurrencies() {
    return [this.shop.currencyCode];
  }
  ianaTimezone() {
    return this.shop.ianaTimezone;
  }
  private offset() {
    return tzOffsetMinutes(this.shop.ianaTimezone, Date.now());
  }
  timezoneOffsetMinutes() {
    return this.offset();
  }
  timezoneOffset() {
    const o = this.offset();
    const a = Math.abs(o);
    return `${o < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}${String(a % 60).padStart(2, "0")}`;
  }
  timezoneAbbreviation() {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: this.shop.ianaTimezone, timeZoneName: "short" }).formatToParts(new Date());
    return parts.find((p) => p.type === "timeZoneName")?.value ?? "UTC";
  }
  billingAddress() {
    const s = this.shop;
    return { address1: s.address1, city: s.city, country: s.country, countryCodeV2: s.countryCode, province: s.province, provinceCode: s.provinceCode, zip: s.zip, phone: s.phone };
  }
  plan() {
    return { displayName: "Basic", partnerDevelopment: false, shopifyPlus: false };
  }
  createdAt() {
    return isoUtc(this.shop.createdAt);
  }
}

class AppNode {
  readonly __typename = "App";
  constructor(readonly ctx: EmulatorContext) {}
  id() {
    return gid("App", this.ctx.appId);
  }
  title() {
    return "Carryover";
  }
  handle() {
    return "carryover";
  }
  apiKey() {
    return this.ctx.apiKey;
  }
}

class AppInstallationNode extends HasMetafields {
  readonly __typename = "AppInstallation";
  ownerGid() {
    return gid("AppInstallation", this.ctx.appInstallationId);
  }
  id() {
    return this.ownerGid();
  }
  app() {
    return new AppNode(this.ctx);
  }
  launchUrl() {
    return `https://${this.ctx.store.shop.myshopifyDomain}/admin/apps/carryover`;
  }
}

export class BulkOperationNode {
  readonly __typename = "BulkOperation";
  constructor(readonly op: BulkOperationView) {}
  id() {
    return this.op.id;
  }
  status() {
    return this.op.status;
  }
  type() {
    return this.op.type;
  }
  errorCode() {
    return this.op.errorCode;
  }
  createdAt() {
    return isoUtc(this.op.createdAt);
  }
  completedAt() {
    return this.op.completedAt === null ? null : isoUtc(this.op.completedAt);
  }
  objectCount() {
    return String(this.op.objectCount);
  }
  rootObjectCount() {
    return String(this.op.rootObjectCount);
  }
  fileSize() {
    return this.op.fileSize === null ? null : String(this.op.fileSize);
  }
  url() {
    return this.op.url;
  }
  partialDataUrl() {
    return this.op.partialDataUrl;
  }
  query() {
    return this.op.query;
  }
}

// ---------------------------------------------------------------------------------------------
// roots

function customerFromGid(ctx: EmulatorContext, id: string): CustomerNode | null {
  const g = parseGid(id);
  if (!g) throw invalidId(id);
  if (g.type !== "Customer") return null;
  const i = ctx.store.customerIndex(g.id);
  return i >= 0 ? new CustomerNode(ctx, i) : null;
}

function orderFromGid(ctx: EmulatorContext, id: string): OrderNode | null {
  const g = parseGid(id);
  if (!g) throw invalidId(id);
  if (g.type !== "Order") return null;
  const j = ctx.store.orderIndex(g.id);
  return j >= 0 ? new OrderNode(ctx, j) : null;
}

function nodeFromGid(ctx: EmulatorContext, id: string): unknown {
  const g = parseGid(id);
  if (!g) throw invalidId(id);
  switch (g.type) {
    case "Customer":
      return customerFromGid(ctx, id);
    case "Order":
      return orderFromGid(ctx, id);
    case "Shop":
      return g.id === ctx.store.shop.legacyId ? new ShopNode(ctx) : null;
    case "AppInstallation":
      return g.id === ctx.appInstallationId ? new AppInstallationNode(ctx) : null;
    case "App":
      return g.id === ctx.appId ? new AppNode(ctx) : null;
    case "BulkOperation": {
      const op = ctx.bulk.get(id);
      return op ? new BulkOperationNode(op) : null;
    }
    case "Metafield": {
      for (const byOwner of ctx.store.metafields.values()) for (const m of byOwner.values()) if (m.id === g.id) return new MetafieldNode(ctx, m);
      return null;
    }
    case "MetafieldDefinition": {
      const d = ctx.store.metafieldDefinitions.find((x) => x.id === g.id);
      return d ? new MetafieldDefinitionNode(d) : null;
    }
    default:
      return null;
  }
}

/** Root connection used by bulk operations: every matching node, in order. */
export function* bulkRoot(ctx: EmulatorContext, field: string, args: Record<string, unknown>): Generator<CustomerNode | OrderNode> {
  const store = ctx.store;
  const reverse = !!args.reverse;
  if (field === "customers") {
    const filter = compileCustomerSearch(store, args.query as string | undefined);
    const key = (args.sortKey as string | undefined) ?? "ID";
    for (const i of iterateMatches(store.customerCount, filter, CUSTOMER_NATURAL.has(key) ? null : store.sorted("customer", key), reverse)) {
      yield new CustomerNode(ctx, i);
    }
  } else if (field === "orders") {
    const filter = compileOrderSearch(store, args.query as string | undefined);
    const key = (args.sortKey as string | undefined) ?? "PROCESSED_AT";
    for (const j of iterateMatches(store.orderCount, filter, ORDER_NATURAL.has(key) ? null : store.sorted("order", key), reverse)) {
      yield new OrderNode(ctx, j);
    }
  }
}

export const BULK_ROOTS = new Set(["customers", "orders"]);

type Args = Record<string, never> & PageArgs & { query?: string | null; sortKey?: string; limit?: number | null };

export const rootValue = {
  customers(args: Args, ctx: EmulatorContext, info: GraphQLResolveInfo) {
    checkPageArgs(args);
    const store = ctx.store;
    const warnings: SearchWarning[] = [];
    const filter = compileCustomerSearch(store, args.query, warnings);
    warn(ctx, info, args.query, warnings);
    const key = args.sortKey ?? "ID";
    const seq = makeSeq(store.customerCount, filter, CUSTOMER_NATURAL.has(key) ? null : store.sorted("customer", key), !!args.reverse);
    const page = paginate(seq, filter.pred, args, (id) => store.customerIndex(id));
    return connection(
      page.items,
      page.hasNextPage,
      page.hasPreviousPage,
      ((i: number) => new CustomerNode(ctx, i)) as never,
      ((i: number) => encodeCursor(store.customerLegacyId(i), customerSortValue(store, key, i))) as never,
    );
  },
  customer(args: { id: string }, ctx: EmulatorContext) {
    return customerFromGid(ctx, args.id);
  },
  customerByIdentifier(args: { identifier: { id?: string; emailAddress?: string; phoneNumber?: string } }, ctx: EmulatorContext) {
    const idf = args.identifier;
    if (idf.id) return customerFromGid(ctx, idf.id);
    if (idf.emailAddress) {
      const i = ctx.store.findByEmail(idf.emailAddress.trim().toLowerCase())[0];
      return i === undefined ? null : new CustomerNode(ctx, i);
    }
    if (idf.phoneNumber) {
      const i = ctx.store.findByPhoneDigits(idf.phoneNumber.replace(/\D/g, ""))[0];
      return i === undefined ? null : new CustomerNode(ctx, i);
    }
    return null;
  },
  customersCount(args: Args, ctx: EmulatorContext, info: GraphQLResolveInfo) {
    const warnings: SearchWarning[] = [];
    const filter = compileCustomerSearch(ctx.store, args.query, warnings);
    warn(ctx, info, args.query, warnings);
    return countMatches(ctx.store.customerCount, filter, args.limit === undefined ? 10000 : args.limit);
  },
  orders(args: Args, ctx: EmulatorContext, info: GraphQLResolveInfo) {
    checkPageArgs(args);
    const store = ctx.store;
    const warnings: SearchWarning[] = [];
    const filter = compileOrderSearch(store, args.query, warnings);
    warn(ctx, info, args.query, warnings);
    const key = args.sortKey ?? "PROCESSED_AT";
    const seq = makeSeq(store.orderCount, filter, ORDER_NATURAL.has(key) ? null : store.sorted("order", key), !!args.reverse);
    const page = paginate(seq, filter.pred, args, (id) => store.orderIndex(id));
    return connection(
      page.items,
      page.hasNextPage,
      page.hasPreviousPage,
      ((j: number) => new OrderNode(ctx, j)) as never,
      ((j: number) => encodeCursor(store.orderLegacyId(j), orderSortValue(store, key, j))) as never,
    );
  },
  order(args: { id: string }, ctx: EmulatorContext) {
    return orderFromGid(ctx, args.id);
  },
  ordersCount(args: Args, ctx: EmulatorContext, info: GraphQLResolveInfo) {
    const warnings: SearchWarning[] = [];
    const filter = compileOrderSearch(ctx.store, args.query, warnings);
    warn(ctx, info, args.query, warnings);
    return countMatches(ctx.store.orderCount, filter, args.limit === undefined ? 10000 : args.limit);
  },
  node(args: { id: string }, ctx: EmulatorContext) {
    return nodeFromGid(ctx, args.id);
  },
  nodes(args: { ids: string[] }, ctx: EmulatorContext) {
    if (args.ids.length > 250) {
      throw new GraphQLError(`The input array size of ${args.ids.length} is greater than the maximum allowed of 250.`, { extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } });
    }
    return args.ids.map((id) => nodeFromGid(ctx, id));
  },
  shop(_args: unknown, ctx: EmulatorContext) {
    return new ShopNode(ctx);
  },
  app(_args: unknown, ctx: EmulatorContext) {
    return new AppNode(ctx);
  },
  currentAppInstallation(_args: unknown, ctx: EmulatorContext) {
    return new AppInstallationNode(ctx);
  },
  currentBulkOperation(args: { type?: "QUERY" | "MUTATION" }, ctx: EmulatorContext) {
    const op = ctx.bulk.current(args.type ?? "QUERY");
    return op ? new BulkOperationNode(op) : null;
  },
  bulkOperation(args: { id: string }, ctx: EmulatorContext) {
    if (!parseGid(args.id)) throw invalidId(args.id);
    const op = ctx.bulk.get(args.id);
    return op ? new BulkOperationNode(op) : null;
  },
  metafieldDefinitions(args: PageArgs & { ownerType: string; namespace?: string | null; key?: string | null }, ctx: EmulatorContext) {
    const ns = args.namespace ? resolveNamespace(args.namespace, ctx.appId) : null;
    const list = ctx.store.metafieldDefinitions.filter((d) => d.ownerType === args.ownerType && (!ns || d.namespace === ns) && (!args.key || d.key === args.key));
    const page = paginateArray(list, args, (d) => d.id);
    return connection(
      page.items,
      page.hasNextPage,
      page.hasPreviousPage,
      ((d: MetafieldDefinitionRecord) => new MetafieldDefinitionNode(d)) as never,
      ((d: MetafieldDefinitionRecord) => encodeCursor(d.id, d.id)) as never,
    );
  },

  // ---- mutations ----
  bulkOperationRunQuery(args: { query: string }, ctx: EmulatorContext) {
    const r = ctx.bulk.run(args.query, ctx);
    return { bulkOperation: r.bulkOperation ? new BulkOperationNode(r.bulkOperation) : null, userErrors: r.userErrors };
  },
  bulkOperationCancel(args: { id: string }, ctx: EmulatorContext) {
    const r = ctx.bulk.cancel(args.id);
    return { bulkOperation: r.bulkOperation ? new BulkOperationNode(r.bulkOperation) : null, userErrors: r.userErrors };
  },
  metafieldsSet(args: { metafields: MetafieldsSetInput[] }, ctx: EmulatorContext) {
    const r = metafieldsSet({ store: ctx.store, appId: ctx.appId, appInstallationId: ctx.appInstallationId }, args.metafields);
    return { metafields: r.metafields?.map((m) => new MetafieldNode(ctx, m)) ?? null, userErrors: r.userErrors };
  },
  metafieldsDelete(args: { metafields: Array<{ ownerId: string; namespace: string; key: string }> }, ctx: EmulatorContext) {
    return metafieldsDelete({ store: ctx.store, appId: ctx.appId, appInstallationId: ctx.appInstallationId }, args.metafields);
  },
  metafieldDefinitionCreate(args: { definition: MetafieldDefinitionInput }, ctx: EmulatorContext) {
    const r = metafieldDefinitionCreate({ store: ctx.store, appId: ctx.appId, appInstallationId: ctx.appInstallationId }, args.definition);
    return { createdDefinition: r.createdDefinition ? new MetafieldDefinitionNode(r.createdDefinition) : null, userErrors: r.userErrors };
  },
};
