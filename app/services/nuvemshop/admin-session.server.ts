import crypto from "node:crypto";
import type { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import { decodeKey, env } from "../../env.server";
import { offlineSessionId } from "../../platforms/platform-client.server";
import { sessionStorage } from "../../shopify.server";
import { findShop } from "../shops.server";
import { readCookie, serializeCookie } from "./cookies.server";

/**
 * The admin session of a Nuvemshop store (decision 0015). Carryover is an *external*
 * Nuvemshop app (its admin is Polaris, not Nexo + Nimbus, so it opens in its own tab rather than in the
 * Nuvemshop admin's iframe), and Nuvemshop's documented way to sign an external app's user in is to run the
 * authorization flow again and trust the store id (`user_id`) that comes with the token. After that flow,
 * Carryover issues this cookie:
 *
 *   `v1.<base64url JSON { sid: store id, gen: install generation, iat, exp }>.<base64url HMAC-SHA256>`
 *
 * HttpOnly, SameSite=Lax, Secure over https, one hour. The HMAC key is derived (HKDF) from
 * CARRYOVER_ENCRYPTION_KEY for this one use. `gen` is the shop's `installedAt`: an uninstall, or an
 * uninstall and a new install, ends every session issued before.
 */
export const ADMIN_SESSION_COOKIE = "carryover_nuvemshop_admin";
export const ADMIN_SESSION_TTL_SECONDS = 60 * 60;
const VERSION = "v1";

let derivedKey: Buffer | undefined;
function sessionKey(): Buffer {
  derivedKey ??= Buffer.from(
    crypto.hkdfSync("sha256", decodeKey(env().CARRYOVER_ENCRYPTION_KEY)!, "carryover", "nuvemshop admin session v1", 32),
  );
  return derivedKey;
}

const sign = (payload: string) => crypto.createHmac("sha256", sessionKey()).update(`${VERSION}.${payload}`, "utf8").digest("base64url");

interface SessionClaims {
  sid: string;
  gen: number;
  iat: number;
  exp: number;
}

export function generationOf(shop: Pick<Shop, "installedAt">): number {
  return shop.installedAt.getTime();
}

/** The cookie's value for this shop's current install, valid for `ttlSeconds` from `now`. */
export function adminSessionValue(shop: Pick<Shop, "domain" | "installedAt">, now = new Date(), ttlSeconds = ADMIN_SESSION_TTL_SECONDS): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: SessionClaims = { sid: shop.domain, gen: generationOf(shop), iat, exp: iat + ttlSeconds };
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${VERSION}.${payload}.${sign(payload)}`;
}

export function adminSessionCookie(shop: Pick<Shop, "domain" | "installedAt">, secure: boolean, now = new Date()): string {
  return serializeCookie(ADMIN_SESSION_COOKIE, adminSessionValue(shop, now), { path: "/", maxAgeSeconds: ADMIN_SESSION_TTL_SECONDS, secure });
}

export function clearAdminSessionCookie(secure: boolean): string {
  return serializeCookie(ADMIN_SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure });
}

export type SessionCheck = { outcome: "valid"; claims: SessionClaims } | { outcome: "expired"; claims: SessionClaims } | { outcome: "invalid" };

/** Signature first (timing-safe), then shape, then expiry. */
export function checkAdminSessionValue(value: string, now = new Date()): SessionCheck {
  const [version, payload, signature, ...rest] = value.split(".");
  if (version !== VERSION || !payload || !signature || rest.length > 0) return { outcome: "invalid" };
  const expected = Buffer.from(sign(payload), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { outcome: "invalid" };
  let claims: SessionClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SessionClaims;
  } catch {
    return { outcome: "invalid" };
  }
  if (typeof claims.sid !== "string" || !/^\d+$/.test(claims.sid) || !Number.isSafeInteger(claims.gen) || !Number.isSafeInteger(claims.exp)) return { outcome: "invalid" };
  return claims.exp * 1000 <= now.getTime() ? { outcome: "expired", claims } : { outcome: "valid", claims };
}

export type NuvemshopAdmin =
  | { outcome: "none" }
  | { outcome: "signed-in"; shop: Shop; session: Session }
  /** `reauthenticate`: a genuine session that ran out (or an older install's): signing in again fixes it. */
  | { outcome: "refused"; status: 401 | 403; reason: string; reauthenticate: boolean };

/**
 * The Nuvemshop store an admin request is signed in to, from the session cookie: `none` without the
 * cookie (the request is someone else's to authenticate: Shopify's, or the demo's).
 */
export async function resolveNuvemshopAdmin(request: Request, now = new Date()): Promise<NuvemshopAdmin> {
  const value = readCookie(request, ADMIN_SESSION_COOKIE);
  if (!value) return { outcome: "none" };
  const check = checkAdminSessionValue(value, now);
  if (check.outcome === "invalid") return { outcome: "refused", status: 401, reason: "The Nuvemshop session is not valid.", reauthenticate: false };
  if (check.outcome === "expired") return { outcome: "refused", status: 401, reason: "The Nuvemshop session has expired.", reauthenticate: true };
  const { sid, gen } = check.claims;
  // A request that names a store must name this one: a session never stands in for another store.
  const named = new URL(request.url).searchParams.get("store");
  if (named !== null && named !== sid) return { outcome: "refused", status: 403, reason: "This Nuvemshop session belongs to another store.", reauthenticate: false };
  const shop = await findShop("nuvemshop", sid);
  if (!shop || shop.uninstalledAt) return { outcome: "refused", status: 401, reason: "Carryover is not installed on this Nuvemshop store.", reauthenticate: false };
  if (generationOf(shop) !== gen) return { outcome: "refused", status: 401, reason: "The Nuvemshop session belongs to an earlier install.", reauthenticate: true };
  const session = await sessionStorage.loadSession(offlineSessionId("nuvemshop", sid));
  if (!session?.accessToken) return { outcome: "refused", status: 401, reason: "Carryover holds no access token for this Nuvemshop store.", reauthenticate: true };
  return { outcome: "signed-in", shop, session };
}
