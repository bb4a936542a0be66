import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { ARTIFACTS, EMULATOR, expect, test } from "./fixtures";

// The Members screens on the demo stack. The demo imports, syncs and previews its migration at
// start-up; members exist once it is applied — by the Apply spec when the whole suite runs, or here,
// through the app's own services and the app server's worker, when this spec runs alone. Then the
// merchant finds a member by e-mail, by phone typed the way people type it, and by name; opens them;
// adjusts their points with a reason; sees the new history line and balance, and the store's copy of
// the balance; a retried request adds nothing and a balance cannot go below zero. In English and in
// Brazilian Portuguese.

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

/** Members exist once the demo migration is applied: apply it (as the merchant would) unless a spec before did. */
async function appliedDemo() {
  const s = await services();
  const shop = await s.prisma.shop.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } });
  const migration = await s.prisma.migration.findFirstOrThrow({ where: { shopId: shop.id, name: "Smile.io → Shopify (demo)" } });
  if (!["applied", "piloted"].includes(migration.state)) {
    const rules = await s.setRules({ shopId: shop.id, migrationId: migration.id });
    expect(rules.outcome, JSON.stringify(rules)).toBe("saved");
    const preview = await s.reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    expect(preview.outcome).toBe("reconciled");
    const queued = await s.requestApply({ shopId: shop.id, migrationId: migration.id, pilot: null });
    expect(queued, JSON.stringify(queued)).toHaveProperty("jobId");
    const jobId = (queued as { jobId: string }).jobId;
    const job = await until("the apply job (run by the app's worker)", async () => {
      const j = await s.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return j.state === "succeeded" || j.state === "failed" ? j : null;
    }, 150_000);
    expect(job.error).toBeNull();
  }
  return { ...s, shop };
}

async function metafieldPoints(request: APIRequestContext, customerId: string): Promise<string | null> {
  const r = await request.get(`${EMULATOR}/_emulator/metafields?ownerId=${encodeURIComponent(customerId)}&namespace=${encodeURIComponent("$app")}`);
  const { metafields } = (await r.json()) as { metafields: Array<{ key: string; value: string }> };
  return metafields.find((f) => f.key === "points")?.value ?? null;
}

