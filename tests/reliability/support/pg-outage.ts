/**
 * PostgreSQL goes away in the middle of a job (tests/reliability/faults-database.test.ts starts this
 * script with DATABASE_URL naming a fresh PostgreSQL database; the suite itself may run on SQLite).
 *
 * For apply and sync: a fault-free run first (measured: how many statements), then, per case, the
 * same work on a fresh shop with the fault struck before a seeded random statement of the job:
 * - `terminate`: every connection of the app to the database is cut (pg_terminate_backend);
 * - `refuse`: the database stops accepting connections (ALLOW_CONNECTIONS false) and every
 *   connection is cut; it accepts them again `refuseMs` later.
 * The job's attempt must end retryably (queued again with its error, or — when even that could not
 * be written — left running for another worker to take over once its lease expires), never failed;
 * a later run must finish it, with the same ledger (or snapshot) and store as the fault-free run.
 *
 *   node --import tsx tests/reliability/support/pg-outage.ts '{"cases":2,"seed":7}'
 * prints one JSON line: { cases: [{ label, kind, mode, afterFault, error, recovered, lost, duplicated, drift, diffs }] }
 * (a case that hangs ends the run: it is the last line's last case, recovered "hung").
 */
import { createRequire } from "node:module";
import type Pg from "pg";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { JobRunner } from "~/jobs/runner.server";
import { requestApply } from "~/services/apply/apply.server";
import { requestSync } from "~/services/sync/sync-requests.server";
import { mulberry32 } from "../../emulators/seeded-random";
import { uniqueShop } from "../../support/webhooks";
import { applyScenario, differences, installShop, ledgerPicture, pointAppAt, pointsDifference, snapshotPicture, startStore, storedBalances, type ScenarioSize } from "./fault-scenario";
import { measured, onStatement, setPgGate } from "./statements";

