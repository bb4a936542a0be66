import type { Migration, PlatformOrder, Shop } from "@prisma/client";
import { isCancelTopic, orderAction, type OrderAction } from "~domain/earn/order-event";
import { idempotencyKey } from "~domain/ledger";
import type { Platform } from "~domain/reconcile/types";
import prisma from "../../db.server";
import type { BalanceWriteResult, CustomerSnapshot, OrderSnapshot, PlatformClient } from "../../platforms/platform-client";
import { platformClientFor } from "../../platforms/platform-client.server";
import { postEntry, postReversal, withLedger, type Tx } from "../ledger/ledger.server";
import { readSettings, rulesFor } from "../reconcile/rules.server";
import { linkPendingMember, pushMember, topicLabel } from "../restore/restore.server";
import { snapshotRowId } from "../sync/snapshot-writer.server";

/**
 * Earn and reverse after go-live (decision 0012). An order event (Shopify orders/paid, orders/cancelled;
 * Nuvemshop order/paid, order/cancelled) fetches the order as it is now, classifies it with the rules of
 * the shop's active migration (the latest applied or piloted one: cutover, completed/cancelled states,
 * orders migrated) and the merchant's earn rate, and then, in one ledger transaction:
 *   - earn: `order:<platform>:<id>:earn`, floor(total × earnRate), to the buyer's member — linked from a
 *     pending member if the buyer is one (a restore), or a new visible member;
 *   - reverse: the reversal of exactly that earn entry, `order:<platform>:<id>:reverse`.
 * Both are idempotent by key. Events about one order are serialised on its snapshot row (PlatformOrder,
 * locked first in the transaction), and the newest known version of the order decides: a cancel handled
 * before the paid event leaves a cancelled snapshot, so the paid event — even with a stale read — finds
 * the order cancelled and earns nothing.
 */

export type EarnOutcome =
  | { outcome: "earned"; memberId: string; points: number; entryId: string; restored: boolean; pushed: BalanceWriteResult | null }
  | { outcome: "already-earned"; memberId: string; entryId: string; pushed: BalanceWriteResult | null }
  | { outcome: "reversed"; memberId: string; points: number; entryId: string; pushed: BalanceWriteResult | null }
  | { outcome: "already-reversed"; memberId: string; pushed: BalanceWriteResult | null }
  | { outcome: "nothing-to-reverse"; reason: string }
  | { outcome: "no-points"; reason: string }
  | { outcome: "no-migration"; reason: string }
  | { outcome: "unknown-order"; reason: string }
  | { outcome: "invalid-rules"; reason: string };

const ACTIVE_MIGRATION_STATES = ["applied", "piloted"];

