// Issue 9, part 4 (security): the HTTP security headers, over real HTTP. The app runs as in production —
// server.mjs's Express app around the Remix server build — except that the build is the one Vite
// compiles from the sources now (not a stale build/ folder). Each kind of response (the embedded Shopify
// admin, the Nuvemshop admin, a data request, a CSV download, the app proxy's JSON, a webhook, the health
// check, the login page, a static file, the storefront script, a 404) is checked for each header: CSP
// frame-ancestors (Shopify's admin for the embedded admin, 'none' everywhere else), X-Frame-Options,
// X-Content-Type-Options, Referrer-Policy, Strict-Transport-Security (production only), no X-Powered-By.
import crypto from "node:crypto";
import path from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const sink = await vi.hoisted(async () => {
  const { startSink, pointPlatformsAt } = await import("./support/sink");
  const started = await startSink();
  pointPlatformsAt(started);
  process.env.CARRYOVER_WORKER = "off";
  return started;
});

import type { ViteDevServer } from "vite";
import prisma from "~/db.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { proxySignature } from "../e2e/storefront/shopify-proxy";
import { TEST_API_SECRET } from "../support/test-env";
import { shopifyWebhookRequest, uniqueShop } from "../support/webhooks";
import { nuvemshopAdmin, shopifySessionToken } from "./support/admin-auth";
import { Tally } from "./support/record";

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

let vite: ViteDevServer;
let dev: RunningApp;
let prod: RunningApp;

async function listen(build: unknown, production: boolean): Promise<RunningApp> {
  const server = (await import(/* @vite-ignore */ pathToFileURL(path.resolve("server.mjs")).href)) as { createApp(build: unknown, options: { production: boolean }): { listen(port: number, host: string, cb: () => void): Server } };
  let http!: Server;
  await new Promise<void>((resolve) => {
    http = server.createApp(build, { production }).listen(0, "127.0.0.1", resolve);
  });
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/** A request as a browser makes it (shopify-app-remix answers 410 to what looks like a bot, as Node's fetch does). */
function browserFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("user-agent")) headers.set("user-agent", BROWSER);
  return fetch(url, { redirect: "manual", ...init, headers });
}

/** One kind of response: how to ask for it, and what it must say about framing. */
interface Kind {
  name: string;
  request(base: string): Promise<Response>;
  status: number;
  /** "shopify": the embedded admin's frame-ancestors; "none" otherwise. */
  frame: "shopify" | "none";
  contentType?: RegExp;
}

let shopifyDomain = "";
let csvPath = "";
let nuvemshopCookie = "";

const kinds: Kind[] = [
  {
    name: "embedded Shopify admin document",
    request: (base) => {
      const query = new URLSearchParams({ shop: shopifyDomain, host: Buffer.from(`admin.shopify.com/store/${shopifyDomain.split(".")[0]}`).toString("base64url"), embedded: "1", id_token: shopifySessionToken(shopifyDomain) });
      return browserFetch(`${base}/app?${query.toString()}`);
    },
    status: 200,
    frame: "shopify",
    contentType: /^text\/html/,
  },
  {
    name: "Nuvemshop admin document",
    request: (base) => browserFetch(`${base}/app`, { headers: { cookie: nuvemshopCookie } }),
    status: 200,
    frame: "none",
    contentType: /^text\/html/,
  },
  {
    name: "admin data request (client-side navigation)",
    request: (base) => browserFetch(`${base}/app/members.data`, { headers: { authorization: `Bearer ${shopifySessionToken(shopifyDomain)}` } }),
    status: 200,
    frame: "none",
  },
  {
    name: "admin CSV download (resource route)",
    request: (base) => browserFetch(`${base}${csvPath}`, { headers: { authorization: `Bearer ${shopifySessionToken(shopifyDomain)}` } }),
    status: 200,
    frame: "none",
    contentType: /^text\/csv/,
  },
  {
    name: "app proxy JSON (storefront widget)",
    request: (base) => {
      const params = new URLSearchParams({ shop: shopifyDomain, logged_in_customer_id: "", path_prefix: "/apps/carryover", timestamp: String(Math.floor(Date.now() / 1000)) });
      params.set("signature", proxySignature(params, TEST_API_SECRET));
      return browserFetch(`${base}/proxy/points?${params.toString()}`, { headers: { "x-forwarded-for": "127.0.0.9" } });
    },
    status: 200,
    frame: "none",
    contentType: /^application\/json/,
  },
  {
    name: "app proxy refusal (bad signature)",
    request: (base) => browserFetch(`${base}/proxy/points?shop=${shopifyDomain}&timestamp=1&signature=${"0".repeat(64)}`),
    status: 401,
    frame: "none",
  },
  {
    name: "Shopify webhook",
    request: async (base) => {
      const signed = shopifyWebhookRequest({ topic: "customers/data_request", shop: shopifyDomain, body: { shop_id: 1, shop_domain: shopifyDomain, customer: { id: 42, email: "headers@example.com" }, orders_requested: [], data_request: { id: 7 } } });
      const headers = new Headers(signed.headers);
      headers.set("user-agent", "Shopify-Captain-Hook");
      return browserFetch(`${base}/webhooks/customers/data_request`, { method: "POST", headers, body: await signed.text() });
    },
    status: 200,
    frame: "none",
    contentType: /^application\/json/,
  },
  { name: "health check", request: (base) => browserFetch(`${base}/healthz`), status: 200, frame: "none", contentType: /^application\/json/ },
  { name: "login page (not the admin)", request: (base) => browserFetch(`${base}/auth/login`), status: 200, frame: "none", contentType: /^text\/html/ },
  { name: "static file", request: (base) => browserFetch(`${base}/favicon.svg`), status: 200, frame: "none", contentType: /^image\/svg\+xml/ },
  { name: "Nuvemshop storefront script", request: (base) => browserFetch(`${base}/storefront/nuvemshop.js`), status: 200, frame: "none", contentType: /javascript/ },
  { name: "page not found", request: (base) => browserFetch(`${base}/no-such-page`), status: 404, frame: "none" },
];

