/**
 * Points already migrated by another migration of the same shop (DESIGN.md "No double points").
 *
 * A shop can import the same old-program export twice, or two overlapping exports, as two migrations.
 * Apply keys every import entry by migration and record (`import:<migration>:<record>`), so nothing in
 * the ledger stops the second migration from crediting the same people again. The rule lives here, at
 * reconcile time, so that the merchant sees it in the preview and decides it in the review queue:
 *
 *   a record that would be matched to a store customer, or kept pending, while that customer (or a
 *   member with the record's e-mail, phone or CPF) holds import points of ANOTHER migration of the
 *   shop — net of reversals, so a rolled-back migration no longer counts — becomes a conflict,
 *   "already credited N points by migration "…"", instead of being credited.
 *
 * Review decisions win, as everywhere in matching: the merchant may still match the record (two
 * different old programs are legitimate) or reject it. Records already in conflict or rejected keep
 * their outcome (their reason says more than this one could). A matched record keeps its customer as
 * the conflict's candidate, so "match" is one click.
 *
 * Retroactive points follow the same idea for orders: an order that already earned in this shop (a
 * live earn, or another migration's retroactive earn, not reversed) earns nothing again — see
 * `earnedOrderId` and `withoutEarnedOrders`.
 */
import type { Candidate, ClassifiedOrder, MatchKey, ReconcileRecord, RecordOutcome, ReviewDecisionInput } from "./types";

/** One member's net import points from one other migration. */
export interface PriorImport {
  memberId: string;
  migrationId: string;
  migrationName: string;
  points: number;
}

/** The keys prior imports are looked up by: the store customer id, and the record's identity keys. */
export const importedKey = {
  customer: (platformId: string) => `customer:${platformId}`,
  email: (email: string) => `email:${email}`,
  phone: (phone: string) => `phone:${phone}`,
  cpf: (cpf: string) => `cpf:${cpf}`,
};

/** key (importedKey) → the prior imports of the members holding it. */
export type ImportedElsewhere = ReadonlyMap<string, readonly PriorImport[]>;

/** The index of prior imports by each key their member holds (a member with no key is found by nothing). */
export function indexPriorImports(
  rows: ReadonlyArray<PriorImport & { platformCustomerId: string | null; emailNormalized: string | null; phoneE164: string | null; cpf: string | null }>,
): Map<string, PriorImport[]> {
  const index = new Map<string, PriorImport[]>();
  const add = (key: string, prior: PriorImport) => {
    const list = index.get(key);
    if (list) list.push(prior);
    else index.set(key, [prior]);
  };
  for (const row of rows) {
    if (!(row.points > 0)) continue;
    const prior: PriorImport = { memberId: row.memberId, migrationId: row.migrationId, migrationName: row.migrationName, points: row.points };
    if (row.platformCustomerId !== null) add(importedKey.customer(row.platformCustomerId), prior);
    if (row.emailNormalized !== null) add(importedKey.email(row.emailNormalized), prior);
    if (row.phoneE164 !== null) add(importedKey.phone(row.phoneE164), prior);
    if (row.cpf !== null) add(importedKey.cpf(row.cpf), prior);
  }
  return index;
}

/** Every reason of this rule starts so (the review queue filters on it). */
export const ALREADY_MIGRATED_PREFIX = "already credited ";

/** `already credited 120 points by migration "Smile 2025"` (` and 1 more` when several other migrations did). */
export function alreadyMigratedReason(points: number, migrationNames: readonly string[]): string {
  const more = migrationNames.length - 1;
  return `${ALREADY_MIGRATED_PREFIX}${points} points by migration "${migrationNames[0] ?? ""}"${more > 0 ? ` and ${more} more` : ""}`;
}

/** The reason read back: points, the first migration's name, how many more; null for any other reason. */
export function parseAlreadyMigratedReason(reason: string): { points: number; migration: string; more: number } | null {
  if (!reason.startsWith(ALREADY_MIGRATED_PREFIX)) return null;
  const m = /^already credited (\d+) points by migration "(.*)"(?: and (\d+) more)?$/s.exec(reason);
  return m ? { points: Number(m[1]), migration: m[2]!, more: Number(m[3] ?? 0) } : null;
}

