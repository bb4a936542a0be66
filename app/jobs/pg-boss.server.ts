import type { Job, Prisma } from "@prisma/client";
import PgBoss from "pg-boss";
import prisma from "../db.server";
import { coreEnv } from "../env.server";
import { laneOf } from "./concurrency.server";
import type { JobHandlers, JobRunner } from "./runner.server";

/**
 * The pg-boss engine (decision 0019). The `Job` table stays the record of every job (state,
 * progress, checkpoint, what the admin shows); pg-boss carries tickets — `{ jobId }` — that wake a
 * worker process for a job at the right time. A ticket is sent in the transaction that writes the
 * Job row, so neither exists without the other; a ticket for a job that already ran, or that
 * another worker is running, does nothing (the runner's compare-and-set claim), so duplicate
 * tickets are harmless and a sweeper may re-send them freely. Retries with backoff, the
 * one-long-job-per-shop lane and interruption follow the runner's rules, the same as in process;
 * pg-boss adds the distribution across processes and hosts, scheduling, expiry, its own retries and
 * a dead-letter queue for a ticket whose worker could not even record an outcome.
 */
export const QUEUES = { long: "carryover-long", short: "carryover-short", deadLetter: "carryover-dead-letter" } as const;

export interface Ticket {
  jobId: string;
  /** Set on the dead-letter queue when the runner failed the job for good: why. */
  error?: string;
}

declare global {
  var __carryoverBoss: Promise<PgBoss> | undefined;
}

/** The process's pg-boss, started once; `supervise` (maintenance: expiry, archiving) in worker processes only. */
export function pgBoss(options: { supervise?: boolean } = {}): Promise<PgBoss> {
  globalThis.__carryoverBoss ??= (async () => {
    const boss = new PgBoss({
      connectionString: coreEnv().DATABASE_URL,
      schema: "pgboss",
      application_name: "carryover-jobs",
      max: 4,
      supervise: options.supervise ?? false,
      schedule: false,
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 7,
    });
    boss.on("error", (error) => console.error("[carryover pg-boss]", error));
    await boss.start();
    await createQueues(boss);
    return boss;
  })();
  const started = globalThis.__carryoverBoss;
  // A failed start is not kept: the next call tries again.
  started.catch(() => {
    if (globalThis.__carryoverBoss === started) globalThis.__carryoverBoss = undefined;
  });
  return started;
}

/**
 * The three queues (idempotent). Processes starting together on a fresh database can deadlock in
 * pg-boss's create_queue (each creates a queue's partition table); the loser retries.
 */
async function createQueues(boss: PgBoss): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await boss.getQueue(QUEUES.deadLetter))) {
        await boss.createQueue(QUEUES.deadLetter, { name: QUEUES.deadLetter, policy: "standard", retryLimit: 5, retryDelay: 30, retryBackoff: true, retentionMinutes: 14 * 24 * 60 });
      }
      // `short` keeps one waiting ticket per job (the singleton key is the job id).
      if (!(await boss.getQueue(QUEUES.long))) {
        await boss.createQueue(QUEUES.long, {
          name: QUEUES.long,
          policy: "short",
          retryLimit: 5,
          retryDelay: 10,
          retryBackoff: true,
          // The runner's heartbeat (60 s) finds a dead worker; this is only the backstop for a ticket.
          expireInSeconds: 4 * 3600,
          deadLetter: QUEUES.deadLetter,
        });
      }
      if (!(await boss.getQueue(QUEUES.short))) {
        await boss.createQueue(QUEUES.short, { name: QUEUES.short, policy: "short", retryLimit: 5, retryDelay: 2, retryBackoff: true, expireInSeconds: 600, deadLetter: QUEUES.deadLetter });
      }
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== "40P01" && code !== "23505")) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 200));
    }
  }
}

/** Stops this process's pg-boss (tests, shutdown). */
export async function closePgBoss(): Promise<void> {
  const boss = globalThis.__carryoverBoss;
  globalThis.__carryoverBoss = undefined;
  if (boss) await (await boss).stop({ graceful: false, wait: true, close: true });
}

/**
 * Sends the ticket that gets a job run, at its `runAfter`. With `tx`, inside that transaction (the
 * one that wrote the Job row): pg-boss's SQL runs through Prisma's connection.
 */
export async function sendTicket(job: Pick<Job, "id" | "kind" | "runAfter">, tx?: Prisma.TransactionClient, delayMs = 0): Promise<void> {
  const boss = await pgBoss();
  const at = Math.max(job.runAfter.getTime(), Date.now() + delayMs);
  await boss.send(queueOf(job.kind), { jobId: job.id } satisfies Ticket, {
    singletonKey: job.id,
    ...(at > Date.now() + 200 ? { startAfter: new Date(at) } : {}),
    ...(tx ? { db: transactionExecutor(tx) } : {}),
  });
}

