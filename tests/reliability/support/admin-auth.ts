/**
 * Admin requests as a real browser sends them, for the reliability suite's tenant and security
 * checks: a Shopify store's embedded admin carries a session token (an HS256 JWT signed with the
 * app's secret, as App Bridge's are), a Nuvemshop store's admin carries the signed session cookie
 * Carryover issues after Nuvemshop's authorization flow (decision 0015). Both go through the one
 * real entry, requireAdmin (app/auth.server.ts). Imports no app module at load time.
 */
import crypto from "node:crypto";
import type { Shop } from "@prisma/client";
import { TEST_API_KEY, TEST_API_SECRET } from "../../support/test-env";

export const APP_ORIGIN = "http://127.0.0.1:3999";

const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8").toString("base64url");

/** A session token for this shop's admin, as App Bridge gets it from Shopify (valid for a minute). */
export function shopifySessionToken(shop: string, options: { secret?: string; now?: number; userId?: string } = {}): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const header = b64url({ alg: "HS256", typ: "JWT" });
  const payload = b64url({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: TEST_API_KEY,
    sub: options.userId ?? "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: crypto.randomUUID(),
    sid: crypto.randomUUID(),
  });
  const signature = crypto
    .createHmac("sha256", options.secret ?? TEST_API_SECRET)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export type AdminAuth = (url: string, init?: RequestInit) => Request;

/** Requests of a Shopify store's embedded admin: `Authorization: Bearer <session token>`. */
export function shopifyAdmin(shopDomain: string): AdminAuth {
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${shopifySessionToken(shopDomain)}`);
    return new Request(new URL(url, APP_ORIGIN), { ...init, headers });
  };
}

/** Requests of a Nuvemshop store's admin tab: the signed session cookie of this install. */
export async function nuvemshopAdmin(shop: Shop): Promise<AdminAuth> {
  const { ADMIN_SESSION_COOKIE, adminSessionValue } = await import("~/services/nuvemshop/admin-session.server");
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", `${ADMIN_SESSION_COOKIE}=${encodeURIComponent(adminSessionValue(shop))}`);
    return new Request(new URL(url, APP_ORIGIN), { ...init, headers });
  };
}
