import { Prisma } from "@prisma/client";
import prisma from "../../db.server";
import { isMigrationState, type MigrationState } from "~domain/migration-state";
import { ALREADY_MIGRATED_PREFIX, parseAlreadyMigratedReason } from "~domain/reconcile/already-migrated";
import { REASONS } from "~domain/reconcile/match";
import type { Candidate } from "~domain/reconcile/types";

/**
 * The review queue: records the latest preview could not decide (conflicts, e-mail variants),
 * shown with enough of the record and of each candidate customer to decide, and the merchant's
 * decisions, which every later reconciliation respects (domain/reconcile/match.ts).
 */
export type ReviewDecisionKind = "match" | "pending" | "reject";

/** Decisions can change until the ledger is written; after that, corrections go through the ledger. */
const OPEN_STATES: readonly MigrationState[] = ["draft", "uploaded", "validated", "rules_set", "syncing", "previewed"];

/** Whether decisions may still be taken or withdrawn on a migration in this state. */
export function decisionsOpen(state: string): boolean {
  return isMigrationState(state) && OPEN_STATES.includes(state);
}

/**
 * The kinds of conflict the matching rules produce (domain/reconcile/match.ts: its REASONS and the two
 * counted reasons; domain/reconcile/already-migrated.ts: points another migration already credited),
 * so that a long queue can be worked through one kind at a time.
 */
export const CONFLICT_KINDS = ["shared_key", "several_records", "email_variant", "nothing_to_match_on", "decision_unusable", "already_migrated"] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

const SHARED_KEY = " customers of the new store share this ";
const SEVERAL_RECORDS = " records match this customer";

export const CONFLICT_KIND_WHERE: Record<ConflictKind, Prisma.RecordMatchWhereInput> = {
  shared_key: { reason: { contains: SHARED_KEY } },
  several_records: { reason: { contains: SEVERAL_RECORDS } },
  email_variant: { reason: REASONS.suggested },
  nothing_to_match_on: { reason: REASONS.nothingToMatchOn },
  decision_unusable: { reason: { in: [REASONS.reviewChoseNobody, REASONS.chosenCustomerGone] } },
  already_migrated: { reason: { startsWith: ALREADY_MIGRATED_PREFIX } },
};

/** The kind of a conflict's reason (null for a reason these rules do not write). */
export function conflictKindOf(reason: string | null): ConflictKind | null {
  if (reason === null) return null;
  // First: the other migration's name is the merchant's text and could contain the words below.
  if (parseAlreadyMigratedReason(reason) !== null) return "already_migrated";
  if (reason.includes(SHARED_KEY)) return "shared_key";
  if (reason.includes(SEVERAL_RECORDS)) return "several_records";
  if (reason === REASONS.suggested) return "email_variant";
  if (reason === REASONS.nothingToMatchOn) return "nothing_to_match_on";
  if (reason === REASONS.reviewChoseNobody || reason === REASONS.chosenCustomerGone) return "decision_unusable";
  return null;
}

export type DecideOutcome =
  | { outcome: "recorded"; decisionId: string; replaced: boolean }
  | { outcome: "migration-not-found" }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "record-not-found"; message: string }
  | { outcome: "customer-not-found"; message: string };

export interface DecideInput {
  shopId: string;
  migrationId: string;
  recordId: string;
  decision: ReviewDecisionKind;
  /** decision "match": the customer's platform id. */
  platformCustomerId?: string | null;
  note?: string | null;
}

export async function decideRecord(input: DecideInput): Promise<DecideOutcome> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId } });
  if (!migration) return { outcome: "migration-not-found" };
  if (!decisionsOpen(migration.state)) return { outcome: "migration-closed", state: migration.state };
  const record = await prisma.loyaltyRecord.findFirst({ where: { id: input.recordId, migrationId: migration.id }, select: { status: true } });
  if (!record) return { outcome: "record-not-found", message: `record ${input.recordId} is not part of this migration` };
  if (record.status !== "valid") return { outcome: "record-not-found", message: `record ${input.recordId} was ${record.status} at import: there is nothing to decide` };
  let platformCustomerId: string | null = null;
  if (input.decision === "match") {
    if (!input.platformCustomerId) return { outcome: "customer-not-found", message: "a match needs the customer it goes to" };
    const customer = await prisma.platformCustomer.findUnique({ where: { shopId_platformId: { shopId: input.shopId, platformId: input.platformCustomerId } }, select: { platformId: true } });
    if (!customer) return { outcome: "customer-not-found", message: `the store has no customer ${input.platformCustomerId} (sync again if it is new)` };
    platformCustomerId = customer.platformId;
  }
  const data = { decision: input.decision, platformCustomerId, note: input.note ?? null, decidedAt: new Date() };
  const existing = await prisma.reviewDecision.findUnique({ where: { migrationId_recordId: { migrationId: migration.id, recordId: input.recordId } }, select: { id: true } });
  const saved = await prisma.reviewDecision.upsert({
    where: { migrationId_recordId: { migrationId: migration.id, recordId: input.recordId } },
    create: { shopId: input.shopId, migrationId: migration.id, recordId: input.recordId, ...data },
    update: data,
  });
  return { outcome: "recorded", decisionId: saved.id, replaced: existing !== null };
}

/** Withdraws a decision: the record goes back to the automatic rules at the next reconciliation. */
export async function withdrawDecision(input: { shopId: string; migrationId: string; recordId: string }): Promise<boolean> {
  const { count } = await prisma.reviewDecision.deleteMany({ where: { shopId: input.shopId, migrationId: input.migrationId, recordId: input.recordId } });
  return count > 0;
}

