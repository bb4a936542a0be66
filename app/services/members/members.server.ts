import type { Prisma, Shop } from "@prisma/client";
import { randomUUID } from "node:crypto";
import { idempotencyKey } from "~domain/ledger";
import { z } from "zod";
import { checkAdjustment, normalizeReason, parseAdjustmentPoints } from "~domain/members/adjustment";
import { displayPhone, parseMemberQuery, prefixUpperBound, type MemberQuery } from "~domain/members/query";
import { databaseKind } from "../../database-url";
import prisma from "../../db.server";
import { coreEnv } from "../../env.server";
import { PlatformError, type PlatformClient } from "../../platforms/platform-client";
import { platformClientFor } from "../../platforms/platform-client.server";
import { postEntry, withLedger } from "../ledger/ledger.server";
import { pushBalances } from "../ledger/push-balances.server";

/**
 * The admin's Members screens (issue 6): find a member, read their balance and whole ledger, and
 * correct a balance by hand. Everything is scoped by the shop: another shop's member is "not found".
 * Redacted members (customers/redact, shop/redact) never show personal data, whatever is stored.
 * An adjustment is one new `adjust` ledger entry (never an edit), idempotent by the form's request id,
 * written through postEntry so Member.balance moves in the same transaction; a visible member's new
 * balance is then written to the store like earn and restore do (pushBalances, inline).
 */

export type MemberState = "visible" | "pending";
export const PAGE_SIZE = 25;
export const HISTORY_PAGE_SIZE = 25;
/** The most members one e-mail, phone or customer id is read for (far beyond any real duplicate). */
const KEY_MATCH_CAP = 1_000;

// ---------------------------------------------------------------------------------------- forms

/** The list's search params (a GET form): what was typed, the state filter, a keyset cursor. */
export const MembersListParams = z.object({
  q: z.string().max(500).optional().catch(undefined),
  state: z.enum(["visible", "pending"]).optional().catch(undefined),
  after: z.string().min(1).max(300).optional().catch(undefined),
  before: z.string().min(1).max(300).optional().catch(undefined),
});

/** The member page's search params: a history cursor either way. */
export const MemberPageParams = z.object({
  older: z.string().min(1).max(300).optional().catch(undefined),
  newer: z.string().min(1).max(300).optional().catch(undefined),
});

/** The adjustment form: signed points as typed, a reason, the form's request id. */
export const AdjustForm = z.object({
  intent: z.literal("adjust"),
  points: z.string().transform((v, ctx) => {
    const n = parseAdjustmentPoints(v);
    if (n === null) ctx.addIssue({ code: "custom", message: "points", path: [] });
    return n ?? 0;
  }),
  reason: z.string().transform((v, ctx) => {
    const reason = normalizeReason(v);
    if (reason === null) ctx.addIssue({ code: "custom", message: "reason", path: [] });
    return reason ?? "";
  }),
  requestId: z.uuid(),
});

/** Which fields of the adjustment form are wrong, for the form to say so next to them. */
export function adjustFormErrors(error: z.ZodError): Array<"points" | "reason" | "requestId"> {
  const fields = new Set<"points" | "reason" | "requestId">();
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (field === "points" || field === "reason" || field === "requestId") fields.add(field);
  }
  return [...fields];
}

export const PushForm = z.object({ intent: z.literal("push") });

// ---------------------------------------------------------------------------------------- search

/** The countries a phone typed without a country code may be from: the shop's, or the defaults the import (BR) and the sync (by platform) used. */
export function phoneCountries(shop: Pick<Shop, "country" | "platform">): string[] {
  if (shop.country) return [shop.country];
  return [...new Set(["BR", shop.platform === "nuvemshop" ? "BR" : "US"])];
}

export interface MemberRow {
  id: string;
  state: string;
  redacted: boolean;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tier: string | null;
  balance: number;
  restoredAt: string | null;
}

export interface SearchInput {
  q?: string | null;
  state?: MemberState | null;
  /** Keyset cursors: the id of the last row of the page before, or of the first row of the page after. */
  after?: string | null;
  before?: string | null;
  limit?: number;
}

export type SearchOutcome =
  | { outcome: "found"; query: MemberQuery["kind"]; rows: MemberRow[]; next: string | null; previous: string | null }
  | { outcome: "invalid-phone"; text: string }
  | { outcome: "too-short"; text: string };

const ROW_SELECT = {
  id: true,
  state: true,
  redactedAt: true,
  firstName: true,
  lastName: true,
  email: true,
  phoneE164: true,
  tier: true,
  balance: true,
  restoredAt: true,
} as const satisfies Prisma.MemberSelect;

