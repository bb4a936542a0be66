import { Prisma, type Job } from "@prisma/client";
import { z } from "zod";
import { canTransition, isMigrationState } from "~domain/migration-state";
import { parseAlreadyMigratedReason } from "~domain/reconcile/already-migrated";
import { REASONS } from "~domain/reconcile/match";
import type { Preview } from "~domain/reconcile/report";
import type { Candidate } from "~domain/reconcile/types";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import { findMigration } from "../migrations.server";
import { latestPreview } from "../reconcile/reconcile.server";
import {
  CONFLICT_KIND_WHERE,
  CONFLICT_KINDS,
  conflictKindOf,
  decideRecord,
  decisionsNotInPreview,
  decisionsOpen,
  reviewQueue,
  withdrawDecision,
  type ConflictKind,
  type ReviewDecisionKind,
} from "../reconcile/review.server";
import { jobProgress, type JobProgress } from "../sync/sync-requests.server";

/**
 * The review screen of the Sync & preview step: the conflicts of the latest preview and the decisions
 * taken on them, through the same services as `npx carryover review` (reconcile/review.server.ts).
 * Decisions only change the next preview, so the screen also says how many of them the stored
 * preview does not show yet, and builds it again on request.
 */

export const REVIEW_PAGE_SIZE = 25;
export const REVIEW_TABS = ["open", "decided"] as const;
export type ReviewTab = (typeof REVIEW_TABS)[number];

// --------------------------------------------------------------------------------- the preview job

const ACTIVE = ["queued", "running"];

/** Dedupe keys of a migration's dry-run jobs start with this (the sync step keys its own by the pull). */
export const reconcileKeyPrefix = (migrationId: string) => `reconcile:${migrationId}:`;

export interface JobView {
  id: string;
  progress: JobProgress;
  finishedAt: string | null;
}

export const jobView = (job: Job | null): JobView | null => (job ? { id: job.id, progress: jobProgress(job), finishedAt: job.finishedAt?.toISOString() ?? null } : null);
export const jobActive = (job: Pick<Job, "state"> | null): boolean => job !== null && ACTIVE.includes(job.state);

export function latestReconcileJob(shopId: string, migrationId: string): Promise<Job | null> {
  return prisma.job.findFirst({ where: { shopId, kind: "migration.reconcile", dedupeKey: { startsWith: reconcileKeyPrefix(migrationId) } }, orderBy: { createdAt: "desc" } });
}

export function latestSyncJob(shopId: string): Promise<Job | null> {
  return prisma.job.findFirst({ where: { shopId, kind: "platform.sync" }, orderBy: { createdAt: "desc" } });
}

export type RefreshPreviewOutcome =
  | { outcome: "started"; jobId: string }
  | { outcome: "not-open"; state: string }
  | { outcome: "sync-running" }
  | { outcome: "not-found" };

/**
 * Builds the preview again from the store's current snapshot, the rules and the decisions: after
 * decisions, after new rules, or to retry a dry run that failed. One at a time per migration: while
 * one is queued or running it is the answer; otherwise the new job is keyed by the last one, so a
 * double click (or two tabs) queues it once. Refused while the store is being pulled (the dry run
 * would read half a snapshot; the sync step builds it once the pull is done) and once points are written.
 */
export async function refreshPreview(shopId: string, migrationId: string): Promise<RefreshPreviewOutcome> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return { outcome: "not-found" };
  if (!isMigrationState(m.state) || (m.state !== "previewed" && !canTransition(m.state, "previewed"))) return { outcome: "not-open", state: m.state };
  const [sync, last] = await Promise.all([latestSyncJob(shopId), latestReconcileJob(shopId, migrationId)]);
  if (jobActive(sync)) return { outcome: "sync-running" };
  if (last && jobActive(last)) return { outcome: "started", jobId: last.id };
  const queued = await enqueue({ kind: "migration.reconcile", shopId, payload: { shopId, migrationId }, dedupeKey: `${reconcileKeyPrefix(migrationId)}after:${last?.id ?? "none"}` });
  return { outcome: "started", jobId: queued.jobId };
}

