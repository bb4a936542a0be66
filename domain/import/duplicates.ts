/**
 * Duplicate customers inside one file, folded by the policy the merchant picks (sum, max, latest, or
 * review). Duplicates are exact on the normalised identity: Gmail dots, +tags and googlemail.com are
 * different keys here — those are *suggestions* for review, made by reconciliation, never merges.
 */
import type { DuplicatePolicy, NormalizedRecord, RowOutcome } from "./types";

/**
 * The key rows are grouped on: the first identity present of e-mail, phone, CPF, platform customer
 * id (`email:ana@x.com`, `phone:+5511987654321`, `cpf:12345678909`, `id:207119551`). A record with
 * none (validation never produces one) gets a key of its own row and never groups.
 */
export function identityKey(record: NormalizedRecord): string {
  if (record.emailNormalized !== null) return `email:${record.emailNormalized}`;
  if (record.phoneE164 !== null) return `phone:${record.phoneE164}`;
  if (record.cpf !== null) return `cpf:${record.cpf}`;
  if (record.platformCustomerRef !== null) return `id:${record.platformCustomerRef}`;
  return `row:${record.rowNumber}`;
}

/** Valid records grouped by identityKey, groups and members in file order; only groups of two or more. */
export function findDuplicateGroups(records: readonly NormalizedRecord[]): NormalizedRecord[][] {
  const groups = new Map<string, NormalizedRecord[]>();
  for (const record of records) {
    const key = identityKey(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .map((group) => [...group].sort((a, b) => a.rowNumber - b.rowNumber));
}

export type DuplicateResolution =
  | {
      /** rowNumber of the row that carries the group's points. */
      survivor: number;
      survivorPoints: number;
      /** rowNumbers of the rows folded into the survivor, in file order. */
      merged: number[];
      /** Points of merged rows the survivor does not carry (max, latest); 0 for sum. */
      pointsMergedAway: number;
    }
  | { review: number[] };

/** A date-ish string as a comparable instant (ms), or null. ISO dates and date-times both parse. */
function instant(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** -1, 0 or 1; a missing value is older than any value. */
function compareInstants(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * Resolves one group of duplicate rows (same identityKey).
 * - sum: the first row survives and carries the sum of the group; nothing is merged away.
 * - max: the row with most points survives (ties: the first); the others' points are merged away.
 * - latest: the row with the latest updatedAt survives, then the latest enrolledAt, then the last row
 *   of the file; the others' points are merged away.
 * - review: every row goes to review (the caller rejects them with DUPLICATE_FOR_REVIEW).
 * Points are conserved: survivorPoints + pointsMergedAway = Σ points of the group.
 */
export function resolveDuplicateGroup(records: readonly NormalizedRecord[], policy: DuplicatePolicy): DuplicateResolution {
  const rows = [...records].sort((a, b) => a.rowNumber - b.rowNumber);
  const first = rows[0];
  if (first === undefined) throw new Error("resolveDuplicateGroup: empty group");
  if (policy === "review") return { review: rows.map((r) => r.rowNumber) };

  const total = rows.reduce((sum, r) => sum + r.points, 0);
  let survivor = first;
  if (policy === "max") {
    for (const r of rows) if (r.points > survivor.points) survivor = r;
  } else if (policy === "latest") {
    for (const r of rows) {
      const byUpdate = compareInstants(instant(r.updatedAt), instant(survivor.updatedAt));
      const byEnrolment = compareInstants(instant(r.enrolledAt), instant(survivor.enrolledAt));
      // Later rows win ties: with nothing else to go on, the last row of the file is the latest.
      if (byUpdate > 0 || (byUpdate === 0 && byEnrolment >= 0)) survivor = r;
    }
  }

  const merged = rows.filter((r) => r !== survivor).map((r) => r.rowNumber);
  if (policy === "sum") return { survivor: survivor.rowNumber, survivorPoints: total, merged, pointsMergedAway: 0 };
  return { survivor: survivor.rowNumber, survivorPoints: survivor.points, merged, pointsMergedAway: total - survivor.points };
}

/** The rejection of one row of a group sent to review, for the rejected-rows CSV. */
export function duplicateReviewOutcome(record: NormalizedRecord, group: readonly number[]): RowOutcome {
  const others = group.filter((n) => n !== record.rowNumber);
  return {
    status: "rejected",
    rowNumber: record.rowNumber,
    points: record.points,
    raw: record.raw,
    reasons: [
      {
        code: "DUPLICATE_FOR_REVIEW",
        message: `The same customer (${identityKey(record)}) is also on row${others.length > 1 ? "s" : ""} ${others.join(", ")}; review which balance to keep.`,
      },
    ],
  };
}
