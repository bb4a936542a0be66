import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { api, control } from "./test-helpers.js";

interface Metafield {
  id: number;
  namespace: string;
  key: string;
  value: string;
  description: string | null;
  owner_resource: string;
  owner_id: number;
  created_at: string;
  updated_at: string;
}

describe("metafields", () => {
  let emu: NuvemshopEmulator;
  let owner: number;
  beforeAll(async () => {
    emu = await startNuvemshopEmulator({ customers: 20, orders: 40, bucket: { size: 10_000, leakPerSecond: 1000 } });
    owner = emu.store.customerId(5);
  });
  afterAll(() => emu.close());

  it("creates, reads, updates and deletes a customer metafield", async () => {
    const created = await api<Metafield>(emu, "/metafields", {
      method: "POST",
      body: { owner_resource: "Customer", owner_id: owner, namespace: "carryover", key: "points", value: "1200", description: "Loyalty points" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ owner_resource: "Customer", owner_id: owner, namespace: "carryover", key: "points", value: "1200", description: "Loyalty points" });
    expect(created.body.created_at).toMatch(/\+0000$/);
    const id = created.body.id;

    const one = await api<Metafield>(emu, `/metafields/${id}`);
    expect(one.body.value).toBe("1200");

    const list = await api<Metafield[]>(emu, `/metafields/customers?owner_id=${owner}`);
    expect(list.body.map((m) => m.id)).toEqual([id]);
    expect(list.headers.get("x-total-count")).toBe("1");
    const byQuery = await api<Metafield[]>(emu, `/metafields?owner_id=${owner}&namespace=carryover`);
    expect(byQuery.body.map((m) => m.id)).toEqual([id]);

    const updated = await api<Metafield>(emu, `/metafields/${id}`, { method: "PUT", body: { value: "1500" } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, value: "1500", key: "points", description: "Loyalty points" });

    const seen = await control<Metafield[]>(emu, "GET", `/_emulator/metafields?owner_id=${owner}`);
    expect(seen.body.map((m) => m.value)).toEqual(["1500"]);

    const del = await api(emu, `/metafields/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await api(emu, `/metafields/${id}`)).status).toBe(404);
  });

  it("422 with messages per field", async () => {
    const r = await api<Record<string, string[]>>(emu, "/metafields", { method: "POST", body: { owner_resource: "Shop", namespace: "1bad", value: 12 } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      namespace: ["is invalid"],
      key: ["can't be blank"],
      value: ["must be a string"],
      owner_resource: ["is not included in the list"],
      owner_id: ["can't be blank"],
    });
    const unknownOwner = await api<Record<string, string[]>>(emu, "/metafields", { method: "POST", body: { owner_resource: "Customer", owner_id: 1, namespace: "carryover", key: "tier", value: "gold" } });
    expect(unknownOwner.status).toBe(422);
    expect(unknownOwner.body.owner_id).toEqual(["does not exist"]);

    const body = { owner_resource: "Customer", owner_id: owner, namespace: "carryover", key: "tier", value: "gold" };
    expect((await api(emu, "/metafields", { method: "POST", body })).status).toBe(201);
    const dup = await api<Record<string, string[]>>(emu, "/metafields", { method: "POST", body });
    expect(dup.status).toBe(422);
    expect(dup.body.key).toEqual(["has already been taken"]);

    const badPut = await api<Record<string, string[]>>(emu, "/metafields/999", { method: "PUT", body: { value: "x" } });
    expect(badPut.status).toBe(404);
  });

  it("rejects a body that is not JSON", async () => {
    const res = await fetch(`${emu.url}/v1/${emu.store.options.storeId}/metafields`, {
      method: "POST",
      headers: { Authentication: "bearer nuvemshop_emulator_token", "User-Agent": "t", "Content-Type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Problems parsing JSON" });
  });
});

describe("scripts", () => {
  let emu: NuvemshopEmulator;
  beforeAll(async () => {
    emu = await startNuvemshopEmulator({ customers: 2, orders: 2 });
  });
  afterAll(() => emu.close());

  it("associates a Partner Portal script (or an older src script), lists and deletes it", async () => {
    const byId = await api<{ id: number; script_id: number; query_params: string }>(emu, "/scripts", { method: "POST", body: { script_id: 777, query_params: '{"tier":"gold"}' } });
    expect(byId.status).toBe(201);
    expect(byId.body).toMatchObject({ script_id: 777, query_params: '{"tier":"gold"}' });
    const bySrc = await api<{ id: number; src: string }>(emu, "/scripts", { method: "POST", body: { src: "https://app.example/loyalty.js", event: "onload", where: "store" } });
    expect(bySrc.status).toBe(201);
    const bad = await api<Record<string, string[]>>(emu, "/scripts", { method: "POST", body: { src: "http://insecure.example/x.js", event: "whenever", where: "admin" } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body).sort()).toEqual(["event", "src", "where"]);
    const list = await api<Array<{ id: number }>>(emu, "/scripts");
    expect(list.body.map((s) => s.id)).toEqual([byId.body.id, bySrc.body.id]);
    expect((await api(emu, `/scripts/${byId.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await api(emu, `/scripts/${byId.body.id}`)).status).toBe(404);
  });
});
