import { createHmac, timingSafeEqual } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, control, startReceiver } from "./test-helpers.js";

const SECRET = "app_secret_for_tests";

function verify(body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(createHmac("sha256", SECRET).update(body).digest("hex"));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe("webhooks", () => {
  let emu: NuvemshopEmulator | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await emu?.close();
    await receiver?.close();
    emu = undefined;
    receiver = undefined;
  });

  async function start(extra: Parameters<typeof startNuvemshopEmulator>[0] = {}) {
    receiver = await startReceiver();
    emu = await startNuvemshopEmulator({ customers: 30, orders: 60, appUrl: receiver.url, appSecret: SECRET, bucket: { size: 10_000, leakPerSecond: 1000 }, ...extra });
    return { emu, receiver };
  }

  it("a new customer delivers customer/created {store_id, event, id}, signed with hex HMAC of the raw body", async () => {
    const { emu, receiver } = await start();
    const r = await control<{ customer: { id: number; email: string } }>(emu, "POST", "/_emulator/customers", { name: "Conceição Araújo", email: " Conceicao.Araujo@Example.COM ", identification: "529.982.247-25" });
    expect(r.status).toBe(201);
    expect(receiver.received).toHaveLength(1);
    const hit = receiver.received[0];
    if (!hit) throw new Error("no delivery");
    expect(hit.path).toBe("/webhooks/nuvemshop");
    expect(verify(hit.body, hit.headers["x-linkedstore-hmac-sha256"])).toBe(true);
    expect(verify(Buffer.from(hit.body.toString() + " "), hit.headers["x-linkedstore-hmac-sha256"])).toBe(false);
    expect(JSON.parse(hit.body.toString())).toEqual({ store_id: 1234567, event: "customer/created", id: r.body.customer.id });
    expect(hit.headers["content-type"]).toBe("application/json");

    // The app then reads the customer through the API, raw values kept.
    const c = await api<{ name: string; email: string; identification: string }>(emu, `/customers/${r.body.customer.id}`);
    expect(c.body).toMatchObject({ name: "Conceição Araújo", email: " Conceicao.Araujo@Example.COM ", identification: "529.982.247-25" });
  });

  it("times: 3 delivers three identical bodies; deliveries are logged", async () => {
    const { emu, receiver } = await start();
    await control(emu, "POST", "/_emulator/customers", { name: "João Silva", email: "joao@example.com", deliver: { times: 3 } });
    expect(receiver.received).toHaveLength(3);
    const bodies = receiver.received.map((x) => x.body.toString());
    expect(new Set(bodies).size).toBe(1);
    expect(new Set(receiver.received.map((x) => x.headers["x-linkedstore-hmac-sha256"])).size).toBe(1);
    const log = await control<Array<{ attempt: number; status: number; event: string }>>(emu, "GET", "/_emulator/deliveries");
    expect(log.body.map((d) => [d.event, d.attempt, d.status])).toEqual([
      ["customer/created", 1, 200],
      ["customer/created", 2, 200],
      ["customer/created", 3, 200],
    ]);
  });

  it("registered webhooks win over appUrl; webhookPaths choose the path otherwise", async () => {
    const { emu, receiver } = await start({ webhookPaths: { "order/paid": "/hooks/paid" } });
    const order = emu.store.orderId(3);
    await control(emu, "POST", "/_emulator/webhooks", { event: "order/paid", id: order });
    expect(receiver.received.map((x) => x.path)).toEqual(["/hooks/paid"]);

    const reg = await api<{ id: number; event: string; url: string }>(emu, "/webhooks", { method: "POST", body: { event: "order/cancelled", url: `${receiver.url}/registered` } });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ event: "order/cancelled", url: `${receiver.url}/registered` });
    await control(emu, "POST", "/_emulator/webhooks", { event: "order/cancelled", id: order });
    expect(receiver.received.map((x) => x.path)).toEqual(["/hooks/paid", "/registered"]);

    const list = await api<Array<{ id: number }>>(emu, "/webhooks");
    expect(list.body.map((w) => w.id)).toEqual([reg.body.id]);
    const upd = await api<{ url: string }>(emu, `/webhooks/${reg.body.id}`, { method: "PUT", body: { url: `${receiver.url}/moved` } });
    expect(upd.body.url).toBe(`${receiver.url}/moved`);
    expect((await api(emu, `/webhooks/${reg.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await api<unknown[]>(emu, "/webhooks")).body).toEqual([]);

    const bad = await api<Record<string, string[]>>(emu, "/webhooks", { method: "POST", body: { event: "nope/never", url: "foobar" } });
    expect(bad.status).toBe(422);
    expect(bad.body.url).toEqual(["invalid url specified"]);
    expect(bad.body.event?.[0]).toMatch(/^Invalid event specified\. Events allowed: .*customer\/created/);
  });

  it("customer/created goes to every registered URL; deliver: false sends nothing; a duplicate email is refused", async () => {
    const { emu, receiver } = await start();
    await api(emu, "/webhooks", { method: "POST", body: { event: "customer/created", url: `${receiver.url}/a` } });
    await api(emu, "/webhooks", { method: "POST", body: { event: "customer/created", url: `${receiver.url}/b` } });
    const r = await control<{ webhooks: Array<{ deliveries: Array<{ url: string; status: number }> }> }>(emu, "POST", "/_emulator/customers", { name: "Inês Brandão", email: "ines@example.com" });
    expect(r.body.webhooks[0]?.deliveries.map((d) => [d.url.replace(receiver.url, ""), d.status])).toEqual([
      ["/a", 200],
      ["/b", 200],
    ]);
    await control(emu, "POST", "/_emulator/customers", { name: "Sem Webhook", deliver: false });
    expect(receiver.received.map((x) => x.path)).toEqual(["/a", "/b"]);
    const dup = await control<Record<string, string[]>>(emu, "POST", "/_emulator/customers", { name: "Outra Inês", email: " INES@example.com" });
    expect(dup.status).toBe(422);
    expect(dup.body.email).toEqual(["has already been taken"]);
  });

  it("outOfOrder delivers a batch in reverse; repeated ids keep identical bodies", async () => {
    const { emu, receiver } = await start();
    const ids = [emu.store.customerId(1), emu.store.customerId(2), emu.store.customerId(3)];
    await control(emu, "POST", "/_emulator/webhooks", { event: "customer/updated", ids, times: 2, outOfOrder: true });
    const got = receiver.received.map((x) => (JSON.parse(x.body.toString()) as { id: number }).id);
    expect(got).toEqual([ids[2], ids[2], ids[1], ids[1], ids[0], ids[0]]);
  });

  it("delayMs answers at once and delivers later; idle() waits for it", async () => {
    const { emu, receiver } = await start();
    const r = await control<{ scheduled: boolean }>(emu, "POST", "/_emulator/webhooks", { event: "app/uninstalled", delayMs: 30 });
    expect(r.body.scheduled).toBe(true);
    await emu.idle();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body.toString() ?? "{}")).toMatchObject({ store_id: 1234567, event: "app/uninstalled" });
  });

  it("LGPD payloads: store/redact, customers/redact, customers/data_request", async () => {
    const { emu, receiver } = await start();
    const i = Array.from({ length: 30 }, (_, k) => k).find((k) => emu.store.ordersOf(k).length > 0) ?? 0;
    const id = emu.store.customerId(i);
    await control(emu, "POST", "/_emulator/webhooks", { event: "store/redact" });
    await control(emu, "POST", "/_emulator/webhooks", { event: "customers/redact", id });
    await control(emu, "POST", "/_emulator/webhooks", { event: "customers/data_request", id });
    const [storeRedact, redact, dataRequest] = receiver.received.map((x) => JSON.parse(x.body.toString()) as Record<string, unknown>);
    expect(storeRedact).toEqual({ store_id: 1234567 });
    expect(redact).toMatchObject({ store_id: 1234567, customer: { id }, orders_to_redact: Array.from(emu.store.ordersOf(i), (j) => emu.store.orderId(j)) });
    expect(dataRequest).toMatchObject({ store_id: 1234567, customer: { id }, data_request: {} });
  });

  it("reset reseeds and forgets app data", async () => {
    const { emu } = await start();
    await api(emu, "/webhooks", { method: "POST", body: { event: "order/paid", url: "https://app.example/hook" } });
    const r = await control<{ customers: number }>(emu, "POST", "/_emulator/reset", { customers: 12, orders: 3, seed: 9 });
    expect(r.body.customers).toBe(12);
    expect((await api<unknown[]>(emu, "/webhooks")).body).toEqual([]);
    const h = await control<{ customers: number; seed: number }>(emu, "GET", "/_emulator/health");
    expect(h.body).toMatchObject({ customers: 12, seed: 9 });
  });
});