/** The migration whose rules govern live orders: the latest applied (or piloted) one of the shop. */
export async function activeMigration(shopId: string): Promise<Migration | null> {
  return prisma.migration.findFirst({ where: { shopId, state: { in: ACTIVE_MIGRATION_STATES } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}

/** The platform said the order is cancelled, but the order does not say so (yet): the job retries. */
export class OrderNotYetCancelledError extends Error {
  readonly retryable = true;
  constructor(orderId: string) {
    super(`order ${orderId}: a cancellation event arrived but the order does not show it yet`);
    this.name = "OrderNotYetCancelledError";
  }
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function fromRow(row: PlatformOrder): OrderSnapshot {
  return {
    platformId: row.platformId,
    customerId: row.platformCustomerId,
    name: row.name,
    financialStatus: row.financialStatus,
    fulfillmentStatus: row.fulfillmentStatus,
    status: row.status,
    cancelledAt: iso(row.cancelledAt),
    closed: row.closed,
    totalAmount: row.totalAmount.toString(),
    currency: row.currency,
    placedAt: row.placedAt.toISOString(),
    updatedAt: (row.platformUpdatedAt ?? row.syncedAt).toISOString(),
  };
}

function rowData(order: OrderSnapshot) {
  return {
    platformCustomerId: order.customerId,
    name: order.name,
    financialStatus: order.financialStatus,
    fulfillmentStatus: order.fulfillmentStatus,
    status: order.status,
    cancelledAt: order.cancelledAt ? new Date(order.cancelledAt) : null,
    closed: order.closed,
    totalAmount: order.totalAmount,
    currency: order.currency,
    placedAt: new Date(order.placedAt),
    platformUpdatedAt: new Date(order.updatedAt),
    syncedAt: new Date(),
  };
}

/**
 * Locks the order's snapshot row for this transaction (PostgreSQL row lock; SQLite's one writer) and
 * returns the newest version known: the one fetched, written into the snapshot, or the stored one when
 * it is newer (another event or a sync already saw a later state).
 */
async function lockOrder(tx: Tx, shopId: string, fetched: OrderSnapshot): Promise<OrderSnapshot> {
  const where = { shopId, platformId: fetched.platformId };
  const touched = await tx.platformOrder.updateMany({ where, data: { syncedAt: new Date() } });
  if (touched.count === 0) {
    // First sight of the order. Two transactions racing here collide on the unique (shop, platform id): the loser retries and locks.
    await tx.platformOrder.create({ data: { id: snapshotRowId(shopId, fetched.platformId), shopId, platformId: fetched.platformId, ...rowData(fetched) } });
    return fetched;
  }
  const stored = await tx.platformOrder.findUniqueOrThrow({ where: { shopId_platformId: where } });
  if (stored.platformUpdatedAt && stored.platformUpdatedAt.getTime() > Date.parse(fetched.updatedAt)) return fromRow(stored);
  await tx.platformOrder.update({ where: { id: stored.id }, data: rowData(fetched) });
  return fetched;
}

export interface EarnInput {
  shop: Shop;
  orderId: string;
  /** The webhook topic (ORDERS_PAID, ORDERS_CANCELLED, order/paid, order/cancelled…). */
  topic: string;
  client?: PlatformClient;
  /** Push the balance even when nothing changed now (a retried job; see restoreCustomer). */
  repush?: boolean;
}

type TxOutcome =
  | { outcome: "earned"; memberId: string; points: number; entryId: string; restored: boolean }
  | { outcome: "already-earned"; memberId: string; entryId: string }
  | { outcome: "reversed"; memberId: string; points: number; entryId: string }
  | { outcome: "already-reversed"; memberId: string }
  | { outcome: "nothing-to-reverse"; reason: string }
  | { outcome: "no-points"; reason: string };

export async function earnForOrder(input: EarnInput): Promise<EarnOutcome> {
  const { shop } = input;
  const platform = shop.platform as Platform;
  const migration = await activeMigration(shop.id);
  if (!migration) return { outcome: "no-migration", reason: "no migration of this shop is applied yet: live orders earn nothing" };
  const rules = rulesFor(shop, migration);
  if (rules.outcome === "invalid") return { outcome: "invalid-rules", reason: rules.errors.join("; ") };
  const earnRate = readSettings(migration).earnRate ?? 1;

  const client = input.client ?? (await platformClientFor(shop));
  const fetched = await client.order(input.orderId);
  if (!fetched) return { outcome: "unknown-order", reason: `the store has no order ${input.orderId}` };

  // The buyer, read only when they might need a member and have none yet (a restore or a new member).
  let buyer: CustomerSnapshot | null = null;
  if (fetched.customerId !== null && !isCancelTopic(input.topic)) {
    const member = await prisma.member.findFirst({ where: { shopId: shop.id, platformCustomerId: fetched.customerId }, select: { id: true } });
    if (!member) buyer = await client.customer(fetched.customerId);
  }

  const earnKey = idempotencyKey.orderEarn(platform, fetched.platformId);
  const reverseKey = idempotencyKey.orderReverse(platform, fetched.platformId);
  const sourceRef = `order ${fetched.name ?? fetched.platformId} (${topicLabel(input.topic)})`;

  const result = await withLedger(async (tx): Promise<TxOutcome> => {
    const order = await lockOrder(tx, shop.id, fetched);
    const action: OrderAction = orderAction(
      { platformId: order.platformId, customerId: order.customerId, financialStatus: order.financialStatus, status: order.status, cancelledAt: order.cancelledAt, totalAmount: order.totalAmount, placedAt: order.placedAt },
      rules.rules,
      platform,
      earnRate,
    );
    // A cancellation event for an order that does not show any cancellation yet: read it again later.
    const shownCancelled = order.cancelledAt !== null || order.status?.toLowerCase() === "cancelled";
    if (/cancelled$/.test(topicLabel(input.topic)) && action.action !== "reverse" && !shownCancelled) throw new OrderNotYetCancelledError(order.platformId);

    if (action.action === "reverse") {
      const earned = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: earnKey } }, include: { reversedBy: { select: { id: true, idempotencyKey: true } } } });
      if (!earned) return { outcome: "nothing-to-reverse", reason: `${action.reason}; the order never earned points` };
      if (earned.reversedBy && earned.reversedBy.idempotencyKey !== reverseKey) return { outcome: "already-reversed", memberId: earned.memberId };
      const posted = await postReversal(tx, { shopId: shop.id, originalId: earned.id, kind: "reverse", idempotencyKey: reverseKey, sourceRef, reason: action.reason, migrationId: null });
      if (posted.outcome === "duplicate") return { outcome: "already-reversed", memberId: earned.memberId };
      return { outcome: "reversed", memberId: earned.memberId, points: posted.entry.points, entryId: posted.entry.id };
    }
    if (action.action === "none") return { outcome: "no-points", reason: action.reason };

    // earn
    const reversed = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: reverseKey } }, select: { memberId: true } });
    if (reversed) return { outcome: "already-reversed", memberId: reversed.memberId };
    const existing = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: earnKey } }, select: { id: true, memberId: true } });
    if (existing) return { outcome: "already-earned", memberId: existing.memberId, entryId: existing.id };

    const customerId = order.customerId!;
    let restored = false;
    let memberId = (await tx.member.findFirst({ where: { shopId: shop.id, platformCustomerId: customerId }, select: { id: true } }))?.id ?? null;
    if (memberId === null && buyer !== null && buyer.platformId === customerId) {
      const linked = await linkPendingMember(tx, shop, buyer, `${sourceRef}: first order of a pending member`);
      if (linked.outcome === "restored" || linked.outcome === "already-visible") {
        memberId = linked.memberId;
        restored = linked.outcome === "restored";
      }
    }
    // No member and no pending one to restore (or a tie left for review): a new visible member holds
    // what this customer earns. A concurrent creation collides on (shop, customer) and the retry finds it.
    memberId ??= (await tx.member.create({ data: { shopId: shop.id, platformCustomerId: customerId, state: "visible" }, select: { id: true } })).id;

    const posted = await postEntry(tx, {
      shopId: shop.id,
      memberId,
      migrationId: null,
      kind: "earn",
      points: action.points,
      idempotencyKey: earnKey,
      sourceRef,
      reason: `${action.reason} (earn rule of migration ${migration.id})`,
    });
    return { outcome: "earned", memberId, points: posted.entry.points, entryId: posted.entry.id, restored };
  });

  if (result.outcome === "nothing-to-reverse" || result.outcome === "no-points") return result;
  const changed = result.outcome === "earned" || result.outcome === "reversed";
  const pushed = changed || input.repush === true ? await pushMember(client, result.memberId) : null;
  return { ...result, pushed };
}
