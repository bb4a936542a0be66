import crypto from "node:crypto";
import type { Prisma } from "@prisma/client";
import prisma from "../../db.server";
import { isUniqueViolation } from "../../db-errors.server";
import { databaseKind } from "../../database-url";
import { dispatch } from "../../jobs/dispatch.server";
import type { JobPayloads } from "../../jobs/queue.server";

type Tx = Prisma.TransactionClient;

export interface Delivery {
  platform: "shopify" | "nuvemshop";
  /** What makes two deliveries the same one (Shopify's webhook id; Nuvemshop: decided per event). */
  webhookId: string;
  eventId: string | null;
  topic: string;
  shopDomain: string;
}

export type Recorded<T> = { outcome: "recorded"; result: T } | { outcome: "duplicate" };

const insertDelivery = (db: Tx | typeof prisma, d: Delivery, now: Date) => db.$executeRaw`
  INSERT INTO "WebhookDelivery" ("id", "platform", "webhookId", "eventId", "topic", "shopDomain", "status", "receivedAt", "processedAt")
  VALUES (${crypto.randomUUID()}, ${d.platform}, ${d.webhookId}, ${d.eventId}, ${d.topic}, ${d.shopDomain}, 'processed', ${now}, ${now})
  ON CONFLICT ("platform", "webhookId") DO NOTHING`;

/**
 * Records a delivery once and does its work in the same transaction (decision 0004): when the
 * delivery is already recorded, nothing is written and the answer is "duplicate"; when the work
 * throws, nothing is recorded and the sender's retry runs it again. For the inline topics
 * (uninstall, compliance); the job topics take `recordAndEnqueue`.
 *
 * The record is one `INSERT … ON CONFLICT DO NOTHING` (SQLite and PostgreSQL alike) rather than a
 * Prisma `create` that fails on the unique key: a repeat costs one statement and no exception, and
 * on PostgreSQL a concurrent copy waits for the first one's commit and then finds it.
 */
export async function recordDeliveryOnce<T>(delivery: Delivery, work: (tx: Tx) => Promise<T>): Promise<Recorded<T>> {
  try {
    return await prisma.$transaction(async (tx): Promise<Recorded<T>> => {
      const inserted = await insertDelivery(tx, delivery, new Date());
      if (inserted === 0) return { outcome: "duplicate" };
      return { outcome: "recorded", result: await work(tx) };
    });
  } catch (error) {
    // The work's own unique keys (a job's dedupe key) racing with another delivery's transaction.
    if (isUniqueViolation(error)) return { outcome: "duplicate" };
    throw error;
  }
}

export type WebhookJobKind = "customer.changed" | "order.changed";

export interface WebhookJob<K extends WebhookJobKind> {
  kind: K;
  payload: JobPayloads[K];
  /** Derived from the delivery's id, so that the delivery and its job are written or found together. */
  dedupeKey: string;
}

export type RecordedJob = { outcome: "enqueued"; jobId: string } | { outcome: "already-enqueued"; jobId: string } | { outcome: "duplicate" };

/** The three inserts of a job delivery, as lazy statements of `db` (run in a batch or in an interactive transaction). */
function jobDeliveryStatements<K extends WebhookJobKind>(db: Tx | typeof prisma, delivery: Delivery, job: WebhookJob<K>, jobId: string, now: Date) {
  return [
    db.$executeRaw`
      INSERT INTO "Shop" ("id", "platform", "domain", "installedAt", "createdAt", "updatedAt")
      VALUES (${crypto.randomUUID()}, ${delivery.platform}, ${delivery.shopDomain}, ${now}, ${now}, ${now})
      ON CONFLICT ("platform", "domain") DO NOTHING`,
    insertDelivery(db, delivery, now),
    db.$executeRaw`
      INSERT INTO "Job" ("id", "shopId", "kind", "payloadJson", "dedupeKey", "runAfter", "createdAt", "updatedAt")
      VALUES (${jobId}, (SELECT "id" FROM "Shop" WHERE "platform" = ${delivery.platform} AND "domain" = ${delivery.shopDomain}),
        ${job.kind}, ${JSON.stringify(job.payload)}, ${job.dedupeKey}, ${now}, ${now}, ${now})
      ON CONFLICT ("dedupeKey") DO NOTHING`,
  ] as const;
}

/**
 * The hot path of every job webhook (customers/*, orders/*): the shop row if the install hook never
 * ran, the delivery record, and the Job row exactly as `enqueue()` (app/jobs/queue.server.ts) writes
 * it, idempotent on the same dedupe key — three `INSERT … ON CONFLICT DO NOTHING` in one
 * transaction (SQLite: one batch transaction; PostgreSQL: one statement) — then the job is
 * dispatched as `enqueue()` dispatches it, after the commit (`dispatchAfterCommit`). A repeat writes
 * nothing: each insert finds its row.
 *
 * Why not `enqueue()` itself (decision 0020): Prisma's model queries and interactive transactions
 * cost 0.3–0.5 ms of CPU per statement here (its query compiler runs even for raw SQL), and this
 * path took about 5 ms of CPU per delivery with them.
 * tests/integration/webhook-ingest.test.ts holds the rows to the ones `enqueue()` writes.
 */
