// The PlatformClient contract, run by the Nuvemshop client against the local Nuvemshop emulator.
import { NuvemshopClient } from "../../app/platforms/nuvemshop/nuvemshop-client.server";
import { DEFAULT_ACCESS_TOKEN, startNuvemshopEmulator } from "../emulators/nuvemshop/server";
import { runPlatformClientContract, type ContractHarness, type ContractStore } from "./platform-client.contract";

async function control<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const harness: ContractHarness = {
  platform: "nuvemshop",
  async start(size): Promise<ContractStore> {
    // The documented bucket size (40) with the larger plans' leak rate (20/s instead of 2/s), so that the
    // client's pacing near an empty bucket is exercised and the suite still takes seconds, not minutes.
    // The client knows neither number: it paces from the x-rate-limit-* headers.
    const emulator = await startNuvemshopEmulator({ ...size, bucket: { size: 40, leakPerSecond: 20 } });
    const client = new NuvemshopClient({
      origin: emulator.url,
      storeId: emulator.store.options.storeId,
      accessToken: DEFAULT_ACCESS_TOKEN,
      userAgent: "Carryover contract tests (dev@carryover.test)",
      maxAttempts: 4,
      baseDelayMs: 20,
      maxDelayMs: 200,
    });
    const base = emulator.url;
    const ids = (count: number, idOf: (i: number) => number) => Array.from({ length: count }, (_, i) => String(idOf(i)));
    return {
      client,
      customerIds: () => ids(emulator.store.customerCount, (i) => emulator.store.customerId(i)),
      orderIds: () => ids(emulator.store.orderCount, (j) => emulator.store.orderId(j)),
      async createCustomer(input) {
        const created = await control<{ customer: { id: number } }>(base, "POST", "/_emulator/customers", {
          name: `${input.firstName} ${input.lastName}`,
          email: input.email,
          phone: input.phone ?? null,
          identification: input.cpf ?? null,
          deliver: false,
        });
        return String(created.customer.id);
      },
      async renameCustomer(platformId, firstName) {
        const current = await control<{ name: string }>(base, "GET", `/_emulator/customers/${platformId}`);
        const rest = current.name.trim().split(/\s+/).slice(1).join(" ");
        await control(base, "PUT", `/_emulator/customers/${platformId}`, { name: rest ? `${firstName} ${rest}` : firstName, deliver: false });
      },
      async failNext(count, status) {
        await control(base, "POST", "/_emulator/faults", { status, count });
      },
      async exhaustRateLimit() {
        const status = await control<{ size: number }>(base, "GET", "/_emulator/bucket");
        await control(base, "POST", "/_emulator/bucket", { level: status.size });
      },
      async requestCount() {
        return (await control<{ count: number }>(base, "GET", "/_emulator/requests")).count;
      },
      async storedBalance(platformId) {
        const rows = await control<Array<{ namespace: string; key: string; value: string }>>(base, "GET", `/_emulator/metafields?owner_id=${platformId}`);
        const mine = new Map(rows.filter((m) => m.namespace === "carryover").map((m) => [m.key, m.value]));
        const points = mine.get("points");
        if (points === undefined) return null;
        return { points: Number(points), tier: mine.get("tier") ?? null, restoredAt: mine.get("restored_at") ?? null };
      },
      close: () => emulator.close(),
    };
  },
};

runPlatformClientContract(harness);
