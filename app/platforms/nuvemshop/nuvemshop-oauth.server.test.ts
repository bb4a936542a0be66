import { afterEach, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "../../../tests/emulators/nuvemshop/server";
import { authorizeUrl, exchangeCode, hasScope, NuvemshopOAuthError } from "./nuvemshop-oauth.server";

const UA = "Carryover tests (dev@carryover.test)";

describe("Nuvemshop OAuth", () => {
  let emu: NuvemshopEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("builds the documented authorize URL with the state", () => {
    expect(authorizeUrl({ origin: "https://www.tiendanube.com/", appId: "123", state: "csrf code" })).toBe("https://www.tiendanube.com/apps/123/authorize?state=csrf+code");
  });

  it("reads a write scope as implying the read one", () => {
    expect(hasScope(["write_customers", "read_orders"], "customers")).toBe(true);
    expect(hasScope(["read_products"], "orders")).toBe(false);
  });

  it("exchanges a code for the token and the store id; a used code, a wrong secret and an unreachable endpoint are told apart", async () => {
    emu = await startNuvemshopEmulator({ customers: 1, orders: 1, appId: 55, appSecret: "oauth_secret", redirectUrl: "https://app.example/nuvemshop/callback", scope: "write_customers,read_orders" });
    const res = await fetch(`${emu.url}/apps/55/authorize?state=x`, { redirect: "manual" });
    const code = new URL(res.headers.get("location") ?? "http://x/").searchParams.get("code") ?? "";
    const grant = await exchangeCode({ origin: emu.url, clientId: "55", clientSecret: "oauth_secret", code, userAgent: UA });
    expect(grant).toEqual({ accessToken: emu.oauth.token, storeId: String(emu.store.options.storeId), scopes: ["write_customers", "read_orders"] });

    const used = await exchangeCode({ origin: emu.url, clientId: "55", clientSecret: "oauth_secret", code, userAgent: UA }).catch((e: unknown) => e);
    expect(used).toBeInstanceOf(NuvemshopOAuthError);
    expect(used).toMatchObject({ kind: "refused" });
    expect((used as Error).message).toMatch(/invalid_grant: The authorization code has already been used/);
    await expect(exchangeCode({ origin: emu.url, clientId: "55", clientSecret: "wrong", code, userAgent: UA })).rejects.toMatchObject({ kind: "refused" });
    await expect(exchangeCode({ origin: "http://127.0.0.1:9", clientId: "55", clientSecret: "oauth_secret", code, userAgent: UA })).rejects.toMatchObject({ kind: "unavailable" });
  });
});
