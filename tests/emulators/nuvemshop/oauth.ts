// The app's authorization on the emulated store, as Nuvemshop documents it
// (https://tiendanube.github.io/api-documentation/authentication, github.com/TiendaNube/api-docs
// resources/authentication.md):
//   GET  /apps/{app_id}/authorize?state=…  the merchant authorizes (the emulator consents at once) and is
//                                          redirected to the app's redirect URL with ?code=…&state=…
//   POST /apps/authorize/token             { client_id, client_secret, grant_type: "authorization_code", code }
//                                          (JSON or form) → { access_token, token_type: "bearer", scope, user_id }
// Codes are single-use and expire (5 minutes in the current docs). Tokens do not expire, but "become invalid
// only after you get a new one, or if the user uninstalls your app": each exchange mints a new token that
// replaces the one the API accepts, and an uninstall leaves none.

import { randomBytes } from "node:crypto";

export const DEFAULT_SCOPE = "read_customers,write_customers,read_orders,write_scripts";
export const DEFAULT_CODE_TTL_MS = 5 * 60 * 1000;

export interface OAuthOptions {
  storeId: number;
  appId: number;
  appSecret: string;
  /** The token the API accepts before any authorization (the `accessToken` option). */
  initialToken: string;
  /** The app's redirect URL (set in the Partner Portal); without one, authorize answers 400. */
  redirectUrl: string | undefined;
  scope: string;
  codeTtlMs: number;
  /** Milliseconds clock (Date.now by default). */
  now?: () => number;
}

export type TokenAnswer = { status: 200; body: { access_token: string; token_type: "bearer"; scope: string; user_id: string } } | { status: 400 | 401; body: { error: string; error_description: string } };

export class OAuthState {
  /** The one token the API accepts now (null after an uninstall, until the app is authorized again). */
  token: string | null;
  tokensIssued = 0;
  codeTtlMs: number;
  private readonly codes = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly now: () => number;

  constructor(private readonly opts: OAuthOptions) {
    this.token = opts.initialToken;
    this.codeTtlMs = opts.codeTtlMs;
    this.now = opts.now ?? Date.now;
  }

  /** `GET /apps/{appId}/authorize`: the redirect to the app, or an error status and message. */
  authorize(appId: string, state: string | null): { status: 302; location: string; code: string } | { status: 400 | 404; message: string } {
    if (appId !== String(this.opts.appId)) return { status: 404, message: `No app with id ${appId}` };
    if (!this.opts.redirectUrl) return { status: 400, message: "The app has no redirect URL (emulator option redirectUrl or appUrl)" };
    const code = randomBytes(20).toString("hex");
    this.codes.set(code, { issuedAt: this.now(), used: false });
    const url = new URL(this.opts.redirectUrl);
    url.searchParams.set("code", code);
    if (state !== null) url.searchParams.set("state", state);
    return { status: 302, location: url.toString(), code };
  }

  /** `POST /apps/authorize/token`. */
  exchange(params: Record<string, unknown>): TokenAnswer {
    const fail = (status: 400 | 401, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description } });
    if (params.grant_type !== "authorization_code") return fail(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.");
    if (String(params.client_id ?? "") !== String(this.opts.appId) || params.client_secret !== this.opts.appSecret) return fail(401, "invalid_client", "Client authentication failed.");
    const code = typeof params.code === "string" ? params.code : "";
    const issued = this.codes.get(code);
    if (!issued) return fail(400, "invalid_grant", "The authorization code is invalid.");
    if (issued.used) return fail(400, "invalid_grant", "The authorization code has already been used.");
    if (this.now() - issued.issuedAt > this.codeTtlMs) return fail(400, "invalid_grant", "The authorization code has expired.");
    issued.used = true;
    this.token = `nuvemshop_token_${randomBytes(20).toString("hex")}`;
    this.tokensIssued += 1;
    return { status: 200, body: { access_token: this.token, token_type: "bearer", scope: this.opts.scope, user_id: String(this.opts.storeId) } };
  }

  /** The merchant uninstalls the app: no token works any more. */
  uninstall(): void {
    this.token = null;
  }

  status() {
    const now = this.now();
    return {
      token: this.token,
      tokensIssued: this.tokensIssued,
      codeTtlMs: this.codeTtlMs,
      codes: [...this.codes.entries()].map(([code, c]) => ({ code, used: c.used, expired: now - c.issuedAt > this.codeTtlMs })),
    };
  }
}
