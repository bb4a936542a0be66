/**
 * A job worker process for the engine tests (tests/integration/job-engines*.test.ts): what
 * `npm run worker` starts, from the sources instead of the server build. Started as
 * `node --import tsx tests/support/job-worker-child.ts` with the app's environment; prints
 * `{"started": true, "workerId": …}` once it takes jobs, and stops gracefully on SIGTERM.
 */
import { startJobWorker } from "~/jobs/worker.server";

const worker = await startJobWorker({
  sweepEveryMs: Number(process.env.TEST_SWEEP_MS ?? 500),
  ...(process.env.TEST_STALE_MS ? { staleAfterMs: Number(process.env.TEST_STALE_MS) } : {}),
});
console.log(JSON.stringify({ started: true, workerId: worker.workerId, engine: worker.engine }));
process.once("SIGTERM", () => {
  void worker.stop().then(
    () => {
      console.log(JSON.stringify({ stopped: true }));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
