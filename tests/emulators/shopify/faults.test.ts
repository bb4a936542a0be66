import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, gql, TOKEN, until } from "./test-helpers.js";

async function rawAdmin(emu: ShopifyEmulator, query = "{ shop { id } }", token = TOKEN): Promise<Response> {
  return fetch(`${emu.url}/admin/api/2026-01/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query }),
  });
}

async function requests(emu: ShopifyEmulator): Promise<{ admin: number; bulkDownloads: number }> {
  return (await control<{ admin: number; bulkDownloads: number }>(emu, "GET", "/_emulator/requests")).body;
}

describe("control API: fault injection, request counter, customer edits", () => {
  let emu: ShopifyEmulator;
  beforeAll(async () => {
    emu = await startShopifyEmulator({ seed: 11, customers: 60, orders: 180 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("answers the next N Admin API requests with the queued statuses, in order, then recovers", async () => {
    await control(emu, "POST", "/_emulator/faults", { status: 503, count: 2 });
    const r = await control<{ faults: Array<{ status: number }> }>(emu, "POST", "/_emulator/faults", { status: 500, count: 1 });
    expect(r.body.faults.map((f) => f.status)).toEqual([503, 503, 500]);
    const statuses: number[] = [];
    for (let k = 0; k < 4; k++) statuses.push((await rawAdmin(emu)).status);
    expect(statuses).toEqual([503, 503, 500, 200]);
  });

  it("answers 5xx with a plain-text body, not GraphQL", async () => {
    await control(emu, "POST", "/_emulator/faults", { status: 502, count: 1 });
    const res = await rawAdmin(emu);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("502 Bad Gateway");
  });

  it("answers 429 like Shopify: Retry-After header and an errors string", async () => {
    await control(emu, "POST", "/_emulator/faults", { status: 429, count: 1 });
    await control(emu, "POST", "/_emulator/faults", { status: 429, count: 1, retryAfter: 0.5 });
    const first = await rawAdmin(emu);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2.0");
    expect(((await first.json()) as { errors: unknown }).errors).toEqual(expect.stringMatching(/Reduce request rates/));
    const second = await rawAdmin(emu);
    expect(second.headers.get("retry-after")).toBe("0.5");
    expect((await rawAdmin(emu)).status).toBe(200);
  });

  it("clears queued faults with count 0 and refuses statuses it does not emulate", async () => {
    await control(emu, "POST", "/_emulator/faults", { status: 503, count: 5 });
    const cleared = await control<{ faults: unknown[] }>(emu, "POST", "/_emulator/faults", { status: 503, count: 0 });
    expect(cleared.body.faults).toEqual([]);
    expect((await rawAdmin(emu)).status).toBe(200);
    expect((await control(emu, "POST", "/_emulator/faults", { status: 404, count: 1 })).status).toBe(422);
    expect((await control(emu, "POST", "/_emulator/faults", { status: 503, count: -1 })).status).toBe(422);
  });

  it("injects faults before the token is checked (an edge failure), and the token is still checked after", async () => {
    await control(emu, "POST", "/_emulator/faults", { status: 503, count: 1 });
    expect((await rawAdmin(emu, "{ shop { id } }", "shpat_wrong")).status).toBe(503);
    expect((await rawAdmin(emu, "{ shop { id } }", "shpat_wrong")).status).toBe(401);
  });

  it("counts every Admin API request, faulted, refused and throttled ones included", async () => {
    await control(emu, "DELETE", "/_emulator/requests");
    expect(await requests(emu)).toEqual({ admin: 0, bulkDownloads: 0 });
    await control(emu, "POST", "/_emulator/faults", { status: 500, count: 1 });
    await rawAdmin(emu); // faulted
    await rawAdmin(emu, "{ shop { id } }", "shpat_wrong"); // refused
    await control(emu, "POST", "/_emulator/throttle", { currentlyAvailable: 0 });
    const throttled = await gql(emu, "{ customers(first: 50) { nodes { id } } }");
    expect(throttled.body.errors?.[0]?.extensions?.code).toBe("THROTTLED");
    await control(emu, "POST", "/_emulator/throttle", { currentlyAvailable: 2000 });
    await rawAdmin(emu); // ok
    expect((await requests(emu)).admin).toBe(4);
  });

  it("scopes faults to bulk file downloads with scope: bulk, leaving the GraphQL endpoint alone", async () => {
    const run = await gql<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(
      emu,
      `mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
    );
    const id = run.body.data?.bulkOperationRunQuery.bulkOperation.id ?? "";
    const url = await until(async () => {
      const r = await gql<{ bulkOperation: { status: string; url: string | null } }>(emu, `query($id: ID!) { bulkOperation(id: $id) { status url } }`, { id });
      return r.body.data?.bulkOperation.status === "COMPLETED" ? r.body.data.bulkOperation.url : null;
    });
    await control(emu, "DELETE", "/_emulator/requests");
    await control(emu, "POST", "/_emulator/faults", { status: 503, count: 1, scope: "bulk" });
    expect((await rawAdmin(emu)).status).toBe(200);
    expect((await fetch(url)).status).toBe(503);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect((await ok.text()).trim().split("\n")).toHaveLength(emu.store.customerCount);
    expect(await requests(emu)).toEqual({ admin: 1, bulkDownloads: 2 });
  });

  it("edits a customer through the control API, which moves its updatedAt and delivers customers/update", async () => {
    const legacy = emu.store.customerLegacyId(3);
    const before = emu.store.cUpdated[3] ?? 0;
    const since = new Date(Date.now() - 1000).toISOString();
    const r = await control<{ customer: { firstName: string; lastName: string; updatedAt: string }; deliveries: Array<{ topic: string }> }>(
      emu,
      "PATCH",
      `/_emulator/customers/${legacy}`,
      { firstName: "Renomeada", note: "edited" },
    );
    expect(r.status).toBe(200);
    expect(r.body.customer.firstName).toBe("Renomeada");
    expect(r.body.customer.lastName).toBe(emu.store.lastName(3));
    expect(Date.parse(r.body.customer.updatedAt) / 1000).toBeGreaterThan(before);
    expect(r.body.deliveries.map((d) => d.topic)).toEqual(["customers/update"]);

    const q = await gql<{ customers: { nodes: Array<{ id: string; firstName: string; note: string }> } }>(
      emu,
      `query($q: String!) { customers(first: 50, query: $q) { nodes { id firstName note } } }`,
      { q: `updated_at:>='${since}'` },
    );
    expect(q.body.data?.customers.nodes).toEqual([{ id: `gid://shopify/Customer/${legacy}`, firstName: "Renomeada", note: "edited" }]);
  });

  it("edits a customer created through the control API too, and refuses email/phone edits and unknown ids", async () => {
    const created = await control<{ customer: { id: string; legacyResourceId: string } }>(emu, "POST", "/_emulator/customers", {
      firstName: "Ana",
      lastName: "Souza",
      email: "ana.edit@example.com",
      deliver: false,
    });
    const legacy = created.body.customer.legacyResourceId;
    const r = await control<{ customer: { firstName: string; email: string } }>(emu, "POST", `/_emulator/customers/${encodeURIComponent(created.body.customer.id)}`, {
      lastName: "Lima",
      deliver: false,
    });
    expect(r.body.customer).toMatchObject({ firstName: "Ana", lastName: "Lima", email: "ana.edit@example.com" });
    expect((await control(emu, "PATCH", `/_emulator/customers/${legacy}`, { email: "x@example.com" })).status).toBe(422);
    expect((await control(emu, "PATCH", `/_emulator/customers/1`, { firstName: "X" })).status).toBe(404);
  });

  it("filters orders by updated_at:>= (a cancelled order moves to now)", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const j = Array.from({ length: emu.store.orderCount }, (_, k) => k).find((k) => !emu.store.isCancelled(k)) ?? 0;
    await control(emu, "POST", `/_emulator/orders/${emu.store.orderLegacyId(j)}/cancel`, { deliver: false });
    const q = await gql<{ orders: { nodes: Array<{ id: string }> }; ordersCount: { count: number } }>(
      emu,
      `query($q: String!) { orders(first: 50, query: $q) { nodes { id } } ordersCount(query: $q) { count } }`,
      { q: `updated_at:>='${since}'` },
    );
    expect(q.body.data?.orders.nodes.map((o) => o.id)).toEqual([`gid://shopify/Order/${emu.store.orderLegacyId(j)}`]);
    expect(q.body.data?.ordersCount.count).toBe(1);
  });
});