export interface ReviewItem {
  recordId: string;
  rowNumber: number;
  fileName: string;
  email: string | null;
  phone: string | null;
  cpf: string | null;
  name: string | null;
  points: number;
  reason: string | null;
  candidates: Array<Candidate & { email: string | null; phone: string | null; name: string | null }>;
  decision: { decision: ReviewDecisionKind; platformCustomerId: string | null; note: string | null } | null;
}

/** The conflicts of the latest preview (of one kind, when asked), with the merchant's decisions so far. */
export async function reviewQueue(input: { shopId: string; migrationId: string; skip?: number; take?: number; kind?: ConflictKind }): Promise<{ total: number; items: ReviewItem[]; reconciliationId: string } | null> {
  const latest = await prisma.reconciliation.findFirst({ where: { migrationId: input.migrationId, shopId: input.shopId, status: "done" }, orderBy: { createdAt: "desc" } });
  if (!latest) return null;
  const where: Prisma.RecordMatchWhereInput = { reconciliationId: latest.id, class: "conflict", ...(input.kind ? CONFLICT_KIND_WHERE[input.kind] : {}) };
  const [total, matches] = await Promise.all([
    prisma.recordMatch.count({ where }),
    prisma.recordMatch.findMany({ where, orderBy: { recordId: "asc" }, skip: input.skip ?? 0, take: input.take ?? 50 }),
  ]);
  const recordIds = matches.map((m) => m.recordId);
  const [records, decisions] = await Promise.all([
    prisma.loyaltyRecord.findMany({ where: { id: { in: recordIds } }, include: { importFile: { select: { fileName: true } } } }),
    prisma.reviewDecision.findMany({ where: { migrationId: input.migrationId, recordId: { in: recordIds } } }),
  ]);
  const candidates = matches.flatMap((m) => (m.candidatesJson ? (JSON.parse(m.candidatesJson) as Candidate[]) : []));
  const customers = await prisma.platformCustomer.findMany({ where: { shopId: input.shopId, platformId: { in: [...new Set(candidates.map((c) => c.platformId))] } } });
  const customerById = new Map(customers.map((c) => [c.platformId, c]));
  const recordById = new Map(records.map((r) => [r.id, r]));
  const decisionById = new Map(decisions.map((d) => [d.recordId, d]));
  const fullName = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(" ") || null;
  return {
    total,
    reconciliationId: latest.id,
    items: matches.map((m) => {
      const r = recordById.get(m.recordId);
      const d = decisionById.get(m.recordId);
      return {
        recordId: m.recordId,
        rowNumber: r?.rowNumber ?? 0,
        fileName: r?.importFile.fileName ?? "",
        email: r?.email ?? null,
        phone: r?.phone ?? null,
        cpf: r?.cpf ?? null,
        name: r ? fullName(r.firstName, r.lastName) : null,
        points: m.points,
        reason: m.reason,
        candidates: (m.candidatesJson ? (JSON.parse(m.candidatesJson) as Candidate[]) : []).map((c) => {
          const customer = customerById.get(c.platformId);
          return { ...c, email: customer?.email ?? null, phone: customer?.phone ?? null, name: customer ? fullName(customer.firstName, customer.lastName) : null };
        }),
        decision: d ? { decision: d.decision as ReviewDecisionKind, platformCustomerId: d.platformCustomerId, note: d.note } : null,
      };
    }),
  };
}

const REVIEW_REASONS = [REASONS.keptPendingInReview, REASONS.rejectedInReview, REASONS.chosenCustomerGone, REASONS.reviewChoseNobody];

/**
 * Decisions a stored preview does not show: taken or changed after it was built, or withdrawn
 * since (the preview still shows the merchant's word on a record that no longer has one). Apply
 * refuses a preview with any: it would write what the merchant no longer decided.
 */
export async function decisionsNotInPreview(migrationId: string, reconciliationId: string): Promise<number> {
  const [notShown] = await prisma.$queryRaw<Array<{ n: bigint | number }>>(Prisma.sql`
    SELECT COUNT(*) AS n FROM "ReviewDecision" d
    LEFT JOIN "RecordMatch" rm ON rm."reconciliationId" = ${reconciliationId} AND rm."recordId" = d."recordId"
    WHERE d."migrationId" = ${migrationId} AND (CASE WHEN rm."id" IS NOT NULL AND (
        (d."decision" = 'match' AND rm."class" = 'matched' AND rm."matchedBy" = 'review' AND rm."platformCustomerId" = d."platformCustomerId")
        OR (d."decision" = 'match' AND rm."class" = 'conflict' AND rm."reason" = ${REASONS.chosenCustomerGone})
        OR (d."decision" = 'pending' AND rm."class" = 'pending' AND rm."reason" = ${REASONS.keptPendingInReview})
        OR (d."decision" = 'reject' AND rm."class" = 'rejected' AND rm."reason" = ${REASONS.rejectedInReview})
      ) THEN 1 ELSE 0 END) = 0`);
  const [withdrawn] = await prisma.$queryRaw<Array<{ n: bigint | number }>>(Prisma.sql`
    SELECT COUNT(*) AS n FROM "RecordMatch" rm
    WHERE rm."reconciliationId" = ${reconciliationId}
      AND ((rm."class" = 'matched' AND rm."matchedBy" = 'review') OR (rm."class" IN ('pending', 'rejected', 'conflict') AND rm."reason" IN (${Prisma.join(REVIEW_REASONS)})))
      AND NOT EXISTS (SELECT 1 FROM "ReviewDecision" d WHERE d."migrationId" = ${migrationId} AND d."recordId" = rm."recordId")`);
  return Number(notShown?.n ?? 0) + Number(withdrawn?.n ?? 0);
}
