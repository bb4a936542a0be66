// End to end, the product's main job at scale: a 1,000,000-row export of the old program → import
// (read, detect, validate, stage, duplicates, accounts) → reconcile against an already-synced snapshot
// of the new store (1,000,000 customers, 2,000,000 orders) → the stored, checked preview. Issue 8's
// target: under 30 s on this 2-core machine, SQLite.
//
// The snapshot is built once (a bulk sync from the Shopify emulator, minutes) and copied for each run:
//   npx tsx bench/reconcile.bench.ts --generate .carryover/bench-helper/snapshot-1m.db
//   npx tsx bench/preview.bench.ts --snapshot .carryover/bench-helper/snapshot-1m.db [--rows 1000000]
// The file is written from the same seeded store (BonifiQ's layout: e-mail, phone, CPF, points in
// pt-BR digits), with the usual mess: e-mails in capitals or padded, records known by phone only,
// +tag variants (review), the same customer twice (merged), shoppers with no account (pending),
// broken e-mails and negative balances (rejected). Only the import and the reconcile are timed; each
// run imports into a fresh migration of a fresh copy, in a process of its own (its own peak RSS).
// Figures are printed, not appended to bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 } from "../tests/emulators/seeded-random";

const { values } = parseArgs({
  options: {
    snapshot: { type: "string" },
    rows: { type: "string", default: "1000000" },
    customers: { type: "string", default: "1000000" },
    orders: { type: "string", default: "2000000" },
    phase: { type: "string" },
    dir: { type: "string" },
  },
});
const ROWS = Number(values.rows);
const CUSTOMERS = Number(values.customers);
const ORDERS = Number(values.orders);
const SEED = 1; // the seed bench/reconcile.bench.ts syncs the snapshot from

