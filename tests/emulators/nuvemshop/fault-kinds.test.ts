import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { control, TOKEN, UA } from "./test-helpers.js";

// The fault kinds beyond HTTP statuses (POST /_emulator/faults { kind }): a request that is never
// answered (timeout) and a 200 whose JSON is cut short, before or after the request is carried out.
describe("control API: timeouts and malformed JSON", () => {
  let emu: NuvemshopEmulator;
  const headers = { Authentication: `bearer ${TOKEN}`, "User-Agent": UA };
  const get = (path: string) => fetch(`${emu.url}/v1/${emu.store.options.storeId}${path}`, { headers });
  beforeAll(async () => {
    emu = await startNuvemshopEmulator({ seed: 3, customers: 10, orders: 10 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("timeout: held, then the connection dropped without an answer; the next request is answered", async () => {
    const queued = await control<{ faults: unknown[] }>(emu, "POST", "/_emulator/faults", { kind: "timeout", delayMs: 120, count: 1 });
    expect(queued.body.faults).toEqual([{ kind: "timeout", status: 0, count: 1, delayMs: 120 }]);
    await expect(get("/customers")).rejects.toThrow();
    expect((await get("/customers")).status).toBe(200);
  });

  it("malformed-json: HTTP 200, JSON content type, a body that does not parse", async () => {
    await control(emu, "POST", "/_emulator/faults", { kind: "malformed-json", count: 1 });
    const res = await get("/customers");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    expect(Array.isArray(await (await get("/customers")).json())).toBe(true);
  });

  it("executed: a metafield is written, only the answer is spoiled", async () => {
    const customerId = emu.store.customerId(0);
    await control(emu, "POST", "/_emulator/faults", { kind: "malformed-json", executed: true, count: 1 });
    const res = await fetch(`${emu.url}/v1/${emu.store.options.storeId}/metafields`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ namespace: "carryover", key: "points", value: "7", owner_resource: "Customer", owner_id: customerId }),
    });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    const stored = (await (await get(`/metafields/customers?owner_id=${customerId}`)).json()) as Array<{ key: string; value: string }>;
    expect(stored.find((m) => m.key === "points")?.value).toBe("7");
  });

  it("refuses an unknown kind", async () => {
    expect((await control(emu, "POST", "/_emulator/faults", { kind: "teapot", count: 1 })).status).toBe(422);
  });
});
