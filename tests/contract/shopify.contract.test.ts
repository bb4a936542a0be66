// The PlatformClient contract, run by the production ShopifyClient against the Admin API emulator.
import { ShopifyClient } from "../../app/platforms/shopify/shopify-client.server";
import { startShopifyEmulator } from "../emulators/shopify/server";
import { runPlatformClientContract, type ContractHarness, type ContractStore } from "./platform-client.contract";

const ACCESS_TOKEN = "shpat_contract_test";

async function control<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const harness: ContractHarness = {
  platform: "shopify",
  async start(size): Promise<ContractStore> {
    const emulator = await startShopifyEmulator({
      customers: size.customers,
      orders: size.orders,
      seed: size.seed ?? 1,
      accessToken: ACCESS_TOKEN,
      // Shopify Plus's bucket (20,000 points, 1,000 a second): the standard plan's 100 a second would
      // make every paged pull of the suite wait tens of seconds for points; pacing is still exercised.
      throttle: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const client = new ShopifyClient({
      origin: emulator.url,
      apiVersion: "2026-01",
      accessToken: ACCESS_TOKEN,
      // Real sleeps, short backoff: failures retry after 20, 40, 80, 160 ms; "gives up" after 5 tries.
      maxAttempts: 5,
      backoffBaseMs: 20,
      maxBackoffMs: 200,
      bulkPollMs: 25,
      bulkPollMaxMs: 100,
      // Pages of 100 so 450 customers make several pages (the resume test cuts between pages).
      pageSize: 100,
    });
    const store = () => emulator.store;
    return {
      client,
      customerIds: () => Array.from({ length: store().customerCount }, (_, i) => `gid://shopify/Customer/${store().customerLegacyId(i)}`),
      orderIds: () => Array.from({ length: store().orderCount }, (_, j) => `gid://shopify/Order/${store().orderLegacyId(j)}`),
      async createCustomer(input) {
        // Shopify has no CPF field: a shopper's CPF is not part of the customer.
        const body = await control<{ customer: { id: string } }>(emulator.url, "POST", "/_emulator/customers", {
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          ...(input.phone ? { phone: input.phone } : {}),
          deliver: false,
        });
        return body.customer.id;
      },
      async renameCustomer(platformId, firstName) {
        await control(emulator.url, "PATCH", `/_emulator/customers/${encodeURIComponent(platformId)}`, { firstName, deliver: false });
      },
      async failNext(count, status) {
        await control(emulator.url, "POST", "/_emulator/faults", { status, count });
      },
      async exhaustRateLimit() {
        await control(emulator.url, "POST", "/_emulator/throttle", { currentlyAvailable: 0 });
      },
      async requestCount() {
        return (await control<{ admin: number }>(emulator.url, "GET", "/_emulator/requests")).admin;
      },
      async storedBalance(platformId) {
        const { metafields } = await control<{ metafields: Array<{ key: string; value: string }> }>(
          emulator.url,
          "GET",
          `/_emulator/metafields?ownerId=${encodeURIComponent(platformId)}&namespace=${encodeURIComponent("$app")}`,
        );
        const value = (key: string) => metafields.find((m) => m.key === key)?.value ?? null;
        const points = value("points");
        if (points === null) return null;
        const restoredAt = value("restored_at");
        return { points: Number(points), tier: value("tier"), restoredAt: restoredAt === null ? null : new Date(restoredAt).toISOString() };
      },
      close: () => emulator.close(),
    };
  },
};

runPlatformClientContract(harness);
