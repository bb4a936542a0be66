import crypto from "node:crypto";

/**
 * The Nuvemshop storefront widget's signed tokens (decision 0016). Nuvemshop gives a storefront script
 * nothing the app can check (`LS.customer` is a number any visitor can set in their own browser), so
 * the customer proves the account's e-mail with a one-time code, and everything after that is carried
 * by these tokens, each `<kind>.<base64url JSON claims>.<base64url HMAC-SHA256>`:
 *
 * - `nsc1` challenge (10 minutes): issued when a code is mailed. It holds the code only as an HMAC
 *   (`h`, keyed, so the browser that holds the challenge cannot try codes offline) and the hash of the
 *   address it went to (`eh`).
 * - `nsp1` proof (30 days): the customer proved the e-mail. Kept in the store page's localStorage and
 *   only ever sent to the token endpoint.
 * - `nsa1` access (10 minutes): what the balance endpoint accepts.
 *
 * Every token is bound to the store id (`sid`), the customer id (`cid`) and the store's install
 * generation (`gen`: an uninstall ends them all). Each kind has its own key, derived with HKDF from the
 * Nuvemshop app secret for that use only, so no token of one kind is ever accepted as another.
 */
export const CHALLENGE_TTL_SECONDS = 10 * 60;
export const PROOF_TTL_SECONDS = 30 * 24 * 60 * 60;
export const ACCESS_TTL_SECONDS = 10 * 60;

export type TokenKind = "challenge" | "proof" | "access";
const PREFIX: Record<TokenKind, string> = { challenge: "nsc1", proof: "nsp1", access: "nsa1" };

export interface StorefrontClaims {
  /** Nuvemshop store id. */
  sid: string;
  /** Nuvemshop customer id. */
  cid: string;
  /** The store's install generation (Shop.installedAt in ms). */
  gen: number;
  iat: number;
  exp: number;
  /** Keyed hash of the e-mail address the code went to (challenge, proof). */
  eh?: string;
  /** Challenge nonce. */
  n?: string;
  /** Keyed hash of the nonce and the code (challenge). */
  h?: string;
}

export type TokenCheck = { outcome: "valid"; claims: StorefrontClaims } | { outcome: "refused"; reason: "malformed" | "tampered" | "expired" };

const keys = new Map<string, Buffer>();
function key(secret: string, purpose: string): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let k = keys.get(id);
  if (!k) {
    k = Buffer.from(crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), "carryover", `nuvemshop storefront ${purpose} v1`, 32));
    keys.set(id, k);
  }
  return k;
}

const mac = (k: Buffer, text: string) => crypto.createHmac("sha256", k).update(text, "utf8").digest("base64url");

export function signToken(kind: TokenKind, claims: StorefrontClaims, secret: string): string {
  const prefix = PREFIX[kind];
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${prefix}.${payload}.${mac(key(secret, kind), `${prefix}.${payload}`)}`;
}

function isClaims(v: unknown): v is StorefrontClaims {
  if (!v || typeof v !== "object") return false;
  const c = v as Record<string, unknown>;
  const optionalString = (x: unknown) => x === undefined || typeof x === "string";
  return (
    typeof c.sid === "string" && /^\d{1,20}$/.test(c.sid) &&
    typeof c.cid === "string" && /^\d{1,20}$/.test(c.cid) &&
    Number.isSafeInteger(c.gen) && Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp) &&
    optionalString(c.eh) && optionalString(c.n) && optionalString(c.h)
  );
}

/** Signature first (timing-safe), then shape, then expiry. */
export function readToken(kind: TokenKind, token: string, secret: string, now = new Date()): TokenCheck {
  const [prefix, payload, signature, ...rest] = token.split(".");
  if (prefix !== PREFIX[kind] || !payload || !signature || rest.length > 0) return { outcome: "refused", reason: "malformed" };
  const expected = Buffer.from(mac(key(secret, kind), `${prefix}.${payload}`), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { outcome: "refused", reason: "tampered" };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { outcome: "refused", reason: "malformed" };
  }
  if (!isClaims(claims)) return { outcome: "refused", reason: "malformed" };
  if (claims.exp * 1000 <= now.getTime()) return { outcome: "refused", reason: "expired" };
  return { outcome: "valid", claims };
}

/** 32 symbols without 0/O and 1/I: eight of them carry 40 bits. Shown as `ABCD-EFGH`. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 8;

export function newCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What the customer typed, as the code was issued: upper case, spaces and dashes dropped. */
export function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export function newNonce(): string {
  return crypto.randomBytes(16).toString("base64url");
}

export function codeHash(secret: string, nonce: string, code: string): string {
  return mac(key(secret, "code"), `${nonce}.${normalizeCode(code)}`);
}

/** Keyed hash of an e-mail address (trimmed, lower-cased): tokens never carry the address itself. */
export function emailHash(secret: string, email: string): string {
  return mac(key(secret, "email"), email.trim().toLowerCase());
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
