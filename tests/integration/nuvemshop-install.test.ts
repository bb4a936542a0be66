// Nuvemshop install, sign-in and uninstall against the emulator's OAuth and API (decision 0015): the OAuth
// flow with a single-use state, the token sealed at rest, the store's language and country, the webhooks registered through the API, the admin session every admin screen accepts, and
// app/uninstalled delivered over HTTP. Runs on SQLite and PostgreSQL.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const harness = await vi.hoisted(async () => {
  const { startNuvemshopHarness } = await import("./nuvemshop-harness");
  return startNuvemshopHarness();
});

import prisma from "~/db.server";
import { SecretBox } from "~/crypto.server";
import { requireAdmin } from "~/auth.server";
import { loader as installLoader } from "~/routes/nuvemshop.install";
import { loader as callbackLoader } from "~/routes/nuvemshop.callback";
import { loader as layoutLoader } from "~/routes/app";
import { action as homeAction, loader as homeLoader } from "~/routes/app._index";
import { ADMIN_SESSION_COOKIE, adminSessionValue } from "~/services/nuvemshop/admin-session.server";
import { STATE_COOKIE } from "~/services/nuvemshop/oauth-state.server";
import { NUVEMSHOP_LGPD_EVENTS, NUVEMSHOP_SUBSCRIBED_EVENTS } from "~/services/nuvemshop/webhook-subscriptions.server";
import { sessionStorage } from "~/shopify.server";
import { callRoute } from "../support/remix";
import { cookieHeader, cookiesOf } from "./nuvemshop-harness";

const { emulator, appUrl, storeId } = harness;
const STORE = String(storeId);
const SESSION_ID = `offline_nuvemshop_${STORE}`;
const ALL_EVENTS = [...NUVEMSHOP_SUBSCRIBED_EVENTS, ...NUVEMSHOP_LGPD_EVENTS].sort();

afterAll(async () => {
  await harness.close();
});

/** The merchant starts at /nuvemshop/install and comes back from Nuvemshop's authorize page. */
async function authorize(): Promise<{ callbackUrl: string; stateCookie: string }> {
  const start = await callRoute(installLoader, new Request(`${appUrl}/nuvemshop/install`));
  expect(start.status).toBe(302);
  const stateCookie = cookiesOf(start)[STATE_COOKIE] ?? "";
  expect(stateCookie).not.toBe("");
  const location = start.headers.get("location") ?? "";
  expect(location.startsWith(`${emulator.url}/apps/4321/authorize?state=`)).toBe(true);
  const consent = await fetch(location, { redirect: "manual" });
  expect(consent.status).toBe(302);
  return { callbackUrl: consent.headers.get("location") ?? "", stateCookie };
}

function callback(url: string, cookies: Record<string, string>) {
  return callRoute(callbackLoader, new Request(url, { headers: { cookie: cookieHeader(cookies) } }));
}

async function install(): Promise<{ response: Response; adminCookie: string }> {
  const { callbackUrl, stateCookie } = await authorize();
  const response = await callback(callbackUrl, { [STATE_COOKIE]: stateCookie });
  return { response, adminCookie: cookiesOf(response)[ADMIN_SESSION_COOKIE] ?? "" };
}

function adminRequest(cookie: string, path = "/app", init: RequestInit = {}) {
  return new Request(`${appUrl}${path}`, { ...init, headers: { cookie: `${ADMIN_SESSION_COOKIE}=${encodeURIComponent(cookie)}` } });
}

async function subscriptions() {
  return [...emulator.store.webhooks.values()].map((w) => ({ event: w.event, url: w.url })).sort((a, b) => a.event.localeCompare(b.event));
}

