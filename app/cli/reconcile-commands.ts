// `npx carryover sync` and `npx carryover reconcile`: the same services and job handlers the app
// runs, driven from a terminal (this process is the worker while the command runs).
import { z } from "zod";
import type { Preview } from "~domain/reconcile/report";
import prisma from "../db.server";
import { reconcileMigration } from "../services/reconcile/reconcile.server";
import { setRules } from "../services/reconcile/rules.server";
import { decideRecord, reviewQueue, withdrawDecision } from "../services/reconcile/review.server";
import { requestSync } from "../services/sync/sync-requests.server";
import { findShop } from "../services/shops.server";
import { CliUsageError, parseOptions, runJobHere } from "./cli-support";

export const RECONCILE_USAGE = `  npx carryover sync --shop <domain> [--platform shopify|nuvemshop] [--full] [--json]
  npx carryover reconcile --migration <id> [--no-sync] [--full-sync] [--json]
  npx carryover rules --migration <id> [--cutover <ISO date>] [--orders-migrated yes|no] [--customers-migrated yes|no]
                      [--completed PAID,PARTIALLY_REFUNDED] [--cancelled CANCELLED,REFUNDED,VOIDED]
                      [--retroactive <points per currency unit>,<from ISO>,<to ISO> | --no-retroactive] [--json]
  npx carryover review --migration <id> [--json]                    (lists the conflicts to review)
  npx carryover review --migration <id> --record <id> --match <customer id> | --pending | --reject | --withdraw [--note <text>]`;

/** Runs the shop's sync job in this process until it ends, printing progress to stderr. */
async function runSync(shopId: string, full: boolean, quiet: boolean, migrationId: string | null = null): Promise<{ state: string; done: number; error: string | null }> {
  const request = await requestSync({ shopId, full, migrationId });
  const job = await runJobHere(request.jobId, "platform.sync", { label: "sync", unit: "customers and orders", quiet });
  return { state: job.state, done: job.progressDone, error: job.error };
}

export async function syncCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, { shop: z.string().min(1), platform: z.enum(["shopify", "nuvemshop"]).default("shopify"), full: z.boolean().default(false), json: z.boolean().default(false) }, ["full", "json"]);
  const shop = await findShop(o.platform, o.shop);
  if (!shop) throw new CliUsageError(`--shop: ${o.shop} is not installed (${o.platform})`);
  const result = await runSync(shop.id, o.full, o.json);
  const [customers, orders] = await Promise.all([prisma.platformCustomer.count({ where: { shopId: shop.id } }), prisma.platformOrder.count({ where: { shopId: shop.id } })]);
  if (o.json) console.log(JSON.stringify({ outcome: result.state === "succeeded" ? "synced" : "failed", pulled: result.done, customers, orders, error: result.error }));
  else if (result.state === "succeeded") console.log(`Synced ${shop.domain}: ${result.done.toLocaleString("en")} pulled; snapshot holds ${customers.toLocaleString("en")} customers and ${orders.toLocaleString("en")} orders.`);
  else console.error(`Sync failed: ${result.error}`);
  return result.state === "succeeded" ? 0 : 1;
}

export async function reconcileCommand(argv: string[]): Promise<number> {
  const o = parseOptions(
    argv,
    { migration: z.string().min(1), "no-sync": z.boolean().default(false), "full-sync": z.boolean().default(false), json: z.boolean().default(false) },
    ["no-sync", "full-sync", "json"],
  );
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (!o["no-sync"]) {
    const sync = await runSync(migration.shopId, o["full-sync"], o.json, migration.id);
    if (sync.state !== "succeeded") {
      console.error(`Sync failed, nothing reconciled: ${sync.error}`);
      return 1;
    }
  }
  const result = await reconcileMigration({ shopId: migration.shopId, migrationId: migration.id });
  if (result.outcome === "not-found") throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (result.outcome === "rules-invalid" || result.outcome === "nothing-to-reconcile") {
    const message = result.outcome === "rules-invalid" ? result.errors.join("; ") : result.message;
    if (o.json) console.log(JSON.stringify({ outcome: result.outcome, message }));
    else console.error(`Refused: ${message}`);
    return 2;
  }
  if (o.json) console.log(JSON.stringify({ outcome: "reconciled", migrationId: migration.id, reconciliationId: result.reconciliationId, reused: result.reused, notes: result.notes, ...result.report }));
  else printPreview(migration.id, result.reconciliationId, result.report, result.notes);
  return 0;
}

