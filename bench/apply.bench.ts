// Apply at scale (issue 8): a reviewed preview of N customers credited to the ledger and pushed to the
// Shopify emulator as app-owned customer metafields (metafieldsSet, 25 metafields a call), beside the
// limits measured in the same run.
//
//   setup     a fresh SQLite database (committed migrations), a bulk sync of the emulator's store
//             (N customers, 2N orders), the store's old loyalty export (the demo generator: matched,
//             pending, variants, duplicates, broken rows), the rules, and reconcileMigration's preview.
//   apply     applyMigration end to end with the emulator's bucket opened wide, so the app's own cost
//             is what is measured. Every metafields call it sends is recorded.
//   limit     (a) the same Member and LedgerEntry rows, read back from the applied database, inserted
//             raw with better-sqlite3 into a copy of the pre-apply database (one transaction per 10,000);
//             (b) the same metafieldsSet / metafieldsDelete bodies sent again raw (fetch, one at a
//             time like the app) to the same emulator. Apply does (a) and (b) one after the other in
//             one process, so its limit is members / (seconds of a + seconds of b).
//   throttled apply again on a copy of the pre-apply database for a bounded window against the
//             emulator's standard bucket (2,000 points restoring 100/s, 10 points a mutation), beside
//             the ceiling that bucket allows from the cost each answer reports. At real Shopify rates
//             this ceiling, not the machine, bounds apply: the projected time for all N members is shown.
//
// Each phase runs in its own process (its own peak RSS); the emulator runs in a process of its own.
//
//   npm run bench -- apply [--customers 100000] [--orders 2×customers] [--throttled-seconds 30 (0: none)]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { emit, type Figure } from "./lib";
import { runPhase, startEmulatorProcess, TSX_CLI } from "./processes";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "100000" },
    orders: { type: "string" },
    "throttled-seconds": { type: "string", default: "30" },
    phase: { type: "string" },
    dir: { type: "string" },
    url: { type: "string" },
  },
});
const CUSTOMERS = Number(values.customers);
const ORDERS = values.orders !== undefined ? Number(values.orders) : 2 * CUSTOMERS;
const THROTTLED_SECONDS = Number(values["throttled-seconds"]);
const SEED = 31;
const SHOP = "bench-apply.myshopify.com";
const TOKEN = "shpat_bench_apply";
const API_VERSION = "2026-01";

interface Setup {
  shopId: string;
  migrationId: string;
  reconciliationId: string;
  matched: number;
  pending: number;
  seconds: { sync: number; import: number; reconcile: number };
}

interface Call {
  t0: number;
  t1: number;
  /** distinct customers named by a metafieldsSet call (0 for a delete) */
  customers: number;
  kind: "set" | "delete";
  cost: number;
  available: number | null;
}

async function openDatabase(file: string, deployFirst: boolean) {
  if (deployFirst) {
    const { deploy } = await import("../scripts/db-deploy.mjs");
    await deploy(`file:${file}`);
  }
  const { testEnv } = await import("../tests/support/test-env");
  Object.assign(process.env, testEnv(`file:${file}`), { NODE_ENV: "production", UPLOAD_DIR: path.join(path.dirname(file), "uploads") });
  return (await import("../app/db.server")).default;
}

