// Issue 4 at scale: the platform snapshot pulled from the Shopify emulator (1,000,000 customers,
// 2,000,000 orders) and the dry run of 1,000,000 loyalty records against it, each beside the limit
// measured in the same run.
//
//   1. Sync, bulk: syncPlatform(mode "bulk") into a fresh SQLite database (committed migrations),
//      beside (a) the raw download + line split + JSON.parse of the same JSONL files and (b) the same
//      plus raw better-sqlite3 upserts into the real PlatformCustomer / PlatformOrder tables, one
//      transaction per 10,000 rows.
//   2. Sync, paged, for a bounded time against the emulators' standard throttles (Shopify: 2,000
//      points restoring 100/s; Nuvemshop: 40 requests draining 2/s), beside the ceiling the bucket
//      allows, from the cost each response reports.
//   3. Reconcile: N LoyaltyRecord rows derived from the emulator's seeded customers, staged through
//      the record writer, then reconcileMigration end to end, with its phases; beside it, the
//      matching-only micro-benchmark (bench/reconcile-matching.ts) at the same size.
//
// Each phase runs in its own process, so each peak RSS is its own; the emulators run in processes of
// their own too. Loopback only; everything stops by itself.
//
//   npm run bench -- reconcile [--customers 1000000] [--orders 2000000] [--records 1000000]
//                              [--paged-seconds 35] [--nuvemshop-seconds 40]
//   quick run: npm run bench -- reconcile --customers 20000 --orders 40000 --records 20000 --paged-seconds 12 --nuvemshop-seconds 12
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 } from "../tests/emulators/seeded-random";
import { emit, type Figure } from "./lib";
import { runPhase as runPhaseProcess, startEmulatorProcess, TSX_CLI } from "./processes";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "1000000" },
    orders: { type: "string", default: "2000000" },
    records: { type: "string", default: "1000000" },
    "paged-seconds": { type: "string", default: "35" },
    "nuvemshop-seconds": { type: "string", default: "40" },
    phase: { type: "string" },
    dir: { type: "string" },
    url: { type: "string" },
    urls: { type: "string" },
    /** Reconcile only: a copy of this database (a finished run's snapshot with its staged records), no sync. */
    db: { type: "string" },
    /** Only build such a database (bulk sync + staged records) and keep it at this path, for --db. */
    generate: { type: "string" },
  },
});
const CUSTOMERS = Number(values.customers);
const ORDERS = Number(values.orders);
const RECORDS = Number(values.records);
const PAGED_SECONDS = Number(values["paged-seconds"]);
const NUVEMSHOP_SECONDS = Number(values["nuvemshop-seconds"]);
const SEED = 1;
const SHOPIFY_TOKEN = "shpat_emulator_token";
const API_VERSION = "2026-01";

// ------------------------------------------------------------------------------------------------
// helpers

interface Traced {
  /** performance.now() when the request was sent / its body was read. */
  t0: number;
  t1: number;
  kind: "bulk-run" | "graphql" | "download" | "rest";
  url: string;
  /** Items in a page (GraphQL nodes, REST list length). */
  items: number;
  cost?: { actualQueryCost?: number | null; requestedQueryCost?: number; throttleStatus?: { currentlyAvailable: number; maximumAvailable: number; restoreRate: number } };
  remaining?: number;
}

/** A fetch that records when each request went and what it cost (the body of page answers is read twice). */
function tracingFetch() {
  const events: Traced[] = [];
  const traced: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === "string" ? init.body : "";
    const t0 = performance.now();
    const res = await fetch(input, init);
    if (url.includes("/bulk/")) {
      events.push({ t0, t1: t0, kind: "download", url, items: 0 });
    } else if (url.includes("graphql.json")) {
      const json = (await res.clone().json()) as { data?: Record<string, { nodes?: unknown[] } | null>; extensions?: { cost?: Traced["cost"] } };
      const connection = json.data?.customers ?? json.data?.orders;
      events.push({
        t0,
        t1: performance.now(),
        kind: body.includes("bulkOperationRunQuery") ? "bulk-run" : "graphql",
        url,
        items: Array.isArray(connection?.nodes) ? connection.nodes.length : 0,
        cost: json.extensions?.cost,
      });
    } else {
      const list = (await res.clone().json().catch(() => null)) as unknown;
      events.push({ t0, t1: performance.now(), kind: "rest", url, items: Array.isArray(list) ? list.length : 0, remaining: Number(res.headers.get("x-rate-limit-remaining")) });
    }
    return res;
  };
  return { fetch: traced, events };
}

async function freshDatabase(file: string, extraEnv: Record<string, string> = {}) {
  const { deploy } = await import("../scripts/db-deploy.mjs");
  await deploy(`file:${file}`);
  Object.assign(process.env, { DATABASE_URL: `file:${file}`, UPLOAD_DIR: path.join(path.dirname(file), "uploads"), NODE_ENV: "production", ...extraEnv });
}

function rssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Lines of a web stream, split by hand (the raw limit: no readline). */
async function* rawLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      if (nl > start) yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) yield rest;
}

// ------------------------------------------------------------------------------------------------
// 1. sync, bulk

async function phaseSyncBulk(dir: string, url: string) {
  await freshDatabase(path.join(dir, "sync.db"));
  const prisma = (await import("../app/db.server")).default;
  const { syncPlatform } = await import("../app/services/sync/sync.server");
  const { ShopifyClient } = await import("../app/platforms/shopify/shopify-client.server");
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: "bench.myshopify.com", country: "BR" } });
  const trace = tracingFetch();
  const client = new ShopifyClient({ origin: url, apiVersion: API_VERSION, accessToken: SHOPIFY_TOKEN, fetch: trace.fetch });
  const started = performance.now();
  const outcome = await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: "bulk" });
  const seconds = (performance.now() - started) / 1000;
  // Time Shopify (the emulator) spent exporting: from each bulkOperationRunQuery to the start of its download.
  const runs = trace.events.filter((e) => e.kind === "bulk-run");
  const downloads = trace.events.filter((e) => e.kind === "download");
  const exportSeconds = runs.reduce((sum, r, k) => sum + ((downloads[k]?.t0 ?? r.t0) - r.t0) / 1000, 0);
  const customers = await prisma.platformCustomer.count();
  const orders = await prisma.platformOrder.count();
  await prisma.$disconnect();
  console.log(JSON.stringify({ seconds, exportSeconds, outcome, customers, orders, urls: downloads.map((d) => d.url), maxRssMb: rssMb() }));
}

