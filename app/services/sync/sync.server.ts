import type { Shop } from "@prisma/client";
import { z } from "zod";
import prisma from "../../db.server";
import type { Page, PlatformClient } from "../../platforms/platform-client";
import { openSnapshotWriter, type SnapshotWriter } from "./snapshot-writer.server";

/**
 * Pulls the new store's customers and orders into PlatformCustomer / PlatformOrder.
 *
 * Resumable: after every page the rows are upserted first, then the checkpoint (which resource,
 * the page cursor, counts) is saved; a crash between the two replays one page, which the upsert
 * absorbs. Incremental: a complete pull records the highest `updatedAt` it saw (SyncCursor); the
 * next pull asks only for what changed since then, minus a small overlap for clock skew and
 * same-second writes.
 */
export const SYNC_RESOURCES = ["customers", "orders"] as const;
export type SyncResource = (typeof SYNC_RESOURCES)[number];

const INCREMENTAL_OVERLAP_MS = 5 * 60_000;

const Checkpoint = z.object({
  resource: z.enum(SYNC_RESOURCES).nullable(),
  cursor: z.string().nullable(),
  since: z.partialRecord(z.enum(SYNC_RESOURCES), z.string().nullable()),
  done: z.partialRecord(z.enum(SYNC_RESOURCES), z.number().int()),
  totals: z.partialRecord(z.enum(SYNC_RESOURCES), z.number().int().nullable()),
  maxUpdatedAt: z.partialRecord(z.enum(SYNC_RESOURCES), z.string().nullable()),
  /** When each resource's pull began (a full pull removes the rows it did not see since then). */
  startedAt: z.partialRecord(z.enum(SYNC_RESOURCES), z.string()).default({}),
  removed: z.partialRecord(z.enum(SYNC_RESOURCES), z.number().int()).default({}),
  /**
   * Resources whose stream has been read to its last page (its cursor is then null, as at the start):
   * a job resumed before the resource is finished must not read the whole stream again.
   */
  pulled: z.array(z.enum(SYNC_RESOURCES)).default([]),
  finished: z.array(z.enum(SYNC_RESOURCES)),
});
export type SyncCheckpoint = z.infer<typeof Checkpoint>;

export interface SyncInput {
  shop: Shop;
  client: PlatformClient;
  resources: readonly SyncResource[];
  /** Ignore the incremental cursors and pull everything. */
  full: boolean;
  /** The previous attempt's checkpoint (job runner), or null. */
  checkpoint: unknown;
  progress(update: { done: number; total: number | null; checkpoint: SyncCheckpoint }): Promise<void>;
  mode?: "auto" | "bulk" | "paged";
}

export interface SyncOutcome {
  outcome: "synced";
  customers: number;
  orders: number;
  /** Rows a full pull found gone from the store (deleted there) and removed from the snapshot. */
  removed: Partial<Record<SyncResource, number>>;
  /** Per resource, the instant the pull started from (null: a full pull). */
  since: Partial<Record<SyncResource, string | null>>;
  resumed: boolean;
}

