/**
 * The admin's Members screens (issue 6) against the real database (SQLite and PostgreSQL): search by
 * each key — a phone typed another way than it was imported — keyset pages both ways, plans that read
 * indexes, isolation between shops, redaction, the ledger history with the balance after each line,
 * and manual adjustments: one entry per request id however often it is submitted, never below zero,
 * Member.balance always Σ entries, pushed to the store for a visible member only.
 */
import type { Shop } from "@prisma/client";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { databaseKind } from "~/database-url";
import prisma from "~/db.server";
import { coreEnv } from "~/env.server";
import { checkBalances, postEntry, withLedger } from "~/services/ledger/ledger.server";
import {
  AdjustForm,
  adjustBalance,
  adjustFormErrors,
  memberView,
  MembersListParams,
  nameSearchSql,
  pushMemberBalance,
  searchMembers,
  type NameQuery,
} from "~/services/members/members.server";
import { idempotencyKey } from "~domain/ledger";
import { checkAdjustment } from "~domain/members/adjustment";
import { parseMemberQuery } from "~domain/members/query";
import { FakeStore } from "./restore-fake-store";
import { uniqueShop } from "../support/webhooks";

const sqlite = databaseKind(coreEnv().DATABASE_URL) === "sqlite";

async function newShop(country: string | null = "BR"): Promise<Shop> {
  return prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("members"), country } });
}

let seq = 0;
/** A member with `points` credited by an import entry (as apply writes them), balance kept by postEntry. */
async function seedMember(
  shop: Shop,
  data: { email?: string; phoneE164?: string; firstName?: string; lastName?: string; state?: "visible" | "pending"; platformCustomerId?: string; tier?: string; referralCode?: string },
  points = 0,
) {
  const migration = (await prisma.migration.findFirst({ where: { shopId: shop.id } })) ?? (await prisma.migration.create({ data: { shopId: shop.id, name: "Smile → Shopify", state: "applied" } }));
  const state = data.state ?? (data.platformCustomerId ? "visible" : "pending");
  const member = await prisma.member.create({
    data: {
      shopId: shop.id,
      migrationId: migration.id,
      state,
      platformCustomerId: data.platformCustomerId ?? null,
      email: data.email ?? null,
      emailNormalized: data.email?.trim().toLowerCase() ?? null,
      phoneE164: data.phoneE164 ?? null,
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      tier: data.tier ?? null,
      referralCode: data.referralCode ?? null,
    },
  });
  if (points !== 0) {
    await withLedger((tx) =>
      postEntry(tx, { shopId: shop.id, memberId: member.id, migrationId: migration.id, kind: "import", points, idempotencyKey: idempotencyKey.importRow(migration.id, `r${++seq}`), sourceRef: `smile.csv row ${seq}` }),
    );
  }
  return member;
}

async function ids(shop: Shop, q: string, state?: "visible" | "pending") {
  const found = await searchMembers(shop, { q, state: state ?? null });
  expect(found.outcome, q).toBe("found");
  return found.outcome === "found" ? found.rows.map((r) => r.id).sort() : [];
}

async function ledgerSum(memberId: string) {
  return (await prisma.ledgerEntry.aggregate({ where: { memberId }, _sum: { points: true } }))._sum.points ?? 0;
}