function queueOf(kind: string): string {
  return laneOf(kind) === "long" ? QUEUES.long : QUEUES.short;
}

function transactionExecutor(tx: Prisma.TransactionClient): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const args = values.map((v: unknown) => (v === undefined ? null : typeof v === "object" && v !== null && !(v instanceof Date) ? JSON.stringify(v) : v));
      return { rows: await tx.$queryRawUnsafe<unknown[]>(text, ...args) };
    },
  };
}

/** What a worker does with one ticket: claim the job, run it, and send the next ticket its outcome calls for. */
export async function runTicket(runner: JobRunner, ticket: Ticket): Promise<string> {
  const claim = await runner.claimById(ticket.jobId);
  switch (claim.outcome) {
    case "claimed": {
      const outcome = await runner.run(claim.job);
      if (outcome.outcome === "retrying" || outcome.outcome === "interrupted") {
        const row = await prisma.job.findUnique({ where: { id: claim.job.id }, select: { id: true, kind: true, runAfter: true, state: true } });
        if (row?.state === "queued") await sendTicket(row);
      } else if (outcome.outcome === "failed") {
        await deadLetter(claim.job.id, outcome.error);
      }
      return outcome.outcome;
    }
    case "blocked": {
      // Another long job of the shop runs: look again in a few seconds, without using an attempt.
      const row = await prisma.job.findUniqueOrThrow({ where: { id: ticket.jobId }, select: { id: true, kind: true, runAfter: true } });
      await sendTicket(row, undefined, 3000);
      return "blocked";
    }
    case "not-due": {
      const row = await prisma.job.findUniqueOrThrow({ where: { id: ticket.jobId }, select: { id: true, kind: true, runAfter: true } });
      await sendTicket(row);
      return "not-due";
    }
    case "gave-up":
      await deadLetter(claim.jobId, claim.error);
      return "gave-up";
    default:
      return claim.outcome;
  }
}

async function deadLetter(jobId: string, error: string): Promise<void> {
  const boss = await pgBoss();
  await boss.send(QUEUES.deadLetter, { jobId, error } satisfies Ticket);
}

/**
 * The dead-letter queue's worker: a job that failed for good (the runner's verdict, or a ticket
 * whose retries ran out because its worker kept dying before recording anything) is recorded as
 * failed on its Job row — which the admin shows, with a retry button — and logged for operators.
 */
export async function recordDeadLetter(ticket: Ticket, staleAfterMs: number): Promise<void> {
  const job = await prisma.job.findUnique({ where: { id: ticket.jobId } });
  if (!job) return;
  const error = ticket.error ?? job.error ?? "its pg-boss ticket ran out of retries (the worker kept failing before recording an outcome)";
  const stale = new Date(Date.now() - staleAfterMs);
  if (job.state === "queued" || (job.state === "running" && (job.heartbeatAt === null || job.heartbeatAt < stale))) {
    await prisma.job.updateMany({
      where: { id: job.id, updatedAt: job.updatedAt },
      data: { state: "failed", error, finishedAt: new Date(), lockedBy: null, exclusiveKey: null },
    });
  }
  console.error(JSON.stringify({ level: "error", msg: "job dead-lettered", jobId: job.id, kind: job.kind, shopId: job.shopId, attempts: job.attempts, error }));
}

/**
 * Re-sends tickets a crash may have lost: for jobs due a while ago and still queued, and for
 * running jobs whose worker stopped beating (or died on this host). Duplicates are harmless.
 */
export async function sweep(runner: JobRunner, handlers: JobHandlers): Promise<number> {
  const kinds = Object.keys(handlers);
  const now = Date.now();
  const overdue = await prisma.job.findMany({
    where: { kind: { in: kinds }, state: "queued", runAfter: { lt: new Date(now - 15_000) } },
    select: { id: true, kind: true, runAfter: true },
    orderBy: { runAfter: "asc" },
    take: 200,
  });
  const running = await prisma.job.findMany({
    where: { kind: { in: kinds }, state: "running" },
    select: { id: true, kind: true, runAfter: true, lockedBy: true, heartbeatAt: true },
    take: 500,
  });
  const abandoned = running.filter((job) => runner.isAbandoned(job));
  for (const job of [...overdue, ...abandoned]) await sendTicket(job);
  return overdue.length + abandoned.length;
}
