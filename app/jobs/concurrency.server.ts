import type { JobKind } from "./queue.server";

/**
 * Which jobs may run side by side (decision 0019). The long jobs of a shop — its sync, its
 * reconciliations, its applies and rollbacks, the ledger check — run one at a time: they read and
 * write the same snapshot and ledger, and one apply per migration at a time is what keeps a pilot
 * and the rest from crediting the same member twice. Holding the lane is a unique column of the
 * Job row (`exclusiveKey`), so the database enforces it whatever engine, process or host runs the
 * job, and a second shop's long job is never held back by the first's: workers share themselves
 * between shops. Webhook jobs (a restore, an order's points) are short and safe in parallel.
 */
const LONG_KINDS: ReadonlySet<JobKind> = new Set<JobKind>(["platform.sync", "migration.reconcile", "migration.apply", "migration.rollback", "ledger.check"]);

export type JobLane = "long" | "short";

export function laneOf(kind: string): JobLane {
  return LONG_KINDS.has(kind as JobKind) ? "long" : "short";
}

/** The key a running job of this kind holds, or null when it runs beside anything. */
export function exclusiveKeyFor(job: { kind: string; shopId: string | null }): string | null {
  if (laneOf(job.kind) !== "long") return null;
  return `shop:${job.shopId ?? "none"}`;
}
