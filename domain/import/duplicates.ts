/**
 * Duplicate customers inside one file, folded by the policy the merchant picks (sum, max, latest, or
 * review). Duplicates are exact on the normalised identity: Gmail dots, +tags and googlemail.com are
 * different keys here — those are *suggestions* for review, made by reconciliation, never merges.
 */
import type { DuplicatePolicy, ImportKind, NormalizedRecord, RowOutcome } from "./types";

/**
 * The duplicate policy that applies to a kind of file, from the merchant's choice (undefined: none
 * made). Decisions:
 * - balances: any policy; `sum` by default.
 * - tiers: `latest` (the row with the latest updated-at, then enrolled-at, then the last row of the
 *   file) or `review`; `latest` by default. `sum` and `max` have no meaning for a tier name and are
 *   refused with a message, not silently turned into something else.
 * - history, referrals, coupons: no policy applies (events and coupons are never merged; referral
 *   codes are settled by codes.ts). The choice is recorded as given (`sum` when none) and ignored.
 */
export function policyForKind(
  kind: ImportKind,
  requested: DuplicatePolicy | undefined,
): { ok: true; policy: DuplicatePolicy } | { ok: false; message: string } {
  if (kind !== "tiers") return { ok: true, policy: requested ?? "sum" };
  if (requested === undefined) return { ok: true, policy: "latest" };
  if (requested === "sum" || requested === "max") {
    return {
      ok: false,
      message:
        `The duplicate policy "${requested}" has no meaning for a tiers file: a tier name cannot be added up or compared. ` +
        'Choose "latest" (the customer\'s last row in the file, or the one updated last, keeps its tier) or "review".',
    };
  }
  return { ok: true, policy: requested };
}

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

/**
 * Finds, while a file streams, the identity keys that may occur more than once, in fixed memory:
 * a Bloom filter (8 MiB by default, three bits a key). Every key seen twice or more is among
 * `candidates()`; a few keys seen once may be too (false positives: about 1 in 10,000 keys at a
 * million rows), so the caller checks the candidates against the staged rows. Keeping every key
 * instead costs ≈ 100 MB of heap at a million rows; asking the database to group the whole file
 * by key walks the table in key order (random pages) and took 16 s at a million rows.
 */
export class RepeatedKeyFilter {
  private readonly bits: Uint8Array;
  private readonly mask: number;
  private readonly found = new Set<string>();

  /** `bytes` is rounded down to a power of two. */
  constructor(bytes = 8 * 1024 * 1024) {
    const size = 2 ** Math.floor(Math.log2(Math.max(8, bytes)));
    this.bits = new Uint8Array(size);
    this.mask = size * 8 - 1;
  }

  add(key: string): void {
    // Two 32-bit hashes of the key (FNV-1a and a multiplicative one), combined for the three bits.
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let i = 0; i < key.length; i += 1) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h2 |= 1;
    let seen = true;
    for (let k = 0; k < 3; k += 1) {
      const bit = (h1 + Math.imul(k, h2)) & this.mask;
      const byte = bit >>> 3;
      const flag = 1 << (bit & 7);
      if ((this.bits[byte]! & flag) === 0) {
        seen = false;
        this.bits[byte] = this.bits[byte]! | flag;
      }
    }
    if (seen) this.found.add(key);
  }

  /** Keys that may repeat, sorted: all that do, and possibly a few that do not. */
  candidates(): string[] {
    return [...this.found].sort();
  }
}
