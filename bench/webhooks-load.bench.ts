// Webhook restore under load (issue 8): the real app server (the production build, `node server.mjs`,
// on loopback) takes signed customers/create deliveries at a fixed rate from loadtest — customers
// who just registered and hold pending points from a migration, and replays of deliveries already
// sent (the same webhook id, as Shopify's retries) — while the workers restore them; then it checks
// that nothing was lost or doubled. Beside it, in the same run, the limit: a bare node:http server
// on the same port doing the same HMAC check and the same three inserts (bench/webhooks-load-limit.mjs).
//
//   npm run bench -- webhooks-load [--engine sqlite|pg] [--rate 200] [--seconds 60] [--connections 32]
//                                  [--replays 0.25] [--workers N] [--limit-seconds 15] [--drain-timeout 900]
//                                  [--seed 1] [--keep] [--profile]
//
//   --engine sqlite   SQLite file; the web process runs the in-process job runner (the embedded default),
//                     or with --workers N, N processes of `node scripts/worker.mjs` (in-process engine,
//                     polling the Job table) run the jobs and the web process none.
//   --engine pg       a throwaway PostgreSQL database (TEST_DATABASE_URL's server, like scripts/with-postgres.mjs);
//                     the web process runs no worker (CARRYOVER_WORKER=off) and `--workers` (default 2)
//                     processes of `node scripts/worker.mjs` run the jobs on pg-boss.
//   --rate, --seconds the fixed rate (requests/s, open loop) and how long; --connections the clients of the
//                     unbounded limit run.
//   --replays         the share of deliveries that repeat an earlier one (same webhook id, body, signature).
//   --limit-seconds   how long each limit run lasts (one at --rate, one unbounded).
//   --drain-timeout   seconds to wait, after the load, for the queue to drain.
//   --keep            keep the database (and print where it is).
//   --profile         V8 CPU profiles of the app's processes (node --cpu-prof), kept with the logs.
//
// What is measured: the latency of each request (sent on schedule, open loop, so a stalled server
// cannot hold back the requests behind a slow one), the achieved rate,
// non-2xx answers and socket errors; the web process's CPU per delivery (from /proc, so other load
// on the machine does not inflate it); the time from the end of the load until no webhook job is
// queued or running; restores per second. Checked: every 2xx-answered new customer's pending member
// restored exactly once (one `restore` memo, state visible, linked to that customer), the members
// never delivered still pending, one delivery record and one job per webhook id, no job failed,
// restored balances = the points seeded, every balance = the sum of its ledger entries, and the
// balance on the store (the emulator's metafields) for a sample. The bench exits 1 when a check fails.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type http from "node:http";
import { loadTest, type LoadTestOptions } from "loadtest";
import pg from "pg";
import { deploy } from "../scripts/db-deploy.mjs";
import { ensureBuilt, root } from "../scripts/lib/prepare.mjs";
import { mulberry32 } from "../tests/emulators/seeded-random";
import { seedStore } from "../tests/emulators/shopify/store";
import { buildPayload, signBody, stringifyPayload } from "../tests/emulators/shopify/webhooks";
import { TEST_API_SECRET, testEnv } from "../tests/support/test-env";
import { emit, machine, type Figure, type Target } from "./lib";
import { freePort } from "../tests/support/ports";

