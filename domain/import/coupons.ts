/**
 * One row of an unused-coupons file (code, value, customer, expiry) → a normalised record, or a
 * rejection with every reason found. A customer may hold several coupons: rows are never merged;
 * a code used twice is settled afterwards, over the whole file (codes.ts). Nothing here throws.
 */
import { parseDate } from "./read/dates";
import { parseLocaleNumber } from "./read/numbers";
import { MAX_CODE_LENGTH } from "./referrals";
import { cellReader, quote, rawRecord, readIdentity, readNames, recordWithoutPoints } from "./validate";
import type { ColumnMapping, DecimalMark, RejectReason, RowOutcome, SourceRow, ValidationOptions } from "./types";

/** Coupon values above this (in the shop's currency) are not coupons: refused as unreadable. */
export const MAX_COUPON_AMOUNT = 1_000_000;

export type CouponValue =
  | { ok: true; kind: "amount" | "percentage"; /** "15.00" or "10%" */ value: string }
  | { ok: false; reason: string };

/** Currency signs written beside amounts; the amount is taken to be in the shop's currency. */
const CURRENCY_PREFIX = /^(?:R\$|US\$|\$|€|£)\s*/u;
const CURRENCY_SUFFIX = /\s*(?:R\$|\$|€|£)$/u;

function decimals(value: number): number {
  const text = String(value);
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * A coupon's value, as the file writes it:
 * - a percentage, "10%", "12,5 %" (the file's decimal mark) → "10%", "12.5%"; more than 0, at most 100;
 * - an amount in the shop's currency, "15,00" in a comma-decimal file or "15.00" in a dot-decimal
 *   one, with or without a currency sign (R$, $, US$, €, £) → a dot-decimal string with at least two
 *   decimals ("15.00", "7.50", "0.125" kept as written past two); more than 0, at most MAX_COUPON_AMOUNT.
 * Numbers are read with the file's detected decimal mark (read/numbers.ts): "15,00" in a dot file is
 * refused rather than read as 1500.
 */
export function parseCouponValue(text: string, decimalMark: DecimalMark): CouponValue {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, reason: "the value is empty" };
  const percentage = trimmed.endsWith("%");
  const body = percentage ? trimmed.slice(0, -1).trim() : trimmed.replace(CURRENCY_PREFIX, "").replace(CURRENCY_SUFFIX, "");
  let parsed: ReturnType<typeof parseLocaleNumber>;
  try {
    parsed = parseLocaleNumber(body, decimalMark);
  } catch {
    parsed = { ok: false, reason: "could not be read as a number" };
  }
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const value = parsed.value;
  if (!(value > 0)) return { ok: false, reason: `${quote(trimmed)} is not more than zero` };
  if (percentage) {
    if (value > 100) return { ok: false, reason: `${quote(trimmed)} is more than 100%` };
    return { ok: true, kind: "percentage", value: `${String(value)}%` };
  }
  if (value > MAX_COUPON_AMOUNT) return { ok: false, reason: `${quote(trimmed)} is above ${MAX_COUPON_AMOUNT.toLocaleString("en")}, not a coupon's value` };
  return { ok: true, kind: "amount", value: value.toFixed(Math.max(2, decimals(value))) };
}

/** The first day a coupon that expires on `expiresAt` (YYYY-MM-DD) no longer works: UTC date of `now`. */
export function expiryCutoff(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * True when the coupon had expired at `now`: a coupon works through its expiry day, so it is expired
 * once that day is before the UTC date of `now`. Null (never expires) is never expired. `now` is
 * always passed in: domain code reads no clock.
 */
export function isCouponExpired(expiresAt: string | null | undefined, now: Date): boolean {
  return expiresAt !== null && expiresAt !== undefined && expiresAt.slice(0, 10) < expiryCutoff(now);
}

/**
 * Validates one coupons row. Rules:
 *
 * - Identity: exactly validateRow's rules (readIdentity).
 * - Code: as written, trimmed. Empty → MISSING_COUPON_CODE; longer than MAX_CODE_LENGTH → INVALID_COUPON_CODE.
 * - Value: required. Empty → MISSING_COUPON_VALUE; anything parseCouponValue refuses → INVALID_COUPON_VALUE.
 * - Expiry: optional (empty: the coupon never expires). A date is read in the file's date order, like
 *   every date of the import (a file whose dates fit both orders is flagged by detection,
 *   `dateOrderAmbiguous`, and the merchant can override the order); unreadable or impossible →
 *   INVALID_DATE. Kept as YYYY-MM-DD (a date-time keeps its date as written).
 * - An expired coupon is valid: it is imported, and the merchant decides later to cancel or refund
 *   it; the import summary counts the expired ones against a `now` passed in (isCouponExpired).
 * - Points: 0. Never merged: a customer may hold several coupons. A code that appears twice in the
 *   file is rejected on its later row (codes.ts, DUPLICATE_COUPON_CODE, naming the first row),
 *   whoever holds it: one code is one coupon.
 */
export function validateCouponRow(row: SourceRow, header: readonly string[], mapping: ColumnMapping, options: ValidationOptions): RowOutcome {
  const raw = rawRecord(header, row.cells);
  const reasons: RejectReason[] = [];
  const cell = cellReader(row, mapping);
  const identity = readIdentity(cell, options, reasons);

  const code = cell("couponCode");
  if (code === null) {
    reasons.push({ code: "MISSING_COUPON_CODE", field: "couponCode", message: "No coupon code: the code cell is empty." });
  } else if (code.length > MAX_CODE_LENGTH) {
    reasons.push({ code: "INVALID_COUPON_CODE", field: "couponCode", message: `Coupon code ${quote(code)} is longer than ${MAX_CODE_LENGTH} characters.` });
  }

  let value: string | null = null;
  const valueText = cell("couponValue");
  if (valueText === null) {
    reasons.push({ code: "MISSING_COUPON_VALUE", field: "couponValue", message: "The coupon's value is empty: an amount (15,00) or a percentage (10%) is needed." });
  } else {
    const parsed = parseCouponValue(valueText, options.decimalMark);
    if (parsed.ok) value = parsed.value;
    else reasons.push({ code: "INVALID_COUPON_VALUE", field: "couponValue", message: `Coupon value could not be read: ${parsed.reason}.` });
  }

  let expiresAt: string | null = null;
  const expiryText = cell("couponExpiresAt");
  if (expiryText !== null) {
    let parsed: ReturnType<typeof parseDate>;
    try {
      parsed = parseDate(expiryText, options.dateOrder);
    } catch {
      parsed = { ok: false, reason: "could not be read as a date" };
    }
    if (parsed.ok) expiresAt = parsed.iso.slice(0, 10);
    else reasons.push({ code: "INVALID_DATE", field: "couponExpiresAt", message: `Expiry date ${quote(expiryText)} could not be read: ${parsed.reason}.` });
  }

  if (reasons.length > 0) return { status: "rejected", rowNumber: row.rowNumber, reasons, points: 0, raw };

  const record = recordWithoutPoints(row.rowNumber, identity, readNames(cell, mapping), raw);
  record.couponCode = code;
  record.couponValue = value;
  record.couponExpiresAt = expiresAt;
  return { status: "valid", record };
}
