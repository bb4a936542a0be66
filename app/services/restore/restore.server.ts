import type { Shop } from "@prisma/client";
import { normalizeEmail } from "~domain/identity";
import { toE164 } from "~domain/import/identity-fields";
import { idempotencyKey } from "~domain/ledger";
import { matchPendingMember, type CustomerKeys, type RestoreKey } from "~domain/restore/match";
import { PlatformError, type BalanceWriteResult, type CustomerSnapshot, type PlatformClient } from "../../platforms/platform-client";
import { platformClientFor } from "../../platforms/platform-client.server";
import { postEntry, withLedger, type Tx } from "../ledger/ledger.server";
import { pushBalances } from "../ledger/push-balances.server";
import { sharedSnapshotWriter } from "../sync/snapshot-writer.server";

/**
 * Restore on registration (DESIGN.md "Pending customers", decision 0012): a customer appeared or changed
 * on the store; if they are a pending member of a migration — same exact e-mail, phone or CPF
 * (domain/restore/match.ts) — the member becomes visible, linked to the customer, and a zero-point
 * `restore` memo records the moment, exactly once (its idempotency key), then the balance is pushed to
 * the store. Every delivery, repeat and out-of-order copy of customers/create, customers/enable,
 * customers/update and Nuvemshop's customer/created converges on the same state.
 */

export type LinkOutcome =
  | { outcome: "restored"; memberId: string; migrationId: string; matchedBy: RestoreKey; points: number }
  | { outcome: "already-visible"; memberId: string }
  | { outcome: "conflict"; memberIds: string[]; reason: string }
  | { outcome: "no-pending-match"; reason: string };

export type RestoreOutcome =
  | (LinkOutcome & { pushed: BalanceWriteResult | null })
  | { outcome: "unknown-customer"; reason: string };

/** Migrations whose pending members may still be restored (a rolled-back migration's may not). */
const CLOSED_MIGRATION_STATES = ["rolling_back", "rolled_back"];

/** The country a phone without a country code belongs to (the same default as the sync's). */
export function shopCountry(shop: Pick<Shop, "country" | "platform">): string {
  return shop.country ?? (shop.platform === "nuvemshop" ? "BR" : "US");
}

export function customerKeys(customer: CustomerSnapshot, country: string): CustomerKeys {
  return {
    emailNormalized: normalizeEmail(customer.email),
    phoneE164: customer.phone ? toE164(customer.phone, country) : null,
    cpf: customer.cpf && /^\d{11}$/.test(customer.cpf) ? customer.cpf : null,
  };
}

/** "CUSTOMERS_CREATE" → "customers/create"; Nuvemshop's "customer/created" stays as it is. */
export function topicLabel(topic: string): string {
  return topic.includes("/") ? topic : topic.toLowerCase().replace("_", "/");
}

/**
 * Inside the caller's ledger transaction: links the customer to their pending member, if exactly one
 * matches, with a compare-and-set (`where state pending, no customer`) so that of any number of
 * concurrent copies exactly one links, and posts the restore memo. Re-reads after a lost race, so the
 * loser ends as "already-visible" — never a second link, never a second memo. A unique violation (the
 * customer was linked to another member meanwhile) rolls the transaction back; `withLedger` runs it again.
 */
