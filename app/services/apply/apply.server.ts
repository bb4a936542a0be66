import type { Migration, Reconciliation, Shop } from "@prisma/client";
import { checkPilot, pendingMemberId, selectPilot, type PilotSpec } from "~domain/apply/pilot";
import { idempotencyKey } from "~domain/ledger";
import { transition, type MigrationState } from "~domain/migration-state";
import { withoutEarnedOrders } from "~domain/reconcile/already-migrated";
import { classifyOrders } from "~domain/reconcile/cutover";
import type { Preview } from "~domain/reconcile/report";
import type { OrderInput } from "~domain/reconcile/types";
import prisma from "../../db.server";
import { enqueue } from "../../jobs/queue.server";
import type { PlatformClient } from "../../platforms/platform-client";
import { postEntries, requestLedgerCheck, withLedger, type NewEntry, type Tx } from "../ledger/ledger.server";
import { pushBalances } from "../ledger/push-balances.server";
import { earnedOrderIds } from "../reconcile/reconcile.server";
import { rulesFor } from "../reconcile/rules.server";
import { decisionsNotInPreview } from "../reconcile/review.server";

/**
 * Apply (issue 5, items 2 and 7): credit a reviewed preview to the ledger and push the balances to
 * the store — a pilot sample of the matched records first if the merchant wants one, then the rest.
 *
 * Exactly once, from any crash: every entry's idempotency key is derived from its source
 * (`import:<migration>:<record>`, `retro:<migration>:<order>`), a pending record's member has an id
 * derived from (migration, record), and a matched record's member is the one of (shop, customer)
 * (unique). Work goes in batches, each in one short ledger transaction, then the batch's visible
 * members are pushed (their whole balance: idempotent), then the checkpoint (phase + last id done)
 * is saved. A crash anywhere replays at most one batch, whose writes turn into duplicates.
 */

export const APPLY_BATCH = 500;
/** Push failures kept in the job's result (all are counted). */
const PUSH_FAILURES_KEPT = 1_000;
const PAGE = 20_000;

export type ApplyRefusal = {
  outcome: "not-found" | "stale-preview" | "not-previewed" | "already-applied" | "already-piloted" | "invalid-pilot" | "rules-invalid" | "already-running";
  message: string;
  jobId?: string;
};

export interface PushFailure {
  customerId: string;
  message: string;
}

export interface ApplyStats {
  records: { matched: number; pending: number; zeroPoints: number };
  imports: { posted: number; duplicate: number; points: number };
  retroactive: { orders: number; posted: number; duplicate: number; points: number };
  members: { createdVisible: number; createdPending: number; reused: number };
  push: { written: number; failed: number };
}

export interface ApplyResult {
  outcome: "piloted" | "applied";
  migrationId: string;
  reconciliationId: string;
  pilot: PilotSpec | null;
  /** Records and orders this run went through (a resumed run counts the batches it replayed). */
  stats: ApplyStats;
  /** Conflicts stay unapplied until reviewed and re-reconciled; reported, never blocking. */
  conflicts: { records: number; points: number };
  pushFailures: PushFailure[];
  notes: string[];
}

interface ApplyCheckpoint {
  v: 1;
  reconciliationId: string;
  pilot: string;
  phase: "records" | "retro" | "done";
  /** The last record id (records) or order platform id (retro) done. */
  after: string | null;
  done: number;
  stats: ApplyStats;
  pushFailures: PushFailure[];
  result?: ApplyResult;
}

export interface ApplyInput {
  shopId: string;
  migrationId: string;
  reconciliationId: string;
  pilot: PilotSpec | null;
  client: PlatformClient;
  progress: (update: { done: number; total?: number | null; checkpoint?: unknown }) => Promise<void>;
  checkpoint: unknown;
}

const pilotLabel = (pilot: PilotSpec | null) => (pilot === null ? "rest" : "count" in pilot ? `count:${pilot.count}` : `percent:${pilot.percent}`);