type RowData = Prisma.MemberGetPayload<{ select: typeof ROW_SELECT }>;

function toRow(m: RowData): MemberRow {
  const redacted = m.redactedAt !== null;
  return {
    id: m.id,
    state: m.state,
    redacted,
    firstName: redacted ? null : m.firstName,
    lastName: redacted ? null : m.lastName,
    email: redacted ? null : m.email,
    phone: redacted || !m.phoneE164 ? null : displayPhone(m.phoneE164),
    tier: m.tier,
    balance: m.balance,
    restoredAt: m.restoredAt?.toISOString() ?? null,
  };
}

/**
 * A page of the shop's members, by id (keyset both ways, so page 40,000 costs what page 1 does),
 * optionally filtered by state and by what the merchant typed: an e-mail (exact, normalised), a phone
 * (E.164, typed any way), a platform customer id, or a name prefix. Every query is an index range
 * (Member indexes on (shopId, id), (shopId, state, id), e-mail, phone, lower(first/last name)).
 */
export async function searchMembers(shop: Pick<Shop, "id" | "country" | "platform">, input: SearchInput): Promise<SearchOutcome> {
  const query = parseMemberQuery(input.q, phoneCountries(shop));
  if (query.kind === "invalid-phone" || query.kind === "too-short") return { outcome: query.kind, text: query.text };
  const limit = Math.min(Math.max(input.limit ?? PAGE_SIZE, 1), 100);
  const backwards = !input.after && !!input.before;
  const cursor = input.after ?? input.before ?? null;

  let ids: string[];
  if (query.kind === "name") {
    ids = await nameSearchIds(shop.id, query, input.state ?? null, cursor, backwards, limit + 1);
  } else {
    const where: Prisma.MemberWhereInput = { shopId: shop.id };
    if (input.state) where.state = input.state;
    if (query.kind === "email") where.emailNormalized = query.emailNormalized;
    if (query.kind === "phone") where.phoneE164 = { in: query.e164 };
    if (query.kind === "customer") where.platformCustomerId = query.platformCustomerId;
    if (query.kind === "all") {
      // An index range in id order: (shopId, id) or (shopId, state, id).
      if (cursor) where.id = backwards ? { lt: cursor } : { gt: cursor };
      ids = (await prisma.member.findMany({ where, orderBy: { id: backwards ? "desc" : "asc" }, take: limit + 1, select: { id: true } })).map((m) => m.id);
    } else {
      // A key names a handful of members: read them all through the key's index, then order and cut
      // here. (Given ORDER BY id or id > cursor, SQLite's planner walks (shopId, id) instead: the whole shop.)
      const hits = (await prisma.member.findMany({ where, take: KEY_MATCH_CAP, select: { id: true } })).map((m) => m.id);
      const ascending = hits.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const ordered = backwards ? ascending.reverse() : ascending;
      ids = ordered.filter((id) => !cursor || (backwards ? id < cursor : id > cursor)).slice(0, limit + 1);
    }
  }
  const more = ids.length > limit;
  const page = ids.slice(0, limit);
  if (backwards) page.reverse();
  const found = await prisma.member.findMany({ where: { shopId: shop.id, id: { in: page } }, select: ROW_SELECT });
  const byId = new Map(found.map((m) => [m.id, m]));
  const rows = page.flatMap((id) => (byId.has(id) ? [toRow(byId.get(id)!)] : []));
  const first = rows[0]?.id ?? null;
  const last = rows.at(-1)?.id ?? null;
  return {
    outcome: "found",
    query: query.kind,
    rows,
    next: backwards ? last : more ? last : null,
    previous: backwards ? (more ? first : null) : cursor ? first : null,
  };
}

/**
 * Ids of members whose first or last name starts with the prefix (or first name + last name, for
 * several words), in id order from the cursor: a union of index ranges on lower(firstName) and
 * lower(lastName) — expression indexes of migration 20261201161220_member_search — compared in byte
 * order on both databases.
 */
async function nameSearchIds(shopId: string, query: NameQuery, state: MemberState | null, cursor: string | null, backwards: boolean, take: number): Promise<string[]> {
  const { sql, params } = nameSearchSql(shopId, query, state, cursor, backwards, take);
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string }>>(sql, ...params);
  return rows.map((r) => r.id);
}

export type NameQuery = Extract<MemberQuery, { kind: "name" }>;

