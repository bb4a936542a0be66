// Fault injection: the database unavailable in the middle of a job.
// - SQLite: another connection holds the write lock (BEGIN EXCLUSIVE) from a seeded random statement
//   of an apply or a sync until past the job's busy timeout (support/fault-child.ts runs the job with a
//   300 ms busy timeout instead of the app's 15 s, so a case takes seconds, not minutes).
// - PostgreSQL: every connection cut (pg_terminate_backend), or the database refusing connections for
//   a while, before a seeded random statement (support/pg-outage.ts, on a fresh PostgreSQL database
//   whatever the suite runs on; skipped with its reason recorded when no server answers, failed in CI).
// Either way the attempt must end retryably — queued again with its error, or left running for
// another worker to take over — never failed; a later run finishes the job with the fault-free run's
// ledger, balances, store metafields or snapshot.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { databaseKind, sqliteFilePath } from "~/database-url";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { JobRunner } from "~/jobs/runner.server";
import { requestApply } from "~/services/apply/apply.server";
import { requestSync } from "~/services/sync/sync-requests.server";
import { deploy } from "../../scripts/db-deploy.mjs";
import { uniqueShop } from "../support/webhooks";
import {
  applyScenario,
  differences,
  installShop,
  ledgerPicture,
  pointAppAt,
  pointsDifference,
  runChild,
  snapshotPicture,
  startStore,
  storedBalances,
  type ChildRun,
} from "./support/fault-scenario";
import { record, reliabilitySize, Tally } from "./support/record";
import { measured } from "./support/statements";
import { mulberry32 } from "../emulators/seeded-random";

const FULL = reliabilitySize() === "full";
const CATEGORY = "faults";
const SIZES = FULL
  ? { apply: { customers: 600, orders: 1200, seed: 53 }, sync: { customers: 1200, orders: 2500, seed: 59 }, sqliteCases: 6, pgApply: { customers: 250, orders: 600, seed: 53 }, pgCases: 4 }
  : { apply: { customers: 100, orders: 250, seed: 53 }, sync: { customers: 300, orders: 600, seed: 59 }, sqliteCases: 1, pgApply: { customers: 100, orders: 250, seed: 53 }, pgCases: 1 };
const BUSY_TIMEOUT_MS = 300;

const RETRYABLE = [
  "the attempt under the fault ends retryably: queued again with its error, or left running for another worker to take over; never failed",
  "a later run finishes the job",
];

const sqliteTally = new Tally({
  category: CATEGORY,
  check: `SQLite locked by another connection (BEGIN EXCLUSIVE) from a random statement of an apply or a sync, held past the busy timeout (${BUSY_TIMEOUT_MS} ms in the job's process)`,
  invariants: [...RETRYABLE, "ledger entries, balances and store metafields (apply) or the snapshot (sync) = the fault-free run's; every balance = the sum of its entries"],
});

afterAll(() => sqliteTally.flush());

const sqlite = databaseKind(process.env.DATABASE_URL) === "sqlite";

/** The job, run by a fresh runner in this process until it ends (the lock released). */
async function runToEnd(jobId: string) {
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

/**
 * One attempt of the job in a child that pauses before statement `at`; this process then takes the
 * write lock with a connection of its own, lets the child go on, and keeps the lock until the child's
 * attempt is over (the job failed, or its runner could not even record that).
 */
async function attemptUnderLock(jobId: string, at: number, env: Record<string, string>): Promise<ChildRun & { locked: boolean }> {
  const file = sqliteFilePath(process.env.DATABASE_URL);
  const resumeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "carryover-lock-")), "go");
  let lock: BetterSqlite3.Database | null = null;
  const answer = (text: string) => {
    fs.writeFileSync(`${resumeFile}.tmp`, text);
    fs.renameSync(`${resumeFile}.tmp`, resumeFile);
  };
  const run = await runChild({ run: "job", jobId, once: true, busyTimeoutMs: BUSY_TIMEOUT_MS, pauseAtStatement: at, resumeFile }, env, {}, (line) => {
    if (line.paused === undefined) return;
    if (lock) return answer(`${line.paused}:go`);
    // The child may be paused inside a write transaction of its own: then the lock cannot be had
    // before it commits, and it is asked again at its next statement.
    const connection = new BetterSqlite3(file, { timeout: 0 });
    try {
      connection.exec("BEGIN EXCLUSIVE");
      lock = connection;
      answer(`${line.paused}:go`);
    } catch {
      connection.close();
      answer(`${line.paused}:next`);
    }
  });
  const locked = lock !== null;
  if (lock) {
    (lock as BetterSqlite3.Database).exec("COMMIT");
    (lock as BetterSqlite3.Database).close();
  }
  return { ...run, locked };
}

