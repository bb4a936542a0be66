// The done-when for restore: ten parallel copies of the same customers/create (the same webhook
// id and different ones), signed as Shopify signs them, fired over real HTTP at the running app — the
// production build served by server.mjs, two instances on one database, each with its job worker —
// are all answered 200 and restore the pending member exactly once, with the right balance on the store.
// Runs on SQLite and on PostgreSQL (scripts/with-postgres.mjs), like the rest of the integration suite.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import prisma from "~/db.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { ensureBuilt } from "../../scripts/lib/prepare.mjs";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { TEST_API_SECRET, testEnv } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";
import { seedPending } from "./restore-fake-store";
import { freePort } from "../support/ports";

const TOKEN = "shpat_restore_http";
let emulator: ShopifyEmulator;
let domain: string;
const servers: Array<{ child: ChildProcess; url: string; log: string[] }> = [];


async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startApp(): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...testEnv(inject("databaseUrl")), PORT: String(port), HOST: "127.0.0.1", SHOPIFY_ADMIN_API_ORIGIN: emulator.url };
  delete env.CARRYOVER_WORKER;
  const child = spawn(process.execPath, [path.resolve("server.mjs")], { env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout!.on("data", (d: Buffer) => log.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil("the app to answer /healthz", async () => (await fetch(`${url}/healthz`)).ok);
  return { child, url, log };
}

beforeAll(async () => {
  ensureBuilt();
  domain = uniqueShop("http");
  emulator = await startShopifyEmulator({ customers: 20, orders: 20, shopDomain: domain, accessToken: TOKEN, apiSecret: TEST_API_SECRET });
  servers.push(await startApp(), await startApp());
}, 180_000);

afterAll(async () => {
  for (const s of servers) {
    if (s.child.exitCode === null) {
      s.child.kill("SIGTERM");
      await new Promise((r) => s.child.once("exit", r));
    }
  }
  await emulator?.close();
});

function signedCreate(url: string, customer: { gid: string; legacyId: string; email: string }, webhookId: string) {
  const body = JSON.stringify({ id: Number(customer.legacyId), email: customer.email, admin_graphql_api_id: customer.gid, state: "enabled" });
  return fetch(`${url}/webhooks/customers/create`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": "customers/create",
      "x-shopify-shop-domain": domain,
      "x-shopify-api-version": "2026-01",
      "x-shopify-webhook-id": webhookId,
      "x-shopify-event-id": crypto.randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
      "x-shopify-hmac-sha256": crypto.createHmac("sha256", TEST_API_SECRET).update(body, "utf8").digest("base64"),
    },
    body,
  });
}

it("10 parallel customers/create over HTTP (same and different webhook ids) → all 200, one restore entry, the right balance on the store", async () => {
  const shop = await storeOfflineInstall({ domain, accessToken: TOKEN, scope: "read_customers,write_customers,read_orders" });
  await prisma.shop.update({ where: { id: shop.id }, data: { country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "http", state: "applied", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
  const email = `http-${crypto.randomBytes(3).toString("hex")}@example.com`;
  const pending = await seedPending({ shop, migrationId: migration.id }, { email, points: 1234 });

  // The shopper registers on the store (the emulator's own webhook is not sent: the test sends the copies).
  const index = emulator.store.createCustomer({ email: email.toUpperCase(), firstName: "Http", lastName: "Test" });
  const legacyId = emulator.store.customerLegacyId(index);
  const customer = { gid: `gid://shopify/Customer/${legacyId}`, legacyId, email };

  const shared = crypto.randomUUID();
  const webhookIds = Array.from({ length: 10 }, (_, i) => (i < 5 ? shared : crypto.randomUUID()));
  const responses = await Promise.all(webhookIds.map((id, i) => signedCreate(servers[i % 2]!.url, customer, id)));
  expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
  const outcomes = (await Promise.all(responses.map((r) => r.json()))) as Array<{ outcome: string }>;
  expect(outcomes.filter((o) => o.outcome === "enqueued")).toHaveLength(6);
  expect(outcomes.filter((o) => o.outcome === "duplicate")).toHaveLength(4);

  const jobs = await waitUntil(
    "the six jobs to finish",
    async () => {
      const rows = await prisma.job.findMany({ where: { shopId: shop.id, kind: "customer.changed" } });
      return rows.length === 6 && rows.every((j) => j.state === "succeeded" || j.state === "failed") ? rows : null;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${servers.map((s) => s.log.join("")).join("\n---\n")}`);
  });
  expect(jobs.map((j) => j.state)).toEqual(Array(6).fill("succeeded"));
  const results = jobs.map((j) => (JSON.parse(j.checkpoint!) as { outcome: { outcome: string } }).outcome.outcome).sort();
  expect(results).toEqual(["already-visible", "already-visible", "already-visible", "already-visible", "already-visible", "restored"]);

  expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain, topic: "CUSTOMERS_CREATE" } })).toBe(6);
  const restores = await prisma.ledgerEntry.findMany({ where: { shopId: shop.id, kind: "restore" } });
  expect(restores).toHaveLength(1);
  expect(restores[0]).toMatchObject({ memberId: pending.id, points: 0, idempotencyKey: `restore:${migration.id}:${pending.id}` });
  const member = await prisma.member.findUniqueOrThrow({ where: { id: pending.id } });
  expect(member).toMatchObject({ state: "visible", platformCustomerId: customer.gid, balance: 1234 });

  const res = await fetch(`${emulator.url}/_emulator/metafields?ownerId=${encodeURIComponent(customer.gid)}&namespace=${encodeURIComponent("$app")}`);
  const { metafields } = (await res.json()) as { metafields: Array<{ key: string; value: string }> };
  expect(metafields.find((m) => m.key === "points")?.value).toBe("1234");
  expect(new Date(metafields.find((m) => m.key === "restored_at")!.value).toISOString()).toBe(member.restoredAt!.toISOString());
}, 120_000);