/** The name search's SQL and parameters (exported for the test that reads its plan on both databases). */
export function nameSearchSql(shopId: string, query: NameQuery, state: MemberState | null, cursor: string | null, backwards: boolean, take: number): { sql: string; params: unknown[] } {
  const sqlite = databaseKind(coreEnv().DATABASE_URL) === "sqlite";
  // Bound parameters, placeholders in each dialect (as ledger.server.ts's raw balance update does).
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return sqlite ? "?" : `$${params.length}`;
  };
  const bytes = sqlite ? "" : ' COLLATE "C"';
  const range = (column: "firstName" | "lastName", key: string) => `lower("${column}")${bytes} >= ${p(key)} AND lower("${column}")${bytes} < ${p(prefixUpperBound(key))}`;
  const branches: string[] = [];
  for (const key of query.whole) {
    branches.push(`SELECT "id" FROM "Member" WHERE "shopId" = ${p(shopId)} AND ${range("firstName", key)}`);
    branches.push(`SELECT "id" FROM "Member" WHERE "shopId" = ${p(shopId)} AND ${range("lastName", key)}`);
  }
  if (query.split) {
    for (const first of query.split.first) {
      // Each spelling of the first word with each of the rest: at most 3 × 3 ranges. Placeholders are
      // numbered in the order they are written (SQLite's ? are positional).
      const head = `SELECT "id" FROM "Member" WHERE "shopId" = ${p(shopId)} AND ${range("firstName", first)}`;
      const rest = query.split.rest.map((key) => `(${range("lastName", key)})`).join(" OR ");
      branches.push(`${head} AND (${rest})`);
    }
  }
  const filters = [`m."shopId" = ${p(shopId)}`];
  if (state) filters.push(`m."state" = ${p(state)}`);
  if (cursor) filters.push(`m."id" ${backwards ? "<" : ">"} ${p(cursor)}`);
  const sql = `SELECT m."id" AS "id" FROM (${branches.join(" UNION ")}) AS hit JOIN "Member" AS m ON m."id" = hit."id" WHERE ${filters.join(" AND ")} ORDER BY m."id" ${backwards ? "DESC" : "ASC"} LIMIT ${p(take)}`;
  return { sql, params };
}

// ------------------------------------------------------------------------------------ one member

export interface MemberDetail {
  id: string;
  state: string;
  redacted: boolean;
  redactedAt: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  platformCustomerId: string | null;
  marketingConsent: string | null;
  tier: string | null;
  referralCode: string | null;
  balance: number;
  /** Σ of the member's ledger entries: equal to `balance` unless the projection drifted (checkBalances). */
  ledgerSum: number;
  entries: number;
  restoredAt: string | null;
  createdAt: string;
  migration: { id: string; name: string; state: string } | null;
}

export interface HistoryLine {
  id: string;
  occurredAt: string;
  kind: string;
  points: number;
  /** The member's balance once this entry counted (entries in date order). */
  balanceAfter: number;
  sourceRef: string;
  reason: string | null;
  reversal: boolean;
}

export interface HistoryPage {
  lines: HistoryLine[];
  /** Cursor of the next (older) page, and of the previous (newer) one. */
  older: string | null;
  newer: string | null;
}

export type MemberViewOutcome = { outcome: "found"; member: MemberDetail; history: HistoryPage; adjustmentRequestId: string } | { outcome: "not-found" };

/** A history cursor: the entry's date and id ("2026-10-01T12:00:00.000Z_cm…"). */
function historyCursor(e: { occurredAt: Date; id: string }): string {
  return `${e.occurredAt.toISOString()}_${e.id}`;
}

function readHistoryCursor(text: string | null | undefined): { at: Date; id: string } | null {
  if (!text) return null;
  const cut = text.indexOf("_");
  if (cut < 0) return null;
  const at = new Date(text.slice(0, cut));
  const id = text.slice(cut + 1);
  return Number.isNaN(at.getTime()) || id === "" ? null : { at, id };
}

/** Entries after (newer than) or before (older than) a point of the history, in (occurredAt, id) order. */
function beyond(c: { at: Date; id: string }, side: "newer" | "older"): Prisma.LedgerEntryWhereInput {
  const cmp = side === "newer" ? "gt" : "lt";
  return { OR: [{ occurredAt: { [cmp]: c.at } }, { occurredAt: c.at, id: { [cmp]: c.id } }] };
}

/**
 * One member of the shop with a page of their ledger, newest first, each line with the balance after it.
 * `older` continues towards the first entry, `newer` back towards the latest. Every adjustment form
 * gets a fresh request id here: a double submit or a retried request carries the same one.
 */
