import type { LedgerEntry, Prisma } from "@prisma/client";
import { assertPoints, reversalOf, type LedgerKind } from "~domain/ledger";
import { databaseKind } from "../../database-url";
import { sqliteDateTime } from "../../db-bulk.server";
import { isUniqueViolation } from "../../db-errors.server";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import { coreEnv } from "../../env.server";

/**
 * The ledger's persistence (decision 0003): entries are appended, never changed; the idempotency
 * key (derived from the source, domain/ledger.ts) is unique per shop, so a replay returns the
 * original entry and writes nothing; Member.balance moves in the same transaction as the entry.
 */
export type Tx = Prisma.TransactionClient;

export interface NewEntry {
  shopId: string;
  memberId: string;
  migrationId?: string | null;
  kind: LedgerKind;
  points: number;
  idempotencyKey: string;
  /** What caused it, for people: "file.csv row 12", "order #1001", "webhook customers/create". */
  sourceRef: string;
  reason?: string | null;
  reversesId?: string | null;
  occurredAt?: Date;
}

export type PostOutcome = { outcome: "posted"; entry: LedgerEntry } | { outcome: "duplicate"; entry: LedgerEntry };

/**
 * Appends one entry inside the caller's transaction. If the key is already taken the original
 * entry comes back as a duplicate and nothing is written. Two transactions racing for the same key
 * both pass the lookup; the loser's insert fails on the unique index and its whole transaction rolls
 * back — run it through `withLedger`, which retries it, and the retry sees the winner's entry.
 */
export async function postEntry(tx: Tx, entry: NewEntry): Promise<PostOutcome> {
  assertPoints(entry.points, entry.kind);
  const existing = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: entry.shopId, idempotencyKey: entry.idempotencyKey } } });
  if (existing) return { outcome: "duplicate", entry: existing };
  const created = await tx.ledgerEntry.create({
    data: {
      shopId: entry.shopId,
      memberId: entry.memberId,
      migrationId: entry.migrationId ?? null,
      kind: entry.kind,
      points: entry.points,
      idempotencyKey: entry.idempotencyKey,
      sourceRef: entry.sourceRef,
      reason: entry.reason ?? null,
      reversesId: entry.reversesId ?? null,
      occurredAt: entry.occurredAt ?? new Date(),
    },
  });
  if (entry.points !== 0) await tx.member.update({ where: { id: entry.memberId }, data: { balance: { increment: entry.points } } });
  return { outcome: "posted", entry: created };
}

/**
 * postEntry for many entries of one shop, in a handful of statements instead of three per entry
 * (apply credits hundreds of thousands of records): one lookup of the keys, one insert of the new
 * entries, one balance update for all their members. The outcomes are those of calling postEntry on
 * each entry in order — a key already in the ledger, or repeated earlier in the list, is a duplicate
 * returning the first entry; nothing is written when an entry breaks a rule — and so are the races:
 * a concurrent writer of the same key makes the insert fail on the unique index, the transaction rolls
 * back, and `withLedger` retries it into duplicates.
 */
export async function postEntries(tx: Tx, entries: readonly NewEntry[]): Promise<PostOutcome[]> {
  if (entries.length === 0) return [];
  const shopId = entries[0]!.shopId;
  for (const entry of entries) {
    assertPoints(entry.points, entry.kind);
    if (entry.shopId !== shopId) throw new Error("postEntries: every entry of one call belongs to one shop");
  }
  const keys = [...new Set(entries.map((e) => e.idempotencyKey))];
  const found = new Map<string, LedgerEntry>();
  for (let i = 0; i < keys.length; i += KEY_LOOKUP_CHUNK) {
    const rows = await tx.ledgerEntry.findMany({ where: { shopId, idempotencyKey: { in: keys.slice(i, i + KEY_LOOKUP_CHUNK) } } });
    for (const row of rows) found.set(row.idempotencyKey, row);
  }
  const fresh = new Map<string, NewEntry>();
  for (const entry of entries) if (!found.has(entry.idempotencyKey) && !fresh.has(entry.idempotencyKey)) fresh.set(entry.idempotencyKey, entry);
  const created = new Map<string, LedgerEntry>();
  if (fresh.size > 0) {
    const now = new Date();
    const rows = await tx.ledgerEntry.createManyAndReturn({
      data: [...fresh.values()].map((entry) => ({
        shopId: entry.shopId,
        memberId: entry.memberId,
        migrationId: entry.migrationId ?? null,
        kind: entry.kind,
        points: entry.points,
        idempotencyKey: entry.idempotencyKey,
        sourceRef: entry.sourceRef,
        reason: entry.reason ?? null,
        reversesId: entry.reversesId ?? null,
        occurredAt: entry.occurredAt ?? now,
      })),
    });
    for (const row of rows) created.set(row.idempotencyKey, row);
    const delta = new Map<string, number>();
    for (const entry of fresh.values()) if (entry.points !== 0) delta.set(entry.memberId, (delta.get(entry.memberId) ?? 0) + entry.points);
    await addToBalances(tx, delta, now);
  }
  return entries.map((entry) => {
    const earlier = found.get(entry.idempotencyKey);
    if (earlier) return { outcome: "duplicate", entry: earlier };
    const row = created.get(entry.idempotencyKey)!;
    if (fresh.get(entry.idempotencyKey) === entry) return { outcome: "posted", entry: row };
    return { outcome: "duplicate", entry: row };
  });
}