interface Checked {
  shop: Shop;
  migration: Migration;
  reconciliation: Reconciliation;
  preview: Preview;
}

/**
 * The preconditions of an apply, checked when it is asked for and again when its job starts:
 * the preview is the migration's latest done one and nothing it read has changed since (no balances
 * file staged, no review decision taken after it); the migration is previewed (pilot or all) or
 * piloted (the rest); a migration left `applying` by a stopped apply may be applied again.
 */
async function checkPreconditions(input: { shopId: string; migrationId: string; reconciliationId: string; pilot: PilotSpec | null }, resuming: boolean): Promise<Checked | ApplyRefusal> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId }, include: { shop: true } });
  if (!migration) return { outcome: "not-found", message: `no migration ${input.migrationId} in this shop` };
  const pilotProblem = checkPilot(input.pilot);
  if (pilotProblem) return { outcome: "invalid-pilot", message: pilotProblem };
  const state = migration.state as MigrationState;
  if (state === "applied") return { outcome: "already-applied", message: "the migration is already applied: every matched and pending record is credited" };
  if (state === "piloted" && input.pilot !== null) {
    return { outcome: "already-piloted", message: "the migration is already piloted: check the pilot, then apply the rest (without a pilot)" };
  }
  if (state !== "previewed" && state !== "piloted" && state !== "applying") {
    return { outcome: "not-previewed", message: `the migration is ${state}: apply needs a reviewed preview (run reconcile; the migration must be previewed)` };
  }
  const reconciliation = await prisma.reconciliation.findFirst({ where: { id: input.reconciliationId, migrationId: migration.id } });
  if (!reconciliation || reconciliation.status !== "done") return { outcome: "not-found", message: `no finished preview ${input.reconciliationId} of this migration` };
  if (!resuming) {
    const latest = await prisma.reconciliation.findFirst({ where: { migrationId: migration.id, status: "done" }, orderBy: { createdAt: "desc" }, select: { id: true } });
    if (latest?.id !== reconciliation.id) {
      return { outcome: "stale-preview", message: `preview ${reconciliation.id} is not the migration's latest (${latest?.id}): apply the latest preview, after checking it` };
    }
    const newerFile = await prisma.importFile.findFirst({
      where: { migrationId: migration.id, kind: "balances", status: "staged", updatedAt: { gt: reconciliation.createdAt } },
      select: { fileName: true },
    });
    if (newerFile) return { outcome: "stale-preview", message: `${newerFile.fileName} was imported after preview ${reconciliation.id}: reconcile again before applying` };
    // Another migration of the shop credited or rolled back points since the preview: the preview's
    // "already credited by another migration" conflicts and retroactive orders may be wrong either way.
    const otherMigration = await prisma.ledgerEntry.findFirst({
      where: {
        shopId: migration.shopId,
        migrationId: { not: migration.id },
        createdAt: { gt: reconciliation.createdAt },
        OR: [{ kind: { in: ["import", "rollback"] } }, { kind: "earn", idempotencyKey: { startsWith: "retro:" } }],
      },
      select: { migration: { select: { name: true } } },
    });
    if (otherMigration) {
      return { outcome: "stale-preview", message: `migration "${otherMigration.migration?.name ?? ""}" credited or rolled back points after preview ${reconciliation.id}: reconcile again before applying` };
    }
    const changedDecisions = await decisionsNotInPreview(migration.id, reconciliation.id);
    if (changedDecisions > 0) {
      return { outcome: "stale-preview", message: `${changedDecisions} review decision(s) were taken, changed or withdrawn after preview ${reconciliation.id}: reconcile again before applying` };
    }
  }
  return { shop: migration.shop, migration, reconciliation, preview: JSON.parse(reconciliation.reportJson) as Preview };
}

export type RequestApplyOutcome = { outcome: "enqueued"; jobId: string; reconciliationId: string } | ApplyRefusal;