export async function linkPendingMember(tx: Tx, shop: Pick<Shop, "id" | "platform" | "country">, customer: CustomerSnapshot, sourceRef: string): Promise<LinkOutcome> {
  const keys = customerKeys(customer, shopCountry(shop));
  for (let attempt = 0; attempt < 3; attempt++) {
    const or = [
      ...(keys.emailNormalized ? [{ emailNormalized: keys.emailNormalized }] : []),
      ...(keys.phoneE164 ? [{ phoneE164: keys.phoneE164 }] : []),
      ...(keys.cpf ? [{ cpf: keys.cpf }] : []),
    ];
    const pending =
      or.length === 0
        ? []
        : await tx.member.findMany({
            where: {
              shopId: shop.id,
              state: "pending",
              platformCustomerId: null,
              redactedAt: null,
              migrationId: { not: null },
              migration: { state: { notIn: CLOSED_MIGRATION_STATES } },
              OR: or,
            },
            select: { id: true, emailNormalized: true, phoneE164: true, cpf: true },
          });
    // Read after the pending members: a concurrent copy that linked one of them and committed in between
    // is seen here (each statement sees what is committed), so the loser never reports "no match".
    const linked = await tx.member.findFirst({ where: { shopId: shop.id, platformCustomerId: customer.platformId }, select: { id: true } });
    if (linked) return { outcome: "already-visible", memberId: linked.id };
    const match = matchPendingMember(keys, pending);
    if (match.outcome === "none") return { outcome: "no-pending-match", reason: match.reason };
    if (match.outcome === "conflict") return { outcome: "conflict", memberIds: match.memberIds, reason: match.reason };

    const restoredAt = new Date();
    const claimed = await tx.member.updateMany({
      where: { id: match.memberId, shopId: shop.id, state: "pending", platformCustomerId: null },
      data: { state: "visible", platformCustomerId: customer.platformId, restoredAt },
    });
    if (claimed.count === 0) continue; // another copy linked it first: look again
    const member = await tx.member.findUniqueOrThrow({ where: { id: match.memberId }, select: { id: true, migrationId: true, balance: true } });
    const migrationId = member.migrationId!;
    await postEntry(tx, {
      shopId: shop.id,
      memberId: member.id,
      migrationId,
      kind: "restore",
      points: 0,
      idempotencyKey: idempotencyKey.restore(migrationId, member.id),
      sourceRef,
      reason: `pending points made visible: matched by ${match.key}`,
      occurredAt: restoredAt,
    });
    return { outcome: "restored", memberId: member.id, migrationId, matchedBy: match.key, points: member.balance };
  }
  throw new Error(`customer ${customer.platformId}: lost the race for a pending member three times`);
}

/** Keeps the snapshot fresh with the customer just read (the writer never rolls a row back to an older version). */
export async function upsertCustomerSnapshot(shop: Pick<Shop, "id" | "platform" | "country">, customer: CustomerSnapshot): Promise<void> {
  await sharedSnapshotWriter().customers(shop.id, [customer], shopCountry(shop));
}

/** Pushes one member's balance; a failure throws (retryable) so the job runs again and pushes again. */
export async function pushMember(client: PlatformClient, memberId: string): Promise<BalanceWriteResult> {
  const pushed = await pushBalances(client, [memberId]);
  if (pushed.failed.length > 0) {
    throw new PlatformError(`could not push the balance of member ${memberId}: ${pushed.failed.map((f) => f.message).join("; ")}`, "UNAVAILABLE", true);
  }
  return pushed;
}

export interface RestoreInput {
  shop: Shop;
  customerId: string;
  /** The webhook topic that caused it (CUSTOMERS_CREATE, customer/created…), named in the memo's source. */
  topic: string;
  /** Defaults to the shop's installed client. */
  client?: PlatformClient;
  /**
   * Push the balance even when nothing changed now: a retry of a job whose earlier attempt may have
   * linked the member and then failed (or died) before its push.
   */
  repush?: boolean;
}

export async function restoreCustomer(input: RestoreInput): Promise<RestoreOutcome> {
  const client = input.client ?? (await platformClientFor(input.shop));
  const customer = await client.customer(input.customerId);
  if (!customer) return { outcome: "unknown-customer", reason: `the store has no customer ${input.customerId} (deleted since the event?)` };
  await upsertCustomerSnapshot(input.shop, customer);
  const linked = await withLedger((tx) => linkPendingMember(tx, input.shop, customer, `webhook ${topicLabel(input.topic)}`));
  const push = linked.outcome === "restored" || (linked.outcome === "already-visible" && input.repush === true);
  const pushed = push ? await pushMember(client, linked.memberId) : null;
  return { ...linked, pushed };
}
