// Webhooks as Shopify really delivers them: repeated (up to 10 copies of one webhook id), late (after
// the apply, after a rollback), and out of order (customers/update before customers/create,
// orders/cancelled before orders/paid). The Shopify emulator signs and POSTs them over HTTP to the
// app's webhook routes (support/webhook-server.ts); the job runner works through the jobs at seeded
// random moments of a seeded random timeline. Then: exactly one restore per pending member who
// registered, no order earning twice, a cancelled order never keeping points, no restore or earning
// once the migration is rolled back, every balance the sum of its entries and the store holding it.
// Also: a correctly signed body that is not JSON is answered 400 with a reason, not 500.
import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { JobRunner } from "~/jobs/runner.server";
import { applyMigration } from "~/services/apply/apply.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { requestRollback } from "~/services/rollback/rollback.server";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { mulberry32 } from "../emulators/seeded-random";
import { TEST_API_SECRET } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";
import { applyScenario, FAULT_TOKEN, pointAppAt, storedBalances } from "./support/fault-scenario";
import { reliabilitySize, Tally } from "./support/record";
import { startWebhookServer, type WebhookServer } from "./support/webhook-server";

const FULL = reliabilitySize() === "full";
const CATEGORY = "webhooks";
const PLAN = FULL
  ? { timelines: 4, size: { customers: 400, orders: 1200 }, early: 5, late: 8, afterRollback: 3, paid: 6, paidThenCancelled: 4, cancelledFirst: 4 }
  : { timelines: 1, size: { customers: 150, orders: 450 }, early: 2, late: 3, afterRollback: 1, paid: 2, paidThenCancelled: 1, cancelledFirst: 1 };

const tally = new Tally({
  category: CATEGORY,
  check: "seeded timelines of registrations, payments and cancellations whose signed webhooks arrive 1–10 times, late (after the apply, after a rollback) and out of order, over HTTP, with the job runner working at random moments",
  invariants: [
    "every delivery is answered 200; one WebhookDelivery and one job per webhook id, however many copies",
    "exactly one restore (memo entry) per pending member who registered, linked to their customer, whatever the topics' order",
    "an order earns at most once; a paid order earns floor(total × rate); a cancelled order ends with no points, and one cancelled before its payment event is handled never earns",
    "after a rollback: no restore, no earning; the migration's points reversed",
    "every balance = the sum of its entries; the store's points metafield = the balance of every visible member touched",
  ],
});
const malformed = new Tally({
  category: CATEGORY,
  check: "a correctly signed Shopify webhook whose body is not a JSON object (text, truncated JSON, an array, a number), over HTTP",
  invariants: ["answered 400 with a reason that says the body is not JSON; nothing recorded, no job", "the same body unsigned or wrongly signed: 401"],
});

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  tally.flush();
  malformed.flush();
  for (const close of closers) await close();
});

type Step =
  | { type: "register"; key: string; email: string }
  | { type: "deliver"; topic: string; target: string; times: number; webhookId: string }
  | { type: "pay" | "cancel"; order: string }
  | { type: "jobs" };

/** Merges sequences at random, keeping each one's own order. */
function interleave<T>(random: () => number, sequences: T[][]): T[] {
  const queues = sequences.map((s) => [...s]).filter((s) => s.length > 0);
  const out: T[] = [];
  while (queues.length > 0) {
    const k = Math.floor(random() * queues.length);
    out.push(queues[k]!.shift()!);
    if (queues[k]!.length === 0) queues.splice(k, 1);
  }
  return out;
}