/**
 * Asks for an apply (wizard step "Apply", `npx carryover apply`): checks the preconditions and
 * enqueues the `migration.apply` job. One apply per migration at a time: while one is queued or
 * running, the request is answered with it. Without a preview id, the latest done preview is applied.
 */
export async function requestApply(input: { shopId: string; migrationId: string; reconciliationId?: string; pilot: PilotSpec | null }): Promise<RequestApplyOutcome> {
  const prefix = `apply:${input.migrationId}:`;
  const active = await prisma.job.findFirst({ where: { kind: "migration.apply", shopId: input.shopId, dedupeKey: { startsWith: prefix }, state: { in: ["queued", "running"] } }, select: { id: true } });
  if (active) return { outcome: "already-running", jobId: active.id, message: `an apply of this migration is already queued or running (job ${active.id})` };
  const reconciliationId =
    input.reconciliationId ??
    (await prisma.reconciliation.findFirst({ where: { migrationId: input.migrationId, status: "done" }, orderBy: { createdAt: "desc" }, select: { id: true } }))?.id;
  if (!reconciliationId) return { outcome: "not-previewed", message: "the migration has no preview yet: run reconcile first" };
  const checked = await checkPreconditions({ ...input, reconciliationId }, false);
  if ("outcome" in checked) return checked;
  // The n-th apply of the migration: two racing requests derive the same key, and only one job is made.
  const n = await prisma.job.count({ where: { kind: "migration.apply", dedupeKey: { startsWith: prefix } } });
  const queued = await enqueue({
    kind: "migration.apply",
    shopId: input.shopId,
    payload: { shopId: input.shopId, migrationId: input.migrationId, reconciliationId, pilot: input.pilot },
    dedupeKey: `${prefix}${n + 1}`,
  });
  if (queued.outcome === "already-enqueued") return { outcome: "already-running", jobId: queued.jobId, message: `an apply of this migration was just requested (job ${queued.jobId})` };
  return { outcome: "enqueued", jobId: queued.jobId, reconciliationId };
}

export interface RetroOrder {
  platformId: string;
  customerId: string;
  points: number;
  name: string | null;
  totalAmount: string;
  placedAt: Date;
}

/**
 * The store's orders classified by the migration's rules now; the retroactive ones with points, by platform id (also the Apply screen's confirmation figures).
 * Orders that already earned in the shop (a live earn, another migration's retroactive points; not reversed) are left out, as the preview leaves them out.
 */
