import { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import prisma from "../../db.server";
import { PlatformError } from "../../platforms/platform-client";
import { authorizeUrl, exchangeCode, hasScope, NuvemshopOAuthError } from "../../platforms/nuvemshop/nuvemshop-oauth.server";
import { fetchStoreInfo } from "../../platforms/nuvemshop/nuvemshop-store.server";
import { offlineSessionId } from "../../platforms/platform-client.server";
import { sessionStorage } from "../../shopify.server";
import { findShop, recordInstall } from "../shops.server";
import { adminSessionCookie } from "./admin-session.server";
import { nuvemshopAppConfig, nuvemshopRest, nuvemshopWebhookUrl } from "./config.server";
import { clearStateCookie, consumeOAuthState, createOAuthState, stateCookie } from "./oauth-state.server";
import { ensureWebhookSubscriptions, SubscriptionError, type SubscriptionSummary } from "./webhook-subscriptions.server";
import { associateNuvemshopScript } from "../storefront/nuvemshop-script.server";

/** The resources Carryover reads (customers to restore members, orders to earn points). */
export const REQUIRED_RESOURCES = ["customers", "orders"] as const;

/**
 * Start of a Nuvemshop install or sign-in (the same flow: Nuvemshop skips the consent page when the store
 * has already authorized the app): a fresh single-use state, kept in this browser's cookie, and the
 * authorize URL to send the merchant to.
 */
export async function startNuvemshopAuthorization(now = new Date()): Promise<{ location: string; setCookie: string }> {
  const config = nuvemshopAppConfig();
  const { state } = await createOAuthState(now);
  return { location: authorizeUrl({ origin: config.oauthOrigin, appId: config.appId, state }), setCookie: stateCookie(state, config.secureCookies) };
}

export type RefusalProblem = "state" | "code" | "scopes" | "store";

export type AuthorizationOutcome =
  | { outcome: "signed-in"; shop: Shop; installed: "first" | "again" | "already"; subscriptions: SubscriptionSummary; setCookies: string[] }
  /** A code Carryover did not ask for (an install started from Nuvemshop's app store): start our own flow. */
  | { outcome: "restart" }
  /** `problem`: what the merchant is told (the state, the code, the scopes, the store); `reason`: the details. */
  | { outcome: "refused"; status: 400 | 403; problem: RefusalProblem; reason: string; setCookies: string[] }
  | { outcome: "unavailable"; reason: string; setCookies: string[] };

/**
 * The redirect back from Nuvemshop: check and consume the state, exchange the code at the token
 * endpoint, read the store (its id must be the token's `user_id`), store the token sealed (the offline
 * session), record the shop with its name, country, language and currency, make sure every webhook is
 * subscribed, and issue the admin session. Running it again (a re-install, a sign-in) changes nothing
 * but the token, which Nuvemshop replaces on every authorization.
 */
export async function completeNuvemshopAuthorization(input: { code: string | null; state: string | null; stateCookie: string | null; now?: Date }): Promise<AuthorizationOutcome> {
  const config = nuvemshopAppConfig();
  const now = input.now ?? new Date();
  const clear = [clearStateCookie(config.secureCookies)];
  const refused = (status: 400 | 403, problem: RefusalProblem, reason: string): AuthorizationOutcome => ({ outcome: "refused", status, problem, reason, setCookies: clear });

  if (!input.state) return input.code ? { outcome: "restart" } : refused(400, "state", "The callback carries neither a code nor a state.");
  const check = await consumeOAuthState(input.state, input.stateCookie, now);
  if (check === "unknown") return refused(403, "state", "Unknown or already used state: start the installation again.");
  if (check === "other-browser") return refused(403, "state", "The state was issued to another browser: start the installation again.");
  if (check === "expired") return refused(403, "state", "The installation took too long (the state expired): start it again.");
  if (!input.code) return refused(400, "code", "Nuvemshop sent no authorization code.");

  let grant;
  try {
    grant = await exchangeCode({ origin: config.oauthOrigin, clientId: config.appId, clientSecret: config.appSecret, code: input.code, userAgent: config.userAgent });
  } catch (error) {
    if (error instanceof NuvemshopOAuthError && error.kind === "refused") return refused(403, "code", error.message);
    return { outcome: "unavailable", reason: error instanceof Error ? error.message : String(error), setCookies: clear };
  }
  const missing = REQUIRED_RESOURCES.filter((resource) => !hasScope(grant.scopes, resource));
  if (missing.length) return refused(403, "scopes", `The app was authorized without access to ${missing.join(" and ")} (granted: ${grant.scopes.join(", ") || "none"}).`);

  const rest = nuvemshopRest(grant.storeId, grant.accessToken);
  let info;
  try {
    info = await fetchStoreInfo(rest);
  } catch (error) {
    if (error instanceof PlatformError && !error.retryable) return refused(403, "store", `Nuvemshop would not show the store to the new token: ${error.message}`);
    return { outcome: "unavailable", reason: error instanceof Error ? error.message : String(error), setCookies: clear };
  }
  if (info.id !== grant.storeId) return refused(403, "store", `The token is for store ${grant.storeId} but the API answered for store ${info.id}.`);

  const before = await findShop("nuvemshop", grant.storeId);
  const installed = !before ? "first" : before.uninstalledAt ? "again" : "already";
  // A sign-in of an installed store keeps its install generation (and so its other admins' sessions);
  // a first install or a re-install starts a new one.
  await sessionStorage.storeSession(
    new Session({ id: offlineSessionId("nuvemshop", grant.storeId), shop: grant.storeId, state: "offline", isOnline: false, scope: grant.scopes.join(","), accessToken: grant.accessToken }),
  );
  let shop = before && installed === "already" ? before : await recordInstall({ platform: "nuvemshop", domain: grant.storeId });
  shop = await prisma.shop.update({
    where: { id: shop.id },
    data: { name: info.name, country: info.country, locale: info.mainLanguage, currency: info.mainCurrency },
  });

  let subscriptions: SubscriptionSummary;
  try {
    subscriptions = await ensureWebhookSubscriptions(rest, nuvemshopWebhookUrl(config));
  } catch (error) {
    // The token is stored and the shop recorded: signing in again finishes the subscriptions.
    const reason = error instanceof SubscriptionError || error instanceof PlatformError ? error.message : String(error);
    return { outcome: "unavailable", reason: `The webhooks could not be registered: ${reason}`, setCookies: clear };
  }
  // The storefront widget's script (decision 0016), when configured; it never fails the install.
  await associateNuvemshopScript(rest, config.appUrl);
  return { outcome: "signed-in", shop, installed, subscriptions, setCookies: [...clear, adminSessionCookie(shop, config.secureCookies, now)] };
}
