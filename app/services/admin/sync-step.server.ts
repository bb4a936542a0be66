import type { Job } from "@prisma/client";
import { canTransition, isMigrationState } from "~domain/migration-state";
import type { Preview } from "~domain/reconcile/report";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import { findMigration } from "../migrations.server";
import { latestPreview } from "../reconcile/reconcile.server";
import { reviewQueue, type ReviewItem } from "../reconcile/review.server";
import { jobProgress, requestSync, type JobProgress } from "../sync/sync-requests.server";

export interface JobView {
  id: string;
  progress: JobProgress;
  finishedAt: string | null;
}

export interface SyncStepView {
  state: string;
  /** The shop's latest pull of the store (one sync per shop at a time). */
  sync: JobView | null;
  /** This migration's latest dry run job. */
  reconcile: JobView | null;
  /** The sync is done and the preview still has to be built from it. */
  needsPreview: boolean;
  preview: { reconciliationId: string; report: Preview; createdAt: string; current: boolean } | null;
  review: { total: number; items: ReviewItem[] } | null;
  /** True while a job of this step is queued or running: the screen polls. */
  working: boolean;
}

const REVIEW_SHOWN = 20;
const ACTIVE = ["queued", "running"];

const jobView = (job: Job | null): JobView | null => (job ? { id: job.id, progress: jobProgress(job), finishedAt: job.finishedAt?.toISOString() ?? null } : null);
const reconcileKey = (migrationId: string) => `reconcile:${migrationId}:`;

/** What the Sync & preview step shows: the pull's progress (done/total/ETA), then the stored preview and the review queue. */
export async function syncStepView(shopId: string, migrationId: string): Promise<SyncStepView | null> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return null;
  const [sync, reconcile, preview, review] = await Promise.all([
    prisma.job.findFirst({ where: { shopId, kind: "platform.sync" }, orderBy: { createdAt: "desc" } }),
    prisma.job.findFirst({ where: { shopId, kind: "migration.reconcile", dedupeKey: { startsWith: reconcileKey(migrationId) } }, orderBy: { createdAt: "desc" } }),
    latestPreview(migrationId),
    reviewQueue({ shopId, migrationId, take: REVIEW_SHOWN }),
  ]);
  const working = (sync !== null && ACTIVE.includes(sync.state)) || (reconcile !== null && ACTIVE.includes(reconcile.state));
  const reconciledAfterSync = reconcile !== null && sync !== null && reconcile.createdAt >= (sync.finishedAt ?? sync.createdAt);
  return {
    state: m.state,
    sync: jobView(sync),
    reconcile: jobView(reconcile),
    needsPreview: m.state === "syncing" && sync?.state === "succeeded" && !reconciledAfterSync,
    preview: preview && { ...preview, createdAt: preview.createdAt.toISOString(), current: m.state !== "rules_set" && m.state !== "syncing" },
    review: review && { total: review.total, items: review.items },
    working,
  };
}

export type StepActionOutcome = { outcome: "started"; jobId: string } | { outcome: "not-open"; state: string } | { outcome: "not-found" };

/** "Sync and preview": pulls the store for this migration (it waits in syncing until its preview is stored). */
export async function startSync(shopId: string, migrationId: string): Promise<StepActionOutcome> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return { outcome: "not-found" };
  if (!isMigrationState(m.state) || (m.state !== "syncing" && !canTransition(m.state, "syncing"))) return { outcome: "not-open", state: m.state };
  const r = await requestSync({ shopId, migrationId });
  return { outcome: "started", jobId: r.jobId };
}

/**
 * After the pull: the dry run as a job of the worker. Keyed by the sync job it follows, so asking
 * twice (two tabs, a reload) queues it once.
 */
export async function startPreview(shopId: string, migrationId: string): Promise<StepActionOutcome> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return { outcome: "not-found" };
  if (!isMigrationState(m.state) || !canTransition(m.state, "previewed")) return { outcome: "not-open", state: m.state };
  const sync = await prisma.job.findFirst({ where: { shopId, kind: "platform.sync" }, orderBy: { createdAt: "desc" }, select: { id: true } });
  const queued = await enqueue({
    kind: "migration.reconcile",
    shopId,
    payload: { shopId, migrationId },
    dedupeKey: `${reconcileKey(migrationId)}${sync?.id ?? "no-sync"}`,
  });
  return { outcome: "started", jobId: queued.jobId };
}