export async function memberView(shopId: string, memberId: string, page: { older?: string | null; newer?: string | null; limit?: number } = {}): Promise<MemberViewOutcome> {
  const m = await prisma.member.findFirst({ where: { id: memberId, shopId }, include: { migration: { select: { id: true, name: true, state: true } } } });
  if (!m) return { outcome: "not-found" };
  const limit = Math.min(Math.max(page.limit ?? HISTORY_PAGE_SIZE, 1), 200);
  const [sum, count] = await Promise.all([
    prisma.ledgerEntry.aggregate({ where: { shopId, memberId }, _sum: { points: true } }),
    prisma.ledgerEntry.count({ where: { shopId, memberId } }),
  ]);
  const ledgerSum = sum._sum.points ?? 0;

  const olderCursor = readHistoryCursor(page.older);
  const newerCursor = olderCursor ? null : readHistoryCursor(page.newer);
  const base: Prisma.LedgerEntryWhereInput = { shopId, memberId };
  let rows = await prisma.ledgerEntry.findMany({
    where: olderCursor ? { ...base, ...beyond(olderCursor, "older") } : newerCursor ? { ...base, ...beyond(newerCursor, "newer") } : base,
    orderBy: newerCursor ? [{ occurredAt: "asc" }, { id: "asc" }] : [{ occurredAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const more = rows.length > limit;
  rows = rows.slice(0, limit);
  if (newerCursor) rows.reverse();

  // The balance after the page's newest line: everything, minus what came after it.
  let balanceAfter = ledgerSum;
  if (rows.length > 0) {
    const later = await prisma.ledgerEntry.aggregate({ where: { ...base, ...beyond({ at: rows[0]!.occurredAt, id: rows[0]!.id }, "newer") }, _sum: { points: true } });
    balanceAfter = ledgerSum - (later._sum.points ?? 0);
  }
  const redacted = m.redactedAt !== null;
  const lines: HistoryLine[] = rows.map((e) => {
    const line: HistoryLine = {
      id: e.id,
      occurredAt: e.occurredAt.toISOString(),
      kind: e.kind,
      points: e.points,
      balanceAfter,
      sourceRef: e.sourceRef,
      // A merchant's free-text reason may name the person; a redacted member's stays unread.
      reason: redacted && e.kind === "adjust" ? null : e.reason,
      reversal: e.reversesId !== null,
    };
    balanceAfter -= e.points;
    return line;
  });
  const first = rows[0];
  const last = rows.at(-1);
  const history: HistoryPage = {
    lines,
    older: last && (newerCursor ? true : more) ? historyCursor(last) : null,
    newer: first && (newerCursor ? more : olderCursor !== null) ? historyCursor(first) : null,
  };
  const member: MemberDetail = {
    id: m.id,
    state: m.state,
    redacted,
    redactedAt: m.redactedAt?.toISOString() ?? null,
    firstName: redacted ? null : m.firstName,
    lastName: redacted ? null : m.lastName,
    email: redacted ? null : m.email,
    phone: redacted || !m.phoneE164 ? null : displayPhone(m.phoneE164),
    platformCustomerId: redacted ? null : m.platformCustomerId,
    marketingConsent: redacted ? null : m.marketingConsent,
    tier: m.tier,
    referralCode: redacted ? null : m.referralCode,
    balance: m.balance,
    ledgerSum,
    entries: count,
    restoredAt: m.restoredAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    migration: m.migration,
  };
  return { outcome: "found", member, history, adjustmentRequestId: randomUUID() };
}

// ------------------------------------------------------------------------------------ adjustment

/** What happened to the store's copy of the balance after an adjustment. */
export type PushResult = { outcome: "pushed" } | { outcome: "not-visible" } | { outcome: "push-failed"; message: string };

export type AdjustOutcome =
  | { outcome: "adjusted"; entryId: string; points: number; balance: number; push: PushResult }
  /** The same request id again (a double submit, a retried request): nothing new written; the balance is pushed again. */
  | { outcome: "duplicate"; entryId: string; points: number; balance: number; push: PushResult }
  | { outcome: "below-zero"; balance: number; points: number; shortBy: number }
  | { outcome: "invalid-points"; reason: "zero" | "not-an-integer" | "too-large" | "above-maximum"; max?: number }
  | { outcome: "redacted" }
  /** The request id already names another entry (another member's adjustment). */
  | { outcome: "request-reused" }
  | { outcome: "not-found" };

export interface AdjustInput {
  shop: Shop;
  memberId: string;
  /** Signed points. */
  points: number;
  /** Why, in the merchant's words (required). */
  reason: string;
  /** The form's request id (memberView), the source of the entry's idempotency key. */
  requestId: string;
  /** Who did it, kept on the entry for people reading the ledger. */
  actor?: string | null;
  /** Defaults to the shop's installed client. */
  client?: PlatformClient;
}

type Written = { outcome: "adjusted" | "duplicate"; entryId: string; points: number; balance: number; visible: boolean };
type AdjustTx = Written | Exclude<AdjustOutcome, { outcome: "adjusted" | "duplicate" }>;

/**
 * Posts ONE `adjust` entry for a member of the shop. In one ledger transaction: the member's row is
 * locked (an UPDATE, so concurrent adjustments of one member queue up), a replay of the request id
 * returns the entry it wrote, the balance is checked (never below zero), then postEntry appends the
 * entry and moves Member.balance with it. Afterwards a visible member's balance goes to the store.
 */
export async function adjustBalance(input: AdjustInput): Promise<AdjustOutcome> {
  const { shop } = input;
  const key = idempotencyKey.adjustment(input.requestId);
  const result = await withLedger(async (tx): Promise<AdjustTx> => {
    const locked = await tx.member.updateMany({ where: { id: input.memberId, shopId: shop.id }, data: { updatedAt: new Date() } });
    if (locked.count === 0) return { outcome: "not-found" };
    const member = await tx.member.findUniqueOrThrow({ where: { id: input.memberId }, select: { balance: true, redactedAt: true, state: true, platformCustomerId: true } });
    const visible = member.state === "visible" && member.platformCustomerId !== null;
    const replay = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: key } } });
    if (replay) {
      if (replay.memberId !== input.memberId || replay.kind !== "adjust") return { outcome: "request-reused" };
      return { outcome: "duplicate", entryId: replay.id, points: replay.points, balance: member.balance, visible };
    }
    if (member.redactedAt !== null) return { outcome: "redacted" };
    const check = checkAdjustment(member.balance, input.points);
    if (check.outcome === "below-zero") return check;
    if (check.outcome !== "ok") return { outcome: "invalid-points", reason: check.outcome, ...("max" in check ? { max: check.max } : {}) };
    const posted = await postEntry(tx, {
      shopId: shop.id,
      memberId: input.memberId,
      migrationId: null,
      kind: "adjust",
      points: input.points,
      idempotencyKey: key,
      sourceRef: input.actor ? `admin adjustment by ${input.actor}` : "admin adjustment",
      reason: input.reason,
    });
    return { outcome: posted.outcome === "posted" ? "adjusted" : "duplicate", entryId: posted.entry.id, points: posted.entry.points, balance: check.balanceAfter, visible };
  });
  if (!isWritten(result)) return result;
  const { visible, ...rest } = result;
  const push = visible ? await pushOne(shop, input.memberId, input.client) : ({ outcome: "not-visible" } as const);
  return { ...rest, push };
}

