// Issue 9, part 4 (security): the privacy webhooks on a store built the way a merchant gets there
// (support/tenants.ts: synced store, two imported files with rejected rows, previews, a review decision,
// an applied migration). customers/data_request must produce the customer's data and nobody else's;
// customers/redact must leave no trace of the customer anywhere the store's rows are (every table, the
// kept upload files) while the ledger keeps every entry and total; shop/redact the same for everyone.
// Each check is a case of the report's "security" category; the ledger totals are its points figure.
import fs from "node:fs";
import path from "node:path";
import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const sink = await vi.hoisted(async () => {
  const { startSink, pointPlatformsAt } = await import("./support/sink");
  const started = await startSink();
  pointPlatformsAt(started);
  process.env.CARRYOVER_WORKER = "off";
  return started;
});

import prisma from "~/db.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { action as dataRequest } from "~/routes/webhooks.customers.data_request";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { tempFile } from "../support/files";
import { callRoute } from "../support/remix";
import { shopifyWebhookRequest } from "../support/webhooks";
import { Tally } from "./support/record";
import { buildTenant, type Tenant } from "./support/tenants";

const tally = new Tally({
  category: "security",
  check: "customers/data_request, customers/redact and shop/redact on a store with imports, previews, decisions and an applied migration",
  invariants: [
    "data_request: the export holds the customer's member, balance, every ledger entry and imported row, and no other customer's data",
    "customers/redact: none of the customer's personal data (e-mail, name, phone, raw row) is left in any table of the store nor in its kept upload files",
    "customers/redact: the member's ledger entries, balance and the store's totals are unchanged (anonymous ledger kept)",
    "shop/redact: no personal data of anyone is left in any table of the store; upload files and sessions are gone; every ledger entry and total is kept",
  ],
});

let tenant: Tenant;
let pointsLost = 0;

beforeAll(async () => {
  tenant = await buildTenant("R", "shopify", 21);
}, 300_000);

afterAll(async () => {
  tally.add({ pointsLostOrDuplicated: pointsLost });
  tally.flush();
  await tenant?.close();
  await sink.close();
});

/** How each table is scoped to one store, for the scan; a new table must be added here. */
function scopeOf(model: string, shop: { id: string; domain: string }, reconciliationIds: string[]): object | null | undefined {
  switch (model) {
    case "Shop":
      return { id: shop.id };
    case "Session":
      return { shop: shop.domain };
    case "WebhookDelivery":
      return { shopDomain: shop.domain };
    case "RecordMatch":
      return { reconciliationId: { in: reconciliationIds } };
    case "OAuthState":
      return null; // a hash of a random state and its expiry: no store, no person
    default:
      return undefined;
  }
}

/** Every row the store owns, table by table, as lower-case text. */
async function storeRows(shop: { id: string; domain: string }): Promise<Map<string, string>> {
  const reconciliationIds = (await prisma.reconciliation.findMany({ where: { shopId: shop.id }, select: { id: true } })).map((r) => r.id);
  const out = new Map<string, string>();
  for (const model of Prisma.dmmf.datamodel.models) {
    const hasShopId = model.fields.some((f) => f.name === "shopId");
    let where = scopeOf(model.name, shop, reconciliationIds);
    if (where === undefined && hasShopId) where = { shopId: shop.id };
    if (where === undefined) throw new Error(`the redaction scan does not know how to find one store's rows of ${model.name}: add it to scopeOf`);
    if (where === null) continue;
    const delegate = (prisma as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>)[model.name.charAt(0).toLowerCase() + model.name.slice(1)]!;
    const rows = await delegate.findMany({ where });
    out.set(model.name, JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).toLowerCase());
  }
  return out;
}

/** Where a text is still found: tables, and the store's kept upload files. */
async function traces(shop: { id: string; domain: string }, texts: string[]): Promise<string[]> {
  const found: string[] = [];
  const rows = await storeRows(shop);
  for (const text of texts.map((t) => t.toLowerCase())) {
    for (const [table, dump] of rows) if (dump.includes(text)) found.push(`${text} in ${table}`);
  }
  const files = await prisma.importFile.findMany({ where: { shopId: shop.id }, select: { storagePath: true } });
  for (const f of new Set(files.map((x) => x.storagePath))) {
    if (!f || !fs.existsSync(f)) continue;
    const content = fs.readFileSync(f, "utf8").toLowerCase();
    for (const text of texts.map((t) => t.toLowerCase())) if (content.includes(text)) found.push(`${text} in the kept upload ${path.basename(f)}`);
  }
  return found;
}

/**
 * What Carryover holds about one member: the values that identify the person (e-mail, phone, CPF:
 * scanned for in every table and file of the store), and the rows that hold the rest of it (names,
 * the raw row) — the member, its records, its store customer.
 */