describe("Nuvemshop install", () => {
  let firstToken = "";
  let firstAdminCookie = "";

  it("installs: code exchanged, store recorded with its language and country, token sealed at rest, every webhook registered", async () => {
    const { response, adminCookie } = await install();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app");
    const setCookies = response.headers.getSetCookie();
    const admin = setCookies.find((c) => c.startsWith(`${ADMIN_SESSION_COOKIE}=`)) ?? "";
    expect(admin).toMatch(/; HttpOnly/);
    expect(admin).toMatch(/; SameSite=Lax/);
    expect(admin).toMatch(/Max-Age=3600/);
    expect(setCookies.find((c) => c.startsWith(`${STATE_COOKIE}=`))).toMatch(/Max-Age=0/);
    firstAdminCookie = adminCookie;

    const shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
    expect(shop).toMatchObject({ locale: "pt", country: "BR", currency: "BRL", name: "Loja Demonstração", uninstalledAt: null });

    firstToken = emulator.oauth.token ?? "";
    expect(firstToken).toMatch(/^nuvemshop_token_/);
    const row = await prisma.session.findUniqueOrThrow({ where: { id: SESSION_ID } });
    const raw = JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(raw).not.toContain(firstToken);
    expect(SecretBox.isSealed(row.accessToken)).toBe(true);
    expect(row.scope).toBe("read_customers,write_customers,read_orders,write_scripts");
    expect((await sessionStorage.loadSession(SESSION_ID))?.accessToken).toBe(firstToken);

    expect(await subscriptions()).toEqual(ALL_EVENTS.map((event) => ({ event, url: `${appUrl}/webhooks/nuvemshop` })));
  });

  it("every admin screen sees the Nuvemshop store through the session (not embedded, in the store's language), live counts from the API", async () => {
    const context = await requireAdmin(adminRequest(firstAdminCookie));
    expect(context.shop).toMatchObject({ platform: "nuvemshop", domain: STORE });
    expect(context.demo).toBe(false);
    expect(context.session.accessToken).toBe(firstToken);
    const layout = await callRoute(layoutLoader, adminRequest(firstAdminCookie));
    expect(await layout.json()).toMatchObject({ embedded: false, locale: "pt-BR" });
    const home = (await (await callRoute(homeLoader, adminRequest(firstAdminCookie))).json()) as { overview: { outcome: string; shopDomain: string; counts: { customers: number } } };
    expect(home.overview).toMatchObject({ outcome: "ok", shopDomain: STORE, counts: { customers: 20 } });
  });

  it("every admin route accepts the session: a migration started from the home screen, then each screen's loader", async () => {
    const started = await callRoute(homeAction, new Request(`${appUrl}/app`, {
      method: "POST",
      headers: { cookie: `${ADMIN_SESSION_COOKIE}=${encodeURIComponent(firstAdminCookie)}`, "content-type": "application/x-www-form-urlencoded" },
      body: "intent=start",
    }));
    expect(started.status).toBe(302);
    const id = /^\/app\/migrations\/([^/?]+)$/.exec(started.headers.get("location") ?? "")?.[1] ?? "";
    const migration = await prisma.migration.findUniqueOrThrow({ where: { id } });
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: migration.shopId } })).domain).toBe(STORE);

    const routesDir = path.resolve("app/routes");
    const files = fs.readdirSync(routesDir).filter((f) => /^app(\.|$)/.test(f));
    expect(files.length).toBeGreaterThan(5);
    const params = { id, fileId: "none", memberId: "none", download: "csv", step: "apply" };
    for (const file of files) {
      const mod = (await import(/* @vite-ignore */ path.join(routesDir, file))) as { loader?: Parameters<typeof callRoute>[0] };
      if (!mod.loader) continue;
      let status: number;
      let location: string | null = null;
      try {
        const res = await callRoute(mod.loader, adminRequest(firstAdminCookie, `/app/migrations/${id}`), params);
        status = res.status;
        location = res.headers.get("location");
      } catch {
        status = 500; // authenticated: the screen's own failure is not this test's subject
      }
      expect([401, 403], `${file} refused the Nuvemshop session`).not.toContain(status);
      expect(location ?? "", `${file} sent the Nuvemshop session to a sign-in`).not.toMatch(/^\/(auth\/login|nuvemshop\/install)/);
    }
  });

  it("signing in again replaces the token (the old one stops working) and changes nothing else: one shop, one subscription per event", async () => {
    const before = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
    const { response, adminCookie } = await install();
    expect(response.status).toBe(302);
    const secondToken = emulator.oauth.token ?? "";
    expect(secondToken).not.toBe(firstToken);
    expect((await sessionStorage.loadSession(SESSION_ID))?.accessToken).toBe(secondToken);
    expect(await prisma.shop.count({ where: { platform: "nuvemshop", domain: STORE } })).toBe(1);
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: before.id } })).installedAt).toEqual(before.installedAt);
    expect(await subscriptions()).toEqual(ALL_EVENTS.map((event) => ({ event, url: `${appUrl}/webhooks/nuvemshop` })));
    // The earlier session is still this install's; both work.
    expect((await requireAdmin(adminRequest(firstAdminCookie))).shop.domain).toBe(STORE);
    expect((await requireAdmin(adminRequest(adminCookie))).shop.domain).toBe(STORE);
  });

  it("moves a subscription left at an old URL and removes a duplicate", async () => {
    const hooks = [...emulator.store.webhooks.values()];
    const paid = hooks.find((w) => w.event === "order/paid")!;
    paid.url = "https://old.carryover.example/webhooks/nuvemshop";
    emulator.store.addWebhook("customer/updated", `${appUrl}/webhooks/nuvemshop`, Math.floor(Date.now() / 1000));
    expect((await install()).response.status).toBe(302);
    expect(await subscriptions()).toEqual(ALL_EVENTS.map((event) => ({ event, url: `${appUrl}/webhooks/nuvemshop` })));
  });

  it("refuses a forged, another browser's, an expired or a replayed state, without asking Nuvemshop for a token", async () => {
    const issued = emulator.oauth.tokensIssued;
    const token = emulator.oauth.token;
    const { callbackUrl, stateCookie } = await authorize();
    const forged = new URL(callbackUrl);
    forged.searchParams.set("state", "A".repeat(43));
    const refusedForState = async (res: Response) => {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ problem: "state" });
    };
    await refusedForState(await callback(forged.toString(), { [STATE_COOKIE]: "A".repeat(43) }));
    // The right state from a browser that did not start the flow (login CSRF).
    await refusedForState(await callback(callbackUrl, {}));
    await refusedForState(await callback(callbackUrl, { [STATE_COOKIE]: "B".repeat(43) }));
    expect(emulator.oauth.tokensIssued).toBe(issued);

    // Expired: the flow took longer than the state lives.
    await prisma.oAuthState.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    await refusedForState(await callback(callbackUrl, { [STATE_COOKIE]: stateCookie }));
    expect(emulator.oauth.tokensIssued).toBe(issued);

    // Replayed: a completed callback, sent again with its cookie.
    const fresh = await authorize();
    const done = await callback(fresh.callbackUrl, { [STATE_COOKIE]: fresh.stateCookie });
    expect(done.status).toBe(302);
    const tokensAfter = emulator.oauth.tokensIssued;
    await refusedForState(await callback(fresh.callbackUrl, { [STATE_COOKIE]: fresh.stateCookie }));
    expect(emulator.oauth.tokensIssued).toBe(tokensAfter);
    expect(emulator.oauth.token).not.toBe(token);
  });

  it("starts its own flow when Nuvemshop sends a code without Carryover's state (an install from the app store)", async () => {
    const res = await callback(`${appUrl}/nuvemshop/callback?code=${"c".repeat(40)}`, {});
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/nuvemshop/install");
  });

  it("refuses forged, expired and other-store sessions", async () => {
    const shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
    const valid = adminSessionValue(shop);
    const [v, payload, sig] = valid.split(".");
    const otherClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sid: "999" })).toString("base64url");
    for (const forged of [`${v}.${otherClaims}.${sig}`, `${v}.${payload}.${sig!.slice(0, -2)}xx`, "v1.e30.AAAA", "garbage"]) {
      const res = await callRoute(layoutLoader, adminRequest(forged));
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${ADMIN_SESSION_COOKIE}=;`))).toBe(true);
    }
    // Expired: a page load is sent to sign in again; a data request is refused.
    const expired = adminSessionValue(shop, new Date(Date.now() - 2 * 3600 * 1000));
    const page = await callRoute(layoutLoader, adminRequest(expired));
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/nuvemshop/install");
    expect((await callRoute(layoutLoader, adminRequest(expired, "/app?_data=routes%2Fapp"))).status).toBe(401);
    expect((await callRoute(homeLoader, adminRequest(expired, "/app", { method: "POST" }))).status).toBe(401);
    // A request naming another store, and a well-signed session of a store that never installed Carryover.
    expect((await callRoute(layoutLoader, adminRequest(valid, `/app?store=${storeId + 1}`))).status).toBe(403);
    const stranger = adminSessionValue({ domain: String(storeId + 1), installedAt: shop.installedAt });
    expect((await callRoute(layoutLoader, adminRequest(stranger))).status).toBe(401);
  });

  it("uninstall: app/uninstalled over HTTP ends the install, deletes the token and every session; the ledger stays; a late copy after a re-install is not acted on", async () => {
    const shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "kept", state: "applied" } });
    const member = await prisma.member.create({ data: { shopId: shop.id, migrationId: migration.id, state: "visible", platformCustomerId: "1" } });
    const { withLedger, postEntry } = await import("~/services/ledger/ledger.server");
    await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: member.id, migrationId: migration.id, kind: "import", points: 120, idempotencyKey: `import:${migration.id}:r1`, sourceRef: "export.csv" }));
    const cookie = adminSessionValue(shop);

    const res = await fetch(`${emulator.url}/_emulator/uninstall`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(res.status).toBe(200);
    const delivery = emulator.deliveries.find((d) => d.event === "app/uninstalled");
    expect(delivery?.status).toBe(200);
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(after.uninstalledAt).not.toBeNull();
    expect(await prisma.session.findUnique({ where: { id: SESSION_ID } })).toBeNull();
    expect(await prisma.ledgerEntry.aggregate({ where: { shopId: shop.id }, _sum: { points: true } })).toEqual({ _sum: { points: 120 } });
    expect((await callRoute(layoutLoader, adminRequest(cookie))).status).toBe(401);

    // Installed again: a new generation; the old session stays refused.
    const again = await install();
    expect(again.response.status).toBe(302);
    const reinstalled = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(reinstalled.uninstalledAt).toBeNull();
    expect(reinstalled.installedAt.getTime()).toBeGreaterThan(shop.installedAt.getTime());
    expect((await callRoute(layoutLoader, adminRequest(cookie))).status).toBe(302); // an earlier install's: sign in again
    expect((await requireAdmin(adminRequest(again.adminCookie))).shop.id).toBe(shop.id);

    // A copy of app/uninstalled now (late or replayed): the store still accepts the token, so nothing happens.
    await fetch(`${emulator.url}/_emulator/webhooks`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ event: "app/uninstalled" }) });
    expect(emulator.deliveries.filter((d) => d.event === "app/uninstalled").at(-1)?.status).toBe(409);
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).toBeNull();
    expect((await sessionStorage.loadSession(SESSION_ID))?.accessToken).toBe(emulator.oauth.token);
  });
});
