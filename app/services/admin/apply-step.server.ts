import type { Job, Shop } from "@prisma/client";
import { pendingMemberId, selectPilot, type PilotSpec } from "~domain/apply/pilot";
import { idempotencyKey } from "~domain/ledger";
import type { Preview } from "~domain/reconcile/report";
import prisma from "../../db.server";
import { requestApply, retroactiveOrders, type ApplyRefusal, type ApplyResult, type PushFailure } from "../apply/apply.server";
import { findMigration } from "../migrations.server";
import { latestPreview } from "../reconcile/reconcile.server";
import { jobProgress, type JobProgress } from "../sync/sync-requests.server";
import { addOrders, addRecords, emptyPlanFigures, type PlanFigures, type PlanRecord } from "./apply-step";
import { rollbackPlan, type RollbackPlan } from "./report-step.server";

/**
 * The wizard's Apply step (issue 6): what the confirmation says will be written, the apply job's
 * progress and its outcome. Every figure of the confirmation is read from the stored preview's
 * RecordMatch rows and the ledger the same way applyMigration walks them (the pilot by the same
 * deterministic sample, the retroactive orders by the same classification), so what the merchant
 * confirms is what apply writes. The job itself is requestApply's, as `npx carryover apply`.
 */

// Pages of 500: every page goes into `IN (…)` lists, and Prisma on SQLite binds at most 999 parameters per query.
const PAGE = 500;
const FAILURES_SHOWN = 50;
const ACTIVE = ["queued", "running"];

export interface ApplyPlan {
  /** pilot: a sample of the matched records; all: everything not applied yet (after a pilot: the rest). */
  scope: "pilot" | "all";
  pilot: PilotSpec | null;
  afterPilot: boolean;
  reconciliationId: string;
  figures: PlanFigures;
  /** A pilot leaves these for "apply to everyone". */
  left: { matched: number; pending: number } | null;
  /** Never written by apply: conflicts wait for review and a new preview; rejected rows stay out. */
  notWritten: { conflicts: { records: number; points: number }; rejected: { records: number; points: number } };
  destination: { platform: string; shopDomain: string };
  /** The store's orders no longer give the preview's retroactive points: apply would refuse. */
  staleOrders: boolean;
}

export type ApplyPlanOutcome = { outcome: "plan"; plan: ApplyPlan } | { outcome: "not-open"; state: string } | { outcome: "not-previewed" } | { outcome: "rules-invalid"; message: string } | { outcome: "not-found" };

interface ApplyJobView {
  id: string;
  scope: "pilot" | "all";
  pilot: PilotSpec | null;
  progress: JobProgress;
  finishedAt: string | null;
  result: (Omit<ApplyResult, "pushFailures"> & { pushFailures: PushFailure[] }) | null;
}

export interface ApplyStepView {
  state: string;
  platform: string;
  shopDomain: string;
  preview: { reconciliationId: string; createdAt: string; report: Preview } | null;
  /** The latest apply job of the migration (running, failed or done). */
  job: ApplyJobView | null;
  /** The latest pilot and full apply that succeeded. */
  pilot: ApplyJobView | null;
  all: ApplyJobView | null;
  /** A job of this step is queued or running: the screen polls. */
  working: boolean;
  /** Piloted: what rolling the pilot back would do (the Report, where rollbacks live, opens once applied). */
  rollback: RollbackPlan | null;
}

type Payload = { reconciliationId: string; pilot: PilotSpec | null };

function jobView(job: Job): ApplyJobView {
  const payload = JSON.parse(job.payloadJson) as Payload;
  const checkpoint = job.checkpoint ? (JSON.parse(job.checkpoint) as { result?: ApplyResult }) : null;
  const result = job.state === "succeeded" ? (checkpoint?.result ?? null) : null;
  return {
    id: job.id,
    scope: payload.pilot === null ? "all" : "pilot",
    pilot: payload.pilot,
    progress: jobProgress(job),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    // The job keeps up to 1,000 push failures (all counted in stats); the screen lists the first ones.
    result: result && { ...result, pushFailures: result.pushFailures.slice(0, FAILURES_SHOWN) },
  };
}

const applyJobs = (shopId: string, migrationId: string) =>
  prisma.job.findMany({ where: { kind: "migration.apply", shopId, dedupeKey: { startsWith: `apply:${migrationId}:` } }, orderBy: { createdAt: "asc" } });

