import { afterEach, describe, expect, it } from "vitest";
import { LeakyBucket } from "./bucket.js";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, control } from "./test-helpers.js";

describe("leaky bucket (40 requests, draining 2/s)", () => {
  it("fills one drop per request and drains with the clock", () => {
    let now = 0;
    const b = new LeakyBucket({ size: 40, leakPerSecond: 2 }, () => now);
    for (let k = 0; k < 40; k++) expect(b.tryAdd()).toBe(true);
    expect(b.tryAdd()).toBe(false);
    expect(b.headers()).toEqual({ "x-rate-limit-limit": "40", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "20000" });
    now += 500; // one drop leaks
    expect(b.tryAdd()).toBe(true);
    expect(b.tryAdd()).toBe(false);
    now += 20_000;
    expect(b.status()).toMatchObject({ level: 0, remaining: 40, resetMs: 0 });
  });
});

describe("rate limiting over HTTP", () => {
  let emu: NuvemshopEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("headers on every response, 429 after 40 quick requests, recovery as time passes", async () => {
    let now = 1_000;
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, clock: () => now });
    const e = emu;
    const first = await api(e, "/customers");
    expect(first.headers.get("x-rate-limit-limit")).toBe("40");
    expect(first.headers.get("x-rate-limit-remaining")).toBe("39");
    expect(first.headers.get("x-rate-limit-reset")).toBe("500");
    const missing = await api(e, "/customers/1");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-rate-limit-remaining")).toBe("38");
    for (let k = 3; k <= 40; k++) {
      const r = await api(e, "/customers");
      expect(r.status).toBe(200);
      expect(r.headers.get("x-rate-limit-remaining")).toBe(String(40 - k));
    }
    const limited = await api<{ code: number; message: string }>(e, "/customers");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 429, message: "Too Many Requests" });
    expect(limited.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(limited.headers.get("x-rate-limit-reset")).toBe("20000");

    now += 1_000; // two requests' worth leaks out
    expect((await api(e, "/customers")).status).toBe(200);
    expect((await api(e, "/customers")).status).toBe(200);
    expect((await api(e, "/customers")).status).toBe(429);

    now += 20_000; // the bucket is empty again
    const fresh = await api(e, "/customers");
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-rate-limit-remaining")).toBe("39");
  });

  it("the control API sets the level and rates (not counted itself)", async () => {
    const now = 0;
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, clock: () => now });
    const set = await control<{ remaining: number }>(emu, "POST", "/_emulator/bucket", { level: 40 });
    expect(set.body.remaining).toBe(0);
    expect((await api(emu, "/customers")).status).toBe(429);
    await control(emu, "POST", "/_emulator/bucket", { size: 400, leakPerSecond: 20 });
    const r = await api(emu, "/customers");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-rate-limit-limit")).toBe("400");
    expect(r.headers.get("x-rate-limit-remaining")).toBe("359");
  });
});
