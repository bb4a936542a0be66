import prisma from "../db.server";
import { platformClientFor } from "../platforms/platform-client.server";
import { applyMigration } from "../services/apply/apply.server";
import { reconcileMigration } from "../services/reconcile/reconcile.server";
import { syncPlatform } from "../services/sync/sync.server";
import { PermanentJobError, type JobHandlers } from "./runner.server";

/** What each job kind does. Handlers are thin: load what the payload names, call one service. */
export const jobHandlers: JobHandlers = {
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
};
