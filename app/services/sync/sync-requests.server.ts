import type { Job } from "@prisma/client";
import { canTransition, isMigrationState } from "~domain/migration-state";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import { SYNC_RESOURCES, type SyncResource } from "./sync.server";

export type SyncRequestOutcome = { outcome: "enqueued"; jobId: string } | { outcome: "already-running"; jobId: string };

/**
 * Asks for a pull of the store's snapshot. One sync per shop at a time: while one is queued or
 * running, a second request returns that one instead of starting a rival pull. Asked for a migration
 * whose rules are set, it moves the migration to syncing.
 */
export async function requestSync(input: { shopId: string; full?: boolean; migrationId?: string | null; resources?: SyncResource[] }): Promise<SyncRequestOutcome> {
  return prisma.$transaction(async (tx) => {
    if (input.migrationId) {
      // The wizard's "Sync & preview" step: the migration waits in syncing until its preview is stored.
      const migration = await tx.migration.findUnique({ where: { id: input.migrationId }, select: { state: true } });
      if (migration && isMigrationState(migration.state) && migration.state !== "syncing" && canTransition(migration.state, "syncing")) {
        await tx.migration.update({ where: { id: input.migrationId }, data: { state: "syncing" } });
      }
    }
    const active = await tx.job.findFirst({ where: { shopId: input.shopId, kind: "platform.sync", state: { in: ["queued", "running"] } }, select: { id: true } });
    if (active) return { outcome: "already-running", jobId: active.id };
    const queued = await enqueue(
      {
        kind: "platform.sync",
        shopId: input.shopId,
        payload: { shopId: input.shopId, resources: input.resources ?? [...SYNC_RESOURCES], full: input.full ?? false, migrationId: input.migrationId ?? null },
        dedupeKey: `sync:${input.shopId}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`,
      },
      tx,
    );
    return { outcome: "enqueued", jobId: queued.jobId };
  });
}

export interface JobProgress {
  state: string;
  done: number;
  total: number | null;
  /** Items per second since the job started. */
  ratePerSecond: number | null;
  /** Seconds left at that rate, when the total is known. */
  etaSeconds: number | null;
  error: string | null;
}

/** Progress of a job as the wizard and the CLI show it (rate and ETA derived from what the job persists). */
export function jobProgress(job: Pick<Job, "state" | "progressDone" | "progressTotal" | "startedAt" | "heartbeatAt" | "finishedAt" | "error">, now = new Date()): JobProgress {
  const end = job.finishedAt ?? (job.state === "running" ? now : job.heartbeatAt) ?? now;
  const seconds = job.startedAt ? (end.getTime() - job.startedAt.getTime()) / 1000 : 0;
  const rate = seconds > 0 && job.progressDone > 0 ? job.progressDone / seconds : null;
  const left = job.progressTotal !== null ? Math.max(0, job.progressTotal - job.progressDone) : null;
  return {
    state: job.state,
    done: job.progressDone,
    total: job.progressTotal,
    ratePerSecond: rate,
    etaSeconds: rate && left !== null ? left / rate : null,
    error: job.error,
  };
}
