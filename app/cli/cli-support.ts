// What every `npx carryover` command shares: option parsing with zod, and running a job in this
// process (the terminal is the worker while the command runs) with progress on stderr.
import { parseArgs } from "node:util";
import type { Job } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { jobHandlers } from "../jobs/handlers.server";
import type { JobKind } from "../jobs/queue.server";
import { JobRunner } from "../jobs/runner.server";
import { jobProgress } from "../services/sync/sync-requests.server";

export class CliUsageError extends Error {}

/** Parses `--name value` / `--flag` options against a zod shape; every problem names its option. */
export function parseOptions<T extends z.ZodRawShape>(argv: string[], shape: T, booleans: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(shape).map((k) => [k, { type: booleans.includes(k) ? "boolean" : "string" }])) as Record<string, { type: "string" | "boolean" }>,
  });
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success) throw new CliUsageError(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
  return parsed.data;
}

export const formatCount = (x: number) => x.toLocaleString("en");

/**
 * Runs the job until it succeeds or fails: claims it here (or takes it over from a dead process),
 * or waits while another live worker has it. Prints "<label>: done of total (rate, ETA)" every 2 s
 * unless quiet.
 */
export async function runJobHere(jobId: string, kind: JobKind, options: { label: string; unit: string; quiet: boolean }): Promise<Job> {
  const runner = new JobRunner({ handlers: { [kind]: jobHandlers[kind] } });
  const ticker = options.quiet
    ? null
    : setInterval(() => {
        void prisma.job.findUnique({ where: { id: jobId } }).then((job) => {
          if (!job) return;
          const p = jobProgress(job);
          const rate = p.ratePerSecond ? `${formatCount(Math.round(p.ratePerSecond))}/s` : "…";
          const eta = p.etaSeconds !== null ? `, about ${Math.ceil(p.etaSeconds)} s left` : "";
          process.stderr.write(`  ${options.label}: ${formatCount(p.done)}${p.total !== null ? ` of ${formatCount(p.total)}` : ""} ${options.unit} (${rate}${eta})\n`);
        });
      }, 2000);
  try {
    for (;;) {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      if (job.state === "succeeded" || job.state === "failed") return job;
      const outcome = await runner.runOne();
      if (outcome.outcome === "idle") await new Promise((r) => setTimeout(r, 500)); // a live worker has it, or a retry is not due yet
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
