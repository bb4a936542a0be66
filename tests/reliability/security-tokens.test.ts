// Issue 9, part 4 (security): access tokens encrypted at rest and never logged; secrets only from the
// environment; the demo mode impossible in production.
//
// Everything the process prints (console, stdout, stderr) is captured from before the app loads. Then
// the real paths that handle tokens run: a Shopify install by token exchange (requireAdmin with a
// session token for a store Carryover has no session for; Shopify's token endpoint answered locally),
// a Nuvemshop install through its OAuth flow (the emulator), a sync of each store through the job's own
// handler, the same sync refused by the store (a revoked token, a 500) and its error printed as the
// worker prints it, and app/uninstalled. Afterwards no token (access or refresh) is in anything printed
// nor in any row of any table, and the sessions hold them sealed (AES-256-GCM) and still open them.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { inspect } from "node:util";
import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const world = await vi.hoisted(async () => {
  // What the process prints, from the very start.
  const { inspect: show } = await import("node:util");
  const printed: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    (stream as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
      printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return write(chunk, ...rest);
    };
  }
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === "string" ? a : show(a, { depth: 8 }))).join(" "));
      // Shopify's library says "Authenticating admin request" at info level: kept for the check, not shown.
      if (typeof args[0] === "string" && args[0].startsWith("[shopify-")) return;
      original(...args);
    };
  }
  const { startNuvemshopHarness } = await import("../integration/nuvemshop-harness");
  const harness = await startNuvemshopHarness();
  const { startShopifyEmulator } = await import("../emulators/shopify/server");
  const crypto = await import("node:crypto");
  const shopDomain = `tokens-${crypto.randomBytes(4).toString("hex")}.myshopify.com`;
  const shopifyToken = `shpat_${crypto.randomBytes(16).toString("hex")}`;
  const shopifyRefresh = `shprt_${crypto.randomBytes(16).toString("hex")}`;
  const shopify = await startShopifyEmulator({ customers: 15, orders: 30, seed: 41, shopDomain, accessToken: shopifyToken, throttle: { maximumAvailable: 20_000, restoreRate: 10_000 } });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = shopify.url;
  process.env.CARRYOVER_WORKER = "off";
  return { printed, harness, shopify, shopDomain, shopifyToken, shopifyRefresh };
});

import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { requireAdmin } from "~/auth.server";
import { SecretBox } from "~/crypto.server";
import prisma from "~/db.server";
import { InvalidEnvironmentError, parseEnv } from "~/env.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { action as appUninstalled } from "~/routes/webhooks.app.uninstalled";
import { sessionStorage } from "~/shopify.server";
import { installViaOAuth } from "../integration/nuvemshop-harness";
import { callRoute } from "../support/remix";
import { TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEY } from "../support/test-env";
import { shopifyWebhookRequest } from "../support/webhooks";
import { shopifyAdmin } from "./support/admin-auth";
import { Tally } from "./support/record";

const { printed, harness, shopify, shopDomain, shopifyToken, shopifyRefresh } = world;
const secrets = new Map<string, string>([
  ["the Shopify access token", shopifyToken],
  ["the Shopify refresh token", shopifyRefresh],
]);

const tally = new Tally({
  category: "security",
  check: "tokens through install (Shopify token exchange, Nuvemshop OAuth), sync, refused syncs and uninstall; secrets from the environment; demo mode in production",
  invariants: [
    "no access or refresh token appears in anything the process prints (console, stdout, stderr; errors as the worker prints them)",
    "no token appears in clear in any row of any table; sessions hold them sealed and open them",
    "a token is sent to the store in a header, never in a URL",
    "the server refuses to start without its secrets, with a weak encryption key, or in production with the demo mode or a local override",
    "no secret is written in the repository's files",
  ],
});

afterAll(async () => {
  tally.flush();
  await shopify.close();
  await harness.close();
});

/** Every URL the app fetched (the platform clients use the global fetch). */
const fetchedUrls: string[] = [];

