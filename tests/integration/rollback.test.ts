/**
 * Rollback of an applied migration (issue 5): reversal entries, balances back, the store's
 * metafields follow, a replay is a no-op, a crash mid-rollback resumes; on SQLite and PostgreSQL.
 * The apply side is played here through postEntry with apply's keys (import / retroactive), so the
 * test does not depend on how apply batches its work.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import { JobRunner } from "~/jobs/runner.server";
import { ShopifyClient } from "~/platforms/shopify/shopify-client.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { checkBalances, postEntry, postReversal, withLedger } from "~/services/ledger/ledger.server";
import { pushBalances } from "~/services/ledger/push-balances.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { requestRollback, rollbackMigration } from "~/services/rollback/rollback.server";
import { idempotencyKey } from "~domain/ledger";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { control } from "../emulators/shopify/test-helpers";
import { testEnv } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";

const TOKEN = "shpat_rollback_test";
let emulator: ShopifyEmulator;
let shop: Shop;

const client = () => new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: TOKEN });
const gid = (i: number) => `gid://shopify/Customer/${emulator.store.customerLegacyId(i)}`;

beforeAll(async () => {
  const domain = uniqueShop("rollback");
  emulator = await startShopifyEmulator({ customers: 40, orders: 20, seed: 11, shopDomain: domain, accessToken: TOKEN });
  shop = await storeOfflineInstall({ domain, accessToken: TOKEN, scope: "read_customers,write_customers" });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

async function storedPoints(platformId: string): Promise<number | null> {
  const { body } = await control<{ metafields: Array<{ key: string; value: string }> }>(emulator, "GET", `/_emulator/metafields?ownerId=${encodeURIComponent(platformId)}&namespace=${encodeURIComponent("$app")}`);
  const points = body.metafields.find((m) => m.key === "points")?.value;
  return points === undefined ? null : Number(points);
}

const post = (e: Parameters<typeof postEntry>[1]) => withLedger((tx) => postEntry(tx, e));
const balance = async (memberId: string) => (await prisma.member.findUniqueOrThrow({ where: { id: memberId } })).balance;

/**
 * An applied migration over customers [from, from+visible) plus `pending` members with no account:
 * what apply writes (members, import entries, a retroactive earn), and the store's metafields.
 */
async function appliedMigration(opts: { from: number; visible: number; pending: number; name: string }) {
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: opts.name, state: "applied" } });
  const members: Array<{ id: string; platformId: string | null; imported: number }> = [];
  for (let i = 0; i < opts.visible + opts.pending; i++) {
    const visible = i < opts.visible;
    const platformId = visible ? gid(opts.from + i) : null;
    const existing = platformId ? await prisma.member.findFirst({ where: { shopId: shop.id, platformCustomerId: platformId } }) : null;
    const member =
      existing ??
      (await prisma.member.create({
        data: { shopId: shop.id, migrationId: migration.id, platformCustomerId: platformId, state: visible ? "visible" : "pending", email: `m${opts.from + i}@example.com`, emailNormalized: `m${opts.from + i}@example.com` },
      }));
    const imported = 100 * (i + 1);
    await post({ shopId: shop.id, memberId: member.id, migrationId: migration.id, kind: "import", points: imported, idempotencyKey: idempotencyKey.importRow(migration.id, `rec${i}`), sourceRef: `export.csv row ${i + 2}` });
    members.push({ id: member.id, platformId, imported });
  }
  // A retroactive earn for the first member, and one for the second whose order was cancelled since.
  const retro = await post({ shopId: shop.id, memberId: members[0]!.id, migrationId: migration.id, kind: "earn", points: 30, idempotencyKey: idempotencyKey.retroactive(migration.id, `9001${opts.from}`), sourceRef: "order #9001" });
  const retro2 = await post({ shopId: shop.id, memberId: members[1]!.id, migrationId: migration.id, kind: "earn", points: 20, idempotencyKey: idempotencyKey.retroactive(migration.id, `9002${opts.from}`), sourceRef: "order #9002" });
  await withLedger((tx) => postReversal(tx, { shopId: shop.id, originalId: retro2.entry.id, kind: "reverse", idempotencyKey: idempotencyKey.orderReverse("shopify", `9002${opts.from}`), sourceRef: "order #9002 cancelled" }));
  // A pending member registered: the restore memo (0 points).
  const pendingMember = members[opts.visible]!;
  await post({ shopId: shop.id, memberId: pendingMember.id, migrationId: migration.id, kind: "restore", points: 0, idempotencyKey: idempotencyKey.restore(migration.id, pendingMember.id), sourceRef: "customers/create" });
  expect(retro.outcome).toBe("posted");
  await pushBalances(client(), members.map((m) => m.id));
  return { migration, members };
}

