import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { JobRunner } from "~/jobs/runner.server";
import { enqueue } from "~/jobs/queue.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { ShopifyClient } from "~/platforms/shopify/shopify-client.server";
import { NuvemshopClient } from "~/platforms/nuvemshop/nuvemshop-client.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { syncPlatform } from "~/services/sync/sync.server";
import { normalizeEmail } from "~domain/identity";
import { checkPreview } from "~domain/reconcile/report";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { DEFAULT_ACCESS_TOKEN as NUVEMSHOP_TOKEN, startNuvemshopEmulator } from "../emulators/nuvemshop/server";
import { tempFile } from "../support/files";
import { testEnv } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";

const TOKEN = "shpat_sync_test";
const SIZE = { customers: 400, orders: 1200, seed: 3 };

let emulator: ShopifyEmulator;
let domain: string;

function client() {
  return new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: TOKEN });
}

beforeAll(async () => {
  domain = uniqueShop("sync");
  emulator = await startShopifyEmulator({ ...SIZE, shopDomain: domain, accessToken: TOKEN, throttle: { maximumAvailable: 20_000, restoreRate: 1_000 } });
  await storeOfflineInstall({ domain, accessToken: TOKEN, scope: "read_customers,write_customers,read_orders" });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

async function shopRow() {
  return prisma.shop.findFirstOrThrow({ where: { platform: "shopify", domain } });
}

async function syncNow(full = false) {
  const shop = await shopRow();
  return syncPlatform({ shop, client: client(), resources: ["customers", "orders"], full, checkpoint: null, progress: async () => {}, mode: "paged" });
}

describe("sync: the new store's snapshot", () => {
  it("holds every customer and order of the store, with normalised identities", async () => {
    const ghost = await shopRow();
    // A customer deleted from the store since an earlier sync: a full pull removes it.
    await prisma.platformCustomer.create({ data: { id: `${ghost.id}:ghost`, shopId: ghost.id, platformId: "gid://shopify/Customer/1", email: "gone@example.com", syncedAt: new Date("2026-01-01T00:00:00Z") } });
    const outcome = await syncNow(true);
    expect(outcome.removed).toEqual({ customers: 1, orders: 0 });
    const shop = await shopRow();
    expect(outcome).toMatchObject({ outcome: "synced", customers: emulator.store.customerCount, orders: emulator.store.orderCount });
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBe(emulator.store.customerCount);
    expect(await prisma.platformOrder.count({ where: { shopId: shop.id } })).toBe(emulator.store.orderCount);
    for (const i of [0, 7, 123, emulator.store.customerCount - 1]) {
      const row = await prisma.platformCustomer.findFirstOrThrow({ where: { shopId: shop.id, platformId: `gid://shopify/Customer/${emulator.store.customerLegacyId(i)}` } });
      expect(row.emailNormalized).toBe(normalizeEmail(emulator.store.email(i)));
    }
    const cursors = await prisma.syncCursor.findMany({ where: { shopId: shop.id } });
    expect(cursors.map((c) => c.resource).sort()).toEqual(["customers", "orders"]);
  }, 120_000);

  it("pulls only what changed on the next run, and the snapshot follows the store", async () => {
    emulator.store.createCustomer({ email: "Recem.Chegada@Example.com", firstName: "Recém", lastName: "Chegada" });
    const outcome = await syncNow();
    expect(outcome.customers).toBeGreaterThanOrEqual(1);
    expect(outcome.customers).toBeLessThan(50);
    expect(outcome.since.customers).not.toBeNull();
    const shop = await shopRow();
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBe(emulator.store.customerCount);
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id, emailNormalized: "recem.chegada@example.com" } })).toBe(1);
  }, 120_000);

  it("resumes from its checkpoint after a crash, ending with the same snapshot", async () => {
    const shop = await shopRow();
    await crashAndResume(shop, client, { customers: emulator.store.customerCount, orders: emulator.store.orderCount });
  }, 120_000);

  it("survives kill -9 of the CLI mid-sync: a second run takes the job over and completes it", async () => {
    // Its own store, with a slow bucket (Shopify's standard restore rate, a small maximum), so the
    // sync is still running when it is killed.
    const slowDomain = uniqueShop("kill");
    const slow = await startShopifyEmulator({ customers: 250, orders: 600, seed: 4, shopDomain: slowDomain, accessToken: TOKEN, throttle: { maximumAvailable: 1_000, restoreRate: 250 } });
    onTestFinished(() => slow.close());
    const shop = await storeOfflineInstall({ domain: slowDomain, accessToken: TOKEN, scope: "read_customers" });
    const env = { ...process.env, ...testEnv(inject("databaseUrl")), SHOPIFY_ADMIN_API_ORIGIN: slow.url };
    // One process (tsx as a loader, not tsx's CLI, which runs the script in a child): the kill must hit the worker.
    const cli = ["--import", "tsx", path.resolve("app/cli/main.ts"), "sync", "--shop", slowDomain, "--json"];
    const first = spawn(process.execPath, cli, { env, stdio: ["ignore", "ignore", "inherit"] });
    const killedAt = await waitFor(async () => {
      const job = await prisma.job.findFirst({ where: { shopId: shop.id, kind: "platform.sync", state: "running" }, orderBy: { createdAt: "desc" } });
      return job && job.progressDone > 0 ? job : null;
    });
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    expect(await prisma.platformOrder.count({ where: { shopId: shop.id } })).toBeLessThan(slow.store.orderCount);

    const second = spawn(process.execPath, cli, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    second.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => second.once("exit", r));
    expect(code).toBe(0);
    const job = await prisma.job.findUniqueOrThrow({ where: { id: killedAt.id } });
    expect(job).toMatchObject({ state: "succeeded", attempts: 2 });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "synced", customers: slow.store.customerCount, orders: slow.store.orderCount });
  }, 180_000);
});

