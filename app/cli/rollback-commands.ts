// `npx carryover rollback` and `npx carryover coupons`: the same services and job handler the app
// runs, driven from a terminal (this process is the worker while the rollback runs).
import { z } from "zod";
import prisma from "../db.server";
import { PlatformError } from "../platforms/platform-client";
import { platformClientFor } from "../platforms/platform-client.server";
import { decideCoupons, listCoupons, type CouponDecisionOutcome, type CouponList } from "../services/coupons/coupons.server";
import { requestRollback, rollbackReport } from "../services/rollback/rollback.server";
import { CliUsageError, parseOptions, runJobHere } from "./cli-support";

export const ROLLBACK_USAGE = `  npx carryover rollback --migration <id> [--json]             (undoes an applied or piloted migration with reversal entries)
  npx carryover coupons --migration <id> [--json]               (lists the old platform's unused coupons, per member)
  npx carryover coupons --migration <id> --refund --rate <points per currency unit> [--codes A,B] [--include-expired] [--json]
  npx carryover coupons --migration <id> --cancel [--codes A,B] [--json]`;


const n = (x: number) => x.toLocaleString("en");

export async function rollbackCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, { migration: z.string().min(1), json: z.boolean().default(false) }, ["json"]);
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  const request = await requestRollback({ shopId: migration.shopId, migrationId: migration.id });
  if (request.outcome === "not-found") throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (request.outcome === "refused") {
    if (o.json) console.log(JSON.stringify(request));
    else console.error(`Refused: ${request.message}.`);
    return 2;
  }
  if (!o.json) process.stderr.write(`Rolling back migration ${migration.id} ("${migration.name}"), job ${request.jobId}${request.outcome === "enqueued" ? "" : ` (${request.outcome})`}\n`);
  const job = await runJobHere(request.jobId, "migration.rollback", { label: "rollback", unit: "entries reversed", quiet: o.json });
  const report = await rollbackReport(migration.shopId, migration.id);
  const ok = job.state === "succeeded" && report.state === "rolled_back";
  if (o.json) console.log(JSON.stringify({ outcome: ok ? "rolled-back" : "failed", jobId: request.jobId, error: job.error, ...report }));
  else if (!ok) console.error(`Rollback failed (the migration stays ${report.state}; run the command again to resume): ${job.error}`);
  else
    console.log(
      [
        `Migration ${migration.id} rolled back: ${n(report.reversals)} entries reversed (${n(report.pointsReversed)} points), nothing deleted.`,
        `  members touched: ${n(report.members)} (${n(report.pendingMembers)} pending, kept with their history); balances pushed to the store for the others.`,
        `  left as they were: ${n(report.kept.memos)} restore memos (no points), ${n(report.kept.reversedBefore)} entries already reversed (cancelled orders).`,
        `  points earned on the new store since the migration are kept.`,
        ...(report.negativeBalances > 0 ? [`  note: ${n(report.negativeBalances)} members are below zero: they spent migrated points since.`] : []),
      ].join("\n"),
    );
  return ok ? 0 : 1;
}

export async function couponsCommand(argv: string[]): Promise<number> {
  const o = parseOptions(
    argv,
    {
      migration: z.string().min(1),
      refund: z.boolean().default(false),
      cancel: z.boolean().default(false),
      rate: z.string().optional(),
      codes: z.string().optional(),
      "include-expired": z.boolean().default(false),
      json: z.boolean().default(false),
    },
    ["refund", "cancel", "include-expired", "json"],
  );
  const migration = await prisma.migration.findUnique({ where: { id: o.migration }, include: { shop: true } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (o.refund && o.cancel) throw new CliUsageError("choose one of --refund or --cancel");
  if (o.refund && !o.rate) throw new CliUsageError("--refund needs --rate <points per currency unit>");
  if (!o.refund && o.rate) throw new CliUsageError("--rate goes with --refund");
  const codes = o.codes?.split(",").map((c) => c.trim()).filter(Boolean);

  if (!o.refund && !o.cancel) {
    const list = await listCoupons({ shopId: migration.shopId, migrationId: migration.id });
    if (!list) throw new CliUsageError(`--migration: no migration ${o.migration}`);
    if (o.json) console.log(JSON.stringify(list));
    else printCoupons(list);
    return 0;
  }
  // The refunds are written whether or not the store can be reached; the balances are pushed when it can.
  let client: Awaited<ReturnType<typeof platformClientFor>> | undefined;
  let notPushed: string | null = null;
  if (o.refund) {
    try {
      client = await platformClientFor(migration.shop);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      notPushed = error.message;
    }
  }
  const result = await decideCoupons({
    shopId: migration.shopId,
    migrationId: migration.id,
    action: o.refund ? "refund" : "cancel",
    rate: o.rate,
    codes,
    includeExpired: o["include-expired"],
    client,
  });
  if (o.json) console.log(JSON.stringify({ ...result, ...(notPushed && { notPushed }) }));
  else {
    printDecision(result);
    if (notPushed && result.outcome === "decided") console.error(`  balances not pushed to the store: ${notPushed}`);
  }
  return result.outcome === "decided" ? 0 : 2;
}

function printCoupons(list: CouponList) {
  console.log(`${n(list.coupons.length)} unused coupons of migration ${list.migrationId} (${list.state}): ${n(list.totals.open)} open, ${n(list.totals.cancelled)} cancelled, ${n(list.totals.refunded)} refunded`);
  for (const c of list.coupons) {
    const who = c.member ? `member ${c.member.id}${c.member.platformCustomerId ? ` (${c.member.platformCustomerId})` : " (pending)"} by ${c.matchedBy}` : `no member: ${c.matchedBy}`;
    const status = c.status === "refunded" ? `refunded ${n(c.refund!.points)} points` : c.status;
    console.log(`  ${c.code.padEnd(16)} ${c.value.padStart(10)}${c.expired ? " (expired)" : ""}  ${c.email ?? c.phone ?? c.cpf ?? ""}  → ${who}  [${status}]`);
  }
}

function printDecision(r: CouponDecisionOutcome) {
  if (r.outcome === "not-found") return console.error("No such migration.");
  if (r.outcome === "invalid") return console.error(`Refused, nothing done: ${r.errors.join("; ")}`);
  if (r.outcome === "migration-closed") return console.error(`Refused: ${r.message}`);
  const lines = [
    r.action === "cancel" ? `Cancelled ${n(r.cancelled.length)} coupons: ${r.cancelled.join(", ") || "none"}` : `Refunded ${n(r.refunded.length)} coupons as points at ${r.rate} points per currency unit:`,
    ...r.refunded.map((x) => `  ${x.code}: ${n(x.points)} points to member ${x.memberId}${x.outcome === "duplicate" ? " (already refunded)" : ""}`),
    ...r.skipped.map((x) => `  not ${r.action === "cancel" ? "cancelled" : "refunded"}: ${x.code} — ${x.message}`),
    ...(r.pushed ? [`  balances pushed to the store: ${n(r.pushed.written)}${r.pushed.failed.length ? `, ${n(r.pushed.failed.length)} failed` : ""}`] : []),
  ];
  console.log(lines.join("\n"));
}
