// Fault injection: a process killed at random points of an import, a sync, an apply and a rollback.
// The work runs in a child process (support/fault-child.ts) that is SIGKILLed on a seeded random
// database statement (before it runs, or right after it returned) or after a seeded random delay;
// then the work is recovered as the app recovers it (the job runner takes over the dead process's
// job; an upload is imported again) and what it left is compared with a fault-free run of the same
// inputs: staged rows and accounts, snapshot, ledger entries by idempotency key, member balances,
// the store's metafields. Sizes: RELIABILITY_SIZE=quick|full.
import { afterAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { JobRunner } from "~/jobs/runner.server";
import { requestApply } from "~/services/apply/apply.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { requestRollback } from "~/services/rollback/rollback.server";
import { requestSync } from "~/services/sync/sync-requests.server";
import { syncPlatform } from "~/services/sync/sync.server";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";
import {
  applyScenario,
  childOptionsFor,
  differences,
  installShop,
  killPoints,
  ledgerPicture,
  pointAppAt,
  pointsDifference,
  runChild,
  shopifyClient,
  snapshotPicture,
  stagedPicture,
  startStore,
  storedBalances,
  type ApplyScenario,
  type ChildRun,
  type KillPoint,
} from "./support/fault-scenario";
import { reliabilitySize, Tally } from "./support/record";
import { measured } from "./support/statements";

const FULL = reliabilitySize() === "full";
const CATEGORY = "faults";
const SIZES = FULL
  ? { importRows: 8000, sync: { customers: 1500, orders: 3000, seed: 41 }, apply: { customers: 1200, orders: 2400, seed: 43 }, kills: { import: 15, sync: 12, apply: 10, rollback: 10 } }
  : { importRows: 1500, sync: { customers: 400, orders: 1300, seed: 41 }, apply: { customers: 150, orders: 350, seed: 43 }, kills: { import: 2, sync: 2, apply: 2, rollback: 2 } };

const LEDGER_INVARIANTS = [
  "after recovery the job succeeded (taken over from the dead process, or run again)",
  "ledger entries by idempotency key = a fault-free run's (none missing: no point lost; none extra: no point doubled)",
  "members and their balances = the fault-free run's; every balance = the sum of its entries",
  "the store's points metafields = the fault-free run's",
];

const tallies = {
  import: new Tally({
    category: CATEGORY,
    check: "import killed (SIGKILL) at random statements or after a random delay, then the same file imported again",
    invariants: [
      "the file ends staged once, with the fault-free run's accounts (rows and points valid / rejected / merged / ignored)",
      "the staged rows = the fault-free run's, row by row (status, points, identity); nothing left of the killed attempt",
    ],
  }),
  sync: new Tally({
    category: CATEGORY,
    check: "sync job (paged customers, bulk orders) killed at random points, then taken over by another runner",
    invariants: [
      "after recovery the job succeeded",
      "every customer and order of the store is in the snapshot exactly once, as a fault-free sync wrote it; the cursors are the same",
    ],
  }),
  apply: new Tally({ category: CATEGORY, check: "apply job killed at random points, then taken over by another runner", invariants: LEDGER_INVARIANTS }),
  rollback: new Tally({ category: CATEGORY, check: "rollback job killed at random points, then taken over by another runner", invariants: LEDGER_INVARIANTS }),
};

/** Cases where the child really died by SIGKILL (a kill point past the end of the work lets it finish). */
const killed = { import: 0, sync: 0, apply: 0, rollback: 0 };
const emulators: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const t of Object.values(tallies)) t.flush();
  for (const e of emulators) await e.close();
});

function describeRun(run: ChildRun): string {
  return run.signal === "SIGKILL" ? "killed" : `exited ${run.code}${run.code ? `: ${run.stderr.slice(-600)}` : ""}`;
}

/** The job, after the killed child: run by a fresh runner (this process) until it ends. */
async function recoverJob(jobId: string) {
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  const kind = job.kind as keyof typeof jobHandlers;
  const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] }, backoffMs: () => 0 });
  for (let i = 0; i < 10; i++) {
    const now = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    if (now.state === "succeeded" || now.state === "failed") return now;
    await runner.runOne();
  }
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

/** The fault-free run of a job, in this process, measured (statements and time, to choose kill points). */
async function referenceRun(jobId: string) {
  const { value: job, statements, ms } = await measured(() => recoverJob(jobId));
  if (job.state !== "succeeded") throw new Error(`fault-free run: job ${job.state}: ${job.error}`);
  return { statements, ms, signal: null, code: 0, stderr: "", result: null } satisfies ChildRun;
}