async function writeFile(file: string) {
  const { seedStore } = await import("../tests/emulators/shopify/store");
  const store = seedStore({ customers: CUSTOMERS, orders: ORDERS, seed: SEED });
  const rand = mulberry32(20261201);
  const out = fs.openSync(file, "w");
  let buffer = "\ufeffNome;E-mail;Telefone;CPF;Pontos;Nível;Data de Nascimento;Aceita marketing\r\n";
  const kinds: Record<string, number> = {};
  for (let j = 0; j < ROWS; j++) {
    const c = j % CUSTOMERS;
    const r = rand();
    let email = store.email(c) ?? "";
    let phone = "";
    let kind: string;
    if (r < 0.8 && email) {
      kind = "e-mail";
      if (rand() < 0.3) email = email.toUpperCase();
      if (rand() < 0.1) email = `  ${email} `;
      if (rand() < 0.6) phone = store.phone(c) ?? "";
    } else if (r < 0.85 && store.phone(c)) {
      kind = "phone only";
      email = "";
      phone = store.phone(c)!;
    } else if (r < 0.88 && email) {
      kind = "+tag variant";
      email = email.replace("@", "+loja@");
    } else if (r < 0.9 && j > 0 && store.email((j - 1) % CUSTOMERS)) {
      kind = "same customer twice";
      email = store.email((j - 1) % CUSTOMERS)!.toUpperCase();
    } else if (r < 0.995) {
      kind = "no account yet";
      email = `novo${j}@exemplo.com.br`;
      if (rand() < 0.5) phone = `(21) 9${String(10_000_000 + (j % 89_999_999)).slice(0, 4)}-${String(1000 + (j % 8999))}`;
    } else {
      kind = "broken";
      email = `novo${j}exemplo.com.br`;
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const points = rand() < 0.003 ? `-${Math.floor(rand() * 500)}` : Math.floor(rand() * rand() * 25_000).toLocaleString("pt-BR");
    const name = [store.firstName(c), store.lastName(c)].filter(Boolean).join(" ");
    const tier = ["Bronze", "Prata", "Ouro", ""][Math.floor(rand() * 4)]!;
    const birthday = rand() < 0.7 ? `${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}/${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}/${1950 + Math.floor(rand() * 55)}` : "";
    buffer += `${name};${email};${phone};;${points};${tier};${birthday};${["sim", "não", ""][Math.floor(rand() * 3)]}\r\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer);
      buffer = "";
    }
  }
  fs.writeSync(out, buffer);
  fs.closeSync(out);
  return kinds;
}

/** The timed part, in a process of its own: import the file into a new migration, then reconcile it. */
async function phaseRun(dir: string) {
  Object.assign(process.env, { DATABASE_URL: `file:${path.join(dir, "snapshot.db")}`, UPLOAD_DIR: path.join(dir, "uploads"), NODE_ENV: "production" });
  // PREVIEW_SQL_TIMES=1: the statements that took longest (better-sqlite3 run/get/all/iterate), to stderr.
  const sqlTimes = new Map<string, { ms: number; calls: number }>();
  if (process.env.PREVIEW_SQL_TIMES) {
    const { createRequire } = await import("node:module");
    const Database = createRequire(import.meta.url)("better-sqlite3") as { prototype: { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> } };
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (this: unknown, sql: string) {
      const statement = prepare.call(this, sql);
      for (const method of ["run", "get", "all"]) {
        const original = statement[method]!;
        statement[method] = (...args: unknown[]) => {
          const t = performance.now();
          try {
            return original.apply(statement, args);
          } finally {
            const key = sql.replace(/\s+/g, " ").slice(0, 160);
            const entry = sqlTimes.get(key) ?? { ms: 0, calls: 0 };
            entry.ms += performance.now() - t;
            entry.calls++;
            sqlTimes.set(key, entry);
          }
        };
      }
      return statement;
    };
  }
  const prisma = (await import("../app/db.server")).default;
  const { importLoyaltyFile } = await import("../app/services/import/import.server");
  const { reconcileMigration } = await import("../app/services/reconcile/reconcile.server");
  const { checkPreview } = await import("../domain/reconcile/report");
  const shop = await prisma.shop.findFirstOrThrow({ where: { domain: "bench.myshopify.com" } });
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "preview bench",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      // September's orders earn points retroactively (1 point per R$ 1), as in bench/reconcile.bench.ts.
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  // PREVIEW_CPUPROFILE=<file>: the run's V8 CPU profile, for a look with any .cpuprofile viewer.
  const profileTo = process.env.PREVIEW_CPUPROFILE;
  const inspector = profileTo ? await import("node:inspector") : null;
  const session = inspector ? new inspector.Session() : null;
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session!.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
  if (session) {
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 2000 });
    await post("Profiler.start");
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "bonifiq", fileName: "export.csv", filePath: path.join(dir, "export.csv") });
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  if (imported.outcome !== "imported") throw new Error(`import: ${JSON.stringify(imported)}`);
  const reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  if (session) {
    const { profile } = await post<{ profile: unknown }>("Profiler.stop");
    fs.writeFileSync(profileTo!, JSON.stringify(profile));
    session.disconnect();
  }
  if (reconciled.outcome !== "reconciled") throw new Error(`reconcile: ${JSON.stringify(reconciled)}`);
  for (const [sql, { ms, calls }] of [...sqlTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) console.error(`${(ms / 1000).toFixed(2)} s ${calls} calls: ${sql}`);
  const recordMatches = await prisma.recordMatch.count({ where: { reconciliationId: reconciled.reconciliationId } });
  await prisma.$disconnect();
  const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1e6;
  console.log(
    JSON.stringify({
      importSeconds: (t1 - t0) / 1000,
      reconcileSeconds: (t2 - t1) / 1000,
      importCpu: cpu(cpu0, cpu1),
      reconcileCpu: cpu(cpu1, cpu2),
      summary: imported.summary,
      report: reconciled.report,
      broken: checkPreview(reconciled.report),
      recordMatches,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

async function main() {
  if (!values.snapshot) throw new Error("--snapshot <db> is required: npx tsx bench/reconcile.bench.ts --generate .carryover/bench-helper/snapshot-1m.db builds one");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-preview-bench-"));
  try {
    console.log(`writing a ${ROWS.toLocaleString("en")}-row export from the seeded store…`);
    const kinds = await writeFile(path.join(dir, "export.csv"));
    const size = fs.statSync(path.join(dir, "export.csv")).size;
    console.log(`copying the snapshot ${values.snapshot}…`);
    fs.copyFileSync(values.snapshot, path.join(dir, "snapshot.db"));
    console.log("import + reconcile…");
    const args = ["node_modules/tsx/dist/cli.mjs", "bench/preview.bench.ts", "--phase", "run", "--dir", dir];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`run failed (exit ${r.status}):\n${r.stdout}`);
    const run = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const s = run.summary;
    const p = run.report.points;
    const m = run.report.members;
    const problems: string[] = [];
    if (run.broken) problems.push(`the preview does not add up: ${run.broken}`);
    if (s.rowsTotal !== s.rowsValid + s.rowsRejected + s.rowsMerged + s.rowsIgnored) problems.push("import rows do not add up");
    if (s.pointsInFile !== s.pointsValid + s.pointsRejected + s.pointsMergedAway) problems.push("import points do not add up");
    if (p.inFile !== s.pointsInFile || run.recordMatches !== s.rowsValid || m.records !== s.rowsValid) problems.push("the preview does not cover the import");
    if (problems.length) throw new Error(problems.join("; "));
    const total = run.importSeconds + run.reconcileSeconds;
    const f2 = (n: number) => n.toFixed(2);
    console.log(`
## 1M-row file → reconciled preview (import + reconcile against a synced snapshot), SQLite

Command: \`npx tsx bench/preview.bench.ts --snapshot ${values.snapshot} --rows ${ROWS}\`

| figure | value |
|---|---|
| file | ${ROWS.toLocaleString("en")} rows, ${(size / 2 ** 20).toFixed(0)} MB |
| snapshot | ${CUSTOMERS.toLocaleString("en")} customers, ${ORDERS.toLocaleString("en")} orders |
| **file → reconciled preview, wall time** | **${f2(total)} s** |
| import (importLoyaltyFile), wall | ${f2(run.importSeconds)} s (${Math.round(ROWS / run.importSeconds).toLocaleString("en")} rows/s) |
| reconcile (reconcileMigration), wall | ${f2(run.reconcileSeconds)} s |
| CPU time of the process: import / reconcile | ${f2(run.importCpu)} s / ${f2(run.reconcileCpu)} s |
| peak RSS of the process | ${run.maxRssMb} MB |

- Rows: ${s.rowsTotal} = ${s.rowsValid} valid + ${s.rowsRejected} rejected + ${s.rowsMerged} merged + ${s.rowsIgnored} ignored (the file: ${Object.entries(kinds).map(([k, v]) => `${k} ${v}`).join(", ")}).
- Points: ${p.inFile} in file = ${p.matched} matched + ${p.pending} pending + ${p.conflict} conflict + ${p.rejected.total} rejected (${p.rejected.atImport} at import, ${p.rejected.mergedAway} merged away) — checkPreview: holds.
- Records: matched ${m.matched}, pending ${m.pending}, conflict ${m.conflict}; orders ${run.report.orders.total}, retroactive ${run.report.retroactive.points} points to ${run.report.retroactive.customers} customers.
- Target (issue 8): under 30 s. Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min) on ${os.cpus().length} cores; other work on the machine shares them, and wall time beyond the CPU time is mostly waiting for a core.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (values.phase === "run") await phaseRun(values.dir!);
else await main();
