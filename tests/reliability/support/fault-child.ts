/**
 * The process the fault tests kill (tests/reliability/faults-*.test.ts). Started as
 * `node --import tsx tests/reliability/support/fault-child.ts <json>` (tsx as a loader, not its CLI,
 * so a SIGKILL hits this very process), with the app's environment (DATABASE_URL, secrets,
 * SHOPIFY_ADMIN_API_ORIGIN). It runs one unit of real work the way the app does:
 *
 * - `{ "run": "job", "jobId": "…" }`: a JobRunner (the app's handlers for that job's kind) runs the
 *   job until it succeeds, fails, or is left to retry later (`once: true` stops after one attempt);
 * - `{ "run": "import", … }`: importLoyaltyFile, as the upload step and the CLI call it.
 *
 * Faults it can inflict on itself, so that a kill lands on an exact, reproducible point:
 * - `killAtStatement: n, killWhen: "before" | "after"`: SIGKILL on the n-th statement sent to the
 *   database (counted at the driver: Prisma's and the bulk paths' alike), before it runs or right
 *   after it returned (a COMMIT done, its caller never told);
 * - `busyTimeoutMs` (SQLite): every connection's busy timeout, shorter than the app's 15 s, so a lock
 *   held by another connection makes the job fail within a test's patience;
 * - `pauseAtStatement: n, resumeFile`: stops before the n-th statement until the test, having set up
 *   its fault (a lock taken), writes "n:go" into the file — or "n:next" to be asked again before the
 *   next statement.
 *
 * It prints JSON lines on stdout: `{"started": true}` once its modules are loaded, `{"statements": n}` at the end (how many statements the work
 * took, for choosing kill points) and `{"result": …}`.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { onStatement } from "./statements";

interface ChildOptions {
  run: "job" | "import";
  jobId?: string;
  once?: boolean;
  /** importLoyaltyFile's input. */
  import?: { shopId: string; migrationId: string; provider: string; fileName: string; filePath: string };
  killAtStatement?: number;
  killWhen?: "before" | "after";
  busyTimeoutMs?: number;
  /** Before the n-th statement: print `{"paused": n}` and wait (blocking) for "n:go" or "n:next" in `resumeFile`. */
  pauseAtStatement?: number;
  resumeFile?: string;
}

const options = JSON.parse(process.argv[2] ?? "{}") as ChildOptions;
let statements = 0;
let pausing = true;

function print(line: unknown) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main() {
  if (options.busyTimeoutMs !== undefined) {
    // Every SQLite connection of this process (Prisma's, the bulk writers') waits at most this long
    // for a lock, instead of the app's 15 s: set on each connection before its first statement.
    const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
    const prepare = Database.prototype.prepare;
    const done = new WeakSet<object>();
    Database.prototype.prepare = function (this: BetterSqlite3.Database, ...args: Parameters<typeof prepare>) {
      if (!done.has(this)) {
        done.add(this);
        this.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
      }
      return prepare.apply(this, args);
    } as typeof prepare;
  }
  onStatement((when) => {
    if (when === "before") statements += 1;
    if (options.killAtStatement !== undefined && statements === options.killAtStatement && (options.killWhen ?? "before") === when) {
      process.kill(process.pid, "SIGKILL");
    }
    if (when === "before" && pausing && options.pauseAtStatement !== undefined && statements >= options.pauseAtStatement) {
      // Blocking on purpose: nothing of this process moves while the test arranges the fault. The
      // test answers "<n>:go" (done: go on) or "<n>:next" (not possible here, e.g. inside one of this
      // process's own write transactions: pause again before the next statement).
      print({ paused: statements });
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 30_000;
      let answer = "";
      while (Date.now() < deadline) {
        answer = fs.existsSync(options.resumeFile!) ? fs.readFileSync(options.resumeFile!, "utf8") : "";
        if (answer.startsWith(`${statements}:`)) break;
        Atomics.wait(flag, 0, 0, 5);
      }
      if (answer !== `${statements}:next`) pausing = false;
    }
  });
  const { default: prisma } = await import("~/db.server");
  // Only what the run needs: each of these takes a second or more to load.
  const { importLoyaltyFile } = options.run === "import" ? await import("~/services/import/import.server") : { importLoyaltyFile: null };
  const { jobHandlers } = options.run === "job" ? await import("~/jobs/handlers.server") : { jobHandlers: null };
  const { JobRunner } = await import("~/jobs/runner.server");
  print({ started: true });
  try {
    if (importLoyaltyFile) {
      const input = options.import!;
      const outcome = await importLoyaltyFile({ ...input, provider: input.provider as never });
      print({ statements });
      print({ result: { outcome: outcome.outcome } });
      return;
    }
    if (!jobHandlers) throw new Error(`unknown run ${JSON.stringify(options.run)}`);
    const job = await prisma.job.findUniqueOrThrow({ where: { id: options.jobId! } });
    const kind = job.kind as keyof typeof jobHandlers;
    // No backoff: the test decides when the next attempt runs.
    const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] }, backoffMs: () => 0 });
    const outcomes: unknown[] = [];
    for (;;) {
      // A runner that cannot even record the failure (the database is gone) throws: the job stays
      // "running" under this worker, for another to take over.
      const outcome = await runner.runOne().catch((error: unknown) => ({ outcome: "threw" as const, error: error instanceof Error ? error.message.slice(0, 500) : String(error) }));
      if (outcome.outcome !== "idle") outcomes.push(outcome);
      const now = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      if (now.state === "succeeded" || now.state === "failed" || (options.once && outcome.outcome !== "idle")) {
        print({ statements });
        print({ result: { state: now.state, attempts: now.attempts, error: now.error, outcomes } });
        return;
      }
      if (outcome.outcome === "idle") await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await prisma.$disconnect().catch(() => undefined);
  }
}

await main();