// (a) download + split + parse, no database
async function phaseLimitParse(urls: string[]) {
  const started = performance.now();
  let items = 0;
  let bytes = 0;
  for (const url of urls) {
    const res = await fetch(url);
    for await (const line of rawLines(res.body!)) {
      bytes += line.length + 1;
      const value = JSON.parse(line) as { id?: string };
      if (value.id) items++;
    }
  }
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, items, bytes, maxRssMb: rssMb() }));
}

// (b) download + split + parse + raw upsert into the real tables, one transaction per 10,000 rows
async function phaseLimitUpsert(dir: string, urls: string[]) {
  const file = path.join(dir, "limit.db");
  const { deploy } = await import("../scripts/db-deploy.mjs");
  await deploy(`file:${file}`);
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  const now = new Date().toISOString().replace("Z", "+00:00");
  db.exec(`INSERT INTO "Shop" ("id", "platform", "domain", "updatedAt") VALUES ('s', 'shopify', 'limit.myshopify.com', '${now}')`);
  const upsert = (table: string, columns: string[]) =>
    db.prepare(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
       ON CONFLICT ("shopId", "platformId") DO UPDATE SET ${columns
         .filter((c) => !["id", "shopId", "platformId"].includes(c))
         .map((c) => `"${c}" = excluded."${c}"`)
         .join(", ")} WHERE excluded."platformUpdatedAt" >= "${table}"."platformUpdatedAt"`,
    );
  const customer = upsert("PlatformCustomer", ["id", "shopId", "platformId", "email", "emailNormalized", "phone", "phoneE164", "firstName", "lastName", "state", "platformCreatedAt", "platformUpdatedAt", "syncedAt"]);
  const order = upsert("PlatformOrder", [
    "id", "shopId", "platformId", "platformCustomerId", "name", "financialStatus", "fulfillmentStatus", "cancelledAt", "closed", "totalAmount", "currency", "placedAt", "platformUpdatedAt", "syncedAt",
  ]);
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  const started = performance.now();
  let items = 0;
  for (const url of urls) {
    const res = await fetch(url);
    for await (const line of rawLines(res.body!)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON printed by this benchmark's own phases
      const v = JSON.parse(line) as Record<string, any>;
      if (items % 10_000 === 0) {
        if (db.inTransaction) commit.run();
        begin.run();
      }
      items++;
      if (String(v.id).includes("/Customer/")) {
        const email: string | null = v.defaultEmailAddress?.emailAddress ?? null;
        const phone: string | null = v.defaultPhoneNumber?.phoneNumber ?? null;
        customer.run(`s:${v.id}`, "s", v.id, email, email ? email.trim().toLowerCase() : null, phone, phone, v.firstName, v.lastName, v.state, v.createdAt, v.updatedAt, now);
      } else {
        const money = v.totalPriceSet?.shopMoney;
        order.run(`s:${v.id}`, "s", v.id, v.customer?.id ?? null, v.name, v.displayFinancialStatus, v.displayFulfillmentStatus, v.cancelledAt ?? null, v.closed ? 1 : 0, money?.amount ?? "0", money?.currencyCode ?? null, v.processedAt ?? v.createdAt, v.updatedAt, now);
      }
    }
  }
  if (db.inTransaction) commit.run();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  console.log(JSON.stringify({ seconds, items, maxRssMb: rssMb() }));
}

// ------------------------------------------------------------------------------------------------
// 2. sync, paged, against the throttle

class Deadline extends Error {}

/** syncPlatform until `seconds` have passed (the progress callback stops it after the page that crosses the line). */
async function boundedSync(run: (progress: () => Promise<void>) => Promise<unknown>, seconds: number) {
  const until = performance.now() + seconds * 1000;
  try {
    await run(async () => {
      if (performance.now() >= until) throw new Deadline("bench deadline");
    });
  } catch (error) {
    if (!(error instanceof Deadline)) throw error;
  }
}

interface ThrottleFigures {
  resource: string;
  items: number;
  windowSeconds: number;
  itemsPerSecond: number;
  costPerItem: number;
  /** Items the bucket allowed over the same window, the initial burst included. */
  ceilingWindowItems: number;
  steadyItemsPerSecond: number;
  steadyCeiling: number;
  steadyPages: number;
  firstPageItems: number;
  requests: number;
}

async function phasePagedShopify(dir: string, url: string) {
  await freshDatabase(path.join(dir, "paged.db"));
  const prisma = (await import("../app/db.server")).default;
  const { syncPlatform } = await import("../app/services/sync/sync.server");
  const { ShopifyClient } = await import("../app/platforms/shopify/shopify-client.server");
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: "bench.myshopify.com", country: "BR" } });
  const results: ThrottleFigures[] = [];
  for (const resource of ["customers", "orders"] as const) {
    // A full bucket, as a store nobody else is calling has.
    const set = await fetch(`${url}/_emulator/throttle`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ currentlyAvailable: 1e9 }) });
    const { throttleStatus } = (await set.json()) as { throttleStatus: { maximumAvailable: number; restoreRate: number } };
    const trace = tracingFetch();
    const client = new ShopifyClient({ origin: url, apiVersion: API_VERSION, accessToken: SHOPIFY_TOKEN, fetch: trace.fetch });
    await boundedSync(
      (progress) => syncPlatform({ shop, client, resources: [resource], full: true, checkpoint: null, progress, mode: "paged" }),
      PAGED_SECONDS,
    );
    const events = trace.events;
    const pages = events.filter((e) => e.items > 0);
    const start = events[0]!.t0;
    const end = pages.at(-1)!.t1;
    const items = pages.reduce((n, p) => n + p.items, 0);
    const cost = pages.reduce((n, p) => n + (p.cost?.actualQueryCost ?? 0), 0);
    const costPerItem = cost / items;
    const windowSeconds = (end - start) / 1000;
    const { maximumAvailable, restoreRate } = throttleStatus;
    // Steady state: the pages after the first one that left the bucket too low for another page.
    const pageCost = Math.max(...pages.map((p) => p.cost?.requestedQueryCost ?? 0));
    const k = pages.findIndex((p) => (p.cost?.throttleStatus?.currentlyAvailable ?? Infinity) < pageCost);
    // The page after it waited only for the rest of the burst; from its answer on, each page waits for a full refill.
    const steady = k >= 0 ? pages.slice(k + 2) : [];
    const steadySeconds = steady.length ? (steady.at(-1)!.t1 - pages[k + 1]!.t1) / 1000 : NaN;
    const steadyItems = steady.reduce((n, p) => n + p.items, 0);
    results.push({
      resource,
      items,
      windowSeconds,
      itemsPerSecond: items / windowSeconds,
      costPerItem,
      ceilingWindowItems: (maximumAvailable + restoreRate * windowSeconds) / costPerItem,
      steadyItemsPerSecond: steadyItems / steadySeconds,
      steadyCeiling: restoreRate / costPerItem,
      steadyPages: steady.length,
      firstPageItems: pages[0]!.items,
      requests: events.length,
    });
    console.error(`  shopify paged ${resource}: ${items} items in ${windowSeconds.toFixed(1)} s`);
  }
  await prisma.$disconnect();
  console.log(JSON.stringify({ results, maxRssMb: rssMb() }));
}

async function phasePagedNuvemshop(dir: string, url: string) {
  await freshDatabase(path.join(dir, "nuvemshop.db"));
  const prisma = (await import("../app/db.server")).default;
  const { syncPlatform } = await import("../app/services/sync/sync.server");
  const { NuvemshopClient } = await import("../app/platforms/nuvemshop/nuvemshop-client.server");
  const { DEFAULT_ACCESS_TOKEN } = await import("../tests/emulators/nuvemshop/server");
  const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { store_id: number };
  const bucket = (await (await fetch(`${url}/_emulator/bucket`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ level: 0 }) })).json()) as Record<string, number>;
  const size = bucket.size ?? 40;
  const leak = bucket.leakPerSecond ?? 2;
  const shop = await prisma.shop.create({ data: { platform: "nuvemshop", domain: `${health.store_id}-bench`, country: "BR" } });
  const trace = tracingFetch();
  const client = new NuvemshopClient({ origin: url, storeId: String(health.store_id), accessToken: DEFAULT_ACCESS_TOKEN, userAgent: "Carryover bench (bench@carryover.test)", fetch: trace.fetch });
  await boundedSync((progress) => syncPlatform({ shop, client, resources: ["customers"], full: true, checkpoint: null, progress, mode: "paged" }), NUVEMSHOP_SECONDS);
  const events = trace.events;
  const pages = events.filter((e) => e.items > 0);
  const items = pages.reduce((n, p) => n + p.items, 0);
  const start = events[0]!.t0;
  const end = pages.at(-1)!.t1;
  const windowSeconds = (end - start) / 1000;
  const perPage = Math.max(...pages.map((p) => p.items));
  // Steady state: after the first answer that left the bucket at the client's reserve (it waits from then on).
  const k = events.findIndex((e) => (e.remaining ?? Infinity) < 5); // the client keeps 4 requests in reserve
  const steady = k >= 0 ? events.slice(k + 1).filter((e) => e.items > 0) : [];
  const steadySeconds = steady.length ? (steady.at(-1)!.t1 - events[k]!.t1) / 1000 : NaN;
  const status429 = (await (await fetch(`${url}/_emulator/requests`)).json()) as { byStatus?: Record<string, number> };
  const result = {
    resource: "customers",
    items,
    windowSeconds,
    itemsPerSecond: items / windowSeconds,
    costPerItem: 1 / perPage,
    ceilingWindowItems: (size + leak * windowSeconds) * perPage,
    steadyItemsPerSecond: steady.reduce((n, p) => n + p.items, 0) / steadySeconds,
    steadyCeiling: leak * perPage,
    steadyPages: steady.length,
    firstPageItems: pages[0]!.items,
    requests: events.length,
  } satisfies ThrottleFigures;
  await prisma.$disconnect();
  console.log(JSON.stringify({ results: [result], size, leak, perPage, byStatus: status429.byStatus ?? {}, maxRssMb: rssMb() }));
}

// ------------------------------------------------------------------------------------------------
// 3. reconcile

interface StageSummary {
  records: number;
  points: number;
  kinds: Record<string, number>;
  seconds: number;
  migrationId: string;
  shopId: string;
}

async function phaseStage(dir: string) {
  Object.assign(process.env, { DATABASE_URL: `file:${path.join(dir, "sync.db")}`, UPLOAD_DIR: path.join(dir, "uploads"), NODE_ENV: "production" });
  const prisma = (await import("../app/db.server")).default;
  const { openRecordWriter } = await import("../app/services/import/record-writer.server");
  const { normalizeEmail } = await import("../domain/identity");
  const { toE164 } = await import("../domain/import/identity-fields");
  const { seedStore } = await import("../tests/emulators/shopify/store");
  const store = seedStore({ customers: CUSTOMERS, orders: ORDERS, seed: SEED });
  const shop = await prisma.shop.findFirstOrThrow({ where: { domain: "bench.myshopify.com" } });
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "bench",
      state: "validated",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      // September's orders earn points retroactively (1 point per R$ 1), as in the demo migration.
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  const file = await prisma.importFile.create({
    data: { shopId: shop.id, migrationId: migration.id, kind: "balances", fileName: "balances.csv", sha256: `bench-${Date.now()}`, sizeBytes: 0, storagePath: "-", status: "staging", provider: "smile" },
  });
  const rand = mulberry32(20261124);
  const kinds: Record<string, number> = { email: 0, phone: 0, variant: 0, "same customer": 0, pending: 0 };
  const writer = openRecordWriter();
  const started = performance.now();
  let points = 0;
  try {
    for (let j = 0; j < RECORDS; j++) {
      const c = j % CUSTOMERS;
      const email = normalizeEmail(store.email(c));
      const rawPhone = store.phone(c);
      const phone = rawPhone ? toE164(rawPhone, "BR") : null;
      const r = rand();
      let kind: string;
      let emailNormalized: string | null = null;
      let phoneE164: string | null = null;
      if (r < 0.85 && email) {
        kind = "email"; // ~85 %: the customer's own e-mail, as the old program had it
        emailNormalized = email;
      } else if (r < 0.9 && phone) {
        kind = "phone"; // the old program knew only the phone
        phoneE164 = phone;
      } else if (r < 0.93 && email) {
        kind = "variant"; // a Gmail-style +tag of the customer's e-mail: a suggestion for review
        emailNormalized = email.replace("@", "+loja@");
      } else if (r < 0.95 && j > 0) {
        kind = "same customer"; // two records of one customer
        emailNormalized = normalizeEmail(store.email((j - 1) % CUSTOMERS)) ?? `novo${j}@exemplo.com`;
      } else {
        kind = "pending"; // no account on the new store yet
        emailNormalized = `novo${j}@exemplo.com`;
        phoneE164 = rand() < 0.5 ? `+55219${String(j).padStart(8, "0")}` : null;
      }
      kinds[kind]!++;
      const p = Math.floor(rand() * rand() * 25_000);
      points += p;
      const rowNumber = j + 2;
      writer.add({
        shopId: shop.id,
        migrationId: migration.id,
        importFileId: file.id,
        rowNumber,
        status: "valid",
        identityKey: emailNormalized ? `email:${emailNormalized}` : `phone:${phoneE164}`,
        email: emailNormalized,
        emailNormalized,
        phone: phoneE164,
        phoneE164,
        points: p,
        rawJson: JSON.stringify({ email: emailNormalized ?? "", phone: phoneE164 ?? "", points: String(p) }),
      });
      if ((j + 1) % 10_000 === 0) await writer.flush();
    }
    await writer.flush();
  } finally {
    await writer.close();
  }
  await prisma.importFile.update({
    where: { id: file.id },
    data: { status: "staged", rowsTotal: RECORDS, rowsValid: RECORDS, pointsInFile: BigInt(points), pointsValid: BigInt(points) },
  });
  await prisma.$disconnect();
  const summary: StageSummary = { records: RECORDS, points, kinds, seconds: (performance.now() - started) / 1000, migrationId: migration.id, shopId: shop.id };
  console.log(JSON.stringify({ ...summary, maxRssMb: rssMb() }));
}

/** Inclusive CPU-profile time (ms) of the functions named, from the V8 sampling profiler. */
function profileTimes(profile: { nodes: Array<{ id: number; callFrame: { functionName: string }; children?: number[] }>; samples: number[]; timeDeltas: number[] }, names: string[]) {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const n of profile.nodes) {
    name.set(n.id, n.callFrame.functionName);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const wanted = new Set(names);
  const totals = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const fn = name.get(id)!;
      if (wanted.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        totals[fn]! += delta;
      }
    }
  }
  return totals;
}

async function phaseReconcile(dir: string, migrationId: string, shopId: string) {
  Object.assign(process.env, { DATABASE_URL: `file:${path.join(dir, "sync.db")}`, UPLOAD_DIR: path.join(dir, "uploads"), NODE_ENV: "production" });
  // Where each phase starts: the first statement prepared on each table (Prisma's SQLite adapter and
  // the driver-level readers and writers all prepare through better-sqlite3).
  const require = createRequire(import.meta.url);
  const Database = require("better-sqlite3") as { prototype: { prepare(sql: string): unknown } };
  const marks: Array<{ t: number; what: string }> = [];
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: unknown, sql: string) {
    const m = /^\s*(SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT)\b[\s\S]*?(?:FROM|INTO|UPDATE)\s+(?:[`"]main[`"]\.)?[`"](\w+)[`"]/i.exec(sql);
    const what = m ? `${m[1]!.toUpperCase()} ${m[2]}` : sql.trim().split(/\s/)[0]!.toUpperCase();
    if (marks.at(-1)?.what !== what) marks.push({ t: performance.now(), what });
    return prepare.call(this, sql);
  };
  const prisma = (await import("../app/db.server")).default;
  const { reconcileMigration } = await import("../app/services/reconcile/reconcile.server");
  const { checkPreview } = await import("../domain/reconcile/report");
  const inspector = await import("node:inspector");
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 2000 });
  await post("Profiler.start");
  // Time in the garbage collector, by kind (minor: scavenges of the young generation; major: mark-compact).
  const { PerformanceObserver, constants } = await import("node:perf_hooks");
  const gc = { minor: 0, major: 0, incremental: 0, weakcb: 0 };
  const kinds: Record<number, keyof typeof gc> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
    [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
  };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc[kinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? "weakcb"] += e.duration / 1000;
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await reconcileMigration({ shopId, migrationId, progress: async () => {} });
  const ended = performance.now();
  const cpuUsed = process.cpuUsage(cpuStarted);
  await new Promise((resolve) => setTimeout(resolve, 100)); // gc entries are delivered asynchronously
  gcObserver.disconnect();
  const { profile } = await post<{ profile: Parameters<typeof profileTimes>[0] }>("Profiler.stop");
  session.disconnect();
  // The whole profile, for a look with any .cpuprofile viewer.
  if (process.env.RECONCILE_CPUPROFILE) fs.writeFileSync(process.env.RECONCILE_CPUPROFILE, JSON.stringify(profile));
  if (result.outcome !== "reconciled") throw new Error(`reconcile: ${JSON.stringify(result)}`);
  const broken = checkPreview(result.report);
  const recordMatches = await prisma.recordMatch.count({ where: { reconciliationId: result.reconciliationId } });
  await prisma.$disconnect();
  // What the run produced, as two digests, so that two versions of the code can be compared: the preview
  // (its JSON) and every RecordMatch row but its id, in record order.
  const { createHash } = await import("node:crypto");
  const { default: Sqlite } = await import("better-sqlite3");
  const check = new Sqlite(path.join(dir, "sync.db"), { readonly: true });
  const rows = createHash("sha256");
  for (const r of check
    .prepare(`SELECT "recordId", "class", "platformCustomerId", "matchedBy", "reason", "candidatesJson", "points" FROM "RecordMatch" WHERE "reconciliationId" = ? ORDER BY "recordId"`)
    .raw()
    .iterate(result.reconciliationId) as IterableIterator<unknown[]>) {
    rows.update(`${JSON.stringify(r)}\n`);
  }
  check.close();
  const digests = { preview: createHash("sha256").update(JSON.stringify(result.report)).digest("hex"), recordMatches: rows.digest("hex") };
  const first = (what: string, after = 0) => marks.find((m) => m.what === what && m.t >= after)?.t ?? NaN;
  const tRecords = first("SELECT LoyaltyRecord", started);
  const tCustomers = first("SELECT PlatformCustomer", tRecords);
  const tDecisions = first("SELECT ReviewDecision", tCustomers);
  const tOrders = first("SELECT PlatformOrder", tDecisions);
  const tLast = first("SELECT Reconciliation", tOrders);
  const tCreate = first("INSERT Reconciliation", tLast);
  const tWrite = first("INSERT RecordMatch", tCreate);
  const cpu = profileTimes(profile, ["matchRecords", "classifyOrders", "classifyPrepared", "buildPreview", "checkPreview"]);
  console.log(
    JSON.stringify({
      seconds: (ended - started) / 1000,
      cpuSeconds: (cpuUsed.user + cpuUsed.system) / 1e6,
      gc,
      phases: {
        loadRecords: (tCustomers - started) / 1000,
        loadCustomers: (tDecisions - tCustomers) / 1000,
        loadDecisions: (tOrders - tDecisions) / 1000,
        loadOrders: (tLast - tOrders) / 1000,
        compute: (tCreate - tLast) / 1000,
        write: (ended - tWrite) / 1000,
      },
      cpu: { match: cpu.matchRecords! / 1000, classify: (cpu.classifyOrders! || cpu.classifyPrepared!) / 1000, preview: (cpu.buildPreview! + cpu.checkPreview!) / 1000 },
      report: result.report,
      digests,
      broken,
      recordMatches,
      maxRssMb: rssMb(),
    }),
  );
}