describe("sync of a Nuvemshop store", () => {
  it("fills the same snapshot, CPF included, through the same service", async () => {
    const nuvem = await startNuvemshopEmulator({ customers: 300, orders: 700, seed: 5, bucket: { size: 40, leakPerSecond: 20 } });
    onTestFinished(() => nuvem.close());
    const storeId = String(nuvem.store.options.storeId);
    const shop = await prisma.shop.create({ data: { platform: "nuvemshop", domain: `${storeId}-${uniqueShop("n")}`, country: "BR" } });
    const nuvemClient = new NuvemshopClient({ origin: nuvem.url, storeId, accessToken: NUVEMSHOP_TOKEN, userAgent: "Carryover tests (dev@carryover.test)" });
    const outcome = await syncPlatform({ shop, client: nuvemClient, resources: ["customers", "orders"], full: false, checkpoint: null, progress: async () => {} });
    expect(outcome).toMatchObject({ customers: nuvem.store.customerCount, orders: nuvem.store.orderCount });
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBe(nuvem.store.customerCount);
    expect(await prisma.platformOrder.count({ where: { shopId: shop.id } })).toBe(nuvem.store.orderCount);
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id, cpf: { not: null } } })).toBeGreaterThan(0);
    const withPhone = await prisma.platformCustomer.findFirst({ where: { shopId: shop.id, phone: { not: null } } });
    expect(withPhone?.phoneE164 ?? "").toMatch(/^\+55\d{10,11}$/);
  }, 120_000);

  it("resumes its sync job from the checkpoint after a crash", async () => {
    const nuvem = await startNuvemshopEmulator({ customers: 240, orders: 500, seed: 6, bucket: { size: 40, leakPerSecond: 20 } });
    onTestFinished(() => nuvem.close());
    const storeId = String(nuvem.store.options.storeId);
    const shop = await prisma.shop.create({ data: { platform: "nuvemshop", domain: `${storeId}-${uniqueShop("n")}`, country: "BR" } });
    const make = () => new NuvemshopClient({ origin: nuvem.url, storeId, accessToken: NUVEMSHOP_TOKEN, userAgent: "Carryover tests (dev@carryover.test)", perPage: 50 });
    await crashAndResume(shop, make, { customers: nuvem.store.customerCount, orders: nuvem.store.orderCount });
  }, 120_000);
});