describe("rollback of a migration", () => {
  it("reverses every entry it wrote, keeps live earnings and history, and pushes the balances back to the store", async () => {
    // A member who earned before the migration, and keeps earning after it.
    const before = await prisma.member.create({ data: { shopId: shop.id, platformCustomerId: gid(0), state: "visible" } });
    await post({ shopId: shop.id, memberId: before.id, kind: "earn", points: 50, idempotencyKey: idempotencyKey.orderEarn("shopify", "500"), sourceRef: "order #500" });
    const { migration, members } = await appliedMigration({ from: 0, visible: 6, pending: 3, name: "smile" });
    expect(members[0]!.id).toBe(before.id);
    await post({ shopId: shop.id, memberId: members[2]!.id, kind: "earn", points: 40, idempotencyKey: idempotencyKey.orderEarn("shopify", "501"), sourceRef: "order #501" });
    await pushBalances(client(), [members[2]!.id]);
    expect(await storedPoints(gid(0))).toBe(50 + 100 + 30);
    expect(await storedPoints(gid(2))).toBe(300 + 40);
    const entriesBefore = await prisma.ledgerEntry.count({ where: { shopId: shop.id } });

    const requested = await requestRollback({ shopId: shop.id, migrationId: migration.id });
    expect(requested).toMatchObject({ outcome: "enqueued" });
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("rolling_back");
    // The job runs it (the test's client stands in for platformClientFor).
    const seen: number[] = [];
    let outcome: Awaited<ReturnType<typeof rollbackMigration>> | null = null;
    const runner = new JobRunner({
      handlers: {
        async "migration.rollback"({ payload, checkpoint, progress }) {
          outcome = await rollbackMigration({ ...payload, client: client(), checkpoint, batchSize: 4, progress: async (p) => (seen.push(p.done), progress(p)) });
        },
      },
    });
    expect(await runner.runOne()).toMatchObject({ outcome: "succeeded", jobId: (requested as { jobId: string }).jobId });

    // 9 imports + 1 retroactive earn reversed; the cancelled retroactive earn and the restore memo left alone.
    expect(outcome).toMatchObject({ outcome: "rolled-back", state: "rolled_back", reversals: 10, pointsReversed: -(100 + 200 + 300 + 400 + 500 + 600 + 700 + 800 + 900 + 30), members: 9, pendingMembers: 3, negativeBalances: 0, kept: { memos: 1, reversedBefore: 1 } });
    const done = outcome as unknown as Extract<Awaited<ReturnType<typeof rollbackMigration>>, { outcome: "rolled-back" }>;
    expect(done.pushed).toEqual({ written: 6, failed: [] });
    expect(seen.at(-1)).toBe(10);
    // Balances: what they were before the migration, plus what was earned live since.
    expect(await balance(members[0]!.id)).toBe(50);
    expect(await balance(members[1]!.id)).toBe(0);
    expect(await balance(members[2]!.id)).toBe(40);
    for (const m of members.slice(3)) expect(await balance(m.id)).toBe(0);
    expect(await storedPoints(gid(0))).toBe(50);
    expect(await storedPoints(gid(2))).toBe(40);
    expect(await storedPoints(gid(5))).toBe(0);
    // Nothing deleted: the history reads the migration and its undoing; pending members stay.
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id } })).toBe(entriesBefore + 10);
    const rollbacks = await prisma.ledgerEntry.findMany({ where: { migrationId: migration.id, kind: "rollback" }, include: { reverses: true } });
    for (const r of rollbacks) {
      expect(r.points).toBe(-r.reverses!.points);
      expect(r.idempotencyKey).toBe(idempotencyKey.rollback(migration.id, r.reversesId!));
    }
    expect(await prisma.member.count({ where: { shopId: shop.id, migrationId: migration.id, state: "pending" } })).toBe(3);
    expect((await checkBalances(shop.id)).drift).toEqual([]);

    // A replay, through the service or a new request, writes nothing.
    expect(await rollbackMigration({ shopId: shop.id, migrationId: migration.id, client: client() })).toMatchObject({ outcome: "already-rolled-back", reversals: 10 });
    expect(await requestRollback({ shopId: shop.id, migrationId: migration.id })).toMatchObject({ outcome: "refused", reason: "already-rolled-back" });
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id } })).toBe(entriesBefore + 10);
  }, 60_000);

  it("refuses a migration that wrote nothing, or is being applied, saying why", async () => {
    for (const [state, reason] of [["previewed", "nothing-written"], ["applying", "apply-running"], ["draft", "nothing-written"]] as const) {
      const migration = await prisma.migration.create({ data: { shopId: shop.id, name: state, state } });
      expect(await requestRollback({ shopId: shop.id, migrationId: migration.id })).toMatchObject({ outcome: "refused", state, reason });
      expect(await rollbackMigration({ shopId: shop.id, migrationId: migration.id, client: client() })).toMatchObject({ outcome: "refused", reason });
      expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe(state);
    }
    const other = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("other") } });
    const mine = await prisma.migration.create({ data: { shopId: shop.id, name: "mine", state: "applied" } });
    expect(await requestRollback({ shopId: other.id, migrationId: mine.id })).toEqual({ outcome: "not-found" });
  });

  it("resumes after a crash mid-rollback, from the job's checkpoint, without a double reversal", async () => {
    const { migration, members } = await appliedMigration({ from: 10, visible: 8, pending: 4, name: "crash" });
    const { jobId } = (await requestRollback({ shopId: shop.id, migrationId: migration.id })) as { jobId: string };
    let batches = 0;
    const crashing = new JobRunner({
      workerId: "crashing",
      backoffMs: () => 0,
      handlers: {
        async "migration.rollback"({ payload, checkpoint, progress }) {
          await rollbackMigration({
            ...payload, client: client(), checkpoint, batchSize: 3,
            progress: async (update) => {
              await progress(update);
              if (update.done > 0 && ++batches === 2) throw new Error("process died");
            },
          });
        },
      },
    });
    expect(await crashing.runOne()).toMatchObject({ outcome: "retrying", jobId });
    const cut = await prisma.ledgerEntry.count({ where: { migrationId: migration.id, kind: "rollback" } });
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(13);
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("rolling_back");
    expect(await requestRollback({ shopId: shop.id, migrationId: migration.id })).toEqual({ outcome: "in-progress", jobId, migrationId: migration.id });

    const rescuer = new JobRunner({
      handlers: {
        async "migration.rollback"({ payload, checkpoint, progress }) {
          const outcome = await rollbackMigration({ ...payload, client: client(), checkpoint, progress, batchSize: 3 });
          expect(outcome.outcome).toBe("rolled-back");
        },
      },
    });
    expect(await rescuer.runOne()).toMatchObject({ outcome: "succeeded", jobId });
    expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: "succeeded", attempts: 2, progressDone: 13 });
    expect(await prisma.ledgerEntry.count({ where: { migrationId: migration.id, kind: "rollback" } })).toBe(13);
    for (const m of members) expect(await balance(m.id)).toBe(0);
    for (let i = 10; i < 18; i++) expect(await storedPoints(gid(i))).toBe(0);
    expect((await checkBalances(shop.id)).drift).toEqual([]);
  }, 60_000);

  it("two rollbacks racing reverse each entry once", async () => {
    const { migration, members } = await appliedMigration({ from: 20, visible: 5, pending: 5, name: "race" });
    const outcomes = await Promise.all([1, 2, 3].map(() => rollbackMigration({ shopId: shop.id, migrationId: migration.id, client: client(), batchSize: 2 })));
    expect(outcomes.every((o) => o.outcome === "rolled-back" || o.outcome === "already-rolled-back")).toBe(true);
    expect(await prisma.ledgerEntry.count({ where: { migrationId: migration.id, kind: "rollback" } })).toBe(11);
    for (const m of members) expect(await balance(m.id)).toBe(0);
    expect((await checkBalances(shop.id)).drift).toEqual([]);
  }, 60_000);

  it("runs from the CLI: enqueue, run in-process, report", async () => {
    const { migration } = await appliedMigration({ from: 30, visible: 3, pending: 1, name: "cli" });
    const env = { ...process.env, ...testEnv(inject("databaseUrl")), SHOPIFY_ADMIN_API_ORIGIN: emulator.url };
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("app/cli/main.ts"), "rollback", "--migration", migration.id, "--json"], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    expect(await new Promise((r) => child.once("exit", r))).toBe(0);
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "rolled-back", state: "rolled_back", reversals: 5, members: 4, pendingMembers: 1 });
    expect(await storedPoints(gid(30))).toBe(0);
    const again = spawn(process.execPath, ["--import", "tsx", path.resolve("app/cli/main.ts"), "rollback", "--migration", migration.id], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    again.stderr.on("data", (d: Buffer) => (err += d.toString()));
    expect(await new Promise((r) => again.once("exit", r))).toBe(2);
    expect(err).toMatch(/already rolled back/);
  }, 90_000);
});