const yesNo = z.enum(["yes", "no"]).transform((v) => v === "yes");
const stateList = z.string().transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean));
const isoDate = z.string().transform((v, ctx) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a date (use ISO 8601, e.g. 2026-10-01 or 2026-10-01T03:00:00Z)` });
    return z.NEVER;
  }
  return d;
});

export async function rulesCommand(argv: string[]): Promise<number> {
  const o = parseOptions(
    argv,
    {
      migration: z.string().min(1),
      cutover: isoDate.optional(),
      "orders-migrated": yesNo.optional(),
      "customers-migrated": yesNo.optional(),
      completed: stateList.optional(),
      cancelled: stateList.optional(),
      retroactive: z
        .string()
        .transform((v, ctx) => {
          const [rate, from, to] = v.split(",");
          const parsed = { pointsPerCurrencyUnit: Number(rate), from: new Date(from ?? ""), to: new Date(to ?? "") };
          if (!Number.isFinite(parsed.pointsPerCurrencyUnit) || Number.isNaN(parsed.from.getTime()) || Number.isNaN(parsed.to.getTime())) {
            ctx.addIssue({ code: "custom", message: "use <points per currency unit>,<from ISO>,<to ISO>, e.g. 1,2026-09-01,2026-10-01" });
            return z.NEVER;
          }
          return parsed;
        })
        .optional(),
      "no-retroactive": z.boolean().default(false),
      json: z.boolean().default(false),
    },
    ["no-retroactive", "json"],
  );
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  if (o.retroactive && o["no-retroactive"]) throw new CliUsageError("--retroactive and --no-retroactive contradict each other");
  const result = await setRules({
    shopId: migration.shopId,
    migrationId: migration.id,
    cutoverAt: o.cutover,
    ordersMigrated: o["orders-migrated"],
    customersMigrated: o["customers-migrated"],
    completedStates: o.completed,
    cancelledStates: o.cancelled,
    retroactive: o["no-retroactive"] ? null : o.retroactive,
  });
  if (o.json) console.log(JSON.stringify(result));
  else if (result.outcome === "saved") console.log(`Rules saved (migration is ${result.state}):\n${JSON.stringify(result.rules, null, 2)}`);
  else if (result.outcome === "invalid") console.error(`Refused, nothing saved:\n${result.errors.map((e) => `  - ${e}`).join("\n")}`);
  else if (result.outcome === "migration-closed") console.error(`Refused: the migration is ${result.state}; rules are fixed once points are written.`);
  return result.outcome === "saved" ? 0 : 2;
}

export async function reviewCommand(argv: string[]): Promise<number> {
  const o = parseOptions(
    argv,
    {
      migration: z.string().min(1),
      record: z.string().optional(),
      match: z.string().optional(),
      pending: z.boolean().default(false),
      reject: z.boolean().default(false),
      withdraw: z.boolean().default(false),
      note: z.string().optional(),
      json: z.boolean().default(false),
    },
    ["pending", "reject", "withdraw", "json"],
  );
  const migration = await prisma.migration.findUnique({ where: { id: o.migration } });
  if (!migration) throw new CliUsageError(`--migration: no migration ${o.migration}`);
  const chosen = [o.match !== undefined, o.pending, o.reject, o.withdraw].filter(Boolean).length;
  if (!o.record) {
    if (chosen > 0) throw new CliUsageError("--record is required with --match, --pending, --reject or --withdraw");
    const queue = await reviewQueue({ shopId: migration.shopId, migrationId: migration.id, take: 200 });
    if (!queue) throw new CliUsageError("this migration has no preview yet: run npx carryover reconcile first");
    if (o.json) console.log(JSON.stringify(queue));
    else {
      console.log(`${queue.total.toLocaleString("en")} records to review (preview ${queue.reconciliationId})`);
      for (const item of queue.items) {
        const who = [item.email, item.phone, item.cpf, item.name].filter(Boolean).join(", ");
        const decided = item.decision ? `  [decided: ${item.decision.decision}${item.decision.platformCustomerId ? ` ${item.decision.platformCustomerId}` : ""}]` : "";
        console.log(`  ${item.recordId} (${item.fileName} row ${item.rowNumber}) ${who}, ${item.points.toLocaleString("en")} points: ${item.reason ?? "conflict"}${decided}`);
        for (const c of item.candidates) console.log(`      → ${c.platformId} [${c.key}] ${[c.email, c.phone, c.name].filter(Boolean).join(", ")}`);
      }
    }
    return 0;
  }
  if (chosen !== 1) throw new CliUsageError("choose exactly one of --match <customer id>, --pending, --reject, --withdraw");
  if (o.withdraw) {
    const withdrawn = await withdrawDecision({ shopId: migration.shopId, migrationId: migration.id, recordId: o.record });
    console.log(o.json ? JSON.stringify({ outcome: withdrawn ? "withdrawn" : "no-decision" }) : withdrawn ? "Decision withdrawn." : "There was no decision on that record.");
    return 0;
  }
  const decision = o.match !== undefined ? "match" : o.pending ? "pending" : "reject";
  const result = await decideRecord({ shopId: migration.shopId, migrationId: migration.id, recordId: o.record, decision, platformCustomerId: o.match ?? null, note: o.note ?? null });
  if (o.json) console.log(JSON.stringify(result));
  else if (result.outcome === "recorded") console.log(`Decision recorded${result.replaced ? " (it replaces the earlier one)" : ""}; run npx carryover reconcile to see the new preview.`);
  else console.error(`Refused: ${"message" in result ? result.message : result.outcome === "migration-closed" ? `the migration is ${result.state}; decisions are closed once points are written` : "no such migration"}`);
  return result.outcome === "recorded" ? 0 : 2;
}

export function printPreview(migrationId: string, reconciliationId: string, r: Preview, notes: string[]) {
  const n = (x: number) => x.toLocaleString("en");
  const row = (label: string, members: number, points: number) => `  ${label.padEnd(34)} ${n(members).padStart(10)} ${n(points).padStart(14)}`;
  const lines = [
    `Preview of migration ${migrationId} (reconciliation ${reconciliationId}): nothing was written to the ledger.`,
    ...notes.map((note) => `  note: ${note}`),
    "",
    `  ${"".padEnd(34)} ${"records".padStart(10)} ${"points".padStart(14)}`,
    row("matched to a customer", r.members.matched, r.points.matched),
    row("pending (no account yet)", r.members.pending, r.points.pending),
    row("conflict (needs review)", r.members.conflict, r.points.conflict),
    row("rejected at import", r.members.rejectedAtImport, r.points.rejected.atImport),
    row("merged away by the duplicate policy", 0, r.points.rejected.mergedAway),
    row("rejected in review", r.members.rejectedInReview, r.points.rejected.inReview),
    `  ${"points in the file".padEnd(34)} ${"".padStart(10)} ${n(r.points.inFile).padStart(14)}  = matched + pending + conflict + rejected`,
    "",
    `  orders of the new store: ${n(r.orders.total)}; ${n(r.orders.alreadyMigrated)} already in the imported balance, ${n(r.orders.ignored)} earn nothing in the migration`,
    ...Object.entries(r.orders.byOutcome)
      .filter(([, count]) => count > 0)
      .map(([outcome, count]) => `    ${outcome.replace(/_/g, " ")}: ${n(count)}`),
    `  retroactive points: ${n(r.retroactive.points)} on ${n(r.retroactive.orders)} orders of ${n(r.retroactive.customers)} customers`,
  ];
  if (r.conflicts.total > 0) {
    lines.push("", `  conflicts to review: ${n(r.conflicts.total)}${r.conflicts.total > r.conflicts.shown.length ? ` (first ${r.conflicts.shown.length} below)` : ""}`);
    for (const c of r.conflicts.shown.slice(0, 20)) {
      lines.push(`    record ${c.recordId}, ${n(c.points)} points: ${c.reason ?? "conflict"} — ${c.candidates.map((x) => `${x.platformId} (${x.key})`).join(", ")}`);
    }
    if (r.conflicts.shown.length > 20) lines.push(`    … --json lists ${r.conflicts.shown.length}`);
  }
  console.log(lines.join("\n"));
}