export async function retroactiveOrders(shop: Shop, migration: Migration): Promise<{ orders: RetroOrder[]; count: number; points: number } | ApplyRefusal> {
  const rules = rulesFor(shop, migration);
  if (rules.outcome === "invalid") return { outcome: "rules-invalid", message: rules.errors.join("; ") };
  const out: RetroOrder[] = [];
  let count = 0;
  let points = 0;
  let after: string | undefined;
  const earned = await earnedOrderIds(shop.id, migration.id);
  for (;;) {
    const page = await prisma.platformOrder.findMany({
      where: { shopId: shop.id },
      select: { id: true, platformId: true, platformCustomerId: true, name: true, financialStatus: true, status: true, cancelledAt: true, totalAmount: true, placedAt: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
    const inputs: OrderInput[] = page.map((o) => ({
      platformId: o.platformId,
      customerId: o.platformCustomerId,
      financialStatus: o.financialStatus,
      status: o.status,
      cancelledAt: o.cancelledAt?.toISOString() ?? null,
      totalAmount: o.totalAmount.toFixed(2),
      placedAt: o.placedAt.toISOString(),
    }));
    const classified = withoutEarnedOrders(classifyOrders(inputs, rules.rules, rules.match.platform), earned);
    for (let i = 0; i < classified.length; i++) {
      const c = classified[i]!;
      if (c.outcome !== "retroactive") continue;
      count++;
      points += c.points;
      if (c.points > 0 && c.customerId !== null) {
        const o = page[i]!;
        out.push({ platformId: o.platformId, customerId: c.customerId, points: c.points, name: o.name, totalAmount: inputs[i]!.totalAmount, placedAt: o.placedAt });
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  out.sort((a, b) => (a.platformId < b.platformId ? -1 : a.platformId > b.platformId ? 1 : 0));
  return { orders: out, count, points };
}

function emptyStats(): ApplyStats {
  return {
    records: { matched: 0, pending: 0, zeroPoints: 0 },
    imports: { posted: 0, duplicate: 0, points: 0 },
    retroactive: { orders: 0, posted: 0, duplicate: 0, points: 0 },
    members: { createdVisible: 0, createdPending: 0, reused: 0 },
    push: { written: 0, failed: 0 },
  };
}

function readCheckpoint(raw: unknown, reconciliationId: string, pilot: PilotSpec | null): ApplyCheckpoint | null {
  if (typeof raw !== "object" || raw === null) return null;
  const c = raw as Partial<ApplyCheckpoint>;
  // A checkpoint of another preview or another pilot names positions in another list: start over (safe, every write is keyed).
  if (c.v !== 1 || c.reconciliationId !== reconciliationId || c.pilot !== pilotLabel(pilot)) return null;
  return c as ApplyCheckpoint;
}

/**
 * Runs one apply (the `migration.apply` job). Returns the result, or a refusal when the
 * preconditions do not hold (nothing is written then).
 */
export async function applyMigration(input: ApplyInput): Promise<ApplyResult | ApplyRefusal> {
  const saved = readCheckpoint(input.checkpoint, input.reconciliationId, input.pilot);
  if (saved?.phase === "done" && saved.result) {
    await finishState(input.migrationId, input.pilot);
    return saved.result;
  }
  const current = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId }, select: { state: true } });
  const resuming = current?.state === "applying";
  const checked = await checkPreconditions(input, resuming);
  if ("outcome" in checked) return checked;
  const { shop, migration, reconciliation, preview } = checked;
  const notes: string[] = [];

  const retro = await retroactiveOrders(shop, migration);
  if ("outcome" in retro) return retro;
  if (!resuming && (retro.count !== preview.retroactive.orders || retro.points !== preview.retroactive.points)) {
    return {
      outcome: "stale-preview",
      message: `the store's orders or the rules changed since preview ${reconciliation.id}: it gave ${preview.retroactive.points} retroactive points on ${preview.retroactive.orders} orders, the snapshot now gives ${retro.points} on ${retro.count}; reconcile again before applying`,
    };
  }

  // Record ids to credit: the pilot sample of the matched records, or every matched and pending record.
  let pilotIds: string[] | null = null;
  let recordsTotal: number;
  if (input.pilot !== null) {
    pilotIds = selectPilot(await matchedRecordIds(reconciliation.id), input.pilot);
    recordsTotal = pilotIds.length;
  } else {
    recordsTotal = await prisma.recordMatch.count({ where: { reconciliationId: reconciliation.id, class: { in: ["matched", "pending"] } } });
  }
  let retroOrders = retro.orders;
  if (pilotIds !== null) {
    const customers = new Set<string>();
    for (let i = 0; i < pilotIds.length; i += PAGE) {
      const rows = await prisma.recordMatch.findMany({ where: { reconciliationId: reconciliation.id, recordId: { in: pilotIds.slice(i, i + PAGE) } }, select: { platformCustomerId: true } });
      for (const r of rows) if (r.platformCustomerId) customers.add(r.platformCustomerId);
    }
    retroOrders = retroOrders.filter((o) => customers.has(o.customerId));
  }
  const total = recordsTotal + retroOrders.length;

  if (!resuming) {
    // previewed | piloted → applying, only if no one else moved it meanwhile.
    const moved = await prisma.migration.updateMany({ where: { id: migration.id, state: migration.state }, data: { state: transition(migration.state as MigrationState, "applying") } });
    if (moved.count === 0) return { outcome: "already-running", message: "the migration changed state while the apply started: another apply is running" };
  }

  const cp: ApplyCheckpoint = saved ?? { v: 1, reconciliationId: reconciliation.id, pilot: pilotLabel(input.pilot), phase: "records", after: null, done: 0, stats: emptyStats(), pushFailures: [] };
  await input.progress({ done: cp.done, total, checkpoint: cp });
  const files = new Map((await prisma.importFile.findMany({ where: { migrationId: migration.id }, select: { id: true, fileName: true } })).map((f) => [f.id, f.fileName]));
  const ctx: BatchContext = { shopId: shop.id, migrationId: migration.id, files, stats: cp.stats };

  const push = async (memberIds: string[]) => {
    if (memberIds.length === 0) return;
    let failed: PushFailure[];
    try {
      const result = await pushBalances(input.client, memberIds);
      cp.stats.push.written += result.written;
      failed = result.failed;
    } catch (error) {
      // The ledger is written and stays written; the balances of this batch did not reach the store.
      const message = error instanceof Error ? error.message : String(error);
      const members = await prisma.member.findMany({ where: { id: { in: memberIds }, platformCustomerId: { not: null } }, select: { platformCustomerId: true } });
      failed = members.map((m) => ({ customerId: m.platformCustomerId!, message }));
    }
    cp.stats.push.failed += failed.length;
    for (const f of failed) if (cp.pushFailures.length < PUSH_FAILURES_KEPT) cp.pushFailures.push(f);
  };

  if (cp.phase === "records") {
    for (;;) {
      let batch: MatchRow[];
      if (pilotIds !== null) {
        const start = cp.after === null ? 0 : upperBound(pilotIds, cp.after);
        const ids = pilotIds.slice(start, start + APPLY_BATCH);
        batch = ids.length === 0 ? [] : await prisma.recordMatch.findMany({ where: { reconciliationId: reconciliation.id, recordId: { in: ids } }, select: MATCH_SELECT, orderBy: { recordId: "asc" } });
      } else {
        batch = await prisma.recordMatch.findMany({
          where: { reconciliationId: reconciliation.id, class: { in: ["matched", "pending"] }, ...(cp.after !== null ? { recordId: { gt: cp.after } } : {}) },
          select: MATCH_SELECT,
          orderBy: { recordId: "asc" },
          take: APPLY_BATCH,
        });
      }
      if (batch.length === 0) break;
      const visible = await applyRecordBatch(ctx, batch);
      await push(visible);
      cp.after = batch.at(-1)!.recordId;
      cp.done += batch.length;
      await input.progress({ done: cp.done, total, checkpoint: cp });
    }
    cp.phase = "retro";
    cp.after = null;
    await input.progress({ done: cp.done, total, checkpoint: cp });
  }

  if (cp.phase === "retro") {
    let start = cp.after === null ? 0 : upperBound(retroOrders.map((o) => o.platformId), cp.after);
    while (start < retroOrders.length) {
      const batch = retroOrders.slice(start, start + APPLY_BATCH);
      const visible = await applyRetroBatch(ctx, batch);
      await push(visible);
      start += batch.length;
      cp.after = batch.at(-1)!.platformId;
      cp.done += batch.length;
      await input.progress({ done: cp.done, total, checkpoint: cp });
    }
  }

  const conflicts = await prisma.recordMatch.aggregate({ where: { reconciliationId: reconciliation.id, class: "conflict" }, _count: true, _sum: { points: true } });
  if (conflicts._count > 0) notes.push(`${conflicts._count} records in conflict (${conflicts._sum.points ?? 0} points) were not applied: they wait for review and a new preview`);
  if (cp.stats.push.failed > 0) notes.push(`${cp.stats.push.failed} balances could not be pushed to the store; the ledger holds them`);
  const result: ApplyResult = {
    outcome: input.pilot === null ? "applied" : "piloted",
    migrationId: migration.id,
    reconciliationId: reconciliation.id,
    pilot: input.pilot,
    stats: cp.stats,
    conflicts: { records: conflicts._count, points: conflicts._sum.points ?? 0 },
    pushFailures: cp.pushFailures,
    notes,
  };
  cp.phase = "done";
  cp.result = result;
  await input.progress({ done: total, total, checkpoint: cp });
  await finishState(migration.id, input.pilot);
  if (input.pilot === null) await sweepLateRegistrations(shop, migration.id, reconciliation.createdAt);
  await requestLedgerCheck(shop.id, `apply:${migration.id}:${cp.pilot}`);
  return result;
}

/**
 * A shopper who registered between the preview and this apply had no pending member yet when their
 * registration webhook ran, and no webhook will come again. Every customer the snapshot learnt of
 * since the preview (sync, webhooks) goes through the restore path once more.
 */
async function sweepLateRegistrations(shop: Shop, migrationId: string, since: Date) {
  const late = await prisma.platformCustomer.findMany({ where: { shopId: shop.id, syncedAt: { gte: since } }, select: { platformId: true } });
  for (const customer of late) {
    await enqueue({
      kind: "customer.changed",
      shopId: shop.id,
      payload: { shopDomain: shop.domain, platform: shop.platform as "shopify" | "nuvemshop", customerId: customer.platformId, topic: "apply/late-registration" },
      dedupeKey: `sweep:${migrationId}:${customer.platformId}`,
    });
  }
}

/** applying → piloted | applied (once; a replay finds it done). */
async function finishState(migrationId: string, pilot: PilotSpec | null) {
  const target = transition("applying", pilot === null ? "applied" : "piloted");
  await prisma.migration.updateMany({ where: { id: migrationId, state: "applying" }, data: { state: target } });
}

async function matchedRecordIds(reconciliationId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await prisma.recordMatch.findMany({
      where: { reconciliationId, class: "matched", ...(after !== undefined ? { recordId: { gt: after } } : {}) },
      select: { recordId: true },
      orderBy: { recordId: "asc" },
      take: PAGE,
    });
    for (const r of page) ids.push(r.recordId);
    if (page.length < PAGE) return ids;
    after = page.at(-1)!.recordId;
  }
}

/** Index of the first element > value in an ascending array. */
function upperBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const MATCH_SELECT = { recordId: true, class: true, platformCustomerId: true, points: true } as const;
type MatchRow = { recordId: string; class: string; platformCustomerId: string | null; points: number };

interface BatchContext {
  shopId: string;
  migrationId: string;
  files: Map<string, string>;
  stats: ApplyStats;
}

type Identity = {
  email: string | null;
  emailNormalized: string | null;
  phoneE164: string | null;
  cpf: string | null;
  firstName: string | null;
  lastName: string | null;
  tier: string | null;
  referralCode: string | null;
  marketingConsent: string | null;
};
const IDENTITY_FIELDS = ["email", "emailNormalized", "phoneE164", "cpf", "firstName", "lastName", "tier", "referralCode", "marketingConsent"] as const;

/** Members of these customers in the shop, creating (visible) the ones missing; one lookup, one insert. */
async function visibleMembers(tx: Tx, ctx: BatchContext, wanted: Map<string, Identity>): Promise<{ members: Map<string, { id: string } & Identity>; created: number }> {
  const customers = [...wanted.keys()];
  const existing = await tx.member.findMany({ where: { shopId: ctx.shopId, platformCustomerId: { in: customers } }, select: { id: true, platformCustomerId: true, ...identitySelect } });
  const byCustomer = new Map(existing.map((m) => [m.platformCustomerId!, m]));
  const missing = customers.filter((c) => !byCustomer.has(c));
  if (missing.length > 0) {
    const created = await tx.member.createManyAndReturn({
      data: missing.map((c) => ({ shopId: ctx.shopId, migrationId: ctx.migrationId, platformCustomerId: c, state: "visible", ...wanted.get(c)! })),
      select: { id: true, platformCustomerId: true, ...identitySelect },
    });
    for (const m of created) byCustomer.set(m.platformCustomerId!, m);
    return { members: byCustomer, created: created.length };
  }
  return { members: byCustomer, created: 0 };
}
const identitySelect = Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, true])) as Record<(typeof IDENTITY_FIELDS)[number], true>;