// ------------------------------------------------------------------------- decisions vs. preview

type DecisionLike = { decision: string; platformCustomerId: string | null };
type MatchLike = { class: string; matchedBy: string | null; platformCustomerId: string | null; reason: string | null };

/**
 * Whether a stored outcome already follows a decision (domain/reconcile/match.ts: a decision wins;
 * a match to a customer gone from the snapshot stays a conflict saying so).
 * pendingChanges below says the same in SQL; the integration tests hold the two together.
 */
export function outcomeFollows(decision: DecisionLike, match: MatchLike | null): boolean {
  if (!match) return false;
  switch (decision.decision) {
    case "match":
      return (
        (match.class === "matched" && match.matchedBy === "review" && match.platformCustomerId === decision.platformCustomerId) ||
        (match.class === "conflict" && match.reason === REASONS.chosenCustomerGone)
      );
    case "pending":
      return match.class === "pending" && match.reason === REASONS.keptPendingInReview;
    case "reject":
      return match.class === "rejected" && match.reason === REASONS.rejectedInReview;
    default:
      return false;
  }
}

/** Conflicts of the preview that no decision covers yet. */
async function undecidedConflicts(migrationId: string, reconciliationId: string): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ n: bigint | number }>>(Prisma.sql`
    SELECT COUNT(*) AS n FROM "RecordMatch" rm
    WHERE rm."reconciliationId" = ${reconciliationId} AND rm."class" = 'conflict'
      AND NOT EXISTS (SELECT 1 FROM "ReviewDecision" d WHERE d."migrationId" = ${migrationId} AND d."recordId" = rm."recordId")`);
  return Number(row?.n ?? 0);
}

export interface ReviewSummary {
  /** Conflicts in the stored preview. */
  conflicts: number;
  /** Of those, the ones no decision covers. */
  undecided: number;
  /** Decisions on this migration. */
  decided: number;
  /** Decisions the stored preview does not show yet (taken, changed or withdrawn since it was built). */
  changes: number;
}

/** The review's counts against the stored preview (null: no preview yet). */
export async function reviewSummary(shopId: string, migrationId: string, reconciliationId: string | null): Promise<ReviewSummary | null> {
  if (!reconciliationId) return null;
  const [conflicts, undecided, decided, changes] = await Promise.all([
    prisma.recordMatch.count({ where: { reconciliationId, class: "conflict" } }),
    undecidedConflicts(migrationId, reconciliationId),
    prisma.reviewDecision.count({ where: { shopId, migrationId } }),
    decisionsNotInPreview(migrationId, reconciliationId),
  ]);
  return { conflicts, undecided, decided, changes };
}

// ------------------------------------------------------------------------------------ the list

