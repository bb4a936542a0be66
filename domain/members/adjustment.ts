/**
 * A merchant's manual adjustment of a member's points (issue 6): one `adjust` ledger entry, signed,
 * with a reason; never an edit of an earlier entry. A balance never goes below zero through an
 * adjustment, and stays within what a balance column holds.
 */

/** The largest balance a member can hold (the database's 32-bit integer column). */
export const MAX_BALANCE = 2_147_483_647;
/** The largest single adjustment, either way: bigger is a typo, not a correction. */
export const MAX_ADJUSTMENT = 10_000_000;
export const MAX_REASON_LENGTH = 500;

export type AdjustmentCheck =
  | { outcome: "ok"; balanceAfter: number }
  | { outcome: "zero" }
  | { outcome: "not-an-integer" }
  | { outcome: "too-large"; max: number }
  | { outcome: "below-zero"; balance: number; points: number; shortBy: number }
  | { outcome: "above-maximum"; max: number };

/** Whether `points` may be added to a member whose balance is `balance`, and the balance after. */
export function checkAdjustment(balance: number, points: number): AdjustmentCheck {
  if (!Number.isSafeInteger(points)) return { outcome: "not-an-integer" };
  if (points === 0) return { outcome: "zero" };
  if (Math.abs(points) > MAX_ADJUSTMENT) return { outcome: "too-large", max: MAX_ADJUSTMENT };
  const after = balance + points;
  if (after < 0) return { outcome: "below-zero", balance, points, shortBy: -after };
  if (after > MAX_BALANCE) return { outcome: "above-maximum", max: MAX_BALANCE };
  return { outcome: "ok", balanceAfter: after };
}

/**
 * Reads the points a merchant typed: an optional sign and digits, with thousands separators of
 * either convention ("1,500", "1.500", "1 500", "−200" with a typographic minus). Null when it is
 * not a whole number.
 */
export function parseAdjustmentPoints(raw: string): number | null {
  const text = raw.trim().replace(/^[\u2212\u2012\u2013]/, "-").replace(/^\+/, "");
  if (!/^-?\d{1,3}([.,\s\u00a0\u202f]?\d{3})*$/.test(text) && !/^-?\d+$/.test(text)) return null;
  const value = Number(text.replace(/[.,\s\u00a0\u202f]/g, ""));
  return Number.isSafeInteger(value) ? value : null;
}

/** The reason as kept on the entry: trimmed, inner whitespace collapsed; null when empty or too long. */
export function normalizeReason(raw: string): string | null {
  const text = raw.normalize("NFC").replace(/\s+/g, " ").trim();
  if (text === "" || text.length > MAX_REASON_LENGTH) return null;
  return text;
}