async function applyRecordBatch(ctx: BatchContext, batch: MatchRow[]): Promise<string[]> {
  const records = await prisma.loyaltyRecord.findMany({
    where: { id: { in: batch.map((m) => m.recordId) }, migrationId: ctx.migrationId },
    select: { id: true, importFileId: true, rowNumber: true, points: true, ...identitySelect },
  });
  const byId = new Map(records.map((r) => [r.id, r]));
  const identity = (r: (typeof records)[number]): Identity => Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, r[f]])) as Identity;

  return withLedger(async (tx) => {
    const stats = { matched: 0, pending: 0, zero: 0, posted: 0, duplicate: 0, points: 0, createdVisible: 0, createdPending: 0, reused: 0 };
    const visible = new Set<string>();
    // Matched: the member of (shop, customer), reused when it exists (another migration, a webhook).
    const wanted = new Map<string, Identity>();
    for (const m of batch) {
      if (m.class !== "matched" || !m.platformCustomerId) continue;
      const r = byId.get(m.recordId);
      if (r && !wanted.has(m.platformCustomerId)) wanted.set(m.platformCustomerId, identity(r));
    }
    const found = wanted.size > 0 ? await visibleMembers(tx, ctx, wanted) : { members: new Map<string, { id: string } & Identity>(), created: 0 };
    const members = found.members;
    stats.createdVisible = found.created;
    stats.reused = members.size - found.created;
    // An existing member keeps what it has; only what it lacks is filled from the record (consent is never upgraded).
    for (const [customer, member] of members) {
      const fill: Partial<Identity> = {};
      const source = wanted.get(customer)!;
      for (const f of IDENTITY_FIELDS) if (member[f] === null && source[f] !== null) fill[f] = source[f];
      if (Object.keys(fill).length > 0) await tx.member.update({ where: { id: member.id }, data: fill });
    }
    // Pending: a member with an id derived from (migration, record), invisible to the store.
    const pendingIds = batch.filter((m) => m.class === "pending").map((m) => pendingMemberId(ctx.migrationId, m.recordId));
    if (pendingIds.length > 0) {
      const have = new Set((await tx.member.findMany({ where: { id: { in: pendingIds } }, select: { id: true } })).map((m) => m.id));
      const create = batch
        .filter((m) => m.class === "pending" && !have.has(pendingMemberId(ctx.migrationId, m.recordId)) && byId.has(m.recordId))
        .map((m) => ({ id: pendingMemberId(ctx.migrationId, m.recordId), shopId: ctx.shopId, migrationId: ctx.migrationId, platformCustomerId: null, state: "pending", ...identity(byId.get(m.recordId)!) }));
      if (create.length > 0) await tx.member.createMany({ data: create });
      stats.createdPending = create.length;
    }

    const entries: NewEntry[] = [];
    for (const m of batch) {
      const r = byId.get(m.recordId);
      if (!r) throw new Error(`record ${m.recordId} of the preview is not a record of migration ${ctx.migrationId}`);
      const memberId = m.class === "matched" ? members.get(m.platformCustomerId!)?.id : pendingMemberId(ctx.migrationId, m.recordId);
      if (!memberId) throw new Error(`record ${m.recordId} is matched to no customer`);
      if (m.class === "matched") {
        stats.matched++;
        visible.add(memberId);
      } else stats.pending++;
      // assertPoints refuses an entry that moves nothing: a 0-point record gets its member, no entry.
      if (r.points === 0) {
        stats.zero++;
        continue;
      }
      entries.push({
        shopId: ctx.shopId,
        memberId,
        migrationId: ctx.migrationId,
        kind: "import",
        points: r.points,
        idempotencyKey: idempotencyKey.importRow(ctx.migrationId, m.recordId),
        sourceRef: `${ctx.files.get(r.importFileId) ?? r.importFileId} row ${r.rowNumber}`,
      });
    }
    const outcomes = await postEntries(tx, entries);
    for (let i = 0; i < outcomes.length; i++) {
      if (outcomes[i]!.outcome === "posted") {
        stats.posted++;
        stats.points += entries[i]!.points;
      } else stats.duplicate++;
    }
    return { stats, visible: [...visible] };
  }).then(({ stats, visible }) => {
    // Counted once the transaction committed (a retried transaction would count twice otherwise).
    const s = ctx.stats;
    s.records.matched += stats.matched;
    s.records.pending += stats.pending;
    s.records.zeroPoints += stats.zero;
    s.imports.posted += stats.posted;
    s.imports.duplicate += stats.duplicate;
    s.imports.points += stats.points;
    s.members.createdVisible += stats.createdVisible;
    s.members.createdPending += stats.createdPending;
    s.members.reused += stats.reused;
    return visible;
  });
}

