import { afterAll, beforeAll, expect, it } from "vitest";
import prisma from "~/db.server";
import { JobRunner } from "~/jobs/runner.server";
import { applyMigration, requestApply } from "~/services/apply/apply.server";
import { restoreCustomer } from "~/services/restore/restore.server";
import { applyScenario, storedPoints, type Scenario } from "./apply-scenario";

let s: Scenario;

beforeAll(async () => {
  s = await applyScenario({ customers: 200, orders: 500, seed: 21 });
}, 120_000);

afterAll(async () => {
  await s?.emulator.close();
});

it("a shopper who registers between the preview and the apply is restored by the apply itself", async () => {
  // A pending record of the preview; its shopper creates an account before the merchant applies.
  const pending = await prisma.recordMatch.findFirstOrThrow({ where: { reconciliationId: s.reconciliationId, class: "pending", points: { gt: 0 } }, orderBy: { recordId: "asc" } });
  const record = await prisma.loyaltyRecord.findUniqueOrThrow({ where: { id: pending.recordId } });
  const legacyId = s.emulator.store.customerLegacyId(s.emulator.store.createCustomer({ email: record.email!, firstName: "Late", lastName: "Registration" }));
  const customerId = `gid://shopify/Customer/${legacyId}`;
  // Its customers/create webhook ran then: no pending member existed yet, so nothing was restored.
  expect(await restoreCustomer({ shop: s.shop, customerId, topic: "CUSTOMERS_CREATE", client: s.client })).toMatchObject({ outcome: "no-pending-match" });

  const request = await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: null });
  if (request.outcome !== "enqueued") throw new Error(JSON.stringify(request));
  const runner = new JobRunner({
    handlers: {
      async "migration.apply"({ payload, checkpoint, progress }) {
        const result = await applyMigration({ ...payload, client: s.client, checkpoint, progress });
        if (!("stats" in result)) throw new Error(`${result.outcome}: ${result.message}`);
      },
      async "customer.changed"({ payload }) {
        await restoreCustomer({ shop: s.shop, customerId: payload.customerId, topic: payload.topic, client: s.client });
      },
    },
  });
  const outcomes = await runner.runUntilIdle();
  expect(outcomes.every((o) => o.outcome === "succeeded")).toBe(true);

  const member = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, platformCustomerId: customerId } });
  expect(member).toMatchObject({ state: "visible", balance: record.points });
  expect(member.restoredAt).not.toBeNull();
  expect(await prisma.ledgerEntry.count({ where: { memberId: member.id, kind: "restore" } })).toBe(1);
  expect(storedPoints(s.emulator, customerId)).toBe(record.points);
}, 120_000);
