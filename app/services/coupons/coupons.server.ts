import { codeKey } from "~domain/import/codes";
import { isCouponExpired } from "~domain/import/coupons";
import { idempotencyKey } from "~domain/ledger";
import { couponRefundKey, couponRefundPoints, parseRate } from "~domain/coupons/refund";
import prisma from "../../db.server";
import { selectRows } from "../../db-bulk.server";
import { coreEnv } from "../../env.server";
import type { BalanceWriteResult, PlatformClient } from "../../platforms/platform-client";
import { postEntry, withLedger, type Tx } from "../ledger/ledger.server";
import { pushBalances } from "../ledger/push-balances.server";

/**
 * The old platform's unused coupons (LoyaltyRecord rows of coupons files, status valid), each
 * matched to a member of the shop, and the merchant's decision on them (decision 0013):
 * - `cancel`: the coupon is void, recorded in Migration.settingsJson under `coupons.decisions`
 *   (Carryover never touches the old platform nor the new store's discounts; the list is the report);
 * - `refund`: a `coupon_refund` ledger entry, once per code (domain/coupons/refund.ts: floor(value ×
 *   rate), money coupons only), the decision recorded beside it, balances pushed to the store.
 * Decisions are taken once the migration has written its members (piloted or applied), and no more
 * once a rollback has begun; a rollback reverses refunds like every other entry of the migration.
 */
const OPEN_STATES = ["piloted", "applied"];
const CHUNK = 200;

export type CouponAction = "cancel" | "refund";
export interface CouponDecision {
  action: CouponAction;
  /** Refunds: points per currency unit, as the merchant typed it. */
  rate?: string;
  decidedAt: string;
}

export type MatchedBy = "import-entry" | "email" | "phone" | "cpf" | "record-match";

export interface CouponLine {
  recordId: string;
  code: string;
  fileName: string;
  rowNumber: number;
  /** "15.00" (shop currency) or "10%". */
  value: string;
  valueKind: "amount" | "percentage";
  expiresAt: string | null;
  expired: boolean;
  email: string | null;
  phone: string | null;
  cpf: string | null;
  name: string | null;
  member: { id: string; state: string; platformCustomerId: string | null } | null;
  /** How the member was found; or why none: several members fit (never a guess), nobody fits. */
  matchedBy: MatchedBy | "ambiguous" | "no-member";
  decision: CouponDecision | null;
  refund: { entryId: string; points: number; rolledBack: boolean } | null;
  /** The same code in an earlier coupons file of the migration: that row is the coupon, this one is never acted on. */
  duplicateOf: string | null;
  status: "open" | "cancelled" | "refunded" | "refund-rolled-back" | "duplicate";
}

export interface CouponList {
  migrationId: string;
  state: string;
  asOf: string;
  coupons: CouponLine[];
  totals: { open: number; cancelled: number; refunded: number; percentage: number; withoutMember: number; expired: number };
}

interface CouponSettings {
  decisions: Record<string, CouponDecision>;
}

function readCouponSettings(settingsJson: string): CouponSettings {
  try {
    const parsed = JSON.parse(settingsJson || "{}") as { coupons?: { decisions?: Record<string, CouponDecision> } };
    return { decisions: parsed.coupons?.decisions ?? {} };
  } catch {
    return { decisions: {} };
  }
}

/** Additive: every other key of the settings is kept as it is. */
function writeCouponSettings(settingsJson: string, coupons: CouponSettings): string {
  const settings = JSON.parse(settingsJson || "{}") as Record<string, unknown>;
  return JSON.stringify({ ...settings, coupons });
}

function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Member = { id: string; state: string; platformCustomerId: string | null };

/**
 * The migration's valid balance records of these identities: one streamed pass over its valid rows
 * (the staging table has no index on the identity key — decision 0022 — and a query per chunk of
 * keys would read them all each time).
 */
async function balanceRecordsOf(shopId: string, migrationId: string, identityKeys: ReadonlySet<string>): Promise<Array<{ id: string; identityKey: string }>> {
  if (identityKeys.size === 0) return [];
  const sql = `SELECT r."id", r."identityKey" FROM "LoyaltyRecord" r JOIN "ImportFile" f ON f."id" = r."importFileId"
    WHERE r."shopId" = ? AND r."migrationId" = ? AND r."status" = 'valid' AND f."kind" = 'balances'`;
  const found: Array<{ id: string; identityKey: string }> = [];
  for await (const page of selectRows(coreEnv().DATABASE_URL, sql, [shopId, migrationId])) {
    for (const [id, identityKey] of page as Array<[string, string | null]>) {
      if (identityKey !== null && identityKeys.has(identityKey)) found.push({ id, identityKey });
    }
  }
  return found;
}

