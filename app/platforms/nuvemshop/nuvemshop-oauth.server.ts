/**
 * Nuvemshop / Tiendanube OAuth 2 (authorization code, the only grant it supports), as documented in
 * https://tiendanube.github.io/api-documentation/authentication and the older
 * github.com/TiendaNube/api-docs resources/authentication.md:
 *
 *   1. the merchant goes to `{origin}/apps/{app_id}/authorize?state=…` (the redirect URL is set in the
 *      Partner Portal, not passed here);
 *   2. Nuvemshop redirects to the app's redirect URL with `?code=…&state=…` (the code expires in minutes);
 *   3. the app POSTs `{ client_id, client_secret, grant_type: "authorization_code", code }` to
 *      `{origin}/apps/authorize/token` and gets `{ access_token, token_type: "bearer", scope, user_id }`,
 *      where `user_id` is the store id. Tokens do not expire; a new one replaces the old one.
 *
 * `origin` is https://www.tiendanube.com (the nuvemshop.com.br domain is the same service); the emulator's
 * URL in tests and the demo.
 */

export interface NuvemshopGrant {
  accessToken: string;
  /** The store the token belongs to (`user_id`). */
  storeId: string;
  /** Granted scopes, e.g. ["read_customers", "write_customers", "read_orders"]. */
  scopes: string[];
}

export class NuvemshopOAuthError extends Error {
  constructor(
    message: string,
    /** `refused`: the code or the app's credentials were not accepted (a new authorization is needed); `unavailable`: try again. */
    readonly kind: "refused" | "unavailable",
  ) {
    super(message);
    this.name = "NuvemshopOAuthError";
  }
}

export function authorizeUrl(input: { origin: string; appId: string; state: string }): string {
  const url = new URL(`${input.origin.replace(/\/+$/, "")}/apps/${encodeURIComponent(input.appId)}/authorize`);
  url.searchParams.set("state", input.state);
  return url.toString();
}

/** Scopes are read or write per resource, and "if you ask for any write scope, the read scope is implied". */
export function hasScope(scopes: string[], resource: string): boolean {
  return scopes.includes(`read_${resource}`) || scopes.includes(`write_${resource}`);
}

export async function exchangeCode(input: {
  origin: string;
  clientId: string;
  clientSecret: string;
  code: string;
  userAgent: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<NuvemshopGrant> {
  const doFetch = input.fetch ?? fetch;
  const url = `${input.origin.replace(/\/+$/, "")}/apps/authorize/token`;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": input.userAgent },
      body: JSON.stringify({ client_id: input.clientId, client_secret: input.clientSecret, grant_type: "authorization_code", code: input.code }),
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new NuvemshopOAuthError(`the Nuvemshop token endpoint could not be reached: ${error instanceof Error ? error.message : String(error)}`, "unavailable");
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text.trim() ? JSON.parse(text) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: described below by the status
  }
  if (res.status >= 500 || res.status === 429) throw new NuvemshopOAuthError(`the Nuvemshop token endpoint answered HTTP ${res.status}`, "unavailable");
  // The error shape is not documented; RFC 6749 §5.2's `{ error, error_description }` is read, whatever the status.
  const described = [body.error, body.error_description, body.description].filter((v) => typeof v === "string").join(": ");
  if (res.status !== 200 || typeof body.error === "string") {
    throw new NuvemshopOAuthError(`Nuvemshop refused the authorization code (HTTP ${res.status}${described ? `, ${described}` : ""})`, "refused");
  }
  const accessToken = body.access_token;
  const userId = body.user_id;
  const tokenType = body.token_type;
  if (typeof accessToken !== "string" || !accessToken) throw new NuvemshopOAuthError("the Nuvemshop token answer has no access_token", "refused");
  if ((typeof userId !== "string" && typeof userId !== "number") || !/^\d+$/.test(String(userId))) {
    throw new NuvemshopOAuthError("the Nuvemshop token answer has no numeric user_id (the store id)", "refused");
  }
  if (typeof tokenType === "string" && tokenType.toLowerCase() !== "bearer") {
    throw new NuvemshopOAuthError(`the Nuvemshop token answer has token_type ${tokenType}, not bearer`, "refused");
  }
  const scopes = typeof body.scope === "string" ? body.scope.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean) : [];
  return { accessToken, storeId: String(userId), scopes };
}
