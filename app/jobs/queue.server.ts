import type { Prisma } from "@prisma/client";
import { isUniqueViolation } from "../db-errors.server";
import prisma from "../db.server";
import { dispatch } from "./dispatch.server";

/**
 * Typed background work. Each kind names its payload; producers enqueue, workers run
 * (app/jobs/runner.server.ts). The dedupe key makes enqueueing idempotent: a webhook replayed ten
 * times enqueues its job once.
 */
export interface JobPayloads {
  /** A customer appeared or changed on the platform: restore pending points that match them. */
  "customer.changed": { shopDomain: string; platform: "shopify" | "nuvemshop"; customerId: string; topic: string };
  /** An order was paid or cancelled: earn or reverse points by the migration's rules. */
  "order.changed": { shopDomain: string; platform: "shopify" | "nuvemshop"; orderId: string; topic: string };
  /** Pull the store's customers and orders into the snapshot; `full` ignores the incremental cursors. */
  "platform.sync": { shopId: string; resources: Array<"customers" | "orders">; full: boolean; migrationId: string | null };
  /** Match a migration's records to the snapshot and store the preview (a dry run). */
  "migration.reconcile": { shopId: string; migrationId: string };
  /** Credit a reviewed preview: a pilot (count or percentage of matched members) or the rest. */
  "migration.apply": { shopId: string; migrationId: string; reconciliationId: string; pilot: { count: number } | { percent: number } | null };
  /** Recompute every member's balance from the ledger entries and report any drift (fails the job when there is some). */
  "ledger.check": { shopId: string };
  /** Undo everything a migration wrote, with reversal entries, and push the balances back. */
  "migration.rollback": { shopId: string; migrationId: string };
}

export type JobKind = keyof JobPayloads;

export interface EnqueueInput<K extends JobKind> {
  kind: K;
  shopId: string | null;
  payload: JobPayloads[K];
  dedupeKey: string;
  runAfter?: Date;
}

export type EnqueueOutcome = { outcome: "enqueued"; jobId: string } | { outcome: "already-enqueued"; jobId: string };

type Db = Prisma.TransactionClient | typeof prisma;

export async function enqueue<K extends JobKind>(input: EnqueueInput<K>, db: Db = prisma): Promise<EnqueueOutcome> {
  const existing = await db.job.findUnique({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
  if (existing) return { outcome: "already-enqueued", jobId: existing.id };
  try {
    const job = await db.job.create({
      data: {
        kind: input.kind,
        shopId: input.shopId,
        payloadJson: JSON.stringify(input.payload),
        dedupeKey: input.dedupeKey,
        runAfter: input.runAfter ?? new Date(),
      },
      select: { id: true, kind: true, runAfter: true },
    });
    await dispatch(job, db);
    return { outcome: "enqueued", jobId: job.id };
  } catch (error) {
    // Two producers raced for the same key and the other won. Outside a transaction that is simply
    // "already enqueued"; inside one the insert has spoiled the transaction (PostgreSQL), so the
    // caller's transaction must fail and be retried, where the lookup above will find the winner.
    if (db !== prisma || !isUniqueViolation(error)) throw error;
    const winner = await prisma.job.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
    return { outcome: "already-enqueued", jobId: winner.id };
  }
}