describe("reconcile: the dry run", () => {
  let migrationId: string;

  beforeAll(async () => {
    const shop = await shopRow();
    await syncNow(true);
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "demo", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
    migrationId = migration.id;
    const file = tempFile("smile-export.csv", demoLoyaltyExport({ ...SIZE, shopDomain: domain }));
    const imported = await importLoyaltyFile({ shopId: shop.id, migrationId, provider: "smile", fileName: "smile-export.csv", filePath: file });
    expect(imported.outcome).toBe("imported");
  }, 120_000);

  it("classifies every record, and the points add up", async () => {
    const shop = await shopRow();
    const result = await reconcileMigration({ shopId: shop.id, migrationId });
    expect(result.outcome).toBe("reconciled");
    if (result.outcome !== "reconciled") return;
    expect(checkPreview(result.report)).toBeNull();
    const file = await prisma.importFile.findFirstOrThrow({ where: { migrationId } });
    const matches = await prisma.recordMatch.groupBy({ by: ["class"], where: { reconciliationId: result.reconciliationId }, _count: true, _sum: { points: true } });
    const total = matches.reduce((n, m) => n + m._count, 0);
    expect(total).toBe(file.rowsValid);
    // The shoppers of the old program with no account here are exactly the export's "cliente.antiga" rows.
    const pendingRows = await prisma.loyaltyRecord.count({ where: { migrationId, status: "valid", emailNormalized: { startsWith: "cliente.antiga" } } });
    expect(matches.find((m) => m.class === "pending")?._count).toBe(pendingRows);
    const migration = await prisma.migration.findUniqueOrThrow({ where: { id: migrationId } });
    expect(migration.state).toBe("validated"); // a dry run does not skip the wizard's Rules step for the merchant
    expect(await prisma.ledgerEntry.count({ where: { migrationId } })).toBe(0);
  }, 120_000);

  it("gives the same report for the same inputs, and follows the merchant's review decisions", async () => {
    const shop = await shopRow();
    const first = await reconcileMigration({ shopId: shop.id, migrationId });
    const again = await reconcileMigration({ shopId: shop.id, migrationId });
    if (first.outcome !== "reconciled" || again.outcome !== "reconciled") throw new Error("not reconciled");
    expect(again.reused).toBe(true);
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(first.report));

    const conflict = await prisma.recordMatch.findFirst({ where: { reconciliationId: first.reconciliationId, class: "conflict" }, orderBy: { recordId: "asc" } });
    expect(conflict).not.toBeNull();
    const candidates = JSON.parse(conflict!.candidatesJson ?? "[]") as Array<{ platformId: string }>;
    await prisma.reviewDecision.create({ data: { shopId: shop.id, migrationId, recordId: conflict!.recordId, decision: "match", platformCustomerId: candidates[0]!.platformId } });
    const reviewed = await reconcileMigration({ shopId: shop.id, migrationId });
    if (reviewed.outcome !== "reconciled") throw new Error("not reconciled");
    expect(reviewed.reused).toBe(false);
    const decided = await prisma.recordMatch.findFirstOrThrow({ where: { reconciliationId: reviewed.reconciliationId, recordId: conflict!.recordId } });
    expect(decided).toMatchObject({ class: "matched", matchedBy: "review", platformCustomerId: candidates[0]!.platformId });
    expect(checkPreview(reviewed.report)).toBeNull();
  }, 120_000);
});

/**
 * Runs the shop's sync job, lets its worker die right after the first page's checkpoint, then has a
 * second worker take the job over: it must resume from the checkpoint (not from the start) and end
 * with the whole store in the snapshot.
 */
async function crashAndResume(shop: Shop, makeClient: () => PlatformClient, expected: { customers: number; orders: number }) {
  await prisma.platformCustomer.deleteMany({ where: { shopId: shop.id } });
  await prisma.platformOrder.deleteMany({ where: { shopId: shop.id } });
  const { jobId } = await enqueue({
    kind: "platform.sync",
    shopId: shop.id,
    payload: { shopId: shop.id, resources: ["customers", "orders"], full: true, migrationId: null },
    dedupeKey: `test-sync:${shop.id}:${Date.now()}`,
  });
  let pages = 0;
  const crashing = new JobRunner({
    workerId: "crashing",
    backoffMs: () => 0,
    handlers: {
      async "platform.sync"({ payload, checkpoint, progress }) {
        await syncPlatform({
          shop, client: makeClient(), resources: payload.resources, full: payload.full, checkpoint, mode: "paged",
          progress: async (update) => {
            await progress(update);
            if (++pages === 1) throw new Error("process died");
          },
        });
      },
    },
  });
  expect(await crashing.runOne()).toMatchObject({ outcome: "retrying", jobId });
  const cut = await prisma.platformCustomer.count({ where: { shopId: shop.id } });
  expect(cut).toBeGreaterThan(0);
  expect(cut).toBeLessThan(expected.customers);

  let resumedFrom: unknown = null;
  const rescuer = new JobRunner({
    handlers: {
      async "platform.sync"({ payload, checkpoint, progress }) {
        resumedFrom = checkpoint;
        await syncPlatform({ shop, client: makeClient(), resources: payload.resources, full: payload.full, checkpoint, progress, mode: "paged" });
      },
    },
  });
  expect(await rescuer.runOne()).toMatchObject({ outcome: "succeeded", jobId });
  expect(resumedFrom).toMatchObject({ resource: "customers", cursor: expect.any(String) });
  expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBe(expected.customers);
  expect(await prisma.platformOrder.count({ where: { shopId: shop.id } })).toBe(expected.orders);
  expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: "succeeded", attempts: 2, progressDone: expected.customers + expected.orders });
}

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out");
}
