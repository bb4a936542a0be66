/**
 * One row of a referral-codes file → a normalised record, or a rejection with every reason found.
 * Codes used twice in the file are settled afterwards, over the whole file (codes.ts). Nothing here throws.
 */
import { cellReader, quote, rawRecord, readIdentity, readNames, recordWithoutPoints } from "./validate";
import type { ColumnMapping, RejectReason, RowOutcome, SourceRow, ValidationOptions } from "./types";

/** The longest code kept; discount codes on the new platforms are far shorter. */
export const MAX_CODE_LENGTH = 255;

/** True when the text is a link rather than a code ("https://…", "www.…", "rwrd.io/abc"). */
export function looksLikeLink(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^www\./i.test(text) || /^[a-z0-9-]+(\.[a-z0-9-]+)+\/\S*$/i.test(text);
}

/**
 * Validates one referrals row. Rules:
 *
 * - Identity: exactly validateRow's rules (readIdentity).
 * - Referral code: as written, trimmed. Empty → MISSING_REFERRAL_CODE. A link (the old provider's
 *   referral URL) or a cell longer than MAX_CODE_LENGTH → INVALID_REFERRAL_CODE: a link to the old
 *   program does not work on the new store, and only a code can be carried.
 * - Points: 0.
 * - Across the file (codes.ts, resolveCodeClaims): codes are compared without case (discount codes
 *   are case-insensitive on the new platforms); a code already claimed by another customer is
 *   rejected on its later row (DUPLICATE_REFERRAL_CODE, naming the first row); the same customer
 *   with the same code again is merged into the first row; the same customer with another code is
 *   rejected (CONFLICTING_REFERRAL_CODE, naming the row of the code kept): a customer carries one
 *   referral code.
 */
export function validateReferralRow(row: SourceRow, header: readonly string[], mapping: ColumnMapping, options: ValidationOptions): RowOutcome {
  const raw = rawRecord(header, row.cells);
  const reasons: RejectReason[] = [];
  const cell = cellReader(row, mapping);
  const identity = readIdentity(cell, options, reasons);

  const code = cell("referralCode");
  if (code === null) {
    reasons.push({ code: "MISSING_REFERRAL_CODE", field: "referralCode", message: "No referral code: the code cell is empty." });
  } else if (looksLikeLink(code)) {
    reasons.push({
      code: "INVALID_REFERRAL_CODE",
      field: "referralCode",
      message: `Referral code ${quote(code)} is a link to the old program, not a code: it cannot be carried to the new store.`,
    });
  } else if (code.length > MAX_CODE_LENGTH) {
    reasons.push({ code: "INVALID_REFERRAL_CODE", field: "referralCode", message: `Referral code ${quote(code)} is longer than ${MAX_CODE_LENGTH} characters.` });
  }

  if (reasons.length > 0) return { status: "rejected", rowNumber: row.rowNumber, reasons, points: 0, raw };

  const record = recordWithoutPoints(row.rowNumber, identity, readNames(cell, mapping), raw);
  record.referralCode = code;
  return { status: "valid", record };
}