async function personOf(memberId: string) {
  const m = await prisma.member.findUniqueOrThrow({ where: { id: memberId } });
  const records = await prisma.loyaltyRecord.findMany({ where: { shopId: m.shopId, emailNormalized: m.emailNormalized ?? "\u0000" } });
  const customer = m.platformCustomerId ? await prisma.platformCustomer.findUnique({ where: { shopId_platformId: { shopId: m.shopId, platformId: m.platformCustomerId } } }) : null;
  const values = [m.email, m.phoneE164, m.cpf, ...records.flatMap((r) => [r.email, r.phone, r.phoneE164, r.cpf]), customer?.email, customer?.phone, customer?.phoneE164, customer?.cpf];
  return {
    memberId,
    identifiers: [...new Set(values.filter((t): t is string => typeof t === "string" && t.trim().length >= 6).map((t) => t.trim()))],
    recordIds: records.map((r) => r.id),
    customerId: customer?.id ?? null,
  };
}

/** The rows that held the person: no personal field left. */
async function rowsCleared(person: Awaited<ReturnType<typeof personOf>>): Promise<string[]> {
  const left: string[] = [];
  const m = await prisma.member.findUniqueOrThrow({ where: { id: person.memberId } });
  for (const f of ["email", "emailNormalized", "phoneE164", "cpf", "firstName", "lastName"] as const) if (m[f] !== null) left.push(`member ${f}`);
  for (const r of await prisma.loyaltyRecord.findMany({ where: { id: { in: person.recordIds } } })) {
    for (const f of ["email", "emailNormalized", "phone", "phoneE164", "cpf", "firstName", "lastName", "birthday", "platformCustomerRef", "identityKey"] as const) if (r[f] !== null) left.push(`record row ${r.rowNumber} ${f}`);
    if (r.rawJson !== "{}") left.push(`record row ${r.rowNumber} raw cells`);
  }
  if (person.customerId && (await prisma.platformCustomer.findUnique({ where: { id: person.customerId } }))) left.push("the store customer's snapshot");
  return left;
}

async function ledgerOf(shopId: string) {
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId }, orderBy: { id: "asc" }, select: { id: true, memberId: true, points: true, kind: true, idempotencyKey: true } });
  const balances = await prisma.member.findMany({ where: { shopId }, orderBy: { id: "asc" }, select: { id: true, balance: true } });
  return { entries, balances, total: entries.reduce((s, e) => s + e.points, 0) };
}

async function expectLedgerKept(before: Awaited<ReturnType<typeof ledgerOf>>) {
  const after = await ledgerOf(tenant.shop.id);
  pointsLost += Math.abs(after.total - before.total);
  expect(after.entries).toEqual(before.entries);
  expect(after.balances).toEqual(before.balances);
  expect(after.total).toBe(before.total);
}

function webhook(topic: string, body: object): Request {
  return shopifyWebhookRequest({ topic, shop: tenant.shop.domain, body: { shop_id: 1, shop_domain: tenant.shop.domain, ...body } });
}