/** The distinct (member, migration) prior imports a record reaches through its customer and keys. */
export function priorImportsOf(record: ReconcileRecord, platformCustomerId: string | null, imported: ImportedElsewhere): PriorImport[] {
  const keys: string[] = [];
  if (platformCustomerId !== null) keys.push(importedKey.customer(platformCustomerId));
  if (record.emailNormalized !== null) keys.push(importedKey.email(record.emailNormalized));
  if (record.phoneE164 !== null) keys.push(importedKey.phone(record.phoneE164));
  if (record.cpf !== null) keys.push(importedKey.cpf(record.cpf));
  const seen = new Set<string>();
  const out: PriorImport[] = [];
  for (const key of keys) {
    for (const prior of imported.get(key) ?? []) {
      const id = `${prior.memberId}|${prior.migrationId}`;
      if (seen.has(id) || !(prior.points > 0)) continue;
      seen.add(id);
      out.push(prior);
    }
  }
  return out;
}

/**
 * The outcomes of matchRecords with the rule above applied: same order, same length. `outcomes[i]`
 * must be the outcome of `records[i]`. Deterministic: migrations are named by name, then id.
 */
export function flagAlreadyMigrated(
  records: readonly ReconcileRecord[],
  outcomes: readonly RecordOutcome[],
  decisions: readonly ReviewDecisionInput[],
  imported: ImportedElsewhere,
): RecordOutcome[] {
  if (imported.size === 0) return [...outcomes];
  const decided = new Set(decisions.map((d) => d.recordId));
  return outcomes.map((outcome, i) => {
    const record = records[i]!;
    if (outcome.recordId !== record.id) throw new Error(`outcome ${i} is of record ${outcome.recordId}, not ${record.id}`);
    if (decided.has(record.id)) return outcome;
    if (outcome.class !== "matched" && outcome.class !== "pending") return outcome;
    const priors = priorImportsOf(record, outcome.platformCustomerId, imported);
    if (priors.length === 0) return outcome;
    const byMigration = new Map<string, { name: string; points: number }>();
    for (const p of priors) {
      const m = byMigration.get(p.migrationId);
      if (m) m.points += p.points;
      else byMigration.set(p.migrationId, { name: p.migrationName, points: p.points });
    }
    const ordered = [...byMigration.entries()].sort(([ia, a], [ib, b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0));
    const points = ordered.reduce((sum, [, m]) => sum + m.points, 0);
    const candidates: Candidate[] =
      outcome.class === "matched" && outcome.platformCustomerId !== null
        ? [{ platformId: outcome.platformCustomerId, key: (outcome.matchedBy === "review" || outcome.matchedBy === null ? "platform_id" : outcome.matchedBy) as MatchKey }]
        : [];
    return {
      recordId: record.id,
      class: "conflict",
      platformCustomerId: null,
      matchedBy: null,
      reason: alreadyMigratedReason(points, ordered.map(([, m]) => m.name)),
      candidates,
      points: outcome.points,
    };
  });
}

// ------------------------------------------------------------------------------------ orders

/**
 * The order an `earn` entry's idempotency key is for (domain/ledger.ts): `retro:<migration>:<order>`
 * or `order:<platform>:<order>:earn`; null for any other key. `exceptMigration`: that migration's own
 * retroactive entries are not "another" earn (apply resumed, pilot then apply).
 */
export function earnedOrderId(idempotencyKey: string, exceptMigration: string | null): string | null {
  if (idempotencyKey.startsWith("retro:")) {
    const rest = idempotencyKey.slice("retro:".length);
    const colon = rest.indexOf(":");
    if (colon <= 0 || colon === rest.length - 1) return null;
    if (exceptMigration !== null && rest.slice(0, colon) === exceptMigration) return null;
    return rest.slice(colon + 1);
  }
  if (idempotencyKey.startsWith("order:") && idempotencyKey.endsWith(":earn")) {
    const rest = idempotencyKey.slice("order:".length, -":earn".length);
    const colon = rest.indexOf(":");
    if (colon <= 0 || colon === rest.length - 1) return null;
    return rest.slice(colon + 1);
  }
  return null;
}

/** Retroactive orders that already earned become `already_earned` (no points); every other order is kept as is. */
export function withoutEarnedOrders(orders: readonly ClassifiedOrder[], earned: ReadonlySet<string>): ClassifiedOrder[] {
  if (earned.size === 0) return [...orders];
  return orders.map((o) => withoutEarned(o, earned));
}

/** withoutEarnedOrders for one order. */
export function withoutEarned(order: ClassifiedOrder, earned: ReadonlySet<string>): ClassifiedOrder {
  return order.outcome === "retroactive" && earned.has(order.platformId) ? { ...order, outcome: "already_earned", points: 0 } : order;
}
