import os from "node:os";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { JobRunner, PermanentJobError, startWorkerLoop, type JobHandlers } from "~/jobs/runner.server";
import { uniqueShop } from "../support/webhooks";

async function newShop() {
  return prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("jobs") } });
}

function reconcilePayload(shopId: string, migrationId: string) {
  return { kind: "migration.reconcile" as const, shopId, payload: { shopId, migrationId }, dedupeKey: `test:${shopId}:${migrationId}` };
}

describe("the in-process job runner", () => {
  it("runs a job once, however many workers race for it", async () => {
    const shop = await newShop();
    const { jobId } = await enqueue(reconcilePayload(shop.id, "m1"));
    let runs = 0;
    const handlers: JobHandlers = {
      async "migration.reconcile"({ job }) {
        if (job.id === jobId) runs++; // other test files may have left jobs of this kind queued
        await new Promise((r) => setTimeout(r, 20));
      },
    };
    const workers = Array.from({ length: 8 }, (_, i) => new JobRunner({ handlers, workerId: `w${i}` }));
    const outcomes = await Promise.all(workers.map((w) => w.runUntilIdle(50)));
    expect(runs).toBe(1);
    expect(outcomes.flat().filter((o) => "jobId" in o && o.jobId === jobId)).toHaveLength(1);
    expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: "succeeded", attempts: 1, lockedBy: null });
  });

  it("retries a failing job with backoff, then records the failure after maxAttempts", async () => {
    const shop = await newShop();
    const { jobId } = await enqueue(reconcilePayload(shop.id, "m2"));
    await prisma.job.update({ where: { id: jobId }, data: { maxAttempts: 3 } });
    let now = new Date("2026-12-01T10:00:00Z");
    const runner = new JobRunner({
      handlers: {
        async "migration.reconcile"() {
          throw new Error("platform unavailable");
        },
      },
      backoffMs: (attempt) => attempt * 60_000,
      now: () => now,
    });
    await prisma.job.update({ where: { id: jobId }, data: { runAfter: now } });
    expect(await runner.runOne()).toMatchObject({ outcome: "retrying", jobId });
    const afterFirst = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(afterFirst).toMatchObject({ state: "queued", attempts: 1, error: "platform unavailable" });
    expect(afterFirst.runAfter.getTime()).toBe(now.getTime() + 60_000);
    // Not due yet: nothing runs.
    expect(await runner.runOne()).toEqual({ outcome: "idle" });
    now = new Date(now.getTime() + 60_000);
    expect(await runner.runOne()).toMatchObject({ outcome: "retrying" });
    now = new Date(now.getTime() + 120_000);
    expect(await runner.runOne()).toMatchObject({ outcome: "failed", error: "platform unavailable" });
    expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: "failed", attempts: 3 });
  });

  it("fails at once on a permanent error", async () => {
    const shop = await newShop();
    const { jobId } = await enqueue(reconcilePayload(shop.id, "m3"));
    const runner = new JobRunner({
      handlers: {
        async "migration.reconcile"() {
          throw new PermanentJobError("migration m3 does not exist");
        },
      },
    });
    expect(await runner.runOne()).toMatchObject({ outcome: "failed", jobId });
    expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: "failed", attempts: 1 });
  });

  it("takes over a job whose worker stopped beating, and resumes from its checkpoint", async () => {
    const shop = await newShop();
    const { jobId } = await enqueue(reconcilePayload(shop.id, "m4"));
    let now = new Date("2026-12-01T10:00:00Z");
    await prisma.job.update({ where: { id: jobId }, data: { runAfter: now } });
    const seen: unknown[] = [];
    const dying = new JobRunner({
      workerId: "dying",
      now: () => now,
      handlers: {
        async "migration.reconcile"({ progress }) {
          await progress({ done: 40, total: 100, checkpoint: { page: 4 } });
          throw new LostForever();
        },
      },
    });
    // Simulate a process killed mid-job: claim and checkpoint, then never finish.
    const claimed = await dying.claim();
    expect(claimed?.id).toBe(jobId);
    await prisma.job.update({ where: { id: jobId }, data: { checkpoint: JSON.stringify({ page: 4 }), progressDone: 40, progressTotal: 100, heartbeatAt: now } });

    const rescuer = new JobRunner({
      workerId: "rescuer",
      staleAfterMs: 60_000,
      now: () => now,
      handlers: {
        async "migration.reconcile"({ checkpoint, progress }) {
          seen.push(checkpoint);
          await progress({ done: 100, total: 100, checkpoint: { page: 10 } });
        },
      },
    });
    expect(await rescuer.runOne()).toEqual({ outcome: "idle" }); // still beating as far as anyone knows
    now = new Date(now.getTime() + 61_000);
    expect(await rescuer.runOne()).toMatchObject({ outcome: "succeeded", jobId });
    expect(seen).toEqual([{ page: 4 }]);
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ state: "succeeded", attempts: 2, progressDone: 100 });

    // The presumed-dead worker wakes up: its progress writes are refused, it cannot clobber the row.
    await expect(
      prisma.job.updateMany({ where: { id: jobId, lockedBy: "dying", state: "running" }, data: { progressDone: 1 } }).then((r) => r.count),
    ).resolves.toBe(0);
  });
});