function shuffle<T>(random: () => number, items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const legacy = (gid: string) => gid.split("/").pop()!;

async function control(emulator: ShopifyEmulator, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emulator.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

describe("webhooks delivered 10×, late and out of order", () => {
  for (let t = 0; t < PLAN.timelines; t++) {
    it(`timeline ${t + 1}: one restore per registered pending member, no double earning, nothing after a rollback`, async () => {
      const random = mulberry32(700 + t);
      const server: WebhookServer = await startWebhookServer();
      closers.push(() => server.close());
      const domain = uniqueShop("webhooks");
      const emulator = await startShopifyEmulator({
        ...PLAN.size,
        seed: 31 + t,
        shopDomain: domain,
        accessToken: FAULT_TOKEN,
        appUrl: server.url,
        apiSecret: TEST_API_SECRET,
        throttle: { maximumAvailable: 20_000, restoreRate: 10_000 },
      });
      closers.push(() => emulator.close());
      const scenario = await applyScenario({ ...PLAN.size, seed: 31 + t }, emulator, domain);
      pointAppAt("shopify", emulator.url);
      const shopId = scenario.shop.id;
      const runner = new JobRunner({
        handlers: { "customer.changed": jobHandlers["customer.changed"], "order.changed": jobHandlers["order.changed"], "migration.rollback": jobHandlers["migration.rollback"] },
        backoffMs: () => 0,
      });

      // The preview's pending records; some of these shoppers register before the apply, whose
      // webhooks come late.
      const pendingRecords = await prisma.recordMatch.findMany({ where: { reconciliationId: scenario.reconciliationId, class: "pending" }, select: { recordId: true } });
      const records = await prisma.loyaltyRecord.findMany({ where: { id: { in: pendingRecords.map((r) => r.recordId) }, emailNormalized: { not: null }, points: { gt: 0 } }, select: { emailNormalized: true } });
      const emails = shuffle(random, [...new Set(records.map((r) => r.emailNormalized!))]);
      const need = PLAN.early + PLAN.late + PLAN.afterRollback;
      expect(emails.length, "pending shoppers with an e-mail in the export").toBeGreaterThanOrEqual(need);
      const early = emails.slice(0, PLAN.early);
      const late = emails.slice(PLAN.early, PLAN.early + PLAN.late);
      const afterRollback = emails.slice(PLAN.early + PLAN.late, need);
      const customerOf = new Map<string, string>(); // email → customer gid
      const register = async (email: string) => {
        const created = (await control(emulator, "/_emulator/customers", { firstName: "Late", lastName: "Registrant", email, deliver: false })) as { customer: { id: string } };
        customerOf.set(email, created.customer.id);
      };
      for (const email of early) await register(email);

      const applied = await applyMigration({ shopId, migrationId: scenario.migrationId, reconciliationId: scenario.reconciliationId, pilot: null, client: scenario.client, checkpoint: null, progress: async () => {} });
      expect(applied).toMatchObject({ outcome: "applied" });

      // Orders placed after the cutover by customers who are visible members now.
      const visible = new Set((await prisma.member.findMany({ where: { shopId, state: "visible" }, select: { platformCustomerId: true } })).map((m) => m.platformCustomerId!));
      const candidates = (
        await prisma.platformOrder.findMany({
          where: { shopId, placedAt: { gte: new Date("2026-10-01T00:00:00Z") }, cancelledAt: null, platformCustomerId: { not: null } },
          select: { platformId: true, platformCustomerId: true, totalAmount: true },
          orderBy: { platformId: "asc" },
        })
      ).filter((o) => visible.has(o.platformCustomerId!) && Math.floor(Number(o.totalAmount)) > 0);
      const orders = shuffle(random, candidates);
      expect(orders.length, "orders after the cutover by visible members").toBeGreaterThanOrEqual(PLAN.paid + PLAN.paidThenCancelled + PLAN.cancelledFirst);
      const paid = orders.slice(0, PLAN.paid);
      const paidThenCancelled = orders.slice(PLAN.paid, PLAN.paid + PLAN.paidThenCancelled);
      const cancelledFirst = orders.slice(PLAN.paid + PLAN.paidThenCancelled, PLAN.paid + PLAN.paidThenCancelled + PLAN.cancelledFirst);

      // The timeline: one sequence per shopper and per order, merged at random, with job runs between.
      const copies = () => 1 + Math.floor(random() * 10);
      const deliver = (topic: string, target: string): Step => ({ type: "deliver", topic, target, times: copies(), webhookId: crypto.randomUUID() });
      const sequences: Step[][] = [];
      for (const email of early) sequences.push(shuffle(random, [deliver("customers/create", email), deliver("customers/update", email)]));
      for (const email of late) {
        const topics = shuffle(random, ["customers/create", "customers/update", ...(random() < 0.5 ? ["customers/enable"] : [])]);
        sequences.push([{ type: "register", key: email, email }, ...topics.map((topic) => deliver(topic, email))]);
      }
      for (const o of paid) sequences.push([{ type: "pay", order: o.platformId }, deliver("orders/paid", o.platformId)]);
      for (const o of paidThenCancelled) {
        // Paid, then cancelled; the two events' copies in any order after the cancellation.
        sequences.push([{ type: "pay", order: o.platformId }, deliver("orders/paid", o.platformId), { type: "jobs" }, { type: "cancel", order: o.platformId }, deliver("orders/cancelled", o.platformId)]);
      }
      for (const o of cancelledFirst) {
        sequences.push([{ type: "pay", order: o.platformId }, { type: "cancel", order: o.platformId }, deliver("orders/cancelled", o.platformId), deliver("orders/paid", o.platformId)]);
      }
      const steps: Step[] = [];
      for (const step of interleave(random, sequences)) {
        steps.push(step);
        if (random() < 0.25) steps.push({ type: "jobs" });
      }
      steps.push({ type: "jobs" });

      const deliveredIds = new Set<string>();
      const run = async (step: Step) => {
        if (step.type === "register") return register(step.email);
        if (step.type === "jobs") {
          await emulator.idle();
          return void (await runner.runUntilIdle());
        }
        if (step.type !== "deliver") return void (await control(emulator, `/_emulator/orders/${legacy(step.order)}/${step.type}`, { topics: [] }));
        deliveredIds.add(step.webhookId);
        const target = step.topic.startsWith("orders/") ? { orderId: legacy(step.target) } : { customerId: legacy(customerOf.get(step.target)!) };
        await control(emulator, "/_emulator/webhooks", { topic: step.topic, ...target, times: step.times, webhookId: step.webhookId });
      };
      for (const step of steps) await run(step);
      const label = `timeline ${t + 1}: ${steps.filter((s) => s.type === "deliver").length} webhooks, ${steps
        .filter((s): s is Extract<Step, { type: "deliver" }> => s.type === "deliver")
        .reduce((n, s) => n + s.times, 0)} deliveries`;

      await tally.run(`${label}, before the rollback`, async () => {
        expect(server.answers.filter((a) => a.status !== 200)).toEqual([]);
        expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain } })).toBe(deliveredIds.size);
        expect(await prisma.job.count({ where: { shopId, dedupeKey: { startsWith: "webhook:shopify:" } } })).toBe(deliveredIds.size);
        const unfinished = await prisma.job.findMany({ where: { shopId, state: { not: "succeeded" }, kind: { in: ["customer.changed", "order.changed"] } }, select: { kind: true, state: true, error: true } });
        expect(unfinished).toEqual([]);

        for (const email of [...early, ...late]) {
          const member = await prisma.member.findFirstOrThrow({ where: { shopId, emailNormalized: email, migrationId: scenario.migrationId } });
          expect(member, email).toMatchObject({ state: "visible", platformCustomerId: customerOf.get(email) });
          expect(await prisma.ledgerEntry.count({ where: { shopId, memberId: member.id, kind: "restore" } }), email).toBe(1);
        }
        let off = 0;
        for (const o of [...paid, ...paidThenCancelled, ...cancelledFirst]) {
          const entries = await prisma.ledgerEntry.findMany({ where: { shopId, idempotencyKey: { startsWith: `order:shopify:${o.platformId}:` } }, select: { kind: true, points: true } });
          const earns = entries.filter((e) => e.kind === "earn");
          expect(earns.length, o.platformId).toBeLessThanOrEqual(1);
          const net = entries.reduce((sum, e) => sum + e.points, 0);
          const expected = paid.includes(o) ? Math.floor(Number(o.totalAmount)) : 0;
          off += Math.abs(net - expected);
          expect(net, `${o.platformId}: ${JSON.stringify(entries)}`).toBe(expected);
          if (cancelledFirst.includes(o)) expect(earns, `${o.platformId} was cancelled before its payment event was handled`).toEqual([]);
        }
        tally.add({ pointsLostOrDuplicated: off });
        const { drift } = await checkBalances(shopId);
        expect(drift).toEqual([]);
        const stored = storedBalances(emulator);
        const touched = [...[...early, ...late].map((e) => customerOf.get(e)!), ...[...paid, ...paidThenCancelled, ...cancelledFirst].map((o) => o.platformCustomerId!)];
        const members = await prisma.member.findMany({ where: { shopId, platformCustomerId: { in: touched } }, select: { platformCustomerId: true, balance: true } });
        expect(members.filter((m) => stored[m.platformCustomerId!] !== String(m.balance))).toEqual([]);
      });

      // The rollback, then late copies of everything, new registrations and payments.
      const asked = await requestRollback({ shopId, migrationId: scenario.migrationId });
      expect(asked.outcome).toBe("enqueued");
      await runner.runUntilIdle();
      expect((await prisma.migration.findUniqueOrThrow({ where: { id: scenario.migrationId } })).state).toBe("rolled_back");
      const entriesBefore = await prisma.ledgerEntry.count({ where: { shopId } });
      const lateSteps: Step[] = [];
      for (const step of steps) if (step.type === "deliver" && random() < 0.5) lateSteps.push({ ...step, times: 1 + Math.floor(random() * 3) });
      for (const email of afterRollback) lateSteps.push({ type: "register", key: email, email }, deliver("customers/create", email));
      const fresh = orders.slice(PLAN.paid + PLAN.paidThenCancelled + PLAN.cancelledFirst, PLAN.paid + PLAN.paidThenCancelled + PLAN.cancelledFirst + 2);
      for (const o of fresh) lateSteps.push({ type: "pay", order: o.platformId }, deliver("orders/paid", o.platformId));
      lateSteps.push({ type: "jobs" });
      for (const step of lateSteps) await run(step);

      await tally.run(`${label}, late copies and new events after the rollback`, async () => {
        expect(server.answers.filter((a) => a.status !== 200)).toEqual([]);
        const unfinished = await prisma.job.findMany({ where: { shopId, state: { not: "succeeded" } }, select: { kind: true, state: true, error: true } });
        expect(unfinished.filter((j) => j.kind !== "ledger.check")).toEqual([]);
        expect(await prisma.ledgerEntry.count({ where: { shopId } }), "no entry after the rollback").toBe(entriesBefore);
        for (const email of afterRollback) {
          const member = await prisma.member.findFirstOrThrow({ where: { shopId, emailNormalized: email, migrationId: scenario.migrationId } });
          expect(member.state, email).toBe("pending");
        }
        const left = await prisma.ledgerEntry.aggregate({ where: { shopId, migrationId: scenario.migrationId }, _sum: { points: true } });
        expect(left._sum.points ?? 0).toBe(0);
        const { drift } = await checkBalances(shopId);
        expect(drift).toEqual([]);
      });
    });
  }

  it("a correctly signed body that is not a JSON object is answered 400 with its reason; unsigned, 401", async () => {
    const server = await startWebhookServer();
    closers.push(() => server.close());
    const domain = uniqueShop("webhooks-json");
    const post = (body: string, secret: string | null) =>
      fetch(`${server.url}/webhooks/customers/create`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-shopify-topic": "customers/create",
          "x-shopify-shop-domain": domain,
          "x-shopify-api-version": "2026-01",
          "x-shopify-webhook-id": crypto.randomUUID(),
          "x-shopify-event-id": crypto.randomUUID(),
          "x-shopify-triggered-at": new Date().toISOString(),
          "x-shopify-hmac-sha256": crypto.createHmac("sha256", secret ?? "not-the-secret").update(body, "utf8").digest("base64"),
        },
        body,
      });
    for (const body of ["not json at all", '{"id": 1, "email": "a@example.com"', "[1, 2, 3]", "42", "null"]) {
      await malformed.run(`signed ${JSON.stringify(body)}`, async () => {
        const res = await post(body, TEST_API_SECRET);
        const text = await res.text();
        expect(res.status, text).toBe(400);
        expect(text).toMatch(/not (JSON|a JSON object)/);
      });
      await malformed.run(`wrongly signed ${JSON.stringify(body)}`, async () => {
        expect((await post(body, null)).status).toBe(401);
      });
    }
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: domain } })).toBe(0);
  });
});