/**
 * The member of each coupon, exact keys only, first route that finds anyone decides (decision 0009):
 * 1. the member the migration credited for a balance record of the same identity (its import entry);
 * 2. a member of this migration by normalised e-mail, then E.164 phone, then CPF;
 * 3. the customer the migration's latest preview matched that balance record to (RecordMatch).
 * Two or more members on a route is ambiguous: reported, never refunded.
 */
async function matchMembers(shopId: string, migrationId: string, coupons: Array<{ id: string; identityKey: string | null; emailNormalized: string | null; phoneE164: string | null; cpf: string | null }>) {
  const identityKeys = [...new Set(coupons.flatMap((c) => (c.identityKey ? [c.identityKey] : [])))];
  const balanceRecords = await balanceRecordsOf(shopId, migrationId, new Set(identityKeys));
  const keyOfRecord = new Map(balanceRecords.map((r) => [r.id, r.identityKey!]));

  const importEntries = (
    await Promise.all(
      chunks(balanceRecords).map((rs) =>
        prisma.ledgerEntry.findMany({ where: { shopId, idempotencyKey: { in: rs.map((r) => idempotencyKey.importRow(migrationId, r.id)) } }, select: { idempotencyKey: true, memberId: true } }),
      ),
    )
  ).flat();
  const byImport = new Map<string, Set<string>>();
  for (const e of importEntries) {
    const recordId = e.idempotencyKey.slice(`import:${migrationId}:`.length);
    const key = keyOfRecord.get(recordId);
    if (key) byImport.set(key, (byImport.get(key) ?? new Set()).add(e.memberId));
  }

  const values = (field: "emailNormalized" | "phoneE164" | "cpf") => [...new Set(coupons.flatMap((c) => (c[field] ? [c[field]] : [])))];
  const byField = async (field: "emailNormalized" | "phoneE164" | "cpf") => {
    const map = new Map<string, Set<string>>();
    for (const vs of chunks(values(field))) {
      const found = await prisma.member.findMany({
        where: { shopId, migrationId, OR: [field === "emailNormalized" ? { emailNormalized: { in: vs } } : field === "phoneE164" ? { phoneE164: { in: vs } } : { cpf: { in: vs } }] },
        select: { id: true, emailNormalized: true, phoneE164: true, cpf: true },
      });
      for (const m of found) {
        const v = m[field];
        if (v !== null) map.set(v, (map.get(v) ?? new Set()).add(m.id));
      }
    }
    return map;
  };
  const [byEmail, byPhone, byCpf] = await Promise.all([byField("emailNormalized"), byField("phoneE164"), byField("cpf")]);

  const byRecordMatch = new Map<string, Set<string>>();
  const reconciliation = await prisma.reconciliation.findFirst({ where: { migrationId, status: "done" }, orderBy: { createdAt: "desc" }, select: { id: true } });
  if (reconciliation && balanceRecords.length > 0) {
    const matches = (
      await Promise.all(
        chunks(balanceRecords).map((rs) =>
          prisma.recordMatch.findMany({ where: { reconciliationId: reconciliation.id, recordId: { in: rs.map((r) => r.id) }, class: "matched", platformCustomerId: { not: null } }, select: { recordId: true, platformCustomerId: true } }),
        ),
      )
    ).flat();
    const customers = [...new Set(matches.map((m) => m.platformCustomerId!))];
    const memberOf = new Map<string, string>();
    for (const cs of chunks(customers)) {
      for (const m of await prisma.member.findMany({ where: { shopId, platformCustomerId: { in: cs } }, select: { id: true, platformCustomerId: true } })) memberOf.set(m.platformCustomerId!, m.id);
    }
    for (const match of matches) {
      const member = memberOf.get(match.platformCustomerId!);
      const key = keyOfRecord.get(match.recordId);
      if (member && key) byRecordMatch.set(key, (byRecordMatch.get(key) ?? new Set()).add(member));
    }
  }

  const chosen = new Map<string, { memberId: string | null; matchedBy: CouponLine["matchedBy"] }>();
  for (const c of coupons) {
    const routes: Array<[MatchedBy, Set<string> | undefined]> = [
      ["import-entry", c.identityKey ? byImport.get(c.identityKey) : undefined],
      ["email", c.emailNormalized ? byEmail.get(c.emailNormalized) : undefined],
      ["phone", c.phoneE164 ? byPhone.get(c.phoneE164) : undefined],
      ["cpf", c.cpf ? byCpf.get(c.cpf) : undefined],
      ["record-match", c.identityKey ? byRecordMatch.get(c.identityKey) : undefined],
    ];
    const found = routes.find(([, set]) => set && set.size > 0);
    if (!found) chosen.set(c.id, { memberId: null, matchedBy: "no-member" });
    else if (found[1]!.size > 1) chosen.set(c.id, { memberId: null, matchedBy: "ambiguous" });
    else chosen.set(c.id, { memberId: [...found[1]!][0]!, matchedBy: found[0] });
  }
  const memberIds = [...new Set([...chosen.values()].flatMap((c) => (c.memberId ? [c.memberId] : [])))];
  const members = new Map<string, Member>();
  for (const ids of chunks(memberIds)) {
    for (const m of await prisma.member.findMany({ where: { id: { in: ids } }, select: { id: true, state: true, platformCustomerId: true } })) members.set(m.id, m);
  }
  return { chosen, members };
}