describe("searching members", () => {
  it("finds a member by e-mail, phone typed any way, name, and customer id; filters by state", async () => {
    const shop = await newShop("BR");
    const ana = await seedMember(shop, { email: "Ana.Souza@Example.com", phoneE164: "+5511987654321", firstName: "Ana Maria", lastName: "Souza", platformCustomerId: "gid://shopify/Customer/9001" }, 300);
    const erica = await seedMember(shop, { email: "erica@example.com", firstName: "Érica", lastName: "da Silva" }, 120);
    const joao = await seedMember(shop, { email: "joao@example.com", firstName: "JOÃO", lastName: "Pereira", phoneE164: "+5521912345678" }, 50);
    const other = await newShop("BR");
    await seedMember(other, { email: "ana.souza@example.com", phoneE164: "+5511987654321", firstName: "Ana", lastName: "Souza" }, 999);

    expect(await ids(shop, "  ANA.SOUZA@example.COM ")).toEqual([ana.id]);
    for (const typed of ["+55 11 98765-4321", "(11) 98765-4321", "11987654321", "0055 11 9 8765 4321"]) expect(await ids(shop, typed), typed).toEqual([ana.id]);
    expect(await ids(shop, "ana")).toEqual([ana.id]);
    expect(await ids(shop, "Ana Souza")).toEqual([ana.id]);
    expect(await ids(shop, "ana maria")).toEqual([ana.id]);
    expect(await ids(shop, "souz")).toEqual([ana.id]);
    expect(await ids(shop, "da silva")).toEqual([erica.id]);
    expect(await ids(shop, "érica")).toEqual([erica.id]);
    expect(await ids(shop, "Érica da S")).toEqual([erica.id]);
    expect(await ids(shop, "joão")).toEqual([joao.id]);
    expect(await ids(shop, "pereira")).toEqual([joao.id]);
    expect(await ids(shop, "gid://shopify/Customer/9001")).toEqual([ana.id]);
    expect(await ids(shop, "", "visible")).toEqual([ana.id]);
    expect(await ids(shop, "", "pending")).toEqual([erica.id, joao.id].sort());
    expect(await ids(shop, "ana", "pending")).toEqual([]);
    expect(await ids(shop, "nobody")).toEqual([]);
    expect(await searchMembers(shop, { q: "12345" })).toEqual({ outcome: "invalid-phone", text: "12345" });
    expect(await searchMembers(shop, { q: "a" })).toEqual({ outcome: "too-short", text: "a" });
  });

  it("reads a phone without country code in the defaults of the import and the sync when the shop has no country", async () => {
    const shop = await newShop(null);
    const br = await seedMember(shop, { phoneE164: "+5511987654321" }, 10);
    const us = await seedMember(shop, { phoneE164: "+14155552671" }, 10);
    expect(await ids(shop, "11 98765-4321")).toEqual([br.id]);
    expect((await ids(shop, "415 555 2671")).includes(us.id)).toBe(true);
  });

  it("never shows a redacted member's personal data, and never finds them by it", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "gone@example.com", firstName: "Gone", lastName: "Person", platformCustomerId: "gid://shopify/Customer/77", referralCode: "GONE10" }, 40);
    // As compliance.server.ts leaves a redacted member, plus a stray name to prove the screens hide it regardless.
    await prisma.member.update({ where: { id: m.id }, data: { email: null, emailNormalized: null, phoneE164: null, cpf: null, firstName: "Stray", lastName: null, redactedAt: new Date() } });
    const list = await searchMembers(shop, {});
    expect(list.outcome === "found" && list.rows).toEqual([expect.objectContaining({ id: m.id, redacted: true, firstName: null, lastName: null, email: null, phone: null, balance: 40 })]);
    expect(await ids(shop, "gone@example.com")).toEqual([]);
    const view = await memberView(shop.id, m.id);
    expect(view.outcome).toBe("found");
    if (view.outcome !== "found") return;
    expect(view.member).toMatchObject({ redacted: true, firstName: null, lastName: null, email: null, phone: null, platformCustomerId: null, referralCode: null, balance: 40 });
    expect(await adjustBalance({ shop, memberId: m.id, points: 5, reason: "x", requestId: randomUUID(), client: new FakeStore() })).toEqual({ outcome: "redacted" });
  });

  it("pages by keyset both ways without losing or repeating a member", async () => {
    const shop = await newShop();
    const made = [];
    for (let i = 0; i < 11; i++) made.push((await seedMember(shop, { email: `p${i}@example.com`, firstName: `Paula${i}`, lastName: "Lima" }, i + 1)).id);
    made.sort();
    for (const q of ["", "paula", "lima"]) {
      const pages: string[][] = [];
      let after: string | null = null;
      let previous: string | null = null;
      for (;;) {
        const page = await searchMembers(shop, { q, after, limit: 4 });
        if (page.outcome !== "found") throw new Error(page.outcome);
        pages.push(page.rows.map((r) => r.id));
        expect(page.previous === null, `first page has no previous (${q})`).toBe(pages.length === 1);
        previous = page.previous;
        if (!page.next) break;
        after = page.next;
      }
      expect(pages.map((p) => p.length), q).toEqual([4, 4, 3]);
      expect(pages.flat(), q).toEqual(made);
      // And back from the last page.
      const back = await searchMembers(shop, { q, before: previous, limit: 4 });
      expect(back.outcome === "found" && back.rows.map((r) => r.id), q).toEqual(pages[1]);
      const first = await searchMembers(shop, { q, before: back.outcome === "found" ? back.previous : null, limit: 4 });
      expect(first.outcome === "found" && first.rows.map((r) => r.id), q).toEqual(pages[0]);
      expect(first.outcome === "found" && first.previous, q).toBeNull();
    }
  });

  it("reads index ranges for every search it offers, not the whole table", async () => {
    // Enough members, with planner statistics, for the plans to be the ones a big shop gets.
    const shop = await newShop();
    await seedMember(shop, { email: "x@example.com", firstName: "Xavier", lastName: "Xis" }, 1);
    await prisma.member.createMany({
      data: Array.from({ length: 3000 }, (_, i) => ({
        shopId: shop.id,
        state: i % 3 === 0 ? "visible" : "pending",
        email: `u${i}@example.com`,
        emailNormalized: `u${i}@example.com`,
        phoneE164: `+55119${String(10_000_000 + i)}`,
        firstName: `Nome${i}`,
        lastName: `Sobrenome${i % 500}`,
      })),
    });
    // Other shops' members share the table (a shop is never alone in it).
    for (const other of [await newShop(), await newShop()]) {
      await prisma.member.createMany({ data: Array.from({ length: 3000 }, (_, i) => ({ shopId: other.id, state: "visible", emailNormalized: `o${i}@example.com`, firstName: `Outro${i}` })) });
    }
    await prisma.$executeRawUnsafe('ANALYZE "Member"');
    // And no sequential scan where an index could serve (PostgreSQL may still prefer one on small tables).
    const plan = (sql: string, params: unknown[]) =>
      prisma.$transaction(async (tx) => {
        if (!sqlite) await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
        const rows = await tx.$queryRawUnsafe<Array<Record<string, unknown>>>(`${sqlite ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, ...params);
        return rows.map((r) => String(r.detail ?? r["QUERY PLAN"])).join("\n");
      });
    const ph = (n: number) => (sqlite ? "?" : `$${n}`);
    const name = parseMemberQuery("Xavier Xis", []) as NameQuery;
    const built = nameSearchSql(shop.id, name, null, null, false, 26);
    const namePlan = await plan(built.sql, built.params);
    expect(namePlan).toMatch(/Member_shopId_firstName_lower_idx/);
    expect(namePlan).toMatch(/Member_shopId_lastName_lower_idx/);
    expect(namePlan).not.toMatch(/SCAN (m|Member)\b(?! USING)|Seq Scan on "Member"/);

    // The Prisma queries of the other searches, as SQL.
    const cases: Array<[string, string, unknown[]]> = [
      ["Member_shopId_id_idx", `SELECT "id" FROM "Member" WHERE "shopId" = ${ph(1)} AND "id" > ${ph(2)} ORDER BY "id" ASC LIMIT 26`, [shop.id, "c"]],
      ["Member_shopId_state_id_idx", `SELECT "id" FROM "Member" WHERE "shopId" = ${ph(1)} AND "state" = ${ph(2)} AND "id" > ${ph(3)} ORDER BY "id" ASC LIMIT 26`, [shop.id, "pending", "c"]],
      ["Member_shopId_emailNormalized_idx", `SELECT "id" FROM "Member" WHERE "shopId" = ${ph(1)} AND "emailNormalized" = ${ph(2)} LIMIT 1000`, [shop.id, "x@example.com"]],
      ["Member_shopId_phoneE164_idx", `SELECT "id" FROM "Member" WHERE "shopId" = ${ph(1)} AND "phoneE164" IN (${ph(2)}, ${ph(3)}) LIMIT 1000`, [shop.id, "+5511987654321", "+14155552671"]],
      ["Member_shopId_platformCustomerId_key", `SELECT "id" FROM "Member" WHERE "shopId" = ${ph(1)} AND "platformCustomerId" = ${ph(2)} LIMIT 1000`, [shop.id, "gid://shopify/Customer/1"]],
      ["LedgerEntry_memberId_occurredAt_idx", `SELECT "id" FROM "LedgerEntry" WHERE "shopId" = ${ph(1)} AND "memberId" = ${ph(2)} ORDER BY "occurredAt" DESC, "id" DESC LIMIT 26`, [shop.id, "m"]],
    ];
    for (const [index, sql, params] of cases) expect(await plan(sql, params), index).toContain(index);
  });
});

describe("a member's page", () => {
  it("shows balance, tier, referral code, state, migration and customer id, and is another shop's nothing", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "bia@example.com", firstName: "Bia", platformCustomerId: "gid://shopify/Customer/5", tier: "Ouro", referralCode: "BIA10" }, 250);
    const view = await memberView(shop.id, m.id);
    expect(view.outcome).toBe("found");
    if (view.outcome !== "found") return;
    expect(view.member).toMatchObject({ state: "visible", balance: 250, ledgerSum: 250, entries: 1, tier: "Ouro", referralCode: "BIA10", platformCustomerId: "gid://shopify/Customer/5", migration: { name: "Smile → Shopify" } });
    expect(view.adjustmentRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(view.history.lines).toEqual([expect.objectContaining({ kind: "import", points: 250, balanceAfter: 250, sourceRef: expect.stringMatching(/^smile\.csv row \d+$/) })]);
    expect(await memberView((await newShop()).id, m.id)).toEqual({ outcome: "not-found" });
    expect(await memberView(shop.id, "no-such-member")).toEqual({ outcome: "not-found" });
  });

  it("pages the whole ledger newest first, each line with the balance after it", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "long@example.com" }, 1000);
    const client = new FakeStore();
    const moves = Array.from({ length: 29 }, (_, i) => (i % 3 === 0 ? -(i + 1) : i + 1));
    for (const [i, points] of moves.entries()) {
      const r = await adjustBalance({ shop, memberId: m.id, points, reason: `correction ${i}`, requestId: randomUUID(), client });
      expect(r.outcome).toBe("adjusted");
    }
    const total = 1000 + moves.reduce((a, b) => a + b, 0);
    const first = await memberView(shop.id, m.id, { limit: 12 });
    if (first.outcome !== "found") throw new Error("not found");
    expect(first.member).toMatchObject({ balance: total, ledgerSum: total, entries: 30 });
    const lines = [...first.history.lines];
    expect(first.history.newer).toBeNull();
    let older = first.history.older;
    const seen = [first];
    while (older) {
      const page = await memberView(shop.id, m.id, { older, limit: 12 });
      if (page.outcome !== "found") throw new Error("not found");
      expect(page.history.newer).not.toBeNull();
      lines.push(...page.history.lines);
      seen.push(page);
      older = page.history.older;
    }
    expect(seen.map((p) => p.outcome === "found" && p.history.lines.length)).toEqual([12, 12, 6]);
    expect(new Set(lines.map((l) => l.id)).size).toBe(30);
    expect(lines[0]!.balanceAfter).toBe(total);
    for (let i = 0; i < lines.length - 1; i++) expect(lines[i]!.balanceAfter - lines[i]!.points).toBe(lines[i + 1]!.balanceAfter);
    expect(lines.at(-1)).toMatchObject({ kind: "import", points: 1000, balanceAfter: 1000 });
    expect(lines[0]).toMatchObject({ kind: "adjust", reason: "correction 28", sourceRef: "admin adjustment" });
    // Back from the oldest page to the one before it.
    const last = seen.at(-1)!;
    const back = await memberView(shop.id, m.id, { newer: last.outcome === "found" ? last.history.newer : null, limit: 12 });
    expect(back.outcome === "found" && back.history.lines.map((l) => l.id)).toEqual(seen[1]!.outcome === "found" && seen[1]!.history.lines.map((l) => l.id));
  });
});

describe("manual adjustments", () => {
  it("post exactly one entry per request id, submitted twice or at once, and push a visible member's new balance", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "vis@example.com", platformCustomerId: "gid://shopify/Customer/42", tier: "Prata" }, 100);
    const client = new FakeStore();
    const requestId = randomUUID();
    const input = { shop, memberId: m.id, points: 50, reason: "Goodwill: late delivery", requestId, client };
    const first = await adjustBalance(input);
    expect(first).toMatchObject({ outcome: "adjusted", points: 50, balance: 150, push: { outcome: "pushed" } });
    expect(client.balances.get("gid://shopify/Customer/42")).toMatchObject({ points: 150, tier: "Prata" });
    const again = await adjustBalance(input);
    expect(again).toMatchObject({ outcome: "duplicate", points: 50, balance: 150, push: { outcome: "pushed" } });
    expect(again.outcome === "duplicate" && first.outcome === "adjusted" && again.entryId).toBe(first.outcome === "adjusted" && first.entryId);

    // A double click: the same request several times at once.
    const burst = { ...input, requestId: randomUUID(), points: -30 };
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => adjustBalance(burst)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["adjusted", "duplicate", "duplicate", "duplicate", "duplicate"]);
    expect(await prisma.ledgerEntry.count({ where: { memberId: m.id, kind: "adjust" } })).toBe(2);
    const after = await prisma.member.findUniqueOrThrow({ where: { id: m.id } });
    expect(after.balance).toBe(120);
    expect(await ledgerSum(m.id)).toBe(120);
    expect(client.balances.get("gid://shopify/Customer/42")?.points).toBe(120);
    expect((await checkBalances(shop.id)).drift).toEqual([]);
    // The entry, as the ledger keeps it: kind adjust, the reason, the request's key, no migration.
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { memberId: m.id, idempotencyKey: idempotencyKey.adjustment(requestId) } });
    expect(entry).toMatchObject({ kind: "adjust", points: 50, reason: "Goodwill: late delivery", migrationId: null, reversesId: null });
  });

  it("refuses a result below zero, writing nothing, and takes a balance exactly to zero", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "low@example.com", platformCustomerId: "gid://shopify/Customer/43" }, 80);
    const client = new FakeStore();
    expect(await adjustBalance({ shop, memberId: m.id, points: -81, reason: "typo", requestId: randomUUID(), client })).toEqual({ outcome: "below-zero", balance: 80, points: -81, shortBy: 1 });
    expect(await prisma.ledgerEntry.count({ where: { memberId: m.id } })).toBe(1);
    expect(client.writes).toBe(0);
    expect(await adjustBalance({ shop, memberId: m.id, points: -80, reason: "Account closed", requestId: randomUUID(), client })).toMatchObject({ outcome: "adjusted", balance: 0 });
    expect(await adjustBalance({ shop, memberId: m.id, points: 0, reason: "nothing", requestId: randomUUID(), client })).toEqual({ outcome: "invalid-points", reason: "zero" });
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(0);
  });

  it("adjusts a pending member in the ledger only (nothing reaches the store until they register)", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "pending@example.com" }, 60);
    const client = new FakeStore();
    expect(await adjustBalance({ shop, memberId: m.id, points: 15, reason: "Bonus for the survey", requestId: randomUUID(), client })).toMatchObject({ outcome: "adjusted", balance: 75, push: { outcome: "not-visible" } });
    expect(client.writes).toBe(0);
    expect(await pushMemberBalance(shop, m.id, client)).toEqual({ outcome: "not-visible" });
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(75);
    expect(await ledgerSum(m.id)).toBe(75);
  });

  it("keeps the entry when the store refuses the push, says so, and pushes again on request", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "push@example.com", platformCustomerId: "gid://shopify/Customer/44" }, 10);
    const failing = new FakeStore();
    failing.writeBalances = async (b) => ({ written: 0, failed: b.map((x) => ({ customerId: x.customerId, message: "metafieldsSet: throttled" })) });
    const r = await adjustBalance({ shop, memberId: m.id, points: 5, reason: "Goodwill", requestId: randomUUID(), client: failing });
    expect(r).toMatchObject({ outcome: "adjusted", balance: 15, push: { outcome: "push-failed", message: "metafieldsSet: throttled" } });
    const ok = new FakeStore();
    expect(await pushMemberBalance(shop, m.id, ok)).toEqual({ outcome: "pushed" });
    expect(ok.balances.get("gid://shopify/Customer/44")?.points).toBe(15);
    expect(await pushMemberBalance(await newShop(), m.id, ok)).toEqual({ outcome: "not-found" });
  });

  it("cannot touch another shop's member, nor reuse a request id for another member", async () => {
    const shop = await newShop();
    const m = await seedMember(shop, { email: "mine@example.com" }, 10);
    const n = await seedMember(shop, { email: "other@example.com" }, 10);
    const stranger = await newShop();
    const client = new FakeStore();
    expect(await adjustBalance({ shop: stranger, memberId: m.id, points: 5, reason: "x", requestId: randomUUID(), client })).toEqual({ outcome: "not-found" });
    const requestId = randomUUID();
    expect((await adjustBalance({ shop, memberId: m.id, points: 5, reason: "x", requestId, client })).outcome).toBe("adjusted");
    expect(await adjustBalance({ shop, memberId: n.id, points: 5, reason: "x", requestId, client })).toEqual({ outcome: "request-reused" });
    expect((await prisma.member.findUniqueOrThrow({ where: { id: n.id } })).balance).toBe(10);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(15);
  });

  it("reads the form: signed points as typed, a required reason, a request id", () => {
    const ok = AdjustForm.safeParse({ intent: "adjust", points: "-1.500", reason: "  Returned order  ", requestId: randomUUID() });
    expect(ok.success && ok.data).toMatchObject({ points: -1500, reason: "Returned order" });
    const bad = AdjustForm.safeParse({ intent: "adjust", points: "1,5", reason: "   ", requestId: "not-a-uuid" });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(adjustFormErrors(bad.error).sort()).toEqual(["points", "reason", "requestId"]);
    expect(MembersListParams.parse({ q: "ana", state: "everyone", after: "" })).toEqual({ q: "ana", state: undefined, after: undefined });
  });

  it("keeps balance = Σ entries and never below zero through any sequence of adjustments and replays (property)", async () => {
    const shop = await newShop();
    const client = new FakeStore();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.record({ points: fc.integer({ min: -150, max: 150 }), replay: fc.nat({ max: 4 }) }), { minLength: 1, maxLength: 10 }),
        async (start, steps) => {
          const customer = `gid://shopify/Customer/${1000 + ++seq}`;
          const m = await seedMember(shop, { email: `prop${seq}@example.com`, platformCustomerId: customer }, start);
          let model = start;
          const requests: Array<{ id: string; points: number }> = [];
          for (const step of steps) {
            // Either a new request, or a replay of an earlier one (a retried POST).
            const replay = step.replay > 0 && requests.length > 0 ? requests[step.replay % requests.length]! : null;
            const request = replay ?? { id: randomUUID(), points: step.points };
            const r = await adjustBalance({ shop, memberId: m.id, points: request.points, reason: "property", requestId: request.id, client });
            const check = checkAdjustment(model, request.points);
            if (replay) {
              expect(r.outcome).toBe("duplicate");
            } else if (check.outcome === "ok") {
              expect(r.outcome).toBe("adjusted");
              model = check.balanceAfter;
              requests.push(request);
            } else {
              expect(r.outcome).toBe(check.outcome === "below-zero" ? "below-zero" : "invalid-points");
            }
            const now = await prisma.member.findUniqueOrThrow({ where: { id: m.id } });
            expect(now.balance).toBe(model);
            expect(now.balance).toBeGreaterThanOrEqual(0);
            expect(await ledgerSum(m.id)).toBe(model);
          }
          expect(await prisma.ledgerEntry.count({ where: { memberId: m.id, kind: "adjust" } })).toBe(requests.length);
          expect(client.balances.get(customer)?.points ?? start).toBe(model);
        },
      ),
      { numRuns: 15 },
    );
    expect((await checkBalances(shop.id)).drift).toEqual([]);
  });
});
