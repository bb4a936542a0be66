// Apply's throughput, opt-in: APPLY_BENCH=<customers> (e.g. 50000) runs it; otherwise skipped.
// Prints members/s for the ledger alone (a store that accepts every balance at once) and with the
// pushes to the Shopify emulator (its bucket set generously: the API's own rate is the platform's limit).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { applyMigration } from "~/services/apply/apply.server";
import { migrationReport } from "~/services/apply/report.server";
import { applyScenario, type Scenario } from "./apply-scenario";

const CUSTOMERS = Number(process.env.APPLY_BENCH ?? 0);

describe.skipIf(!CUSTOMERS)(`apply throughput (${CUSTOMERS} customers)`, () => {
  let ledgerOnly: Scenario;
  let pushed: Scenario;
  beforeAll(async () => {
    ledgerOnly = await applyScenario({ customers: CUSTOMERS, orders: CUSTOMERS * 2, seed: 31, mode: "bulk", throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
    pushed = await applyScenario({ customers: CUSTOMERS, orders: CUSTOMERS * 2, seed: 31, mode: "bulk", throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
  }, 1_800_000);
  afterAll(async () => {
    await ledgerOnly?.emulator.close();
    await pushed?.emulator.close();
  });

  async function run(s: Scenario, client: PlatformClient, label: string) {
    const records = s.preview.members.matched + s.preview.members.pending;
    const started = performance.now();
    const result = await applyMigration({ shopId: s.shop.id, migrationId: s.migrationId, reconciliationId: s.reconciliationId, pilot: null, client, checkpoint: null, progress: async () => {} });
    const seconds = (performance.now() - started) / 1000;
    if (!("stats" in result)) throw new Error(JSON.stringify(result));
    const members = await prisma.member.count({ where: { shopId: s.shop.id } });
    console.log(
      `[apply bench] ${label}: ${records} records (${s.preview.members.matched} matched, ${s.preview.members.pending} pending) + ${result.stats.retroactive.orders} retroactive orders → ${members} members in ${seconds.toFixed(1)} s = ${Math.round(members / seconds)} members/s, ${Math.round((records + result.stats.retroactive.orders) / seconds)} items/s; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
    );
    expect((await migrationReport({ shopId: s.shop.id, migrationId: s.migrationId }))?.identity.holds).toBe(true);
  }

  it("ledger only", async () => {
    const accepting: PlatformClient = Object.assign(Object.create(ledgerOnly.client) as PlatformClient, {
      writeBalances: async (b: unknown[]) => ({ written: b.length, failed: [] }),
    });
    await run(ledgerOnly, accepting, "ledger only");
  }, 1_800_000);

  it("with pushes to the emulator", async () => {
    await run(pushed, pushed.client, "ledger + push");
  }, 1_800_000);
});