/** Every unused coupon of the migration, with its member, the merchant's decision and any refund. */
export async function listCoupons(input: { shopId: string; migrationId: string; now?: Date }): Promise<CouponList | null> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId } });
  if (!migration) return null;
  const now = input.now ?? new Date();
  const records = await prisma.loyaltyRecord.findMany({
    where: { shopId: input.shopId, migrationId: migration.id, status: "valid", importFile: { kind: "coupons" }, couponCode: { not: null } },
    orderBy: [{ importFile: { createdAt: "asc" } }, { importFileId: "asc" }, { rowNumber: "asc" }],
    select: {
      id: true, rowNumber: true, identityKey: true, email: true, emailNormalized: true, phone: true, phoneE164: true, cpf: true, firstName: true, lastName: true,
      couponCode: true, couponValue: true, couponExpiresAt: true, importFile: { select: { fileName: true } },
    },
  });
  const { chosen, members } = await matchMembers(input.shopId, migration.id, records);
  const settings = readCouponSettings(migration.settingsJson);
  const keys = records.map((r) => couponRefundKey(migration.id, r.couponCode!));
  const refunds = new Map<string, { id: string; points: number; rolledBack: boolean }>();
  for (const ks of chunks(keys)) {
    for (const e of await prisma.ledgerEntry.findMany({ where: { shopId: input.shopId, idempotencyKey: { in: ks } }, select: { id: true, idempotencyKey: true, points: true, reversedBy: { select: { id: true } } } })) {
      refunds.set(e.idempotencyKey, { id: e.id, points: e.points, rolledBack: e.reversedBy !== null });
    }
  }
  const firstOfCode = new Map<string, string>();
  const coupons = records.map((r, i): CouponLine => {
    const code = r.couponCode!;
    const first = firstOfCode.get(codeKey(code));
    if (!first) firstOfCode.set(codeKey(code), r.id);
    const match = chosen.get(r.id)!;
    const refund = first ? undefined : refunds.get(keys[i]!);
    const decision = first ? null : (settings.decisions[codeKey(code)] ?? null);
    const status: CouponLine["status"] = first ? "duplicate" : refund ? (refund.rolledBack ? "refund-rolled-back" : "refunded") : decision?.action === "cancel" ? "cancelled" : "open";
    return {
      recordId: r.id,
      code,
      fileName: r.importFile.fileName,
      rowNumber: r.rowNumber,
      value: r.couponValue ?? "",
      valueKind: (r.couponValue ?? "").endsWith("%") ? "percentage" : "amount",
      expiresAt: r.couponExpiresAt,
      expired: isCouponExpired(r.couponExpiresAt, now),
      email: r.email,
      phone: r.phone ?? r.phoneE164,
      cpf: r.cpf,
      name: [r.firstName, r.lastName].filter(Boolean).join(" ") || null,
      member: match.memberId ? (members.get(match.memberId) ?? null) : null,
      matchedBy: match.matchedBy,
      decision,
      refund: refund ? { entryId: refund.id, points: refund.points, rolledBack: refund.rolledBack } : null,
      duplicateOf: first ?? null,
      status,
    };
  });
  const unique = coupons.filter((c) => c.status !== "duplicate");
  return {
    migrationId: migration.id,
    state: migration.state,
    asOf: now.toISOString().slice(0, 10),
    coupons,
    totals: {
      open: unique.filter((c) => c.status === "open").length,
      cancelled: unique.filter((c) => c.status === "cancelled").length,
      refunded: unique.filter((c) => c.status === "refunded").length,
      percentage: unique.filter((c) => c.valueKind === "percentage").length,
      withoutMember: unique.filter((c) => c.member === null).length,
      expired: unique.filter((c) => c.expired).length,
    },
  };
}