const { values: args } = parseArgs({
  options: {
    engine: { type: "string", default: "sqlite" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "32" },
    replays: { type: "string", default: "0.25" },
    workers: { type: "string" },
    "limit-seconds": { type: "string", default: "15" },
    "drain-timeout": { type: "string", default: "900" },
    seed: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
});
const engine = args.engine === "pg" ? "pg" : "sqlite";
if (args.engine !== engine) throw new Error(`--engine must be sqlite or pg, not ${args.engine}`);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const REPLAYS = Number(args.replays);
const WORKERS = Number(args.workers ?? (engine === "pg" ? 2 : 0));
if (engine === "pg" && WORKERS < 1) throw new Error("--engine pg needs --workers 1 or more (the web process runs no jobs)");
const LIMIT_SECONDS = Number(args["limit-seconds"]);
const DRAIN_TIMEOUT_S = Number(args["drain-timeout"]);
const SEED = Number(args.seed);
const command = `npm run bench -- webhooks-load --engine ${engine} --rate ${RATE} --seconds ${SECONDS} --connections ${CONNECTIONS} --replays ${REPLAYS}${WORKERS > 0 ? ` --workers ${WORKERS}` : ""}`;

const SHOP = "load-store.myshopify.com";
const WARMUP_SHOP = "load-warmup.myshopify.com";
const TOKEN = "shpat_webhooks_load";
const API_VERSION = "2026-01";
const log = (message: string) => console.log(`\x1b[36m▸\x1b[0m ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// processes (only the ones started here are ever stopped, by their handle)

const children: ChildProcess[] = [];
function start(name: string, argv: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const out = fs.createWriteStream(path.join(workDir, `${name}.log`));
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  children.push(child);
  return child;
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
async function stopAll(): Promise<void> {
  await Promise.all(children.map(stop));
}
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
// If the bench dies (an exception, a check that throws), nothing it started outlives it.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (pendingDrop) execFileSync(process.execPath, ["-e", pendingDrop], { cwd: root, stdio: "inherit" });
});

async function waitForHttp(url: string, what: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}); see ${workDir}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000} s`);
}
async function waitForLine(child: ChildProcess, text: string, what: string, timeoutMs = 120_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not say "${text}" within ${timeoutMs / 1000} s; see ${workDir}`)), timeoutMs);
    const onData = (data: Buffer) => {
      if (!data.toString().includes(text)) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve();
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}); see ${workDir}`)));
  });
}
/** CPU time (user + system, ms) a process has used so far, from /proc. */
function cpuMs(pid: number): number {
  if (!fs.existsSync(`/proc/${pid}/stat`)) return Number.NaN; // it exited: reported by the checks
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

// ---------------------------------------------------------------------------------------------
// database

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-webhooks-load-"));
let databaseUrl: string;
let dropDatabase: (() => Promise<void>) | null = null;
/** A script that drops the throwaway database, run synchronously if the bench exits before it does. */
let pendingDrop: string | null = null;
if (engine === "sqlite") {
  databaseUrl = `file:${path.join(workDir, "carryover.db")}`;
} else {
  // A throwaway database on the server scripts/with-postgres.mjs uses, dropped at the end.
  const base = new URL(process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test");
  const name = `carryover_bench_${Date.now()}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  pendingDrop = `const pg = require("pg"); const c = new pg.Client(${JSON.stringify(base.toString())}); c.connect().then(() => c.query('DROP DATABASE IF EXISTS "${name}" WITH (FORCE)')).finally(() => c.end());`;
  dropDatabase = async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    pendingDrop = null;
  };
}

log(`Building the app if needed; database ${engine === "sqlite" ? databaseUrl : "(throwaway PostgreSQL)"}; logs in ${workDir}`);
ensureBuilt();
await deploy(databaseUrl);
const appEnv = testEnv(databaseUrl);
Object.assign(process.env, appEnv);

// App modules read DATABASE_URL when first imported.
const { default: prisma } = await import("../app/db.server");
const { storeOfflineInstall } = await import("../app/services/offline-install.server");
const { postEntries, withLedger, checkBalances } = await import("../app/services/ledger/ledger.server");
const { normalizeEmail } = await import("../domain/identity");
const { idempotencyKey } = await import("../domain/ledger");

// ---------------------------------------------------------------------------------------------
// the plan: who registers, in what order, and which deliveries repeat

const planned = Math.ceil(RATE * SECONDS * 1.1) + 100;
const random = mulberry32(SEED * 7919 + 8);
const newCount = Math.ceil(planned * (1 - REPLAYS)) + 50;
// The emulator's seeded store (same options, same data): ~86 % of its customers have an e-mail.
const storeSize = Math.ceil(newCount / 0.8) + 200;
const store = seedStore({ customers: storeSize, orders: 0, seed: SEED, shopDomain: SHOP });
const withEmail: number[] = [];
for (let i = 0; i < store.customerCount && withEmail.length < newCount + 100; i++) if (normalizeEmail(store.email(i))) withEmail.push(i);
if (withEmail.length < newCount + 100) throw new Error("the seeded store has too few customers with an e-mail");
// The first newCount register during the load; the last 100 hold pending points and never register.
const registering = withEmail.slice(0, newCount);
const neverRegistering = withEmail.slice(newCount, newCount + 100);

interface Delivery {
  webhookId: string;
  eventId: string;
  body: string;
  hmac: string;
  /** The store's customer index, or -1 for a replay. */
  customer: number;
  replayOf: number;
}
const deliveries: Delivery[] = [];
let nextCustomer = 0;
for (let i = 0; i < planned; i++) {
  if (i > 20 && random() < REPLAYS) {
    // A repeat of a recent delivery (Shopify retries within seconds to hours; here, the last ~2,000).
    const of = i - 1 - Math.floor(random() * Math.min(i - 1, 2000));
    const originalIndex = deliveries[of]!.replayOf >= 0 ? deliveries[of]!.replayOf : of;
    deliveries.push({ ...deliveries[originalIndex]!, customer: -1, replayOf: originalIndex });
    continue;
  }
  const customer = registering[nextCustomer++ % registering.length]!;
  const body = stringifyPayload(buildPayload({ store, apiVersion: API_VERSION }, "customers/create", { customer }));
  deliveries.push({ webhookId: crypto.randomUUID(), eventId: crypto.randomUUID(), body, hmac: signBody(body, TEST_API_SECRET), customer, replayOf: -1 });
}

// ---------------------------------------------------------------------------------------------
// the store: emulator process, shop installed, a migration applied with pending members

const emulatorPort = await freePort();
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
log(`Starting the Shopify emulator (${storeSize.toLocaleString("en")} customers) on ${emulatorUrl}…`);
const emulator = start(
  "emulator",
  [
    "--import", "tsx", "tests/emulators/shopify/cli.ts",
    "--port", String(emulatorPort), "--customers", String(storeSize), "--orders", "0", "--seed", String(SEED),
    "--shop", SHOP, "--access-token", TOKEN, "--api-secret", TEST_API_SECRET,
    // The platform's rate limit is not what this measures: a bucket that never empties.
    "--max-available", "10000000", "--restore-rate", "10000000",
  ],
  process.env,
);

interface Seeded {
  shopId: string;
  migrationId: string;
  /** customer index → pending member id and points */
  members: Map<number, { memberId: string; points: number }>;
}

async function seedPendingMembers(): Promise<Seeded> {
  const shop = await storeOfflineInstall({ domain: SHOP, accessToken: TOKEN, scope: "read_customers,write_customers,read_orders" });
  await prisma.shop.update({ where: { id: shop.id }, data: { country: "BR" } });
  const migration = await prisma.migration.create({
    data: { shopId: shop.id, name: "webhooks-load", oldProvider: "smile", state: "applied", cutoverAt: new Date("2026-10-01T00:00:00Z") },
  });
  const members = new Map<number, { memberId: string; points: number }>();
  const everyone = [...registering, ...neverRegistering];
  for (let at = 0; at < everyone.length; at += 500) {
    const batch = everyone.slice(at, at + 500);
    await withLedger(async (tx) => {
      const rows = await tx.member.createManyAndReturn({
        data: batch.map((i) => ({
          shopId: shop.id,
          migrationId: migration.id,
          state: "pending",
          email: store.email(i)!.trim(),
          emailNormalized: normalizeEmail(store.email(i)),
          firstName: store.firstName(i),
          lastName: store.lastName(i),
        })),
        select: { id: true },
      });
      const entries = rows.map((row, k) => {
        const points = 1 + Math.floor(random() * 4000);
        members.set(batch[k]!, { memberId: row.id, points });
        return {
          shopId: shop.id,
          memberId: row.id,
          migrationId: migration.id,
          kind: "import" as const,
          points,
          idempotencyKey: idempotencyKey.importRow(migration.id, `load-${batch[k]}`),
          sourceRef: "webhooks-load.csv",
        };
      });
      await postEntries(tx, entries);
    });
  }
  return { shopId: shop.id, migrationId: migration.id, members };
}

log(`Applying a migration with ${(registering.length + neverRegistering.length).toLocaleString("en")} pending members…`);
const seeded = await seedPendingMembers();
await waitForHttp(`${emulatorUrl}/_emulator/health`, "the Shopify emulator", emulator);

// ---------------------------------------------------------------------------------------------
// load

interface LoadResult {
  /** requests answered (any status) */
  total: number;
  non2xx: number;
  /** socket errors and timeouts (no answer) */
  errors: number;
  /** ms, over every answered request: from the moment it was sent to its answer */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** indexes of the deliveries answered 2xx */
  answered: Set<number>;
  sent: number;
  errorsByCode: Record<string, number>;
  cpuMsPerRequest: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

/**
 * Sends the deliveries with loadtest: at a fixed rate, an open loop — a request leaves every
 * 1000/rate ms whether or not the earlier ones were answered (a new keep-alive connection when all
 * are busy), so a slow answer cannot hold the next requests back and hide its own cost. Without a
 * rate, `connections` clients send back to back (the unbounded limit run).
 *
 * Not autocannon, which the first runs used: its `overallRate` gives each connection a budget of
 * requests per second, which it spends back to back at the start of every second — a burst of the
 * whole second's requests once a second rather than one request every 5 ms — so its p99 was the
 * time to drain a second's burst, not the latency at a steady 200 req/s (decision 0021).
 */
async function fire(url: string, options: { rate?: number; seconds: number; webhookIdPrefix?: string }, cpuPids: Record<string, number>): Promise<LoadResult> {
  let next = 0;
  const answered = new Set<number>();
  const errorsByCode: Record<string, number> = {};
  const elapsed: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const cpuBefore = Object.fromEntries(Object.entries(cpuPids).map(([name, pid]) => [name, cpuMs(pid)]));
  const target = new URL("/webhooks/customers/create", url).toString();
  type Request = ReturnType<typeof http.request> & { labels?: { index: number } };
  const loadOptions: LoadTestOptions = {
    url: target,
    method: "POST",
    maxSeconds: options.seconds,
    ...(options.rate ? { requestsPerSecond: options.rate } : { concurrency: CONNECTIONS }),
    agentKeepAlive: true,
    timeout: 10_000,
    quiet: true,
    requestGenerator: (_options: unknown, params: http.RequestOptions, request: typeof http.request, callback: (res: http.IncomingMessage) => void) => {
      const i = next++;
      const d = deliveries[i % deliveries.length]!;
      params.headers = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(d.body)),
        "x-shopify-topic": "customers/create",
        "x-shopify-shop-domain": SHOP,
        "x-shopify-api-version": API_VERSION,
        "x-shopify-webhook-id": `${options.webhookIdPrefix ?? ""}${d.webhookId}`,
        "x-shopify-event-id": d.eventId,
        "x-shopify-triggered-at": new Date().toISOString(),
        "x-shopify-hmac-sha256": d.hmac,
      };
      const req: Request = request(params, callback);
      req.labels = { index: i }; // comes back on the result (loadtest copies req.labels)
      req.write(d.body);
      return req;
    },
    // loadtest passes its error as a string ("Connection error: …"), and no result when nothing was answered.
    statusCallback: (error: unknown, result?: { statusCode: number; requestElapsed: number; labels?: { index: number } }) => {
      if (!result) {
        errors++;
        const code = String(error ?? "error").replace(/^Connection (error|\d+ failed): /, "");
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        return;
      }
      elapsed.push(result.requestElapsed);
      if (result.statusCode >= 200 && result.statusCode < 300) answered.add(result.labels!.index);
      else {
        non2xx++;
        errorsByCode[String(result.statusCode)] = (errorsByCode[String(result.statusCode)] ?? 0) + 1;
      }
    },
  };
  // loadtest's bundled types predate its promise form: the callback form, wrapped.
  await new Promise<void>((resolve, reject) => loadTest(loadOptions, (error: unknown) => (error ? reject(error) : resolve())));
  const total = elapsed.length;
  elapsed.sort((a, b) => a - b);
  const latency = { p50: percentile(elapsed, 50), p90: percentile(elapsed, 90), p99: percentile(elapsed, 99), max: round(elapsed.at(-1) ?? Number.NaN) };
  const cpuMsPerRequest = Object.fromEntries(Object.entries(cpuPids).map(([name, pid]) => [name, (cpuMs(pid) - cpuBefore[name]!) / Math.max(1, total)]));
  return { total, non2xx, errors, latency, answered, sent: next, errorsByCode, cpuMsPerRequest };
}

const appPort = await freePort();
const appUrl = `http://127.0.0.1:${appPort}`;

// The limit first, on the port the app will use: the same deliveries, its own webhook ids.
log(`Limit: a bare node:http server with the same HMAC check and inserts, ${LIMIT_SECONDS} s at ${RATE} req/s, then ${LIMIT_SECONDS} s unbounded…`);
const limitServer = start("limit", ["bench/webhooks-load-limit.mjs"], { ...process.env, DATABASE_URL: databaseUrl, SECRET: TEST_API_SECRET, PORT: String(appPort) });
await waitForHttp(`${appUrl}/`, "the limit server", limitServer);
const limitAtRate = await fire(appUrl, { rate: RATE, seconds: LIMIT_SECONDS, webhookIdPrefix: "limit-rate-" }, { limit: limitServer.pid! });
const limitUnbounded = await fire(appUrl, { seconds: LIMIT_SECONDS, webhookIdPrefix: "limit-max-" }, { limit: limitServer.pid! });
await stop(limitServer);
await prisma.$executeRaw`DELETE FROM "Job" WHERE "kind" = 'bench.limit'`;
await prisma.$executeRaw`DELETE FROM "WebhookDelivery" WHERE "platform" = 'bench-limit'`;

// The app: the production build, on loopback.
// The engine each database runs by default (decision 0019): pg-boss on PostgreSQL; on SQLite the
// in-process runner — in the web process, or with --workers N in N worker processes polling the Job table.
const separateWorkers = WORKERS > 0;
const JOB_ENGINE = engine === "pg" ? "pg-boss" : "in-process";
const jobEnv: NodeJS.ProcessEnv = { ...process.env, ...appEnv, JOB_ENGINE, SHOPIFY_ADMIN_API_ORIGIN: emulatorUrl };
delete jobEnv.CARRYOVER_WORKER;
// NODE_ENV=production refuses an Admin API origin other than Shopify's (app/env.server.ts): a process
// that runs jobs against the emulator runs as NODE_ENV=test (the same production build); a web
// process without a worker runs as production.
const webEnv: NodeJS.ProcessEnv = separateWorkers
  ? { ...process.env, ...appEnv, JOB_ENGINE, NODE_ENV: "production", CARRYOVER_WORKER: "off", HOST: "127.0.0.1", PORT: String(appPort) }
  : { ...jobEnv, CARRYOVER_WORKER: "on", HOST: "127.0.0.1", PORT: String(appPort) };
const profile = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(workDir, "profiles")}`] : [];
log(`Starting the app (node server.mjs, NODE_ENV=${webEnv.NODE_ENV}) on ${appUrl}${separateWorkers ? ` and ${WORKERS} worker processes (node scripts/worker.mjs)` : " with its in-process job runner"}…`);
const web = start("app", [...profile, "server.mjs"], webEnv);
// One after the other: pg-boss creates its queues when a process starts it, and two processes doing
// that at once on a fresh database can deadlock in pgboss.create_queue (seen here: a worker died of it).
const workers: ChildProcess[] = [];
for (let k = 0; k < (separateWorkers ? WORKERS : 0); k++) {
  const worker = start(`worker-${k + 1}`, [...profile, "scripts/worker.mjs"], jobEnv);
  await waitForLine(worker, "carryover worker started", `worker ${k + 1}`);
  workers.push(worker);
}
await waitForHttp(`${appUrl}/healthz`, "the app", web);
// Warm-up, not measured: a few deliveries for another shop (its jobs are not this run's), so the
// web process has compiled its code and opened its connections (pg-boss's too) before the load.
for (let i = 0; i < 20; i++) {
  const d = deliveries[i]!;
  await fetch(`${appUrl}/webhooks/customers/create`, {
    method: "POST",
    body: d.body,
    headers: { "content-type": "application/json", "x-shopify-topic": "customers/create", "x-shopify-shop-domain": WARMUP_SHOP, "x-shopify-api-version": API_VERSION, "x-shopify-webhook-id": `warmup-${i}-${d.webhookId}`, "x-shopify-hmac-sha256": d.hmac },
  });
}

log(`Load: ${RATE} req/s for ${SECONDS} s, open loop (${Math.round(REPLAYS * 100)} % replays)…`);
const loadAvgBefore = os.loadavg();
const loadStart = performance.now();
const cpuPids: Record<string, number> = { web: web.pid!, ...Object.fromEntries(workers.map((w, k) => [`worker-${k + 1}`, w.pid!])) };
const load = await fire(appUrl, { rate: RATE, seconds: SECONDS }, cpuPids);
const loadEnd = performance.now();
const loadAvgAfter = os.loadavg();

log("Waiting for the workers to drain the queue…");
const webhookJobs = { shopId: seeded.shopId, kind: "customer.changed", dedupeKey: { startsWith: "webhook:shopify:" } };
let drained = false;
while ((performance.now() - loadEnd) / 1000 < DRAIN_TIMEOUT_S) {
  const open = await prisma.job.count({ where: { ...webhookJobs, state: { in: ["queued", "running"] } } });
  if (open === 0) {
    drained = true;
    break;
  }
  await sleep(500);
}
const drainEnd = performance.now();

// ---------------------------------------------------------------------------------------------
// checks

const problems: string[] = [];
const check = (ok: boolean, problem: string) => {
  if (!ok) problems.push(problem);
};
const socketErrors = load.errors;
check(load.non2xx === 0, `${load.non2xx} non-2xx answers`);
check(socketErrors === 0, `${socketErrors} socket errors/timeouts (${JSON.stringify(load.errorsByCode)})`);
check(drained, `the queue did not drain within ${DRAIN_TIMEOUT_S} s`);
for (const [name, child] of [["web", web], ...workers.map((w, k) => [`worker-${k + 1}`, w] as const)] as const) {
  check(child.exitCode === null && child.signalCode === null, `${name} process exited (${child.exitCode ?? child.signalCode}) during the run`);
}

// The deliveries that reached the app: everything answered 2xx, plus any the cut-off left unanswered.
const sentIds = new Set<string>();
const answeredNew = new Set<number>(); // customer indexes
for (let i = 0; i < load.sent; i++) sentIds.add(deliveries[i % deliveries.length]!.webhookId);
for (const i of load.answered) {
  const d = deliveries[i % deliveries.length]!;
  answeredNew.add(d.customer >= 0 ? d.customer : deliveries[d.replayOf]!.customer);
}
const recorded = await prisma.webhookDelivery.findMany({ where: { platform: "shopify", shopDomain: SHOP }, select: { webhookId: true } });
const recordedIds = new Set(recorded.map((d) => d.webhookId));
check(recorded.length === recordedIds.size, "a webhook id recorded twice");
check([...recordedIds].every((id) => sentIds.has(id)), "a delivery recorded that was never sent");
const byWebhookId = new Map(deliveries.filter((d) => d.customer >= 0).map((d) => [d.webhookId, d.customer]));
const recordedCustomers = new Set([...recordedIds].map((id) => byWebhookId.get(id)!));
check([...answeredNew].every((c) => recordedCustomers.has(c)), "a delivery answered 2xx but not recorded");
const jobs = await prisma.job.groupBy({ by: ["state"], where: webhookJobs, _count: true });
const jobCount = jobs.reduce((n, j) => n + j._count, 0);
const jobsFailed = jobs.find((j) => j.state === "failed")?._count ?? 0;
check(jobCount === recordedIds.size, `${jobCount} webhook jobs for ${recordedIds.size} recorded deliveries`);
check(jobsFailed === 0, `${jobsFailed} webhook jobs failed`);

const restoreEntries = await prisma.ledgerEntry.groupBy({ by: ["memberId"], where: { shopId: seeded.shopId, kind: "restore" }, _count: true });
const restoresPerMember = new Map(restoreEntries.map((e) => [e.memberId, e._count]));
const duplicateRestores = restoreEntries.filter((e) => e._count > 1).length;
check(duplicateRestores === 0, `${duplicateRestores} members restored more than once`);
const members = await prisma.member.findMany({ where: { shopId: seeded.shopId }, select: { id: true, state: true, platformCustomerId: true, balance: true } });
const memberById = new Map(members.map((m) => [m.id, m]));
let restoredPoints = 0;
let expectedPoints = 0;
let wrong = 0;
for (const customer of recordedCustomers) {
  const seededMember = seeded.members.get(customer)!;
  const m = memberById.get(seededMember.memberId)!;
  expectedPoints += seededMember.points;
  restoredPoints += m.state === "visible" ? m.balance : 0;
  const gid = `gid://shopify/Customer/${store.customerLegacyId(customer)}`;
  if (m.state !== "visible" || m.platformCustomerId !== gid || restoresPerMember.get(m.id) !== 1 || m.balance !== seededMember.points) wrong++;
}
check(wrong === 0, `${wrong} delivered members not restored exactly once with their points`);
const restoredTotal = restoreEntries.length;
check(restoredTotal === recordedCustomers.size, `${restoredTotal} restore memos for ${recordedCustomers.size} delivered customers`);
const stillPending = neverRegistering.filter((c) => memberById.get(seeded.members.get(c)!.memberId)!.state === "pending").length;
const undelivered = registering.filter((c) => !recordedCustomers.has(c));
const undeliveredPending = undelivered.filter((c) => memberById.get(seeded.members.get(c)!.memberId)!.state === "pending").length;
check(stillPending === neverRegistering.length && undeliveredPending === undelivered.length, "a member whose customer never registered was restored");
check(restoredPoints === expectedPoints, `restored balances ${restoredPoints} ≠ the ${expectedPoints} points seeded for them`);
const drift = await checkBalances(seeded.shopId);
check(drift.drift.length === 0, `${drift.drift.length} balances differ from their ledger entries`);
// The store's side, for a sample: the balance pushed to the customer's metafields.
let pushedWrong = 0;
for (const customer of [...recordedCustomers].slice(0, 25)) {
  const gid = `gid://shopify/Customer/${store.customerLegacyId(customer)}`;
  const res = await fetch(`${emulatorUrl}/_emulator/metafields?ownerId=${encodeURIComponent(gid)}&namespace=${encodeURIComponent("$app")}`);
  const { metafields } = (await res.json()) as { metafields: Array<{ key: string; value: string }> };
  if (metafields.find((m) => m.key === "points")?.value !== String(seeded.members.get(customer)!.points)) pushedWrong++;
}
check(pushedWrong === 0, `${pushedWrong} of 25 sampled balances not on the store`);

const tree = await gitState();
await stopAll();
await prisma.$disconnect();
if (args.keep) console.log(`database kept: ${databaseUrl}`);
else if (dropDatabase) await dropDatabase();
if (args.keep || args.profile) console.log(`logs${args.profile ? " and CPU profiles" : ""} kept in ${workDir}`);
else fs.rmSync(workDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// report

const lat = load.latency;
const limitLat = limitAtRate.latency;
const loadSeconds = (loadEnd - loadStart) / 1000;
const drainSeconds = (drainEnd - loadEnd) / 1000;
const webCpu = load.cpuMsPerRequest.web!;
const workerCpu = Object.entries(load.cpuMsPerRequest).filter(([n]) => n.startsWith("worker-")).reduce((s, [, v]) => s + v, 0);
const mode = separateWorkers
  ? `${engine === "pg" ? "PostgreSQL" : "SQLite"}, web process with CARRYOVER_WORKER=off + ${WORKERS} worker processes (node scripts/worker.mjs)`
  : "SQLite, the in-process job runner in the web process (it yields to HTTP requests, decision 0021)";
const figures: Figure[] = [
  { label: "latency p50", value: lat.p50, unit: "ms", limit: limitLat.p50, limitLabel: "bare server, same rate" },
  { label: "latency p90", value: lat.p90, unit: "ms", limit: limitLat.p90, limitLabel: "bare server, same rate" },
  { label: "latency p99", value: lat.p99, unit: "ms", limit: limitLat.p99, limitLabel: "bare server, same rate" },
  { label: "latency max", value: lat.max, unit: "ms", limit: limitLat.max, limitLabel: "bare server, same rate" },
  { label: "achieved rate", value: round(load.total / loadSeconds), unit: "req/s", limit: round(limitUnbounded.total / LIMIT_SECONDS), limitLabel: "bare server, unbounded" },
  { label: "requests answered", value: load.total, unit: "" },
  { label: "of which replays (same webhook id)", value: [...load.answered].filter((i) => deliveries[i % deliveries.length]!.customer < 0).length, unit: "" },
  { label: "non-2xx answers", value: load.non2xx, unit: "" },
  { label: "socket errors + timeouts", value: socketErrors, unit: "" },
  { label: "web process CPU per delivery", value: round(webCpu), unit: "ms", limit: round(limitAtRate.cpuMsPerRequest.limit!), limitLabel: "bare server" },
  ...(workers.length ? [{ label: "worker processes' CPU per delivery (during the load)", value: round(workerCpu), unit: "ms" }] : []),
  { label: "time to drain the queue after the load", value: round(drainSeconds), unit: "s" },
  { label: "restores", value: restoredTotal, unit: "" },
  { label: "restores/s (load start → queue drained)", value: round(restoredTotal / (loadSeconds + drainSeconds)), unit: "/s" },
  { label: "members restored more than once", value: duplicateRestores, unit: "" },
  { label: "webhook jobs failed", value: jobsFailed, unit: "" },
];
const targets: Target[] = [
  { label: `p99 under 50 ms at ${RATE} req/s for ${SECONDS} s`, met: lat.p99 < 50, actual: `${lat.p99} ms` },
  { label: "zero errors (non-2xx, socket errors, timeouts)", met: load.non2xx === 0 && socketErrors === 0, actual: `${load.non2xx} + ${socketErrors}` },
  { label: "zero duplicate entries; every delivered member restored once; totals add up", met: problems.length === 0, actual: problems.length ? problems.join("; ") : "all checks hold" },
];
emit({
  name: `webhooks-load-${engine}${engine === "sqlite" && separateWorkers ? "-workers" : ""}`,
  title: `Webhook restore under load — ${mode}`,
  command,
  figures,
  targets,
  notes: [
    `${mode}. Production build (build/, \`node server.mjs\`) on 127.0.0.1, NODE_ENV=${webEnv.NODE_ENV} for the web process (a process that runs jobs against the emulator must be NODE_ENV=test: production refuses SHOPIFY_ADMIN_API_ORIGIN).`,
    `Worker slots per process: WORKER_LONG_CONCURRENCY=${process.env.WORKER_LONG_CONCURRENCY ?? "(default 2)"}, WORKER_SHORT_CONCURRENCY=${process.env.WORKER_SHORT_CONCURRENCY ?? "(default 4)"}${separateWorkers ? "" : " (pg-boss workers only; the in-process loop runs one job at a time)"}.`,
    `loadtest at a fixed ${RATE} req/s for ${SECONDS} s, open loop (a request every ${round(1000 / RATE)} ms whether or not earlier ones were answered, on keep-alive connections opened as needed); latency from the moment a request is sent to its answer. Deliveries: Shopify's customers/create payload built by the emulator for its seeded customers, signed with the app secret; ${Math.round(REPLAYS * 100)} % replays (same webhook id, body and signature) of a delivery among the last 2,000. ${recordedCustomers.size.toLocaleString("en")} customers registered, each holding pending points; 100 more pending members never register.`,
    `Limit: bench/webhooks-load-limit.mjs on the same port before the app starts — node:http, the same HMAC check, the same three INSERT … ON CONFLICT DO NOTHING in one transaction through the driver (${engine === "sqlite" ? "better-sqlite3, WAL, synchronous FULL" : "pg"}), no worker running; ${LIMIT_SECONDS} s at ${RATE} req/s (latency) and ${LIMIT_SECONDS} s unbounded (rate: ${CONNECTIONS} clients back to back).`,
    `Errors by code: ${JSON.stringify(load.errorsByCode)}. Limit runs: ${limitAtRate.non2xx + limitUnbounded.non2xx} non-2xx, ${limitAtRate.errors + limitUnbounded.errors} errors.`,
    `Load average (1/5/15 min) before the load ${loadAvgBefore.map((x) => x.toFixed(1)).join(" / ")}, after ${loadAvgAfter.map((x) => x.toFixed(1)).join(" / ")} on ${machine()}; other people's work shares these cores.`,
    `Tree: ${tree}.`,
    ...(problems.length ? [`CHECKS FAILED: ${problems.join("; ")}`] : ["Checks: every check held."]),
  ],
});
if (problems.length) process.exit(1);

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function gitState(): Promise<string> {
  const { execFileSync } = await import("node:child_process");
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "app", "server.mjs", "prisma"], { cwd: root }).toString().trim().split("\n").filter(Boolean).length;
    return `${head}${dirty ? ` + ${dirty} uncommitted files under app/, prisma/ (shared checkout)` : ""}`;
  } catch {
    return "unknown";
  }
}

