import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator } from "../../../tests/emulators/shopify/server";
import { PlatformError } from "../platform-client";
import { AdminGraphql, retryAfterMs, type AdminGraphqlOptions } from "./admin-graphql.server";

const TOKEN = "shpat_transport_test";
let emulator: Awaited<ReturnType<typeof startShopifyEmulator>>;
beforeAll(async () => {
  emulator = await startShopifyEmulator({ customers: 30, orders: 60, accessToken: TOKEN });
});
afterAll(() => emulator.close());

const post = (path: string, body: unknown) =>
  fetch(`${emulator.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function transport(sleeps: number[], over: Partial<AdminGraphqlOptions> = {}) {
  return new AdminGraphql({
    origin: emulator.url,
    apiVersion: "2026-01",
    accessToken: TOKEN,
    maxAttempts: 3,
    backoffBaseMs: 10,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
    },
    ...over,
  });
}

describe("AdminGraphql", () => {
  it("reads Retry-After in seconds or as an HTTP date", () => {
    expect(retryAfterMs("2.0")).toBe(2000);
    expect(retryAfterMs("0.25")).toBe(250);
    expect(retryAfterMs("Tue, 01 Dec 2026 13:00:05 GMT", Date.parse("2026-12-01T13:00:00Z"))).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("waits a 429's Retry-After, then succeeds", async () => {
    await post("/_emulator/faults", { status: 429, count: 1, retryAfter: "1.5" });
    const sleeps: number[] = [];
    expect(await transport(sleeps).request<{ shop: { id: string } }>("{ shop { id } }")).toEqual({ shop: { id: expect.any(String) } });
    expect(sleeps).toEqual([1500]);
  });

  it("backs off exponentially on 5xx and gives up after maxAttempts with a retryable UNAVAILABLE", async () => {
    await post("/_emulator/faults", { status: 503, count: 5 });
    const sleeps: number[] = [];
    const error = await transport(sleeps)
      .request("{ shop { id } }")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(sleeps).toEqual([10, 20]);
    await post("/_emulator/faults", { status: 503, count: 0 });
  });

  it("does not count cost-bucket waits as failures", async () => {
    await post("/_emulator/throttle", { currentlyAvailable: 0, restoreRate: 200 });
    const sleeps: number[] = [];
    // maxAttempts 1: any failure would end it, yet the THROTTLED answers are waited out.
    const data = await transport(sleeps, { maxAttempts: 1 }).request<{ customers: { nodes: unknown[] } }>("{ customers(first: 20) { nodes { id } } }", undefined, 22);
    expect(data.customers.nodes).toHaveLength(20);
    expect(sleeps.length).toBeGreaterThan(0);
    await post("/_emulator/throttle", { currentlyAvailable: 2000, restoreRate: 100 });
  });

  it("reports a GraphQL error as a non-retryable BAD_RESPONSE at once", async () => {
    const sleeps: number[] = [];
    const error = await transport(sleeps)
      .request("{ shop { nope } }")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
    expect((error as Error).message).toMatch(/Field 'nope' doesn't exist on type 'Shop'/);
    expect(sleeps).toEqual([]);
  });

  it("downloads with the same retries; a gone file is NOT_FOUND without retrying", async () => {
    const sleeps: number[] = [];
    const t = transport(sleeps);
    const gone = await t.download(`${emulator.url}/bulk/1.jsonl`).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(sleeps).toEqual([]);

    let calls = 0;
    const flaky = transport(sleeps, {
      fetch: async () => {
        calls++;
        if (calls === 1) throw new TypeError("fetch failed");
        if (calls === 2) return new Response("502 Bad Gateway", { status: 502 });
        return new Response('{"id":"gid://shopify/Customer/1"}\n', { status: 200 });
      },
    });
    const res = await flaky.download("https://storage.example/result.jsonl");
    expect(await res.text()).toBe('{"id":"gid://shopify/Customer/1"}\n');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([10, 20]);
  });
});
