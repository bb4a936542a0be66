import { shopifyGid } from "~domain/identity";
import prisma from "../../db.server";
import { findShop } from "../shops.server";

/**
 * What the storefront widget shows, as the app proxy answers it. Version it: themes cache the
 * extension's script, and an old script may meet a newer answer.
 *
 * - `member`: the signed-in customer is a Carryover member of this shop: their balance (the ledger's
 *   projection), tier, state, and whether their points were restored from the old program
 *   (`restored`, `restoredAt`: set when a pending member was linked on registration).
 * - `none`: signed in, but no points are linked to this customer.
 * - `signed_out`: no customer; never any personal data. `programActive` says whether this shop carried
 *   points over at all (members exist), so the widget only invites visitors where points can wait.
 *   There is no lookup by e-mail: a visitor cannot ask whether an address has points.
 */
export type StorefrontPointsView =
  | {
      version: 1;
      view: "member";
      signedIn: true;
      balance: number;
      tier: string | null;
      state: "pending" | "visible";
      restored: boolean;
      restoredAt: string | null;
    }
  | { version: 1; view: "none"; signedIn: true; balance: 0; tier: null; state: null; restored: false; restoredAt: null }
  | { version: 1; view: "signed_out"; signedIn: false; pendingPointsWaitForYou: true; programActive: boolean };

/**
 * The view for one verified proxy request. `customerId` is Shopify's numeric `logged_in_customer_id`,
 * taken only from a request whose signature was checked; the member is looked up by that shop and
 * that customer only. Null when the shop is not (or no longer) installed.
 */
export async function storefrontPointsView(input: { shopDomain: string; customerId: string | null }): Promise<StorefrontPointsView | null> {
  const shop = await findShop("shopify", input.shopDomain);
  if (!shop || shop.uninstalledAt) return null;

  if (input.customerId === null) {
    const anyMember = await prisma.member.findFirst({ where: { shopId: shop.id, redactedAt: null }, select: { id: true } });
    return { version: 1, view: "signed_out", signedIn: false, pendingPointsWaitForYou: true, programActive: anyMember !== null };
  }

  const member = await prisma.member.findUnique({
    where: { shopId_platformCustomerId: { shopId: shop.id, platformCustomerId: shopifyGid("Customer", input.customerId) } },
    select: { balance: true, tier: true, state: true, restoredAt: true, redactedAt: true },
  });
  if (!member || member.redactedAt) {
    return { version: 1, view: "none", signedIn: true, balance: 0, tier: null, state: null, restored: false, restoredAt: null };
  }
  return {
    version: 1,
    view: "member",
    signedIn: true,
    balance: member.balance,
    tier: member.tier,
    state: member.state === "pending" ? "pending" : "visible",
    restored: member.restoredAt !== null,
    restoredAt: member.restoredAt?.toISOString() ?? null,
  };
}
