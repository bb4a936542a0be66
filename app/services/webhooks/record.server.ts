import crypto from "node:crypto";
import type { Prisma } from "@prisma/client";
import prisma from "../../db.server";
import { isUniqueViolation } from "../../db-errors.server";
import { dispatch, jobEngine } from "../../jobs/dispatch.server";
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
 * transaction — then the job is dispatched as `enqueue()` dispatches it (decision 0019): with
 * pg-boss, its ticket inside the same transaction; in process, a poke of the local loop after the
 * commit. A repeat writes nothing: each insert finds its row.
 *
 * Why not `enqueue()` itself (decision 0020): Prisma's model queries and interactive transactions
 * cost 0.3–0.5 ms of CPU per statement here (its query compiler runs even for raw SQL), and this
 * path took about 5 ms of CPU per delivery with them. In process (SQLite's default) the three
 * statements go as one batch transaction: one round through Prisma, no interactive transaction.
 * tests/integration/webhook-ingest.test.ts holds the rows to the ones `enqueue()` writes.
 */
export async function recordAndEnqueue<K extends WebhookJobKind>(delivery: Delivery, job: WebhookJob<K>): Promise<RecordedJob> {
  const now = new Date();
  const jobId = crypto.randomUUID();
  const row = { id: jobId, kind: job.kind, runAfter: now };
  let counts: [number, number, number];
  if (jobEngine() === "pg-boss") {
    counts = await prisma.$transaction(async (tx) => {
      const [shop, recorded, queued] = jobDeliveryStatements(tx, delivery, job, jobId, now);
      const written: [number, number, number] = [await shop, await recorded, await queued];
      if (written[2] === 1) await dispatch(row, tx);
      return written;
    });
  } else {
    counts = await prisma.$transaction([...jobDeliveryStatements(prisma, delivery, job, jobId, now)]);
    if (counts[2] === 1) await dispatch(row, prisma);
  }
  const [, deliveries, jobs] = counts;
  if (deliveries === 0) return { outcome: "duplicate" };
  if (jobs === 1) return { outcome: "enqueued", jobId };
  // Recorded now, but a job under this key was already there (enqueued by another path): that one stands.
  const existing = await prisma.job.findUniqueOrThrow({ where: { dedupeKey: job.dedupeKey }, select: { id: true } });
  return { outcome: "already-enqueued", jobId: existing.id };
}
