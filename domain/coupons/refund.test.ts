import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { couponKeyPart, couponRefundKey, couponRefundPoints, parseDecimal, parseRate } from "./refund";

const rate = (text: string) => {
  const r = parseRate(text);
  if (!r.ok) throw new Error(r.reason);
  return r.rate;
};

describe("coupon refunds as points", () => {
  it("multiply exactly and floor to whole points", () => {
    expect(couponRefundPoints("15.00", rate("1"))).toEqual({ ok: true, points: 15, exact: "15" });
    expect(couponRefundPoints("20.50", rate("2"))).toEqual({ ok: true, points: 41, exact: "41" });
    expect(couponRefundPoints("0.29", rate("100"))).toEqual({ ok: true, points: 29, exact: "29" }); // a float says 28.999…
    expect(couponRefundPoints("15.50", rate("1"))).toEqual({ ok: true, points: 15, exact: "15.5" });
    expect(couponRefundPoints("7.50", rate("0.1"))).toMatchObject({ ok: false, reason: "below-one-point" });
    expect(couponRefundPoints("12.345", rate("10"))).toEqual({ ok: true, points: 123, exact: "123.45" });
  });

  it("refuse percentage coupons and values that are not amounts", () => {
    expect(couponRefundPoints("10%", rate("1"))).toMatchObject({ ok: false, reason: "percentage" });
    expect(couponRefundPoints("12.5%", rate("1"))).toMatchObject({ ok: false, reason: "percentage" });
    expect(couponRefundPoints("abc", rate("1"))).toMatchObject({ ok: false, reason: "unreadable" });
  });

  it("agree with integer arithmetic on cents for any amount and rate", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 3 }), (cents, rateUnits, rateScale) => {
        const value = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
        const rateText = rateScale === 0 ? String(rateUnits) : `${Math.floor(rateUnits / 10 ** rateScale)}.${String(rateUnits % 10 ** rateScale).padStart(rateScale, "0")}`;
        const parsed = parseRate(rateText);
        if (!parsed.ok) return; // a rate of 0.000 is refused
        const expected = (BigInt(cents) * BigInt(rateUnits)) / 10n ** BigInt(2 + rateScale);
        const got = couponRefundPoints(value, parsed.rate);
        if (expected < 1n) expect(got).toMatchObject({ ok: false, reason: "below-one-point" });
        else expect(got).toMatchObject({ ok: true, points: Number(expected) });
      }),
    );
  });

  it("read rates as the merchant types them, and refuse nonsense", () => {
    expect(parseRate("1")).toMatchObject({ ok: true, text: "1" });
    expect(parseRate("0,5")).toMatchObject({ ok: true, text: "0.5" });
    expect(parseRate("0")).toMatchObject({ ok: false });
    expect(parseRate("-1")).toMatchObject({ ok: false });
    expect(parseRate("1e3")).toMatchObject({ ok: false });
    expect(parseRate("10001")).toMatchObject({ ok: false });
    expect(parseDecimal("1.")).toBeNull();
  });
});

describe("coupon refund keys", () => {
  it("are one per code whatever its case or spaces, and never collide for different codes", () => {
    expect(couponRefundKey("m1", " bemvindo15 ")).toBe(couponRefundKey("m1", "BEMVINDO15"));
    expect(couponRefundKey("m1", "A:B")).not.toBe(couponRefundKey("m1", "A%3AB"));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), (a, b) => {
        fc.pre(a.trim() !== "" && b.trim() !== "");
        const same = a.trim().toUpperCase() === b.trim().toUpperCase();
        expect(couponKeyPart(a) === couponKeyPart(b)).toBe(same);
        expect(couponRefundKey("m", a).split(":")).toHaveLength(3);
      }),
    );
  });
});
