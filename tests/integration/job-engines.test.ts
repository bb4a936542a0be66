// The job engines (decision 0019), each run the way the app runs it: the in-process loop over the
// Job table (SQLite's default, and possible on PostgreSQL) and pg-boss worker slots (PostgreSQL).
// No test calls the runner itself: jobs are enqueued and the engine's workers take them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { databaseKind } from "~/database-url";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { closePgBoss, QUEUES } from "~/jobs/pg-boss.server";
import { enqueue } from "~/jobs/queue.server";
import { JobRunner, PermanentJobError, startWorkerLoop, type JobContext, type JobHandlers } from "~/jobs/runner.server";
import { startJobWorker } from "~/jobs/worker.server";
import { uniqueShop } from "../support/webhooks";

const ENGINES = databaseKind(process.env.DATABASE_URL) === "postgresql" ? (["in-process", "pg-boss"] as const) : (["in-process"] as const);
const TEST = "engine-test:";

/** What the test jobs did, by job id. */
const runs = new Map<string, Array<{ start: number; end: number }>>();
const steps = new Map<string, number[]>();

/**
 * The test's jobs are reconciles (a long kind) whose migration id says what to do; any other job
 * a worker meets (left by another test file) runs its real handler, as the app would run it.
 */
async function testJob({ job, payload, checkpoint, progress }: JobContext<"migration.reconcile">): Promise<void> {
  const [action, arg] = payload.migrationId.slice(TEST.length).split(":");
  const started = Date.now();
  try {
    if (action === "sleep") await new Promise((r) => setTimeout(r, Number(arg)));
    if (action === "fail") throw new Error("platform unavailable");
    if (action === "permanent") throw new PermanentJobError("the migration does not exist");
    if (action === "steps") {
      const from = (checkpoint as { next: number } | null)?.next ?? 0;
      for (let step = from; step < Number(arg); step++) {
        await new Promise((r) => setTimeout(r, 40));
        steps.set(job.id, [...(steps.get(job.id) ?? []), step]);
        await progress({ done: step + 1, total: Number(arg), checkpoint: { next: step + 1 } });
      }
    }
  } finally {
    runs.set(job.id, [...(runs.get(job.id) ?? []), { start: started, end: Date.now() }]);
  }
}

const handlers: JobHandlers = {
  ...jobHandlers,
  async "migration.reconcile"(context) {
    if (context.payload.migrationId.startsWith(TEST)) return testJob(context);
    return jobHandlers["migration.reconcile"]!(context);
  },
};

interface Workers {
  stop(): Promise<void>;
}

/**
 * `slots` jobs at once: in process, that many app-server loops; with pg-boss, one worker process's
 * slots. The test jobs sleep without beating their heartbeat, so the lease outlasts the longest.
 */
async function startWorkers(engine: (typeof ENGINES)[number], slots: number): Promise<Workers> {
  if (engine === "pg-boss") return startJobWorker({ handlers, long: slots, short: 1, sweepEveryMs: 300, staleAfterMs: 10_000 });
  const loops = Array.from({ length: slots }, () => startWorkerLoop(new JobRunner({ handlers, staleAfterMs: 10_000 }), { idleMs: 50 }));
  globalThis.__carryoverWorker = loops[0];
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      globalThis.__carryoverWorker = undefined;
    },
  };
}

async function shop() {
  return prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("engines") } });
}

async function testJobFor(shopId: string, what: string) {
  const migrationId = `${TEST}${what}`;
  const { jobId } = await enqueue({ kind: "migration.reconcile", shopId, payload: { shopId, migrationId }, dedupeKey: `${TEST}${shopId}:${what}:${Math.random()}` });
  return jobId;
}

