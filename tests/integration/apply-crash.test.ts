import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import prisma from "~/db.server";
import { applyMigration } from "~/services/apply/apply.server";
import { migrationReport } from "~/services/apply/report.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { testEnv } from "../support/test-env";
import { applyScenario, ledgerPicture, storedPoints, type Scenario } from "./apply-scenario";

// Two identical stores and exports (same seed and sizes): one migration is applied by the CLI, killed
// with SIGKILL mid-way and run again; the other is applied in one go. Their ledgers must be the same.
const SIZE = { customers: 1500, orders: 3000, seed: 23 };

let crashed: Scenario;
let straight: Scenario;

beforeAll(async () => {
  crashed = await applyScenario(SIZE);
  straight = await applyScenario(SIZE);
  // Once synced, the crashed store's bucket refills slowly: each batch's push takes seconds and the kill lands mid-apply.
  const throttled = await fetch(`${crashed.emulator.url}/_emulator/throttle`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ maximumAvailable: 400, restoreRate: 150, currentlyAvailable: 0 }),
  });
  expect(throttled.ok).toBe(true);
}, 240_000);

afterAll(async () => {
  await crashed?.emulator.close();
  await straight?.emulator.close();
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out");
}

describe("apply survives kill -9", () => {
  it("a second CLI run takes the killed job over; the ledger equals an uninterrupted run's, nothing doubled, the store holds the balances", async () => {
    const { conflicts: _a, ...same } = crashed.preview;
    const { conflicts: _b, ...also } = straight.preview;
    expect(same).toEqual(also);
    const env = { ...process.env, ...testEnv(inject("databaseUrl")), SHOPIFY_ADMIN_API_ORIGIN: crashed.emulator.url };
    // One process (tsx as a loader, not tsx's CLI, which runs the script in a child): the kill must hit the worker.
    const cli = ["--import", "tsx", path.resolve("app/cli/main.ts"), "apply", "--migration", crashed.migrationId, "--json"];
    const first = spawn(process.execPath, cli, { env, stdio: ["ignore", "ignore", "inherit"] });
    const killedAt = await waitFor(async () => {
      const job = await prisma.job.findFirst({ where: { shopId: crashed.shop.id, kind: "migration.apply", state: "running" } });
      return job && job.progressDone > 0 && job.progressTotal !== null && job.progressDone < job.progressTotal ? job : null;
    });
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const cut = await prisma.ledgerEntry.count({ where: { shopId: crashed.shop.id } });
    expect(cut).toBeGreaterThan(0);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: killedAt.id } })).state).toBe("running");
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: crashed.migrationId } })).state).toBe("applying");
    // The killed batch's entries are most likely committed with its push unfinished: the resume replays it.
    await fetch(`${crashed.emulator.url}/_emulator/throttle`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ maximumAvailable: 20_000, restoreRate: 10_000 }) });

    const second = spawn(process.execPath, cli, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    second.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => second.once("exit", r));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "applied", jobId: killedAt.id, attempts: 2 });
    expect(await prisma.job.findUniqueOrThrow({ where: { id: killedAt.id } })).toMatchObject({ state: "succeeded", attempts: 2 });

    const uninterrupted = await applyMigration({
      shopId: straight.shop.id,
      migrationId: straight.migrationId,
      reconciliationId: straight.reconciliationId,
      pilot: null,
      client: straight.client,
      checkpoint: null,
      progress: async () => {},
    });
    expect(uninterrupted).toMatchObject({ outcome: "applied" });

    const a = await ledgerPicture(crashed.shop.id, crashed.migrationId);
    const b = await ledgerPicture(straight.shop.id, straight.migrationId);
    expect(Object.keys(a.entries).length).toBeGreaterThan(cut);
    expect(a).toEqual(b);
    const p = crashed.preview;
    const sums = await prisma.ledgerEntry.groupBy({ by: ["kind"], where: { shopId: crashed.shop.id }, _sum: { points: true } });
    expect(Object.fromEntries(sums.map((x) => [x.kind, x._sum.points]))).toEqual({ import: p.points.matched + p.points.pending, earn: p.retroactive.points });
    expect(await checkBalances(crashed.shop.id)).toMatchObject({ drift: [] });

    const visible = await prisma.member.findMany({ where: { shopId: crashed.shop.id, state: "visible" } });
    const wrong = visible.filter((m) => storedPoints(crashed.emulator, m.platformCustomerId!) !== m.balance);
    expect(wrong).toEqual([]);
    const report = await migrationReport({ shopId: crashed.shop.id, migrationId: crashed.migrationId });
    expect(report?.identity).toMatchObject({ holds: true });
  }, 300_000);
});
