// The demo's main job, run by scripts/demo.mjs once the emulator is up: the demo store's old
// loyalty export (Smile.io shape) is imported into one migration, the store is synced, and the
// migration is reconciled — the preview the merchant reviews before anything is written.
// Idempotent: a second run finds the migration, recognises the file, syncs incrementally.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import prisma from "../app/db.server";
import { jobHandlers } from "../app/jobs/handlers.server";
import { JobRunner } from "../app/jobs/runner.server";
import { importLoyaltyFile } from "../app/services/import/import.server";
import { printPreview } from "../app/cli/reconcile-commands";
import { reconcileMigration } from "../app/services/reconcile/reconcile.server";
import { setRules } from "../app/services/reconcile/rules.server";
import { requestSync } from "../app/services/sync/sync-requests.server";
import { demoLoyaltyExport } from "./demo-loyalty-export";

const { values } = parseArgs({
  options: {
    shop: { type: "string" },
    customers: { type: "string", default: "3000" },
    orders: { type: "string", default: "9000" },
    seed: { type: "string", default: "1" },
    "data-dir": { type: "string", default: ".carryover/demo" },
    platform: { type: "string", default: "shopify" },
  },
});
// `--platform nuvemshop`: the demo store is the Nuvemshop emulator's (installed through OAuth first).
const platform = values.platform === "nuvemshop" ? "nuvemshop" : "shopify";
const MIGRATION_NAME = platform === "nuvemshop" ? "Smile.io → Nuvemshop (demo)" : "Smile.io → Shopify (demo)";
const n = (x: number) => x.toLocaleString("en");

const shop = await prisma.shop.findFirstOrThrow({ where: { platform, domain: values.shop! } });
const migration =
  (await prisma.migration.findFirst({ where: { shopId: shop.id, name: MIGRATION_NAME } })) ??
  (await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: MIGRATION_NAME,
      oldProvider: "smile",
      oldPlatform: "shopify",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      // The store kept its platform and changed loyalty provider; the old program's export is from the
      // end of August, so September's orders earn their points retroactively (1 point per R$ 1).
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  }));

const file = path.resolve(values["data-dir"]!, "smile-export.csv");
fs.writeFileSync(file, demoLoyaltyExport({ customers: Number(values.customers), orders: Number(values.orders), seed: Number(values.seed), shopDomain: shop.domain, platform }));
const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "smile-export.csv", filePath: file });
if (imported.outcome === "file-rejected") throw new Error(`the demo export was refused: ${imported.message}`);
const s = imported.summary;
console.log(
  `  import: ${imported.outcome === "already-imported" ? "already imported" : "imported"} ${s.fileName}: ${n(s.rowsTotal)} rows = ${n(s.rowsValid)} valid + ${n(s.rowsRejected)} rejected + ${n(s.rowsMerged)} merged + ${n(s.rowsIgnored)} ignored`,
);

// The merchant confirms the rules (the platform's order states, the retroactive window set above).
const rules = await setRules({ shopId: shop.id, migrationId: migration.id });
if (rules.outcome === "invalid") throw new Error(`the demo rules are invalid: ${rules.errors.join("; ")}`);

const sync = await requestSync({ shopId: shop.id, migrationId: migration.id });
const runner = new JobRunner({ handlers: { "platform.sync": jobHandlers["platform.sync"] } });
for (;;) {
  const job = await prisma.job.findUniqueOrThrow({ where: { id: sync.jobId } });
  if (job.state === "failed") throw new Error(`the sync failed: ${job.error}`);
  if (job.state === "succeeded") {
    console.log(`  sync: ${n(job.progressDone)} customers and orders pulled from the store`);
    break;
  }
  if ((await runner.runOne()).outcome === "idle") await new Promise((r) => setTimeout(r, 300));
}

const result = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
if (result.outcome !== "reconciled") throw new Error(`reconcile: ${JSON.stringify(result)}`);
printPreview(migration.id, result.reconciliationId, result.report, result.notes);
console.log(
  [
    "",
    `  Next, with the CLI (it works on this demo):`,
    `    npx carryover review --migration ${migration.id}          # the conflicts, with their candidates`,
    `    npx carryover apply --migration ${migration.id} --pilot 10%`,
    `    npx carryover apply --migration ${migration.id}           # the rest; then create a pending shopper in the emulator`,
    `    npx carryover report --migration ${migration.id}`,
  ].join("\n"),
);
await prisma.$disconnect();
