import type { Job, Prisma } from "@prisma/client";
import { z } from "zod";
import { databaseKind } from "../database-url";
import prisma from "../db.server";
import { coreEnv, InvalidEnvironmentError } from "../env.server";
import { sendTicket } from "./pg-boss.server";

export type JobEngine = "in-process" | "pg-boss";

const EngineSetting = z.enum(["in-process", "pg-boss"]).optional();

/**
 * The configured engine (JOB_ENGINE; by default pg-boss on PostgreSQL, in-process on SQLite).
 * Read on each call rather than from the start-up snapshot, so a test can run both engines.
 */
export function jobEngine(): JobEngine {
  const database = databaseKind(coreEnv().DATABASE_URL);
  const setting = EngineSetting.safeParse(process.env.JOB_ENGINE || undefined);
  if (!setting.success) throw new InvalidEnvironmentError(["JOB_ENGINE: must be in-process or pg-boss"]);
  const engine = setting.data ?? (database === "postgresql" ? "pg-boss" : "in-process");
  if (engine === "pg-boss" && database !== "postgresql") throw new InvalidEnvironmentError(["JOB_ENGINE: pg-boss needs a PostgreSQL DATABASE_URL"]);
  return engine;
}

declare global {
  /** The in-process worker loop of this process, when it runs one (app/jobs/worker.server.ts). */
  var __carryoverWorker: { poke(): void; stop(): Promise<void> } | undefined;
}

/**
 * Called once a Job row is written (app/jobs/queue.server.ts): gets it run. In process, wakes
 * the local loop; with pg-boss, sends its ticket in the same transaction as the row.
 */
export async function dispatch(job: Pick<Job, "id" | "kind" | "runAfter">, db: Prisma.TransactionClient | typeof prisma): Promise<void> {
  if (jobEngine() === "pg-boss") {
    await sendTicket(job, db === prisma ? undefined : (db as Prisma.TransactionClient));
    return;
  }
  globalThis.__carryoverWorker?.poke();
}