function rssMb() {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function setThrottle(url: string, body: Record<string, number>) {
  const res = await fetch(`${url}/_emulator/throttle`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return ((await res.json()) as { throttleStatus: { maximumAvailable: number; restoreRate: number } }).throttleStatus;
}

/** A fetch that records every metafields call (and, when `bodies` is given, appends its exact request to that file). */
function tracingFetch(bodies?: string) {
  const calls: Call[] = [];
  const traced: typeof fetch = async (input, init) => {
    const body = typeof init?.body === "string" ? init.body : "";
    const kind = body.includes("metafieldsSet") ? "set" : body.includes("metafieldsDelete") ? "delete" : null;
    const t0 = performance.now();
    const res = await fetch(input, init);
    if (!kind) return res;
    const json = (await res.clone().json()) as { extensions?: { cost?: { actualQueryCost?: number; throttleStatus?: { currentlyAvailable: number } } } };
    const t1 = performance.now();
    const variables = (JSON.parse(body) as { variables?: { metafields?: { ownerId: string }[] } }).variables;
    calls.push({
      t0,
      t1,
      kind,
      customers: kind === "set" ? new Set((variables?.metafields ?? []).map((m) => m.ownerId)).size : 0,
      cost: json.extensions?.cost?.actualQueryCost ?? 0,
      available: json.extensions?.cost?.throttleStatus?.currentlyAvailable ?? null,
    });
    if (bodies) fs.appendFileSync(bodies, `${JSON.stringify(body)}\n`);
    return res;
  };
  return { fetch: traced, calls };
}

// ------------------------------------------------------------------------------------------------
// phases

async function phaseSetup(dir: string, url: string) {
  const prisma = await openDatabase(path.join(dir, "setup.db"), true);
  const { ShopifyClient } = await import("../app/platforms/shopify/shopify-client.server");
  const { syncPlatform } = await import("../app/services/sync/sync.server");
  const { importLoyaltyFile } = await import("../app/services/import/import.server");
  const { setRules } = await import("../app/services/reconcile/rules.server");
  const { reconcileMigration } = await import("../app/services/reconcile/reconcile.server");
  const { demoLoyaltyExport } = await import("../scripts/demo-loyalty-export");
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: SHOP, country: "BR" } });
  const client = new ShopifyClient({ origin: url, apiVersion: API_VERSION, accessToken: TOKEN });
  let t = performance.now();
  await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: "bulk" });
  const sync = (performance.now() - t) / 1000;
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "apply bench",
      oldProvider: "smile",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  const file = path.join(dir, "smile-export.csv");
  fs.writeFileSync(file, demoLoyaltyExport({ customers: CUSTOMERS, orders: ORDERS, seed: SEED, shopDomain: SHOP }));
  t = performance.now();
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "smile-export.csv", filePath: file });
  if (imported.outcome !== "imported") throw new Error(`import: ${JSON.stringify(imported)}`);
  const importSeconds = (performance.now() - t) / 1000;
  const rules = await setRules({ shopId: shop.id, migrationId: migration.id });
  if (rules.outcome !== "saved") throw new Error(`rules: ${JSON.stringify(rules)}`);
  t = performance.now();
  const reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  if (reconciled.outcome !== "reconciled") throw new Error(`reconcile: ${JSON.stringify(reconciled)}`);
  const reconcileSeconds = (performance.now() - t) / 1000;
  await prisma.$disconnect();
  const setup: Setup = {
    shopId: shop.id,
    migrationId: migration.id,
    reconciliationId: reconciled.reconciliationId,
    matched: reconciled.report.members.matched,
    pending: reconciled.report.members.pending,
    seconds: { sync, import: importSeconds, reconcile: reconcileSeconds },
  };
  console.log(JSON.stringify(setup));
}

class Deadline extends Error {}