describe("privacy webhooks", () => {
  it("customers/data_request exports the customer's member, ledger and imported rows, and nobody else's", async () => {
    await tally.run("data_request (visible member, by id and e-mail)", async () => {
      const member = await prisma.member.findFirstOrThrow({ where: { shopId: tenant.shop.id, state: "visible", NOT: { email: null } }, include: { ledgerEntries: true } });
      const other = await prisma.member.findFirstOrThrow({ where: { shopId: tenant.shop.id, NOT: [{ id: member.id }, { email: null }] } });
      const legacyId = member.platformCustomerId!.split("/").pop()!;
      const res = await callRoute(dataRequest, webhook("customers/data_request", { customer: { id: Number(legacyId), email: member.email }, orders_requested: [], data_request: { id: 1 } }));
      expect(res.status).toBe(200);
      const request = await prisma.dataRequest.findFirstOrThrow({ where: { shopId: tenant.shop.id, platformCustomerId: member.platformCustomerId }, orderBy: { requestedAt: "desc" } });
      const exported = JSON.parse(request.exportJson) as { members: Array<{ email: string; balance: number; history: unknown[] }>; importedRows: unknown[] };
      expect(exported.members).toHaveLength(1);
      expect(exported.members[0]).toMatchObject({ email: member.email, balance: member.balance });
      expect(exported.members[0]!.history).toHaveLength(member.ledgerEntries.length);
      expect(exported.importedRows.length).toBeGreaterThanOrEqual(2); // the row in each of the two files
      const text = request.exportJson.toLowerCase();
      for (const t of (await personOf(other.id)).identifiers) expect(text, `another customer's ${t}`).not.toContain(t.toLowerCase());
    });
  });

  it("customers/redact leaves no personal data of the customer in any table or kept file, and keeps the ledger", async () => {
    const visible = await prisma.member.findFirstOrThrow({ where: { shopId: tenant.shop.id, state: "visible", NOT: { email: null } }, orderBy: { id: "desc" } });
    const pending = await prisma.member.findUniqueOrThrow({ where: { id: tenant.memberIds[0]! } });
    for (const [label, member, customer] of [
      ["a visible member, by customer id and e-mail", visible, { id: Number(visible.platformCustomerId!.split("/").pop()), email: visible.email }],
      ["a pending member (never registered), by e-mail", pending, { id: 999_999_999, email: pending.email }],
    ] as const) {
      await tally.run(`customers/redact: ${label}`, async () => {
        const person = await personOf(member.id);
        expect(person.identifiers.length, "the member has personal data to redact").toBeGreaterThanOrEqual(1);
        expect(person.recordIds.length, "the member's rows in both files").toBeGreaterThanOrEqual(2);
        expect(await traces(tenant.shop, person.identifiers), "before the redaction, the scan finds the customer").not.toEqual([]);
        const others = await prisma.member.findMany({ where: { shopId: tenant.shop.id, NOT: { id: member.id }, email: { not: null } }, take: 3 });
        const before = await ledgerOf(tenant.shop.id);
        const res = await callRoute(customersRedact, webhook("customers/redact", { customer: { ...customer, phone: null }, orders_to_redact: [] }));
        expect(res.status).toBe(200);
        expect(await traces(tenant.shop, person.identifiers)).toEqual([]);
        expect(await rowsCleared(person)).toEqual([]);
        expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).redactedAt).not.toBeNull();
        await expectLedgerKept(before);
        // Nobody else was redacted.
        for (const o of others) expect((await prisma.member.findUniqueOrThrow({ where: { id: o.id } })).email).toBe(o.email);
      });
    }
  });

  it("shop/redact leaves no personal data of anyone in the store's tables, deletes the uploads and sessions, and keeps the ledger", async () => {
    await tally.run("shop/redact", async () => {
      // One more export kept on disk (customers/redact above removed the files that held those customers).
      const late = await prisma.migration.create({ data: { shopId: tenant.shop.id, name: "late export", oldProvider: "smile" } });
      const lateFile = tempFile("late.csv", "email,first_name,last_name,points\nlate.person@redaction.example,Latecomer,Person,40\nsecond.late@redaction.example,Second,Latecomer,60\n");
      expect((await importLoyaltyFile({ shopId: tenant.shop.id, migrationId: late.id, provider: "smile", fileName: "late.csv", filePath: lateFile })).outcome).toBe("imported");
      const members = await prisma.member.findMany({ where: { shopId: tenant.shop.id, NOT: { email: null } } });
      const people = await Promise.all(members.map((m) => personOf(m.id)));
      const texts = [...new Set(people.flatMap((p) => p.identifiers))];
      for (const c of await prisma.platformCustomer.findMany({ where: { shopId: tenant.shop.id } })) for (const t of [c.email, c.phone]) if (t && t.trim().length >= 6) texts.push(t.trim());
      for (const r of await prisma.loyaltyRecord.findMany({ where: { shopId: tenant.shop.id } })) for (const t of [r.email, r.phone]) if (t && t.trim().length >= 6) texts.push(t.trim());
      expect(texts).toContain("late.person@redaction.example");
      expect(texts.length).toBeGreaterThan(20);
      const files = (await prisma.importFile.findMany({ where: { shopId: tenant.shop.id }, select: { storagePath: true } })).map((f) => f.storagePath).filter((f) => fs.existsSync(f));
      expect(files.length).toBeGreaterThan(0);
      const before = await ledgerOf(tenant.shop.id);
      const res = await callRoute(shopRedact, webhook("shop/redact", {}));
      expect(res.status).toBe(200);
      expect(await traces(tenant.shop, texts)).toEqual([]);
      for (const person of people) expect(await rowsCleared(person)).toEqual([]);
      expect(await prisma.loyaltyRecord.count({ where: { shopId: tenant.shop.id, NOT: { rawJson: "{}" } } })).toBe(0);
      expect(await prisma.member.count({ where: { shopId: tenant.shop.id, OR: [{ firstName: { not: null } }, { lastName: { not: null } }] } })).toBe(0);
      expect(files.filter((f) => fs.existsSync(f))).toEqual([]);
      expect(await prisma.session.count({ where: { shop: tenant.shop.domain } })).toBe(0);
      await expectLedgerKept(before);
    });
  });
});
