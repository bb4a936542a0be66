// Two worker processes (what `npm run worker` starts) on the configured engine — pg-boss on
// PostgreSQL, the in-process loop on SQLite — run a real apply against the Shopify emulator. The
// worker running it is killed (SIGKILL) in the middle; the other takes the job over from its
// checkpoint and finishes it. What it leaves must equal a run that nobody killed: every ledger
// entry once (nothing lost, nothing doubled), the same balances, the same metafields in the store.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { databaseKind } from "~/database-url";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { closePgBoss } from "~/jobs/pg-boss.server";
import { JobRunner } from "~/jobs/runner.server";
import { requestApply } from "~/services/apply/apply.server";
import { applyScenario, differences, ledgerPicture, pointAppAt, pointsDifference, storedBalances, type ApplyScenario } from "../reliability/support/fault-scenario";

const ENGINE = databaseKind(process.env.DATABASE_URL) === "postgresql" ? "pg-boss" : "in-process";
const SIZE = { customers: 400, orders: 800, seed: 53 };

interface Worker {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/job-worker-child.ts"], {
    env: { ...process.env, ...env, JOB_ENGINE: ENGINE, TEST_SWEEP_MS: "300" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('"started":true')) {
        clearTimeout(timer);
        resolve({ child, exited, output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    void exited.then(() => reject(new Error(`worker exited before starting: ${output}`)));
  });
}

const started: Worker[] = [];
const emulators: ApplyScenario["emulator"][] = [];
afterAll(async () => {
  for (const w of started) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  for (const e of emulators) await e.close();
  await closePgBoss();
  process.env.JOB_ENGINE = "in-process";
});

describe(`worker processes on the ${ENGINE} engine`, () => {
  it("a worker killed in the middle of an apply: another worker finishes it, nothing lost or doubled", { timeout: 180_000 }, async () => {
    // The run nobody kills.
    const reference = await applyScenario(SIZE);
    emulators.push(reference.emulator);
    pointAppAt("shopify", reference.emulator.url);
    const ref = await requestApply({ shopId: reference.shop.id, migrationId: reference.migrationId, pilot: null });
    if (ref.outcome !== "enqueued") throw new Error(JSON.stringify(ref));
    await new JobRunner({ handlers: jobHandlers }).runUntilIdle();
    expect(await prisma.job.findUniqueOrThrow({ where: { id: ref.jobId } })).toMatchObject({ state: "succeeded" });
    const expected = { ledger: await ledgerPicture(reference.shop.id, reference.migrationId), store: storedBalances(reference.emulator) };
    expect(Object.keys(expected.store).length).toBeGreaterThan(100);

    // The same store and file, applied by two worker processes, one of which is killed.
    const scenario = await applyScenario(SIZE);
    emulators.push(scenario.emulator);
    // A slower Admin API, so the apply lasts long enough to be caught in the middle.
    await fetch(`${scenario.emulator.url}/_emulator/throttle`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ maximumAvailable: 60, restoreRate: 150 }) });
    const env = { SHOPIFY_ADMIN_API_ORIGIN: scenario.emulator.url };
    pointAppAt("shopify", scenario.emulator.url);
    process.env.JOB_ENGINE = ENGINE;
    // Started together: two pg-boss starts on a fresh database race in create_queue (the loser retries).
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    started.push(...workers);
    const applied = await requestApply({ shopId: scenario.shop.id, migrationId: scenario.migrationId, pilot: null });
    if (applied.outcome !== "enqueued") throw new Error(JSON.stringify(applied));

    let victim: Worker | undefined;
    let progressAtKill = 0;
    const until = Date.now() + 60_000;
    while (!victim) {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: applied.jobId } });
      if (job.state === "succeeded" || job.state === "failed") throw new Error(`the apply ended (${job.state}) before it could be killed; make it slower`);
      if (job.state === "running" && job.progressDone > 0 && job.lockedBy) {
        const pid = Number(job.lockedBy.split(":")[1]);
        victim = workers.find((w) => w.child.pid === pid);
        if (!victim) throw new Error(`the job is held by ${job.lockedBy}, not by one of the test's workers`);
        progressAtKill = job.progressDone;
        victim.child.kill("SIGKILL");
      }
      if (Date.now() > until) throw new Error(`the apply was not caught running: ${JSON.stringify(job)}\n${workers.map((w) => w.output()).join("\n")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await victim.exited).signal).toBe("SIGKILL");
    const survivor = workers.find((w) => w !== victim)!;

    let job = await prisma.job.findUniqueOrThrow({ where: { id: applied.jobId } });
    const deadline = Date.now() + 120_000;
    while (job.state !== "succeeded" && job.state !== "failed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      job = await prisma.job.findUniqueOrThrow({ where: { id: applied.jobId } });
    }
    expect(job.state, `${job.error ?? ""}\n${survivor.output()}`).toBe("succeeded");
    expect(job.attempts, "the killed attempt and the survivor's").toBe(2);
    expect(progressAtKill).toBeLessThan(job.progressTotal ?? Infinity);

    const got = { ledger: await ledgerPicture(scenario.shop.id, scenario.migrationId), store: storedBalances(scenario.emulator) };
    expect(pointsDifference(got.ledger, expected.ledger)).toEqual({ lost: 0, duplicated: 0 });
    expect(differences(got.ledger.entries, expected.ledger.entries)).toEqual([]);
    expect(differences(got.ledger.members, expected.ledger.members)).toEqual([]);
    expect(got.ledger.drift).toBe(0);
    expect(differences(got.store, expected.store)).toEqual([]);

    // The survivor stops gracefully.
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
  });
});
