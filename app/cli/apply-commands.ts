// `npx carryover apply` and `npx carryover report`: the apply job and the post-migration report,
// driven from a terminal (this process is the worker while the command runs).
import { z } from "zod";
import { describePilot, parsePilot, type PilotSpec } from "~domain/apply/pilot";
import prisma from "../db.server";
import { requestApply, type ApplyResult } from "../services/apply/apply.server";
import { migrationReport, type MigrationReport } from "../services/apply/report.server";
import { CliUsageError, formatCount, parseOptions, runJobHere } from "./cli-support";

export const APPLY_USAGE = `  npx carryover apply --migration <id> [--pilot N | --pilot P%] [--preview <reconciliation id>] [--json]
                      (credits the latest preview: a pilot of N or P % of the matched members, or everything not yet applied;
                       run again, it takes over an apply whose process died)
  npx carryover report --migration <id> [--json]                     (post-migration report; exit 1 when the points do not add up)`;

const n = formatCount;

/** Runs the given apply job in this process until it ends (or another live worker ends it), printing progress to stderr. */
function runApplyJob(jobId: string, quiet: boolean) {
  return runJobHere(jobId, "migration.apply", { label: "apply", unit: "records and orders", quiet });
}

export async function applyCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, { migration: z.string().min(1), pilot: z.string().optional(), preview: z.string().optional(), json: z.boolean().default(false) }, ["json"]);
  let pilot: PilotSpec | null = null;
  if (o.pilot !== undefined) {
    pilot = parsePilot(o.pilot);
    if (!pilot) throw new CliUsageError(`--pilot: "${o.pilot}" is neither a number of members (25) nor a percentage (10%)`);
  }
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  const request = await requestApply({ shopId: migration.shopId, migrationId: migration.id, reconciliationId: o.preview, pilot });
  let jobId: string;
  if (request.outcome === "enqueued") jobId = request.jobId;
  else if (request.outcome === "already-running" && request.jobId) {
    // Ours to finish: a queued job, or one whose worker died (the runner takes it over).
    if (!o.json) console.error(`Resuming: ${request.message}`);
    jobId = request.jobId;
  } else {
    if (o.json) console.log(JSON.stringify({ outcome: request.outcome, message: request.message }));
    else console.error(`Refused (${request.outcome}): ${request.message}`);
    return 2;
  }
  if (!o.json) console.error(`Applying ${describePilot(pilot)} of migration ${migration.id} (job ${jobId})…`);
  const job = await runApplyJob(jobId, o.json);
  const checkpoint = job.checkpoint ? (JSON.parse(job.checkpoint) as { result?: ApplyResult }) : null;
  if (job.state !== "succeeded" || !checkpoint?.result) {
    if (o.json) console.log(JSON.stringify({ outcome: "failed", jobId, error: job.error }));
    else console.error(`Apply failed (job ${jobId}): ${job.error}`);
    return 1;
  }
  const r = checkpoint.result;
  if (o.json) console.log(JSON.stringify({ jobId, attempts: job.attempts, ...r }));
  else {
    const s = r.stats;
    console.log(
      [
        `Migration ${r.migrationId} ${r.outcome} from preview ${r.reconciliationId} (job ${jobId}).`,
        `  records: ${n(s.records.matched)} matched, ${n(s.records.pending)} pending (${n(s.records.zeroPoints)} with 0 points: member only, no entry)`,
        `  import entries: ${n(s.imports.posted)} written (${n(s.imports.points)} points), ${n(s.imports.duplicate)} already there`,
        `  retroactive: ${n(s.retroactive.posted)} entries written (${n(s.retroactive.points)} points), ${n(s.retroactive.duplicate)} already there`,
        `  members: ${n(s.members.createdVisible)} created visible, ${n(s.members.createdPending)} created pending, ${n(s.members.reused)} existing reused`,
        `  pushed to the store: ${n(s.push.written)} balances; ${n(s.push.failed)} failed`,
        ...r.pushFailures.slice(0, 20).map((f) => `    push failed for ${f.customerId}: ${f.message}`),
        ...r.notes.map((note) => `  note: ${note}`),
        r.outcome === "piloted" ? `  Check the pilot, then apply the rest: npx carryover apply --migration ${r.migrationId}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }
  return 0;
}

export async function reportCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, { migration: z.string().min(1), json: z.boolean().default(false) }, ["json"]);
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  const report = await migrationReport({ shopId: migration.shopId, migrationId: migration.id });
  if (!report) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (o.json) console.log(JSON.stringify(report));
  else printReport(report);
  return report.identity.holds ? 0 : 1;
}

function printReport(r: MigrationReport) {
  const row = (label: string, value: number) => `  ${label.padEnd(44)} ${n(value).padStart(14)}`;
  const lines = [
    `Report of migration ${r.migrationId} (${r.state}; preview ${r.reconciliationId ?? "none"})`,
    "",
    row("points in the file", r.pointsInFile),
    row("credited to matched members", r.creditedMatched),
    row("credited to pending members", r.creditedPending),
    row("  of which still pending (balance)", r.pointsPending),
    row("conflict, not applied", r.pointsConflict),
    row("rejected (import, duplicates, review)", r.pointsRejected),
    ...(r.pointsAwaitingApply ? [row("awaiting apply", r.pointsAwaitingApply)] : []),
    ...(r.pointsReversed.imports ? [row("reversed (rolled back)", r.pointsReversed.imports)] : []),
    row("retroactive points credited", r.pointsRetroactive),
    row("points credited (imported + retroactive)", r.pointsCredited),
    "",
    row("members matched", r.membersMatched),
    row("members pending", r.membersPending),
    row("members restored since", r.membersRestored),
    row("records in conflict", r.recordsConflict),
    "",
    `  ${r.identity.statement}`,
    r.identity.holds ? "  The points add up." : `  THE POINTS DO NOT ADD UP:\n${r.identity.problems.map((p) => `    - ${p}`).join("\n")}`,
    "",
    `  balances pushed that failed: ${n(r.pushFailures.count)}`,
    ...r.pushFailures.shown.slice(0, 20).map((f) => `    ${f.customerId}: ${f.message}`),
    ...r.applies.map((a) => `  apply job ${a.jobId}: ${a.state}${a.outcome ? ` (${a.outcome})` : ""}, ${n(a.done)}${a.total !== null ? ` of ${n(a.total)}` : ""}${a.error ? ` — ${a.error}` : ""}`),
  ];
  console.log(lines.join("\n"));
}