/** What the Apply step shows: the preview's figures, the latest apply job (progress, failure, result), the pilot's and the full apply's results. */
export async function applyStepView(shop: Pick<Shop, "id" | "platform" | "domain">, migrationId: string): Promise<ApplyStepView | null> {
  const m = await findMigration(shop.id, migrationId);
  if (!m) return null;
  const [jobs, preview] = await Promise.all([applyJobs(shop.id, m.id), latestPreview(m.id)]);
  const latest = jobs.at(-1) ?? null;
  const working = latest !== null && ACTIVE.includes(latest.state);
  const succeeded = jobs.filter((j) => j.state === "succeeded").map(jobView);
  return {
    state: m.state,
    platform: shop.platform,
    shopDomain: shop.domain,
    preview: preview && { reconciliationId: preview.reconciliationId, createdAt: preview.createdAt.toISOString(), report: preview.report },
    job: latest && jobView(latest),
    pilot: succeeded.filter((j) => j.scope === "pilot").at(-1) ?? null,
    all: succeeded.filter((j) => j.scope === "all").at(-1) ?? null,
    working,
    rollback: m.state === "piloted" && !working ? await rollbackPlan(shop.id, m.id) : null,
  };
}

/**
 * The confirmation: exactly what an apply with this pilot (null: everything not applied yet) would
 * write now, from the latest stored preview and the ledger. Nothing is written.
 */
export async function applyPlan(shop: Shop, migrationId: string, pilot: PilotSpec | null): Promise<ApplyPlanOutcome> {
  const m = await findMigration(shop.id, migrationId);
  if (!m) return { outcome: "not-found" };
  const openStates = pilot === null ? ["previewed", "piloted", "applying"] : ["previewed", "applying"];
  if (!openStates.includes(m.state)) return { outcome: "not-open", state: m.state };
  const preview = await latestPreview(m.id);
  if (!preview) return { outcome: "not-previewed" };
  const rid = preview.reconciliationId;
  const figures = emptyPlanFigures();

  // The records apply walks: the pilot's sample of the matched ones, or every matched and pending one.
  let pilotIds: string[] | null = null;
  const pilotCustomers = new Set<string>();
  if (pilot !== null) {
    pilotIds = selectPilot(await matchedRecordIds(rid), pilot);
    for (let i = 0; i < pilotIds.length; i += PAGE) {
      const rows = await prisma.recordMatch.findMany({ where: { reconciliationId: rid, recordId: { in: pilotIds.slice(i, i + PAGE) } }, select: MATCH_SELECT });
      for (const r of rows) if (r.platformCustomerId) pilotCustomers.add(r.platformCustomerId);
      addRecords(figures, await planRecords(shop.id, m.id, rows));
    }
  } else {
    let after: string | null = null;
    for (;;) {
      const rows: MatchRow[] = await prisma.recordMatch.findMany({
        where: { reconciliationId: rid, class: { in: ["matched", "pending"] }, ...(after !== null ? { recordId: { gt: after } } : {}) },
        select: MATCH_SELECT,
        orderBy: { recordId: "asc" },
        take: PAGE,
      });
      addRecords(figures, await planRecords(shop.id, m.id, rows));
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.recordId;
    }
  }

  // The retroactive orders, classified now as apply classifies them; a pilot's go to its customers only.
  const retro = await retroactiveOrders(shop, m);
  if ("outcome" in retro) return { outcome: "rules-invalid", message: retro.message };
  const orders = pilotIds === null ? retro.orders : retro.orders.filter((o) => pilotCustomers.has(o.customerId));
  const credited = new Set<string>();
  for (let i = 0; i < orders.length; i += PAGE) {
    const keys = orders.slice(i, i + PAGE).map((o) => idempotencyKey.retroactive(m.id, o.platformId));
    const found = await prisma.ledgerEntry.findMany({ where: { shopId: shop.id, idempotencyKey: { in: keys } }, select: { idempotencyKey: true } });
    for (const f of found) credited.add(f.idempotencyKey);
  }
  addOrders(figures, orders.map((o) => ({ customerId: o.customerId, points: o.points, credited: credited.has(idempotencyKey.retroactive(m.id, o.platformId)) })));

  const p = preview.report;
  return {
    outcome: "plan",
    plan: {
      scope: pilot === null ? "all" : "pilot",
      pilot,
      afterPilot: m.state === "piloted",
      reconciliationId: rid,
      figures,
      left: pilotIds === null ? null : { matched: p.members.matched - pilotIds.length, pending: p.members.pending },
      notWritten: {
        conflicts: { records: p.members.conflict, points: p.points.conflict },
        rejected: { records: p.members.rejectedAtImport + p.members.rejectedInReview, points: p.points.rejected.total },
      },
      destination: { platform: shop.platform, shopDomain: shop.domain },
      // Checked as the apply job checks it when it starts (a resumed apply does not check).
      staleOrders: m.state !== "applying" && (retro.count !== p.retroactive.orders || retro.points !== p.retroactive.points),
    },
  };
}

