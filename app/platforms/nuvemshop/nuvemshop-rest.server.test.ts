import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_TOKEN, startNuvemshopEmulator, type NuvemshopEmulator } from "../../../tests/emulators/nuvemshop/server";
import { PlatformError } from "../platform-client";
import { NuvemshopRest, RateLimitPacer, type NuvemshopRestOptions } from "./nuvemshop-rest.server";

const headers = (limit: number, remaining: number, reset: number) =>
  new Headers({ "x-rate-limit-limit": String(limit), "x-rate-limit-remaining": String(remaining), "x-rate-limit-reset": String(reset) });

describe("RateLimitPacer", () => {
  it("goes at once while the bucket has room beyond the reserve", () => {
    const pacer = new RateLimitPacer(4);
    expect(pacer.delayMs(0)).toBe(0);
    pacer.observe(headers(40, 39, 500), 0);
    expect(pacer.delayMs(0)).toBe(0);
    pacer.observe(headers(40, 5, 17_500), 0);
    expect(pacer.delayMs(0)).toBe(0);
  });

  it("waits for the drops it needs, at the leak rate the headers imply (level / reset)", () => {
    const pacer = new RateLimitPacer(4);
    pacer.observe(headers(40, 4, 18_000), 1000); // 36 drops draining in 18 s: 2 per second
    expect(pacer.delayMs(1000)).toBe(500); // one more drop to keep 4 free
    expect(pacer.delayMs(1250)).toBe(250);
    expect(pacer.delayMs(1500)).toBe(0);
    pacer.observe(headers(40, 0, 20_000), 2000); // a 429: full
    expect(pacer.delayMs(2000)).toBe(2500);
    // The larger plans (400, 20/s) keep the same reserve, and wait a tenth as long.
    const big = new RateLimitPacer(4);
    big.observe(headers(400, 0, 20_000), 0);
    expect(big.delayMs(0)).toBe(250);
  });

  it("keeps a tenth of a small bucket at most, and ignores answers without the headers", () => {
    const pacer = new RateLimitPacer(4);
    pacer.observe(headers(10, 1, 4500), 0); // reserve 1 on a bucket of 10, 2 drops/s
    expect(pacer.delayMs(0)).toBe(500);
    pacer.observe(new Headers(), 0);
    expect(pacer.estimatedRemaining(0)).toBe(1);
  });
});

