import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, TOKEN } from "./test-helpers.js";

// The fault kinds beyond HTTP statuses (POST /_emulator/faults { kind }): a request that is never
// answered (timeout) and a 200 whose JSON is cut short, before or after the request is carried out.
async function rawAdmin(emu: ShopifyEmulator, query: string, variables?: Record<string, unknown>): Promise<Response> {
  return fetch(`${emu.url}/admin/api/2026-01/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
    body: JSON.stringify({ query, variables }),
  });
}

const SET_POINTS = `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { id } userErrors { field message code } } }`;

describe("control API: timeouts and malformed JSON", () => {
  let emu: ShopifyEmulator;
  let customer: string;
  beforeAll(async () => {
    emu = await startShopifyEmulator({ seed: 5, customers: 10, orders: 10 });
    customer = `gid://shopify/Customer/${emu.store.customerLegacyId(0)}`;
  });
  afterAll(async () => {
    await emu.close();
  });

  it("timeout: the request is held, then its connection dropped without an answer; the next one is answered", async () => {
    const queued = await control<{ faults: Array<{ kind: string; delayMs: number; status: number }> }>(emu, "POST", "/_emulator/faults", { kind: "timeout", delayMs: 150, count: 1 });
    expect(queued.body.faults).toEqual([{ kind: "timeout", status: 0, delayMs: 150, scope: "admin" }]);
    const started = Date.now();
    await expect(rawAdmin(emu, "{ shop { id } }")).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((await rawAdmin(emu, "{ shop { id } }")).status).toBe(200);
  });

  it("a client's own timeout gives up on a held request", async () => {
    await control(emu, "POST", "/_emulator/faults", { kind: "timeout", count: 1 });
    const res = fetch(`${emu.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({ query: "{ shop { id } }" }),
      signal: AbortSignal.timeout(100),
    });
    await expect(res).rejects.toThrow(/abort|timeout/i);
  });

  it("malformed-json: HTTP 200, JSON content type, a body that does not parse", async () => {
    await control(emu, "POST", "/_emulator/faults", { kind: "malformed-json", count: 2 });
    for (let k = 0; k < 2; k++) {
      const res = await rawAdmin(emu, "{ shop { id } }");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const text = await res.text();
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
    }
    expect((await (await rawAdmin(emu, "{ shop { id } }")).json()) as object).toHaveProperty("data.shop.id");
  });

  it("executed: the mutation is written, only its answer is lost (timeout) or spoiled (malformed JSON)", async () => {
    const write = (value: string) => rawAdmin(emu, SET_POINTS, { m: [{ ownerId: customer, namespace: "$app", key: "points", type: "number_integer", value }] });
    const stored = () => [...(emu.store.metafields.get(customer)?.values() ?? [])].find((m) => m.key === "points")?.value;

    await control(emu, "POST", "/_emulator/faults", { kind: "timeout", delayMs: 50, executed: true, count: 1 });
    await expect(write("41")).rejects.toThrow();
    expect(stored()).toBe("41");

    await control(emu, "POST", "/_emulator/faults", { kind: "malformed-json", executed: true, count: 1 });
    const res = await write("42");
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    expect(stored()).toBe("42");

    // Without `executed` nothing is written.
    await control(emu, "POST", "/_emulator/faults", { kind: "malformed-json", count: 1 });
    await (await write("43")).text();
    expect(stored()).toBe("42");
  });

  it("refuses an unknown kind, and count 0 clears the queue", async () => {
    const bad = await control(emu, "POST", "/_emulator/faults", { kind: "teapot", count: 1 });
    expect(bad.status).toBe(422);
    await control(emu, "POST", "/_emulator/faults", { kind: "timeout", count: 3 });
    const cleared = await control<{ faults: unknown[] }>(emu, "POST", "/_emulator/faults", { count: 0 });
    expect(cleared.body.faults).toEqual([]);
  });
});
