import { describe, expect, it } from "vitest";
import { compileCustomerSearch, compileOrderSearch, parseTimeSpan } from "./search.js";
import { FINANCIAL_STATUSES, seedStore, type EmulatedStore } from "./store.js";
import { IdSpace, decimal, isoInZone, isoUtc, mulberry32 } from "./util.js";

function snapshot(s: EmulatedStore): string {
  const rows: string[] = [];
  for (let i = 0; i < s.customerCount; i++) {
    rows.push(
      [s.customerLegacyId(i), s.firstName(i), s.lastName(i), s.email(i), s.phone(i), s.state(i), s.cCreated[i], s.cUpdated[i], s.cOrders[i], s.cSpent[i], s.tags(i).join("|"), s.address(i)?.zip].join(";"),
    );
  }
  for (let j = 0; j < s.orderCount; j++) {
    rows.push(
      [s.orderLegacyId(j), s.orderName(j), s.oCreated[j], s.oUpdated[j], s.orderCustomer(j), s.financialStatus(j), s.fulfillmentStatus(j), s.cancelReason(j), s.isClosed(j), s.oTotal[j], s.oCurrent[j]].join(";"),
    );
  }
  return rows.join("\n");
}

describe("seeded store", () => {
  it("is deterministic for a seed and sizes, and differs across seeds", () => {
    const a = snapshot(seedStore({ seed: 7, customers: 400, orders: 1200 }));
    const b = snapshot(seedStore({ seed: 7, customers: 400, orders: 1200 }));
    const c = snapshot(seedStore({ seed: 8, customers: 400, orders: 1200 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("does not depend on the wall clock: dates stay within two years before the reference date", () => {
    const s = seedStore({ seed: 1, customers: 500, orders: 1500, referenceDate: "2026-11-01T00:00:00Z" });
    const ref = Date.parse("2026-11-01T00:00:00Z") / 1000;
    for (let i = 0; i < s.customerCount; i++) {
      expect(s.cCreated[i]).toBeGreaterThanOrEqual(ref - 2 * 365 * 86400);
      expect(s.cUpdated[i]).toBeLessThanOrEqual(ref);
      expect(s.cUpdated[i]).toBeGreaterThanOrEqual(s.cCreated[i] ?? 0);
    }
    for (let j = 0; j < s.orderCount; j++) {
      const c = s.orderCustomer(j);
      if (c >= 0) expect(s.oCreated[j]).toBeGreaterThanOrEqual(s.cCreated[c] ?? 0);
      expect(s.oUpdated[j]).toBeLessThanOrEqual(ref);
    }
  });

  it("has realistic, messy contact data with unique emails and ids", () => {
    const s = seedStore({ seed: 1, customers: 3000, orders: 9000 });
    const emails = new Set<string>();
    const ids = new Set<string>();
    let mixedCase = 0;
    let spaced = 0;
    let phoneOnly = 0;
    let accents = 0;
    const phoneFormats = new Set<string>();
    const states = new Set<string>();
    for (let i = 0; i < s.customerCount; i++) {
      ids.add(s.customerLegacyId(i));
      const e = s.email(i);
      const p = s.phone(i);
      states.add(s.state(i));
      if (/[À-ÿ]/.test(`${s.firstName(i)}${s.lastName(i)}`)) accents++;
      if (e) {
        const norm = e.trim().toLowerCase();
        expect(emails.has(norm)).toBe(false);
        emails.add(norm);
        if (e !== e.toLowerCase()) mixedCase++;
        if (e !== e.trim()) spaced++;
      } else {
        expect(p).toBeTruthy();
        phoneOnly++;
      }
      if (p) phoneFormats.add(p.startsWith("+") ? (p.includes(" ") ? "intl-spaced" : "e164") : p.includes("(") ? "local-parens" : "digits");
    }
    expect(ids.size).toBe(s.customerCount);
    expect(mixedCase).toBeGreaterThan(0);
    expect(spaced).toBeGreaterThan(0);
    expect(phoneOnly).toBeGreaterThan(0);
    expect(accents).toBeGreaterThan(0);
    expect(phoneFormats.size).toBeGreaterThanOrEqual(3);
    expect([...states].sort()).toEqual(["DECLINED", "DISABLED", "ENABLED", "INVITED"]);
  });

  it("has orders in every financial state, cancelled and closed ones, guests and a skewed distribution", () => {
    const s = seedStore({ seed: 1, customers: 3000, orders: 9000 });
    const fin = new Set<string>();
    const ful = new Set<string>();
    let cancelled = 0;
    let closed = 0;
    let guests = 0;
    for (let j = 0; j < s.orderCount; j++) {
      fin.add(s.financialStatus(j));
      ful.add(s.fulfillmentStatus(j));
      if (s.isCancelled(j)) {
        cancelled++;
        expect(s.cancelReason(j)).not.toBeNull();
        expect(s.oCancelledAt[j]).toBeGreaterThanOrEqual(s.oCreated[j] ?? 0);
      } else {
        expect(s.cancelReason(j)).toBeNull();
      }
      if (s.isClosed(j)) closed++;
      if (s.orderCustomer(j) < 0) guests++;
    }
    expect([...fin].sort()).toEqual([...FINANCIAL_STATUSES].sort());
    for (const f of ["UNFULFILLED", "FULFILLED", "PARTIALLY_FULFILLED", "RESTOCKED", "ON_HOLD"]) expect(ful.has(f)).toBe(true);
    expect(cancelled).toBeGreaterThan(0);
    expect(closed).toBeGreaterThan(0);
    expect(guests).toBeGreaterThan(0);
    const counts = Array.from({ length: s.customerCount }, (_, i) => s.cOrders[i] ?? 0);
    const zero = counts.filter((n) => n === 0).length;
    expect(zero).toBeGreaterThan(s.customerCount * 0.2);
    expect(Math.max(...counts)).toBeGreaterThan(10);
    // The customer -> orders index agrees with the order -> customer column.
    for (let i = 0; i < 200; i++) {
      const list = Array.from(s.customerOrders(i));
      expect(list.length).toBe(s.cOrders[i]);
      for (const j of list) expect(s.orderCustomer(j)).toBe(i);
    }
  });

  it("uses one currency per store", () => {
    expect(seedStore({ currency: "USD" }).shop.currencyCode).toBe("USD");
    expect(seedStore({}).shop.currencyCode).toBe("BRL");
  });
});

describe("ids", () => {
  it("maps indices to ids and back, and id comparisons to index ranges", () => {
    const sp = new IdSpace("7", 12, 21_345_678_901, 13);
    expect(sp.index(sp.id(41))).toBe(41);
    expect(sp.index("123")).toBe(-1);
    const x = BigInt(sp.id(10));
    expect(sp.range(">", x, 100)).toEqual([11, 100]);
    expect(sp.range(">=", x, 100)).toEqual([10, 100]);
    expect(sp.range("<", x, 100)).toEqual([0, 10]);
    expect(sp.range("<=", x, 100)).toEqual([0, 11]);
    expect(sp.range("=", x, 100)).toEqual([10, 11]);
    expect(sp.range(">", x + 1n, 100)).toEqual([11, 100]);
    expect(sp.range(">", 123n, 100)).toEqual([0, 100]);
  });

  it("can produce 18-digit ids beyond Number.MAX_SAFE_INTEGER", () => {
    const s = seedStore({ idStyle: "large", customers: 5, orders: 5 });
    const id = s.customerLegacyId(3);
    expect(id).toHaveLength(18);
    expect(BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(s.customerIndex(id)).toBe(3);
  });
});

describe("search syntax", () => {
  const s = seedStore({ seed: 3, customers: 800, orders: 2400 });

  const matches = (f: ReturnType<typeof compileCustomerSearch>, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (!f.pred || f.pred(i)) out.push(i);
    return out;
  };

  it("filters customers by state, dates, email and id with AND / OR / NOT", () => {
    const enabled = matches(compileCustomerSearch(s, "state:enabled"), s.customerCount);
    expect(enabled.length).toBeGreaterThan(0);
    expect(enabled.every((i) => s.state(i) === "ENABLED")).toBe(true);

    const t = Date.parse("2026-03-01T00:00:00Z") / 1000;
    const recent = matches(compileCustomerSearch(s, "updated_at:>'2026-03-01T00:00:00Z' AND state:enabled"), s.customerCount);
    const expected = Array.from({ length: s.customerCount }, (_, i) => i).filter((i) => (s.cUpdated[i] ?? 0) > t && s.state(i) === "ENABLED");
    expect(recent).toEqual(expected);

    const either = matches(compileCustomerSearch(s, "state:invited OR state:declined"), s.customerCount);
    expect(either.every((i) => ["INVITED", "DECLINED"].includes(s.state(i)))).toBe(true);
    const notEnabled = matches(compileCustomerSearch(s, "-state:enabled"), s.customerCount);
    expect(notEnabled.length + enabled.length).toBe(s.customerCount);

    const i = [...Array(s.customerCount).keys()].find((k) => s.email(k) && s.email(k) !== s.email(k)?.trim().toLowerCase()) ?? 0;
    const messy = s.email(i) ?? "";
    expect(matches(compileCustomerSearch(s, `email:${messy.trim().toUpperCase()}`), s.customerCount)).toEqual([i]);

    const after = matches(compileCustomerSearch(s, `id:>${s.customerLegacyId(100)}`), s.customerCount);
    expect(after[0]).toBe(101);
    expect(after.length).toBe(s.customerCount - 101);
  });

  it("reports unknown fields as warnings and ignores them", () => {
    const warnings: Array<{ field: string; message: string }> = [];
    const f = compileCustomerSearch(s, "flavour:vanilla state:disabled", warnings);
    expect(warnings).toEqual([{ field: "flavour", message: "Invalid search field for this query." }]);
    expect(matches(f, s.customerCount).every((k) => s.state(k) === "DISABLED")).toBe(true);
  });

  it("filters orders by financial status, status, customer and created_at range", () => {
    const all = (q: string) => {
      const f = compileOrderSearch(s, q);
      const out: number[] = [];
      for (let j = 0; j < s.orderCount; j++) if (!f.pred || f.pred(j)) out.push(j);
      return out;
    };
    expect(all("financial_status:paid").every((j) => s.financialStatus(j) === "PAID")).toBe(true);
    const cancelled = all("status:cancelled");
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((j) => s.isCancelled(j))).toBe(true);
    expect(all("status:open").every((j) => !s.isClosed(j) && !s.isCancelled(j))).toBe(true);
    const c = [...Array(s.customerCount).keys()].find((k) => (s.cOrders[k] ?? 0) > 2) ?? 0;
    expect(all(`customer_id:${s.customerLegacyId(c)}`)).toEqual(Array.from(s.customerOrders(c)));
    const [from] = parseTimeSpan("2026-01-01", s.shop.ianaTimezone) ?? [0];
    const [to] = parseTimeSpan("2026-02-01", s.shop.ianaTimezone) ?? [0];
    const jan = all("created_at:>=2026-01-01 created_at:<2026-02-01");
    expect(jan.length).toBeGreaterThan(0);
    expect(jan.every((j) => (s.oCreated[j] ?? 0) >= from && (s.oCreated[j] ?? 0) < to)).toBe(true);
  });

  it("reads a date without a zone in the shop's time zone", () => {
    const [from] = parseTimeSpan("2026-01-01", "America/Sao_Paulo") ?? [0];
    expect(new Date(from * 1000).toISOString()).toBe("2026-01-01T03:00:00.000Z");
    expect(isoInZone(from, "America/Sao_Paulo")).toBe("2026-01-01T00:00:00-03:00");
  });
});

describe("dates", () => {
  it("formats DateTime like Date#toISOString without milliseconds", () => {
    const r = mulberry32(9);
    for (let k = 0; k < 2000; k++) {
      const sec = Math.floor(r() * 4_000_000_000);
      expect(isoUtc(sec)).toBe(new Date(sec * 1000).toISOString().replace(/\.000Z$/, "Z"));
    }
  });
});

describe("money", () => {
  it("prints Decimal like Shopify", () => {
    expect(decimal(0)).toBe("0.0");
    expect(decimal(1000)).toBe("10.0");
    expect(decimal(1999)).toBe("19.99");
    expect(decimal(1050)).toBe("10.5");
  });
});
