import os from "node:os";
import type { Job } from "@prisma/client";
import { isUniqueViolation } from "../db-errors.server";
import prisma from "../db.server";
import { exclusiveKeyFor } from "./concurrency.server";
import type { JobKind, JobPayloads } from "./queue.server";

/**
 * The default queue engine (DESIGN.md, Jobs): jobs live in the `Job` table and run in-process.
 * A worker claims a due job with a compare-and-set on its state, beats a heartbeat while it runs,
 * and saves progress and a checkpoint as it goes. A job whose worker died (kill -9, crash, deploy)
 * stops beating; after `staleAfterMs` another worker claims it again and the handler resumes from
 * the checkpoint. Handlers must therefore be idempotent from any checkpoint — they are: every write
 * they make is an upsert or carries an idempotency key.
 */
export interface JobContext<K extends JobKind> {
  job: Pick<Job, "id" | "shopId" | "attempts" | "createdAt">;
  payload: JobPayloads[K];
  /** The checkpoint saved by the previous attempt, parsed; null on a first run. */
  checkpoint: unknown;
  /** Persists progress (and the checkpoint to resume from) and beats the heartbeat. */
  progress(update: { done: number; total?: number | null; checkpoint?: unknown }): Promise<void>;
}

export type JobHandler<K extends JobKind> = (context: JobContext<K>) => Promise<void>;
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

/** A failure that retrying cannot fix (bad payload, missing migration): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

export interface RunnerOptions {
  handlers: JobHandlers;
  workerId?: string;
  /** A running job whose heartbeat is older than this is considered abandoned and claimed again. */
  staleAfterMs?: number;
  /** Delay before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  now?: () => Date;
  /** Claim only these shops' jobs (a worker set aside for some merchants; tests that share a database). */
  onlyShops?: string[];
}

const DEFAULT_STALE_MS = 60_000;
const defaultBackoff = (attempt: number) => Math.min(5 * 60_000, 1000 * 2 ** (attempt - 1));

export type RunOutcome =
  | { outcome: "idle" }
  | { outcome: "succeeded"; jobId: string }
  | { outcome: "failed" | "retrying"; jobId: string; error: string }
  /** The worker was asked to stop: the job was released at its last checkpoint for another worker to resume. */
  | { outcome: "interrupted"; jobId: string };

/** Why a given job could not be claimed (the pg-boss engine is handed job ids, decision 0019). */
export type ClaimOutcome =
  | { outcome: "claimed"; job: Job }
  /** Another long job of the same shop holds the lane (app/jobs/concurrency.server.ts). */
  | { outcome: "blocked"; key: string }
  | { outcome: "not-due"; runAfter: Date }
  /** A live worker runs it. */
  | { outcome: "running-elsewhere" }
  | { outcome: "finished"; state: string }
  | { outcome: "missing" }
  /** Its workers died `maxAttempts` times while running it: recorded as failed instead of claimed again. */
  | { outcome: "gave-up"; jobId: string; error: string };

export class JobRunner {
  readonly workerId: string;
  private readonly handlers: JobHandlers;
  private readonly staleAfterMs: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly now: () => Date;
  private readonly onlyShops: string[] | undefined;
  private stopping = false;
  private lastAbandonedLook = Number.NEGATIVE_INFINITY;

  constructor(options: RunnerOptions) {
    this.handlers = options.handlers;
    this.workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_MS;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.now = options.now ?? (() => new Date());
    this.onlyShops = options.onlyShops;
  }

  /**
   * Graceful shutdown: each running job stops at its next `progress()` — right after its checkpoint
   * is saved — and is put back in the queue, so another worker resumes it from there.
   */
  interrupt(): void {
    this.stopping = true;
  }

  /** Claims one due job of a kind this runner handles, or null (the in-process engine's polling). */
  async claim(): Promise<Job | null> {
    const kinds = Object.keys(this.handlers);
    const skipped: string[] = [];
    for (let tries = 0; tries < 10; tries++) {
      const now = this.now();
      const stale = new Date(now.getTime() - this.staleAfterMs);
      const mine = { kind: { in: kinds }, id: { notIn: skipped }, ...(this.onlyShops ? { shopId: { in: this.onlyShops } } : {}) };
      const order = [{ runAfter: "asc" }, { createdAt: "asc" }] as const;
      // Two reads rather than one with an OR: each walks the (state, runAfter, createdAt) index and
      // stops at its first row, where the OR read every due job and sorted them — per claim, so a
      // backlog of webhook jobs made each claim slower. Abandoned jobs (few) go first; while there
      // is queued work they are looked for every few seconds, not on every claim (a job is only
      // abandoned after staleAfterMs without a heartbeat anyway).
      const abandoned = () => prisma.job.findFirst({ where: { ...mine, state: "running", heartbeatAt: { lt: stale } }, orderBy: [...order] });
      const lookForAbandoned = now.getTime() - this.lastAbandonedLook >= Math.min(5000, this.staleAfterMs / 2);
      if (lookForAbandoned) this.lastAbandonedLook = now.getTime();
      const candidate =
        (lookForAbandoned ? await abandoned() : null) ??
        (await prisma.job.findFirst({ where: { ...mine, state: "queued", runAfter: { lte: now } }, orderBy: [...order] })) ??
        (lookForAbandoned ? null : await abandoned()) ??
        (await this.orphanOnThisHost(kinds, skipped));
      if (!candidate) return null;
      const claimed = await this.claimRow(candidate);
      if (claimed.outcome === "claimed") return claimed.job;
      skipped.push(candidate.id);
    }
    return null;
  }