function isWritten(result: AdjustTx): result is Written {
  return result.outcome === "adjusted" || result.outcome === "duplicate";
}

async function pushOne(shop: Shop, memberId: string, client?: PlatformClient): Promise<PushResult> {
  try {
    const written = await pushBalances(client ?? (await platformClientFor(shop)), [memberId]);
    if (written.failed.length > 0) return { outcome: "push-failed", message: written.failed.map((f) => f.message).join("; ") };
    return written.written > 0 ? { outcome: "pushed" } : { outcome: "not-visible" };
  } catch (error) {
    // The entry is in the ledger whatever the store answers; the merchant can push again from the page.
    if (error instanceof PlatformError) return { outcome: "push-failed", message: error.message };
    throw error;
  }
}

export type PushAgainOutcome = { outcome: "not-found" } | ({ outcome: "pushed" } | { outcome: "not-visible" } | { outcome: "push-failed"; message: string });

/** Writes a visible member's whole balance to the store again (after a failed push); idempotent. */
export async function pushMemberBalance(shop: Shop, memberId: string, client?: PlatformClient): Promise<PushAgainOutcome> {
  const member = await prisma.member.findFirst({ where: { id: memberId, shopId: shop.id }, select: { state: true, platformCustomerId: true, redactedAt: true } });
  if (!member) return { outcome: "not-found" };
  if (member.state !== "visible" || member.platformCustomerId === null || member.redactedAt !== null) return { outcome: "not-visible" };
  return pushOne(shop, memberId, client);
}
