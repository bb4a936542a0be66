// In-memory store of the emulated Nuvemshop shop, with deterministic seeding.
//
// It has to hold 1,000,000 customers and 2,000,000 orders comfortably, so seeded records are kept
// column-wise in typed arrays (a few bytes each) and every string (names, emails, phones, CPFs,
// addresses) is derived on demand from small tables and a per-record random number. JSON objects
// in Nuvemshop's shape are built only when a record is read.

import { BR_DDD, CANCEL_REASONS, CITIES, EMAIL_DOMAINS, FIRST_NAMES, GATEWAYS, LAST_NAMES, STREETS } from "./data.js";
import { cpfCheckDigits, formatCpf, isoNuvem, type DateOffset, mix32, money, mulberry32, pick, stripAccents, unit, weighted } from "./util.js";

export const DEFAULT_REFERENCE_DATE = "2026-11-01T00:00:00Z";
export const DEFAULT_STORE_ID = 1234567;

const CUSTOMER_ID_BASE = 110_000_000;
const ORDER_ID_BASE = 950_000_000;
const ADDRESS_ID_BASE = 30_000_000;
const ID_STRIDE = 4;
const TWO_YEARS = 2 * 365 * 86400;

export const ORDER_STATUSES = ["open", "closed", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_STATUSES = ["pending", "authorized", "paid", "abandoned", "refunded", "voided"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const SHIPPING_STATUSES = ["unpacked", "unshipped", "shipped"] as const;
export type ShippingStatus = (typeof SHIPPING_STATUSES)[number];

/** Order states a seeded order can be in, with their weights. */
const ORDER_STATES: Array<{ status: OrderStatus; payment: PaymentStatus; shipping: ShippingStatus; w: number }> = [
  { status: "closed", payment: "paid", shipping: "shipped", w: 46 },
  { status: "open", payment: "paid", shipping: "unpacked", w: 8 },
  { status: "open", payment: "paid", shipping: "unshipped", w: 6 },
  { status: "open", payment: "paid", shipping: "shipped", w: 6 },
  { status: "open", payment: "pending", shipping: "unpacked", w: 10 },
  { status: "open", payment: "authorized", shipping: "unpacked", w: 4 },
  { status: "open", payment: "abandoned", shipping: "unpacked", w: 4 },
  { status: "closed", payment: "refunded", shipping: "shipped", w: 2 },
  { status: "cancelled", payment: "voided", shipping: "unpacked", w: 3 },
  { status: "cancelled", payment: "refunded", shipping: "unpacked", w: 3 },
  { status: "cancelled", payment: "pending", shipping: "unpacked", w: 2 },
  { status: "cancelled", payment: "abandoned", shipping: "unpacked", w: 1 },
];
const STATE_WEIGHTS = ORDER_STATES.map((s) => s.w);

export interface StoreOptions {
  storeId?: number;
  seed?: number;
  customers?: number;
  orders?: number;
  /** Seeded data is spread over the two years before this instant (never Date.now()). */
  referenceDate?: string;
  /** How dates are written: `+0000` (UTC, default) or `-0300` (store time). */
  dateOffset?: DateOffset;
}

export interface NewCustomerInput {
  name?: string;
  email?: string | null;
  phone?: string | null;
  identification?: string | null;
  note?: string | null;
  accepts_marketing?: boolean;
}

/** Fields the control API can change on any customer (seeded or created); see `updateCustomer`. */
export interface CustomerEdit {
  name?: string;
  email?: string | null;
  phone?: string | null;
  identification?: string | null;
  note?: string | null;
}

interface CreatedCustomer {
  name: string;
  email: string | null;
  phone: string | null;
  identification: string | null;
  note: string | null;
  acceptsMarketing: boolean;
}

export interface MetafieldRecord {
  id: number;
  namespace: string;
  key: string;
  value: string;
  description: string | null;
  owner_resource: string;
  owner_id: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookRecord {
  id: number;
  event: string;
  url: string;
  created_at: number;
  updated_at: number;
}

export interface ScriptRecord {
  id: number;
  src: string | null;
  event: string;
  where: string;
  script_id: number | null;
  query_params: string | null;
  created_at: number;
  updated_at: number;
}

const FIRST_FOLDED = FIRST_NAMES.map((x) => stripAccents(x).toLowerCase());
const LAST_FOLDED = LAST_NAMES.map((x) => stripAccents(x).toLowerCase());

/** Customer flags (cFlags). */
const C = { email: 1, phone: 2, mixedCase: 4, upper: 8, spaces: 16, active: 32, marketing: 64, address: 128 } as const;

export class NuvemshopStore {
  readonly options: Required<StoreOptions>;

  customerCount = 0;
  private cap = 0;
  cCreated = new Uint32Array(0);
  cUpdated = new Uint32Array(0);
  cRnd = new Uint32Array(0);
  cFlags = new Uint8Array(0);
  cSpent = new Float64Array(0);
  cLastOrder = new Int32Array(0);
  /** Orders of seeded customer i are oList[oStart[i] .. oStart[i+1]). */
  oStart = new Uint32Array(1);
  oList = new Uint32Array(0);
  readonly created = new Map<number, CreatedCustomer>();
  /** Later edits of customers (seeded or created), by index; they win over the derived values. */
  readonly edited = new Map<number, CustomerEdit>();

  orderCount = 0;
  oCreated = new Uint32Array(0);
  oUpdated = new Uint32Array(0);
  oCustomer = new Int32Array(0);
  oState = new Uint8Array(0);
  oTotal = new Uint32Array(0);
  oRnd = new Uint32Array(0);

  readonly metafields = new Map<number, MetafieldRecord>();
  readonly webhooks = new Map<number, WebhookRecord>();
  readonly scripts = new Map<number, ScriptRecord>();
  private nextMetafieldId = 5_000_001;
  private nextWebhookId = 8_001;
  private nextScriptId = 2_001;

  constructor(opts: StoreOptions = {}) {
    this.options = {
      storeId: opts.storeId ?? DEFAULT_STORE_ID,
      seed: opts.seed ?? 1,
      customers: opts.customers ?? 100,
      orders: opts.orders ?? 300,
      referenceDate: opts.referenceDate ?? DEFAULT_REFERENCE_DATE,
      dateOffset: opts.dateOffset ?? "+0000",
    };
  }

  /** A date as this store writes it (an arrow so it can be passed around). */
  readonly iso = (sec: number): string => isoNuvem(sec, this.options.dateOffset);

  get referenceSec(): number {
    return Math.floor(Date.parse(this.options.referenceDate) / 1000);
  }

  // ---- ids ----------------------------------------------------------------------------------

  customerId(i: number): number {
    return CUSTOMER_ID_BASE + i * ID_STRIDE + (mix32(this.options.seed, i) % ID_STRIDE);
  }

  /** Index of a customer id, or -1. */
  customerIndex(id: number): number {
    if (!Number.isSafeInteger(id) || id < CUSTOMER_ID_BASE) return -1;
    const i = Math.floor((id - CUSTOMER_ID_BASE) / ID_STRIDE);
    return i < this.customerCount && this.customerId(i) === id ? i : -1;
  }

  /** First index whose id is greater than `id` (for since_id). */
  customerIndexAfter(id: number): number {
    if (id < CUSTOMER_ID_BASE) return 0;
    const i = Math.floor((id - CUSTOMER_ID_BASE) / ID_STRIDE);
    if (i >= this.customerCount) return this.customerCount;
    return this.customerId(i) > id ? i : i + 1;
  }

  orderId(j: number): number {
    return ORDER_ID_BASE + j * ID_STRIDE + (mix32(this.options.seed ^ 0x5bd1e995, j) % ID_STRIDE);
  }

  orderIndex(id: number): number {
    if (!Number.isSafeInteger(id) || id < ORDER_ID_BASE) return -1;
    const j = Math.floor((id - ORDER_ID_BASE) / ID_STRIDE);
    return j < this.orderCount && this.orderId(j) === id ? j : -1;
  }

  orderIndexAfter(id: number): number {
    if (id < ORDER_ID_BASE) return 0;
    const j = Math.floor((id - ORDER_ID_BASE) / ID_STRIDE);
    if (j >= this.orderCount) return this.orderCount;
    return this.orderId(j) > id ? j : j + 1;
  }

  // ---- seeding ------------------------------------------------------------------------------

  /** Fills the store from the options. Deterministic for (seed, sizes, referenceDate). */
  seed(): this {
    const { customers: n, orders: m, seed } = this.options;
    const rand = mulberry32(seed);
    const ref = this.referenceSec;
    const start = ref - TWO_YEARS;
    this.ensureCapacity(n);
    this.customerCount = n;
    // Creation times grow with the index (ids grow with creation, as on Nuvemshop); more recent
    // customers are more frequent.
    for (let i = 0; i < n; i++) {
      const r = Math.floor(rand() * 4294967296) >>> 0;
      this.cRnd[i] = r;
      const x = (i + unit(r, 1)) / Math.max(1, n);
      this.cCreated[i] = start + Math.floor(TWO_YEARS * Math.sqrt(x) * 0.999);
      let f = 0;
      const u = unit(r, 2);
      if (u < 0.86) f |= C.email;
      if (u >= 0.86 || unit(r, 3) < 0.6) f |= C.phone;
      const k = unit(r, 4);
      if (k < 0.11) f |= C.mixedCase;
      else if (k < 0.14) f |= C.upper;
      if (unit(r, 5) < 0.03) f |= C.spaces;
      if (unit(r, 6) < 0.8) f |= C.active;
      if (unit(r, 7) < 0.45) f |= C.marketing;
      if (unit(r, 8) < 0.75) f |= C.address;
      this.cFlags[i] = f;
      this.cLastOrder[i] = -1;
      this.cSpent[i] = 0;
    }
    // Orders: times grow with the index; each goes to a customer who existed at that time.
    this.orderCount = m;
    this.oCreated = new Uint32Array(m);
    this.oUpdated = new Uint32Array(m);
    this.oCustomer = new Int32Array(m);
    this.oState = new Uint8Array(m);
    this.oTotal = new Uint32Array(m);
    this.oRnd = new Uint32Array(m);
    const counts = new Uint32Array(n + 1);
    let avail = 0;
    for (let j = 0; j < m; j++) {
      const r = Math.floor(rand() * 4294967296) >>> 0;
      this.oRnd[j] = r;
      const x = (j + unit(r, 1)) / Math.max(1, m);
      // Never before the first customer existed (max with a constant keeps times monotonic).
      const t = Math.max(start + 3600 + Math.floor((TWO_YEARS - 7200) * Math.sqrt(x)), n > 0 ? (this.cCreated[0] ?? 0) : 0);
      this.oCreated[j] = t;
      while (avail < n && (this.cCreated[avail] ?? 0) <= t) avail++;
      let c = -1;
      if (n > 0) {
        c = Math.floor(Math.max(1, avail) * unit(r, 2));
        // Half of the customers never order; their picks go to a few heavy buyers (every 37th).
        if (mix32(seed, c) & 1) c = 37 * Math.floor(unit(r, 9) * Math.ceil(Math.max(1, avail) / 37));
        c = Math.min(c, n - 1);
        counts[c] = (counts[c] ?? 0) + 1;
      }
      this.oCustomer[j] = c;
      const s = weighted(STATE_WEIGHTS, unit(r, 3));
      this.oState[j] = s;
      this.oTotal[j] = 1990 + Math.floor(unit(r, 4) * unit(r, 5) * 120000);
      const st = ORDER_STATES[s];
      let upd = t + 60 + Math.floor(unit(r, 6) * 3600);
      if (st && (st.status !== "open" || st.payment === "paid")) upd = t + 3600 + Math.floor(unit(r, 7) * 10 * 86400);
      this.oUpdated[j] = Math.min(upd, ref - 1);
      if (c >= 0) {
        this.cLastOrder[c] = j;
        if (st && st.payment === "paid" && st.status !== "cancelled") this.cSpent[c] = (this.cSpent[c] ?? 0) + (this.oTotal[j] ?? 0);
      }
    }
    // Customer -> orders index (CSR).
    this.oStart = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) this.oStart[i + 1] = (this.oStart[i] ?? 0) + (counts[i] ?? 0);
    this.oList = new Uint32Array(m);
    const fill = this.oStart.slice(0, n);
    for (let j = 0; j < m; j++) {
      const c = this.oCustomer[j] ?? -1;
      if (c < 0) continue;
      const p = fill[c] ?? 0;
      this.oList[p] = j;
      fill[c] = p + 1;
    }
    // updated_at: some later edit, and never before the customer's last order (total_spent changes).
    for (let i = 0; i < n; i++) {
      const r = this.cRnd[i] ?? 0;
      const c = this.cCreated[i] ?? 0;
      let u = c + Math.floor(unit(r, 9) * unit(r, 10) * (ref - c));
      const lo = this.cLastOrder[i] ?? -1;
      if (lo >= 0) u = Math.max(u, this.oUpdated[lo] ?? 0);
      this.cUpdated[i] = Math.min(Math.max(u, c), ref - 1);
    }
    return this;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, Math.floor(this.cap * 1.5) + 16);
    const grow = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, b: T): T => {
      b.set(a as never);
      return b;
    };
    this.cCreated = grow(this.cCreated, new Uint32Array(cap));
    this.cUpdated = grow(this.cUpdated, new Uint32Array(cap));
    this.cRnd = grow(this.cRnd, new Uint32Array(cap));
    this.cFlags = grow(this.cFlags, new Uint8Array(cap));
    this.cSpent = grow(this.cSpent, new Float64Array(cap));
    this.cLastOrder = grow(this.cLastOrder, new Int32Array(cap));
    this.cap = cap;
  }

  // ---- customers ----------------------------------------------------------------------------

  firstName(i: number): string {
    return pick(FIRST_NAMES, unit(this.cRnd[i] ?? 0, 11));
  }

  lastName(i: number): string {
    return pick(LAST_NAMES, unit(this.cRnd[i] ?? 0, 12));
  }

  name(i: number): string {
    const edited = this.edited.get(i)?.name;
    if (edited !== undefined) return edited;
    const c = this.created.get(i);
    if (c) return c.name;
    return `${this.firstName(i)} ${this.lastName(i)}`;
  }

  /** The raw email as stored: mixed case and surrounding whitespace happen; null for some. */
  email(i: number): string | null {
    const edit = this.edited.get(i);
    if (edit && edit.email !== undefined) return edit.email;
    const c = this.created.get(i);
    if (c) return c.email;
    const f = this.cFlags[i] ?? 0;
    if (!(f & C.email)) return null;
    const r = this.cRnd[i] ?? 0;
    const first = stripAccents(this.firstName(i)).toLowerCase().replace(/[^a-z]/g, "");
    const last = stripAccents(this.lastName(i)).toLowerCase().replace(/[^a-z]/g, "");
    const v = Math.floor(unit(r, 13) * 4);
    const local = v === 0 ? `${first}.${last}${i + 1}` : v === 1 ? `${first}${last}${i + 1}` : v === 2 ? `${first[0] ?? "x"}${last}${i + 1}` : `${first}_${last}${i + 1}`;
    let e = `${local}@${pick(EMAIL_DOMAINS, unit(r, 14))}`;
    if (f & C.mixedCase) e = e.replace(/(^|[._@])([a-z])/g, (_m, p: string, ch: string) => p + ch.toUpperCase());
    else if (f & C.upper) e = e.toUpperCase();
    if (f & C.spaces) e = unit(r, 15) < 0.5 ? ` ${e} ` : `${e} `;
    return e;
  }

  /** Phones in the formats Brazilian shoppers type them. */
  phone(i: number): string | null {
    const edit = this.edited.get(i);
    if (edit && edit.phone !== undefined) return edit.phone;
    const c = this.created.get(i);
    if (c) return c.phone;
    if (!((this.cFlags[i] ?? 0) & C.phone)) return null;
    const r = this.cRnd[i] ?? 0;
    const ddd = pick(BR_DDD, unit(r, 16));
    const n = String((i * 48271 + 12_345_678) % 100_000_000).padStart(8, "0");
    const a = n.slice(0, 4);
    const b = n.slice(4);
    const fmt = Math.floor(unit(r, 17) * 6);
    return [`+55${ddd}9${n}`, `(${ddd}) 9${a}-${b}`, `${ddd}9${n}`, `+55 ${ddd} 9${a}-${b}`, `55 (${ddd}) 9 ${a}-${b}`, `${ddd} 9${a}-${b}`][fmt] ?? null;
  }

  /** CPF with valid check digits: ~45 % bare digits, ~30 % formatted `123.456.789-09`, ~25 % null. */
  identification(i: number): string | null {
    const edit = this.edited.get(i);
    if (edit && edit.identification !== undefined) return edit.identification;
    const c = this.created.get(i);
    if (c) return c.identification;
    const r = this.cRnd[i] ?? 0;
    const u = unit(r, 18);
    if (u < 0.25) return null;
    const base = String(100_000_000 + (mix32(r, 19) % 899_999_999)).slice(0, 9);
    const cpf = base + cpfCheckDigits(base);
    return u < 0.55 ? formatCpf(cpf) : cpf;
  }

  private address(i: number): Record<string, unknown> | null {
    if (this.created.has(i) || !((this.cFlags[i] ?? 0) & C.address)) return null;
    const r = this.cRnd[i] ?? 0;
    const city = pick(CITIES, unit(r, 20));
    const ts = this.iso(this.cCreated[i] ?? 0);
    return {
      address: pick(STREETS, unit(r, 21)),
      city: city.city,
      country: "BR",
      created_at: ts,
      default: true,
      floor: unit(r, 22) < 0.2 ? `Apto ${1 + Math.floor(unit(r, 23) * 300)}` : null,
      id: ADDRESS_ID_BASE + i,
      locality: pick(city.localities, unit(r, 24)),
      name: this.name(i),
      number: String(1 + Math.floor(unit(r, 25) * 2500)),
      phone: this.phone(i),
      province: city.province,
      updated_at: ts,
      zipcode: `${city.zipPrefix}${String(mix32(r, 26) % 1000).padStart(3, "0")}-${String(mix32(r, 27) % 1000).padStart(3, "0")}`,
    };
  }

  /** The customer as Nuvemshop's `GET /customers/{id}` returns it. */
  customerJson(i: number): Record<string, unknown> {
    const created = this.created.get(i);
    const f = this.cFlags[i] ?? 0;
    const addr = this.address(i);
    const lo = this.cLastOrder[i] ?? -1;
    const r = this.cRnd[i] ?? 0;
    const acceptsMarketing = created ? created.acceptsMarketing : (f & C.marketing) !== 0;
    return {
      id: this.customerId(i),
      name: this.name(i),
      email: this.email(i),
      phone: this.phone(i),
      identification: this.identification(i),
      note: this.edited.get(i)?.note !== undefined ? (this.edited.get(i)?.note ?? null) : created ? created.note : unit(r, 28) < 0.05 ? "Cliente prefere entrega à tarde" : null,
      default_address: addr,
      addresses: addr ? [addr] : [],
      billing_name: addr ? this.name(i) : null,
      billing_phone: addr ? this.phone(i) : null,
      billing_address: addr ? addr.address : null,
      billing_number: addr ? addr.number : null,
      billing_floor: addr ? addr.floor : null,
      billing_locality: addr ? addr.locality : null,
      billing_zipcode: addr ? addr.zipcode : null,
      billing_city: addr ? addr.city : null,
      billing_province: addr ? addr.province : null,
      billing_country: addr ? "BR" : null,
      extra: {},
      total_spent: money(this.cSpent[i] ?? 0),
      total_spent_currency: "BRL",
      last_order_id: lo >= 0 ? this.orderId(lo) : null,
      active: created ? false : (f & C.active) !== 0,
      first_interaction: this.iso(this.cCreated[i] ?? 0),
      created_at: this.iso(this.cCreated[i] ?? 0),
      updated_at: this.iso(this.cUpdated[i] ?? 0),
      accepts_marketing: acceptsMarketing,
      accepts_marketing_updated_at: this.iso(this.cCreated[i] ?? 0),
    };
  }

  /** Adds a customer (created through the control API, i.e. "now"). */
  createCustomer(input: NewCustomerInput, nowSec: number): number {
    const i = this.customerCount;
    this.ensureCapacity(i + 1);
    this.customerCount = i + 1;
    const latest = i > 0 ? (this.cCreated[i - 1] ?? 0) : 0;
    const t = Math.max(nowSec, latest);
    this.cCreated[i] = t;
    this.cUpdated[i] = t;
    this.cRnd[i] = mix32(this.options.seed, i + 0x1000000);
    this.cFlags[i] = 0;
    this.cSpent[i] = 0;
    this.cLastOrder[i] = -1;
    this.created.set(i, {
      name: input.name ?? "",
      email: input.email ?? null,
      phone: input.phone ?? null,
      identification: input.identification ?? null,
      note: input.note ?? null,
      acceptsMarketing: input.accepts_marketing ?? false,
    });
    return i;
  }

  /**
   * Changes a customer as the shopper or the merchant would (name, email, phone, identification, note)
   * and moves its `updated_at` to `nowSec` (never backwards). Fields left undefined keep their value.
   */
  updateCustomer(i: number, edit: CustomerEdit, nowSec: number): void {
    const defined = Object.fromEntries(Object.entries(edit).filter(([, v]) => v !== undefined)) as CustomerEdit;
    this.edited.set(i, { ...(this.edited.get(i) ?? {}), ...defined });
    this.cUpdated[i] = Math.max(nowSec, this.cUpdated[i] ?? 0);
  }

  /** A predicate for `q`: name or email contains the text (accent/case-insensitive), or CPF digits match. */
  queryMatcher(q: string): (i: number) => boolean {
    const n = stripAccents(q).toLowerCase().trim();
    if (!n) return () => true;
    const digits = q.replace(/\D/g, "");
    return (i) => {
      const created = this.created.get(i);
      const editedName = this.edited.get(i)?.name;
      let name: string;
      if (editedName !== undefined) name = stripAccents(editedName).toLowerCase();
      else if (created) name = stripAccents(created.name).toLowerCase();
      else {
        const r = this.cRnd[i] ?? 0;
        name = `${pick(FIRST_FOLDED, unit(r, 11))} ${pick(LAST_FOLDED, unit(r, 12))}`;
      }
      if (name.includes(n)) return true;
      const email = this.email(i);
      if (email && email.toLowerCase().includes(n)) return true;
      if (digits.length < 3) return false;
      const id = this.identification(i);
      return !!id && id.replace(/\D/g, "").includes(digits);
    };
  }

  // ---- orders -------------------------------------------------------------------------------

  orderState(j: number): { status: OrderStatus; payment: PaymentStatus; shipping: ShippingStatus } {
    const s = ORDER_STATES[this.oState[j] ?? 0] ?? ORDER_STATES[0];
    if (!s) throw new Error("no order states");
    return s;
  }

  /** Orders of customer index i, oldest first. */
  ordersOf(i: number): Uint32Array {
    // Only seeded customers have orders (oStart covers them); created ones have none.
    if (i + 1 >= this.oStart.length) return new Uint32Array(0);
    return this.oList.subarray(this.oStart[i] ?? 0, this.oStart[i + 1] ?? 0);
  }

  orderJson(j: number): Record<string, unknown> {
    const r = this.oRnd[j] ?? 0;
    const st = this.orderState(j);
    const created = this.oCreated[j] ?? 0;
    const updated = this.oUpdated[j] ?? created;
    const total = this.oTotal[j] ?? 0;
    const shippingCost = unit(r, 10) < 0.3 ? 0 : 1500 + Math.floor(unit(r, 11) * 3000);
    const discount = unit(r, 12) < 0.15 ? Math.floor(total * 0.1) : 0;
    const subtotal = Math.max(0, total - shippingCost + discount);
    const c = this.oCustomer[j] ?? -1;
    const paid = st.payment === "paid" || st.payment === "refunded";
    const cancelled = st.status === "cancelled";
    const customer =
      c >= 0
        ? {
            id: this.customerId(c),
            name: this.name(c),
            email: this.email(c),
            phone: this.phone(c),
            identification: this.identification(c),
            note: null,
            created_at: this.iso(this.cCreated[c] ?? 0),
            updated_at: this.iso(this.cUpdated[c] ?? 0),
            total_spent: money(this.cSpent[c] ?? 0),
            total_spent_currency: "BRL",
            last_order_id: (this.cLastOrder[c] ?? -1) >= 0 ? this.orderId(this.cLastOrder[c] ?? 0) : null,
            active: ((this.cFlags[c] ?? 0) & C.active) !== 0,
          }
        : null;
    return {
      id: this.orderId(j),
      token: mix32(r, 30).toString(16).padStart(8, "0") + mix32(r, 31).toString(16).padStart(8, "0") + mix32(r, 32).toString(16).padStart(8, "0"),
      store_id: String(this.options.storeId),
      contact_email: customer ? customer.email : null,
      contact_name: customer ? customer.name : null,
      contact_phone: customer ? customer.phone : null,
      contact_identification: customer ? customer.identification : null,
      number: 100 + j,
      customer,
      subtotal: money(subtotal),
      discount: money(discount),
      shipping_cost_customer: money(shippingCost),
      total: money(total),
      currency: "BRL",
      language: "pt",
      gateway: pick(GATEWAYS, unit(r, 13)),
      status: st.status,
      payment_status: st.payment,
      shipping_status: st.shipping,
      shipping_pickup_type: "ship",
      cancel_reason: cancelled ? pick(CANCEL_REASONS, unit(r, 14)) : null,
      created_at: this.iso(created),
      updated_at: this.iso(updated),
      completed_at: { date: isoDateSpace(created), timezone_type: 3, timezone: "UTC" },
      paid_at: paid ? this.iso(Math.min(updated, created + 60 + Math.floor(unit(r, 15) * 1800))) : null,
      closed_at: st.status === "closed" ? this.iso(updated) : null,
      cancelled_at: cancelled ? this.iso(updated) : null,
      shipped_at: st.shipping === "shipped" ? this.iso(Math.min(updated, created + 86400)) : null,
      products: [],
    };
  }

  // ---- app data -----------------------------------------------------------------------------

  addMetafield(m: Omit<MetafieldRecord, "id">): MetafieldRecord {
    const rec = { ...m, id: this.nextMetafieldId++ };
    this.metafields.set(rec.id, rec);
    return rec;
  }

  addWebhook(event: string, url: string, nowSec: number): WebhookRecord {
    const rec = { id: this.nextWebhookId++, event, url, created_at: nowSec, updated_at: nowSec };
    this.webhooks.set(rec.id, rec);
    return rec;
  }

  addScript(s: Omit<ScriptRecord, "id">): ScriptRecord {
    const rec = { ...s, id: this.nextScriptId++ };
    this.scripts.set(rec.id, rec);
    return rec;
  }
}

