import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator } from "../../../tests/emulators/shopify/server";
import { PlatformError } from "../platform-client";
import { AdminGraphql } from "./admin-graphql.server";
import { ShopifyClient } from "./shopify-client.server";

// The production Shopify client against the local emulator of the Admin GraphQL API.
describe("ShopifyClient against the Admin API emulator", () => {
  let emulator: Awaited<ReturnType<typeof startShopifyEmulator>>;
  const accessToken = "shpat_contract_test";

  beforeAll(async () => {
    emulator = await startShopifyEmulator({ customers: 12_345, orders: 321, seed: 3, accessToken });
  });
  afterAll(() => emulator.close());

  const client = (token = accessToken, sleeps: number[] = []) =>
    new ShopifyClient({
      origin: emulator.url,
      apiVersion: "2026-01",
      accessToken: token,
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, Math.min(ms, 50)));
      },
    });

  it("reads exact counts, even above Shopify's default count limit of 10,000", async () => {
    expect(await client().storeCounts()).toEqual({ customers: 12_345, orders: 321 });
  });

  it("reports a refused token as UNAUTHORIZED without retrying", async () => {
    const sleeps: number[] = [];
    const error = await client("shpat_wrong", sleeps).storeCounts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).code).toBe("UNAUTHORIZED");
    expect(sleeps).toEqual([]);
  });

  it("waits for the bucket and retries when Shopify answers THROTTLED", async () => {
    await fetch(`${emulator.url}/_emulator/throttle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // A slow refill (the 2-point query fits again only after 200 ms) so the next request is surely throttled.
      body: JSON.stringify({ currentlyAvailable: 0, restoreRate: 10 }),
    });
    const sleeps: number[] = [];
    expect(await client(accessToken, sleeps).storeCounts()).toEqual({ customers: 12_345, orders: 321 });
    expect(sleeps.length).toBeGreaterThan(0);
    await fetch(`${emulator.url}/_emulator/throttle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ currentlyAvailable: 2000, restoreRate: 100 }),
    });
  });

  it("tracks the bucket from extensions.cost and waits before a query that would not fit", async () => {
    const sleeps: number[] = [];
    const graphql = new AdminGraphql({
      origin: emulator.url,
      apiVersion: "2026-01",
      accessToken,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await graphql.request("{ shop { id } }");
    const available = graphql.estimatedAvailable();
    expect(available).not.toBeNull();
    await fetch(`${emulator.url}/_emulator/throttle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ currentlyAvailable: 5, restoreRate: 100 }),
    });
    // The next answer reports the low bucket; the request after it must wait first.
    await graphql.request("{ shop { id } }", undefined, 1);
    sleeps.length = 0;
    await graphql.request("{ shop { id } }", undefined, 500).catch(() => undefined);
    expect(sleeps[0]).toBeGreaterThan(0);
  });

  it("reports an unreachable platform as UNAVAILABLE after its retries", async () => {
    const sleeps: number[] = [];
    const unreachable = new ShopifyClient({ origin: "http://127.0.0.1:9", apiVersion: "2026-01", accessToken, maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) });
    const error = await unreachable.storeCounts().catch((e: unknown) => e);
    expect((error as PlatformError).code).toBe("UNAVAILABLE");
    expect(sleeps).toHaveLength(2);
  });
});
