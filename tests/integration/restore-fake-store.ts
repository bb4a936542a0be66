// A PlatformClient held in memory for the restore and earn tests: customers and orders the test sets,
// balances the services push. The real clients are covered by tests/contract (order(id) included) and
// by the HTTP test (restore-http.test.ts) against the Shopify emulator.
import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import type { BalanceWrite, BalanceWriteResult, CustomerSnapshot, OrderSnapshot, Page, PlatformClient } from "~/platforms/platform-client";
import { postEntry, withLedger } from "~/services/ledger/ledger.server";
import { idempotencyKey } from "~domain/ledger";
import { uniqueShop } from "../support/webhooks";

export class FakeStore implements PlatformClient {
  readonly customersById = new Map<string, CustomerSnapshot>();
  readonly ordersById = new Map<string, OrderSnapshot>();
  readonly balances = new Map<string, BalanceWrite>();
  writes = 0;
  /** Customer reads answered from the "store"; orders too. */
  reads = 0;

  constructor(readonly platform: "shopify" | "nuvemshop" = "shopify") {}

  storeCounts() {
    return Promise.resolve({ customers: this.customersById.size, orders: this.ordersById.size });
  }
  // eslint-disable-next-line require-yield
  async *customers(): AsyncIterable<Page<CustomerSnapshot>> {
    throw new Error("not used");
  }
  // eslint-disable-next-line require-yield
  async *orders(): AsyncIterable<Page<OrderSnapshot>> {
    throw new Error("not used");
  }
  async customer(id: string) {
    this.reads++;
    await new Promise((r) => setTimeout(r, 1));
    return this.customersById.get(id) ?? null;
  }
  async order(id: string) {
    this.reads++;
    await new Promise((r) => setTimeout(r, 1));
    return this.ordersById.get(id) ?? null;
  }
  async writeBalances(balances: BalanceWrite[]): Promise<BalanceWriteResult> {
    for (const b of balances) {
      this.writes++;
      this.balances.set(b.customerId, b);
    }
    return { written: balances.length, failed: [] };
  }

  addCustomer(c: Partial<CustomerSnapshot> & { platformId: string }, at = new Date()): CustomerSnapshot {
    const customer: CustomerSnapshot = { email: null, phone: null, cpf: null, firstName: null, lastName: null, state: "ENABLED", createdAt: at.toISOString(), updatedAt: at.toISOString(), ...c };
    this.customersById.set(customer.platformId, customer);
    return customer;
  }

  setOrder(o: Partial<OrderSnapshot> & { platformId: string; placedAt: string }, updatedAt = new Date()): OrderSnapshot {
    const order: OrderSnapshot = {
      customerId: null,
      name: `#${o.platformId.split("/").at(-1)}`,
      financialStatus: "PAID",
      fulfillmentStatus: null,
      status: null,
      cancelledAt: null,
      closed: false,
      totalAmount: "100.00",
      currency: "BRL",
      updatedAt: updatedAt.toISOString(),
      ...o,
    };
    this.ordersById.set(order.platformId, order);
    return order;
  }
}

export interface Seeded {
  shop: Shop;
  migrationId: string;
}

/** A shop with one migration in `state` (applied by default) and its cutover rules. */
export async function seedShop(input: { platform?: "shopify" | "nuvemshop"; country?: string; state?: string; cutoverAt?: string; ordersMigrated?: boolean; settings?: object } = {}): Promise<Seeded> {
  const platform = input.platform ?? "shopify";
  const shop = await prisma.shop.create({ data: { platform, domain: platform === "shopify" ? uniqueShop("restore") : String(Math.floor(Math.random() * 1e9)), country: input.country ?? "BR" } });
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "test migration",
      state: input.state ?? "applied",
      cutoverAt: new Date(input.cutoverAt ?? "2026-10-01T00:00:00Z"),
      ordersMigrated: input.ordersMigrated ?? true,
      settingsJson: JSON.stringify(input.settings ?? {}),
    },
  });
  return { shop, migrationId: migration.id };
}

/** A pending member with its import entry, as apply writes them. */
export async function seedPending(s: Seeded, input: { email?: string | null; phoneE164?: string | null; cpf?: string | null; points: number; recordId?: string }) {
  const member = await prisma.member.create({
    data: { shopId: s.shop.id, migrationId: s.migrationId, state: "pending", platformCustomerId: null, email: input.email ?? null, emailNormalized: input.email ?? null, phoneE164: input.phoneE164 ?? null, cpf: input.cpf ?? null },
  });
  const recordId = input.recordId ?? `rec${member.id}`;
  await withLedger((tx) =>
    postEntry(tx, { shopId: s.shop.id, memberId: member.id, migrationId: s.migrationId, kind: "import", points: input.points, idempotencyKey: idempotencyKey.importRow(s.migrationId, recordId), sourceRef: "export.csv" }),
  );
  return member;
}
