import crypto from "node:crypto";
import prisma from "../../db.server";
import { readCookie, serializeCookie } from "./cookies.server";

/**
 * The OAuth `state` of a Nuvemshop install or sign-in (RFC 6749 §10.12, which Nuvemshop's docs point to):
 * 32 random bytes, sent to the authorize URL, kept in an HttpOnly cookie of the browser that started the
 * flow (so a callback from another browser — login CSRF — is refused) and, hashed, in `OAuthState` with an
 * expiry (so an unknown, expired or already used state is refused: the callback deletes the row, once).
 */
export const STATE_TTL_SECONDS = 10 * 60;
export const STATE_COOKIE = "carryover_nuvemshop_state";
const PLATFORM = "nuvemshop";

const hash = (state: string) => crypto.createHash("sha256").update(state, "utf8").digest("hex");

export async function createOAuthState(now = new Date()): Promise<{ state: string; expiresAt: Date }> {
  const state = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + STATE_TTL_SECONDS * 1000);
  // Leftovers of flows never finished are of no use once expired.
  await prisma.oAuthState.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.oAuthState.create({ data: { id: hash(state), platform: PLATFORM, expiresAt } });
  return { state, expiresAt };
}

export type StateCheck = "valid" | "unknown" | "expired" | "other-browser";

/**
 * Checks the callback's state against the browser's cookie, then consumes it: of two callbacks racing with
 * one state, only the one whose delete removed the row passes.
 */
export async function consumeOAuthState(state: string, cookieValue: string | null, now = new Date()): Promise<StateCheck> {
  const given = Buffer.from(state, "utf8");
  const kept = Buffer.from(cookieValue ?? "", "utf8");
  const sameBrowser = given.length === kept.length && crypto.timingSafeEqual(given, kept);
  const id = hash(state);
  const row = await prisma.oAuthState.findUnique({ where: { id } });
  if (!row || row.platform !== PLATFORM) return "unknown";
  if (!sameBrowser) return "other-browser"; // the row stays: the right browser may still come back with it
  const { count } = await prisma.oAuthState.deleteMany({ where: { id } });
  if (count !== 1) return "unknown";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "valid";
}

export function stateCookieFrom(request: Request): string | null {
  return readCookie(request, STATE_COOKIE);
}

export function stateCookie(state: string, secure: boolean): string {
  return serializeCookie(STATE_COOKIE, state, { path: "/nuvemshop", maxAgeSeconds: STATE_TTL_SECONDS, secure });
}

export function clearStateCookie(secure: boolean): string {
  return serializeCookie(STATE_COOKIE, "", { path: "/nuvemshop", maxAgeSeconds: 0, secure });
}
