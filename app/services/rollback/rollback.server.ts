import type { Prisma } from "@prisma/client";
import { idempotencyKey, LedgerRuleError } from "~domain/ledger";
import { isMigrationState } from "~domain/migration-state";
import { checkRollbackRequest, ROLLBACK_FROM } from "~domain/rollback/rollback";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import type { BalanceWriteResult, PlatformClient } from "../../platforms/platform-client";
import { postReversal, requestLedgerCheck, withLedger } from "../ledger/ledger.server";
import { pushBalances } from "../ledger/push-balances.server";

/**
 * Rollback of a whole migration (DESIGN.md invariant "Undo"; decision 0013). Nothing is deleted:
 * every entry the migration wrote that still moves points gets a `rollback` reversal
 * (domain/rollback/rollback.ts says which), batch by batch, each batch one ledger transaction; then
 * the balances of the members it touched are pushed to the store; then the migration is rolled_back.
 * Entries written by live earning (migrationId null) are kept. Resumable from any point: the
 * reversals carry idempotency keys and the scan only ever finds what is not reversed yet.
 */
const BATCH = 200;
const PUSH_CHUNK = 250;

const UNDONE_STATES = ROLLBACK_FROM;

export type RollbackRequestOutcome =
  | { outcome: "enqueued" | "in-progress" | "resumed"; jobId: string; migrationId: string }
  | { outcome: "refused"; state: string; reason: string; message: string }
  | { outcome: "not-found" };

/**
 * The merchant asks for a rollback: from applied or piloted the migration moves to rolling_back
 * (compare-and-set, in the same transaction as the job, so apply and coupon refunds are closed at
 * once) and a "migration.rollback" job is enqueued. From rolling_back the running job is returned,
 * or a failed one is followed by a new job that resumes it. Any other state is refused with a reason.
 */
export async function requestRollback(input: { shopId: string; migrationId: string }): Promise<RollbackRequestOutcome> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId } });
  if (!migration) return { outcome: "not-found" };
  if (!isMigrationState(migration.state)) return { outcome: "refused", state: migration.state, reason: "unknown-state", message: `unknown migration state "${migration.state}"` };
  const check = checkRollbackRequest(migration.state);
  if (!check.ok) return { outcome: "refused", state: migration.state, reason: check.reason, message: check.message };
  const payload = { shopId: migration.shopId, migrationId: migration.id };
  const dedupePrefix = `migration.rollback:${migration.id}`;

  if (!check.resume) {
    const started = await prisma.$transaction(async (tx) => {
      const moved = await tx.migration.updateMany({ where: { id: migration.id, state: { in: [...UNDONE_STATES] } }, data: { state: "rolling_back" } });
      if (moved.count === 0) return null;
      return enqueue({ kind: "migration.rollback", shopId: migration.shopId, payload, dedupeKey: dedupePrefix }, tx);
    });
    // Someone else moved it first (another request, or an apply starting): look again.
    if (!started) return requestRollback(input);
    return { outcome: started.outcome === "enqueued" ? "enqueued" : "in-progress", jobId: started.jobId, migrationId: migration.id };
  }

  const jobs = await prisma.job.findMany({
    where: { shopId: migration.shopId, kind: "migration.rollback", dedupeKey: { startsWith: dedupePrefix } },
    orderBy: { createdAt: "desc" },
    select: { id: true, state: true },
  });
  const live = jobs.find((j) => j.state === "queued" || j.state === "running");
  if (live) return { outcome: "in-progress", jobId: live.id, migrationId: migration.id };
  const next = await enqueue({ kind: "migration.rollback", shopId: migration.shopId, payload, dedupeKey: jobs.length === 0 ? dedupePrefix : `${dedupePrefix}:resume:${jobs.length}` });
  return { outcome: "resumed", jobId: next.jobId, migrationId: migration.id };
}

export interface RollbackProgress {
  (update: { done: number; total?: number | null; checkpoint?: unknown }): Promise<void>;
}

export interface RollbackInput {
  shopId: string;
  migrationId: string;
  /** The store's client: balances of visible members are pushed back through it. */
  client: PlatformClient;
  progress?: RollbackProgress;
  /** The checkpoint of an earlier attempt (job runner); the rollback is correct from any, or none. */
  checkpoint?: unknown;
  batchSize?: number;
}