const MATCH_SELECT = { recordId: true, class: true, platformCustomerId: true, points: true } as const;
type MatchRow = { recordId: string; class: string; platformCustomerId: string | null; points: number };

/** A page of preview rows with what the ledger already holds for them (entry written, member existing). */
async function planRecords(shopId: string, migrationId: string, rows: MatchRow[]): Promise<PlanRecord[]> {
  if (rows.length === 0) return [];
  const keys = rows.map((r) => idempotencyKey.importRow(migrationId, r.recordId));
  const customers = rows.flatMap((r) => (r.class === "matched" && r.platformCustomerId ? [r.platformCustomerId] : []));
  const pendingIds = rows.filter((r) => r.class === "pending").map((r) => pendingMemberId(migrationId, r.recordId));
  const [entries, visible, pending] = await Promise.all([
    prisma.ledgerEntry.findMany({ where: { shopId, idempotencyKey: { in: keys } }, select: { idempotencyKey: true } }),
    customers.length ? prisma.member.findMany({ where: { shopId, platformCustomerId: { in: customers } }, select: { platformCustomerId: true } }) : [],
    pendingIds.length ? prisma.member.findMany({ where: { shopId, id: { in: pendingIds } }, select: { id: true } }) : [],
  ]);
  const credited = new Set(entries.map((e) => e.idempotencyKey));
  const members = new Set([...visible.map((v) => v.platformCustomerId!), ...pending.map((p) => p.id)]);
  return rows.flatMap((r): PlanRecord[] => {
    if (r.class !== "matched" && r.class !== "pending") return [];
    const member = r.class === "matched" ? r.platformCustomerId : pendingMemberId(migrationId, r.recordId);
    return [{ cls: r.class, points: r.points, credited: credited.has(idempotencyKey.importRow(migrationId, r.recordId)), hasMember: member !== null && members.has(member) }];
  });
}

async function matchedRecordIds(reconciliationId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Array<{ recordId: string }> = await prisma.recordMatch.findMany({
      where: { reconciliationId, class: "matched", ...(after !== null ? { recordId: { gt: after } } : {}) },
      select: { recordId: true },
      orderBy: { recordId: "asc" },
      take: 20_000,
    });
    for (const r of page) ids.push(r.recordId);
    if (page.length < 20_000) return ids;
    after = page.at(-1)!.recordId;
  }
}

export type StartApplyOutcome = { outcome: "enqueued"; jobId: string } | ApplyRefusal | { outcome: "nothing-to-retry" };

/** "Apply" after the confirmation: requestApply on the preview the confirmation was computed from. */
export async function startApply(shopId: string, migrationId: string, pilot: PilotSpec | null, reconciliationId?: string): Promise<StartApplyOutcome> {
  const r = await requestApply({ shopId, migrationId, pilot, ...(reconciliationId ? { reconciliationId } : {}) });
  return r.outcome === "enqueued" ? { outcome: "enqueued", jobId: r.jobId } : r;
}

/** "Retry" after a failed apply job: the same apply (pilot or all) again, on the latest preview; every write is keyed, so nothing is doubled. */
export async function retryApply(shopId: string, migrationId: string): Promise<StartApplyOutcome> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return { outcome: "not-found", message: `no migration ${migrationId} in this shop` };
  const latest = (await applyJobs(shopId, m.id)).at(-1);
  if (!latest || latest.state !== "failed") return { outcome: "nothing-to-retry" };
  const payload = JSON.parse(latest.payloadJson) as Payload;
  // A pilot that failed after the migration was piloted cannot be asked again; the rest can.
  return startApply(shopId, m.id, m.state === "piloted" ? null : payload.pilot);
}