/** Whatever Shopify's token endpoint would answer, answered here: the one outside request the library makes. */
beforeAll(() => {
  const realFetch = globalThis.fetch;
  vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => {
    fetchedUrls.push(String(input instanceof Request ? input.url : input));
    return realFetch(input, init);
  });
  setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === `https://${shopDomain}/admin/oauth/access_token`) {
      return new Response(
        JSON.stringify({ access_token: shopifyToken, scope: "read_customers,write_customers,read_orders", expires_in: 86_400, refresh_token: shopifyRefresh, refresh_token_expires_in: 2_592_000 }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }
    if (url.startsWith("http://127.0.0.1")) return realFetch(input, init);
    throw new Error(`the test lets the Shopify library reach nothing but the token endpoint, not ${url}`);
  });
});

async function everyRow(): Promise<string> {
  const parts: string[] = [];
  for (const model of Prisma.dmmf.datamodel.models) {
    const delegate = (prisma as unknown as Record<string, { findMany(): Promise<unknown[]> }>)[model.name.charAt(0).toLowerCase() + model.name.slice(1)]!;
    parts.push(JSON.stringify(await delegate.findMany(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  }
  return parts.join("\n");
}

function leaks(text: string): string[] {
  return [...secrets].filter(([, value]) => text.includes(value)).map(([name]) => name);
}

/** Runs the sync job's own handler for a store, as the worker would; a failure is printed as the worker prints it. */
async function runSync(shopId: string): Promise<unknown> {
  try {
    await jobHandlers["platform.sync"]!({
      job: { id: `job-${crypto.randomUUID()}`, shopId, attempts: 1, createdAt: new Date() },
      payload: { shopId, resources: ["customers", "orders"], full: true, migrationId: null },
      checkpoint: null,
      progress: async () => {},
    });
    return null;
  } catch (error) {
    console.error("[carryover worker]", error);
    return error;
  }
}

describe("access tokens", () => {
  it("a Shopify install by token exchange keeps both tokens sealed, syncs with them, and prints neither", async () => {
    await tally.run("Shopify token exchange, sync", async () => {
      const context = await requireAdmin(shopifyAdmin(shopDomain)("/app"));
      expect(context.shop.domain).toBe(shopDomain);
      expect(context.session.accessToken).toBe(shopifyToken);
      const row = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shopDomain}` } });
      expect(SecretBox.isSealed(row.accessToken)).toBe(true);
      expect(SecretBox.isSealed(row.refreshToken ?? "")).toBe(true);
      expect(leaks(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))).toEqual([]);
      expect((await sessionStorage.loadSession(`offline_${shopDomain}`))?.refreshToken).toBe(shopifyRefresh);
      expect(await runSync(context.shop.id)).toBeNull();
      expect(await prisma.platformCustomer.count({ where: { shopId: context.shop.id } })).toBe(15);
    });
  });

  it("a Nuvemshop install through OAuth keeps the token sealed, syncs with it, and never prints it", async () => {
    await tally.run("Nuvemshop OAuth install, sync", async () => {
      const { response } = await installViaOAuth(harness.appUrl);
      expect(response.status).toBe(302);
      const token = harness.emulator.oauth.token ?? "";
      expect(token.length).toBeGreaterThan(10);
      secrets.set("the Nuvemshop access token", token);
      const row = await prisma.session.findUniqueOrThrow({ where: { id: `offline_nuvemshop_${harness.storeId}` } });
      expect(SecretBox.isSealed(row.accessToken)).toBe(true);
      expect(leaks(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))).toEqual([]);
      const shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: String(harness.storeId) } } });
      expect(await runSync(shop.id)).toBeNull();
      expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBeGreaterThan(0);
    });
  });

  it("a sync the store refuses (a 500, a revoked token) fails without the token in its error", async () => {
    const shopifyShop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: shopDomain } } });
    await tally.run("Shopify sync answered 500 five times", async () => {
      await fetch(`${shopify.url}/_emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 500, count: 10 }) });
      const error = await runSync(shopifyShop.id);
      await fetch(`${shopify.url}/_emulator/faults`, { method: "DELETE" });
      expect(error).not.toBeNull();
      expect(leaks(inspect(error, { depth: 10 }) + String((error as Error).stack))).toEqual([]);
    });
    await tally.run("Shopify sync with a token the store no longer accepts", async () => {
      const stale = `shpat_${crypto.randomBytes(16).toString("hex")}`;
      secrets.set("a revoked Shopify token", stale);
      const session = (await sessionStorage.loadSession(`offline_${shopDomain}`))!;
      session.accessToken = stale;
      await sessionStorage.storeSession(session);
      const error = await runSync(shopifyShop.id);
      expect(error).not.toBeNull();
      expect(leaks(inspect(error, { depth: 10 }) + String((error as Error).stack))).toEqual([]);
      session.accessToken = shopifyToken;
      await sessionStorage.storeSession(session);
    });
    await tally.run("Nuvemshop sync with a revoked token", async () => {
      const nuvemshop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: String(harness.storeId) } } });
      const session = (await sessionStorage.loadSession(`offline_nuvemshop_${harness.storeId}`))!;
      const revoked = `${session.accessToken}`;
      harness.emulator.oauth.token = `revoked-${crypto.randomBytes(8).toString("hex")}`;
      const error = await runSync(nuvemshop.id);
      harness.emulator.oauth.token = revoked;
      expect(error).not.toBeNull();
      expect(leaks(inspect(error, { depth: 10 }) + String((error as Error).stack))).toEqual([]);
    });
  });

  it("app/uninstalled deletes the Shopify sessions", async () => {
    await tally.run("Shopify app/uninstalled", async () => {
      const res = await callRoute(appUninstalled, shopifyWebhookRequest({ topic: "app/uninstalled", shop: shopDomain, body: { id: 1, domain: shopDomain } }));
      expect(res.status).toBe(200);
      expect(await prisma.session.count({ where: { shop: shopDomain } })).toBe(0);
    });
  });

  it("no token is in any row of any table, nor in anything the process printed", async () => {
    await tally.run("database and output scanned for every token", async () => {
      expect(secrets.size).toBeGreaterThanOrEqual(4);
      expect(leaks(await everyRow())).toEqual([]);
      expect(fetchedUrls.filter((u) => u.startsWith(shopify.url) || u.startsWith(harness.emulator.url)).length, "the syncs' requests were seen").toBeGreaterThan(4);
      expect(leaks(fetchedUrls.join("\n"))).toEqual([]);
      const output = printed.join("\n");
      expect(output, "the capture saw the library's and the worker's output").toMatch(/Authenticating admin request[\s\S]*\[carryover worker\]/);
      expect(leaks(output)).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------- secrets

const PRODUCTION = {
  NODE_ENV: "production",
  DATABASE_URL: "file:/tmp/carryover-never-opened.db",
  SHOPIFY_API_KEY: TEST_API_KEY,
  SHOPIFY_API_SECRET: TEST_API_SECRET,
  SHOPIFY_APP_URL: "https://carryover.example",
  CARRYOVER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
};

describe("secrets and modes", () => {
  it("the settings refuse missing secrets, a weak key, and the demo mode or a local override in production", async () => {
    const refused: Array<[string, Record<string, string | undefined>, RegExp]> = [
      ["no API secret", { ...PRODUCTION, SHOPIFY_API_SECRET: undefined }, /SHOPIFY_API_SECRET/],
      ["a short API secret", { ...PRODUCTION, SHOPIFY_API_SECRET: "short" }, /SHOPIFY_API_SECRET/],
      ["no API key", { ...PRODUCTION, SHOPIFY_API_KEY: undefined }, /SHOPIFY_API_KEY/],
      ["no encryption key", { ...PRODUCTION, CARRYOVER_ENCRYPTION_KEY: undefined }, /CARRYOVER_ENCRYPTION_KEY/],
      ["a 16-byte encryption key", { ...PRODUCTION, CARRYOVER_ENCRYPTION_KEY: crypto.randomBytes(16).toString("base64") }, /CARRYOVER_ENCRYPTION_KEY/],
      ["demo mode in production", { ...PRODUCTION, CARRYOVER_DEMO_SHOP: "demo-store.myshopify.com" }, /CARRYOVER_DEMO_SHOP: demo mode is refused/],
      ["the Admin API override in production", { ...PRODUCTION, SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:1" }, /SHOPIFY_ADMIN_API_ORIGIN/],
      ["the Nuvemshop API override in production", { ...PRODUCTION, NUVEMSHOP_API_ORIGIN: "http://127.0.0.1:1" }, /NUVEMSHOP_API_ORIGIN/],
      ["the local mail outbox in production", { ...PRODUCTION, CARRYOVER_MAIL_OUTBOX: "/tmp/outbox" }, /CARRYOVER_MAIL_OUTBOX/],
    ];
    for (const [label, source, message] of refused) {
      await tally.run(`settings: ${label}`, () => {
        expect(() => parseEnv(source), label).toThrow(InvalidEnvironmentError);
        expect(() => parseEnv(source), label).toThrow(message);
      });
    }
    await tally.run("settings: production with its secrets", () => expect(parseEnv(PRODUCTION).NODE_ENV).toBe("production"));
  });

  /** Starts the server's entry module in a fresh Node process (as server.mjs does at start-up, from the sources). */
  function startServerEntry(env: Record<string, string>) {
    const script = "await import('./app/entry.server.tsx'); console.log('carryover entry loaded');";
    return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      // Only what the server is given (plus PATH/HOME for Node itself): nothing inherited from this test process.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CARRYOVER_WORKER: "off", ...env } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 120_000,
    });
  }

  it("the server refuses to start in production with the demo mode set", async () => {
    await tally.run("process start: production + CARRYOVER_DEMO_SHOP", () => {
      const refused = startServerEntry({ ...PRODUCTION, DATABASE_URL: process.env.DATABASE_URL ?? "", CARRYOVER_DEMO_SHOP: "demo-store.myshopify.com" });
      expect(refused.status, refused.stdout).not.toBe(0);
      expect(refused.stderr).toMatch(/CARRYOVER_DEMO_SHOP: demo mode is refused when NODE_ENV=production/);
      expect(refused.stdout).not.toContain("carryover entry loaded");
    });
    await tally.run("process start: production without the demo mode (control)", () => {
      const started = startServerEntry({ ...PRODUCTION, DATABASE_URL: process.env.DATABASE_URL ?? "" });
      expect(started.stderr).not.toMatch(/Invalid environment/);
      expect(started.stdout).toContain("carryover entry loaded");
    });
  });

  it("no secret is written in the repository's files", async () => {
    const files = spawnSync("git", ["ls-files", "-z"], { encoding: "utf8" }).stdout.split("\0").filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const PATTERNS: Array<[string, RegExp]> = [
      ["a Shopify access token", /\bshp(at|ca|pa|ss)_[0-9a-f]{32}\b/],
      ["a private key", /-----BEGIN (RSA |EC |OPENSSH |)PRIVATE KEY-----/],
      ["an AWS access key", /\bAKIA[0-9A-Z]{16}\b/],
      ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
      ["a Slack token", /\bxox[abp]-[A-Za-z0-9-]{10,}\b/],
    ];
    await tally.run(`repository scan: ${files.length} tracked files`, () => {
      const found: string[] = [];
      for (const file of files) {
        if (/(^|\/)\.env(\.|$)/.test(file) && !file.endsWith(".example")) found.push(`${file}: an environment file is tracked`);
        if (!fs.existsSync(file) || fs.statSync(file).size > 2_000_000) continue;
        const text = fs.readFileSync(file, "latin1");
        for (const [what, pattern] of PATTERNS) if (pattern.test(text)) found.push(`${file}: ${what}`);
      }
      expect(found).toEqual([]);
    });
  });
});
