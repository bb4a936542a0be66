import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DateOrder } from "../types";
import { daysInMonth, parseDate } from "./dates";

const ok = (text: string, order: DateOrder) => {
  const r = parseDate(text, order);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.reason}`);
  return r;
};
const reason = (text: string, order: DateOrder) => {
  const r = parseDate(text, order);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${r.iso}`);
  return r.reason;
};

describe("parseDate", () => {
  it("reads ISO dates, never ambiguous", () => {
    expect(ok("2025-03-04", "dmy")).toEqual({ ok: true, iso: "2025-03-04", ambiguous: false });
    expect(ok(" 2025-03-04 ", "mdy")).toEqual({ ok: true, iso: "2025-03-04", ambiguous: false });
    expect(ok("2025/03/04", "dmy").iso).toBe("2025-03-04");
  });

  it("keeps ISO date-times as ISO date-times", () => {
    expect(ok("2025-03-04T10:20:30Z", "dmy").iso).toBe("2025-03-04T10:20:30Z");
    expect(ok("2025-03-04T10:20:30.123-03:00", "dmy").iso).toBe("2025-03-04T10:20:30.123-03:00");
    expect(ok("2025-03-04 10:20", "dmy").iso).toBe("2025-03-04T10:20:00");
    expect(ok("2025-03-04T10:20:30+0100", "mdy").iso).toBe("2025-03-04T10:20:30+01:00");
    expect(reason("2025-03-04T25:00:00", "dmy")).toMatch(/time 25:00:00 does not exist/);
  });

  it("reads DD/MM/YYYY and MM/DD/YYYY by the order, with /, - and . separators", () => {
    expect(ok("04/03/2025", "dmy").iso).toBe("2025-03-04");
    expect(ok("04/03/2025", "mdy").iso).toBe("2025-04-03");
    expect(ok("4-3-2025", "dmy").iso).toBe("2025-03-04");
    expect(ok("04.03.2025", "dmy").iso).toBe("2025-03-04");
    expect(ok("25/12/2024", "dmy")).toEqual({ ok: true, iso: "2024-12-25", ambiguous: false });
    expect(ok("12/25/2024", "mdy")).toEqual({ ok: true, iso: "2024-12-25", ambiguous: false });
    expect(ok("04/03/2025 14:30", "dmy").iso).toBe("2025-03-04T14:30:00");
  });

  it("says when the other order gives another valid date", () => {
    expect(ok("03/04/2025", "dmy").ambiguous).toBe(true);
    expect(ok("03/04/2025", "mdy").ambiguous).toBe(true);
    expect(ok("05/05/2025", "dmy").ambiguous).toBe(false);
    expect(ok("13/04/2025", "dmy").ambiguous).toBe(false);
  });

  it("refuses mixed separators and unknown shapes", () => {
    expect(reason("04/03-2025", "dmy")).toMatch(/not a date in a known format/);
    expect(reason("March 4, 2025", "mdy")).toMatch(/not a date in a known format/);
    expect(reason("", "dmy")).toMatch(/empty/);
  });

  it("refuses two-digit years with a reason", () => {
    expect(reason("04/03/25", "dmy")).toMatch(/two-digit year "25" is ambiguous/);
    expect(reason("04/03/202", "dmy")).toMatch(/four digits/);
  });

  it("refuses impossible dates with a reason", () => {
    expect(reason("31/02/2026", "dmy")).toMatch(/February 2026 has 28 days, not 31/);
    expect(reason("29/02/2025", "dmy")).toMatch(/28 days/);
    expect(ok("29/02/2024", "dmy").iso).toBe("2024-02-29");
    expect(reason("2026-02-30", "dmy")).toMatch(/not a real date/);
    expect(reason("2026-13-01", "dmy")).toMatch(/no month 13/);
    expect(reason("00/01/2026", "dmy")).toMatch(/not a real date/);
    expect(reason("31/04/2026", "dmy")).toMatch(/April 2026 has 30 days/);
  });

  it("points at the date order when only the other order would work", () => {
    expect(reason("12/25/2024", "dmy")).toMatch(/valid as MM\/DD\/YYYY; check the date order/);
    expect(reason("25/12/2024", "mdy")).toMatch(/valid as DD\/MM\/YYYY; check the date order/);
  });
});

describe("parseDate properties", () => {
  const orders = fc.constantFrom<DateOrder>("dmy", "mdy");
  const parts = fc.record({
    year: fc.integer({ min: 1000, max: 9999 }),
    month: fc.integer({ min: 0, max: 14 }),
    day: fc.integer({ min: 0, max: 33 }),
    sep: fc.constantFrom("/", "-", "."),
  });

  it("never accepts an impossible date, and reads every real one", () => {
    fc.assert(
      fc.property(parts, orders, ({ year, month, day, sep }, order) => {
        const [a, b] = order === "dmy" ? [day, month] : [month, day];
        const text = `${String(a).padStart(2, "0")}${sep}${String(b).padStart(2, "0")}${sep}${year}`;
        const real = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
        const r = parseDate(text, order);
        expect(r.ok).toBe(real);
        if (r.ok) {
          expect(r.iso).toBe(`${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`);
          // What it says is a real calendar date.
          const d = new Date(`${r.iso}T00:00:00Z`);
          expect(d.getUTCFullYear() === year && d.getUTCMonth() + 1 === month && d.getUTCDate() === day).toBe(true);
        }
      }),
    );
  });

  it("never accepts an impossible ISO date", () => {
    fc.assert(
      fc.property(parts, ({ year, month, day }) => {
        const text = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
        const real = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
        expect(parseDate(text, "dmy").ok).toBe(real);
      }),
    );
  });

  it("is ambiguous exactly when both orders give different valid dates", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1900, max: 2100 }), orders, (a, b, year, order) => {
        const text = `${a}/${b}/${year}`;
        const r = parseDate(text, order);
        const valid = (d: number, m: number) => m <= 12 && d <= daysInMonth(year, m);
        const asDmy = valid(a, b);
        const asMdy = valid(b, a);
        if (r.ok) expect(r.ambiguous).toBe(asDmy && asMdy && a !== b);
        else expect(order === "dmy" ? asDmy : asMdy).toBe(false);
      }),
    );
  });
});
