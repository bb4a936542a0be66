import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_TOKEN, startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, control, startReceiver } from "./test-helpers.js";

const APP_ID = 4321;
const SECRET = "app_secret_for_oauth_tests";

describe("OAuth: authorize, token, uninstall", () => {
  let emu: NuvemshopEmulator | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await emu?.close();
    await receiver?.close();
    emu = undefined;
    receiver = undefined;
  });

  async function start(extra: Parameters<typeof startNuvemshopEmulator>[0] = {}) {
    receiver = await startReceiver();
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, appId: APP_ID, appSecret: SECRET, appUrl: receiver.url, ...extra });
    return emu;
  }

  async function authorize(e: NuvemshopEmulator, state: string | null = "csrf-code") {
    const res = await fetch(`${e.url}/apps/${APP_ID}/authorize${state === null ? "" : `?state=${state}`}`, { redirect: "manual" });
    return { status: res.status, location: res.headers.get("location") };
  }

  async function token(e: NuvemshopEmulator, body: Record<string, string>, form = false) {
    const res = await fetch(`${e.url}/apps/authorize/token`, {
      method: "POST",
      headers: { "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json" },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it("redirects to the app's redirect URL with a code and the state, and exchanges the code once for a bearer token and the store id", async () => {
    const e = await start();
    const auth = await authorize(e);
    expect(auth.status).toBe(302);
    const back = new URL(auth.location ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(`${receiver!.url}/nuvemshop/callback`);
    expect(back.searchParams.get("state")).toBe("csrf-code");
    const code = back.searchParams.get("code") ?? "";
    expect(code).toMatch(/^[0-9a-f]{40}$/);

    const granted = await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "authorization_code", code });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ token_type: "bearer", scope: "read_customers,write_customers,read_orders,write_scripts", user_id: String(e.store.options.storeId) });
    const newToken = granted.body.access_token ?? "";
    expect(newToken).not.toBe(DEFAULT_ACCESS_TOKEN);

    // The new token works, the one it replaced does not (tokens "become invalid only after you get a new one").
    expect((await api(e, "/store", { token: newToken })).status).toBe(200);
    expect((await api(e, "/store", { token: DEFAULT_ACCESS_TOKEN })).status).toBe(401);

    // A code is single-use.
    const again = await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "authorization_code", code });
    expect(again).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The authorization code has already been used." } });
  });

  it("accepts the form-encoded request of the older docs and refuses a wrong secret, grant type, unknown or expired code", async () => {
    const e = await start({ codeTtlMs: 60_000 });
    const code = new URL((await authorize(e, null)).location ?? "").searchParams.get("code") ?? "";
    expect(new URL((await authorize(e, null)).location ?? "").searchParams.has("state")).toBe(false);
    expect((await token(e, { client_id: String(APP_ID), client_secret: "wrong", grant_type: "authorization_code", code })).status).toBe(401);
    expect((await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "client_credentials", code })).body.error).toBe("unsupported_grant_type");
    expect((await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "authorization_code", code: "f".repeat(40) })).body.error).toBe("invalid_grant");
    expect((await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "authorization_code", code }, true)).status).toBe(200);

    await control(e, "POST", "/_emulator/oauth", { codeTtlMs: 0 });
    const late = new URL((await authorize(e)).location ?? "").searchParams.get("code") ?? "";
    await new Promise((r) => setTimeout(r, 5));
    expect((await token(e, { client_id: String(APP_ID), client_secret: SECRET, grant_type: "authorization_code", code: late })).body.error_description).toMatch(/expired/);
    expect((await fetch(`${e.url}/apps/999/authorize`, { redirect: "manual" })).status).toBe(404);
  });

  it("an uninstall revokes the token and delivers app/uninstalled (and store/redact when asked) to the registered URLs", async () => {
    const e = await start();
    const url = `${receiver!.url}/hooks`;
    for (const event of ["app/uninstalled", "store/redact"]) {
      expect((await api(e, "/webhooks", { method: "POST", body: { event, url } })).status).toBe(201);
    }
    const r = await control<{ uninstalled: boolean; webhooks: Array<{ event: string }> }>(e, "POST", "/_emulator/uninstall", { redact: true });
    expect(r.body.webhooks.map((w) => w.event)).toEqual(["app/uninstalled", "store/redact"]);
    expect(receiver!.received.map((h) => JSON.parse(h.body.toString()) as unknown)).toEqual([
      { store_id: e.store.options.storeId, event: "app/uninstalled", id: APP_ID },
      { store_id: e.store.options.storeId },
    ]);
    expect((await api(e, "/store")).status).toBe(401);
    expect((await control<{ token: string | null }>(e, "GET", "/_emulator/oauth")).body.token).toBeNull();
  });
});