async function applyRetroBatch(ctx: BatchContext, batch: RetroOrder[]): Promise<string[]> {
  const customers = [...new Set(batch.map((o) => o.customerId))];
  const snapshot = await prisma.platformCustomer.findMany({
    where: { shopId: ctx.shopId, platformId: { in: customers } },
    select: { platformId: true, email: true, emailNormalized: true, phoneE164: true, cpf: true, firstName: true, lastName: true },
  });
  const known = new Map(snapshot.map((c) => [c.platformId, c]));
  const wanted = new Map<string, Identity>(
    customers.map((c) => {
      const s = known.get(c);
      return [c, { email: s?.email ?? null, emailNormalized: s?.emailNormalized ?? null, phoneE164: s?.phoneE164 ?? null, cpf: s?.cpf ?? null, firstName: s?.firstName ?? null, lastName: s?.lastName ?? null, tier: null, referralCode: null, marketingConsent: null }];
    }),
  );
  const { stats, visible } = await withLedger(async (tx) => {
    const found = await visibleMembers(tx, ctx, wanted);
    const members = found.members;
    const stats = { posted: 0, duplicate: 0, points: 0, createdVisible: found.created };
    const entries: NewEntry[] = batch.map((o) => ({
      shopId: ctx.shopId,
      memberId: members.get(o.customerId)!.id,
      migrationId: ctx.migrationId,
      kind: "earn",
      points: o.points,
      idempotencyKey: idempotencyKey.retroactive(ctx.migrationId, o.platformId),
      sourceRef: `order ${o.name ?? o.platformId} (retroactive)`,
      reason: `retroactive points for ${o.totalAmount} spent before the cutover`,
      occurredAt: o.placedAt,
    }));
    const outcomes = await postEntries(tx, entries);
    for (let i = 0; i < outcomes.length; i++) {
      if (outcomes[i]!.outcome === "posted") {
        stats.posted++;
        stats.points += entries[i]!.points;
      } else stats.duplicate++;
    }
    return { stats, visible: [...new Set([...members.values()].map((m) => m.id))] };
  });
  ctx.stats.members.createdVisible += stats.createdVisible;
  ctx.stats.retroactive.orders += batch.length;
  ctx.stats.retroactive.posted += stats.posted;
  ctx.stats.retroactive.duplicate += stats.duplicate;
  ctx.stats.retroactive.points += stats.points;
  return visible;
}