async function waitForJob(jobId: string, states: string[], timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    if (states.includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} is still ${job.state} after ${timeoutMs} ms (wanted ${states.join("/")}): ${job.error ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(ENGINES)("the %s job engine", (engine) => {
  let workers: Workers | null = null;
  beforeAll(() => {
    process.env.JOB_ENGINE = engine;
  });
  afterEach(async () => {
    await workers?.stop();
    workers = null;
  });
  afterAll(async () => {
    process.env.JOB_ENGINE = "in-process";
    await closePgBoss();
  });

  it("runs an enqueued job exactly once, with several workers racing for it", async () => {
    workers = await startWorkers(engine, 3);
    const s = await shop();
    const ids = await Promise.all([testJobFor(s.id, "sleep:100"), testJobFor((await shop()).id, "sleep:100"), testJobFor((await shop()).id, "sleep:100")]);
    for (const id of ids) {
      expect(await waitForJob(id, ["succeeded", "failed"])).toMatchObject({ state: "succeeded", attempts: 1, lockedBy: null, exclusiveKey: null });
      expect(runs.get(id)).toHaveLength(1);
    }
  });

  it("enqueues inside the caller's transaction: committed, the job runs; rolled back, neither job nor ticket is left", async () => {
    workers = await startWorkers(engine, 1);
    const s = await shop();
    const committed = await prisma.$transaction(async (tx) =>
      enqueue({ kind: "migration.reconcile", shopId: s.id, payload: { shopId: s.id, migrationId: `${TEST}sleep:10` }, dedupeKey: `${TEST}${s.id}:tx-commit` }, tx),
    );
    expect(await waitForJob(committed.jobId, ["succeeded", "failed"])).toMatchObject({ state: "succeeded" });
    const rolledBack = new Error("the caller's transaction fails after enqueueing");
    let jobId = "";
    await expect(
      prisma.$transaction(async (tx) => {
        ({ jobId } = await enqueue({ kind: "migration.reconcile", shopId: s.id, payload: { shopId: s.id, migrationId: `${TEST}sleep:10` }, dedupeKey: `${TEST}${s.id}:tx-rollback` }, tx));
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(jobId).not.toBe("");
    expect(await prisma.job.findUnique({ where: { id: jobId } })).toBeNull();
    if (engine === "pg-boss") {
      const tickets = async (id: string) => (await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM pgboss.job WHERE data->>'jobId' = $1`, id))[0]!.n;
      expect(Number(await tickets(committed.jobId))).toBeGreaterThanOrEqual(1);
      expect(Number(await tickets(jobId))).toBe(0);
    }
  });

  it("retries a failing job with backoff, then records the failure (pg-boss: dead-lettered)", async () => {
    workers = await startWorkers(engine, 1);
    const s = await shop();
    const id = await testJobFor(s.id, "fail");
    await prisma.job.update({ where: { id }, data: { maxAttempts: 3 } });
    const failed = await waitForJob(id, ["failed"]);
    expect(failed).toMatchObject({ attempts: 3, error: "platform unavailable", exclusiveKey: null });
    const attempts = runs.get(id)!;
    expect(attempts).toHaveLength(3);
    // Backoff: 1 s before the second attempt, 2 s before the third.
    expect(attempts[1]!.start - attempts[0]!.end).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.start - attempts[1]!.end).toBeGreaterThanOrEqual(1900);
    if (engine === "pg-boss") {
      // The runner records the failure, then sends the dead letter.
      const letters = async () => prisma.$queryRawUnsafe<Array<{ error: string }>>(`SELECT data->>'error' AS error FROM pgboss.job WHERE name = $1 AND data->>'jobId' = $2`, QUEUES.deadLetter, id);
      await expect.poll(letters, { timeout: 5000, interval: 50 }).toEqual([{ error: "platform unavailable" }]);
    }
  });

  it("fails a job at once on a permanent error", async () => {
    workers = await startWorkers(engine, 1);
    const id = await testJobFor((await shop()).id, "permanent");
    expect(await waitForJob(id, ["failed"])).toMatchObject({ attempts: 1, error: "the migration does not exist" });
    expect(runs.get(id)).toHaveLength(1);
  });

  it("runs one long job per shop at a time, and another shop's beside it", async () => {
    workers = await startWorkers(engine, 2);
    const a = await shop();
    const b = await shop();
    const a1 = await testJobFor(a.id, "sleep:2000");
    const a2 = await testJobFor(a.id, "sleep:2000");
    const b1 = await testJobFor(b.id, "sleep:2000");
    for (const id of [a1, a2, b1]) expect(await waitForJob(id, ["succeeded", "failed"])).toMatchObject({ state: "succeeded", exclusiveKey: null });
    const [ra1, ra2, rb1] = [a1, a2, b1].map((id) => runs.get(id)![0]!);
    const overlap = (x: { start: number; end: number }, y: { start: number; end: number }) => x.start < y.end && y.start < x.end;
    expect(overlap(ra1!, ra2!), "shop A's two long jobs ran at the same time").toBe(false);
    const t0 = Math.min(ra1!.start, ra2!.start, rb1!.start);
    const shown = JSON.stringify({ a1: ra1, a2: ra2, b1: rb1 }, (k, v: unknown) => (typeof v === "number" ? v - t0 : v));
    expect(overlap(rb1!, ra1!) || overlap(rb1!, ra2!), `shop B waited for shop A's jobs: ${shown}`).toBe(true);
    // A blocked claim is not an attempt.
    expect((await prisma.job.findMany({ where: { id: { in: [a1, a2, b1] } } })).map((j) => j.attempts)).toEqual([1, 1, 1]);
  });

  it("a stopped worker leaves its job at the last checkpoint, and the next worker resumes it from there", async () => {
    workers = await startWorkers(engine, 1);
    const id = await testJobFor((await shop()).id, "steps:40");
    const until = Date.now() + 15_000;
    while ((await prisma.job.findUniqueOrThrow({ where: { id } })).progressDone < 5) {
      if (Date.now() > until) throw new Error("the job made no progress");
      await new Promise((r) => setTimeout(r, 20));
    }
    await workers.stop();
    workers = null;
    const released = await prisma.job.findUniqueOrThrow({ where: { id } });
    expect(released).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, exclusiveKey: null });
    expect(released.progressDone).toBeGreaterThanOrEqual(5);
    expect(released.progressDone).toBeLessThan(40);
    expect(JSON.parse(released.checkpoint!)).toEqual({ next: released.progressDone });

    workers = await startWorkers(engine, 1);
    expect(await waitForJob(id, ["succeeded", "failed"])).toMatchObject({ state: "succeeded", attempts: 1, progressDone: 40 });
    expect(steps.get(id), "every step ran exactly once across the two workers").toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
