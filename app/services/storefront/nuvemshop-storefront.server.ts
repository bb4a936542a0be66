import type { Shop } from "@prisma/client";
import prisma from "../../db.server";
import { env } from "../../env.server";
import { offlineSessionId } from "../../platforms/platform-client.server";
import { sessionStorage } from "../../shopify.server";
import { nuvemshopRest } from "../nuvemshop/config.server";
import { generationOf } from "../nuvemshop/admin-session.server";
import { findShop } from "../shops.server";
import { mailConfigured, sendMail } from "./nuvemshop-mail.server";
import { fill, WIDGET_STRINGS, type WidgetLocale } from "./nuvemshop-strings.server";
import {
  ACCESS_TTL_SECONDS,
  CHALLENGE_TTL_SECONDS,
  codeHash,
  displayCode,
  emailHash,
  newCode,
  newNonce,
  PROOF_TTL_SECONDS,
  readToken,
  sameHash,
  signToken,
  type StorefrontClaims,
  type TokenKind,
} from "./nuvemshop-tokens.server";
import type { StorefrontPointsView } from "./points-view.server";
import { TokenBucketLimiter } from "./rate-limit.server";

/**
 * The Nuvemshop storefront widget's server side (decision 0016). Nuvemshop's storefront scripts get the
 * signed-in customer only as `LS.customer`, a number in the page that any visitor can change: nothing the
 * platform gives a script can be checked by the app. So a balance is shown only to a browser that proved
 * the account's e-mail address with a one-time code mailed to the address Nuvemshop holds for that
 * customer, and from then on carries signed tokens bound to the store, the customer and the install.
 *
 * What a request without a token gets is the same for every customer id: whether the store carried points
 * over at all, never whether this customer has any.
 */
export type NuvemshopStorefrontView =
  | Exclude<StorefrontPointsView, { view: "signed_out" }>
  | {
      version: 1;
      view: "signed_out";
      signedIn: false;
      pendingPointsWaitForYou: true;
      programActive: boolean;
      /** Whether a signed-in customer can be sent a code (mail is configured on this server). */
      verification: "email" | "unavailable";
    };

export type Refusal =
  | "malformed"
  | "tampered"
  | "expired"
  | "other-store"
  | "other-customer"
  | "other-install"
  | "wrong-code"
  | "email-changed";

type Unavailable = { outcome: "not-configured" } | { outcome: "not-installed" };
type Refused = { outcome: "refused"; reason: Refusal };
type Limited = { outcome: "rate-limited"; retryAfterSeconds: number };

/** Codes mailed per customer: three at once, then one every five minutes (this instance). */
export const CODE_RATE = { capacity: 3, refillPerSecond: 1 / 300 } as const;
const codeLimiter = new TokenBucketLimiter(CODE_RATE);
/** Tries per challenge: five (this instance); a new code is a new challenge. */
export const ATTEMPTS_PER_CHALLENGE = 5;
const attemptLimiter = new TokenBucketLimiter({ capacity: ATTEMPTS_PER_CHALLENGE, refillPerSecond: 1 / CHALLENGE_TTL_SECONDS });

function appSecret(): string | null {
  return env().NUVEMSHOP_APP_SECRET ?? null;
}

async function installedStore(storeId: string): Promise<Shop | null> {
  const shop = await findShop("nuvemshop", storeId);
  return shop && !shop.uninstalledAt ? shop : null;
}

async function programActive(shopId: string): Promise<boolean> {
  return (await prisma.member.findFirst({ where: { shopId, redactedAt: null }, select: { id: true } })) !== null;
}

/** What the widget shows before any token: the same for every visitor and every customer id. */
export async function nuvemshopAnonymousView(input: { storeId: string }): Promise<Unavailable | { outcome: "view"; view: NuvemshopStorefrontView }> {
  if (!appSecret()) return { outcome: "not-configured" };
  const shop = await installedStore(input.storeId);
  if (!shop) return { outcome: "not-installed" };
  return {
    outcome: "view",
    view: { version: 1, view: "signed_out", signedIn: false, pendingPointsWaitForYou: true, programActive: await programActive(shop.id), verification: mailConfigured() ? "email" : "unavailable" },
  };
}

