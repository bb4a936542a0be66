import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ARTIFACTS, expect, test } from "./fixtures";
import { EXTENSION, markupHooks, renderWidget, snippetSource, storefrontPage, translator, type StorefrontLocale } from "./storefront/render";
import { signedProxyQuery } from "./storefront/shopify-proxy";

// The storefront widget (decision 0014) in Chromium: a local server plays the Shopify storefront — it
// serves a page with the extension's markup (hand-rendered from the snippet, strings from the
// extension's locale files; tests/e2e/storefront/render.ts), its JS and CSS as they are, and plays
// Shopify's app proxy: /apps/carryover/* is forwarded to the demo app's /proxy/* with the query
// Shopify adds (shop, logged_in_customer_id of the signed-in shopper, path_prefix, timestamp),
// signed with the demo app's secret as Shopify documents it.

const SHOP = "demo-store.myshopify.com";
const APP = `http://127.0.0.1:${process.env.E2E_APP_PORT ?? 3100}`;
const DATA_DIR = path.resolve(".carryover/e2e");
process.env.DATABASE_URL ??= `file:${path.join(DATA_DIR, "carryover.db")}`;

function demoSecret(): string {
  const env = fs.readFileSync(path.join(DATA_DIR, "carryover.env"), "utf8");
  const line = env.split("\n").find((l) => l.startsWith("SHOPIFY_API_SECRET="));
  if (!line) throw new Error("the demo stack wrote no SHOPIFY_API_SECRET");
  return line.slice("SHOPIFY_API_SECRET=".length).trim();
}

interface ProxyCall {
  customerId: string | null;
  status: number;
  cacheControl: string | null;
}

/** The fake storefront. The signed-in shopper is the `storefront_customer` cookie (Shopify's session). */
async function startStorefront(secret: string) {
  const calls: ProxyCall[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://storefront.local");
      const cookie = /(?:^|;\s*)storefront_customer=(\d+)/.exec(req.headers.cookie ?? "");
      const customerId = cookie?.[1] ?? null;
      if (url.pathname.startsWith("/cdn/")) {
        const file = path.join(EXTENSION, "assets", path.basename(url.pathname));
        res.writeHead(200, { "content-type": file.endsWith(".css") ? "text/css" : "text/javascript" });
        res.end(fs.readFileSync(file));
        return;
      }
      if (url.pathname.startsWith("/apps/carryover/")) {
        // Shopify's app proxy: drop the cookies, add the signed parameters, forward to the app.
        const query = signedProxyQuery({ query: url.searchParams, shop: SHOP, customerId, secret });
        const forwarded = await fetch(`${APP}/proxy/${url.pathname.slice("/apps/carryover/".length)}?${query}`, {
          headers: { "x-forwarded-for": req.socket.remoteAddress ?? "127.0.0.1", accept: "application/json" },
        });
        calls.push({ customerId, status: forwarded.status, cacheControl: forwarded.headers.get("cache-control") });
        const headers: Record<string, string> = { "content-type": forwarded.headers.get("content-type") ?? "application/json" };
        for (const h of ["cache-control", "vary", "retry-after"]) {
          const v = forwarded.headers.get(h);
          if (v) headers[h] = v;
        }
        res.writeHead(forwarded.status, headers);
        res.end(await forwarded.text());
        return;
      }
      if (url.pathname === "/") {
        const locale = (url.searchParams.get("locale") ?? "en") as StorefrontLocale;
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(storefrontPage({ locale, customerId, customerName: url.searchParams.get("name") ?? undefined }));
        return;
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function seed() {
  const { default: prisma } = await import("../../app/db.server");
  const { postEntry, withLedger } = await import("../../app/services/ledger/ledger.server");
  const shop = await prisma.shop.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } });
  const run = Date.now();
  // Customer ids no emulator customer has (the emulator's are small), unique per run.
  const restoredId = String(900_000_000_000 + (run % 1_000_000_000));
  const nothingId = String(800_000_000_000 + (run % 1_000_000_000));
  const member = await prisma.member.create({
    data: {
      shopId: shop.id,
      platformCustomerId: `gid://shopify/Customer/${restoredId}`,
      state: "visible",
      tier: "Gold",
      restoredAt: new Date("2026-02-03T15:00:00.000Z"),
      email: `storefront-e2e-${run}@example.com`,
      firstName: "Ana",
    },
  });
  // Points through the ledger, like every balance (the balance check job must find no drift).
  await withLedger((tx) =>
    postEntry(tx, { shopId: shop.id, memberId: member.id, kind: "adjust", points: 1250, idempotencyKey: `adjust:e2e-storefront-${member.id}`, sourceRef: "e2e storefront" }),
  );
  await prisma.$disconnect();
  return { restoredId, nothingId };
}

