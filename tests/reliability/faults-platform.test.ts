// Fault injection: the platform API failing, from the emulators' fault switches (POST /_emulator/faults,
// /_emulator/throttle, /_emulator/bucket). A seeded schedule queues, before chosen requests of a sync or
// of apply's balance writes, bursts of 5xx, 429s, requests never answered (timeouts), 200s with broken
// JSON and an emptied cost bucket (throttling storms). The clients are the app's, with short backoffs
// and a short request timeout so that a case takes a second.
// - sync (Shopify paged and bulk, Nuvemshop): bursts the client's retries absorb end in a snapshot
//   equal to a fault-free sync's, every customer and order exactly once; a fault longer than the
//   retries fails the sync with a typed, retryable PlatformError, and the sync resumed from its
//   checkpoint ends the same, without reading the stream again from the start;
// - apply: balance writes that fail for good are recorded as push failures and can be pushed again;
//   the ledger equals a fault-free apply's whatever the store answered.
import { afterAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { PlatformError, type PlatformClient } from "~/platforms/platform-client";
import { NuvemshopClient } from "~/platforms/nuvemshop/nuvemshop-client.server";
import { applyMigration, type ApplyResult } from "~/services/apply/apply.server";
import { pushMemberBalance } from "~/services/members/members.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { syncPlatform, type SyncCheckpoint } from "~/services/sync/sync.server";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "../emulators/nuvemshop/server";
import { mulberry32 } from "../emulators/seeded-random";
import { uniqueShop } from "../support/webhooks";
import { applyScenario, differences, installShop, ledgerPicture, shopifyClient, snapshotPicture, startStore, storedBalances } from "./support/fault-scenario";
import { reliabilitySize, Tally } from "./support/record";

const FULL = reliabilitySize() === "full";
const CATEGORY = "faults";
const SIZES = FULL
  ? { store: { customers: 1200, orders: 3000, seed: 73 }, apply: { customers: 600, orders: 1200, seed: 79 }, schedules: 12, applySchedules: 8, nuvemshop: { customers: 600, orders: 1500, seed: 83 } }
  : { store: { customers: 300, orders: 700, seed: 73 }, apply: { customers: 120, orders: 300, seed: 79 }, schedules: 2, applySchedules: 1, nuvemshop: { customers: 200, orders: 400, seed: 83 } };

/** Client settings for tests: the app's retry logic, with waits in milliseconds instead of seconds. */
const FAST = { backoffBaseMs: 5, maxBackoffMs: 40, timeoutMs: 250, bulkPollMs: 10, bulkPollMaxMs: 20 };
// Longer than the clients' request timeout (250 ms): a GraphQL request is abandoned by the client; a bulk download (no timeout, it streams) sees the connection dropped.
const HOLD_MS = 400;

type Fault =
  | { kind: "status"; status: 500 | 502 | 503 | 504; count: number }
  | { kind: "429"; count: number }
  | { kind: "timeout"; count: number; executed?: boolean }
  | { kind: "malformed-json"; count: number; executed?: boolean }
  | { kind: "bucket" };

function describeFault(f: Fault): string {
  if (f.kind === "bucket") return "cost bucket emptied";
  const executed = "executed" in f && f.executed ? " after the work was done" : "";
  if (f.kind === "status") return `${f.count}× HTTP ${f.status}`;
  if (f.kind === "429") return `${f.count}× HTTP 429`;
  return `${f.count}× ${f.kind}${executed}`;
}

/** A burst the client's retries absorb (fewer failures in a row than its 6 tries). */
function randomBurst(random: () => number, platform: "shopify" | "nuvemshop", writes: boolean): Fault {
  const count = 1 + Math.floor(random() * 3);
  const roll = random();
  if (roll < 0.3) return { kind: "status", status: ([500, 502, 503, 504] as const)[Math.floor(random() * 4)]!, count };
  if (roll < 0.5) return { kind: "429", count };
  if (roll < 0.7) return { kind: "timeout", count: Math.min(count, 2), executed: writes && random() < 0.5 };
  if (roll < 0.9 || platform === "nuvemshop") return { kind: "malformed-json", count, executed: writes && random() < 0.5 };
  return { kind: "bucket" };
}

/** Queues a fault on the emulator through its control API. */
async function inject(platform: "shopify" | "nuvemshop", url: string, fault: Fault, scope: "admin" | "bulk" = "admin"): Promise<void> {
  const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let res: Response;
  if (fault.kind === "bucket") {
    res = platform === "shopify" ? await post("/_emulator/throttle", { currentlyAvailable: 0 }) : await post("/_emulator/bucket", { level: 40 });
  } else if (fault.kind === "status") res = await post("/_emulator/faults", { status: fault.status, count: fault.count, scope });
  else if (fault.kind === "429") res = await post("/_emulator/faults", { status: 429, count: fault.count, retryAfter: "0.02", scope });
  else res = await post("/_emulator/faults", { kind: fault.kind, count: fault.count, delayMs: HOLD_MS, executed: fault.executed === true, scope });
  if (!res.ok) throw new Error(`the emulator refused the fault ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
}

/**
 * A fetch for the app's clients that, before the n-th request it forwards, queues the faults the
 * schedule names for n on the emulator. `requests` counts what went through.
 */
function scheduledFetch(platform: "shopify" | "nuvemshop", emulatorUrl: string, schedule: Map<number, Fault[]>) {
  const state = { requests: 0, injected: [] as string[] };
  const impl: typeof fetch = async (input, init) => {
    state.requests += 1;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    for (const fault of schedule.get(state.requests) ?? []) {
      await inject(platform, emulatorUrl, fault, url.includes("/bulk/") ? "bulk" : "admin");
      state.injected.push(`before request ${state.requests}: ${describeFault(fault)}`);
    }
    return fetch(input, init);
  };
  return { fetch: impl, state };
}

/**
 * `bursts` random requests among the first `requests`, each with a random burst; at least 4 requests
 * apart (a burst has at most 3 failures, counted as requests), so that two bursts never join into
 * more failures in a row than the client tries.
 */
function randomSchedule(random: () => number, requests: number, bursts: number, platform: "shopify" | "nuvemshop", writes: boolean): Map<number, Fault[]> {
  const schedule = new Map<number, Fault[]>();
  for (let tries = 0; schedule.size < bursts && tries < bursts * 20; tries++) {
    const at = 1 + Math.floor(random() * requests);
    if ([...schedule.keys()].some((k) => Math.abs(k - at) < 4)) continue;
    schedule.set(at, [randomBurst(random, platform, writes)]);
  }
  return schedule;
}

const tallies = {
  absorbed: new Tally({
    category: CATEGORY,
    check: "sync (Shopify paged and bulk, Nuvemshop) under seeded bursts of 5xx, 429, timeouts, malformed JSON and emptied rate-limit buckets",
    invariants: [
      "the sync completes once the faults stop, or fails with a retryable PlatformError and completes resumed from its checkpoint (a bulk file cut short)",       "every customer and order of the store is in the snapshot exactly once, as a fault-free sync wrote it",
      "the counts (outcome and cursors) are the store's sizes",
    ],
  }),
  resumed: new Tally({
    category: CATEGORY,
    check: "sync under a fault that outlasts the client's retries (7 failures in a row), at a random request",
    invariants: [
      "the sync fails with a PlatformError that says it is retryable (UNAVAILABLE, THROTTLED or BAD_RESPONSE)",
      "resumed from its last checkpoint it completes, without reading the stream from the start again",
      "the snapshot and the counts equal a fault-free sync's",
    ],
  }),
  apply: new Tally({
    category: CATEGORY,
    check: "apply while the store's balance writes fail: absorbed bursts, then a write failing for good, at random requests",
    invariants: [
      "the ledger (entries by idempotency key, balances) equals a fault-free apply's; every balance = the sum of its entries",
      "every balance the store did not take is recorded as a push failure, and the store holds the ledger's balance for every other customer",
      "pushed again (the member screen's push) the store ends with the fault-free apply's balances",
    ],
  }),
};

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const t of Object.values(tallies)) t.flush();
  for (const close of closers) await close();
});

const noProgress = async () => {};

/**
 * Runs a sync as the job runner would: a failure must be a retryable PlatformError, and the next try
 * starts from the last checkpoint (a bulk file that came cut short cannot be absorbed inside the
 * client: it fails typed and retryable, and the resume reads it again).
 */
async function syncResuming(
  sync: (checkpoint: SyncCheckpoint | null, progress: (update: { checkpoint: SyncCheckpoint }) => Promise<void>) => ReturnType<typeof syncPlatform>,
): ReturnType<typeof syncPlatform> {
  let checkpoint: SyncCheckpoint | null = null;
  const progress = async (update: { checkpoint: SyncCheckpoint }) => {
    checkpoint = structuredClone(update.checkpoint);
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await sync(checkpoint, progress);
    } catch (error) {
      if (!(error instanceof PlatformError) || !error.retryable || attempt >= 3) throw error;
    }
  }
}

describe("the platform API failing", () => {
  it("Shopify sync: bursts the retries absorb, and a longer fault resumed from the checkpoint, end as a fault-free sync", async () => {
    const store = await startStore(SIZES.store);
    closers.push(() => store.close());
    const referenceShop = await installShop(uniqueShop("faults-api"));
    const counting = scheduledFetch("shopify", store.url, new Map());
    await syncPlatform({ shop: referenceShop, client: shopifyClient(store, { ...FAST, pageSize: 50, fetch: counting.fetch }), resources: ["customers", "orders"], full: true, checkpoint: null, progress: noProgress, mode: "paged" });
    const expected = await snapshotPicture(referenceShop.id);
    const pagedRequests = counting.state.requests;
    const random = mulberry32(89);

    for (let i = 0; i < SIZES.schedules * 2; i++) {
      const mode = i % 2 === 0 ? "paged" : "bulk";
      const schedule = randomSchedule(random, mode === "paged" ? pagedRequests : 12, mode === "paged" ? 6 : 3, "shopify", false);
      const faulty = scheduledFetch("shopify", store.url, schedule);
      const shop = await installShop(uniqueShop("faults-api"));
      await tallies.absorbed.run(`Shopify ${mode} sync, schedule ${i}`, async () => {
        const client = shopifyClient(store, { ...FAST, pageSize: 50, fetch: faulty.fetch });
        const outcome = await syncResuming((checkpoint, progress) => syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint, progress, mode }));
        const why = `${mode}: ${faulty.state.injected.join("; ")}`;
        expect(faulty.state.injected.length, why).toBeGreaterThan(0);
        expect(outcome, why).toMatchObject({ customers: SIZES.store.customers, orders: SIZES.store.orders });
        const got = await snapshotPicture(shop.id);
        expect(differences(got.customers, expected.customers), why).toEqual([]);
        expect(differences(got.orders, expected.orders), why).toEqual([]);
        expect(got.cursors, why).toEqual(expected.cursors);
      });
      await fetch(`${store.url}/_emulator/faults`, { method: "DELETE" });
    }

    for (let i = 0; i < SIZES.schedules; i++) {
      // In the second half of the pull, so that the resume has something to skip.
      const at = Math.floor(pagedRequests / 2) + Math.floor(random() * Math.floor(pagedRequests / 2));
      const long: Fault = [{ kind: "status", status: 503, count: 7 } as const, { kind: "malformed-json", count: 7 } as const, { kind: "timeout", count: 7 } as const][i % 3]!;
      const faulty = scheduledFetch("shopify", store.url, new Map([[at, [long]]]));
      const shop = await installShop(uniqueShop("faults-api"));
      const client = shopifyClient(store, { ...FAST, pageSize: 50, fetch: faulty.fetch });
      await tallies.resumed.run(`Shopify paged sync, ${describeFault(long)} before request ${at}`, async () => {
        let checkpoint: SyncCheckpoint | null = null;
        const progress = async (update: { checkpoint: SyncCheckpoint }) => {
          checkpoint = structuredClone(update.checkpoint);
        };
        const failed = await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress, mode: "paged" }).then(
          () => null,
          (error: unknown) => error,
        );
        const why = faulty.state.injected.join("; ");
        expect(failed, why).toBeInstanceOf(PlatformError);
        expect(failed, why).toMatchObject({ retryable: true });
        expect(["UNAVAILABLE", "THROTTLED", "BAD_RESPONSE"], why).toContain((failed as PlatformError).code);
        const before = faulty.state.requests;
        const outcome = await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint, progress, mode: "paged" });
        expect(outcome, why).toMatchObject({ customers: SIZES.store.customers, orders: SIZES.store.orders, resumed: checkpoint !== null });
        // The resume reads what was left, not the whole store again.
        expect(faulty.state.requests - before, why).toBeLessThanOrEqual(pagedRequests - at + 4);
        const got = await snapshotPicture(shop.id);
        expect(differences(got.customers, expected.customers), why).toEqual([]);
        expect(differences(got.orders, expected.orders), why).toEqual([]);
        expect(got.cursors, why).toEqual(expected.cursors);
      });
      await fetch(`${store.url}/_emulator/faults`, { method: "DELETE" });
    }
  });

  it("Shopify: a request the store never answers is abandoned at the client's timeout and tried again", { timeout: 60_000 }, async () => {
    // Found here: the Shopify transport had no request timeout, so an unanswered request held the job
    // (its heartbeat stopped) until the socket's own limits. The emulator now holds it for an hour.
    const store = await startStore({ customers: 20, orders: 20, seed: 3 });
    closers.push(() => store.close());
    const shop = await installShop(uniqueShop("faults-api"));
    await tallies.absorbed.run("Shopify sync, a request held for an hour", async () => {
      await fetch(`${store.url}/_emulator/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ kind: "timeout", delayMs: 3_600_000, count: 1 }) });
      const outcome = await syncPlatform({ shop, client: shopifyClient(store, FAST), resources: ["customers", "orders"], full: true, checkpoint: null, progress: noProgress, mode: "paged" });
      expect(outcome).toMatchObject({ customers: 20, orders: 20 });
    });
  });

  it("Nuvemshop sync: bursts the retries absorb end as a fault-free sync", async () => {
    const nuvem: NuvemshopEmulator = await startNuvemshopEmulator({ ...SIZES.nuvemshop, bucket: { size: 40, leakPerSecond: 400 } });
    closers.push(() => nuvem.close());
    const storeId = String(nuvem.store.options.storeId);
    const client = (fetchImpl: typeof fetch): PlatformClient =>
      new NuvemshopClient({ origin: nuvem.url, storeId, accessToken: "nuvemshop_emulator_token", userAgent: "Carryover reliability (faults@carryover.test)", baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 250, perPage: 50, fetch: fetchImpl });
    // One store, one shop: the fault-free sync's snapshot is kept as the expectation, then each faulty
    // sync starts from an empty snapshot.
    const shop = await storeOfflineInstall({ platform: "nuvemshop", domain: storeId, accessToken: "nuvemshop_emulator_token", scope: "read_customers" });
    const counting = scheduledFetch("nuvemshop", nuvem.url, new Map());
    await syncPlatform({ shop, client: client(counting.fetch), resources: ["customers", "orders"], full: true, checkpoint: null, progress: noProgress });
    const expected = await snapshotPicture(shop.id);
    expect(Object.keys(expected.customers)).toHaveLength(SIZES.nuvemshop.customers);
    const random = mulberry32(97);
    for (let i = 0; i < SIZES.schedules; i++) {
      await prisma.platformCustomer.deleteMany({ where: { shopId: shop.id } });
      await prisma.platformOrder.deleteMany({ where: { shopId: shop.id } });
      await prisma.syncCursor.deleteMany({ where: { shopId: shop.id } });
      const faulty = scheduledFetch("nuvemshop", nuvem.url, randomSchedule(random, counting.state.requests, 6, "nuvemshop", false));
      await tallies.absorbed.run(`Nuvemshop sync, schedule ${i}`, async () => {
        const nuvemshop = client(faulty.fetch);
        const outcome = await syncResuming((checkpoint, progress) => syncPlatform({ shop, client: nuvemshop, resources: ["customers", "orders"], full: true, checkpoint, progress }));
        const why = faulty.state.injected.join("; ");
        expect(faulty.state.injected.length, why).toBeGreaterThan(0);
        expect(outcome.customers, why).toBe(SIZES.nuvemshop.customers);
        const got = await snapshotPicture(shop.id);
        expect(differences(got.customers, expected.customers), why).toEqual([]);
        expect(differences(got.orders, expected.orders), why).toEqual([]);
        expect(Object.keys(got.orders).length, why).toBe(Object.keys(expected.orders).length);
      });
      await fetch(`${nuvem.url}/_emulator/faults`, { method: "DELETE" });
    }
  });

  it("apply: balance writes failing are recorded and can be pushed again; the ledger is a fault-free apply's", async () => {
    const reference = await applyScenario(SIZES.apply);
    closers.push(() => reference.emulator.close());
    const counting = scheduledFetch("shopify", reference.emulator.url, new Map());
    const refResult = await applyMigration({
      shopId: reference.shop.id,
      migrationId: reference.migrationId,
      reconciliationId: reference.reconciliationId,
      pilot: null,
      client: shopifyClient(reference.emulator, { ...FAST, fetch: counting.fetch }),
      checkpoint: null,
      progress: noProgress,
    });
    expect(refResult).toMatchObject({ outcome: "applied", pushFailures: [] });
    const expected = { ledger: await ledgerPicture(reference.shop.id, reference.migrationId), store: storedBalances(reference.emulator) };
    const writes = counting.state.requests;
    const random = mulberry32(101);

    for (let i = 0; i < SIZES.applySchedules; i++) {
      const scenario = await applyScenario(SIZES.apply);
      closers.push(() => scenario.emulator.close());
      const schedule = randomSchedule(random, writes, 4, "shopify", true);
      let fatal = 1 + Math.floor(random() * writes);
      while ([...schedule.keys()].some((k) => Math.abs(k - fatal) < 4 && k !== fatal)) fatal = 1 + Math.floor(random() * writes);
      schedule.set(fatal, [{ kind: "status", status: 503, count: 7 }]);
      const faulty = scheduledFetch("shopify", scenario.emulator.url, schedule);
      const client = shopifyClient(scenario.emulator, { ...FAST, fetch: faulty.fetch });
      await tallies.apply.run(`apply, schedule ${i}`, async () => {
        const result = (await applyMigration({
          shopId: scenario.shop.id,
          migrationId: scenario.migrationId,
          reconciliationId: scenario.reconciliationId,
          pilot: null,
          client,
          checkpoint: null,
          progress: noProgress,
        })) as ApplyResult;
        const why = faulty.state.injected.join("; ");
        expect(result.outcome, why).toBe("applied");
        const ledger = await ledgerPicture(scenario.shop.id, scenario.migrationId);
        expect(differences(ledger.entries, expected.ledger.entries), why).toEqual([]);
        expect(differences(ledger.members, expected.ledger.members), why).toEqual([]);
        expect(ledger.drift, why).toBe(0);

        // What the store holds: the ledger's balance, except for the recorded failures.
        const failed = new Set(result.pushFailures.map((f) => f.customerId));
        expect(result.stats.push.failed, why).toBe(result.pushFailures.length);
        expect(failed.size, why).toBeGreaterThan(0);
        const stored = storedBalances(scenario.emulator);
        const members = await prisma.member.findMany({ where: { shopId: scenario.shop.id, state: "visible" }, select: { id: true, platformCustomerId: true, balance: true } });
        const wrong = members.filter((m) => !failed.has(m.platformCustomerId!) && stored[m.platformCustomerId!] !== String(m.balance));
        expect(wrong.map((m) => m.platformCustomerId), why).toEqual([]);

        // Pushed again, one by one, as the member screen does.
        await fetch(`${scenario.emulator.url}/_emulator/faults`, { method: "DELETE" });
        for (const m of members.filter((x) => failed.has(x.platformCustomerId!))) {
          expect(await pushMemberBalance(scenario.shop, m.id, shopifyClient(scenario.emulator, FAST)), why).toMatchObject({ outcome: "pushed" });
        }
        expect(differences(storedBalances(scenario.emulator), expected.store), why).toEqual([]);
      });
      await scenario.emulator.close();
    }
  });
});