function expectRetryable(state: string, why: string) {
  expect(["queued", "running"], `${why}: the attempt left the job ${state}`).toContain(state);
}

describe("the database unavailable mid-job", () => {
  it("SQLite: a write lock held past the busy timeout mid-apply and mid-sync fails the attempt retryably; the next run ends as a fault-free run", { timeout: 1_800_000 }, async (ctx) => {
    if (!sqlite) {
      const reason = "the suite runs on PostgreSQL (DATABASE_URL), not on a SQLite file";
      record({ category: CATEGORY, check: `SQLite write lock mid-job — skipped: ${reason}`, invariants: [], cases: 0, failures: 0 });
      ctx.skip(reason);
      return;
    }
    const random = mulberry32(61);

    // Apply.
    const reference = await applyScenario(SIZES.apply);
    pointAppAt("shopify", reference.emulator.url);
    const asked = await requestApply({ shopId: reference.shop.id, migrationId: reference.migrationId, pilot: null });
    if (asked.outcome !== "enqueued") throw new Error(JSON.stringify(asked));
    const ran = await measured(() => runToEnd(asked.jobId));
    expect(ran.value.state).toBe("succeeded");
    const expected = { ledger: await ledgerPicture(reference.shop.id, reference.migrationId), store: storedBalances(reference.emulator) };
    await reference.emulator.close();
    for (let i = 0; i < SIZES.sqliteCases; i++) {
      const at = 1 + Math.floor(random() * ran.statements);
      const label = `apply, locked from statement ${at} of ${ran.statements}`;
      const scenario = await applyScenario(SIZES.apply);
      pointAppAt("shopify", scenario.emulator.url);
      const job = await requestApply({ shopId: scenario.shop.id, migrationId: scenario.migrationId, pilot: null });
      if (job.outcome !== "enqueued") throw new Error(JSON.stringify(job));
      await sqliteTally.run(label, async () => {
        const attempt = await attemptUnderLock(job.jobId, at, { SHOPIFY_ADMIN_API_ORIGIN: scenario.emulator.url });
        const after = await prisma.job.findUniqueOrThrow({ where: { id: job.jobId } });
        const why = `${label}: child exited ${attempt.code ?? attempt.signal} ${JSON.stringify(attempt.result)?.slice(0, 400)} ${attempt.stderr.slice(-400)}`;
        expect(attempt.locked, why).toBe(true);
        expectRetryable(after.state, why);
        const recovered = await runToEnd(job.jobId);
        expect(recovered.state, `${why}; ${recovered.error}`).toBe("succeeded");
        const ledger = await ledgerPicture(scenario.shop.id, scenario.migrationId);
        const { lost, duplicated } = pointsDifference(ledger, expected.ledger);
        sqliteTally.add({ pointsLostOrDuplicated: lost + duplicated });
        expect(differences(ledger.entries, expected.ledger.entries), why).toEqual([]);
        expect(differences(ledger.members, expected.ledger.members), why).toEqual([]);
        expect(ledger.drift, why).toBe(0);
        expect(differences(storedBalances(scenario.emulator), expected.store), why).toEqual([]);
      });
      await scenario.emulator.close();
    }

    // Sync.
    const store = await startStore(SIZES.sync);
    pointAppAt("shopify", store.url);
    const syncJob = async () => {
      const shop = await installShop(uniqueShop("faults-lock"));
      return { shop, jobId: (await requestSync({ shopId: shop.id, full: true })).jobId };
    };
    const ref = await syncJob();
    const refRun = await measured(() => runToEnd(ref.jobId));
    expect(refRun.value.state).toBe("succeeded");
    const snapshot = await snapshotPicture(ref.shop.id);
    for (let i = 0; i < SIZES.sqliteCases; i++) {
      const at = 1 + Math.floor(random() * refRun.statements);
      const label = `sync, locked from statement ${at} of ${refRun.statements}`;
      const { shop, jobId } = await syncJob();
      await sqliteTally.run(label, async () => {
        const attempt = await attemptUnderLock(jobId, at, { SHOPIFY_ADMIN_API_ORIGIN: store.url });
        const after = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
        const why = `${label}: child exited ${attempt.code ?? attempt.signal} ${JSON.stringify(attempt.result)?.slice(0, 400)} ${attempt.stderr.slice(-400)}`;
        expect(attempt.locked, why).toBe(true);
        expectRetryable(after.state, why);
        const recovered = await runToEnd(jobId);
        expect(recovered.state, `${why}; ${recovered.error}`).toBe("succeeded");
        const got = await snapshotPicture(shop.id);
        expect(differences(got.customers, snapshot.customers), why).toEqual([]);
        expect(differences(got.orders, snapshot.orders), why).toEqual([]);
        expect(got.cursors, why).toEqual(snapshot.cursors);
      });
    }
    await store.close();
  });

  it("PostgreSQL: connections cut, or refused for a while, mid-apply and mid-sync fail the attempt retryably; the next run ends as a fault-free run", { timeout: 1_800_000 }, async (ctx) => {
    const base = new URL(process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test");
    const admin = new pg.Client({ connectionString: base.toString(), connectionTimeoutMillis: 5000 });
    const check = "PostgreSQL: every connection terminated (pg_terminate_backend), or the database refusing connections for 1 s, before a random statement of an apply or a sync";
    try {
      await admin.connect();
    } catch (error) {
      const reason = `PostgreSQL is unreachable at ${base.host} (${(error as Error).message})`;
      if (process.env.CI === "true") throw new Error(`${reason}: failing because CI=true`);
      record({ category: CATEGORY, check: `${check} — skipped: ${reason}`, invariants: [], cases: 0, failures: 0 });
      ctx.skip(reason);
      return;
    }
    const name = `carryover_faults_${Date.now()}_${crypto.randomBytes(3).toString("hex")}`;
    const url = new URL(base);
    url.pathname = `/${name}`;
    const tally = new Tally({
      category: CATEGORY,
      check,
      invariants: [...RETRYABLE, "ledger entries, balances and store metafields (apply) or the snapshot (sync) = the fault-free run's; every balance = the sum of its entries"],
    });
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      await deploy(url.toString());
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.resolve("tests/reliability/support/pg-outage.ts"), JSON.stringify({ seed: 67, cases: SIZES.pgCases, apply: SIZES.pgApply, sync: SIZES.sync, refuseMs: 1000 })],
        { env: { ...process.env, DATABASE_URL: url.toString() }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const code = await new Promise((resolve) => child.once("close", resolve));
      const line = out.split("\n").findLast((l) => l.startsWith('{"cases"'));
      expect(line, `pg-outage exited ${code}: ${err.slice(-2000)}`).toBeDefined();
      const { cases } = JSON.parse(line!) as {
        cases: Array<{ label: string; struck: boolean; afterFault: string; error: string; recovered: string; recoveredError: string | null; lost?: number; duplicated?: number; drift?: number; diffs: string[] }>;
      };
      for (const c of cases) {
        await tally.run(c.label, () => {
          const why = `${c.label}: ${c.error}`;
          if (c.struck) expectRetryable(c.afterFault, why);
          expect(c.recovered, `${why}; ${c.recoveredError}`).toBe("succeeded");
          expect(c.diffs, why).toEqual([]);
          if (c.lost !== undefined) tally.add({ pointsLostOrDuplicated: c.lost + (c.duplicated ?? 0) });
          expect(c.drift ?? 0, why).toBe(0);
        });
      }
      expect(cases.filter((c) => c.struck).length).toBeGreaterThan(0);
    } finally {
      tally.flush();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });
});