async function phaseApply(dir: string, url: string, throttled: boolean) {
  const setup = JSON.parse(fs.readFileSync(path.join(dir, "setup.json"), "utf8")) as Setup;
  const prisma = await openDatabase(path.join(dir, throttled ? "throttled.db" : "apply.db"), false);
  const { ShopifyClient } = await import("../app/platforms/shopify/shopify-client.server");
  const { applyMigration } = await import("../app/services/apply/apply.server");
  const { migrationReport } = await import("../app/services/apply/report.server");
  // A full bucket: wide open for the machine's own cost, the emulator's standard one for the ceiling.
  const status = throttled
    ? await setThrottle(url, { maximumAvailable: 2000, restoreRate: 100, currentlyAvailable: 2000 })
    : await setThrottle(url, { maximumAvailable: 1e12, restoreRate: 1e12, currentlyAvailable: 1e12 });
  const trace = tracingFetch(throttled ? undefined : path.join(dir, "calls.jsonl"));
  const client = new ShopifyClient({ origin: url, apiVersion: API_VERSION, accessToken: TOKEN, fetch: trace.fetch });
  const until = throttled ? performance.now() + THROTTLED_SECONDS * 1000 : Infinity;
  const started = performance.now();
  let result: Awaited<ReturnType<typeof applyMigration>> | null = null;
  try {
    result = await applyMigration({
      shopId: setup.shopId,
      migrationId: setup.migrationId,
      reconciliationId: setup.reconciliationId,
      pilot: null,
      client,
      checkpoint: null,
      progress: async () => {
        if (performance.now() >= until) throw new Deadline("bench window over");
      },
    });
  } catch (error) {
    if (!(error instanceof Deadline)) throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  if (throttled) {
    await prisma.$disconnect();
    console.log(JSON.stringify({ started, calls: trace.calls, throttle: status, maxRssMb: rssMb() }));
    return;
  }
  if (!result || !("stats" in result)) throw new Error(`apply: ${JSON.stringify(result)}`);
  const members = await prisma.member.count({ where: { shopId: setup.shopId } });
  const entries = await prisma.ledgerEntry.count({ where: { shopId: setup.shopId } });
  const report = await migrationReport({ shopId: setup.shopId, migrationId: setup.migrationId });
  await prisma.$disconnect();
  console.log(
    JSON.stringify({
      seconds,
      stats: result.stats,
      members,
      entries,
      holds: report?.identity.holds ?? false,
      setCalls: trace.calls.filter((c) => c.kind === "set").length,
      deleteCalls: trace.calls.filter((c) => c.kind === "delete").length,
      customersPushed: trace.calls.reduce((n, c) => n + c.customers, 0),
      maxRssMb: rssMb(),
    }),
  );
}

/** (a) the applied Member and LedgerEntry rows, inserted raw into a copy of the pre-apply database. */
async function phaseLimitLedger(dir: string) {
  const { default: Database } = await import("better-sqlite3");
  const applied = new Database(path.join(dir, "apply.db"), { readonly: true });
  const target = new Database(path.join(dir, "limit.db"));
  target.pragma("journal_mode = WAL");
  let rows = 0;
  let seconds = 0;
  for (const table of ["Member", "LedgerEntry"]) {
    const all = applied.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][];
    const columns = applied.prepare(`SELECT * FROM "${table}" LIMIT 1`).columns().map((c) => `"${c.name}"`);
    // Reversal links point at rows of the same table: insert in the order they were written.
    const insert = target.prepare(`INSERT INTO "${table}" (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    const started = performance.now();
    for (let k = 0; k < all.length; k += 10_000) {
      target.transaction(() => {
        for (const row of all.slice(k, k + 10_000)) insert.run(row);
      })();
    }
    seconds += (performance.now() - started) / 1000;
    rows += all.length;
  }
  applied.close();
  target.close();
  console.log(JSON.stringify({ seconds, rows, maxRssMb: rssMb() }));
}

/** (b) the app's metafields calls, sent again as they were, one at a time, to the same emulator. */
async function phaseLimitPush(dir: string, url: string) {
  await setThrottle(url, { maximumAvailable: 1e12, restoreRate: 1e12, currentlyAvailable: 1e12 });
  const bodies = fs.readFileSync(path.join(dir, "calls.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string);
  const endpoint = `${url}/admin/api/${API_VERSION}/graphql.json`;
  const started = performance.now();
  for (const body of bodies) {
    const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN }, body });
    const json = (await res.json()) as { errors?: unknown };
    if (!res.ok || json.errors) throw new Error(`raw metafields call refused: ${res.status} ${JSON.stringify(json.errors)}`);
  }
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, calls: bodies.length, maxRssMb: rssMb() }));
}

// ------------------------------------------------------------------------------------------------
// orchestration

const r0 = (n: number) => Math.round(n);
const r2 = (n: number) => Math.round(n * 100) / 100;

function copyDatabase(dir: string, from: string, to: string) {
  for (const suffix of ["", "-wal", "-shm"]) {
    if (fs.existsSync(path.join(dir, from + suffix))) fs.copyFileSync(path.join(dir, from + suffix), path.join(dir, to + suffix));
  }
}

/** Throughput over the bounded window and the ceiling the bucket allows, as bench/reconcile.bench.ts does for paged sync. */
function throttleFigures(calls: Call[], started: number, throttle: { maximumAvailable: number; restoreRate: number }) {
  const sets = calls.filter((c) => c.kind === "set");
  const end = calls.at(-1)!.t1;
  const windowSeconds = (end - started) / 1000;
  const members = sets.reduce((n, c) => n + c.customers, 0);
  const cost = calls.reduce((n, c) => n + c.cost, 0);
  const costPerMember = cost / members;
  const { maximumAvailable, restoreRate } = throttle;
  // Steady state: after the first answer that left less than one mutation in the bucket.
  const k = calls.findIndex((c) => c.available !== null && c.available < c.cost);
  const steady = k >= 0 ? calls.slice(k + 1) : [];
  const steadySeconds = steady.length ? (steady.at(-1)!.t1 - calls[k]!.t1) / 1000 : Number.NaN;
  const steadyMembers = steady.reduce((n, c) => n + c.customers, 0);
  return {
    windowSeconds,
    members,
    calls: calls.length,
    costPerMember,
    rate: members / windowSeconds,
    ceiling: (maximumAvailable + restoreRate * windowSeconds) / costPerMember / windowSeconds,
    steadyRate: steadyMembers / steadySeconds,
    steadyCeiling: restoreRate / costPerMember,
    restoreRate,
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-apply-bench-"));
  try {
    const t = performance.now();
    const emulator = await startEmulatorProcess("tests/emulators/shopify/cli.ts", [
      "--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--seed", String(SEED), "--shop", SHOP, "--access-token", TOKEN,
      "--max-available", "1000000000", "--restore-rate", "1000000000",
    ]);
    console.log(`Shopify emulator: ${CUSTOMERS.toLocaleString("en")} customers, ${ORDERS.toLocaleString("en")} orders, up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    try {
      const phase = <T>(name: string) => runPhase<T>(TSX_CLI, "bench/apply.bench.ts", ["--phase", name, "--dir", dir, "--url", emulator.url, "--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--throttled-seconds", String(THROTTLED_SECONDS)]);
      console.log("setup: bulk sync, import of the old export, rules, reconcile…");
      const setup = phase<Setup>("setup");
      fs.writeFileSync(path.join(dir, "setup.json"), JSON.stringify(setup));
      copyDatabase(dir, "setup.db", "apply.db");
      copyDatabase(dir, "setup.db", "throttled.db");
      copyDatabase(dir, "setup.db", "limit.db");
      console.log(`apply: ${setup.matched} matched + ${setup.pending} pending records…`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON printed by this benchmark's own phases
      const applied = phase<any>("apply");
      if (!applied.holds) throw new Error("THE REPORT'S IDENTITY DOES NOT HOLD after apply");
      console.log("limit (a): raw ledger inserts…");
      const ledger = phase<{ seconds: number; rows: number; maxRssMb: number }>("limit-ledger");
      if (ledger.rows !== applied.members + applied.entries) throw new Error(`limit inserted ${ledger.rows} rows, apply wrote ${applied.members + applied.entries}`);
      console.log("limit (b): raw metafields calls…");
      const push = phase<{ seconds: number; calls: number }>("limit-push");
      let th: ReturnType<typeof throttleFigures> | null = null;
      if (THROTTLED_SECONDS > 0) {
        console.log(`throttled: ${THROTTLED_SECONDS} s against the standard bucket…`);
        const throttledRun = phase<{ started: number; calls: Call[]; throttle: { maximumAvailable: number; restoreRate: number } }>("throttled");
        th = throttleFigures(throttledRun.calls, throttledRun.started, throttledRun.throttle);
      }

      const members = applied.members as number;
      const rate = members / applied.seconds;
      const ledgerRate = members / ledger.seconds;
      const pushRate = members / push.seconds;
      const limitRate = members / (ledger.seconds + push.seconds);
      const s = applied.stats;
      const figures: Figure[] = [
        { label: "members written (matched + pending)", value: members, unit: "" },
        { label: "ledger entries written (imports + retroactive orders)", value: applied.entries, unit: "" },
        { label: "metafields calls (metafieldsSet + metafieldsDelete)", value: applied.setCalls + applied.deleteCalls, unit: "" },
        { label: "apply: wall time, applyMigration end to end", value: r2(applied.seconds), unit: "s" },
        { label: "apply: members/s (ledger + metafields pushed)", value: r0(rate), unit: "members/s", limit: r0(limitRate), limitLabel: "(a) + (b) one after the other" },
        { label: "apply: ledger rows/s", value: r0((members + applied.entries) / applied.seconds), unit: "rows/s", limit: r0(ledger.rows / ledger.seconds), limitLabel: "(a) raw better-sqlite3 inserts, 10k per transaction" },
        { label: "limit (a) alone, per member", value: r0(ledgerRate), unit: "members/s" },
        { label: "limit (b) alone: raw metafields calls to the emulator, one at a time", value: r0(pushRate), unit: "members/s" },
        { label: "apply: peak RSS", value: applied.maxRssMb, unit: "MB" },
      ];
      if (th) {
        figures.push(
          { label: `throttled (standard bucket ${th.restoreRate}/s): members pushed in ${r2(th.windowSeconds)} s (${th.calls} calls)`, value: th.members, unit: "" },
          { label: "throttled: cost per member (measured)", value: r2(th.costPerMember), unit: "points/member" },
          { label: "throttled: members/s over the window, burst included", value: r2(th.rate), unit: "members/s", limit: r2(th.ceiling), limitLabel: "bucket ceiling over the window" },
          { label: "throttled: members/s steady state", value: r2(th.steadyRate), unit: "members/s", limit: r2(th.steadyCeiling), limitLabel: "restore rate / cost per member" },
          { label: `throttled: projected time to push all ${s.push.written.toLocaleString("en")} visible members at the standard bucket`, value: r2((s.push.written * th.costPerMember) / th.restoreRate / 3600), unit: "h" },
          { label: "throttled: the same on Shopify Plus (1,000 points/s)", value: r2((s.push.written * th.costPerMember) / 1000 / 3600), unit: "h" },
        );
      }
      emit({
        name: "apply",
        title: `Apply with metafield writes: ${CUSTOMERS.toLocaleString("en")} customers, ${ORDERS.toLocaleString("en")} orders, Shopify emulator, SQLite`,
        command: `npm run bench -- apply --customers ${CUSTOMERS} --orders ${ORDERS} --throttled-seconds ${THROTTLED_SECONDS}`,
        size: CUSTOMERS,
        figures,
        targets: [
          { label: "apply ≥ 50 % of the machine's limit (wide-open bucket)", met: rate >= 0.5 * limitRate, actual: `${r2((100 * rate) / limitRate)} %` },
          ...(th ? [{ label: "apply ≥ 90 % of the throttle ceiling (steady state)", met: th.steadyRate >= 0.9 * th.steadyCeiling, actual: `${r2((100 * th.steadyRate) / th.steadyCeiling)} %` }] : []),
          { label: "the report's identity holds after apply (points in file = credited + pending + conflict + rejected)", met: applied.holds, actual: String(applied.holds) },
        ],
        notes: [
          `Records: matched ${s.records.matched}, pending ${s.records.pending}, zero points ${s.records.zeroPoints}; imports posted ${s.imports.posted} (${s.imports.points} points); retroactive orders ${s.retroactive.orders}, posted ${s.retroactive.posted} (${s.retroactive.points} points); members created ${s.members.createdVisible} visible + ${s.members.createdPending} pending; balances pushed ${s.push.written}, failed ${s.push.failed}.`,
          `Setup (not measured as apply): bulk sync ${r2(setup.seconds.sync)} s, import ${r2(setup.seconds.import)} s, reconcile ${r2(setup.seconds.reconcile)} s.`,
          "The wide-open run measures the machine: the emulator's bucket set to 10^9 points, so no call waits. Apply writes a batch of 500 members to the ledger, then pushes that batch's balances, so the machine's limit is the two raw limits one after the other: (a) the same rows inserted raw, (b) the same metafields calls (bodies recorded from apply) sent again raw to the same emulator, which in both runs does the same work; (b) is mostly the emulator's own cost and loopback HTTP.",
          "At Shopify's real rates the bucket bounds apply, not the machine: each metafieldsSet or metafieldsDelete costs 10 points and carries ≤ 25 metafields (8 customers with points, tier and restore date), so the standard bucket (100 points/s) allows the steady ceiling shown; the projected hours are N × cost per member / restore rate.",
          "Apply records every metafields call's request body to a file in the run's temp directory for limit (b) (one appendFileSync per call).",
        ],
        points: [{ series: "apply (ledger + metafields)", items: members, seconds: applied.seconds, unit: "members" }],
      });
    } finally {
      await emulator.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (values.phase === "setup") await phaseSetup(values.dir!, values.url!);
else if (values.phase === "apply") await phaseApply(values.dir!, values.url!, false);
else if (values.phase === "throttled") await phaseApply(values.dir!, values.url!, true);
else if (values.phase === "limit-ledger") await phaseLimitLedger(values.dir!);
else if (values.phase === "limit-push") await phaseLimitPush(values.dir!, values.url!);
else await main();
