// In-memory store of the emulated shop, with deterministic seeding.
//
// The store has to hold 1,000,000 customers and 2,000,000 orders comfortably, so records are kept
// column-wise in typed arrays (a few bytes per record) and every string (names, emails, phones,
// addresses) is derived on demand from small tables and a per-record random number. GraphQL objects
// are built lazily on top of these accessors (see schema.ts).

import {
  BR_DDD,
  CITIES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  FIRST_RANGES,
  LAST_NAMES,
  LAST_RANGES,
  TAGS,
  US_AREA,
  type CityRow,
  type Origin,
} from "./data.js";
import { idSpaces, mix32, mulberry32, nowSec, pick, stripAccents, unit, weighted, type IdSpaces, type IdStyle } from "./util.js";

export const CUSTOMER_STATES = ["DISABLED", "ENABLED", "INVITED", "DECLINED"] as const;
export type CustomerState = (typeof CUSTOMER_STATES)[number];
export const EMAIL_MARKETING_STATES = ["NOT_SUBSCRIBED", "SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "INVALID", "REDACTED"] as const;
export type EmailMarketingState = (typeof EMAIL_MARKETING_STATES)[number];
export const SMS_MARKETING_STATES = ["NOT_SUBSCRIBED", "SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "REDACTED"] as const;
export type SmsMarketingState = (typeof SMS_MARKETING_STATES)[number];
export const FINANCIAL_STATUSES = [
  "PENDING",
  "AUTHORIZED",
  "PARTIALLY_PAID",
  "PAID",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
  "VOIDED",
  "EXPIRED",
] as const;
export type FinancialStatus = (typeof FINANCIAL_STATUSES)[number];
export const FULFILLMENT_STATUSES = [
  "UNFULFILLED",
  "PARTIALLY_FULFILLED",
  "FULFILLED",
  "RESTOCKED",
  "ON_HOLD",
  "IN_PROGRESS",
  "SCHEDULED",
  "PENDING_FULFILLMENT",
  "OPEN",
  "REQUEST_DECLINED",
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];
export const CANCEL_REASONS = ["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
export const SOURCE_NAMES = ["web", "web", "web", "web", "web", "web", "web", "web", "pos", "shopify_draft_order", "iphone"];
const NO_REASON = 255;

const F = {
  hasEmail: 1,
  hasPhone: 2,
  emailCaseShift: 2, // 2 bits: 0 lower, 1 Capitalised, 2 UPPER
  emailSpace: 16,
  phoneFormatShift: 5, // 3 bits
} as const;

const O = { cancelled: 1, closed: 2, test: 4 } as const;

const NAME_OVERRIDE = 0xffff;
const NO_LAST_NAME = 0xfffe;

export const DEFAULT_REFERENCE_DATE = "2026-11-01T00:00:00Z";

export interface StoreOptions {
  seed?: number;
  customers?: number;
  orders?: number;
  shopDomain?: string;
  /** Shop currency; every order uses it (BRL by default). */
  currency?: "BRL" | "USD";
  /** "compact" (default) gives 13-digit ids like today's Shopify; "large" gives 18-digit ids beyond 2^53. */
  idStyle?: IdStyle;
  /** Seeded data is spread over the two years before this instant (not Date.now()). */
  referenceDate?: string;
}

export interface ShopInfo {
  legacyId: string;
  name: string;
  email: string;
  myshopifyDomain: string;
  currencyCode: "BRL" | "USD";
  ianaTimezone: string;
  countryCode: string;
  country: string;
  province: string;
  provinceCode: string;
  city: string;
  address1: string;
  zip: string;
  phone: string;
  locale: string;
  createdAt: number;
}

export interface CustomerOverride {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
  locale: string;
  note: string | null;
  verifiedEmail: boolean;
}

export interface AddressView {
  id: number;
  firstName: string | null;
  lastName: string | null;
  name: string;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  provinceCode: string;
  country: string;
  countryCode: string;
  zip: string;
  phone: string | null;
  company: string | null;
}

export interface MetafieldRecord {
  id: string;
  ownerId: string;
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: number;
  updatedAt: number;
  compareDigest: string;
}

export interface MetafieldDefinitionRecord {
  id: string;
  name: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: string;
  description: string | null;
  access: { admin: string; storefront: string; customerAccount: string };
  pinned: boolean;
}

/** What updateCustomer may change; undefined leaves a field as it is, null clears it. */
export interface CustomerPatch {
  firstName?: string | null;
  lastName?: string | null;
  note?: string | null;
  tags?: string[];
}

export interface NewCustomerInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  state?: CustomerState;
  tags?: string[];
  locale?: string;
  note?: string | null;
  emailMarketingState?: EmailMarketingState;
  smsMarketingState?: SmsMarketingState;
  verifiedEmail?: boolean;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

function normEmail(e: string): string {
  return e.trim().toLowerCase();
}

function digits(s: string): string {
  return s.replace(/\D/g, "");
}

function slug(s: string): string {
  return stripAccents(s).toLowerCase().replace(/[^a-z]/g, "");
}

const FIRST_SLUGS = FIRST_NAMES.map(slug);
const LAST_SLUGS = LAST_NAMES.map(slug);

export class EmulatedStore {
  readonly options: Required<StoreOptions>;
  readonly ids: IdSpaces;
  readonly shop: ShopInfo;
  /** Incremented on every write; invalidates sorted views. */
  version = 0;

  // ---- customers (column-wise; capacity grows when customers are created) ----
  customerCount = 0;
  private cap = 0;
  cCreated = new Uint32Array(0);
  cUpdated = new Uint32Array(0);
  cFirst = new Uint16Array(0);
  cLast = new Uint16Array(0);
  cRnd = new Uint32Array(0);
  cFlags = new Uint8Array(0);
  cState = new Uint8Array(0);
  cEmailMkt = new Uint8Array(0);
  cSmsMkt = new Uint8Array(0);
  cOrders = new Uint32Array(0);
  cSpent = new Float64Array(0);
  readonly overrides = new Map<number, CustomerOverride>();
  /** Fields changed through updateCustomer on seeded customers (created ones change their override). */
  private readonly patches = new Map<number, CustomerPatch>();
  /** Seeded customers only: orders of customer i are oList[oStart[i] .. oStart[i+1]). */
  oStart = new Uint32Array(1);
  oList = new Uint32Array(0);

  // ---- orders ----
  orderCount = 0;
  oCreated = new Uint32Array(0);
  oUpdated = new Uint32Array(0);
  oCancelledAt = new Uint32Array(0);
  oClosedAt = new Uint32Array(0);
  oCustomer = new Int32Array(0);
  oFin = new Uint8Array(0);
  oFul = new Uint8Array(0);
  oReason = new Uint8Array(0);
  oFlags = new Uint8Array(0);
  oTotal = new Uint32Array(0);
  oCurrent = new Uint32Array(0);
  oRnd = new Uint32Array(0);

  // ---- app data ----
  readonly metafields = new Map<string, Map<string, MetafieldRecord>>();
  readonly metafieldDefinitions: MetafieldDefinitionRecord[] = [];
  private nextMetafieldId = 0;
  private nextDefinitionId = 0;

  private sortCache = new Map<string, { version: number; perm: Uint32Array; pos: Uint32Array }>();

  constructor(opts: StoreOptions = {}) {
    this.options = {
      seed: opts.seed ?? 1,
      customers: opts.customers ?? 100,
      orders: opts.orders ?? 300,
      shopDomain: opts.shopDomain ?? "demo-store.myshopify.com",
      currency: opts.currency ?? "BRL",
      idStyle: opts.idStyle ?? "compact",
      referenceDate: opts.referenceDate ?? DEFAULT_REFERENCE_DATE,
    };
    this.ids = idSpaces(this.options.idStyle);
    this.shop = makeShop(this.options);
  }

  get referenceSec(): number {
    return Math.floor(Date.parse(this.options.referenceDate) / 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // customers

  /** @internal */
  ensureCapacity(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, Math.floor(this.cap * 1.5) + 16);
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.cCreated = grow(this.cCreated, (k) => new Uint32Array(k));
    this.cUpdated = grow(this.cUpdated, (k) => new Uint32Array(k));
    this.cFirst = grow(this.cFirst, (k) => new Uint16Array(k));
    this.cLast = grow(this.cLast, (k) => new Uint16Array(k));
    this.cRnd = grow(this.cRnd, (k) => new Uint32Array(k));
    this.cFlags = grow(this.cFlags, (k) => new Uint8Array(k));
    this.cState = grow(this.cState, (k) => new Uint8Array(k));
    this.cEmailMkt = grow(this.cEmailMkt, (k) => new Uint8Array(k));
    this.cSmsMkt = grow(this.cSmsMkt, (k) => new Uint8Array(k));
    this.cOrders = grow(this.cOrders, (k) => new Uint32Array(k));
    this.cSpent = grow(this.cSpent, (k) => new Float64Array(k));
    this.cap = cap;
  }

  customerLegacyId(i: number): string {
    return this.ids.customer.id(i);
  }

  customerIndex(legacyId: string): number {
    const i = this.ids.customer.index(legacyId);
    return i >= 0 && i < this.customerCount ? i : -1;
  }

  origin(i: number): Origin {
    const f = this.cFirst[i] ?? 0;
    if (f === NAME_OVERRIDE) return this.options.currency === "USD" ? "en" : "br";
    if (f < FIRST_RANGES.es[0]) return "br";
    if (f < FIRST_RANGES.en[0]) return "es";
    return "en";
  }

  firstName(i: number): string | null {
    const f = this.cFirst[i] ?? 0;
    if (f === NAME_OVERRIDE) return this.overrides.get(i)?.firstName ?? null;
    const p = this.patches.get(i);
    if (p?.firstName !== undefined) return p.firstName;
    return FIRST_NAMES[f] ?? null;
  }

  lastName(i: number): string | null {
    const f = this.cFirst[i] ?? 0;
    if (f === NAME_OVERRIDE) return this.overrides.get(i)?.lastName ?? null;
    const p = this.patches.get(i);
    if (p?.lastName !== undefined) return p.lastName;
    const l = this.cLast[i] ?? NO_LAST_NAME;
    return l === NO_LAST_NAME ? null : (LAST_NAMES[l] ?? null);
  }

  displayName(i: number): string {
    const name = [this.firstName(i), this.lastName(i)].filter(Boolean).join(" ");
    return name || this.email(i)?.trim() || this.phone(i) || "";
  }

  /** The raw email as stored, which may carry mixed case and surrounding whitespace. */
  email(i: number): string | null {
    const ov = this.overrides.get(i);
    if (ov) return ov.email;
    const flags = this.cFlags[i] ?? 0;
    if (!(flags & F.hasEmail)) return null;
    const rnd = this.cRnd[i] ?? 0;
    const f = FIRST_SLUGS[this.cFirst[i] ?? 0] ?? "cliente";
    const li = this.cLast[i] ?? NO_LAST_NAME;
    const l = li === NO_LAST_NAME ? "" : (LAST_SLUGS[li] ?? "");
    const n = String(i + 1);
    let local: string;
    const variant = Math.floor(unit(rnd, 10) * 5);
    if (!l) local = `${f}${n}`;
    else if (variant === 0) local = `${f}.${l}${n}`;
    else if (variant === 1) local = `${f}${l}${n}`;
    else if (variant === 2) local = `${f[0] ?? "x"}${l}${n}`;
    else if (variant === 3) local = `${f}_${l}${n}`;
    else local = `${l}.${f}${n}`;
    const domain = pick(EMAIL_DOMAINS[this.origin(i)], unit(rnd, 11));
    let email = `${local}@${domain}`;
    const kase = (flags >> F.emailCaseShift) & 3;
    if (kase === 1) {
      email = email.replace(/(^|[._@])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
    } else if (kase === 2) {
      email = email.toUpperCase();
    }
    if (flags & F.emailSpace) email = unit(rnd, 12) < 0.5 ? ` ${email} ` : `${email} `;
    return email;
  }

  /** Finds customers whose trimmed, lower-cased email equals `normalized`. */
  findByEmail(normalized: string): number[] {
    const out: number[] = [];
    const m = /^[^@]*?(\d+)@/.exec(normalized);
    if (m && m[1]) {
      const i = Number(m[1]) - 1;
      if (i >= 0 && i < this.customerCount && !this.overrides.has(i)) {
        const e = this.email(i);
        if (e && normEmail(e) === normalized) out.push(i);
      }
    }
    for (const [i, ov] of this.overrides) if (ov.email && normEmail(ov.email) === normalized) out.push(i);
    return out.sort((a, b) => a - b);
  }

  phone(i: number): string | null {
    const ov = this.overrides.get(i);
    if (ov) return ov.phone;
    const flags = this.cFlags[i] ?? 0;
    if (!(flags & F.hasPhone)) return null;
    const rnd = this.cRnd[i] ?? 0;
    const fmt = (flags >> F.phoneFormatShift) & 7;
    const origin = this.origin(i);
    if (origin === "en") {
      const area = pick(US_AREA, unit(rnd, 13));
      const n = String((i * 48271 + 1_234_567) % 10_000_000).padStart(7, "0");
      const a = n.slice(0, 3);
      const b = n.slice(3);
      return [`+1${area}${n}`, `(${area}) ${a}-${b}`, `${area}-${a}-${b}`, `+1 ${area} ${a} ${b}`][fmt % 4] ?? null;
    }
    const n = String((i * 48271 + 12_345_678) % 100_000_000).padStart(8, "0");
    const a = n.slice(0, 4);
    const b = n.slice(4);
    if (origin === "es") {
      const cc = this.city(i).countryCode;
      const pre = cc === "CL" ? "56 9" : cc === "MX" ? "52 55" : cc === "CO" ? "57 310" : cc === "UY" ? "598 9" : "54 9 11";
      return [`+${pre.replace(/ /g, "")}${n}`, `+${pre} ${a}-${b}`, `${a} ${b}`][fmt % 3] ?? null;
    }
    const ddd = pick(BR_DDD, unit(rnd, 13));
    return [
      `+55${ddd}9${n}`,
      `(${ddd}) 9${a}-${b}`,
      `${ddd}9${n}`,
      `+55 ${ddd} 9${a}-${b}`,
      `55 (${ddd}) 9 ${a}-${b}`,
    ][fmt % 5] ?? null;
  }

  findByPhoneDigits(d: string): number[] {
    const out: number[] = [];
    if (!d) return out;
    for (let i = 0; i < this.customerCount; i++) {
      const fl = this.cFlags[i] ?? 0;
      if (!this.overrides.has(i) && !(fl & F.hasPhone)) continue;
      const p = this.phone(i);
      if (p && digits(p) === d) out.push(i);
    }
    return out;
  }

  hasEmail(i: number): boolean {
    const ov = this.overrides.get(i);
    if (ov) return !!ov.email;
    return ((this.cFlags[i] ?? 0) & F.hasEmail) !== 0;
  }

  state(i: number): CustomerState {
    return CUSTOMER_STATES[this.cState[i] ?? 0] ?? "DISABLED";
  }

  emailMarketingState(i: number): EmailMarketingState {
    return EMAIL_MARKETING_STATES[this.cEmailMkt[i] ?? 0] ?? "NOT_SUBSCRIBED";
  }

  smsMarketingState(i: number): SmsMarketingState {
    return SMS_MARKETING_STATES[this.cSmsMkt[i] ?? 0] ?? "NOT_SUBSCRIBED";
  }

  locale(i: number): string {
    const ov = this.overrides.get(i);
    if (ov) return ov.locale;
    const o = this.origin(i);
    return o === "br" ? "pt-BR" : o === "es" ? "es" : "en";
  }

  verifiedEmail(i: number): boolean {
    const ov = this.overrides.get(i);
    if (ov) return ov.verifiedEmail;
    return this.hasEmail(i) && unit(this.cRnd[i] ?? 0, 30) < 0.9;
  }

  tags(i: number): string[] {
    const ov = this.overrides.get(i);
    if (ov) return ov.tags;
    const p = this.patches.get(i);
    if (p?.tags !== undefined) return p.tags;
    const rnd = this.cRnd[i] ?? 0;
    const u = unit(rnd, 31);
    if (u >= 0.3) return [];
    const a = pick(TAGS, unit(rnd, 32));
    if (u >= 0.08) return [a];
    const b = pick(TAGS, unit(rnd, 33));
    return a === b ? [a] : [a, b].sort();
  }

  note(i: number): string | null {
    const ov = this.overrides.get(i);
    if (ov) return ov.note;
    return this.patches.get(i)?.note ?? null;
  }

  private city(i: number): CityRow {
    return pick(CITIES[this.origin(i)], unit(this.cRnd[i] ?? 0, 21));
  }

  address(i: number): AddressView | null {
    if (this.overrides.has(i)) return null;
    const rnd = this.cRnd[i] ?? 0;
    if (unit(rnd, 20) >= 0.75) return null;
    const origin = this.origin(i);
    const city = this.city(i);
    const street = pick(city.streets, unit(rnd, 22));
    const num = 10 + Math.floor(unit(rnd, 23) * 2000);
    const z = Math.floor(unit(rnd, 24) * 1_000_000);
    const zip =
      city.countryCode === "BR"
        ? `${city.zipPrefix}${String(z % 1000).padStart(3, "0")}-${String(Math.floor(z / 1000) % 1000).padStart(3, "0")}`
        : city.countryCode === "US"
          ? `${city.zipPrefix}${String(z % 100).padStart(2, "0")}`
          : city.countryCode === "CA" || city.countryCode === "GB"
            ? `${city.zipPrefix} ${1 + (z % 9)}A${1 + (z % 7)}`
            : `${city.zipPrefix}${String(z % 1000).padStart(3, "0")}`;
    const first = this.firstName(i);
    const last = this.lastName(i);
    const address1 = city.countryCode === "BR" || origin === "es" ? `${street}, ${num}` : `${num} ${street}`;
    return {
      id: 9_100_000_000_000 + i * 11,
      firstName: first,
      lastName: last,
      name: [first, last].filter(Boolean).join(" "),
      address1,
      address2: unit(rnd, 25) < 0.3 ? (city.countryCode === "BR" ? `Apto ${1 + Math.floor(unit(rnd, 26) * 200)}` : `Apt ${1 + Math.floor(unit(rnd, 26) * 40)}`) : null,
      city: city.city,
      province: city.province,
      provinceCode: city.provinceCode,
      country: city.country,
      countryCode: city.countryCode,
      zip,
      phone: this.phone(i),
      company: null,
    };
  }

  /** Orders of a customer, oldest first. */
  customerOrders(i: number): ArrayLike<number> {
    if (i + 1 < this.oStart.length) return this.oList.subarray(this.oStart[i] ?? 0, this.oStart[i + 1] ?? 0);
    return [];
  }

  createCustomer(input: NewCustomerInput, now = nowSec()): number {
    const email = input.email?.trim() ? input.email : null;
    const phone = input.phone?.trim() ? input.phone : null;
    if (!email && !phone && !input.firstName && !input.lastName) {
      throw new StoreError("Customer must have a name, phone number or email address", "customer");
    }
    if (email) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) throw new StoreError("Email is invalid", "email");
      if (this.findByEmail(normEmail(email)).length) throw new StoreError("Email has already been taken", "email");
    }
    if (phone) {
      if (digits(phone).length < 8) throw new StoreError("Phone is invalid", "phone");
      if (this.findByPhoneDigits(digits(phone)).length) throw new StoreError("Phone has already been taken", "phone");
    }
    const i = this.customerCount;
    this.ensureCapacity(i + 1);
    this.customerCount = i + 1;
    this.cCreated[i] = now;
    this.cUpdated[i] = now;
    this.cFirst[i] = NAME_OVERRIDE;
    this.cLast[i] = NAME_OVERRIDE;
    this.cRnd[i] = mix32(this.options.seed, i);
    this.cFlags[i] = (email ? F.hasEmail : 0) | (phone ? F.hasPhone : 0);
    this.cState[i] = CUSTOMER_STATES.indexOf(input.state ?? "DISABLED");
    this.cEmailMkt[i] = EMAIL_MARKETING_STATES.indexOf(input.emailMarketingState ?? "NOT_SUBSCRIBED");
    this.cSmsMkt[i] = SMS_MARKETING_STATES.indexOf(input.smsMarketingState ?? "NOT_SUBSCRIBED");
    this.overrides.set(i, {
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      email,
      phone,
      tags: input.tags ?? [],
      locale: input.locale ?? (this.options.currency === "BRL" ? "pt-BR" : "en"),
      note: input.note ?? null,
      verifiedEmail: input.verifiedEmail ?? !!email,
    });
    this.version++;
    return i;
  }

  /**
   * Changes a customer's name, note or tags (as the merchant editing it in the admin would) and
   * moves its updatedAt to now. Email and phone stay as they are (their uniqueness rules are not emulated for edits).
   */
  updateCustomer(i: number, patch: CustomerPatch, now = nowSec()): void {
    const ov = this.overrides.get(i);
    if (ov) {
      if (patch.firstName !== undefined) ov.firstName = patch.firstName;
      if (patch.lastName !== undefined) ov.lastName = patch.lastName;
      if (patch.note !== undefined) ov.note = patch.note;
      if (patch.tags !== undefined) ov.tags = [...patch.tags];
    } else {
      const prev = this.patches.get(i) ?? {};
      const next: CustomerPatch = { ...prev };
      if (patch.firstName !== undefined) next.firstName = patch.firstName;
      if (patch.lastName !== undefined) next.lastName = patch.lastName;
      if (patch.note !== undefined) next.note = patch.note;
      if (patch.tags !== undefined) next.tags = [...patch.tags];
      this.patches.set(i, next);
    }
    this.cUpdated[i] = Math.max(now, this.cUpdated[i] ?? 0);
    this.version++;
  }

  setCustomerState(i: number, state: CustomerState, now = nowSec()): void {
    this.cState[i] = CUSTOMER_STATES.indexOf(state);
    this.cUpdated[i] = Math.max(now, this.cUpdated[i] ?? 0);
    this.version++;
  }

  // ---------------------------------------------------------------------------------------------
  // orders

  orderLegacyId(j: number): string {
    return this.ids.order.id(j);
  }

  orderIndex(legacyId: string): number {
    const j = this.ids.order.index(legacyId);
    return j >= 0 && j < this.orderCount ? j : -1;
  }

  orderName(j: number): string {
    return `#${1001 + j}`;
  }

  financialStatus(j: number): FinancialStatus {
    return FINANCIAL_STATUSES[this.oFin[j] ?? 0] ?? "PENDING";
  }

  fulfillmentStatus(j: number): FulfillmentStatus {
    return FULFILLMENT_STATUSES[this.oFul[j] ?? 0] ?? "UNFULFILLED";
  }

  cancelReason(j: number): CancelReason | null {
    const r = this.oReason[j] ?? NO_REASON;
    return r === NO_REASON ? null : (CANCEL_REASONS[r] ?? null);
  }

  isCancelled(j: number): boolean {
    return ((this.oFlags[j] ?? 0) & O.cancelled) !== 0;
  }

  isClosed(j: number): boolean {
    return ((this.oFlags[j] ?? 0) & O.closed) !== 0;
  }

  isTest(j: number): boolean {
    return ((this.oFlags[j] ?? 0) & O.test) !== 0;
  }

  orderCustomer(j: number): number {
    return this.oCustomer[j] ?? -1;
  }

  orderEmail(j: number): string | null {
    const c = this.orderCustomer(j);
    if (c >= 0) {
      const e = this.email(c);
      return e ? e.trim() : null;
    }
    const rnd = this.oRnd[j] ?? 0;
    if (unit(rnd, 50) < 0.1) return null;
    return `guest${j + 1}@${pick(EMAIL_DOMAINS.br, unit(rnd, 51))}`;
  }

  orderPhone(j: number): string | null {
    const c = this.orderCustomer(j);
    return c >= 0 ? this.phone(c) : null;
  }

  sourceName(j: number): string {
    return pick(SOURCE_NAMES, unit(this.oRnd[j] ?? 0, 52));
  }

  cancelOrder(j: number, reason: CancelReason, now = nowSec()): void {
    const paid = ["PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"].includes(this.financialStatus(j));
    this.oFlags[j] = (this.oFlags[j] ?? 0) | O.cancelled | O.closed;
    this.oReason[j] = CANCEL_REASONS.indexOf(reason);
    this.oCancelledAt[j] = now;
    this.oClosedAt[j] = now;
    this.oFin[j] = FINANCIAL_STATUSES.indexOf(paid ? "REFUNDED" : "VOIDED");
    if (this.fulfillmentStatus(j) !== "UNFULFILLED") this.oFul[j] = FULFILLMENT_STATUSES.indexOf("RESTOCKED");
    const c = this.orderCustomer(j);
    if (c >= 0 && paid && !this.isTest(j)) {
      this.cSpent[c] = Math.max(0, (this.cSpent[c] ?? 0) - (this.oCurrent[j] ?? 0));
      this.cUpdated[c] = now;
    }
    this.oCurrent[j] = 0;
    this.oUpdated[j] = now;
    this.version++;
  }

  markOrderPaid(j: number, now = nowSec()): void {
    const before = this.financialStatus(j);
    this.oFin[j] = FINANCIAL_STATUSES.indexOf("PAID");
    const c = this.orderCustomer(j);
    if (c >= 0 && !["PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED"].includes(before) && !this.isTest(j) && !this.isCancelled(j)) {
      this.cSpent[c] = (this.cSpent[c] ?? 0) + (this.oCurrent[j] ?? 0);
      this.cUpdated[c] = now;
    }
    this.oUpdated[j] = now;
    this.version++;
  }

  // ---------------------------------------------------------------------------------------------
  // metafields

  nextMetafieldLegacyId(): string {
    this.nextMetafieldId++;
    return String(this.options.idStyle === "large" ? 300_000_000_000_000_000n + BigInt(this.nextMetafieldId) : 30_000_000_000_000 + this.nextMetafieldId);
  }

  nextDefinitionLegacyId(): string {
    this.nextDefinitionId++;
    return String(1_000_000_000 + this.nextDefinitionId);
  }

  // ---------------------------------------------------------------------------------------------
  // sorted views

  /** A permutation of record indices for a sort key, with its inverse, cached until the next write. */
  sorted(kind: "customer" | "order", key: string): { perm: Uint32Array; pos: Uint32Array } {
    const cacheKey = `${kind}:${key}`;
    const hit = this.sortCache.get(cacheKey);
    if (hit && hit.version === this.version && hit.perm.length === (kind === "customer" ? this.customerCount : this.orderCount)) return hit;
    const n = kind === "customer" ? this.customerCount : this.orderCount;
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const cmp = this.comparator(kind, key);
    perm.sort(cmp);
    const pos = new Uint32Array(n);
    for (let p = 0; p < n; p++) pos[perm[p] ?? 0] = p;
    const entry = { version: this.version, perm, pos };
    this.sortCache.set(cacheKey, entry);
    return entry;
  }

  private comparator(kind: "customer" | "order", key: string): (a: number, b: number) => number {
    if (kind === "customer") {
      if (key === "UPDATED_AT") return (a, b) => (this.cUpdated[a] ?? 0) - (this.cUpdated[b] ?? 0) || a - b;
      if (key === "NAME") {
        const key2 = (i: number) => stripAccents(this.displayName(i)).toLowerCase();
        return (a, b) => {
          const x = key2(a);
          const y = key2(b);
          return x < y ? -1 : x > y ? 1 : a - b;
        };
      }
      return (a, b) => a - b;
    }
    switch (key) {
      case "UPDATED_AT":
        return (a, b) => (this.oUpdated[a] ?? 0) - (this.oUpdated[b] ?? 0) || a - b;
      case "TOTAL_PRICE":
        return (a, b) => (this.oCurrent[a] ?? 0) - (this.oCurrent[b] ?? 0) || a - b;
      case "FINANCIAL_STATUS":
        return (a, b) => this.financialStatus(a).localeCompare(this.financialStatus(b)) || a - b;
      case "FULFILLMENT_STATUS":
        return (a, b) => this.fulfillmentStatus(a).localeCompare(this.fulfillmentStatus(b)) || a - b;
      case "CUSTOMER_NAME": {
        const name = (j: number) => {
          const c = this.orderCustomer(j);
          return c < 0 ? "" : stripAccents(this.displayName(c)).toLowerCase();
        };
        return (a, b) => {
          const x = name(a);
          const y = name(b);
          return x < y ? -1 : x > y ? 1 : a - b;
        };
      }
      default:
        return (a, b) => a - b;
    }
  }
}

function titleCase(s: string): string {
  return s.replace(/(^|[\s-])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
}

function makeShop(o: Required<StoreOptions>): ShopInfo {
  const handle = o.shopDomain.replace(/\.myshopify\.com$/, "");
  const brl = o.currency === "BRL";
  return {
    legacyId: String(60_000_000_000 + (mix32(o.seed, 7) % 9_000_000_000)),
    name: titleCase(handle.replace(/-/g, " ")),
    email: brl ? `contato@${handle}.com.br` : `hello@${handle}.com`,
    myshopifyDomain: o.shopDomain,
    currencyCode: o.currency,
    ianaTimezone: brl ? "America/Sao_Paulo" : "America/New_York",
    countryCode: brl ? "BR" : "US",
    country: brl ? "Brazil" : "United States",
    province: brl ? "São Paulo" : "New York",
    provinceCode: brl ? "SP" : "NY",
    city: brl ? "São Paulo" : "New York",
    address1: brl ? "Rua Oscar Freire, 1000" : "350 5th Avenue",
    zip: brl ? "01426-001" : "10118",
    phone: brl ? "+551130000000" : "+12125550100",
    locale: brl ? "pt-BR" : "en",
    createdAt: Math.floor(Date.parse(o.referenceDate) / 1000) - 3 * 365 * 86400,
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding

const DAY = 86400;

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Builds a deterministic store: the same options always give exactly the same customers and orders
 * (seeded mulberry32, dates relative to `referenceDate`, never the wall clock).
 */
export function seedStore(opts: StoreOptions = {}): EmulatedStore {
  const store = new EmulatedStore(opts);
  const { seed, customers: N, orders: M, currency } = store.options;
  const ref = store.referenceSec;
  const rng = mulberry32(seed);
  const start = ref - 2 * 365 * DAY;
  const span = ref - start - DAY;

  // ---- customers ----
  store.ensureCapacity(N);
  store.customerCount = N;
  const originWeights = currency === "USD" ? [0.2, 0.15, 0.65] : [0.62, 0.18, 0.2];
  let prev = start;
  for (let i = 0; i < N; i++) {
    const x = (i + rng()) / N;
    const t = Math.max(prev, Math.floor(start + span * Math.pow(x, 0.75)));
    prev = t;
    store.cCreated[i] = t;
    const origin: Origin = (["br", "es", "en"] as const)[weighted(originWeights, rng())] ?? "br";
    const [f0, f1] = FIRST_RANGES[origin];
    const [l0, l1] = LAST_RANGES[origin];
    store.cFirst[i] = f0 + Math.floor(rng() * (f1 - f0));
    store.cLast[i] = rng() < 0.02 ? NO_LAST_NAME : l0 + Math.floor(rng() * (l1 - l0));
    const rnd = Math.floor(rng() * 4294967296) >>> 0;
    store.cRnd[i] = rnd;
    const hasEmail = rng() < 0.86;
    const hasPhone = !hasEmail || rng() < 0.62;
    const emailCase = weighted([0.86, 0.11, 0.03], rng());
    const space = rng() < 0.03;
    const phoneFormat = weighted(origin === "br" ? [0.55, 0.17, 0.1, 0.12, 0.06] : [0.6, 0.25, 0.1, 0.05], rng());
    store.cFlags[i] =
      (hasEmail ? F.hasEmail : 0) |
      (hasPhone ? F.hasPhone : 0) |
      (emailCase << F.emailCaseShift) |
      (space ? F.emailSpace : 0) |
      (phoneFormat << F.phoneFormatShift);
    // DISABLED, ENABLED, INVITED, DECLINED
    store.cState[i] = weighted(hasEmail ? [0.21, 0.7, 0.07, 0.02] : [0.3, 0.7, 0, 0], rng());
    // NOT_SUBSCRIBED, SUBSCRIBED, UNSUBSCRIBED, PENDING, INVALID
    store.cEmailMkt[i] = hasEmail ? weighted([0.5, 0.35, 0.12, 0.02, 0.01], rng()) : 0;
    store.cSmsMkt[i] = hasPhone ? weighted([0.8, 0.15, 0.05], rng()) : 0;
    const upd = rng() < 0.35 ? t : t + Math.floor(rng() * (ref - t) * 0.8);
    store.cUpdated[i] = Math.min(upd, ref);
  }

  // ---- orders ----
  store.orderCount = M;
  store.oCreated = new Uint32Array(M);
  store.oUpdated = new Uint32Array(M);
  store.oCancelledAt = new Uint32Array(M);
  store.oClosedAt = new Uint32Array(M);
  store.oCustomer = new Int32Array(M);
  store.oFin = new Uint8Array(M);
  store.oFul = new Uint8Array(M);
  store.oReason = new Uint8Array(M).fill(NO_REASON);
  store.oFlags = new Uint8Array(M);
  store.oTotal = new Uint32Array(M);
  store.oCurrent = new Uint32Array(M);
  store.oRnd = new Uint32Array(M);
  const median = currency === "USD" ? 6_000 : 17_990;
  const FS = (s: FinancialStatus) => FINANCIAL_STATUSES.indexOf(s);
  const FU = (s: FulfillmentStatus) => FULFILLMENT_STATUSES.indexOf(s);
  const oStart = start + 3 * DAY;
  const oSpan = ref - oStart - 3600;
  let prevO = oStart;
  let avail = 0; // customers created before the current order
  const weightOf = (c: number) => {
    const u = unit(store.cRnd[c] ?? 0, 40);
    return u < 0.08 ? 1 : u < 0.35 ? 0.25 : 0.03;
  };
  const counts = new Uint32Array(N + 1);
  for (let j = 0; j < M; j++) {
    const x = (j + rng()) / M;
    const t = Math.max(prevO, Math.floor(oStart + oSpan * Math.pow(x, 0.7)));
    prevO = t;
    store.oCreated[j] = t;
    store.oRnd[j] = Math.floor(rng() * 4294967296) >>> 0;
    while (avail < N && (store.cCreated[avail] ?? Infinity) <= t) avail++;
    let cust = -1;
    if (avail > 0 && rng() >= 0.07) {
      for (let tries = 0; tries < 16; tries++) {
        const k = Math.floor(rng() * avail);
        cust = k;
        if (rng() < weightOf(k)) break;
      }
    }
    store.oCustomer[j] = cust;
    if (cust >= 0) counts[cust] = (counts[cust] ?? 0) + 1;

    let total = Math.round(median * Math.exp(0.8 * normal(rng)));
    total = Math.min(Math.max(total, 990), 800_000);
    total = Math.floor(total / 100) * 100 + 90;
    store.oTotal[j] = total;
    const age = ref - t;
    let flags = rng() < 0.004 ? O.test : 0;
    let fin: number;
    let ful: number;
    let current = total;
    let closedAt = 0;
    let cancelledAt = 0;
    if (rng() < 0.06) {
      flags |= O.cancelled;
      cancelledAt = Math.min(ref - 60, t + Math.floor(rng() * 3 * DAY) + 600);
      store.oReason[j] = weighted([0.45, 0.15, 0.1, 0.15, 0.1, 0.05], rng());
      fin = rng() < 0.6 ? FS("REFUNDED") : FS("VOIDED");
      ful = rng() < 0.85 ? FU("UNFULFILLED") : FU("RESTOCKED");
      current = 0;
      if (rng() < 0.9) {
        flags |= O.closed;
        closedAt = cancelledAt;
      }
    } else {
      fin = [FS("PAID"), FS("PENDING"), FS("AUTHORIZED"), FS("PARTIALLY_PAID"), FS("PARTIALLY_REFUNDED"), FS("REFUNDED"), FS("VOIDED"), FS("EXPIRED")][
        weighted([0.8, 0.04, 0.03, 0.015, 0.05, 0.04, 0.015, 0.01], rng())
      ] as number;
      const s = FINANCIAL_STATUSES[fin];
      const u = rng();
      if (s === "PAID" || s === "PARTIALLY_REFUNDED") {
        ful =
          age > 10 * DAY
            ? [FU("FULFILLED"), FU("PARTIALLY_FULFILLED"), s === "PAID" ? FU("FULFILLED") : FU("RESTOCKED"), FU("ON_HOLD"), FU("UNFULFILLED")][
                weighted([0.92, 0.03, 0.01, 0.01, 0.03], u)
              ] as number
            : [FU("UNFULFILLED"), FU("IN_PROGRESS"), FU("FULFILLED"), FU("PARTIALLY_FULFILLED"), FU("ON_HOLD"), FU("SCHEDULED")][
                weighted([0.45, 0.1, 0.35, 0.05, 0.03, 0.02], u)
              ] as number;
      } else if (s === "REFUNDED") {
        ful = [FU("FULFILLED"), FU("RESTOCKED"), FU("UNFULFILLED")][weighted([0.5, 0.3, 0.2], u)] as number;
      } else if (s === "PENDING" || s === "AUTHORIZED" || s === "PARTIALLY_PAID") {
        ful = [FU("UNFULFILLED"), FU("ON_HOLD"), FU("PENDING_FULFILLMENT")][weighted([0.85, 0.1, 0.05], u)] as number;
      } else {
        ful = FU("UNFULFILLED");
      }
      if (s === "PARTIALLY_REFUNDED") current = total - Math.round((total * (20 + Math.floor(rng() * 50))) / 100);
      if (s === "REFUNDED") current = 0;
      const fs = FULFILLMENT_STATUSES[ful];
      if ((s === "PAID" || s === "PARTIALLY_REFUNDED" || s === "REFUNDED") && (fs === "FULFILLED" || fs === "RESTOCKED") && age > 30 * DAY && rng() < 0.85) {
        flags |= O.closed;
        closedAt = Math.min(ref - 60, t + 5 * DAY + Math.floor(rng() * 20 * DAY));
      }
    }
    store.oFin[j] = fin;
    store.oFul[j] = ful;
    store.oFlags[j] = flags;
    store.oCurrent[j] = current;
    store.oCancelledAt[j] = cancelledAt;
    store.oClosedAt[j] = closedAt;
    const last = Math.max(t, cancelledAt, closedAt);
    store.oUpdated[j] = Math.min(ref - 1, last + (rng() < 0.3 ? Math.floor(rng() * 5 * DAY) : 0));
    if (cust >= 0) {
      const st = FINANCIAL_STATUSES[fin];
      store.cOrders[cust] = (store.cOrders[cust] ?? 0) + 1;
      if (!(flags & (O.cancelled | O.test)) && (st === "PAID" || st === "PARTIALLY_PAID" || st === "PARTIALLY_REFUNDED")) {
        store.cSpent[cust] = (store.cSpent[cust] ?? 0) + current;
      }
      if ((store.cUpdated[cust] ?? 0) < t) store.cUpdated[cust] = t;
    }
  }

  // customer -> orders index (CSR)
  const oStartIdx = new Uint32Array(N + 1);
  for (let i = 0; i < N; i++) oStartIdx[i + 1] = (oStartIdx[i] ?? 0) + (counts[i] ?? 0);
  const fill = oStartIdx.slice(0, N);
  const list = new Uint32Array(oStartIdx[N] ?? 0);
  for (let j = 0; j < M; j++) {
    const c = store.oCustomer[j] ?? -1;
    if (c >= 0) {
      list[fill[c] ?? 0] = j;
      fill[c] = (fill[c] ?? 0) + 1;
    }
  }
  store.oStart = oStartIdx;
  store.oList = list;
  return store;
}