interface Options {
  seed: number;
  /** Cases per kind (apply, sync); modes alternate. */
  cases: number;
  apply: ScenarioSize;
  sync: ScenarioSize;
  refuseMs: number;
  /** Only these kinds (default both): to replay one case by hand. */
  kinds?: Array<"apply" | "sync">;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const require = createRequire(import.meta.url);
const pg = require("pg") as typeof Pg;
const url = new URL(process.env.DATABASE_URL!);
const database = decodeURIComponent(url.pathname.slice(1));
const adminUrl = new URL(url);
adminUrl.pathname = "/postgres";
const admin = new pg.Client({ connectionString: adminUrl.toString() });

type Mode = "terminate" | "refuse";

/** Cuts every connection to the database but the admin's (and, for `refuse`, refuses new ones for a while). */
async function strike(mode: Mode): Promise<void> {
  if (mode === "refuse") await admin.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
  if (mode === "refuse") {
    setTimeout(() => void admin.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`), options.refuseMs).unref();
  }
}

/** Runs one attempt of the job with the fault struck before its `at`-th statement. */
async function attemptWithFault(jobId: string, at: number, mode: Mode) {
  const kind = (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).kind as keyof typeof jobHandlers;
  const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] }, backoffMs: () => 0 });
  let n = 0;
  let struck = false;
  const stop = onStatement((when) => {
    if (when === "before") n += 1;
  });
  setPgGate((client) => {
    if (client === admin || struck || n < at) return null;
    struck = true;
    return strike(mode);
  });
  let threw: string | null = null;
  try {
    const outcome = await runner.runOne();
    if (outcome.outcome === "failed" || outcome.outcome === "retrying") threw = outcome.error;
  } catch (error) {
    threw = error instanceof Error ? error.message : String(error);
  } finally {
    setPgGate(null);
    stop();
  }
  // Wait for the database to take connections again before looking.
  for (let i = 0; i < 100; i++) {
    try {
      await prisma.$queryRawUnsafe("SELECT 1");
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const after = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  return { struck, afterFault: after.state, error: (after.error ?? threw ?? "").trim().slice(-300) };
}

/** The fault-free run: one attempt, measured (the statements it sends are where faults may strike). */
async function referenceRun(jobId: string) {
  const kind = (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).kind as keyof typeof jobHandlers;
  const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] }, backoffMs: () => 0 });
  const ran = await measured(() => runner.runOne());
  if (ran.value.outcome !== "succeeded") throw new Error(`fault-free ${kind}: ${JSON.stringify(ran.value)}`);
  return ran;
}

/** A later run: a runner for which the dead attempt's lease has expired. */
async function recover(jobId: string) {
  const kind = (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).kind as keyof typeof jobHandlers;
  const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] }, backoffMs: () => 0, staleAfterMs: 0, now: () => new Date(Date.now() + 1) });
  for (let i = 0; i < 10; i++) {
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    if (job.state === "succeeded" || job.state === "failed") return job;
    await new Promise((r) => setTimeout(r, 5));
    await runner.runOne();
  }
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

const cases: unknown[] = [];
let current = "";

/**
 * A case that never ends is a failure to report, not a suite to hold: after 2 minutes without a case
 * ending, what was done is printed with the stuck case marked, and the process exits.
 */
let watchdog: NodeJS.Timeout | null = null;
function armWatchdog(label: string) {
  current = label;
  if (watchdog) clearTimeout(watchdog);
  watchdog = setTimeout(() => {
    cases.push({ label: `${current}: did not end within 2 minutes`, struck: true, afterFault: "hung", error: "hung", recovered: "hung", recoveredError: null, diffs: [] });
    process.stdout.write(`${JSON.stringify({ cases })}\n`);
    process.exit(3);
  }, 120_000);
}

async function main() {
  await admin.connect();
  const random = mulberry32(options.seed);
  const modes: Mode[] = ["refuse", "terminate"];

  // Apply.
  if (!options.kinds || options.kinds.includes("apply")) {
    const reference = await applyScenario(options.apply);
    pointAppAt("shopify", reference.emulator.url);
    const asked = await requestApply({ shopId: reference.shop.id, migrationId: reference.migrationId, pilot: null });
    if (asked.outcome !== "enqueued") throw new Error(`reference apply: ${JSON.stringify(asked)}`);
    const ran = await referenceRun(asked.jobId);
    const expected = { ledger: await ledgerPicture(reference.shop.id, reference.migrationId), store: storedBalances(reference.emulator) };
    await reference.emulator.close();
    for (let i = 0; i < options.cases; i++) {
      const mode = modes[i % 2]!;
      const at = 1 + Math.floor(random() * ran.statements);
      const scenario = await applyScenario(options.apply);
      pointAppAt("shopify", scenario.emulator.url);
      const job = await requestApply({ shopId: scenario.shop.id, migrationId: scenario.migrationId, pilot: null });
      if (job.outcome !== "enqueued") throw new Error(`apply: ${JSON.stringify(job)}`);
      const t0 = Date.now();
      armWatchdog(`apply, ${mode} before statement ${at}`);
      process.stderr.write(`pg-outage: apply ${i + 1}/${options.cases}, ${mode} before statement ${at}\n`);
      const fault = await attemptWithFault(job.jobId, at, mode);
      const t1 = Date.now();
      const recovered = await recover(job.jobId);
      const t2 = Date.now();
      const ledger = await ledgerPicture(scenario.shop.id, scenario.migrationId);
      const { lost, duplicated } = pointsDifference(ledger, expected.ledger);
      cases.push({
        kind: "apply",
        mode,
        label: `apply, PostgreSQL ${mode === "refuse" ? `refusing connections for ${options.refuseMs} ms` : "connections terminated"} before statement ${at} of ${ran.statements}`,
        ...fault,
        ms: { fault: t1 - t0, recovery: t2 - t1 },
        recovered: recovered.state,
        recoveredError: recovered.error,
        lost,
        duplicated,
        drift: ledger.drift,
        diffs: [
          ...differences(ledger.entries, expected.ledger.entries, 3),
          ...differences(ledger.members, expected.ledger.members, 3),
          ...differences(storedBalances(scenario.emulator), expected.store, 3),
        ],
      });
      await scenario.emulator.close();
    }
  }

  // Sync.
  if (!options.kinds || options.kinds.includes("sync")) {
    const store = await startStore(options.sync);
    pointAppAt("shopify", store.url);
    const syncJob = async () => {
      const shop = await installShop(uniqueShop("pg-outage"));
      return { shop, jobId: (await requestSync({ shopId: shop.id, full: true })).jobId };
    };
    const reference = await syncJob();
    const ran = await referenceRun(reference.jobId);
    const expected = await snapshotPicture(reference.shop.id);
    for (let i = 0; i < options.cases; i++) {
      const mode = modes[(i + 1) % 2]!;
      const at = 1 + Math.floor(random() * ran.statements);
      const { shop, jobId } = await syncJob();
      const t0 = Date.now();
      armWatchdog(`sync, ${mode} before statement ${at}`);
      process.stderr.write(`pg-outage: sync ${i + 1}/${options.cases}, ${mode} before statement ${at}\n`);
      const fault = await attemptWithFault(jobId, at, mode);
      const t1 = Date.now();
      const recovered = await recover(jobId);
      const t2 = Date.now();
      const got = await snapshotPicture(shop.id);
      cases.push({
        kind: "sync",
        mode,
        label: `sync, PostgreSQL ${mode === "refuse" ? `refusing connections for ${options.refuseMs} ms` : "connections terminated"} before statement ${at} of ${ran.statements}`,
        ...fault,
        ms: { fault: t1 - t0, recovery: t2 - t1 },
        recovered: recovered.state,
        recoveredError: recovered.error,
        customers: Object.keys(got.customers).length,
        expectedCustomers: Object.keys(expected.customers).length,
        diffs: [...differences(got.customers, expected.customers, 3), ...differences(got.orders, expected.orders, 3), ...differences(got.cursors, expected.cursors, 3)],
      });
    }
    await store.close();
  }
  if (watchdog) clearTimeout(watchdog);
  process.stdout.write(`${JSON.stringify({ cases })}\n`);
}

// An await that can never settle (nothing left to wake it) ends node with code 13 and no word: say which case.
process.on("exit", (code) => {
  if (code === 13) process.stdout.write(`${JSON.stringify({ cases: [...cases, { label: `${current}: an await never settled (node exit 13)`, struck: true, afterFault: "hung", error: "hung", recovered: "hung", recoveredError: null, diffs: [] }] })}\n`);
});

try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await admin.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
  // A pool whose connections were cut may never settle its disconnect: do not wait for it.
  await Promise.race([Promise.all([admin.end(), prisma.$disconnect()]).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  process.exit();
}
