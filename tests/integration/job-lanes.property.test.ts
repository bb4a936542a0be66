// Property (decision 0019): whatever jobs are queued, however many workers race for them and
// whichever attempts fail, every job ends exactly once (succeeded, or failed after its attempts),
// a successful run happens once per job, and two long jobs of one shop never run at the same time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { enqueue, type JobKind } from "~/jobs/queue.server";
import { JobRunner, type JobContext, type JobHandlers } from "~/jobs/runner.server";
import { uniqueShop } from "../support/webhooks";

const TAG = "lanes-property:";

interface Plan {
  shops: number;
  jobs: Array<{ shop: number; long: boolean; failures: number; ms: number }>;
  workers: number;
}

const planArb: fc.Arbitrary<Plan> = fc.integer({ min: 1, max: 3 }).chain((shops) =>
  fc.record({
    shops: fc.constant(shops),
    jobs: fc.array(fc.record({ shop: fc.integer({ min: 0, max: shops - 1 }), long: fc.boolean(), failures: fc.integer({ min: 0, max: 4 }), ms: fc.integer({ min: 0, max: 15 }) }), { minLength: 1, maxLength: 10 }),
    workers: fc.integer({ min: 1, max: 4 }),
  }),
);

describe("job lanes and exactly-once, under racing workers (in-process runner)", () => {
  it("holds for any queue, worker count and failure pattern", { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const shops = await Promise.all(Array.from({ length: plan.shops }, () => prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("lanes") } })));
        const runningLong = new Map<string, number>();
        let violations = 0;
        const successes = new Map<string, number>();
        const attempts = new Map<string, number>();
        const behaviour = new Map<string, { failures: number; ms: number; shopId: string; long: boolean }>();

        const body = async (jobId: string) => {
          const b = behaviour.get(jobId)!;
          const n = (attempts.get(jobId) ?? 0) + 1;
          attempts.set(jobId, n);
          if (b.long) {
            const now = (runningLong.get(b.shopId) ?? 0) + 1;
            runningLong.set(b.shopId, now);
            if (now > 1) violations++;
          }
          try {
            await new Promise((r) => setTimeout(r, b.ms));
            if (n <= b.failures) throw new Error(`attempt ${n} fails`);
            successes.set(jobId, (successes.get(jobId) ?? 0) + 1);
          } finally {
            if (b.long) runningLong.set(b.shopId, runningLong.get(b.shopId)! - 1);
          }
        };
        const mine = async (context: JobContext<"migration.reconcile"> | JobContext<"customer.changed">) => {
          if (!behaviour.has(context.job.id)) throw new Error("not this property's job");
          await body(context.job.id);
        };
        const handlers: JobHandlers = { "migration.reconcile": mine, "customer.changed": mine };

        const ids: string[] = [];
        for (const [i, job] of plan.jobs.entries()) {
          const shop = shops[job.shop]!;
          const kind: JobKind = job.long ? "migration.reconcile" : "customer.changed";
          const payload = job.long
            ? { shopId: shop.id, migrationId: `${TAG}${i}` }
            : { shopDomain: shop.domain, platform: "shopify" as const, customerId: `${TAG}${i}`, topic: "customers/create" };
          const { jobId } = await enqueue({ kind, shopId: shop.id, payload, dedupeKey: `${TAG}${shop.id}:${i}` } as Parameters<typeof enqueue>[0]);
          await prisma.job.update({ where: { id: jobId }, data: { maxAttempts: 3 } });
          behaviour.set(jobId, { failures: job.failures, ms: job.ms, shopId: shop.id, long: job.long });
          ids.push(jobId);
        }

        // Only this property's shops: other test files' jobs are left to them.
        const onlyShops = shops.map((s) => s.id);
        const runners = Array.from({ length: plan.workers }, (_, w) => new JobRunner({ handlers, onlyShops, workerId: `lanes-${w}`, backoffMs: () => 0 }));
        for (let round = 0; round < 50; round++) {
          await Promise.all(runners.map((r) => r.runUntilIdle(200)));
          const open = await prisma.job.count({ where: { id: { in: ids }, state: { in: ["queued", "running"] } } });
          if (open === 0) break;
        }

        const jobs = await prisma.job.findMany({ where: { id: { in: ids } } });
        expect(violations, "two long jobs of one shop ran at once").toBe(0);
        for (const job of jobs) {
          const b = behaviour.get(job.id)!;
          const shouldSucceed = b.failures < 3;
          expect(job.state).toBe(shouldSucceed ? "succeeded" : "failed");
          expect(job.attempts).toBe(shouldSucceed ? b.failures + 1 : 3);
          expect(successes.get(job.id) ?? 0).toBe(shouldSucceed ? 1 : 0);
          expect(job.exclusiveKey).toBeNull();
          expect(job.lockedBy).toBeNull();
        }
      }),
      { numRuns: 25, seed: 190019 },
    );
  });
});
