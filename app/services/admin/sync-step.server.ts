import { canTransition, isMigrationState } from "~domain/migration-state";
import type { Preview } from "~domain/reconcile/report";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import { findMigration } from "../migrations.server";
import { latestPreview } from "../reconcile/reconcile.server";
import { requestSync } from "../sync/sync-requests.server";
import { jobActive, jobView, latestReconcileJob, latestSyncJob, reconcileKeyPrefix, refreshPreview, reviewSummary, type JobView, type RefreshPreviewOutcome, type ReviewSummary } from "./review-step.server";

export type { JobView };

export interface SyncStepView {
  state: string;
  /** The shop's latest pull of the store (one sync per shop at a time). */
  sync: JobView | null;
  /** This migration's latest dry run job. */
  reconcile: JobView | null;
  /** The sync is done and the preview still has to be built from it. */
  needsPreview: boolean;
  /**
   * The stored preview; `current` is false when the rules changed (or a pull began) since it was built.
   * Decisions taken since are counted in review.changes.
   */
  preview: { reconciliationId: string; report: Preview; createdAt: string; current: boolean } | null;
  /** The review queue's counts against the stored preview (null: no preview yet). */
  review: ReviewSummary | null;
  /** The preview can be built again now (after decisions, new rules, or a failed dry run). */
  canRefresh: boolean;
  /** True while a job of this step is queued or running: the screen polls. */
  working: boolean;
}

/** What the Sync & preview step shows: the pull's progress (done/total/ETA), then the stored preview and the review queue's counts. */
export async function syncStepView(shopId: string, migrationId: string): Promise<SyncStepView | null> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return null;
  const [sync, reconcile, preview] = await Promise.all([latestSyncJob(shopId), latestReconcileJob(shopId, migrationId), latestPreview(migrationId)]);
  const review = await reviewSummary(shopId, migrationId, preview?.reconciliationId ?? null);
  const working = jobActive(sync) || jobActive(reconcile);
  const reconciledAfterSync = reconcile !== null && sync !== null && reconcile.createdAt >= (sync.finishedAt ?? sync.createdAt);
  const open = isMigrationState(m.state) && (m.state === "previewed" || canTransition(m.state, "previewed"));
  return {
    state: m.state,
    sync: jobView(sync),
    reconcile: jobView(reconcile),
    needsPreview: m.state === "syncing" && sync?.state === "succeeded" && !reconciledAfterSync,
    preview: preview && { ...preview, createdAt: preview.createdAt.toISOString(), current: m.state !== "rules_set" && m.state !== "syncing" },
    review,
    canRefresh: open && !working && (preview !== null || reconcile?.state === "failed"),
    working,
  };
}

export type StepActionOutcome = { outcome: "started"; jobId: string } | { outcome: "not-open"; state: string } | { outcome: "not-found" } | { outcome: "sync-running" };

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
    dedupeKey: `${reconcileKeyPrefix(migrationId)}${sync?.id ?? "no-sync"}`,
  });
  return { outcome: "started", jobId: queued.jobId };
}

export const SYNC_INTENTS = ["sync", "preview", "refresh"] as const;
export type SyncIntent = (typeof SYNC_INTENTS)[number];

/**
 * The step's buttons: "sync" pulls the store (first time, again, or after a failed pull); "preview"
 * is the dry run the screen asks for once a pull is done; "refresh" builds the preview again from the
 * snapshot as it is — after decisions, new rules, or to retry a dry run that failed
 * (review-step.server.ts refreshPreview).
 */
export async function runSyncIntent(shopId: string, migrationId: string, intent: SyncIntent): Promise<StepActionOutcome | RefreshPreviewOutcome> {
  if (intent === "sync") return startSync(shopId, migrationId);
  if (intent === "preview") return startPreview(shopId, migrationId);
  return refreshPreview(shopId, migrationId);
}
