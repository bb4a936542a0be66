import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, parseLink } from "./test-helpers.js";

interface Customer {
  id: number;
  name: string;
  email: string | null;
  identification: string | null;
  created_at: string;
  updated_at: string;
}

describe("REST API: auth, pagination, filters", () => {
  let emu: NuvemshopEmulator;
  beforeAll(async () => {
    // A huge bucket so that this file is never throttled (rate limits are tested in ratelimit.test.ts).
    emu = await startNuvemshopEmulator({ customers: 457, orders: 1200, bucket: { size: 100_000, leakPerSecond: 1000 } });
  });
  afterAll(() => emu.close());

  it("needs `Authentication: bearer TOKEN` (not Authorization) and a User-Agent", async () => {
    const good = await api(emu, "/customers?per_page=1");
    expect(good.status).toBe(200);

    const wrong = await api(emu, "/customers", { token: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ code: 401, message: "Unauthorized", description: "Invalid access token" });

    const authorization = await api(emu, "/customers", { token: null, headers: { Authorization: "Bearer nuvemshop_emulator_token" } });
    expect(authorization.status).toBe(401);

    const noUa = await api<{ code: number; message: string }>(emu, "/customers", { userAgent: null });
    expect(noUa.status).toBe(400);
    expect(noUa.body.code).toBe(400);
    expect(noUa.body.message).toBe("Bad Request");

    const versioned = await fetch(`${emu.url}/2025-03/${emu.store.options.storeId}/customers?per_page=1`, { headers: { Authentication: "bearer nuvemshop_emulator_token", "User-Agent": "x" } });
    expect(versioned.status).toBe(200);

    const otherStore = await fetch(`${emu.url}/v1/999/customers`, { headers: { Authentication: "bearer nuvemshop_emulator_token", "User-Agent": "x" } });
    expect(otherStore.status).toBe(401);
  });

  it("404 in Nuvemshop's shape for an unknown id", async () => {
    const r = await api(emu, "/customers/1");
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 404, message: "Not Found" });
    const o = await api(emu, "/orders/42");
    expect(o.status).toBe(404);
  });

  it("walks every customer exactly once following Link rel=next, with X-Total-Count", async () => {
    const seen: number[] = [];
    let next: string | undefined = `/customers?per_page=50`;
    let pages = 0;
    while (next) {
      const r: Awaited<ReturnType<typeof api<Customer[]>>> = await api<Customer[]>(emu, next);
      expect(r.status).toBe(200);
      expect(r.headers.get("x-total-count")).toBe("457");
      seen.push(...r.body.map((c) => c.id));
      const links = parseLink(r.headers.get("link"));
      if (pages === 0) expect(links.last).toContain("page=10");
      next = links.next;
      pages++;
    }
    expect(pages).toBe(10);
    expect(seen).toHaveLength(457);
    expect(new Set(seen).size).toBe(457);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen).toEqual(Array.from({ length: 457 }, (_, i) => emu.store.customerId(i)));
  });

  it("defaults to 30 per page, caps per_page at 200 and answers 404 past the last page", async () => {
    expect((await api<Customer[]>(emu, "/customers")).body).toHaveLength(30);
    expect((await api<Customer[]>(emu, "/customers?per_page=500")).body).toHaveLength(200);
    const past = await api(emu, "/customers?page=99&per_page=200");
    expect(past.status).toBe(404);
    expect(past.body).toMatchObject({ code: 404, description: "Last page is 3" });
  });

  it("customer fields in Nuvemshop's shape", async () => {
    const id = emu.store.customerId(3);
    const r = await api<Record<string, unknown>>(emu, `/customers/${id}`);
    expect(r.status).toBe(200);
    for (const k of ["id", "name", "email", "phone", "identification", "note", "default_address", "addresses", "billing_address", "billing_zipcode", "total_spent", "total_spent_currency", "last_order_id", "active", "accepts_marketing", "created_at", "updated_at", "extra"]) {
      expect(r.body).toHaveProperty(k);
    }
    expect(r.body.id).toBe(id);
    expect(r.body.total_spent_currency).toBe("BRL");
    expect(String(r.body.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const only = await api<Record<string, unknown>>(emu, `/customers/${id}?fields=id,email`);
    expect(Object.keys(only.body).sort()).toEqual(["email", "id"]);
  });

  it("since_id returns only later ids", async () => {
    const after = emu.store.customerId(400);
    const r = await api<Customer[]>(emu, `/customers?since_id=${after}&per_page=200`);
    expect(r.headers.get("x-total-count")).toBe("56");
    expect(r.body.every((c) => c.id > after)).toBe(true);
    expect(r.body[0]?.id).toBe(emu.store.customerId(401));
  });

  it("updated_at_min / created_at_max filter on the dates", async () => {
    const min = "2026-09-01T00:00:00-03:00";
    const minSec = Date.parse(min) / 1000;
    const expected = Array.from({ length: 457 }, (_, i) => i).filter((i) => (emu.store.cUpdated[i] ?? 0) >= minSec).map((i) => emu.store.customerId(i));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(457);
    const r = await api<Customer[]>(emu, `/customers?updated_at_min=${encodeURIComponent(min)}&per_page=200`);
    expect(Number(r.headers.get("x-total-count"))).toBe(expected.length);
    const all: number[] = [];
    for (let p = 1; p <= Math.ceil(expected.length / 200); p++) {
      const page = await api<Customer[]>(emu, `/customers?updated_at_min=${encodeURIComponent(min)}&per_page=200&page=${p}`);
      all.push(...page.body.map((c) => c.id));
      for (const c of page.body) expect(Date.parse(c.updated_at.replace(/(\d\d)(\d\d)$/, "$1:$2")) / 1000).toBeGreaterThanOrEqual(minSec);
    }
    expect(all).toEqual(expected);
    const old = await api<Customer[]>(emu, `/customers?created_at_max=2025-01-01`);
    expect(Number(old.headers.get("x-total-count"))).toBeLessThan(457);
  });

  it("q searches name, email and CPF digits", async () => {
    const i = Array.from({ length: 457 }, (_, k) => k).find((k) => emu.store.identification(k) !== null && emu.store.email(k) !== null) ?? 0;
    const cpf = (emu.store.identification(i) ?? "").replace(/\D/g, "");
    const r = await api<Customer[]>(emu, `/customers?q=${cpf}`);
    expect(r.body.map((c) => c.id)).toContain(emu.store.customerId(i));
    const email = (emu.store.email(i) ?? "").trim().toUpperCase();
    const byEmail = await api<Customer[]>(emu, `/customers?q=${encodeURIComponent(email)}`);
    expect(byEmail.body.map((c) => c.id)).toContain(emu.store.customerId(i));
  });

  it("orders: filters on status, payment_status, customer_ids and since_id", async () => {
    const cancelled = await api<Array<{ status: string; cancelled_at: string | null; cancel_reason: string | null }>>(emu, "/orders?status=cancelled&per_page=200");
    expect(cancelled.body.length).toBeGreaterThan(0);
    expect(cancelled.body.every((o) => o.status === "cancelled" && o.cancelled_at !== null && o.cancel_reason !== null)).toBe(true);
    const paid = await api<Array<{ payment_status: string; paid_at: string | null }>>(emu, "/orders?payment_status=paid&per_page=200");
    expect(paid.body.every((o) => o.payment_status === "paid" && o.paid_at !== null)).toBe(true);
    const bad = await api(emu, "/orders?status=bogus");
    expect(bad.status).toBe(422);

    const heavy = Array.from({ length: 457 }, (_, k) => k).sort((a, b) => emu.store.ordersOf(b).length - emu.store.ordersOf(a).length)[0] ?? 0;
    const cid = emu.store.customerId(heavy);
    const mine = await api<Array<{ id: number; customer: { id: number } }>>(emu, `/orders?customer_ids=${cid}&per_page=200`);
    expect(Number(mine.headers.get("x-total-count"))).toBe(emu.store.ordersOf(heavy).length);
    expect(mine.body.length).toBeGreaterThan(3);
    expect(mine.body.every((o) => o.customer.id === cid)).toBe(true);

    const after = emu.store.orderId(1100);
    const since = await api<Array<{ id: number }>>(emu, `/orders?since_id=${after}&per_page=200`);
    expect(since.headers.get("x-total-count")).toBe("99");
    expect(since.body.every((o) => o.id > after)).toBe(true);
  });
});