export async function recordAndEnqueue<K extends WebhookJobKind>(delivery: Delivery, job: WebhookJob<K>): Promise<RecordedJob> {
  const now = new Date();
  const jobId = crypto.randomUUID();
  let counts: [number, number, number];
  if (databaseKind(process.env.DATABASE_URL) === "postgresql") {
    counts = await postgresInserts(delivery, job, jobId, now);
  } else {
    counts = await prisma.$transaction([...jobDeliveryStatements(prisma, delivery, job, jobId, now)]);
  }
  // After the commit (see above): a lost ticket is re-sent by the pg-boss workers' sweep.
  if (counts[2] === 1) await dispatchAfterCommit({ id: jobId, kind: job.kind, runAfter: now });
  const [, deliveries, jobs] = counts;
  if (deliveries === 0) return { outcome: "duplicate" };
  if (jobs === 1) return { outcome: "enqueued", jobId };
  // Recorded now, but a job under this key was already there (enqueued by another path): that one stands.
  const existing = await prisma.job.findUniqueOrThrow({ where: { dedupeKey: job.dedupeKey }, select: { id: true } });
  return { outcome: "already-enqueued", jobId: existing.id };
}

/**
 * PostgreSQL: the three inserts as one statement (data-modifying CTEs run once, in one implicit
 * transaction): one round trip instead of five (BEGIN, three inserts, COMMIT), which on this
 * machine was most of the web process's cost per delivery. The job is written only if this
 * statement recorded the delivery; its shop is the one just inserted or the one already there.
 */
async function postgresInserts<K extends WebhookJobKind>(delivery: Delivery, job: WebhookJob<K>, jobId: string, now: Date): Promise<[number, number, number]> {
  const rows = await prisma.$queryRaw<Array<{ shops: number; deliveries: number; jobs: number }>>`
    WITH shop AS (
      INSERT INTO "Shop" ("id", "platform", "domain", "installedAt", "createdAt", "updatedAt")
      VALUES (${crypto.randomUUID()}, ${delivery.platform}, ${delivery.shopDomain}, ${now}, ${now}, ${now})
      ON CONFLICT ("platform", "domain") DO NOTHING
      RETURNING "id"
    ), delivery AS (
      INSERT INTO "WebhookDelivery" ("id", "platform", "webhookId", "eventId", "topic", "shopDomain", "status", "receivedAt", "processedAt")
      VALUES (${crypto.randomUUID()}, ${delivery.platform}, ${delivery.webhookId}, ${delivery.eventId}, ${delivery.topic}, ${delivery.shopDomain}, 'processed', ${now}, ${now})
      ON CONFLICT ("platform", "webhookId") DO NOTHING
      RETURNING "id"
    ), job AS (
      INSERT INTO "Job" ("id", "shopId", "kind", "payloadJson", "dedupeKey", "runAfter", "createdAt", "updatedAt")
      SELECT ${jobId}::text,
        COALESCE((SELECT "id" FROM shop), (SELECT "id" FROM "Shop" WHERE "platform" = ${delivery.platform} AND "domain" = ${delivery.shopDomain})),
        ${job.kind}::text, ${JSON.stringify(job.payload)}::text, ${job.dedupeKey}::text,
        ${now}::timestamp(3), ${now}::timestamp(3), ${now}::timestamp(3)
      WHERE EXISTS (SELECT 1 FROM delivery)
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id"
    )
    SELECT (SELECT count(*)::int FROM shop) AS shops, (SELECT count(*)::int FROM delivery) AS deliveries, (SELECT count(*)::int FROM job) AS jobs`;
  const { shops, deliveries, jobs } = rows[0]!;
  return [shops, deliveries, jobs];
}

/**
 * `enqueue()`'s dispatch (decision 0019), once the rows are committed: in process, a poke of the
 * local loop; with pg-boss, the ticket — through pg-boss's own connection rather than inside the
 * transaction, which would take an interactive transaction through Prisma (five more round trips
 * and Prisma's per-statement cost) on the hottest path. If this process dies between the commit
 * and the ticket, the workers' sweep re-sends tickets for queued jobs overdue by 15 s, and the
 * delivery was answered (or is retried by Shopify and found recorded): nothing is lost, the
 * restore waits half a minute. A failure to send is logged and left to the sweep the same way.
 */
async function dispatchAfterCommit(job: { id: string; kind: string; runAfter: Date }): Promise<void> {
  try {
    await dispatch(job, prisma);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "webhook job recorded, its dispatch failed (the sweep re-sends it)", jobId: job.id, error: String(error) }));
  }
}
