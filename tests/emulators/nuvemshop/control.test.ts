import { afterEach, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, control } from "./test-helpers.js";

interface Customer {
  id: number;
  name: string;
  email: string | null;
  identification: string | null;
  updated_at: string;
}

describe("control API: faults, request counter, customer changes", () => {
  let emu: NuvemshopEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("POST /_emulator/faults answers the next N API requests with that status, queued in order; count 0 clears", async () => {
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, bucket: { size: 1000, leakPerSecond: 100 } });
    const e = emu;
    expect((await control(e, "POST", "/_emulator/faults", { status: 503, count: 2 })).body).toEqual({ faults: [{ status: 503, count: 2 }] });
    await control(e, "POST", "/_emulator/faults", { status: 500, count: 1 });
    const statuses: number[] = [];
    for (let k = 0; k < 4; k++) statuses.push((await api(e, "/customers?per_page=1")).status);
    expect(statuses).toEqual([503, 503, 500, 200]);

    expect((await api(e, "/customers")).status).toBe(200);
    await control(e, "POST", "/_emulator/faults", { status: 502, count: 50 });
    expect((await api<{ code: number; message: string }>(e, "/store")).body).toMatchObject({ code: 502, message: "Bad Gateway" });
    expect(e.faults).toEqual([{ status: 502, count: 49 }]);
    expect((await control(e, "POST", "/_emulator/faults", { status: 502, count: 0 })).body).toEqual({ faults: [] });
    expect((await api(e, "/store")).status).toBe(200);

    expect((await control(e, "POST", "/_emulator/faults", { status: 404, count: 1 })).status).toBe(422);
    // The control API itself is never faulted.
    await control(e, "POST", "/_emulator/faults", { status: 503, count: 1 });
    expect((await control(e, "GET", "/_emulator/health")).status).toBe(200);
  });

  it("an injected 429 fills the bucket and carries the rate-limit headers, like a real one", async () => {
    let now = 0;
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, clock: () => now });
    await control(emu, "POST", "/_emulator/faults", { status: 429 });
    const r = await api<{ code: number }>(emu, "/customers");
    expect(r.status).toBe(429);
    expect(r.body.code).toBe(429);
    expect(r.headers.get("x-rate-limit-limit")).toBe("40");
    expect(r.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(r.headers.get("x-rate-limit-reset")).toBe("20000");
    // The bucket really is full: the next request is throttled until a drop leaks.
    expect((await api(emu, "/customers")).status).toBe(429);
    now += 500;
    expect((await api(emu, "/customers")).status).toBe(200);
  });

  it("counts every API request (failed and throttled ones included), never the control API", async () => {
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5, bucket: { size: 2, leakPerSecond: 0.001 } });
    const e = emu;
    await control(e, "POST", "/_emulator/faults", { status: 503 });
    await api(e, "/customers"); // 503 (fault)
    await api(e, "/customers"); // 200
    await api(e, "/customers/1"); // 404
    await api(e, "/customers"); // 429 (bucket of 2)
    await api(e, "/customers", { token: "wrong" }); // 401
    await control(e, "GET", "/_emulator/health");
    const counted = await control<{ count: number; byStatus: Record<string, number> }>(e, "GET", "/_emulator/requests");
    expect(counted.body).toEqual({ count: 5, byStatus: { 200: 1, 401: 1, 404: 1, 429: 1, 503: 1 } });
    expect(e.requestCount).toBe(5);
    expect((await control(e, "DELETE", "/_emulator/requests")).body).toEqual({ count: 0, byStatus: {} });
  });

  it("PUT /_emulator/customers/{id} changes a customer and moves updated_at, which updated_at_min and since_id see", async () => {
    emu = await startNuvemshopEmulator({ customers: 300, orders: 10, referenceDate: "2024-01-01T00:00:00Z", bucket: { size: 1000, leakPerSecond: 100 } });
    const e = emu;
    const since = new Date(Date.now() - 1000).toISOString();
    const none = await api<Customer[]>(e, `/customers?updated_at_min=${encodeURIComponent(since)}`);
    expect(none.body).toEqual([]);

    const target = e.store.customerId(17);
    const changed = await control<{ customer: Customer; webhooks: unknown[] }>(e, "PUT", `/_emulator/customers/${target}`, { name: "Renata Prado", identification: "529.982.247-25", deliver: false });
    expect(changed.status).toBe(200);
    expect(changed.body.customer).toMatchObject({ id: target, name: "Renata Prado", identification: "529.982.247-25" });
    expect(Date.parse(changed.body.customer.updated_at.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"))).toBeGreaterThanOrEqual(Date.parse(since) - 1000);

    const created = await control<{ customer: Customer }>(e, "POST", "/_emulator/customers", { name: "Nova Cliente", email: "nova@example.com", deliver: false });
    const recent = await api<Customer[]>(e, `/customers?updated_at_min=${encodeURIComponent(since)}`);
    expect(recent.body.map((c) => c.id)).toEqual([target, created.body.customer.id]);
    expect(recent.headers.get("x-total-count")).toBe("2");

    // since_id walks continue past the change and reach the new customer.
    const after = await api<Customer[]>(e, `/customers?updated_at_min=${encodeURIComponent(since)}&since_id=${target}`);
    expect(after.body.map((c) => c.id)).toEqual([created.body.customer.id]);
    // The API and the order's embedded customer show the new name; q finds it.
    expect((await api<Customer>(e, `/customers/${target}`)).body.name).toBe("Renata Prado");
    expect((await api<Customer[]>(e, `/customers?q=renata%20prado`)).body.map((c) => c.id)).toEqual([target]);

    expect((await control(e, "PUT", "/_emulator/customers/1", { name: "x" })).status).toBe(404);
    expect((await control(e, "PUT", `/_emulator/customers/${target}`, { name: " " })).status).toBe(422);
  });

  it("reset forgets queued faults", async () => {
    emu = await startNuvemshopEmulator({ customers: 5, orders: 5 });
    await control(emu, "POST", "/_emulator/faults", { status: 503, count: 3 });
    await control(emu, "POST", "/_emulator/reset", {});
    expect((await api(emu, "/customers")).status).toBe(200);
  });
});