  /** Claims this job if it is due, or abandoned by a dead worker; says why not otherwise. */
  async claimById(jobId: string): Promise<ClaimOutcome> {
    for (let tries = 0; tries < 3; tries++) {
      const job = await prisma.job.findUnique({ where: { id: jobId } });
      if (!job) return { outcome: "missing" };
      if (job.state === "succeeded" || job.state === "failed") return { outcome: "finished", state: job.state };
      if (job.state === "queued" && job.runAfter > this.now()) return { outcome: "not-due", runAfter: job.runAfter };
      if (job.state === "running" && !this.isAbandoned(job)) return { outcome: "running-elsewhere" };
      const claimed = await this.claimRow(job);
      if (claimed.outcome !== "missing") return claimed;
      // The row changed between the read and the compare-and-set (another worker): look again.
    }
    return { outcome: "running-elsewhere" };
  }

  /** A running job whose worker stopped beating, or died on this host. */
  isAbandoned(job: Pick<Job, "lockedBy" | "heartbeatAt">): boolean {
    if (job.lockedBy === this.workerId) return false;
    const stale = job.heartbeatAt === null || job.heartbeatAt.getTime() < this.now().getTime() - this.staleAfterMs;
    return stale || deadOnThisHost(job.lockedBy);
  }

  /** Compare-and-set: only one worker moves this exact version of the row to running. */
  private async claimRow(candidate: Job): Promise<ClaimOutcome> {
    const now = this.now();
    if (candidate.state === "running" && candidate.attempts >= candidate.maxAttempts) {
      const error = `its worker stopped ${candidate.attempts} times while running it (killed or crashed); not tried again`;
      const given = await prisma.job.updateMany({
        where: { id: candidate.id, state: "running", updatedAt: candidate.updatedAt },
        data: { state: "failed", error, finishedAt: now, lockedBy: null, exclusiveKey: null },
      });
      return given.count === 1 ? { outcome: "gave-up", jobId: candidate.id, error } : { outcome: "missing" };
    }
    const key = exclusiveKeyFor(candidate);
    const claimedRow = {
      state: "running",
      lockedBy: this.workerId,
      exclusiveKey: key,
      heartbeatAt: now,
      startedAt: candidate.startedAt ?? now,
      attempts: candidate.attempts + 1,
      updatedAt: now,
    };
    try {
      const claimed = await prisma.job.updateMany({
        where: { id: candidate.id, state: candidate.state, updatedAt: candidate.updatedAt },
        data: { ...claimedRow, attempts: { increment: 1 } },
      });
      if (claimed.count !== 1) return { outcome: "missing" };
    } catch (error) {
      if (key !== null && isUniqueViolation(error)) return { outcome: "blocked", key };
      throw error;
    }
    // The compare-and-set matched exactly the version read, so the row is now that version with
    // these columns: no need to read it again.
    return { outcome: "claimed", job: { ...candidate, ...claimedRow } };
  }

  /**
   * A running job held by a process of this host that no longer exists (killed, crashed): no need
   * to wait for its heartbeat to go stale, the kernel already says it is dead.
   */
  private async orphanOnThisHost(kinds: string[], skipped: string[]): Promise<Job | null> {
    const prefix = `${os.hostname()}:`;
    const running = await prisma.job.findMany({
      where: { kind: { in: kinds }, id: { notIn: skipped }, ...(this.onlyShops ? { shopId: { in: this.onlyShops } } : {}), state: "running", lockedBy: { startsWith: prefix } },
      take: 50,
    });
    return running.find((job) => job.lockedBy !== this.workerId && deadOnThisHost(job.lockedBy)) ?? null;
  }

  /** Claims and runs one job. */
  async runOne(): Promise<RunOutcome> {
    if (this.stopping) return { outcome: "idle" };
    const job = await this.claim();
    if (!job) return { outcome: "idle" };
    return this.run(job);
  }