/** The customer's e-mail as Nuvemshop holds it: the snapshot (kept by webhooks and syncs), else the API. */
async function customerEmail(shop: Shop, customerId: string): Promise<{ outcome: "found"; email: string | null } | { outcome: "failed"; reason: string }> {
  const snapshot = await prisma.platformCustomer.findUnique({ where: { shopId_platformId: { shopId: shop.id, platformId: customerId } }, select: { email: true } });
  if (snapshot) return { outcome: "found", email: snapshot.email?.trim() || null };
  const session = await sessionStorage.loadSession(offlineSessionId("nuvemshop", shop.domain));
  if (!session?.accessToken) return { outcome: "failed", reason: "no access token for the store" };
  try {
    const res = await nuvemshopRest(shop.domain, session.accessToken, { quick: true }).get<Record<string, unknown>>(`/customers/${customerId}`, { query: { fields: "id,email" }, accept: [404] });
    if (res.status === 404) return { outcome: "found", email: null };
    const email = res.body?.email;
    return { outcome: "found", email: typeof email === "string" && email.trim() ? email.trim() : null };
  } catch (error) {
    return { outcome: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

export type CodeRequest = Unavailable | Limited | { outcome: "mail-unavailable" } | { outcome: "sent"; challenge: string; expiresAt: string };

/**
 * Mails a one-time code to the address Nuvemshop holds for this customer, and answers the challenge the
 * code belongs to. The answer is the same whether or not the customer exists, has an address or has
 * points: a customer without an address simply never receives a code.
 */
export async function requestNuvemshopCode(input: { storeId: string; customerId: string; locale: WidgetLocale; now?: Date }): Promise<CodeRequest> {
  const secret = appSecret();
  if (!secret) return { outcome: "not-configured" };
  const shop = await installedStore(input.storeId);
  if (!shop) return { outcome: "not-installed" };
  if (!mailConfigured()) return { outcome: "mail-unavailable" };
  const rate = codeLimiter.take(`${input.storeId}:${input.customerId}`);
  if (!rate.allowed) return { outcome: "rate-limited", retryAfterSeconds: rate.retryAfterSeconds };

  const now = input.now ?? new Date();
  const found = await customerEmail(shop, input.customerId);
  if (found.outcome === "failed") {
    console.warn(`[storefront] could not read Nuvemshop customer ${input.customerId} of store ${input.storeId}: ${found.reason}`);
    return { outcome: "mail-unavailable" };
  }
  const code = newCode();
  const nonce = newNonce();
  const iat = Math.floor(now.getTime() / 1000);
  const claims: StorefrontClaims = {
    sid: input.storeId,
    cid: input.customerId,
    gen: generationOf(shop),
    iat,
    exp: iat + CHALLENGE_TTL_SECONDS,
    // No address, no mail: the challenge still looks the same, and no code can ever match it.
    eh: found.email ? emailHash(secret, found.email) : emailHash(secret, nonce),
    n: nonce,
    h: found.email ? codeHash(secret, nonce, code) : codeHash(secret, nonce, newNonce()),
  };
  if (found.email) {
    const t = WIDGET_STRINGS[input.locale].verify;
    const values = { store: shop.name ?? input.storeId, code: displayCode(code), minutes: CHALLENGE_TTL_SECONDS / 60 };
    const sent = await sendMail({ to: found.email, subject: fill(t.email_subject, values), text: fill(t.email_body, values) });
    if (sent.outcome !== "sent") {
      console.warn(`[storefront] the code for customer ${input.customerId} of store ${input.storeId} was not sent: ${sent.outcome === "failed" ? sent.reason : "no mail transport"}`);
      return { outcome: "mail-unavailable" };
    }
  }
  return { outcome: "sent", challenge: signToken("challenge", claims, secret), expiresAt: new Date(claims.exp * 1000).toISOString() };
}

/** A token of `kind`, read and bound to this store, this customer and the store's current install. */
async function boundClaims(
  kind: TokenKind,
  token: string,
  input: { storeId: string; customerId: string; now?: Date },
): Promise<Unavailable | Refused | { outcome: "bound"; claims: StorefrontClaims; shop: Shop; secret: string }> {
  const secret = appSecret();
  if (!secret) return { outcome: "not-configured" };
  const check = readToken(kind, token, secret, input.now ?? new Date());
  if (check.outcome === "refused") return check;
  const { claims } = check;
  if (claims.sid !== input.storeId) return { outcome: "refused", reason: "other-store" };
  if (claims.cid !== input.customerId) return { outcome: "refused", reason: "other-customer" };
  const shop = await installedStore(input.storeId);
  if (!shop || generationOf(shop) !== claims.gen) return { outcome: "refused", reason: "other-install" };
  return { outcome: "bound", claims, shop, secret };
}

function issue(kind: "proof" | "access", from: StorefrontClaims, now: Date, secret: string): { token: string; expiresAt: string } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + (kind === "proof" ? PROOF_TTL_SECONDS : ACCESS_TTL_SECONDS);
  const claims: StorefrontClaims = { sid: from.sid, cid: from.cid, gen: from.gen, iat, exp, ...(kind === "proof" && from.eh ? { eh: from.eh } : {}) };
  return { token: signToken(kind, claims, secret), expiresAt: new Date(exp * 1000).toISOString() };
}

export type Verification = Unavailable | Refused | Limited | { outcome: "verified"; proof: string; proofExpiresAt: string; access: string; accessExpiresAt: string };

/** The code the customer typed, against the challenge it was mailed with: a proof and a first access token. */
export async function verifyNuvemshopCode(input: { storeId: string; customerId: string; challenge: string; code: string; now?: Date }): Promise<Verification> {
  const now = input.now ?? new Date();
  const bound = await boundClaims("challenge", input.challenge, { ...input, now });
  if (bound.outcome !== "bound") return bound;
  const { claims, secret } = bound;
  if (!claims.n || !claims.h) return { outcome: "refused", reason: "malformed" };
  const tries = attemptLimiter.take(claims.n);
  if (!tries.allowed) return { outcome: "rate-limited", retryAfterSeconds: tries.retryAfterSeconds };
  if (!sameHash(codeHash(secret, claims.n, input.code), claims.h)) return { outcome: "refused", reason: "wrong-code" };
  const proof = issue("proof", claims, now, secret);
  const access = issue("access", claims, now, secret);
  return { outcome: "verified", proof: proof.token, proofExpiresAt: proof.expiresAt, access: access.token, accessExpiresAt: access.expiresAt };
}

export type Exchange = Unavailable | Refused | { outcome: "issued"; access: string; accessExpiresAt: string };

/**
 * A proof for a short-lived access token. Refused once the customer's e-mail address is no longer the one
 * the code went to (the snapshot follows customer/updated webhooks), or after an uninstall.
 */
export async function exchangeNuvemshopProof(input: { storeId: string; customerId: string; proof: string; now?: Date }): Promise<Exchange> {
  const now = input.now ?? new Date();
  const bound = await boundClaims("proof", input.proof, { ...input, now });
  if (bound.outcome !== "bound") return bound;
  const { claims, shop, secret } = bound;
  const snapshot = await prisma.platformCustomer.findUnique({ where: { shopId_platformId: { shopId: shop.id, platformId: input.customerId } }, select: { email: true } });
  if (snapshot?.email && (!claims.eh || !sameHash(emailHash(secret, snapshot.email), claims.eh))) return { outcome: "refused", reason: "email-changed" };
  const access = issue("access", claims, now, secret);
  return { outcome: "issued", access: access.token, accessExpiresAt: access.expiresAt };
}

export type MemberView = Unavailable | Refused | { outcome: "view"; view: NuvemshopStorefrontView };

/** The signed-in customer's points, for an access token bound to this store and this customer. */
export async function nuvemshopMemberView(input: { storeId: string; customerId: string; access: string; now?: Date }): Promise<MemberView> {
  const bound = await boundClaims("access", input.access, input);
  if (bound.outcome !== "bound") return bound;
  const member = await prisma.member.findUnique({
    where: { shopId_platformCustomerId: { shopId: bound.shop.id, platformCustomerId: input.customerId } },
    select: { balance: true, tier: true, state: true, restoredAt: true, redactedAt: true },
  });
  if (!member || member.redactedAt) {
    return { outcome: "view", view: { version: 1, view: "none", signedIn: true, balance: 0, tier: null, state: null, restored: false, restoredAt: null } };
  }
  return {
    outcome: "view",
    view: {
      version: 1,
      view: "member",
      signedIn: true,
      balance: member.balance,
      tier: member.tier,
      state: member.state === "pending" ? "pending" : "visible",
      restored: member.restoredAt !== null,
      restoredAt: member.restoredAt?.toISOString() ?? null,
    },
  };
}