describe("enqueueing", () => {
  it("is idempotent under a race: ten producers of one key, one job", async () => {
    const shop = await newShop();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => enqueue(reconcilePayload(shop.id, "race"))));
    expect(new Set(outcomes.map((o) => o.jobId)).size).toBe(1);
    expect(outcomes.filter((o) => o.outcome === "enqueued")).toHaveLength(1);
    expect(await prisma.job.count({ where: { shopId: shop.id } })).toBe(1);
    await prisma.job.updateMany({ where: { shopId: shop.id }, data: { state: "succeeded" } }); // not for the runners below
  });
});

describe("a job held by a process of this host that is gone", () => {
  it("is taken over at once, without waiting for the heartbeat to go stale", async () => {
    const shop = await newShop();
    const { jobId } = await enqueue(reconcilePayload(shop.id, "m5"));
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    await prisma.job.update({ where: { id: jobId }, data: { state: "running", lockedBy: `${os.hostname()}:4194305:dead`, heartbeatAt: new Date(), attempts: 1 } });
    const alive = await prisma.job.create({
      data: { kind: "migration.reconcile", shopId: shop.id, payloadJson: "{}", state: "running", lockedBy: `${os.hostname()}:${process.pid}:alive`, heartbeatAt: new Date() },
    });
    const ran: string[] = [];
    const runner = new JobRunner({
      handlers: {
        async "migration.reconcile"({ job }) {
          ran.push(job.id);
        },
      },
    });
    expect(await runner.runUntilIdle(5)).toEqual([{ outcome: "succeeded", jobId }]);
    expect(ran).toEqual([jobId]);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: alive.id } })).state).toBe("running");
    await prisma.job.update({ where: { id: alive.id }, data: { state: "failed" } });
  });
});

class LostForever extends Error {}

describe("the web process's job loop and its HTTP traffic (decision 0021)", () => {
  /** A runner that records, for each job it is asked to run, how many times the loop had asked yieldTo by then. */
  function countingRunner(asked: () => number) {
    const startedAfterAsks: number[] = [];
    return {
      startedAfterAsks,
      runner: {
        async runOne() {
          startedAfterAsks.push(asked());
          return startedAfterAsks.length < 3 ? { outcome: "succeeded" as const, jobId: `j${startedAfterAsks.length}` } : { outcome: "idle" as const };
        },
        interrupt() {},
      },
    };
  }

  it("starts no job while the requests say busy, and runs them once they stop", async () => {
    let asks = 0;
    const busyFor = 5; // the first five looks find a request in flight
    const { runner, startedAfterAsks } = countingRunner(() => asks);
    const loop = startWorkerLoop(runner, { idleMs: 10, yieldAtMostMs: 60_000, yieldTo: () => ++asks <= busyFor });
    await expect.poll(() => startedAfterAsks.length).toBeGreaterThanOrEqual(3);
    await loop.stop();
    expect(startedAfterAsks[0]).toBe(busyFor + 1);
  });

  it("still runs jobs under traffic that never stops: one after each wait of yieldAtMostMs", async () => {
    let asks = 0;
    const { runner, startedAfterAsks } = countingRunner(() => asks);
    const loop = startWorkerLoop(runner, { idleMs: 10, yieldAtMostMs: 30, yieldTo: () => (++asks, true) });
    await expect.poll(() => startedAfterAsks.length).toBeGreaterThanOrEqual(3);
    await loop.stop();
    expect(startedAfterAsks[0]).toBeGreaterThan(1); // it waited before the first
  });
});
