import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, PAYMENT_STATUSES, seedStore } from "./store.js";
import { cpfCheckDigits, isValidCpf, parseDateParam } from "./util.js";

describe("seeded store", () => {
  it("is deterministic for a seed and differs for another", () => {
    const a = seedStore({ seed: 7, customers: 300, orders: 900 });
    const b = seedStore({ seed: 7, customers: 300, orders: 900 });
    const c = seedStore({ seed: 8, customers: 300, orders: 900 });
    const dump = (s: typeof a) => JSON.stringify([Array.from({ length: 300 }, (_, i) => s.customerJson(i)), Array.from({ length: 900 }, (_, j) => s.orderJson(j))]);
    expect(dump(a)).toBe(dump(b));
    expect(dump(a)).not.toBe(dump(c));
  });

  it("never reads the wall clock: dates lie in the two years before the reference date", () => {
    const s = seedStore({ customers: 500, orders: 1000 });
    const ref = Date.parse("2026-11-01T00:00:00Z") / 1000;
    for (let i = 0; i < 500; i++) {
      expect(s.cCreated[i]).toBeGreaterThanOrEqual(ref - 2 * 365 * 86400);
      expect(s.cUpdated[i]).toBeLessThan(ref);
      expect(s.cUpdated[i]).toBeGreaterThanOrEqual(s.cCreated[i] ?? 0);
    }
    for (let j = 0; j < 1000; j++) {
      const c = s.oCustomer[j] ?? -1;
      expect(c).toBeGreaterThanOrEqual(0);
      expect(s.oCreated[j]).toBeGreaterThanOrEqual(s.cCreated[c] ?? 0);
    }
  });

  it("CPF check digits are valid; some formatted, some bare, some null", () => {
    expect(cpfCheckDigits("529982247")).toBe("25");
    expect(isValidCpf("529.982.247-25")).toBe(true);
    expect(isValidCpf("52998224724")).toBe(false);
    expect(isValidCpf("111.111.111-11")).toBe(false);
    const s = seedStore({ customers: 2000, orders: 10 });
    let formatted = 0;
    let bare = 0;
    let none = 0;
    for (let i = 0; i < 2000; i++) {
      const id = s.identification(i);
      if (id === null) none++;
      else {
        expect(isValidCpf(id), id).toBe(true);
        if (/^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(id)) formatted++;
        else if (/^\d{11}$/.test(id)) bare++;
        else throw new Error(`unexpected CPF format ${id}`);
      }
    }
    expect(formatted).toBeGreaterThan(300);
    expect(bare).toBeGreaterThan(300);
    expect(none).toBeGreaterThan(300);
  });

  it("messy contact data: accents, emails with case/whitespace, some without email, BR phones", () => {
    const s = seedStore({ customers: 3000, orders: 10 });
    const names = Array.from({ length: 3000 }, (_, i) => s.name(i));
    const emails = Array.from({ length: 3000 }, (_, i) => s.email(i));
    const phones = Array.from({ length: 3000 }, (_, i) => s.phone(i)).filter((p): p is string => p !== null);
    expect(names.some((n) => /[ãâáàçéêíóôõú]/i.test(n))).toBe(true);
    expect(emails.filter((e) => e === null).length).toBeGreaterThan(200);
    expect(emails.some((e) => e !== null && e !== e.trim())).toBe(true);
    expect(emails.some((e) => e !== null && /[A-Z]/.test(e))).toBe(true);
    const normalized = emails.filter((e): e is string => e !== null).map((e) => e.trim().toLowerCase());
    expect(new Set(normalized).size).toBe(normalized.length);
    expect(phones.some((p) => p.startsWith("+55"))).toBe(true);
    expect(phones.some((p) => /^\(\d\d\) 9\d{4}-\d{4}$/.test(p))).toBe(true);
    for (const p of phones) expect(p.replace(/\D/g, "")).toMatch(/^(55)?\d{2}9\d{8}$/);
  });

  it("orders in every status and payment status; totals agree with total_spent", () => {
    const s = seedStore({ customers: 400, orders: 4000 });
    const statuses = new Set<string>();
    const payments = new Set<string>();
    for (let j = 0; j < 4000; j++) {
      const st = s.orderState(j);
      statuses.add(st.status);
      payments.add(st.payment);
    }
    expect([...statuses].sort()).toEqual([...ORDER_STATUSES].sort());
    expect([...payments].sort()).toEqual([...PAYMENT_STATUSES].sort());
    for (let i = 0; i < 400; i++) {
      let cents = 0;
      for (const j of s.ordersOf(i)) {
        const st = s.orderState(j);
        if (st.payment === "paid" && st.status !== "cancelled") cents += s.oTotal[j] ?? 0;
      }
      const json = s.customerJson(i);
      expect(json.total_spent).toBe((cents / 100).toFixed(2));
      const list = s.ordersOf(i);
      expect(json.last_order_id).toBe(list.length ? s.orderId(list[list.length - 1] ?? 0) : null);
    }
  });

  it("1,000,000 customers and 2,000,000 orders seed in seconds", () => {
    const s = seedStore({ customers: 1_000_000, orders: 2_000_000 });
    expect(s.customerCount).toBe(1_000_000);
    expect(s.orderCount).toBe(2_000_000);
    expect(s.customerIndex(s.customerId(999_999))).toBe(999_999);
    expect(s.orderIndex(s.orderId(1_999_999))).toBe(1_999_999);
  }, 20_000);
});

describe("date format", () => {
  it("writes +0000 by default and store time with dateOffset -0300", () => {
    const utc = seedStore({ customers: 3, orders: 3 });
    const br = seedStore({ customers: 3, orders: 3, dateOffset: "-0300" });
    const a = String(utc.customerJson(0).created_at);
    const b = String(br.customerJson(0).created_at);
    expect(a).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(b).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0300$/);
    const parse = (x: string) => Date.parse(x.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
    expect(parse(a)).toBe(parse(b));
    expect(parse(a)).toBe((utc.cCreated[0] ?? 0) * 1000);
  });
});

describe("date filters", () => {
  it("read offsets with or without a colon, and zone-less values as UTC", () => {
    const utc = Date.parse("2026-10-01T03:00:00Z") / 1000;
    expect(parseDateParam("2026-10-01T00:00:00-03:00")).toBe(utc);
    expect(parseDateParam("2026-10-01T00:00:00-0300")).toBe(utc);
    expect(parseDateParam("2026-10-01T03:00:00")).toBe(utc);
    expect(parseDateParam("2026-10-01 03:00:00")).toBe(utc);
    expect(parseDateParam("2026-10-01")).toBe(utc - 3 * 3600);
    expect(parseDateParam("yesterday")).toBeNull();
  });
});