test("find a member by e-mail, phone and name, adjust their points with a reason, read the history (en)", async ({ page, request }) => {
  test.setTimeout(240_000);
  const { prisma, shop } = await appliedDemo();
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/members-en-${name}.png`, fullPage: true });

  // A visible member with a name and an e-mail of their own, and some member with a phone.
  const member = await prisma.member.findFirstOrThrow({
    where: { shopId: shop.id, state: "visible", redactedAt: null, firstName: { not: null }, lastName: { not: null }, emailNormalized: { not: null }, balance: { gt: 100 } },
    orderBy: { id: "asc" },
  });
  const withPhone = await prisma.member.findFirst({ where: { shopId: shop.id, redactedAt: null, phoneE164: { not: null } }, orderBy: { id: "asc" } });
  expect(withPhone, "the demo's members include some with a phone (from the store's customers)").not.toBeNull();

  await page.goto("/app/members");
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  await expect(page.getByTestId("member-link").first()).toBeVisible();
  await shot("1-list");
  // More than one page: the next page starts after this one's last member, and Previous comes back.
  const firstPage = await page.getByTestId("member-link").allTextContents();
  expect(firstPage).toHaveLength(25);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/[?&]after=/);
  await expect(page.getByTestId("member-link").first()).not.toHaveText(firstPage[0]!);
  const secondPage = await page.getByTestId("member-link").allTextContents();
  expect(secondPage.filter((name) => firstPage.includes(name)).length).toBeLessThan(secondPage.length);
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(page).toHaveURL(/[?&]before=/);
  await expect(page.getByTestId("member-link")).toHaveText(firstPage);

  // By e-mail, typed with capitals and spaces around it.
  const search = page.getByLabel("Search members");
  await search.fill(`  ${member.email!.toUpperCase()} `);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByTestId("member-link")).toHaveCount(await prisma.member.count({ where: { shopId: shop.id, emailNormalized: member.emailNormalized } }));
  await expect(page.getByTestId("member-link").filter({ hasText: `${member.firstName} ${member.lastName}` }).first()).toBeVisible();

  // By phone, typed the national way with spaces and dashes.
  const phone = parsePhoneNumberFromString(withPhone!.phoneE164!)!;
  const national = phone.formatNational();
  expect(national).not.toBe(withPhone!.phoneE164);
  await search.fill(national);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("row").filter({ hasText: phone.formatInternational() }).first()).toBeVisible();
  await shot("2-search-phone");

  // By the start of the name, first name and last name.
  await search.fill(`${member.firstName!.toLowerCase()} ${member.lastName!.slice(0, 3)}`);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const link = page.getByTestId("member-link").filter({ hasText: `${member.firstName} ${member.lastName}` }).first();
  await expect(link).toBeVisible();
  await shot("3-search-name");

  // Nobody: the empty result says so.
  await search.fill("zzzz nobody");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("No members match")).toBeVisible();

  // Open the member.
  await page.goto(`/app/members/${encodeURIComponent(member.id)}`);
  await expect(page.getByRole("heading", { name: `${member.firstName} ${member.lastName}` })).toBeVisible();
  await expect(page.getByTestId("member-balance")).toHaveText(`${member.balance.toLocaleString("en")} points`);
  await expect(page.getByTestId("member-customer")).toHaveText(member.platformCustomerId!);
  await expect(page.getByText("Visible: linked to a customer of the store")).toBeVisible();
  await expect(page.getByRole("link", { name: "Smile.io → Shopify (demo)" })).toBeVisible();
  await expect(page.getByTestId("history-kind").first()).toBeVisible();
  const entriesBefore = await prisma.ledgerEntry.count({ where: { memberId: member.id } });
  await expect(page.getByText(entriesBefore === 1 ? "1 entry" : `${entriesBefore} entries, newest first`, { exact: true })).toBeVisible();

  // Adjust: +25 with a reason.
  await page.getByLabel("Points", { exact: true }).fill("25");
  await page.getByLabel("Reason").fill("Goodwill: late delivery");
  await page.getByRole("button", { name: "Post adjustment" }).click();
  const after = member.balance + 25;
  await expect(page.getByTestId("adjust-outcome")).toHaveText(`+25 points posted. New balance: ${after.toLocaleString("en")}.`);
  await expect(page.getByText("The new balance was written to the store.")).toBeVisible();
  await expect(page.getByTestId("member-balance")).toHaveText(`${after.toLocaleString("en")} points`);
  const first = page.getByRole("row").nth(1);
  await expect(first.getByTestId("history-kind")).toHaveText("Manual adjustment");
  await expect(first.getByTestId("history-points")).toHaveText("+25");
  await expect(first.getByTestId("history-balance")).toHaveText(after.toLocaleString("en"));
  await expect(first.getByTestId("history-source")).toHaveText("Goodwill: late delivery");
  await expect(page.getByLabel("Points", { exact: true })).toHaveValue("");
  expect(await prisma.ledgerEntry.count({ where: { memberId: member.id } })).toBe(entriesBefore + 1);
  expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).balance).toBe(after);
  expect(await metafieldPoints(request, member.platformCustomerId!)).toBe(String(after));
  await shot("4-adjusted");

  // The same form sent twice (a retried request, as the browser sends it without JavaScript): one entry.
  const requestId = await page.locator('input[name="requestId"]').inputValue();
  const url = `/app/members/${encodeURIComponent(member.id)}`;
  for (let i = 0; i < 2; i++) {
    const res = await page.request.post(url, { form: { intent: "adjust", points: "-5", reason: "Retried request", requestId } });
    expect(res.status()).toBe(200);
  }
  expect(await prisma.ledgerEntry.count({ where: { memberId: member.id, reason: "Retried request" } })).toBe(1);
  expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).balance).toBe(after - 5);

  // Below zero: refused, with the balance it would have gone below.
  await page.reload();
  await page.getByLabel("Points", { exact: true }).fill(`-${(after + 1000).toLocaleString("en")}`);
  await page.getByLabel("Reason").fill("Typo");
  await page.getByRole("button", { name: "Post adjustment" }).click();
  await expect(page.getByTestId("adjust-outcome")).toHaveText(`Not posted: removing ${(after + 1000).toLocaleString("en")} points would leave the balance below zero (it is ${(after - 5).toLocaleString("en")}).`);
  expect(await prisma.ledgerEntry.count({ where: { memberId: member.id } })).toBe(entriesBefore + 2);
  await shot("5-below-zero");

  // A pending member: what pending means, and an adjustment that stays in the ledger until they register.
  await page.goto("/app/members?state=pending");
  await page.getByTestId("member-link").first().click();
  await expect(page.getByText("Pending: this customer has no account on the store yet.")).toBeVisible();
  await expect(page.getByTestId("member-customer")).toHaveText("No account yet");
  const pendingBalance = Number(((await page.getByTestId("member-balance").textContent()) ?? "").replace(/\D/g, ""));
  await page.getByLabel("Points", { exact: true }).fill("10");
  await page.getByLabel("Reason").fill("Welcome back bonus");
  await page.getByRole("button", { name: "Post adjustment" }).click();
  await expect(page.getByText("The member is pending: the store shows the balance once they register.")).toBeVisible();
  await expect(page.getByTestId("member-balance")).toHaveText(`${(pendingBalance + 10).toLocaleString("en")} points`);
  await expect(page.getByTestId("history-source").first()).toHaveText("Welcome back bonus");
  await shot("6-pending");
  await prisma.$disconnect();
});

test("the same screens in Brazilian Portuguese (pt-BR)", async ({ page }) => {
  test.setTimeout(180_000);
  const { prisma, shop } = await appliedDemo();
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/members-pt-BR-${name}.png`, fullPage: true });
  const member = await prisma.member.findFirstOrThrow({
    where: { shopId: shop.id, state: "visible", redactedAt: null, firstName: { not: null }, lastName: { not: null }, balance: { gt: 100 } },
    orderBy: { id: "desc" },
  });
  const pt = (n: number) => n.toLocaleString("pt-BR");

  await page.goto("/app/members?locale=pt-BR");
  await expect(page.getByRole("heading", { name: "Membros", exact: true })).toBeVisible();
  await page.getByLabel("Buscar membros").fill(`${member.firstName} ${member.lastName}`);
  await page.getByRole("button", { name: "Buscar", exact: true }).click();
  await expect(page).toHaveURL(/locale=pt-BR/);
  await expect(page.getByRole("columnheader", { name: "Saldo" })).toBeVisible();
  await shot("1-list");
  await page.getByTestId("member-link").filter({ hasText: `${member.firstName} ${member.lastName}` }).first().click();
  await expect(page).toHaveURL(/\/app\/members\/[^?]+\?locale=pt-BR$/);
  await expect(page.getByTestId("member-balance")).toHaveText(`${pt(member.balance)} pontos`);

  await page.getByLabel("Pontos", { exact: true }).fill("-10");
  await page.getByLabel("Motivo").fill("Pedido devolvido");
  await page.getByRole("button", { name: "Lançar ajuste" }).click();
  const after = member.balance - 10;
  await expect(page.getByTestId("adjust-outcome")).toHaveText(`-10 pontos lançados. Novo saldo: ${pt(after)}.`);
  const first = page.getByRole("row").nth(1);
  await expect(first.getByTestId("history-kind")).toHaveText("Ajuste manual");
  await expect(first.getByTestId("history-points")).toHaveText("-10");
  await expect(first.getByTestId("history-balance")).toHaveText(pt(after));
  await expect(first.getByTestId("history-source")).toHaveText("Pedido devolvido");
  await expect(page.getByRole("heading", { name: "Histórico de pontos" })).toBeVisible();
  await shot("2-adjusted");
  await prisma.$disconnect();
});