test.describe("storefront widget", () => {
  let storefront: Awaited<ReturnType<typeof startStorefront>>;
  let ids: Awaited<ReturnType<typeof seed>>;

  test.beforeAll(async () => {
    ids = await seed();
    storefront = await startStorefront(demoSecret());
  });
  test.afterAll(async () => {
    await storefront?.close();
  });

  test("the hand-rendered markup uses only hooks the Liquid snippet has", () => {
    const snippet = snippetSource();
    const hooks = new Set([
      ...markupHooks(renderWidget({ locale: "en", customerId: "1", variant: "embed" })),
      ...markupHooks(renderWidget({ locale: "en", customerId: null, variant: "block" })),
    ]);
    for (const hook of hooks) expect(snippet, `snippet has ${hook}`).toContain(hook);
    // Every storefront string exists in every language.
    const keys = ["heading", "points.one", "points.other", "tier", "restored", "pending", "none", "signed_out", "create_account", "sign_in", "loading", "error", "close"];
    for (const locale of ["en", "pt-BR", "es"] as const) for (const key of keys) expect(translator(locale)(`carryover.${key}`)).not.toBe("");
  });

  const cases: Array<{ locale: StorefrontLocale; balance: string; unit: string; restored: string; date: string }> = [
    { locale: "en", balance: "1,250", unit: "points", restored: "Restored from our previous program", date: "February 3, 2026" },
    { locale: "pt-BR", balance: "1.250", unit: "pontos", restored: "Recuperados do nosso programa anterior", date: "3 de fevereiro de 2026" },
  ];

  for (const c of cases) {
    test(`a signed-in restored member sees their points, tier and the restored note (${c.locale})`, async ({ page, context }) => {
      const t = translator(c.locale);
      await context.addCookies([{ name: "storefront_customer", value: ids.restoredId, url: storefront.origin }]);
      await page.goto(`${storefront.origin}/?locale=${c.locale}&name=Ana`);
      const block = page.locator(".carryover-points--block");
      await expect(block).toHaveAttribute("data-view", "member");
      await expect(block.locator("[data-carryover-balance]")).toHaveText(c.balance);
      await expect(block.locator("[data-carryover-unit]")).toHaveText(c.unit);
      await expect(block.locator("[data-carryover-tier]")).toHaveText("Gold");
      await expect(block.locator("[data-carryover-restored]")).toBeVisible();
      await expect(block.locator("[data-carryover-restored]")).toContainText(c.restored);
      await expect(block.locator("[data-carryover-restored-at]")).toHaveText(c.date);
      await expect(block.getByText(t("carryover.signed_out"))).toBeHidden();
      // The embed shows the same, from the same (single) request.
      await expect(page.locator(".carryover-points--embed [data-carryover-balance]")).toHaveText(c.balance);
      const mine = storefront.calls.filter((call) => call.customerId === ids.restoredId);
      expect(mine.at(-1)).toMatchObject({ status: 200, cacheControl: "private, max-age=30" });
      await page.screenshot({ path: `${ARTIFACTS}/storefront-restored-${c.locale}.png`, fullPage: true });
    });

    test(`a signed-in customer with no carried-over points is told so (${c.locale})`, async ({ page, context }) => {
      const t = translator(c.locale);
      await context.addCookies([{ name: "storefront_customer", value: ids.nothingId, url: storefront.origin }]);
      await page.goto(`${storefront.origin}/?locale=${c.locale}&name=Bruno`);
      const block = page.locator(".carryover-points--block");
      await expect(block).toHaveAttribute("data-view", "none");
      await expect(block.getByText(t("carryover.none"))).toBeVisible();
      await expect(block.locator("[data-carryover-balance]")).toBeHidden();
      expect(storefront.calls.filter((call) => call.customerId === ids.nothingId).at(-1)?.status).toBe(200);
      await page.screenshot({ path: `${ARTIFACTS}/storefront-none-${c.locale}.png`, fullPage: true });
    });

    test(`a signed-out visitor is told their old points wait for an account with the same e-mail (${c.locale})`, async ({ page }) => {
      const t = translator(c.locale);
      await page.goto(`${storefront.origin}/?locale=${c.locale}`);
      const block = page.locator(".carryover-points--block");
      await expect(block).toHaveAttribute("data-view", "signed-out");
      await expect(block.getByText(t("carryover.signed_out"))).toBeVisible();
      await expect(block.getByRole("link", { name: t("carryover.create_account") })).toHaveAttribute("href", "/account/register");
      await expect(block.locator("[data-carryover-balance]")).toBeHidden();
      // The widget did ask the proxy (signed, no customer) and got the invitation, not an error.
      await expect.poll(() => storefront.calls.filter((call) => call.customerId === null).length).toBeGreaterThan(0);
      expect(storefront.calls.filter((call) => call.customerId === null).at(-1)?.status).toBe(200);
      await expect(block).toHaveAttribute("data-carryover-ready", "done");
      await page.screenshot({ path: `${ARTIFACTS}/storefront-signed-out-${c.locale}.png`, fullPage: true });
    });
  }

  test("a request that did not come through Shopify's proxy is refused", async ({ request }) => {
    const res = await request.get(`${APP}/proxy/points?shop=${SHOP}&logged_in_customer_id=${ids.restoredId}&timestamp=${Math.floor(Date.now() / 1000)}&signature=${"0".repeat(64)}`);
    expect(res.status()).toBe(401);
  });
});
