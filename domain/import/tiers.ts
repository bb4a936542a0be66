/**
 * One row of a VIP-tiers file (Smile.io exports tiers as their own file: `email`, `vip_tier`) → a
 * normalised record, or a rejection with every reason found. Nothing here throws.
 */
import { cellReader, rawRecord, readIdentity, readNames, recordWithoutPoints, safeParseDate } from "./validate";
import type { ColumnMapping, RejectReason, RowOutcome, SourceRow, ValidationOptions } from "./types";

/** The longest tier name kept; a longer cell is rejected (it is not a tier name). */
export const MAX_TIER_LENGTH = 255;

/**
 * Validates one tiers row. Rules:
 *
 * - Identity: exactly validateRow's rules (readIdentity).
 * - Tier: the name as written, trimmed — never re-cased or translated (Smile matches tier names
 *   case-sensitively, and the merchant maps them to the new program's tiers later). Empty →
 *   MISSING_TIER ("no tier"); longer than MAX_TIER_LENGTH → MISSING_TIER as well, with its own words.
 * - Points: 0. A points column in the file is not read (it stays in the raw data).
 * - updatedAt and enrolledAt are read as in a balances row (never reject) for the `latest` policy.
 * - Duplicates of one customer are resolved by the merchant's policy, `latest` or `review` only
 *   (duplicates.ts, policyForKind): a tier cannot be added up or compared.
 */
export function validateTierRow(row: SourceRow, header: readonly string[], mapping: ColumnMapping, options: ValidationOptions): RowOutcome {
  const raw = rawRecord(header, row.cells);
  const reasons: RejectReason[] = [];
  const cell = cellReader(row, mapping);
  const identity = readIdentity(cell, options, reasons);

  const tier = cell("tier");
  if (tier === null) {
    reasons.push({ code: "MISSING_TIER", field: "tier", message: "No tier: the tier cell is empty." });
  } else if (tier.length > MAX_TIER_LENGTH) {
    reasons.push({ code: "MISSING_TIER", field: "tier", message: `The tier cell holds ${tier.length} characters: that is not a tier name (at most ${MAX_TIER_LENGTH}).` });
  }

  if (reasons.length > 0) return { status: "rejected", rowNumber: row.rowNumber, reasons, points: 0, raw };

  const record = recordWithoutPoints(row.rowNumber, identity, readNames(cell, mapping), raw);
  record.tier = tier;
  record.enrolledAt = safeParseDate(cell("enrolledAt"), options);
  record.updatedAt = safeParseDate(cell("updatedAt"), options);
  return { status: "valid", record };
}
