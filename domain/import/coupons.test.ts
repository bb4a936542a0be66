import { describe, expect, it } from "vitest";
import { expiryCutoff, isCouponExpired, parseCouponValue, validateCouponRow } from "./coupons";
import { matchHeaders } from "./headers";
import type { RejectCode, RowOutcome, ValidationOptions } from "./types";

const BR: ValidationOptions = { defaultCountry: "BR", decimalMark: "comma", dateOrder: "dmy", rounding: "reject", maxPoints: 1_000_000 };
const US: ValidationOptions = { ...BR, defaultCountry: "US", decimalMark: "dot", dateOrder: "mdy" };

const HEADER = ["E-mail", "Cupom", "Valor", "Validade"];
const MAPPING = matchHeaders(HEADER, "generic", undefined, "coupons").mapping;

function row(cells: string[], options: ValidationOptions = BR): RowOutcome {
  return validateCouponRow({ rowNumber: 2, cells }, HEADER, MAPPING, options);
}

function codes(outcome: RowOutcome): RejectCode[] {
  return outcome.status === "rejected" ? outcome.reasons.map((r) => r.code) : [];
}

function validRecord(outcome: RowOutcome) {
  if (outcome.status !== "valid") throw new Error(`expected a valid row, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

describe("parseCouponValue", () => {
  it("reads amounts with the file's decimal mark, as dot-decimal strings with two decimals at least", () => {
    expect(parseCouponValue("15,00", "comma")).toEqual({ ok: true, kind: "amount", value: "15.00" });
    expect(parseCouponValue("R$ 7,5", "comma")).toEqual({ ok: true, kind: "amount", value: "7.50" });
    expect(parseCouponValue("1.250,00", "comma")).toEqual({ ok: true, kind: "amount", value: "1250.00" });
    expect(parseCouponValue("$15", "dot")).toEqual({ ok: true, kind: "amount", value: "15.00" });
    expect(parseCouponValue("15.00 €", "dot")).toEqual({ ok: true, kind: "amount", value: "15.00" });
    expect(parseCouponValue("0.125", "dot")).toEqual({ ok: true, kind: "amount", value: "0.125" });
  });

  it("reads percentages", () => {
    expect(parseCouponValue("10%", "dot")).toEqual({ ok: true, kind: "percentage", value: "10%" });
    expect(parseCouponValue("12,5 %", "comma")).toEqual({ ok: true, kind: "percentage", value: "12.5%" });
    expect(parseCouponValue("100%", "comma")).toEqual({ ok: true, kind: "percentage", value: "100%" });
  });

  it("refuses zero, negatives, over 100%, absurd amounts, words, and the other decimal mark", () => {
    for (const [text, mark] of [
      ["0", "dot"],
      ["0,00", "comma"],
      ["-5", "dot"],
      ["0%", "dot"],
      ["150%", "dot"],
      ["5000000", "dot"],
      ["free shipping", "dot"],
      ["15,00", "dot"],
      ["", "dot"],
      ["%", "dot"],
    ] as const) {
      expect(parseCouponValue(text, mark).ok, `${text} (${mark})`).toBe(false);
    }
  });
});

describe("coupon expiry", () => {
  const now = new Date("2025-06-15T12:00:00Z");

  it("is judged against the UTC date of a passed-in now; a coupon works through its expiry day", () => {
    expect(expiryCutoff(now)).toBe("2025-06-15");
    expect(isCouponExpired("2025-06-14", now)).toBe(true);
    expect(isCouponExpired("2025-06-15", now)).toBe(false);
    expect(isCouponExpired("2026-01-01", now)).toBe(false);
    expect(isCouponExpired(null, now)).toBe(false);
    expect(isCouponExpired(undefined, now)).toBe(false);
  });
});

describe("validateCouponRow", () => {
  it("keeps code, value and expiry (DD/MM/YYYY in a Brazilian file) with 0 points", () => {
    const record = validRecord(row(["ana@example.com", " BEMVINDO15 ", "15,00", "31/12/2025"]));
    expect(record).toMatchObject({ couponCode: "BEMVINDO15", couponValue: "15.00", couponExpiresAt: "2025-12-31", points: 0, emailNormalized: "ana@example.com" });
  });

  it("an empty expiry never expires; an ISO date-time keeps its date", () => {
    expect(validRecord(row(["ana@example.com", "X1", "10%", ""])).couponExpiresAt).toBeNull();
    expect(validRecord(row(["ana@example.com", "X1", "10%", "2025-06-07T23:59:59.999Z"])).couponExpiresAt).toBe("2025-06-07");
  });

  it("reads an ambiguous date in the file's order (detection flags the file), month first in a US file", () => {
    expect(validRecord(row(["ana@example.com", "X1", "10%", "03/04/2025"])).couponExpiresAt).toBe("2025-04-03");
    expect(validRecord(row(["ana@example.com", "X1", "10%", "03/04/2025"], US)).couponExpiresAt).toBe("2025-03-04");
  });

  it("keeps an expired coupon valid: the merchant decides later", () => {
    expect(row(["ana@example.com", "OLD5", "5,00", "01/01/2020"]).status).toBe("valid");
  });

  it("rejects a missing code, a missing or unreadable value, an impossible expiry, no identity — every reason at once", () => {
    expect(codes(row(["ana@example.com", "", "15,00", ""]))).toEqual(["MISSING_COUPON_CODE"]);
    expect(codes(row(["ana@example.com", "X1", "", ""]))).toEqual(["MISSING_COUPON_VALUE"]);
    expect(codes(row(["ana@example.com", "X1", "0,00", ""]))).toEqual(["INVALID_COUPON_VALUE"]);
    expect(codes(row(["ana@example.com", "X1", "grátis", ""]))).toEqual(["INVALID_COUPON_VALUE"]);
    expect(codes(row(["ana@example.com", "X1", "10%", "31/02/2025"]))).toEqual(["INVALID_DATE"]);
    expect(codes(row(["ana@example.com", "X1", "10%", "31/12/25"]))).toEqual(["INVALID_DATE"]);
    expect(codes(row(["", "", "", "nunca"]))).toEqual(["NO_IDENTITY", "MISSING_COUPON_CODE", "MISSING_COUPON_VALUE", "INVALID_DATE"]);
    const rejected = row(["", "X1", "10%", ""]);
    expect(rejected.status === "rejected" && rejected.points).toBe(0);
  });
});