export const ReviewQuery = z.object({
  tab: z.enum(REVIEW_TABS).catch("open"),
  kind: z.enum(CONFLICT_KINDS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
export type ReviewQuery = z.infer<typeof ReviewQuery>;

export function reviewQueryFrom(url: URL): ReviewQuery {
  const get = (name: string) => url.searchParams.get(name) || undefined;
  return ReviewQuery.parse({ tab: get("tab"), kind: get("kind"), page: get("page") });
}

/** Why a record is in review, as data the screen can say in the merchant's language. */
export type ReasonView =
  | { kind: "shared_key"; count: number; key: Candidate["key"] }
  | { kind: "several_records"; count: number; others: Array<{ file: string; row: number }>; more: number }
  | { kind: "email_variant" | "nothing_to_match_on" }
  | { kind: "decision_unusable"; gone: boolean }
  /** Another migration of the shop already credited this person (domain/reconcile/already-migrated.ts). */
  | { kind: "already_migrated"; points: number; migration: string; more: number }
  /** A reason these rules do not write (kept as written). */
  | { kind: "other"; text: string };

const KEY_BY_WORDS: Record<string, Candidate["key"]> = { "e-mail": "email", "phone number": "phone", CPF: "cpf", "customer id": "platform_id" };

/** Reads domain/reconcile/match.ts's reasons back into data (the tests run them through real reconciliations). */
export function reasonView(reason: string | null): ReasonView | null {
  if (reason === null) return null;
  const kind = conflictKindOf(reason);
  if (kind === "shared_key") {
    const m = /^(\d+) customers of the new store share this (.+)$/.exec(reason);
    const key = m ? KEY_BY_WORDS[m[2]!] : undefined;
    if (m && key) return { kind, count: Number(m[1]), key };
  } else if (kind === "several_records") {
    const m = /^(\d+) records match this customer \(also (.*?)(?: and (\d+) more)?\)$/.exec(reason);
    const others = m ? m[2]!.split(", ").map((ref) => /^(.*) row (\d+)$/.exec(ref)) : [];
    if (m && others.every((o) => o !== null)) {
      return { kind, count: Number(m[1]), others: others.map((o) => ({ file: o![1]!, row: Number(o![2]) })), more: Number(m[3] ?? 0) };
    }
  } else if (kind === "decision_unusable") {
    return { kind, gone: reason === REASONS.chosenCustomerGone };
  } else if (kind === "already_migrated") {
    const parsed = parseAlreadyMigratedReason(reason);
    if (parsed) return { kind, ...parsed };
  } else if (kind !== null) {
    return { kind };
  }
  return { kind: "other", text: reason };
}

export interface CustomerView {
  platformId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface ReviewRow {
  recordId: string;
  rowNumber: number;
  fileName: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  cpf: string | null;
  points: number;
  /** Why it is (open tab) or was (decided tab: the last preview where it was a conflict) in review. */
  reason: ReasonView | null;
  /** The store's customers it could belong to, and on which key. */
  candidates: Array<CustomerView & { key: Candidate["key"] }>;
  decision: {
    decision: ReviewDecisionKind;
    customer: CustomerView | null;
    note: string | null;
    decidedAt: string;
    /** The stored preview already follows it. */
    inPreview: boolean;
  } | null;
}

export interface ReviewStepView {
  state: string;
  /** Decisions may be taken or withdrawn (nothing written to the ledger yet). */
  open: boolean;
  preview: { reconciliationId: string; report: Preview; createdAt: string } | null;
  summary: ReviewSummary | null;
  /** Conflicts of the stored preview per kind. */
  kinds: Record<ConflictKind, number>;
  /** The migration's latest dry-run job (building the preview again, or failed). */
  reconcile: JobView | null;
  /** A pull of the store is queued or running: the preview cannot be rebuilt until it ends. */
  syncRunning: boolean;
  working: boolean;
  query: ReviewQuery;
  /** Rows of the tab (and kind) asked for. */
  total: number;
  pageSize: number;
  rows: ReviewRow[];
}

const fullName = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(" ") || null;

async function customersById(shopId: string, ids: Iterable<string>): Promise<Map<string, CustomerView>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await prisma.platformCustomer.findMany({ where: { shopId, platformId: { in: wanted } }, select: { platformId: true, firstName: true, lastName: true, email: true, phone: true } });
  return new Map(rows.map((c) => [c.platformId, { platformId: c.platformId, name: fullName(c.firstName, c.lastName), email: c.email, phone: c.phone }]));
}

/** What the review screen shows: the stored preview's figures, the counts, and one page of rows. */
export async function reviewStepView(shopId: string, migrationId: string, query: ReviewQuery): Promise<ReviewStepView | null> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return null;
  const [preview, reconcile, sync] = await Promise.all([latestPreview(migrationId), latestReconcileJob(shopId, migrationId), latestSyncJob(shopId)]);
  const reconciliationId = preview?.reconciliationId ?? null;
  const [summary, kindCounts] = await Promise.all([
    reviewSummary(shopId, migrationId, reconciliationId),
    Promise.all(CONFLICT_KINDS.map((k) => (reconciliationId ? prisma.recordMatch.count({ where: { reconciliationId, class: "conflict", ...CONFLICT_KIND_WHERE[k] } }) : 0))),
  ]);
  const rowsAt = async (pageNumber: number): Promise<{ total: number; rows: ReviewRow[] }> => {
    if (!reconciliationId) return { total: 0, rows: [] };
    const skip = (pageNumber - 1) * REVIEW_PAGE_SIZE;
    return query.tab === "open" ? openRows(shopId, migrationId, query.kind, skip) : decidedRows(shopId, migrationId, reconciliationId, skip);
  };
  let page = await rowsAt(query.page);
  // Past the end (decisions emptied the last page, or a stale link): the last page there is.
  const last = Math.max(1, Math.ceil(page.total / REVIEW_PAGE_SIZE));
  if (page.rows.length === 0 && query.page > last) {
    query = { ...query, page: last };
    page = await rowsAt(last);
  }
  return {
    state: m.state,
    open: decisionsOpen(m.state),
    preview: preview && { reconciliationId: preview.reconciliationId, report: preview.report, createdAt: preview.createdAt.toISOString() },
    summary,
    kinds: Object.fromEntries(CONFLICT_KINDS.map((k, i) => [k, kindCounts[i]!])) as Record<ConflictKind, number>,
    reconcile: jobView(reconcile),
    syncRunning: jobActive(sync),
    working: jobActive(reconcile) || jobActive(sync),
    query,
    total: page.total,
    pageSize: REVIEW_PAGE_SIZE,
    rows: page.rows,
  };
}

/** Conflicts of the stored preview (reconcile/review.server.ts reviewQueue), with their decisions, if any. */
async function openRows(shopId: string, migrationId: string, kind: ConflictKind | undefined, skip: number) {
  const queue = await reviewQueue({ shopId, migrationId, skip, take: REVIEW_PAGE_SIZE, kind });
  if (!queue) return { total: 0, rows: [] };
  const ids = queue.items.map((i) => i.recordId);
  const decisions = await prisma.reviewDecision.findMany({ where: { shopId, migrationId, recordId: { in: ids } } });
  const decisionOf = new Map(decisions.map((d) => [d.recordId, d]));
  const chosen = await customersById(
    shopId,
    decisions.flatMap((d) => (d.platformCustomerId ? [d.platformCustomerId] : [])),
  );
  const rows: ReviewRow[] = queue.items.map((item) => {
    const d = decisionOf.get(item.recordId);
    // The row is a conflict of the preview: a decision on it is followed only when its customer is gone.
    const match = { class: "conflict", matchedBy: null, platformCustomerId: null, reason: item.reason };
    return {
      recordId: item.recordId,
      rowNumber: item.rowNumber,
      fileName: item.fileName,
      name: item.name,
      email: item.email,
      phone: item.phone,
      cpf: item.cpf,
      points: item.points,
      reason: reasonView(item.reason),
      candidates: item.candidates.map((c) => ({ platformId: c.platformId, key: c.key, name: c.name, email: c.email, phone: c.phone })),
      decision: d ? decisionView(d, chosen, outcomeFollows(d, match)) : null,
    };
  });
  return { total: queue.total, rows };
}

type DecisionRow = { decision: string; platformCustomerId: string | null; note: string | null; decidedAt: Date };

function decisionView(d: DecisionRow, customers: Map<string, CustomerView>, inPreview: boolean): NonNullable<ReviewRow["decision"]> {
  const customer = d.platformCustomerId ? (customers.get(d.platformCustomerId) ?? { platformId: d.platformCustomerId, name: null, email: null, phone: null }) : null;
  return { decision: d.decision as ReviewDecisionKind, customer, note: d.note, decidedAt: d.decidedAt.toISOString(), inPreview };
}

/** Every decision on the migration, newest first, with the record and why it was in review. */
async function decidedRows(shopId: string, migrationId: string, reconciliationId: string, skip: number) {
  const where = { shopId, migrationId };
  const [total, decisions] = await Promise.all([
    prisma.reviewDecision.count({ where }),
    prisma.reviewDecision.findMany({ where, orderBy: [{ decidedAt: "desc" }, { recordId: "asc" }], skip, take: REVIEW_PAGE_SIZE }),
  ]);
  const ids = decisions.map((d) => d.recordId);
  const reconciliations = await prisma.reconciliation.findMany({ where: { migrationId, status: "done" }, orderBy: { createdAt: "desc" }, select: { id: true } });
  const order = new Map(reconciliations.map((r, i) => [r.id, i]));
  const [records, current, earlierConflicts] = await Promise.all([
    prisma.loyaltyRecord.findMany({ where: { id: { in: ids }, migrationId }, include: { importFile: { select: { fileName: true } } } }),
    prisma.recordMatch.findMany({ where: { reconciliationId, recordId: { in: ids } } }),
    // Why each was in review: its conflict in the latest preview that had it as one.
    prisma.recordMatch.findMany({ where: { reconciliationId: { in: reconciliations.map((r) => r.id) }, recordId: { in: ids }, class: "conflict" } }),
  ]);
  const lastConflict = new Map<string, (typeof earlierConflicts)[number]>();
  for (const c of earlierConflicts.sort((a, b) => order.get(a.reconciliationId)! - order.get(b.reconciliationId)!)) {
    if (!lastConflict.has(c.recordId)) lastConflict.set(c.recordId, c);
  }
  const candidatesOf = (json: string | null) => (json ? (JSON.parse(json) as Candidate[]) : []);
  const customers = await customersById(shopId, [
    ...decisions.flatMap((d) => (d.platformCustomerId ? [d.platformCustomerId] : [])),
    ...[...lastConflict.values()].flatMap((c) => candidatesOf(c.candidatesJson).map((x) => x.platformId)),
  ]);
  const recordOf = new Map(records.map((r) => [r.id, r]));
  const currentOf = new Map(current.map((c) => [c.recordId, c]));
  const rows: ReviewRow[] = decisions.map((d) => {
    const r = recordOf.get(d.recordId);
    const conflict = lastConflict.get(d.recordId);
    return {
      recordId: d.recordId,
      rowNumber: r?.rowNumber ?? 0,
      fileName: r?.importFile.fileName ?? "",
      name: r ? fullName(r.firstName, r.lastName) : null,
      email: r?.email ?? null,
      phone: r?.phone ?? null,
      cpf: r?.cpf ?? null,
      points: r?.points ?? 0,
      reason: reasonView(conflict?.reason ?? null),
      candidates: candidatesOf(conflict?.candidatesJson ?? null).map((c) => ({ ...(customers.get(c.platformId) ?? { platformId: c.platformId, name: null, email: null, phone: null }), key: c.key })),
      decision: decisionView(d, customers, outcomeFollows(d, currentOf.get(d.recordId) ?? null)),
    };
  });
  return { total, rows };
}

// --------------------------------------------------------------------------------- the actions

const RecordId = z.string().min(1).max(200);
const Note = z.string().trim().max(500).optional();

/** The review screen's form intents (fields as the route's forms send them; recordIds repeated). */
export const ReviewIntent = z.discriminatedUnion("intent", [
  z
    .object({ intent: z.literal("decide"), recordId: RecordId, decision: z.enum(["match", "pending", "reject"]), platformCustomerId: z.string().min(1).max(200).optional(), note: Note })
    .refine((v) => v.decision !== "match" || v.platformCustomerId !== undefined, { message: "a match needs the customer", path: ["platformCustomerId"] })
    .refine((v) => v.decision !== "reject" || (v.note ?? "") !== "", { message: "a rejection needs a reason", path: ["note"] }),
  z
    .object({ intent: z.literal("bulk"), recordIds: z.array(RecordId).min(1).max(REVIEW_PAGE_SIZE * 4), decision: z.enum(["pending", "reject"]), note: Note })
    .refine((v) => v.decision !== "reject" || (v.note ?? "") !== "", { message: "a rejection needs a reason", path: ["note"] }),
  z.object({ intent: z.literal("withdraw"), recordId: RecordId }),
  z.object({ intent: z.literal("preview") }),
]);
export type ReviewIntent = z.infer<typeof ReviewIntent>;

/** The form data as ReviewIntent reads it. */
export function reviewFormFrom(form: FormData): Record<string, unknown> {
  const value = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  return {
    intent: value("intent"),
    recordId: value("recordId"),
    recordIds: form.getAll("recordIds").filter((v): v is string => typeof v === "string"),
    decision: value("decision"),
    platformCustomerId: value("platformCustomerId"),
    note: value("note"),
  };
}

export type ReviewActionOutcome =
  | { outcome: "recorded"; count: number; refused: number; replaced: boolean }
  | { outcome: "withdrawn" }
  | { outcome: "no-decision" }
  | { outcome: "closed"; state: string }
  | { outcome: "record-not-found" }
  | { outcome: "customer-not-found" }
  | { outcome: "preview-started"; jobId: string }
  | { outcome: "preview-refused"; reason: "not-open" | "sync-running"; state: string }
  | { outcome: "not-found" };

/** Runs one intent of the review screen for this shop's migration. */
export async function submitReview(shopId: string, migrationId: string, intent: ReviewIntent): Promise<ReviewActionOutcome> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return { outcome: "not-found" };
  switch (intent.intent) {
    case "preview": {
      const r = await refreshPreview(shopId, migrationId);
      if (r.outcome === "started") return { outcome: "preview-started", jobId: r.jobId };
      if (r.outcome === "not-found") return r;
      return { outcome: "preview-refused", reason: r.outcome, state: m.state };
    }
    case "withdraw": {
      // Like a decision, a withdrawal changes what apply would do: closed once the ledger is written.
      if (!decisionsOpen(m.state)) return { outcome: "closed", state: m.state };
      return (await withdrawDecision({ shopId, migrationId, recordId: intent.recordId })) ? { outcome: "withdrawn" } : { outcome: "no-decision" };
    }
    case "decide": {
      const r = await decideRecord({ shopId, migrationId, recordId: intent.recordId, decision: intent.decision, platformCustomerId: intent.platformCustomerId ?? null, note: intent.note ?? null });
      return decidedOutcome([r]);
    }
    case "bulk": {
      const results = [];
      for (const recordId of new Set(intent.recordIds)) {
        const r = await decideRecord({ shopId, migrationId, recordId, decision: intent.decision, note: intent.note ?? null });
        if (r.outcome === "migration-closed" || r.outcome === "migration-not-found") return decidedOutcome([r]);
        results.push(r);
      }
      return decidedOutcome(results);
    }
  }
}

function decidedOutcome(results: Awaited<ReturnType<typeof decideRecord>>[]): ReviewActionOutcome {
  const recorded = results.filter((r) => r.outcome === "recorded");
  const first = results[0];
  if (recorded.length === 0 && first) {
    if (first.outcome === "migration-closed") return { outcome: "closed", state: first.state };
    if (first.outcome === "migration-not-found") return { outcome: "not-found" };
    if (first.outcome === "customer-not-found") return { outcome: "customer-not-found" };
    return { outcome: "record-not-found" };
  }
  return { outcome: "recorded", count: recorded.length, refused: results.length - recorded.length, replaced: recorded.some((r) => r.outcome === "recorded" && r.replaced) };
}

export type { ConflictKind };