export function parseSyncCheckpoint(value: unknown): SyncCheckpoint | null {
  const parsed = Checkpoint.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The country phones without a country code belong to, when the shop has not told us. */
function defaultCountry(shop: Shop): string {
  return shop.country ?? (shop.platform === "nuvemshop" ? "BR" : "US");
}

export async function syncPlatform(input: SyncInput): Promise<SyncOutcome> {
  const previous = parseSyncCheckpoint(input.checkpoint);
  const state: SyncCheckpoint = previous ?? {
    resource: null,
    cursor: null,
    since: {},
    done: {},
    totals: {},
    maxUpdatedAt: {},
    startedAt: {},
    removed: {},
    pulled: [],
    finished: [],
  };
  const writer = openSnapshotWriter();
  try {
    for (const resource of input.resources) {
      if (state.finished.includes(resource)) continue;
      await pullResource(input, resource, state, writer);
    }
  } finally {
    await writer.close();
  }
  return {
    outcome: "synced",
    customers: state.done.customers ?? 0,
    orders: state.done.orders ?? 0,
    removed: state.removed,
    since: state.since,
    resumed: previous !== null,
  };
}

async function pullResource(input: SyncInput, resource: SyncResource, state: SyncCheckpoint, writer: SnapshotWriter) {
  const { shop } = input;
  if (state.resource !== resource) {
    // First time on this resource in this job: fix where it starts, so a resume uses the same.
    const cursorRow = await prisma.syncCursor.findUnique({ where: { shopId_resource: { shopId: shop.id, resource } } });
    const since = !input.full && cursorRow?.updatedSince ? new Date(cursorRow.updatedSince.getTime() - INCREMENTAL_OVERLAP_MS).toISOString() : null;
    state.resource = resource;
    state.cursor = null;
    state.since[resource] = since;
    state.done[resource] = 0;
    state.maxUpdatedAt[resource] = null;
    state.startedAt[resource] = new Date().toISOString();
    state.pulled = state.pulled.filter((r) => r !== resource);
  }
  const since = state.since[resource];
  const options = { updatedSince: since ? new Date(since) : undefined, cursor: state.cursor, mode: input.mode ?? "auto" };
  const stream: AsyncIterable<Page<{ updatedAt: string }>> = state.pulled.includes(resource)
    ? (async function* () {})()
    : resource === "customers"
      ? input.client.customers(options)
      : input.client.orders(options);
  const country = defaultCountry(shop);

  for await (const page of stream) {
    if (resource === "customers") await writer.customers(shop.id, page.items as never, country);
    else await writer.orders(shop.id, page.items as never);
    let max = state.maxUpdatedAt[resource] ?? null;
    for (const item of page.items) if (max === null || item.updatedAt > max) max = item.updatedAt;
    state.maxUpdatedAt[resource] = max;
    state.done[resource] = (state.done[resource] ?? 0) + page.items.length;
    if (page.total !== null) state.totals[resource] = page.total;
    state.cursor = page.cursor;
    if (page.cursor === null) state.pulled.push(resource);
    await input.progress({ done: totalDone(state), total: totalExpected(state, input.resources), checkpoint: state });
  }

  if (!since && state.startedAt[resource]) {
    // A full pull saw every row the store holds, each one stamped syncedAt ≥ startedAt (or written
    // after it by a fresher source): anything older is gone from the store.
    const stale = { shopId: shop.id, syncedAt: { lt: new Date(state.startedAt[resource]!) } };
    const { count } = resource === "customers" ? await prisma.platformCustomer.deleteMany({ where: stale }) : await prisma.platformOrder.deleteMany({ where: stale });
    state.removed[resource] = count;
  }
  const maxSeen = state.maxUpdatedAt[resource];
  const previous = await prisma.syncCursor.findUnique({ where: { shopId_resource: { shopId: shop.id, resource } } });
  const updatedSince = maxSeen ? new Date(maxSeen) : (previous?.updatedSince ?? null);
  await prisma.syncCursor.upsert({
    where: { shopId_resource: { shopId: shop.id, resource } },
    create: { shopId: shop.id, resource, updatedSince, lastCompletedAt: new Date(), itemsSynced: state.done[resource] ?? 0 },
    update: { updatedSince, lastCompletedAt: new Date(), itemsSynced: state.done[resource] ?? 0 },
  });
  state.finished.push(resource);
  state.resource = null;
  state.cursor = null;
  await input.progress({ done: totalDone(state), total: totalExpected(state, input.resources), checkpoint: state });
}

function totalDone(state: SyncCheckpoint): number {
  return Object.values(state.done).reduce((a, b) => a + (b ?? 0), 0);
}

function totalExpected(state: SyncCheckpoint, resources: readonly SyncResource[]): number | null {
  let total = 0;
  for (const r of resources) {
    const t = state.totals[r];
    if (t == null) return null;
    total += t;
  }
  return total;
}
