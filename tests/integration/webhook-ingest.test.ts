// The webhook hot path writes its rows with raw SQL (app/services/webhooks/record.server.ts, decision
// 0020) instead of Prisma's create and enqueue(): this holds those rows to the ones the Prisma path
// writes — same columns, same defaults, dates Prisma reads back and compares — on each job engine
// (both on PostgreSQL), and checks that a repeat writes nothing and that the job is dispatched.
import type { Job } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKind } from "~/database-url";
import prisma from "~/db.server";
import { closePgBoss, QUEUES } from "~/jobs/pg-boss.server";
import { enqueue } from "~/jobs/queue.server";
import { JobRunner } from "~/jobs/runner.server";
import { ensureShop } from "~/services/shops.server";
import { recordAndEnqueue, recordDeliveryOnce } from "~/services/webhooks/record.server";
import { uniqueShop } from "../support/webhooks";

const ENGINES = databaseKind(process.env.DATABASE_URL) === "postgresql" ? (["in-process", "pg-boss"] as const) : (["in-process"] as const);

/** A job's columns that do not depend on when or under which id it was written. */
function comparable(job: Job) {
  const { id, dedupeKey, runAfter, createdAt, updatedAt, ...rest } = job;
  for (const date of [runAfter, createdAt, updatedAt]) expect(date).toBeInstanceOf(Date);
  expect(Math.abs(createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  expect(Math.abs(runAfter.getTime() - createdAt.getTime())).toBeLessThan(5_000);
  expect(typeof id).toBe("string");
  expect(typeof dedupeKey).toBe("string");
  return rest;
}

describe.each(ENGINES)("webhook ingest on the %s engine", (engine) => {
  beforeAll(() => {
    process.env.JOB_ENGINE = engine;
  });
  afterAll(async () => {
    process.env.JOB_ENGINE = "in-process";
    await closePgBoss();
  });

  it("writes the delivery and the job as the Prisma path does, and a repeat writes nothing", async () => {
    const domain = uniqueShop("ingest");
    const shop = await ensureShop("shopify", domain);
    const payload = { shopDomain: domain, platform: "shopify" as const, customerId: "gid://shopify/Customer/7021345678901", topic: "CUSTOMERS_CREATE" };
    const delivery = { platform: "shopify" as const, webhookId: `w-${domain}`, eventId: "e-1", topic: "CUSTOMERS_CREATE", shopDomain: domain };

    const first = await recordAndEnqueue(delivery, { kind: "customer.changed", payload, dedupeKey: `webhook:shopify:${delivery.webhookId}` });
    expect(first.outcome).toBe("enqueued");
    const raw = await prisma.job.findUniqueOrThrow({ where: { id: (first as { jobId: string }).jobId } });
    const viaEnqueue = await enqueue({ kind: "customer.changed", shopId: shop.id, payload, dedupeKey: `webhook:shopify:prisma-${domain}` });
    const prismaJob = await prisma.job.findUniqueOrThrow({ where: { id: viaEnqueue.jobId } });
    expect(comparable(raw)).toEqual(comparable(prismaJob));
    expect(raw).toMatchObject({ shopId: shop.id, state: "queued", attempts: 0, maxAttempts: 5, exclusiveKey: null });
    expect(JSON.parse(raw.payloadJson)).toEqual(payload);

    const recorded = await prisma.webhookDelivery.findUniqueOrThrow({ where: { platform_webhookId: { platform: "shopify", webhookId: delivery.webhookId } } });
    expect(recorded).toMatchObject({ eventId: "e-1", topic: "CUSTOMERS_CREATE", shopDomain: domain, status: "processed", error: null });
    expect(recorded.receivedAt).toBeInstanceOf(Date);
    expect(recorded.processedAt!.getTime()).toBe(recorded.receivedAt.getTime());

    if (engine === "pg-boss") {
      // The ticket was sent (after the commit, decision 0020) before the delivery was answered.
      const tickets = await prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND singleton_key = $2`, QUEUES.short, raw.id);
      expect(tickets[0]!.n).toBe(1);
    }

    const counts = async () => [await prisma.webhookDelivery.count(), await prisma.job.count(), await prisma.shop.count()];
    const before = await counts();
    for (let i = 0; i < 3; i++) {
      expect(await recordAndEnqueue(delivery, { kind: "customer.changed", payload, dedupeKey: `webhook:shopify:${delivery.webhookId}` })).toEqual({ outcome: "duplicate" });
    }
    const copies = await Promise.all(Array.from({ length: 5 }, () => recordAndEnqueue(delivery, { kind: "customer.changed", payload, dedupeKey: `webhook:shopify:${delivery.webhookId}` })));
    expect(copies.every((c) => c.outcome === "duplicate")).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it("ten concurrent copies of a new delivery: one record, one job, nine duplicates", async () => {
    const domain = uniqueShop("ingest-race");
    await ensureShop("shopify", domain);
    const delivery = { platform: "shopify" as const, webhookId: `race-${domain}`, eventId: null, topic: "ORDERS_PAID", shopDomain: domain };
    const job = { kind: "order.changed" as const, payload: { shopDomain: domain, platform: "shopify" as const, orderId: "gid://shopify/Order/1", topic: "ORDERS_PAID" }, dedupeKey: `webhook:shopify:${delivery.webhookId}` };
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => recordAndEnqueue(delivery, job)));
    expect(outcomes.filter((o) => o.outcome === "enqueued")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "duplicate")).toHaveLength(9);
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain } })).toBe(1);
    expect(await prisma.job.count({ where: { dedupeKey: job.dedupeKey } })).toBe(1);
  });

  it("creates the shop a delivery names when its install hook never ran, as ensureShop would", async () => {
    const domain = uniqueShop("ingest-new-shop");
    const delivery = { platform: "shopify" as const, webhookId: `new-${domain}`, eventId: null, topic: "CUSTOMERS_UPDATE", shopDomain: domain };
    const outcome = await recordAndEnqueue(delivery, {
      kind: "customer.changed",
      payload: { shopDomain: domain, platform: "shopify", customerId: "gid://shopify/Customer/2", topic: "CUSTOMERS_UPDATE" },
      dedupeKey: `webhook:shopify:${delivery.webhookId}`,
    });
    const shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain } } });
    const other = await ensureShop("shopify", uniqueShop("ingest-ensure"));
    const strip = ({ id, domain: d, installedAt, createdAt, updatedAt, ...rest }: typeof shop) => {
      for (const date of [installedAt, createdAt, updatedAt]) expect(date).toBeInstanceOf(Date);
      return [typeof id, typeof d, rest];
    };
    expect(strip(shop)).toEqual(strip(other));
    const job = await prisma.job.findUniqueOrThrow({ where: { id: (outcome as { jobId: string }).jobId } });
    expect(job.shopId).toBe(shop.id);
  });

  it("the job is claimed and run by the runner like any enqueued job", async () => {
    const domain = uniqueShop("ingest-run");
    await ensureShop("shopify", domain);
    const delivery = { platform: "shopify" as const, webhookId: `run-${domain}`, eventId: null, topic: "CUSTOMERS_CREATE", shopDomain: domain };
    const outcome = await recordAndEnqueue(delivery, {
      kind: "customer.changed",
      payload: { shopDomain: domain, platform: "shopify", customerId: "gid://shopify/Customer/3", topic: "CUSTOMERS_CREATE" },
      dedupeKey: `webhook:shopify:${delivery.webhookId}`,
    });
    const jobId = (outcome as { jobId: string }).jobId;
    const seen: string[] = [];
    const runner = new JobRunner({
      handlers: {
        async "customer.changed"({ job, payload }) {
          if (job.id === jobId) seen.push(payload.customerId);
        },
      },
    });
    const claim = await runner.claimById(jobId);
    expect(claim.outcome).toBe("claimed");
    await runner.run((claim as { job: Job }).job);
    expect(seen).toEqual(["gid://shopify/Customer/3"]);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("succeeded");
  });
});

describe("recordDeliveryOnce (inline topics)", () => {
  it("does the work once; a repeat is a duplicate and a failed work records nothing", async () => {
    const domain = uniqueShop("inline");
    const delivery = { platform: "shopify" as const, webhookId: `inline-${domain}`, eventId: null, topic: "APP_UNINSTALLED", shopDomain: domain };
    await expect(recordDeliveryOnce(delivery, async () => Promise.reject(new Error("store unreachable")))).rejects.toThrow("store unreachable");
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain } })).toBe(0);
    let runs = 0;
    expect(await recordDeliveryOnce(delivery, async () => ++runs)).toEqual({ outcome: "recorded", result: 1 });
    expect(await recordDeliveryOnce(delivery, async () => ++runs)).toEqual({ outcome: "duplicate" });
    expect(runs).toBe(1);
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain } })).toBe(1);
  });
});