interface HeaderCheck {
  name: string;
  check(res: Response, kind: Kind, production: boolean): void;
}

const frameAncestors = (res: Response) => (res.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim()).find((d) => d.startsWith("frame-ancestors")) ?? "";

const headerChecks: HeaderCheck[] = [
  {
    name: "Content-Security-Policy frame-ancestors",
    check: (res, kind) => {
      const frame = frameAncestors(res);
      if (kind.frame === "shopify") {
        expect(frame.split(/\s+/)).toEqual(expect.arrayContaining(["frame-ancestors", `https://${shopifyDomain}`, "https://admin.shopify.com"]));
        expect(frame).not.toContain("'none'");
      } else expect(frame).toBe("frame-ancestors 'none'");
      expect(res.headers.get("content-security-policy")).toMatch(/base-uri 'self'/);
      expect(res.headers.get("content-security-policy")).toMatch(/object-src 'none'/);
    },
  },
  {
    name: "X-Frame-Options",
    check: (res, kind) => expect(res.headers.get("x-frame-options")).toBe(kind.frame === "shopify" ? null : "DENY"),
  },
  { name: "X-Content-Type-Options", check: (res) => expect(res.headers.get("x-content-type-options")).toBe("nosniff") },
  { name: "Referrer-Policy", check: (res) => expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin") },
  {
    name: "Strict-Transport-Security",
    check: (res, _kind, production) => {
      if (production) expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
      else expect(res.headers.get("strict-transport-security")).toBeNull();
    },
  },
  { name: "no X-Powered-By", check: (res) => expect(res.headers.get("x-powered-by")).toBeNull() },
];

const tally = new Tally({
  category: "security",
  check: "HTTP security headers over real HTTP (server.mjs around the Remix build), for each kind of response, in development and production",
  invariants: [
    "CSP frame-ancestors: https://<shop> https://admin.shopify.com on the embedded Shopify admin, 'none' on every other response (with X-Frame-Options: DENY); base-uri 'self' and object-src 'none' always",
    "X-Content-Type-Options: nosniff and Referrer-Policy: strict-origin-when-cross-origin on every response",
    "Strict-Transport-Security on every response in production, never in development",
    "no X-Powered-By",
  ],
});

beforeAll(async () => {
  const log = console.log.bind(console);
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("[shopify-")) return;
    log(...args);
  });
  shopifyDomain = uniqueShop("headers");
  const shop = await storeOfflineInstall({ domain: shopifyDomain, accessToken: `shpat_headers_${crypto.randomBytes(8).toString("hex")}`, scope: "read_customers,write_customers,read_orders" });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "headers", oldProvider: "smile" } });
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "smile.csv", filePath: "tests/fixtures/import/providers/smile.csv" });
  if (imported.outcome !== "imported") throw new Error(JSON.stringify(imported));
  csvPath = `/app/migrations/${migration.id}/rejected/${imported.summary.importFileId}`;
  const store = await storeOfflineInstall({ platform: "nuvemshop", domain: String(5_000_000 + Math.floor(Math.random() * 1_000_000)), accessToken: "ns_headers_token", scope: "read_customers" });
  nuvemshopCookie = (await nuvemshopAdmin(store))("/app").headers.get("cookie") ?? "";

  const { createServer } = await import("vite");
  vite = await createServer({ server: { middlewareMode: true, hmr: false, watch: null }, appType: "custom", logLevel: "error" });
  const build = await vite.ssrLoadModule("virtual:remix/server-build");
  dev = await listen(build, false);
  prod = await listen(build, true);
}, 180_000);

afterAll(async () => {
  tally.flush();
  await dev?.close();
  await prod?.close();
  await vite?.close();
  await sink.close();
});

describe("HTTP security headers", () => {
  for (const production of [false, true]) {
    describe(production ? "production" : "development", () => {
      for (const kind of kinds) {
        describe(kind.name, () => {
          let res: Response | undefined;
          const response = async () => {
            if (!res) {
              res = await kind.request(production ? prod.url : dev.url);
              await res.arrayBuffer();
            }
            return res;
          };

          it("answers as expected", async () => {
            await tally.run(`${production ? "production" : "development"} ${kind.name}: status`, async () => {
              const r = await response();
              expect(r.status).toBe(kind.status);
              if (kind.contentType) expect(r.headers.get("content-type")).toMatch(kind.contentType);
            });
          });

          for (const header of headerChecks) {
            it(header.name, async () => {
              await tally.run(`${production ? "production" : "development"} ${kind.name}: ${header.name}`, async () => header.check(await response(), kind, production));
            });
          }
        });
      }
    });
  }
});