  /** Runs due jobs until none is left (tests, CLI). Jobs scheduled for later are not waited for. */
  async runUntilIdle(limit = 10_000): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (let i = 0; i < limit; i++) {
      const outcome = await this.runOne();
      if (outcome.outcome === "idle") break;
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Runs a job this runner has claimed, and records how it ended. */
  async run(job: Job): Promise<RunOutcome> {
    const handler = this.handlers[job.kind as JobKind] as JobHandler<JobKind> | undefined;
    if (!handler) return this.finish(job, new PermanentJobError(`no handler for job kind "${job.kind}"`));
    const context: JobContext<JobKind> = {
      job,
      payload: JSON.parse(job.payloadJson) as JobPayloads[JobKind],
      checkpoint: job.checkpoint ? (JSON.parse(job.checkpoint) as unknown) : null,
      progress: async ({ done, total, checkpoint }) => {
        const updated = await prisma.job.updateMany({
          where: { id: job.id, lockedBy: this.workerId, state: "running" },
          data: {
            progressDone: done,
            ...(total !== undefined ? { progressTotal: total } : {}),
            ...(checkpoint !== undefined ? { checkpoint: JSON.stringify(checkpoint) } : {}),
            heartbeatAt: this.now(),
          },
        });
        if (updated.count === 0) throw new LostLeaseError(job.id);
        if (this.stopping) throw new JobInterruptedError(job.id);
      },
    };
    try {
      await handler(context);
      return this.finish(job, null);
    } catch (error) {
      return this.finish(job, error);
    }
  }

  private async finish(job: Job, error: unknown): Promise<RunOutcome> {
    if (error instanceof LostLeaseError) return { outcome: "retrying", jobId: job.id, error: error.message };
    const mine = { id: job.id, lockedBy: this.workerId, state: "running" };
    if (error instanceof JobInterruptedError) {
      // Not a failed attempt: the job stopped cleanly at a checkpoint.
      await prisma.job.updateMany({
        where: mine,
        data: { state: "queued", lockedBy: null, exclusiveKey: null, runAfter: this.now(), attempts: { decrement: 1 } },
      });
      return { outcome: "interrupted", jobId: job.id };
    }
    if (error === null) {
      await prisma.job.updateMany({ where: mine, data: { state: "succeeded", finishedAt: this.now(), lockedBy: null, exclusiveKey: null, error: null } });
      return { outcome: "succeeded", jobId: job.id };
    }
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentJobError || (isRetryableFlag(error) && !error.retryable);
    const attempts = job.attempts;
    if (!permanent && attempts < job.maxAttempts) {
      await prisma.job.updateMany({
        where: mine,
        data: { state: "queued", error: message, lockedBy: null, exclusiveKey: null, runAfter: new Date(this.now().getTime() + this.backoffMs(attempts)) },
      });
      return { outcome: "retrying", jobId: job.id, error: message };
    }
    await prisma.job.updateMany({ where: mine, data: { state: "failed", error: message, finishedAt: this.now(), lockedBy: null, exclusiveKey: null } });
    return { outcome: "failed", jobId: job.id, error: message };
  }
}

/** The worker is shutting down: the job stops at this checkpoint and goes back to the queue. */
export class JobInterruptedError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} was interrupted by a worker shutdown; it resumes from its checkpoint`);
    this.name = "JobInterruptedError";
  }
}

/** Another worker took the job over (this one was presumed dead): stop without touching its row. */
export class LostLeaseError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} was claimed by another worker`);
    this.name = "LostLeaseError";
  }
}

/** True when `lockedBy` names a process of this host that no longer exists. */
function deadOnThisHost(lockedBy: string | null): boolean {
  const prefix = `${os.hostname()}:`;
  if (!lockedBy?.startsWith(prefix)) return false;
  return !processAlive(lockedBy.slice(prefix.length).split(":")[0]!);
}

function processAlive(pidText: string): boolean {
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isRetryableFlag(error: unknown): error is { retryable: boolean } {
  return typeof error === "object" && error !== null && "retryable" in error && typeof (error as { retryable: unknown }).retryable === "boolean";
}

/**
 * A polling loop around a runner, for the app server: runs jobs back to back while there are
 * some, sleeps `idleMs` when there are none. `stop()` lets the current job finish.
 */
export interface WorkerLoopOptions {
  idleMs?: number;
  onError?: (error: unknown) => void;
  /**
   * Before each job: while this says true, wait (up to `yieldAtMostMs`, then run the job anyway).
   * The web process's loop yields to its HTTP requests (app/jobs/web-traffic.server.ts).
   */
  yieldTo?: () => boolean;
  yieldAtMostMs?: number;
}

export function startWorkerLoop(runner: Pick<JobRunner, "runOne" | "interrupt">, options: WorkerLoopOptions = {}) {
  let stopped = false;
  let wake: (() => void) | null = null;
  const idleMs = options.idleMs ?? 1000;
  const yieldAtMostMs = options.yieldAtMostMs ?? 1000;
  const done = (async () => {
    while (!stopped) {
      if (options.yieldTo) {
        const since = performance.now();
        while (!stopped && options.yieldTo() && performance.now() - since < yieldAtMostMs) await new Promise((r) => setTimeout(r, 5));
        if (stopped) break;
      }
      try {
        const outcome = await runner.runOne();
        if (outcome.outcome !== "idle") continue;
      } catch (error) {
        options.onError?.(error);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, idleMs).unref();
      });
      wake = null;
    }
  })();
  return {
    /** Looks for work now instead of at the end of the idle sleep (after an enqueue). */
    poke() {
      wake?.();
    },
    /** Stops taking jobs; a running job stops at its next checkpoint and goes back to the queue. */
    async stop() {
      stopped = true;
      runner.interrupt();
      wake?.();
      await done;
    },
  };
}