const KEY_LOOKUP_CHUNK = 1_000;
const BALANCE_UPDATE_CHUNK = 500;

/** Member.balance += delta for many members: one UPDATE … CASE per chunk (both databases), updatedAt as Prisma writes it. */
async function addToBalances(tx: Tx, delta: Map<string, number>, now: Date): Promise<void> {
  const pairs = [...delta].filter(([, points]) => points !== 0);
  const sqlite = databaseKind(coreEnv().DATABASE_URL) === "sqlite";
  const updatedAt = sqlite ? sqliteDateTime(now) : now;
  for (let i = 0; i < pairs.length; i += BALANCE_UPDATE_CHUNK) {
    const chunk = pairs.slice(i, i + BALANCE_UPDATE_CHUNK);
    if (chunk.length === 1) {
      await tx.member.update({ where: { id: chunk[0]![0] }, data: { balance: { increment: chunk[0]![1] } } });
      continue;
    }
    // $executeRawUnsafe with bound parameters (no nested Prisma.sql: the PostgreSQL client is generated
    // separately and does not recognise the SQLite client's Sql objects), placeholders in each dialect.
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return sqlite ? "?" : `$${params.length}`;
    };
    const cases = chunk.map(([id, points]) => `WHEN CAST(${p(id)} AS TEXT) THEN CAST(${p(points)} AS INTEGER)`).join(" ");
    const at = p(updatedAt);
    const ids = chunk.map(([id]) => `CAST(${p(id)} AS TEXT)`).join(", ");
    const updated = await tx.$executeRawUnsafe(`UPDATE "Member" SET "balance" = "balance" + CASE "id" ${cases} END, "updatedAt" = ${at} WHERE "id" IN (${ids})`, ...params);
    if (updated !== chunk.length) throw new Error(`postEntries: ${chunk.length - updated} members of the entries do not exist`);
  }
}

/**
 * Appends the reversal of `originalId` (kind reverse or rollback). Reversing twice is refused by the
 * domain rule and, if two race, by the unique `reversesId`; a replay with the same key is a duplicate.
 */
export async function postReversal(
  tx: Tx,
  input: { shopId: string; originalId: string; kind: "reverse" | "rollback"; idempotencyKey: string; sourceRef: string; reason?: string | null; migrationId?: string | null },
): Promise<PostOutcome> {
  const replay = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: input.shopId, idempotencyKey: input.idempotencyKey } } });
  if (replay) return { outcome: "duplicate", entry: replay };
  const original = await tx.ledgerEntry.findFirstOrThrow({ where: { id: input.originalId, shopId: input.shopId }, include: { reversedBy: { select: { id: true } } } });
  const reversed = original.reversedBy ? new Set([original.id]) : new Set<string>();
  const reversal = reversalOf({ ...original, kind: original.kind as LedgerKind }, reversed, input.kind, input.idempotencyKey);
  // A memo entry (restore) moves no points: there is nothing to reverse, and assertPoints refuses a
  // zero-point reversal. Rollbacks skip memos.
  return postEntry(tx, { ...reversal, shopId: input.shopId, sourceRef: input.sourceRef, reason: input.reason ?? null, migrationId: input.migrationId ?? original.migrationId });
}

/**
 * Runs ledger work in a transaction, retrying when a concurrent writer won a unique key (the retry
 * then finds that writer's rows and turns into duplicates) or when SQLite reports the database busy.
 */
export async function withLedger<T>(work: (tx: Tx) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work, { timeout: 30_000, maxWait: 30_000 });
    } catch (error) {
      if (attempt >= attempts || !(isUniqueViolation(error) || isBusy(error))) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

function isBusy(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${(error as { cause?: unknown }).cause ?? ""}` : String(error);
  return /SQLITE_BUSY|database is locked|could not serialize|deadlock detected/i.test(text);
}

export interface BalanceDrift {
  memberId: string;
  balance: number;
  sumOfEntries: number;
}

/** Recomputes every member's balance from the entries; returns the members whose projection drifted. */
export async function checkBalances(shopId: string): Promise<{ members: number; drift: BalanceDrift[] }> {
  const [members, sums] = await Promise.all([
    prisma.member.findMany({ where: { shopId }, select: { id: true, balance: true } }),
    prisma.ledgerEntry.groupBy({ by: ["memberId"], where: { shopId }, _sum: { points: true } }),
  ]);
  const sumByMember = new Map(sums.map((s) => [s.memberId, s._sum.points ?? 0]));
  const drift = members
    .filter((m) => m.balance !== (sumByMember.get(m.id) ?? 0))
    .map((m) => ({ memberId: m.id, balance: m.balance, sumOfEntries: sumByMember.get(m.id) ?? 0 }));
  return { members: members.length, drift };
}

/** Queues the balance check once per event that moved many balances (an apply, a rollback). */
export async function requestLedgerCheck(shopId: string, after: string): Promise<void> {
  await enqueue({ kind: "ledger.check", shopId, payload: { shopId }, dedupeKey: `ledger-check:${shopId}:${after}` });
}