/** `completed_at` comes as a PHP DateTime object (`{ date, timezone_type, timezone }`) in Nuvemshop's examples. */
function isoDateSpace(sec: number): string {
  return `${isoNuvem(sec).slice(0, 19).replace("T", " ")}.000000`;
}

export function seedStore(opts: StoreOptions = {}): NuvemshopStore {
  return new NuvemshopStore(opts).seed();
}

export function metafieldJson(m: MetafieldRecord, iso: (sec: number) => string = isoNuvem): Record<string, unknown> {
  return {
    id: m.id,
    key: m.key,
    value: m.value,
    namespace: m.namespace,
    description: m.description,
    owner_id: m.owner_id,
    owner_resource: m.owner_resource,
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
  };
}

export function webhookJson(w: WebhookRecord, iso: (sec: number) => string = isoNuvem): Record<string, unknown> {
  return { id: w.id, event: w.event, url: w.url, created_at: iso(w.created_at), updated_at: iso(w.updated_at) };
}

export function scriptJson(s: ScriptRecord, iso: (sec: number) => string = isoNuvem): Record<string, unknown> {
  return { id: s.id, src: s.src, event: s.event, where: s.where, script_id: s.script_id, query_params: s.query_params, created_at: iso(s.created_at), updated_at: iso(s.updated_at) };
}
