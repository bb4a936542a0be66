import prisma from "../db.server";
import { platformClientFor } from "../platforms/platform-client.server";
import { applyMigration } from "../services/apply/apply.server";
import { checkBalances } from "../services/ledger/ledger.server";
import { earnForOrder } from "../services/earn/earn.server";
import { reconcileMigration } from "../services/reconcile/reconcile.server";
import { restoreCustomer } from "../services/restore/restore.server";
import { rollbackMigration } from "../services/rollback/rollback.server";
import { syncPlatform } from "../services/sync/sync.server";
import type { JobPayloads } from "./queue.server";
import { PermanentJobError, type JobHandlers } from "./runner.server";

/** The shop a webhook job names (by id when enqueued with one, else by platform and domain). */
async function webhookShop(shopId: string | null, payload: JobPayloads["customer.changed"] | JobPayloads["order.changed"]) {
  const shop = shopId
    ? await prisma.shop.findUnique({ where: { id: shopId } })
    : await prisma.shop.findUnique({ where: { platform_domain: { platform: payload.platform, domain: payload.shopDomain } } });
  if (!shop) throw new PermanentJobError(`shop ${payload.platform}:${payload.shopDomain} does not exist`);
  return shop;
}

/** What each job kind does. Handlers are thin: load what the payload names, call one service. */
export const jobHandlers: JobHandlers = {
  async "ledger.check"({ payload, progress }) {
    const result = await checkBalances(payload.shopId);
    await progress({ done: result.members, total: result.members });
    if (result.drift.length > 0) {
      const shown = result.drift.slice(0, 10).map((d) => `member ${d.memberId}: balance ${d.balance}, entries sum to ${d.sumOfEntries}`);
      throw new PermanentJobError(`${result.drift.length} of ${result.members} balances drifted from their ledger entries: ${shown.join("; ")}`);
    }
  },
  async "platform.sync"({ payload, checkpoint, progress }) {
    const shop = await prisma.shop.findUnique({ where: { id: payload.shopId } });
    if (!shop) throw new PermanentJobError(`shop ${payload.shopId} does not exist`);
    const client = await platformClientFor(shop);
    await syncPlatform({ shop, client, resources: payload.resources, full: payload.full, checkpoint, progress });
  },
  async "migration.reconcile"({ payload, progress }) {
    const outcome = await reconcileMigration({ shopId: payload.shopId, migrationId: payload.migrationId, progress });
    if (outcome.outcome === "not-found") throw new PermanentJobError(`migration ${payload.migrationId} does not exist`);
  },
  async "migration.apply"({ payload, checkpoint, progress }) {
    const shop = await prisma.shop.findUnique({ where: { id: payload.shopId } });
    if (!shop) throw new PermanentJobError(`shop ${payload.shopId} does not exist`);
    const client = await platformClientFor(shop);
    const result = await applyMigration({ ...payload, client, checkpoint, progress });
    // A refusal (stale preview, wrong state…) cannot be fixed by retrying: the job fails with its reason.
    if (!("stats" in result)) throw new PermanentJobError(`${result.outcome}: ${result.message}`);
  },
  async "migration.rollback"({ payload, checkpoint, progress }) {
    const shop = await prisma.shop.findUnique({ where: { id: payload.shopId } });
    if (!shop) throw new PermanentJobError(`shop ${payload.shopId} does not exist`);
    const client = await platformClientFor(shop);
    const outcome = await rollbackMigration({ shopId: shop.id, migrationId: payload.migrationId, client, checkpoint, progress });
    if (outcome.outcome === "not-found") throw new PermanentJobError(`migration ${payload.migrationId} does not exist`);
    if (outcome.outcome === "refused") throw new PermanentJobError(`migration ${payload.migrationId} cannot be rolled back: ${outcome.message}`);
  },
  /** Restore on registration (decision 0012); the outcome (restored, conflict and why, no match…) stays on the job. */
  async "customer.changed"({ job, payload, progress }) {
    const shop = await webhookShop(job.shopId, payload);
    const outcome = await restoreCustomer({ shop, customerId: payload.customerId, topic: payload.topic, repush: job.attempts > 1 });
    await progress({ done: 1, total: 1, checkpoint: { outcome } });
  },
  /** Earn or reverse an order's points after go-live (decision 0012); the outcome stays on the job. */
  async "order.changed"({ job, payload, progress }) {
    const shop = await webhookShop(job.shopId, payload);
    const outcome = await earnForOrder({ shop, orderId: payload.orderId, topic: payload.topic, repush: job.attempts > 1 });
    if (outcome.outcome === "invalid-rules") throw new PermanentJobError(`order ${payload.orderId}: the active migration's rules are invalid: ${outcome.reason}`);
    await progress({ done: 1, total: 1, checkpoint: { outcome } });
  },
};