describe("NuvemshopRest against the emulator", () => {
  let emu: NuvemshopEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  /** A transport whose sleeps advance a fake clock shared with the emulator's bucket. */
  function transport(e: NuvemshopEmulator, clock: { now: number; slept: number[] }, overrides: Partial<NuvemshopRestOptions> = {}) {
    return new NuvemshopRest({
      origin: e.url,
      storeId: e.store.options.storeId,
      accessToken: DEFAULT_ACCESS_TOKEN,
      userAgent: "Carryover tests (dev@carryover.test)",
      now: () => clock.now,
      sleep: async (ms) => {
        clock.slept.push(ms);
        clock.now += ms;
      },
      random: () => 0.5,
      ...overrides,
    });
  }

  it("sends Authentication: bearer and the User-Agent on the documented versioned path", async () => {
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3 });
    const clock = { now: 0, slept: [] as number[] };
    const rest = transport(emu, clock);
    expect(rest.baseUrl).toBe(`${emu.url}/2025-03/${emu.store.options.storeId}`);
    const res = await rest.get<unknown[]>("/customers");
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(3);
    expect(() => transport(emu!, clock, { userAgent: " " })).toThrow(/User-Agent/);
  });

  it("a refused token is UNAUTHORIZED at once, never retried", async () => {
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3 });
    const clock = { now: 0, slept: [] as number[] };
    const error = await transport(emu, clock, { accessToken: "wrong" })
      .get("/customers")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED", retryable: false });
    expect(emu.requestCount).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it("paces 150 requests through the 40 / 2 per second bucket without a single 429", async () => {
    const clock = { now: 0, slept: [] as number[] };
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3, clock: () => clock.now });
    const rest = transport(emu, clock);
    for (let k = 0; k < 150; k++) await rest.get("/customers", { query: { per_page: 1 } });
    const stats = (await (await fetch(`${emu.url}/_emulator/requests`)).json()) as { count: number; byStatus: Record<string, number> };
    expect(stats).toEqual({ count: 150, byStatus: { 200: 150 } });
    // 36 at once (4 kept free), then one per leaked drop: about (150 - 36) / 2 seconds.
    expect(clock.now).toBeGreaterThanOrEqual(56_000);
    expect(clock.now).toBeLessThanOrEqual(58_000);
  });

  it("waits out a 429 from the headers, then succeeds", async () => {
    const clock = { now: 0, slept: [] as number[] };
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3, clock: () => clock.now });
    await fetch(`${emu.url}/_emulator/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: 429 }) });
    const res = await transport(emu, clock).get("/customers");
    expect(res.status).toBe(200);
    // The full bucket needs 2.5 s to leave 5 requests of room (4 kept free + this one); the backoff
    // (375 ms) counts towards it.
    expect(clock.slept).toEqual([375, 2125]);
    expect(emu.requestCount).toBe(2);
  });

  it("retries 5xx with growing backoff and gives up UNAVAILABLE (retryable) after maxAttempts", async () => {
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3 });
    const clock = { now: 0, slept: [] as number[] };
    const post = (body: unknown) => fetch(`${emu!.url}/_emulator/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await post({ status: 503, count: 2 });
    expect((await transport(emu, clock).get("/customers")).status).toBe(200);
    expect(clock.slept).toEqual([375, 750]); // 500 then 1000 ms, jittered to 3/4 with random() = 0.5

    await post({ status: 502, count: 10 });
    clock.slept = [];
    const error = await transport(emu, clock, { maxAttempts: 3 })
      .get("/customers")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect((error as Error).message).toMatch(/HTTP 502/);
    expect(clock.slept).toHaveLength(2);
  });

  it("hands back the statuses the caller accepts; other 4xx are BAD_RESPONSE / NOT_FOUND, not retried", async () => {
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3 });
    const clock = { now: 0, slept: [] as number[] };
    const rest = transport(emu, clock);
    expect((await rest.get("/customers/1", { accept: [404] })).status).toBe(404);
    await expect(rest.get("/customers/1")).rejects.toMatchObject({ code: "NOT_FOUND", retryable: false });
    const invalid = await rest.request("POST", "/metafields", { body: { owner_resource: "Customer" } }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
    expect((invalid as Error).message).toMatch(/namespace can't be blank/);
    expect(clock.slept).toEqual([]);
  });

  it("after a 401, rereads the token and retries once with a newer one (a new authorization replaced it); the same token is refused", async () => {
    emu = await startNuvemshopEmulator({ customers: 3, orders: 3, appId: 77, appSecret: "secret_for_reload", redirectUrl: "https://app.example/nuvemshop/callback" });
    const auth = await fetch(`${emu.url}/apps/77/authorize?state=s`, { redirect: "manual" });
    const code = new URL(auth.headers.get("location") ?? "http://x/").searchParams.get("code");
    const res = await fetch(`${emu.url}/apps/authorize/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: "77", client_secret: "secret_for_reload", grant_type: "authorization_code", code }),
    });
    const fresh = ((await res.json()) as { access_token: string }).access_token;
    const clock = { now: 0, slept: [] as number[] };
    let stored = fresh;
    let reloads = 0;
    const rest = transport(emu, clock, {
      reloadToken: async () => {
        reloads += 1;
        return stored;
      },
    });
    expect((await rest.get("/store")).status).toBe(200);
    expect(reloads).toBe(1);
    expect((await rest.get("/store")).status).toBe(200);
    expect(reloads).toBe(1); // the new token stays in use
    await fetch(`${emu.url}/_emulator/uninstall`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ deliver: false }) });
    stored = fresh; // storage has nothing newer: the 401 stands
    await expect(rest.get("/store")).rejects.toMatchObject({ code: "UNAUTHORIZED", retryable: false });
    expect(reloads).toBe(2);
  });

  it("reports an unreachable API as UNAVAILABLE after its retries", async () => {
    const clock = { now: 0, slept: [] as number[] };
    const rest = new NuvemshopRest({
      origin: "http://127.0.0.1:9",
      storeId: 1,
      accessToken: "x",
      userAgent: "Carryover tests (dev@carryover.test)",
      maxAttempts: 3,
      sleep: async (ms) => void clock.slept.push(ms),
    });
    await expect(rest.get("/customers")).rejects.toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(clock.slept).toHaveLength(2);
  });
});