describe("a process killed at random points", () => {
  it("import: the same file again after the kill stages exactly what a fault-free import stages", async () => {
    const shop = await installShop(uniqueShop("faults-import"));
    const body = demoLoyaltyExport({ customers: SIZES.importRows, orders: SIZES.importRows, seed: 47, shopDomain: shop.domain });
    const filePath = tempFile("smile-export.csv", body);
    const newMigration = () => prisma.migration.create({ data: { shopId: shop.id, name: "faults import" } });
    const input = (migrationId: string) => ({ shopId: shop.id, migrationId, provider: "smile", fileName: "smile-export.csv", filePath });

    const referenceMigration = await newMigration();
    const reference = await measured(() => importLoyaltyFile({ ...input(referenceMigration.id), provider: "smile" }));
    expect(reference.value.outcome).toBe("imported");
    const expected = await stagedPicture(referenceMigration.id);

    for (const point of killPoints(101, SIZES.kills.import, reference.statements, reference.ms)) {
      const migration = await newMigration();
      await tallies.import.run(`import, ${point.label}`, async () => {
        const run = await runChild({ run: "import", import: input(migration.id), ...childOptionsFor(point) }, {}, { afterMs: point.afterMs });
        if (run.signal === "SIGKILL") killed.import++;
        const again = await importLoyaltyFile({ ...input(migration.id), provider: "smile" });
        expect(again.outcome, `${point.label}: child ${describeRun(run)}`).toMatch(/^(imported|already-imported)$/);
        const got = await stagedPicture(migration.id);
        expect(got.files, `${point.label}: files`).toEqual(expected.files);
        expect(differences(got.rows, expected.rows), point.label).toEqual([]);
        tallies.import.add({ pointsLostOrDuplicated: Math.abs(got.validPoints - expected.validPoints) });
      });
    }
    expect(killed.import).toBeGreaterThan(0);
  });

  it("sync: the job taken over after the kill leaves the snapshot a fault-free sync leaves", async () => {
    const store = await startStore(SIZES.sync);
    emulators.push(store);
    pointAppAt("shopify", store.url);
    const env = { SHOPIFY_ADMIN_API_ORIGIN: store.url };
    const syncJob = async () => {
      const shop = await installShop(uniqueShop("faults-sync"));
      const requested = await requestSync({ shopId: shop.id, full: true });
      return { shop, jobId: requested.jobId };
    };
    const ref = await syncJob();
    const reference = await referenceRun(ref.jobId);
    const expected = await snapshotPicture(ref.shop.id);
    expect(Object.keys(expected.customers)).toHaveLength(SIZES.sync.customers);
    expect(Object.keys(expected.orders)).toHaveLength(SIZES.sync.orders);

    for (const point of killPoints(202, SIZES.kills.sync, reference.statements!, reference.ms)) {
      const { shop, jobId } = await syncJob();
      await tallies.sync.run(`sync, ${point.label}`, async () => {
        const run = await runChild({ run: "job", jobId, ...childOptionsFor(point) }, env, { afterMs: point.afterMs });
        if (run.signal === "SIGKILL") killed.sync++;
        const job = await recoverJob(jobId);
        expect(job.state, `${point.label}: child ${describeRun(run)}; ${job.error}`).toBe("succeeded");
        const got = await snapshotPicture(shop.id);
        expect(differences(got.customers, expected.customers), point.label).toEqual([]);
        expect(differences(got.orders, expected.orders), point.label).toEqual([]);
        expect(got.cursors).toEqual(expected.cursors);
      });
    }
    expect(killed.sync).toBeGreaterThan(0);
  });

  it("sync: a job stopped right after its last page's checkpoint resumes without reading the stream again, and counts every row once", async () => {
    // Found by the PostgreSQL outage test: a cursor is null both at the start and after the last page,
    // so a resume between the last page and the end of the resource pulled everything again and counted
    // it twice (progress and the cursor's itemsSynced: 2,600 orders of a store of 1,300).
    const store = await startStore({ ...SIZES.sync, seed: 71 });
    emulators.push(store);
    const shop = await installShop(uniqueShop("faults-resume"));
    const client = shopifyClient(store);
    let saved: unknown = null;
    const stopped = new Error("stopped after the last page's checkpoint");
    for (const resource of ["customers", "orders"] as const) {
      await tallies.sync.run(`sync stopped after the last ${resource} page's checkpoint`, async () => {
        const run = syncPlatform({
          shop,
          client,
          resources: ["customers", "orders"],
          full: true,
          checkpoint: saved,
          progress: async ({ checkpoint }) => {
            saved = structuredClone(checkpoint);
            if (checkpoint.resource === resource && checkpoint.cursor === null && !checkpoint.finished.includes(resource)) throw stopped;
          },
        });
        await expect(run).rejects.toBe(stopped);
      });
    }
    await fetch(`${store.url}/_emulator/requests`, { method: "DELETE" });
    const outcome = await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: saved, progress: async () => {} });
    expect(outcome).toMatchObject({ customers: SIZES.sync.customers, orders: SIZES.sync.orders, resumed: true });
    const requests = (await (await fetch(`${store.url}/_emulator/requests`)).json()) as { admin: number; bulkDownloads: number };
    expect(requests).toEqual({ admin: 0, bulkDownloads: 0 });
    const cursors = await prisma.syncCursor.findMany({ where: { shopId: shop.id }, select: { resource: true, itemsSynced: true }, orderBy: { resource: "asc" } });
    expect(cursors).toEqual([
      { resource: "customers", itemsSynced: SIZES.sync.customers },
      { resource: "orders", itemsSynced: SIZES.sync.orders },
    ]);
    expect(await prisma.platformOrder.count({ where: { shopId: shop.id } })).toBe(SIZES.sync.orders);
  });

  it("apply, then rollback: each job taken over after the kill ends as a fault-free run ends", async () => {
    const applyAndRollback = async (scenario: ApplyScenario, kills: { apply?: KillPoint; rollback?: KillPoint }) => {
      const env = { SHOPIFY_ADMIN_API_ORIGIN: scenario.emulator.url };
      pointAppAt("shopify", scenario.emulator.url);
      const applied = await requestApply({ shopId: scenario.shop.id, migrationId: scenario.migrationId, pilot: null });
      if (applied.outcome !== "enqueued") throw new Error(`apply not enqueued: ${JSON.stringify(applied)}`);
      const applyRun = kills.apply
        ? await runChild({ run: "job", jobId: applied.jobId, ...childOptionsFor(kills.apply) }, env, { afterMs: kills.apply.afterMs })
        : await referenceRun(applied.jobId);
      const applyJob = await recoverJob(applied.jobId);
      const afterApply = { ledger: await ledgerPicture(scenario.shop.id, scenario.migrationId), store: storedBalances(scenario.emulator), run: applyRun, job: applyJob };

      const rolled = await requestRollback({ shopId: scenario.shop.id, migrationId: scenario.migrationId });
      if (rolled.outcome !== "enqueued") throw new Error(`rollback not enqueued: ${JSON.stringify(rolled)}`);
      const rollbackRun = kills.rollback
        ? await runChild({ run: "job", jobId: rolled.jobId, ...childOptionsFor(kills.rollback) }, env, { afterMs: kills.rollback.afterMs })
        : await referenceRun(rolled.jobId);
      const rollbackJob = await recoverJob(rolled.jobId);
      const afterRollback = { ledger: await ledgerPicture(scenario.shop.id, scenario.migrationId), store: storedBalances(scenario.emulator), run: rollbackRun, job: rollbackJob };
      return { afterApply, afterRollback };
    };

    const referenceScenario = await applyScenario(SIZES.apply);
    emulators.push(referenceScenario.emulator);
    const reference = await applyAndRollback(referenceScenario, {});
    expect(Object.keys(reference.afterApply.store).length).toBeGreaterThan(0);
    expect(reference.afterApply.ledger.drift).toBe(0);
    expect(reference.afterRollback.ledger.drift).toBe(0);

    const applyKills = killPoints(303, SIZES.kills.apply, reference.afterApply.run.statements!, reference.afterApply.run.ms);
    const rollbackKills = killPoints(404, SIZES.kills.rollback, reference.afterRollback.run.statements!, reference.afterRollback.run.ms);
    for (let i = 0; i < Math.max(applyKills.length, rollbackKills.length); i++) {
      const scenario = await applyScenario(SIZES.apply);
      emulators.push(scenario.emulator);
      const kills = { apply: applyKills[i], rollback: rollbackKills[i] };
      const got = await applyAndRollback(scenario, kills);
      const check = async (tally: Tally, label: string, phase: "afterApply" | "afterRollback") => {
        await tally.run(label, () => {
          const mine = got[phase];
          const theirs = reference[phase];
          const why = `${label}: child ${describeRun(mine.run)}`;
          if (mine.run.signal === "SIGKILL") killed[phase === "afterApply" ? "apply" : "rollback"]++;
          expect(mine.job.state, `${why}; ${mine.job.error}`).toBe("succeeded");
          const { lost, duplicated } = pointsDifference(mine.ledger, theirs.ledger);
          tally.add({ pointsLostOrDuplicated: lost + duplicated });
          expect(differences(mine.ledger.entries, theirs.ledger.entries), why).toEqual([]);
          expect(differences(mine.ledger.members, theirs.ledger.members), why).toEqual([]);
          expect(mine.ledger.drift, why).toBe(0);
          expect(differences(mine.store, theirs.store), why).toEqual([]);
        });
      };
      if (kills.apply) await check(tallies.apply, `apply, ${kills.apply.label}`, "afterApply");
      if (kills.rollback) await check(tallies.rollback, `rollback, ${kills.rollback.label}`, "afterRollback");
      await scenario.emulator.close();
      emulators.splice(emulators.indexOf(scenario.emulator), 1);
    }
    expect(killed.apply).toBeGreaterThan(0);
    expect(killed.rollback).toBeGreaterThan(0);
  });
});
