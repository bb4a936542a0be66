import path from "node:path";
import { ARTIFACTS, EMULATOR, expect, test } from "./fixtures";

// Restore on registration, end to end on the demo stack: the demo ran import → sync → reconcile; the
// merchant applies the migration (the app server's worker runs the job), which leaves the customers
// without an account on the store as pending members; one of them registers on the store (the
// emulator creates the customer and delivers a signed customers/create), and within seconds the app has
// made their points visible — one restore memo — and written the balance to the store's metafields.

const SHOP = "demo-store.myshopify.com";
// The demo stack's database (playwright.config.ts starts the demo with --data-dir .carryover/e2e).
process.env.DATABASE_URL ??= `file:${path.resolve(".carryover/e2e/carryover.db")}`;

async function services() {
  const { default: prisma } = await import("../../app/db.server");
  const { requestApply } = await import("../../app/services/apply/apply.server");
  const { setRules } = await import("../../app/services/reconcile/rules.server");
  const { reconcileMigration } = await import("../../app/services/reconcile/reconcile.server");
  return { prisma, requestApply, setRules, reconcileMigration };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a pending member registers on the store and their points are restored within seconds, once", async ({ page, request }) => {
  test.setTimeout(180_000);
  const { prisma, requestApply, setRules, reconcileMigration } = await services();
  const shop = await prisma.shop.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } });
  const migration = await prisma.migration.findFirstOrThrow({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } });

  // The merchant's remaining wizard steps — rules confirmed, the (already synced) store reconciled into a
  // preview — then Apply, unless an earlier run of this spec against the same stack already did.
  if (!["applied", "piloted"].includes(migration.state)) {
    const rules = await setRules({ shopId: shop.id, migrationId: migration.id });
    expect(rules.outcome, JSON.stringify(rules)).toBe("saved");
    const preview = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    expect(preview.outcome).toBe("reconciled");
    const queued = await requestApply({ shopId: shop.id, migrationId: migration.id, pilot: null });
    expect(queued, JSON.stringify(queued)).toHaveProperty("jobId");
    const jobId = (queued as { jobId: string }).jobId;
    const job = await until("the apply job (run by the app's worker)", async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return j.state === "succeeded" || j.state === "failed" ? j : null;
    }, 150_000);
    expect(job.error).toBeNull();
  }

  // A pending member with points, the only pending member on their e-mail (a tie would stay pending).
  const candidates = await prisma.member.findMany({ where: { shopId: shop.id, state: "pending", balance: { gt: 0 }, emailNormalized: { not: null } }, take: 50, orderBy: { id: "asc" } });
  let pending = null;
  for (const m of candidates) {
    if ((await prisma.member.count({ where: { shopId: shop.id, emailNormalized: m.emailNormalized } })) === 1) {
      pending = m;
      break;
    }
  }
  expect(pending, "the demo migration leaves pending members").not.toBeNull();
  const member = pending!;

  // The shopper creates their account on the store: the emulator delivers a signed customers/create.
  const res = await request.post(`${EMULATOR}/_emulator/customers`, { data: { firstName: member.firstName ?? "Cliente", lastName: member.lastName ?? "Pendente", email: member.email ?? member.emailNormalized } });
  expect(res.status(), await res.text()).toBe(201);
  const created = (await res.json()) as { customer: { id: string }; deliveries: Array<{ topic: string; statuses: number[] }> };
  expect(created.deliveries[0]).toMatchObject({ topic: "customers/create", statuses: [200] });
  const started = Date.now();

  const restored = await until("the member to be restored", async () => {
    const m = await prisma.member.findUniqueOrThrow({ where: { id: member.id } });
    return m.state === "visible" ? m : null;
  }, 15_000);
  const metafields = await until("the balance on the store's metafields", async () => {
    const r = await request.get(`${EMULATOR}/_emulator/metafields?ownerId=${encodeURIComponent(created.customer.id)}&namespace=${encodeURIComponent("$app")}`);
    const { metafields: list } = (await r.json()) as { metafields: Array<{ key: string; value: string }> };
    return list.some((f) => f.key === "points") ? list : null;
  }, 15_000);
  const seconds = (Date.now() - started) / 1000;

  expect(restored).toMatchObject({ platformCustomerId: created.customer.id, balance: member.balance });
  expect(restored.restoredAt).not.toBeNull();
  const memos = await prisma.ledgerEntry.findMany({ where: { memberId: member.id, kind: "restore" } });
  expect(memos).toHaveLength(1);
  expect(memos[0]).toMatchObject({ points: 0, sourceRef: "webhook customers/create" });
  expect(metafields.find((f) => f.key === "points")?.value).toBe(String(member.balance));
  expect(new Date(metafields.find((f) => f.key === "restored_at")!.value).toISOString()).toBe(restored.restoredAt!.toISOString());
  expect(seconds).toBeLessThan(15);

  // The same webhook delivered again changes nothing.
  const again = await request.post(`${EMULATOR}/_emulator/webhooks`, { data: { topic: "customers/create", customerId: created.customer.id, times: 3 } });
  expect(again.ok()).toBe(true);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await prisma.ledgerEntry.count({ where: { memberId: member.id, kind: "restore" } })).toBe(1);
  expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).balance).toBe(member.balance);

  // No admin page lists members yet; the store's side is what the shopper sees: the raw metafields.
  await page.goto(`${EMULATOR}/_emulator/metafields?ownerId=${encodeURIComponent(created.customer.id)}&namespace=${encodeURIComponent("$app")}`);
  await page.screenshot({ path: `${ARTIFACTS}/restore-metafields.png` });
  console.log(`restored ${member.balance} points for ${created.customer.id} in ${seconds.toFixed(1)} s`);
  await prisma.$disconnect();
});