export interface CouponDecisionInput {
  shopId: string;
  migrationId: string;
  action: CouponAction;
  /** Refunds: points per currency unit ("1", "0.5"). */
  rate?: string;
  /** Only these codes (any case); every coupon of the migration when absent. */
  codes?: string[];
  /** Refund coupons that had expired at `now` too (by default they are reported, not refunded). */
  includeExpired?: boolean;
  now?: Date;
  /** Refunds: the store's client, to push the new balances; not pushed when absent. */
  client?: PlatformClient;
}

export type SkipReason = "percentage" | "no-member" | "ambiguous-member" | "expired" | "below-one-point" | "unreadable" | "already-refunded" | "refund-rolled-back";

export type CouponDecisionOutcome =
  | {
      outcome: "decided";
      action: CouponAction;
      rate: string | null;
      /** Codes now marked cancelled (cancel). */
      cancelled: string[];
      /** Refunds written now ("posted") or found written by an earlier run ("duplicate"). */
      refunded: Array<{ code: string; memberId: string; points: number; outcome: "posted" | "duplicate" }>;
      /** Coupons the action did not apply to, with the reason, for the merchant. */
      skipped: Array<{ code: string; reason: SkipReason; message: string }>;
      pushed: BalanceWriteResult | null;
    }
  | { outcome: "invalid"; errors: string[] }
  | { outcome: "migration-closed"; state: string; message: string }
  | { outcome: "not-found" };

class MigrationClosed extends Error {}

/** Takes the migration's row for this transaction, if it still accepts coupon decisions. */
async function lockOpenMigration(tx: Tx, shopId: string, migrationId: string) {
  const locked = await tx.migration.updateMany({ where: { id: migrationId, shopId, state: { in: OPEN_STATES } }, data: { updatedAt: new Date() } });
  if (locked.count === 0) throw new MigrationClosed();
  return tx.migration.findUniqueOrThrow({ where: { id: migrationId } });
}

function closedMessage(state: string): string {
  return state === "rolling_back" || state === "rolled_back"
    ? `the migration is ${state.replace("_", " ")}: its coupons can no longer be cancelled or refunded`
    : `the migration is at "${state}": coupons are decided once its members are written (piloted or applied)`;
}