export interface RollbackReport {
  migrationId: string;
  state: string;
  /** Rollback entries of this migration, and the points they moved (the opposite of what was undone). */
  reversals: number;
  pointsReversed: number;
  /** Members the rollback touched; of them, still pending (kept, invisible, history readable). */
  members: number;
  pendingMembers: number;
  /** Members whose balance is below zero after the rollback: they spent migrated points since. */
  negativeBalances: number;
  /** Points entries of the migration left as they were, and why. */
  kept: { memos: number; reversedBefore: number };
}

export type RollbackOutcome =
  | ({ outcome: "rolled-back"; pushed: BalanceWriteResult } & RollbackReport)
  | ({ outcome: "already-rolled-back" } & RollbackReport)
  | { outcome: "refused"; state: string; reason: string; message: string }
  | { outcome: "not-found" };

type Checkpoint = { phase: "reverse" } | { phase: "push"; after: string | null; written: number };

function readCheckpoint(value: unknown): Checkpoint {
  if (value && typeof value === "object" && (value as { phase?: unknown }).phase === "push") {
    const c = value as { after?: unknown; written?: unknown };
    return { phase: "push", after: typeof c.after === "string" ? c.after : null, written: typeof c.written === "number" ? c.written : 0 };
  }
  return { phase: "reverse" };
}

/** Entries of the migration that a rollback must still reverse (the SQL twin of domain rollbackSkip). */
function candidatesWhere(shopId: string, migrationId: string): Prisma.LedgerEntryWhereInput {
  return { shopId, migrationId, reversesId: null, points: { not: 0 }, kind: { not: "restore" }, reversedBy: { is: null } };
}

/**
 * The "migration.rollback" job's work. Idempotent from any checkpoint: the reverse phase reverses
 * whatever is not reversed yet (a replay finds nothing), the push phase writes whole balances (a
 * repeat converges), the final move to rolled_back is a compare-and-set.
 */
