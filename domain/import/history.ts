/**
 * One row of a points-history file → a normalised event, or a rejection with every reason found.
 * A history row is (customer identity, date, signed points change, reason); a customer has many.
 * Nothing here throws, whatever the cells hold.
 */
import { parseDate } from "./read/dates";
import { cellReader, rawRecord, readIdentity, readNames, readPoints } from "./validate";
import type { ColumnMapping, NormalizedRecord, RejectReason, RowOutcome, SourceRow, ValidationOptions } from "./types";

/** The longest reason kept; longer text is cut (the raw cell keeps all of it). */
export const MAX_REASON_LENGTH = 500;

/**
 * Validates and normalises one history row. Rules, beside validateRow's:
 *
 * - Identity: exactly validateRow's rules (readIdentity).
 * - Points are the event's signed change: negative values (redemptions, expiries) are valid; zero is
 *   ZERO_DELTA (an event that changes nothing); decimals follow the rounding rule; the cap applies to
 *   the absolute value. A rejected row reports its whole signed change when readable, else 0.
 * - The date is the point of the row: empty → MISSING_DATE, unreadable or impossible → INVALID_DATE
 *   (unlike a balance row, whose dates never reject it). A date that fits both day orders is read in
 *   the file's detected order, as everywhere else.
 * - Reason: kept as written (trimmed, cut at MAX_REASON_LENGTH), null when empty.
 * - Never merged: several events of one customer are the normal case.
 */
export function validateHistoryRow(
  row: SourceRow,
  header: readonly string[],
  mapping: ColumnMapping,
  options: ValidationOptions,
): RowOutcome {
  const raw = rawRecord(header, row.cells);
  const reasons: RejectReason[] = [];
  const cell = cellReader(row, mapping);

  const identity = readIdentity(cell, options, reasons);
  const points = readPoints(cell("points"), options, reasons, "delta");

  let occurredAt: string | null = null;
  const dateText = cell("occurredAt");
  if (dateText === null) {
    reasons.push({ code: "MISSING_DATE", field: "occurredAt", message: "The date cell is empty: a history event needs the date it happened." });
  } else {
    let parsed: ReturnType<typeof parseDate>;
    try {
      parsed = parseDate(dateText, options.dateOrder);
    } catch {
      parsed = { ok: false, reason: "could not be read as a date" };
    }
    if (parsed.ok) {
      occurredAt = parsed.iso;
    } else {
      const shown = dateText.length > 80 ? `${dateText.slice(0, 77)}…` : dateText;
      reasons.push({ code: "INVALID_DATE", field: "occurredAt", message: `Date "${shown}" could not be read: ${parsed.reason}.` });
    }
  }

  if (reasons.length > 0) {
    return { status: "rejected", rowNumber: row.rowNumber, reasons, points, raw };
  }

  const reasonText = cell("reason");
  const { firstName, lastName } = readNames(cell, mapping);
  const record: NormalizedRecord = {
    rowNumber: row.rowNumber,
    email: identity.email,
    emailNormalized: identity.emailNormalized,
    phone: identity.phoneText,
    phoneE164: identity.phoneE164,
    cpf: identity.cpf,
    platformCustomerRef: identity.platformCustomerRef,
    firstName,
    lastName,
    points,
    pointsSpent: null,
    tier: null,
    referralCode: null,
    marketingConsent: null,
    birthday: null,
    enrolledAt: null,
    updatedAt: null,
    status: null,
    occurredAt,
    reason: reasonText === null ? null : reasonText.slice(0, MAX_REASON_LENGTH),
    raw,
  };
  return { status: "valid", record };
}