/** The merchant's choice for the migration's coupons (all, or the codes named): cancel them, or refund them as points. */
export async function decideCoupons(input: CouponDecisionInput): Promise<CouponDecisionOutcome> {
  const now = input.now ?? new Date();
  const list = await listCoupons({ shopId: input.shopId, migrationId: input.migrationId, now });
  if (!list) return { outcome: "not-found" };
  if (!OPEN_STATES.includes(list.state)) return { outcome: "migration-closed", state: list.state, message: closedMessage(list.state) };
  const errors: string[] = [];
  let rate: ReturnType<typeof parseRate> | null = null;
  if (input.action === "refund") {
    if (input.rate === undefined) errors.push("a refund needs a rate: points per currency unit");
    else {
      rate = parseRate(input.rate);
      if (!rate.ok) errors.push(rate.reason);
    }
  } else if (input.rate !== undefined) errors.push("a rate only goes with a refund");
  const coupons = list.coupons.filter((c) => c.status !== "duplicate");
  let targets = coupons;
  if (input.codes) {
    const wanted = new Set(input.codes.map(codeKey));
    const known = new Set(coupons.map((c) => codeKey(c.code)));
    const unknown = [...wanted].filter((k) => !known.has(k));
    if (unknown.length > 0) errors.push(`no unused coupon of this migration has the code ${unknown.join(", ")}`);
    targets = coupons.filter((c) => wanted.has(codeKey(c.code)));
  }
  if (errors.length > 0 || (rate && !rate.ok)) return { outcome: "invalid", errors };

  const decidedAt = now.toISOString();
  const r = rate !== null && rate.ok ? rate : { text: "", rate: { units: 1n, scale: 0 } };
  const skipped: Array<{ code: string; reason: SkipReason; message: string }> = [];
  const cancelled: string[] = [];
  const refunded: Array<{ code: string; memberId: string; points: number; outcome: "posted" | "duplicate" }> = [];
  try {
    if (input.action === "cancel") {
      const cancellable = targets.filter((c) => {
        if (c.status === "refunded") skipped.push({ code: c.code, reason: "already-refunded", message: `refunded as ${c.refund!.points} points already` });
        else if (c.status === "refund-rolled-back") skipped.push({ code: c.code, reason: "refund-rolled-back", message: "its refund was rolled back" });
        else return true;
        return false;
      });
      await withLedger(async (tx) => {
        const migration = await lockOpenMigration(tx, input.shopId, input.migrationId);
        const settings = readCouponSettings(migration.settingsJson);
        // A refund written since the list was read wins over the cancellation.
        const refundedNow = new Set(
          (await tx.ledgerEntry.findMany({ where: { shopId: input.shopId, idempotencyKey: { in: cancellable.map((c) => couponRefundKey(input.migrationId, c.code)) } }, select: { idempotencyKey: true } })).map((e) => e.idempotencyKey),
        );
        cancelled.length = 0;
        for (const c of cancellable) {
          if (refundedNow.has(couponRefundKey(input.migrationId, c.code))) continue;
          settings.decisions[codeKey(c.code)] = { action: "cancel", decidedAt };
          cancelled.push(c.code);
        }
        await tx.migration.update({ where: { id: migration.id }, data: { settingsJson: writeCouponSettings(migration.settingsJson, settings) } });
      });
      return { outcome: "decided", action: "cancel", rate: null, cancelled, refunded, skipped, pushed: null };
    }

    const plan: Array<{ coupon: CouponLine; memberId: string; points: number; exact: string }> = [];
    for (const c of targets) {
      if (c.status === "refund-rolled-back") {
        skipped.push({ code: c.code, reason: "refund-rolled-back", message: "its refund was rolled back" });
        continue;
      }
      if (c.status === "refunded") {
        refunded.push({ code: c.code, memberId: c.member?.id ?? "", points: c.refund!.points, outcome: "duplicate" });
        continue;
      }
      const points = couponRefundPoints(c.value, r.rate);
      if (!points.ok) {
        skipped.push({ code: c.code, reason: points.reason, message: points.message });
        continue;
      }
      if (c.expired && !input.includeExpired) {
        skipped.push({ code: c.code, reason: "expired", message: `expired on ${c.expiresAt} (refund it anyway with the include-expired choice)` });
        continue;
      }
      if (!c.member) {
        skipped.push({
          code: c.code,
          reason: c.matchedBy === "ambiguous" ? "ambiguous-member" : "no-member",
          message: c.matchedBy === "ambiguous" ? "several members fit this coupon's customer: decide in review, then refund" : "no member of this migration is this coupon's customer (apply the rest of the migration first?)",
        });
        continue;
      }
      plan.push({ coupon: c, memberId: c.member.id, points: points.points, exact: points.exact });
    }
    for (let i = 0; i < plan.length; i += CHUNK) {
      const batch = plan.slice(i, i + CHUNK);
      const written = await withLedger(async (tx) => {
        const migration = await lockOpenMigration(tx, input.shopId, input.migrationId);
        const settings = readCouponSettings(migration.settingsJson);
        const out: typeof refunded = [];
        for (const p of batch) {
          const posted = await postEntry(tx, {
            shopId: input.shopId,
            memberId: p.memberId,
            migrationId: input.migrationId,
            kind: "coupon_refund",
            points: p.points,
            idempotencyKey: couponRefundKey(input.migrationId, p.coupon.code),
            sourceRef: `${p.coupon.fileName} row ${p.coupon.rowNumber}: coupon ${p.coupon.code}`,
            reason: `unused coupon worth ${p.coupon.value} refunded at ${r.text} points per currency unit (${p.exact} → ${p.points})`,
          });
          settings.decisions[codeKey(p.coupon.code)] = { action: "refund", rate: r.text, decidedAt };
          out.push({ code: p.coupon.code, memberId: posted.entry.memberId, points: posted.entry.points, outcome: posted.outcome });
        }
        await tx.migration.update({ where: { id: migration.id }, data: { settingsJson: writeCouponSettings(migration.settingsJson, settings) } });
        return out;
      });
      refunded.push(...written);
    }
  } catch (error) {
    if (!(error instanceof MigrationClosed)) throw error;
    const state = (await prisma.migration.findUniqueOrThrow({ where: { id: input.migrationId } })).state;
    return { outcome: "migration-closed", state, message: closedMessage(state) };
  }
  const memberIds = [...new Set(refunded.map((x) => x.memberId).filter(Boolean))];
  const pushed = input.client && memberIds.length > 0 ? await pushBalances(input.client, memberIds) : input.client ? { written: 0, failed: [] } : null;
  return { outcome: "decided", action: "refund", rate: r.text, cancelled, refunded, skipped, pushed };
}
