import prisma from "../../db.server";
import type { BalanceWriteResult, PlatformClient } from "../../platforms/platform-client";

/**
 * Pushes the current balance (the ledger's projection), tier and restore date of members to the
 * store: Shopify `$app` metafields, Nuvemshop metafields. Only visible members — those linked to a
 * customer of the store — are pushed; pending members stay invisible until they register. The
 * value written is always the member's whole balance, so pushing twice, or after a crash, converges.
 */
const CHUNK = 250;

export async function pushBalances(client: PlatformClient, memberIds: readonly string[]): Promise<BalanceWriteResult> {
  const total: BalanceWriteResult = { written: 0, failed: [] };
  for (let i = 0; i < memberIds.length; i += CHUNK) {
    const members = await prisma.member.findMany({
      where: { id: { in: memberIds.slice(i, i + CHUNK) }, state: "visible", platformCustomerId: { not: null }, redactedAt: null },
      select: { platformCustomerId: true, balance: true, tier: true, restoredAt: true },
    });
    if (members.length === 0) continue;
    const result = await client.writeBalances(
      members.map((m) => ({ customerId: m.platformCustomerId!, points: m.balance, tier: m.tier, restoredAt: m.restoredAt?.toISOString() ?? null })),
    );
    total.written += result.written;
    total.failed.push(...result.failed);
  }
  return total;
}
