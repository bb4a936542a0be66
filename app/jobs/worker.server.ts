import { coreEnv } from "../env.server";
import { jobEngine } from "./dispatch.server";
import { jobHandlers } from "./handlers.server";
import { QUEUES, pgBoss, recordDeadLetter, runTicket, sweep, type Ticket } from "./pg-boss.server";
import { JobRunner, startWorkerLoop, type JobHandlers } from "./runner.server";

export interface JobWorker {
  readonly engine: "in-process" | "pg-boss";
  readonly workerId: string;
  /** Graceful: takes no new job; running jobs stop at their next checkpoint and go back to the queue. */
  stop(): Promise<void>;
}

export interface JobWorkerOptions {
  handlers?: JobHandlers;
  /** Long jobs (sync, reconcile, apply, rollback) run at once by this process (pg-boss). */
  long?: number;
  /** Webhook jobs run at once by this process (pg-boss). */
  short?: number;
  staleAfterMs?: number;
  /** How often to re-send tickets a crash may have lost (pg-boss). */
  sweepEveryMs?: number;
  onError?: (error: unknown) => void;
  /** In process: wait for this to say false before each job (the web process's HTTP traffic, decision 0021). */
  yieldTo?: () => boolean;
}

/**
 * Starts this process's job worker on the configured engine (decision 0019): the app server's
 * in-process loop, or a pg-boss worker (`npm run worker`, any number of processes). The same
 * runner and handlers run the jobs either way.
 */
export async function startJobWorker(options: JobWorkerOptions = {}): Promise<JobWorker> {
  const env = coreEnv();
  const handlers = options.handlers ?? jobHandlers;
  const staleAfterMs = options.staleAfterMs ?? env.JOB_STALE_AFTER_SECONDS * 1000;
  const onError = options.onError ?? ((error: unknown) => console.error("[carryover worker]", error));
  const runner = new JobRunner({ handlers, staleAfterMs });
  if (jobEngine() === "in-process") {
    if (globalThis.__carryoverWorker) throw new Error("this process already runs a job worker");
    const loop = startWorkerLoop(runner, { idleMs: 500, onError, yieldTo: options.yieldTo });
    globalThis.__carryoverWorker = loop;
    // The loop's idle timer does not hold the process open (it must not keep a web server from
    // exiting); a worker process with nothing else to do is held open by this until it stops.
    const keepAlive = setInterval(() => {}, 60_000);
    return {
      engine: "in-process",
      workerId: runner.workerId,
      async stop() {
        clearInterval(keepAlive);
        await loop.stop();
        if (globalThis.__carryoverWorker === loop) globalThis.__carryoverWorker = undefined;
      },
    };
  }

  const started = pgBoss({ supervise: true });
  const boss = await started;
  const work = async (tickets: Array<{ data: Ticket }>) => {
    for (const ticket of tickets) await runTicket(runner, ticket.data);
  };
  const slots: Array<[string, number]> = [
    [QUEUES.long, options.long ?? env.WORKER_LONG_CONCURRENCY],
    [QUEUES.short, options.short ?? env.WORKER_SHORT_CONCURRENCY],
  ];
  for (const [queue, count] of slots) {
    for (let i = 0; i < count; i++) await boss.work<Ticket>(queue, { batchSize: 1, pollingIntervalSeconds: 0.5 }, work);
  }
  await boss.work<Ticket>(QUEUES.deadLetter, { batchSize: 10, pollingIntervalSeconds: 5 }, async (tickets) => {
    for (const ticket of tickets) await recordDeadLetter(ticket.data, staleAfterMs);
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweeper = setInterval(() => {
    sweeping = sweep(runner, handlers).catch(onError);
  }, options.sweepEveryMs ?? 10_000);
  sweeper.unref();
  return {
    engine: "pg-boss",
    workerId: runner.workerId,
    async stop() {
      clearInterval(sweeper);
      runner.interrupt();
      await sweeping;
      // Waits for the running handlers: each stops at its next checkpoint (JobInterruptedError) and
      // sends its own ticket, so another worker resumes it from there.
      await boss.stop({ graceful: true, wait: true, timeout: 120_000, close: true });
      if (globalThis.__carryoverBoss === started) globalThis.__carryoverBoss = undefined;
    },
  };
}