export async function rollbackMigration(input: RollbackInput): Promise<RollbackOutcome> {
  const { shopId, migrationId } = input;
  const progress: RollbackProgress = input.progress ?? (async () => {});
  const batchSize = input.batchSize ?? BATCH;
  const migration = await prisma.migration.findFirst({ where: { id: migrationId, shopId } });
  if (!migration) return { outcome: "not-found" };
  if (migration.state === "rolled_back") return { outcome: "already-rolled-back", ...(await rollbackReport(shopId, migrationId)) };
  if (migration.state !== "rolling_back") {
    if (!isMigrationState(migration.state) || !ROLLBACK_FROM.has(migration.state)) {
      const check = isMigrationState(migration.state) ? checkRollbackRequest(migration.state) : null;
      return { outcome: "refused", state: migration.state, reason: check && !check.ok ? check.reason : "unknown-state", message: check && !check.ok ? check.message : `cannot roll back from "${migration.state}"` };
    }
    const moved = await prisma.migration.updateMany({ where: { id: migrationId, state: { in: [...UNDONE_STATES] } }, data: { state: "rolling_back" } });
    if (moved.count === 0) return rollbackMigration(input);
  }

  let checkpoint = readCheckpoint(input.checkpoint);
  const sourceRef = `rollback of migration "${migration.name}"`;
  const alreadyDone = () => prisma.ledgerEntry.count({ where: { shopId, migrationId, kind: "rollback" } });

  for (;;) {
    if (checkpoint.phase === "reverse") {
      const total = (await alreadyDone()) + (await prisma.ledgerEntry.count({ where: candidatesWhere(shopId, migrationId) }));
      await progress({ done: await alreadyDone(), total, checkpoint });
      for (;;) {
        const batch = await prisma.ledgerEntry.findMany({ where: candidatesWhere(shopId, migrationId), orderBy: { id: "asc" }, take: batchSize, select: { id: true } });
        if (batch.length === 0) break;
        const reversedNow = await withLedger(async (tx) => {
          // Looked at again inside the transaction: an order cancelled meanwhile may have reversed one.
          const still = await tx.ledgerEntry.findMany({ where: { ...candidatesWhere(shopId, migrationId), id: { in: batch.map((e) => e.id) } }, orderBy: { id: "asc" }, select: { id: true, kind: true, sourceRef: true } });
          let n = 0;
          for (const entry of still) {
            try {
              const posted = await postReversal(tx, {
                shopId,
                originalId: entry.id,
                kind: "rollback",
                idempotencyKey: idempotencyKey.rollback(migrationId, entry.id),
                sourceRef,
                reason: `undoes ${entry.kind} (${entry.sourceRef})`,
                migrationId,
              });
              if (posted.outcome === "posted") n++;
            } catch (error) {
              // Reversed by someone else since `still` was read (another rollback run, an order
              // cancelled): on PostgreSQL's read committed a racing reverser can commit between
              // postReversal's key lookup and its look at the original. Nothing left to undo here.
              if (error instanceof LedgerRuleError && error.code === "ALREADY_REVERSED") continue;
              throw error;
            }
          }
          return n;
        });
        await progress({ done: await alreadyDone(), total, checkpoint });
        if (reversedNow === 0 && batch.length > 0) {
          // Every entry of the batch was reversed by someone else between the scan and the transaction.
          const left = await prisma.ledgerEntry.count({ where: { ...candidatesWhere(shopId, migrationId), id: { in: batch.map((e) => e.id) } } });
          if (left > 0) throw new Error(`rollback of migration ${migrationId} made no progress on ${left} entries`);
        }
      }
      checkpoint = { phase: "push", after: null, written: 0 };
      await progress({ done: await alreadyDone(), checkpoint });
    }

    // Push the whole balance of every visible member the rollback touched (pushBalances skips pending ones).
    const pushed: BalanceWriteResult = { written: checkpoint.written, failed: [] };
    let after = checkpoint.after;
    for (;;) {
      const members = await prisma.member.findMany({
        where: { shopId, ledgerEntries: { some: { migrationId, kind: "rollback" } }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take: PUSH_CHUNK,
        select: { id: true },
      });
      if (members.length === 0) break;
      const result = await pushBalances(input.client, members.map((m) => m.id));
      pushed.written += result.written;
      pushed.failed.push(...result.failed);
      after = members.at(-1)!.id;
      await progress({ done: await alreadyDone(), checkpoint: { phase: "push", after, written: pushed.written } });
    }

    // Anything the migration wrote while we pushed (it cannot, its state is closed — but a job of
    // an older version might) is reversed before the migration is called rolled back.
    if ((await prisma.ledgerEntry.count({ where: candidatesWhere(shopId, migrationId) })) > 0) {
      checkpoint = { phase: "reverse" };
      continue;
    }
    await prisma.migration.updateMany({ where: { id: migrationId, state: "rolling_back" }, data: { state: "rolled_back" } });
    await requestLedgerCheck(shopId, `rollback:${migrationId}`);
    return { outcome: "rolled-back", pushed, ...(await rollbackReport(shopId, migrationId)) };
  }
}

/** What a migration's rollback did, read back from the ledger (the history stays readable). */
export async function rollbackReport(shopId: string, migrationId: string): Promise<RollbackReport> {
  const touched: Prisma.MemberWhereInput = { shopId, ledgerEntries: { some: { migrationId, kind: "rollback" } } };
  const [migration, rollbacks, memos, reversedBefore, members, visible, negativeBalances] = await Promise.all([
    prisma.migration.findFirstOrThrow({ where: { id: migrationId, shopId }, select: { state: true } }),
    prisma.ledgerEntry.aggregate({ where: { shopId, migrationId, kind: "rollback" }, _count: true, _sum: { points: true } }),
    prisma.ledgerEntry.count({ where: { shopId, migrationId, OR: [{ points: 0 }, { kind: "restore" }] } }),
    prisma.ledgerEntry.count({ where: { shopId, migrationId, reversesId: null, points: { not: 0 }, reversedBy: { is: { kind: { not: "rollback" } } } } }),
    prisma.member.count({ where: touched }),
    prisma.member.count({ where: { ...touched, state: "visible", platformCustomerId: { not: null } } }),
    prisma.member.count({ where: { ...touched, balance: { lt: 0 } } }),
  ]);
  return {
    migrationId,
    state: migration.state,
    reversals: rollbacks._count,
    pointsReversed: rollbacks._sum.points ?? 0,
    members,
    pendingMembers: members - visible,
    negativeBalances,
    kept: { memos, reversedBefore },
  };
}
