import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecimalMark } from "../types";
import { parseLocaleNumber } from "./numbers";

const ok = (text: string, mark: DecimalMark) => {
  const r = parseLocaleNumber(text, mark);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.reason}`);
  return r.value;
};
const reason = (text: string, mark: DecimalMark) => {
  const r = parseLocaleNumber(text, mark);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${r.value}`);
  return r.reason;
};

/** Formats an integer with a thousands separator every three digits. */
function group(n: bigint, sep: string): string {
  const digits = (n < 0n ? -n : n).toString();
  const parts: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) parts.unshift(digits.slice(Math.max(0, end - 3), end));
  return (n < 0n ? "-" : "") + parts.join(sep);
}

describe("parseLocaleNumber", () => {
  it("reads both written forms by the declared mark", () => {
    expect(ok("1.234,56", "comma")).toBe(1234.56);
    expect(ok("1,234.56", "dot")).toBe(1234.56);
    expect(ok("1234", "dot")).toBe(1234);
    expect(ok("1234", "comma")).toBe(1234);
    expect(ok("10,5", "comma")).toBe(10.5);
    expect(ok("10.5", "dot")).toBe(10.5);
    expect(ok("1.234.567", "comma")).toBe(1234567);
    expect(ok("1,234,567.5", "dot")).toBe(1234567.5);
    expect(ok("0,5", "comma")).toBe(0.5);
    expect(ok(",5", "comma")).toBe(0.5);
  });

  it("never takes a thousands separator for a decimal point", () => {
    expect(ok("1.234", "comma")).toBe(1234);
    expect(ok("1,234", "dot")).toBe(1234);
    // …and takes the decimal mark for one
    expect(ok("1.234", "dot")).toBe(1.234);
    expect(ok("1,234", "comma")).toBe(1.234);
  });

  it("accepts signs, -0, surrounding spaces and space-like thousands separators", () => {
    expect(Object.is(ok("-0", "dot"), 0)).toBe(true);
    expect(Object.is(ok("-0,0", "comma"), 0)).toBe(true);
    expect(ok("+15", "dot")).toBe(15);
    expect(ok("-15", "comma")).toBe(-15);
    expect(ok("\u221215", "comma")).toBe(-15);
    expect(ok("  42 \t", "dot")).toBe(42);
    expect(ok("\u00a0 42\u00a0", "dot")).toBe(42);
    expect(ok("1\u00a0234,56", "comma")).toBe(1234.56);
    expect(ok("1\u202f234\u202f567", "comma")).toBe(1234567);
    expect(ok("1 234.5", "dot")).toBe(1234.5);
    expect(ok("007", "dot")).toBe(7);
  });

  it("refuses scientific notation with a reason", () => {
    expect(reason("1e9", "dot")).toMatch(/scientific notation is not accepted/);
    expect(reason("1.5E-3", "dot")).toMatch(/scientific notation is not accepted/);
    expect(reason("-2e+10", "comma")).toMatch(/scientific notation is not accepted/);
  });

  it("refuses NaN, Infinity, empty values, letters and currency", () => {
    expect(reason("NaN", "dot")).toMatch(/NaN and Infinity/);
    expect(reason("Infinity", "dot")).toMatch(/NaN and Infinity/);
    expect(reason("-Infinity", "comma")).toMatch(/NaN and Infinity/);
    expect(reason("", "dot")).toMatch(/empty/);
    expect(reason("   ", "dot")).toMatch(/empty/);
    expect(reason("12a", "dot")).toMatch(/contains "a"/);
    expect(reason("R$ 10", "comma")).toMatch(/contains/);
    expect(reason("0x10", "dot")).toMatch(/contains "x"/);
    expect(reason("-", "dot")).toMatch(/sign without digits/);
    expect(reason("(10)", "dot")).toMatch(/contains/);
  });

  it("refuses two decimal marks and misplaced thousands groups", () => {
    expect(reason("1,2,3", "comma")).toMatch(/two decimal marks/);
    expect(reason("1.2.3", "dot")).toMatch(/two decimal marks/);
    expect(reason("1.23.4", "comma")).toMatch(/misplaced/);
    expect(reason("12,34", "dot")).toMatch(/misplaced/);
    expect(reason("1234,5", "dot")).toMatch(/misplaced/);
    expect(reason("1.2345", "comma")).toMatch(/misplaced/);
    expect(reason("1.234 567", "comma")).toMatch(/mixes different thousands separators/);
    expect(reason("10.", "dot")).toMatch(/nothing after the decimal mark/);
  });

  it("explains a number written the other way", () => {
    expect(reason("1.234,56", "dot")).toMatch(/cannot follow it/);
    expect(reason("1,234.56", "comma")).toMatch(/cannot follow it/);
  });

  it("refuses numbers too large to represent", () => {
    expect(reason("9".repeat(400), "dot")).toMatch(/too large/);
  });
});

describe("parseLocaleNumber properties", () => {
  const marks = fc.constantFrom<DecimalMark>("dot", "comma");
  const integers = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });

  it("round-trips integers written with thousands separators in either mark", () => {
    fc.assert(
      fc.property(integers, marks, fc.constantFrom("grouping", " ", "\u00a0", "none"), (n, mark, style) => {
        const sep = style === "grouping" ? (mark === "comma" ? "." : ",") : style === "none" ? "" : style;
        const text = group(n, sep);
        expect(ok(text, mark)).toBe(Number(n));
      }),
    );
  });

  it("reads digits with leading zeros, and groups after a leading zero, the same on the common shapes' shortcut", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 4 }), marks, (n, zeros, mark) => {
        const padded = `${"0".repeat(zeros)}${n}`;
        expect(ok(padded, mark)).toBe(n);
        const sep = mark === "comma" ? "." : ",";
        const grouped = `0${sep}${String(n).padStart(3, "0")}`;
        expect(ok(grouped, mark)).toBe(n);
        // More than three digits before the first separator is misplaced grouping, shortcut or not.
        expect(parseLocaleNumber(`0${String(n).padStart(3, "0")}${sep}000`, mark).ok).toBe(false);
      }),
    );
  });

  it("round-trips decimals written with the file's marks", () => {
    fc.assert(
      fc.property(integers, fc.integer({ min: 0, max: 99 }), marks, (n, cents, mark) => {
        const [thousands, decimal] = mark === "comma" ? [".", ","] : [",", "."];
        const text = `${group(n, thousands)}${decimal}${String(cents).padStart(2, "0")}`;
        const magnitude = Number(n < 0n ? -n : n) + cents / 100;
        const expected = n < 0n ? -magnitude : magnitude;
        expect(ok(text, mark)).toBeCloseTo(expected, 6);
      }),
    );
  });

  it("is not fooled into reading a thousands separator as a decimal point", () => {
    // Any integer ≥ 1000 written with the grouping mark reads as that integer, never as a fraction.
    fc.assert(
      fc.property(fc.bigInt({ min: 1000n, max: 10n ** 15n }), marks, (n, mark) => {
        const text = group(n, mark === "comma" ? "." : ",");
        const value = ok(text, mark);
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBe(Number(n));
      }),
    );
  });

  it("never returns a non-finite value, whatever the text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+]?[\d.,\s eE]{0,30}$/), fc.string({ unit: fc.constantFrom("1", "9", ".", ",", "e", "-", " ", "\u00a0") })), marks, (text, mark) => {
        const r = parseLocaleNumber(text, mark);
        if (r.ok) expect(Number.isFinite(r.value)).toBe(true);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});