async function phaseMatching() {
  const { benchMatching } = await import("./reconcile-matching");
  const result = benchMatching(RECORDS);
  console.log(JSON.stringify({ ...result, maxRssMb: rssMb() }));
}

// ------------------------------------------------------------------------------------------------
// orchestration

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON printed by this benchmark's own phases
function runPhase<T = any>(phase: string, dir: string, extra: string[] = []): T {
  const args = ["--phase", phase, "--dir", dir, "--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--records", String(RECORDS)];
  args.push("--paged-seconds", String(PAGED_SECONDS), "--nuvemshop-seconds", String(NUVEMSHOP_SECONDS), ...extra);
  return runPhaseProcess<T>(TSX_CLI, "bench/reconcile.bench.ts", args);
}

const startEmulator = startEmulatorProcess;

const r0 = (n: number) => Math.round(n);
const r2 = (n: number) => Math.round(n * 100) / 100;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-reconcile-bench-"));
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    const emulatorStarted = performance.now();
    const shopify = await startEmulator("tests/emulators/shopify/cli.ts", ["--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--seed", String(SEED)]);
    console.log(`Shopify emulator: ${CUSTOMERS.toLocaleString("en")} customers, ${ORDERS.toLocaleString("en")} orders, up in ${((performance.now() - emulatorStarted) / 1000).toFixed(1)} s`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON printed by this benchmark's own phases
    let synced: any;
    try {
      console.log("1. sync, bulk…");
      synced = runPhase("sync-bulk", dir, ["--url", shopify.url]);
      const items = synced.customers + synced.orders;
      if (synced.customers !== CUSTOMERS || synced.orders !== ORDERS) throw new Error(`the snapshot holds ${synced.customers} customers and ${synced.orders} orders`);
      console.log("   limit (a): download + parse…");
      const parsed = runPhase("limit-parse", dir, ["--urls", synced.urls.join(",")]);
      console.log("   limit (b): download + parse + raw upsert…");
      const upserted = runPhase("limit-upsert", dir, ["--urls", synced.urls.join(",")]);
      if (parsed.items !== items || upserted.items !== items) throw new Error(`limits read ${parsed.items} / ${upserted.items} items, the sync ${items}`);
      const readSeconds = synced.seconds - synced.exportSeconds;
      const syncRate = items / readSeconds;
      figures.push(
        { label: "sync bulk: items (customers + orders)", value: items, unit: "" },
        { label: "sync bulk: wall time, syncPlatform end to end", value: r2(synced.seconds), unit: "s" },
        { label: "sync bulk: of which waiting for the emulator's exports (bulkOperationRunQuery → download)", value: r2(synced.exportSeconds), unit: "s" },
        { label: "sync bulk: items/s end to end", value: r0(items / synced.seconds), unit: "items/s" },
        { label: "sync bulk: items/s reading + writing (download, parse, map, upsert)", value: r0(syncRate), unit: "items/s", limit: r0(upserted.items / upserted.seconds), limitLabel: "limit (b)" },
        { label: "sync bulk: peak RSS", value: synced.maxRssMb, unit: "MB" },
        { label: "limit (a): raw JSONL download + line split + JSON.parse", value: r0(parsed.items / parsed.seconds), unit: "items/s" },
        { label: "limit (b): (a) + raw better-sqlite3 upsert into PlatformCustomer/PlatformOrder, 1 transaction per 10k", value: r0(upserted.items / upserted.seconds), unit: "items/s" },
        { label: "ratio sync (reading + writing) / limit (b)", value: r2((100 * syncRate) / (upserted.items / upserted.seconds)), unit: "%" },
        { label: "JSONL size", value: r0(parsed.bytes / 2 ** 20), unit: "MB" },
      );

      console.log(`2. sync, paged, ${PAGED_SECONDS} s per resource against the standard throttle…`);
      const paged = runPhase<{ results: ThrottleFigures[] }>("paged-shopify", dir, ["--url", shopify.url]);
      for (const t of paged.results) pushThrottle(figures, `Shopify paged ${t.resource}`, t, "points");
    } finally {
      await shopify.stop();
    }

    console.log(`   Nuvemshop, ${NUVEMSHOP_SECONDS} s…`);
    const nuvem = await startEmulator("tests/emulators/nuvemshop/cli.ts", ["--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--seed", String(SEED)]);
    try {
      const paged = runPhase<{ results: ThrottleFigures[]; size: number; leak: number; perPage: number; byStatus: Record<string, number> }>("paged-nuvemshop", dir, ["--url", nuvem.url]);
      for (const t of paged.results) pushThrottle(figures, `Nuvemshop paged ${t.resource}`, t, "requests");
      notes.push(
        `Nuvemshop bucket ${paged.size} requests draining ${paged.leak}/s, ${paged.perPage} per page: steady ceiling ${paged.leak * paged.perPage} items/s; answers by status ${JSON.stringify(paged.byStatus)}.`,
      );
    } finally {
      await nuvem.stop();
    }

    console.log(`3. reconcile: staging ${RECORDS.toLocaleString("en")} records…`);
    const staged = runPhase<StageSummary & { maxRssMb: number }>("stage", dir);
    console.log("   reconcileMigration…");
    const rec = runPhase("reconcile", dir, ["--url", `${staged.migrationId},${staged.shopId}`]);
    console.log("   matching-only micro-benchmark…");
    const matching = runPhase("matching", dir);
    const m = rec.report.members;
    const p = rec.report.points;
    if (rec.broken) throw new Error(`THE PREVIEW DOES NOT ADD UP: ${rec.broken}`);
    if (rec.recordMatches !== RECORDS || m.records !== RECORDS) throw new Error(`${rec.recordMatches} RecordMatch rows / ${m.records} records for ${RECORDS} staged`);
    if (p.inFile !== staged.points) throw new Error(`points in file ${p.inFile} ≠ staged ${staged.points}`);
    figures.push(
      { label: "stage: records through openRecordWriter", value: r0(RECORDS / staged.seconds), unit: "rows/s" },
      { label: "reconcile: total (reconcileMigration end to end)", value: r2(rec.seconds), unit: "s" },
      { label: "reconcile: load records", value: r2(rec.phases.loadRecords), unit: "s" },
      { label: "reconcile: load customers", value: r2(rec.phases.loadCustomers), unit: "s" },
      { label: "reconcile: load review decisions", value: r2(rec.phases.loadDecisions), unit: "s" },
      { label: "reconcile: load orders", value: r2(rec.phases.loadOrders), unit: "s" },
      { label: "reconcile: match + classify + preview (wall)", value: r2(rec.phases.compute), unit: "s" },
      { label: "reconcile: of which match (matchRecords, CPU profile)", value: r2(rec.cpu.match), unit: "s" },
      { label: "reconcile: of which classify orders (classifyOrders, CPU profile)", value: r2(rec.cpu.classify), unit: "s" },
      { label: "reconcile: of which preview (buildPreview + checkPreview, CPU profile)", value: r2(rec.cpu.preview), unit: "s" },
      { label: "reconcile: write RecordMatch", value: r2(rec.phases.write), unit: "s" },
      { label: "reconcile: matching records/s", value: r0(RECORDS / rec.cpu.match), unit: "records/s" },
      { label: "reconcile: peak RSS", value: rec.maxRssMb, unit: "MB" },
      { label: "matching-only micro-benchmark (bench/reconcile-matching.ts, same N, synthetic)", value: r2(matching.ms / 1000), unit: "s" },
      { label: "matching-only: records/s", value: matching.recordsPerSecond, unit: "records/s" },
    );
    notes.push(
      `Records staged: ${Object.entries(staged.kinds).map(([k, v]) => `${k} ${v}`).join(", ")} (identities from the emulator's seeded customers, normalizeEmail / toE164 "BR").`,
      `Classes: matched ${m.matched}, pending ${m.pending}, conflict ${m.conflict}, rejected in review ${m.rejectedInReview}; points ${p.inFile} in file = ${p.matched} matched + ${p.pending} pending + ${p.conflict} conflict + ${p.rejected.total} rejected — checkPreview: holds.`,
      `Orders: ${rec.report.orders.total} = ${Object.entries(rec.report.orders.byOutcome).map(([k, v]) => `${k} ${v}`).join(", ")}; retroactive ${rec.report.retroactive.points} points to ${rec.report.retroactive.customers} customers.`,
      "Targets: sync paged ≥ 90 % of the throttle ceiling (steady state); matching 1M × 1M under 15 s.",
      "Sync bulk 'reading + writing' leaves out the time the emulator takes to write its JSONL (Shopify's side); limit (b) maps values minimally (e-mail lower-cased, phone kept as given, no libphonenumber).",
      `Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min) on ${os.cpus().length} cores; other work on the machine shares them.`,
      "Reconcile phases: wall-clock boundaries at the first statement each phase prepares (better-sqlite3 prepare hook); match/classify/preview split by the V8 sampling profiler (2 ms), which was on during the whole reconcile run.",
    );
    // Two results for bench/run.mjs: the sync (bulk beside its raw limit, paged beside the throttles) and the reconcile.
    const command = `npm run bench -- reconcile --customers ${CUSTOMERS} --orders ${ORDERS} --records ${RECORDS} --paged-seconds ${PAGED_SECONDS} --nuvemshop-seconds ${NUVEMSHOP_SECONDS}`;
    const ofReconcile = (label: string) => /^(stage|reconcile|matching-only)/.test(label);
    const ofSync = (note: string) => /^(Nuvemshop bucket|Sync bulk|Load average)/.test(note);
    const syncFigures = figures.filter((f) => !ofReconcile(f.label));
    const matchingRate = RECORDS / rec.cpu.match;
    emit({
      name: "sync",
      title: `Sync: ${CUSTOMERS.toLocaleString("en")} customers + ${ORDERS.toLocaleString("en")} orders in bulk from the Shopify emulator, paged against the Shopify and Nuvemshop throttles, SQLite`,
      command,
      size: RECORDS,
      figures: syncFigures,
      targets: syncFigures
        .filter((f) => f.label.includes("steady state") && f.limit)
        .map((f) => ({ label: `${f.label.split(":")[0]} ≥ 90 % of the throttle ceiling (steady state)`, met: f.value >= 0.9 * f.limit!, actual: `${r2((100 * f.value) / f.limit!)} %` })),
      notes: notes.filter(ofSync),
      points: [{ series: "sync bulk (read + write)", items: synced.customers + synced.orders, seconds: synced.seconds - synced.exportSeconds, unit: "items" }],
    });
    emit({
      name: "reconcile",
      title: `Reconcile: ${RECORDS.toLocaleString("en")} records × ${CUSTOMERS.toLocaleString("en")} customers, ${ORDERS.toLocaleString("en")} orders, SQLite`,
      command,
      size: RECORDS,
      figures: figures.filter((f) => ofReconcile(f.label)),
      targets: [{ label: "matching ≥ 66,667 records/s (1M × 1M in under 15 s)", met: matchingRate >= 1_000_000 / 15, actual: `${r0(matchingRate).toLocaleString("en")} records/s` }],
      notes: notes.filter((n) => !ofSync(n) || n.startsWith("Load average")),
      points: [{ series: "reconcile", items: RECORDS, seconds: rec.seconds, unit: "records" }],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `--generate <file>`: the bulk sync and the staged records only, the database kept at <file> for `--db`. */
async function generateOnly(target: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-reconcile-bench-"));
  try {
    const shopify = await startEmulator("tests/emulators/shopify/cli.ts", ["--customers", String(CUSTOMERS), "--orders", String(ORDERS), "--seed", String(SEED)]);
    try {
      console.log("sync, bulk…");
      const synced = runPhase("sync-bulk", dir, ["--url", shopify.url]);
      if (synced.customers !== CUSTOMERS || synced.orders !== ORDERS) throw new Error(`the snapshot holds ${synced.customers} customers and ${synced.orders} orders`);
      console.log(`  ${synced.seconds.toFixed(1)} s`);
    } finally {
      await shopify.stop();
    }
    console.log(`staging ${RECORDS.toLocaleString("en")} records…`);
    const staged = runPhase<StageSummary>("stage", dir);
    console.log(`  ${staged.seconds.toFixed(1)} s`);
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(path.join(dir, "sync.db"));
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    fs.copyFileSync(path.join(dir, "sync.db"), target);
    console.log(`kept at ${target}; reconcile it with: npx tsx bench/reconcile.bench.ts --db ${target}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `--db`: only the reconcile phase, on a copy of a database holding a snapshot and a staged, never reconciled migration. */
async function reconcileOnly(source: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-reconcile-bench-"));
  try {
    fs.copyFileSync(source, path.join(dir, "sync.db"));
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(path.join(dir, "sync.db"), { readonly: true });
    const row = db.prepare(`SELECT m."id" AS migrationId, m."shopId" AS shopId, f."pointsInFile" AS points FROM "Migration" m JOIN "ImportFile" f ON f."migrationId" = m."id" WHERE NOT EXISTS (SELECT 1 FROM "Reconciliation" r WHERE r."migrationId" = m."id")`).get() as { migrationId: string; shopId: string; points: number };
    const counts = db.prepare(`SELECT (SELECT count(*) FROM "LoyaltyRecord") AS records, (SELECT count(*) FROM "PlatformCustomer") AS customers, (SELECT count(*) FROM "PlatformOrder") AS orders`).get() as Record<string, number>;
    db.close();
    console.log(`reconcileMigration on a copy of ${source}: ${counts.records} records, ${counts.customers} customers, ${counts.orders} orders…`);
    const rec = runPhase("reconcile", dir, ["--url", `${row.migrationId},${row.shopId}`]);
    if (rec.broken) throw new Error(`THE PREVIEW DOES NOT ADD UP: ${rec.broken}`);
    if (rec.recordMatches !== counts.records || rec.report.points.inFile !== Number(row.points)) throw new Error("records or points do not add up");
    const figures: Figure[] = [];
    const notes: string[] = [];
    pushReconcile(figures, notes, rec, counts.records!);
    // Printed only: bench/RESULTS.md keeps the full runs (npm run bench -- reconcile).
    printFigures(`Reconcile only: ${counts.records!.toLocaleString("en")} records × ${counts.customers!.toLocaleString("en")} customers, ${counts.orders!.toLocaleString("en")} orders, SQLite`, `npx tsx bench/reconcile.bench.ts --db ${source}`, figures, notes);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printFigures(title: string, command: string, figures: Figure[], notes: string[]) {
  const value = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en") : v.toLocaleString("en", { maximumFractionDigits: 2 }));
  console.log(`\n## ${title}\n\nCommand: \`${command}\`\n\n| figure | value |\n|---|---|`);
  for (const f of figures) console.log(`| ${f.label} | ${value(f.value)} ${f.unit} |`);
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join("\n")}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON printed by this benchmark's own phases
function pushReconcile(figures: Figure[], notes: string[], rec: any, records: number) {
  const m = rec.report.members;
  const p = rec.report.points;
  figures.push(
    { label: "reconcile: total (reconcileMigration end to end)", value: r2(rec.seconds), unit: "s" },
    { label: "reconcile: CPU time (user + system) of the process during it", value: r2(rec.cpuSeconds), unit: "s" },
    { label: "reconcile: garbage collector (pauses: minor / major + incremental)", value: r2(rec.gc.minor + rec.gc.major + rec.gc.incremental), unit: `s (${r2(rec.gc.minor)} / ${r2(rec.gc.major + rec.gc.incremental)})` },
    { label: "reconcile: load records", value: r2(rec.phases.loadRecords), unit: "s" },
    { label: "reconcile: load customers", value: r2(rec.phases.loadCustomers), unit: "s" },
    { label: "reconcile: load review decisions and earned orders", value: r2(rec.phases.loadDecisions), unit: "s" },
    { label: "reconcile: stream orders (read, hash, classify, count) and prior imports", value: r2(rec.phases.loadOrders), unit: "s" },
    { label: "reconcile: match + preview (wall)", value: r2(rec.phases.compute), unit: "s" },
    { label: "reconcile: of which match (matchRecords, CPU profile)", value: r2(rec.cpu.match), unit: "s" },
    { label: "reconcile: classify orders (classifyOrders / orderClassifier, CPU profile)", value: r2(rec.cpu.classify), unit: "s" },
    { label: "reconcile: of which preview (buildPreview + checkPreview, CPU profile)", value: r2(rec.cpu.preview), unit: "s" },
    { label: "reconcile: write RecordMatch", value: r2(rec.phases.write), unit: "s" },
    { label: "reconcile: matching records/s", value: r0(records / rec.cpu.match), unit: "records/s" },
    { label: "reconcile: peak RSS", value: rec.maxRssMb, unit: "MB" },
  );
  notes.push(
    `Classes: matched ${m.matched}, pending ${m.pending}, conflict ${m.conflict}, rejected in review ${m.rejectedInReview}; points ${p.inFile} in file = ${p.matched} matched + ${p.pending} pending + ${p.conflict} conflict + ${p.rejected.total} rejected — checkPreview: holds.`,
    `Orders: ${rec.report.orders.total} = ${Object.entries(rec.report.orders.byOutcome).map(([k, v]) => `${k} ${v}`).join(", ")}; retroactive ${rec.report.retroactive.points} points to ${rec.report.retroactive.customers} customers.`,
    `Digests (sha256): preview JSON ${rec.digests?.preview}, RecordMatch rows in record order (id left out) ${rec.digests?.recordMatches}.`,
    `Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min) on ${os.cpus().length} cores; other work on the machine shares them.`,
    "Reconcile phases: wall-clock boundaries at the first statement each phase prepares (better-sqlite3 prepare hook); match/classify/preview split by the V8 sampling profiler (2 ms), which was on during the whole reconcile run.",
  );
}

function pushThrottle(figures: Figure[], what: string, t: ThrottleFigures, unit: string) {
  figures.push(
    { label: `${what}: items in ${r2(t.windowSeconds)} s (${t.requests} requests)`, value: t.items, unit: "" },
    { label: `${what}: cost per item (measured)`, value: r2(1000 * t.costPerItem) / 1000, unit: `${unit}/item` },
    { label: `${what}: items/s over the window, burst included`, value: r2(t.itemsPerSecond), unit: "items/s", limit: r2(t.ceilingWindowItems / t.windowSeconds), limitLabel: "bucket ceiling over the window" },
    { label: `${what}: ceiling over the same window, burst included`, value: r2(t.ceilingWindowItems / t.windowSeconds), unit: "items/s" },
    { label: `${what}: ratio over the window`, value: r2((100 * t.items) / t.ceilingWindowItems), unit: "%" },
    { label: `${what}: steady state (${t.steadyPages} pages after the burst)`, value: r2(t.steadyItemsPerSecond), unit: "items/s", limit: r2(t.steadyCeiling), limitLabel: "restore rate / cost per item" },
    { label: `${what}: steady ceiling (restore rate / cost per item)`, value: r2(t.steadyCeiling), unit: "items/s" },
    { label: `${what}: ratio steady / ceiling`, value: r2((100 * t.steadyItemsPerSecond) / t.steadyCeiling), unit: "%" },
  );
}

const urls = () => (values.urls ?? "").split(",").filter(Boolean);
if (values.phase === "sync-bulk") await phaseSyncBulk(values.dir!, values.url!);
else if (values.phase === "limit-parse") await phaseLimitParse(urls());
else if (values.phase === "limit-upsert") await phaseLimitUpsert(values.dir!, urls());
else if (values.phase === "paged-shopify") await phasePagedShopify(values.dir!, values.url!);
else if (values.phase === "paged-nuvemshop") await phasePagedNuvemshop(values.dir!, values.url!);
else if (values.phase === "stage") await phaseStage(values.dir!);
else if (values.phase === "reconcile") {
  const [migrationId, shopId] = values.url!.split(",");
  await phaseReconcile(values.dir!, migrationId!, shopId!);
} else if (values.phase === "matching") await phaseMatching();
else if (values.db) await reconcileOnly(values.db);
else if (values.generate) await generateOnly(values.generate);
else await main();
