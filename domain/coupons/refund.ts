/**
 * Unused coupons of the old platform refunded as points (DESIGN.md, wizard step Rules: "what to do
 * with unused old coupons (cancel, or refund as points)"; decision 0013).
 *
 * - Only money coupons can be refunded: a percentage coupon has no value until someone buys
 *   something, so it is reported, never turned into points.
 * - points = floor(value × rate), computed exactly on decimals (BigInt), never on floats — the same
 *   rounding as retroactive points (domain/reconcile/cutover.ts): no fraction of a point is created.
 *   A coupon worth less than one point is reported, not refunded (an entry must move points).
 * - One code is one coupon: codes compare as codeKey (trimmed, upper-case), and the ledger key is
 *   derived from it, so a replay, or the same code in a second coupons file, refunds once.
 */
import { codeKey } from "../import/codes";
import { idempotencyKey } from "../ledger";

export interface Decimal {
  /** The value × 10^scale. */
  units: bigint;
  scale: number;
}

/** "15.00" → 1500 × 10^-2; "2" → 2; null for anything but a plain non-negative dot-decimal. */
export function parseDecimal(text: string): Decimal | null {
  const m = /^(\d{1,15})(?:\.(\d{1,12}))?$/.exec(text.trim());
  if (!m) return null;
  const fraction = m[2] ?? "";
  return { units: BigInt(m[1]! + fraction), scale: fraction.length };
}

/** The merchant's rate (points per currency unit), as typed: "1", "0.5", "2.25". More than 0, at most 10,000. */
export function parseRate(text: string): { ok: true; rate: Decimal; text: string } | { ok: false; reason: string } {
  const rate = parseDecimal(text.replace(",", "."));
  if (rate === null) return { ok: false, reason: `rate "${text}" is not a plain decimal number like 1 or 0.5` };
  if (rate.units === 0n) return { ok: false, reason: "the rate must be more than 0 points per currency unit" };
  if (rate.units > 10_000n * 10n ** BigInt(rate.scale)) return { ok: false, reason: "the rate must be at most 10,000 points per currency unit" };
  return { ok: true, rate, text: text.trim().replace(",", ".") };
}

export type RefundPoints =
  | { ok: true; points: number; /** value × rate, exactly, as a decimal string (before flooring). */ exact: string }
  | { ok: false; reason: "percentage" | "unreadable" | "below-one-point"; message: string };

function decimalText(d: Decimal): string {
  const digits = d.units.toString().padStart(d.scale + 1, "0");
  if (d.scale === 0) return digits;
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = digits.slice(digits.length - d.scale).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** The points a money coupon of `value` ("15.00", in the shop's currency) is worth at `rate`. */
export function couponRefundPoints(value: string, rate: Decimal): RefundPoints {
  if (value.trim().endsWith("%")) return { ok: false, reason: "percentage", message: `a percentage coupon (${value.trim()}) has no money value to refund as points` };
  const amount = parseDecimal(value);
  if (amount === null) return { ok: false, reason: "unreadable", message: `coupon value "${value}" is not a money amount` };
  const product: Decimal = { units: amount.units * rate.units, scale: amount.scale + rate.scale };
  const points = product.units / 10n ** BigInt(product.scale);
  if (points < 1n) return { ok: false, reason: "below-one-point", message: `worth ${decimalText(product)} points at this rate: less than one point` };
  if (points > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: "unreadable", message: "the refund would exceed the largest number of points" };
  return { ok: true, points: Number(points), exact: decimalText(product) };
}

/** A code as one idempotency-key part: codeKey, with '%' and ':' escaped so that two codes never share a key. */
export function couponKeyPart(code: string): string {
  return codeKey(code).replace(/%/g, "%25").replace(/:/g, "%3A");
}

/** The ledger key of the refund of `code` in `migrationId`. */
export function couponRefundKey(migrationId: string, code: string): string {
  return idempotencyKey.couponRefund(migrationId, couponKeyPart(code));
}
