import path from "node:path";
import type { Page } from "@playwright/test";
import { ARTIFACTS, expect, test } from "./fixtures";

// The review queue in the admin, on the demo stack: the demo imported its Smile export (whose Gmail
// "+loja" addresses are e-mail variants of the store's customers: conflicts the rules never decide
// alone), synced the store and built the preview. The merchant opens the queue from the Sync step,
// filters it by reason, decides one conflict, updates the preview and sees its figures move by
// exactly that record; a failed dry run is tried again from its banner.

const SHOP = "demo-store.myshopify.com";
const DEMO_MIGRATION = "Smile.io → Shopify (demo)";
// The demo stack's database (playwright.config.ts starts the demo with --data-dir .carryover/e2e).
const DATA_DIR = path.resolve(".carryover/e2e");
process.env.DATABASE_URL ??= `file:${DATA_DIR}/carryover.db`;

async function services() {
  const { default: prisma } = await import("../../app/db.server");
  const { reviewQueue } = await import("../../app/services/reconcile/review.server");
  const { importLoyaltyFile } = await import("../../app/services/import/import.server");
  const { setRules } = await import("../../app/services/reconcile/rules.server");
  const { reconcileMigration } = await import("../../app/services/reconcile/reconcile.server");
  return { prisma, reviewQueue, importLoyaltyFile, setRules, reconcileMigration };
}

/**
 * The demo's previewed migration. When an earlier spec of the same run already applied it
 * (restore.spec.ts), decisions are closed there: the same export is then imported into a new
 * migration through the app's own import, and reconciled against the synced store, as the demo does.
 */
async function previewedMigration() {
  const s = await services();
  const shop = await s.prisma.shop.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } });
  const demo = await s.prisma.migration.findFirstOrThrow({ where: { shopId: shop.id, name: DEMO_MIGRATION } });
  if (demo.state === "previewed") return { s, shop, migration: demo };
  const name = "Smile.io → Shopify (review)";
  const migration =
    (await s.prisma.migration.findFirst({ where: { shopId: shop.id, name } })) ??
    (await s.prisma.migration.create({
      data: { shopId: shop.id, name, oldProvider: "smile", oldPlatform: "shopify", cutoverAt: demo.cutoverAt, settingsJson: demo.settingsJson },
    }));
  if (migration.state !== "previewed") {
    const imported = await s.importLoyaltyFile({
      shopId: shop.id,
      migrationId: migration.id,
      provider: "smile",
      fileName: "smile-export.csv",
      filePath: path.join(DATA_DIR, "smile-export.csv"),
    });
    expect(imported.outcome).not.toBe("file-rejected");
    expect((await s.setRules({ shopId: shop.id, migrationId: migration.id })).outcome).toBe("saved");
    expect((await s.reconcileMigration({ shopId: shop.id, migrationId: migration.id })).outcome).toBe("reconciled");
  }
  return { s, shop, migration: await s.prisma.migration.findUniqueOrThrow({ where: { id: migration.id } }) };
}

/** The first e-mail variant conflict nobody decided yet, as the CLI's `review` lists it. */
async function undecidedVariant() {
  const { s, shop, migration } = await previewedMigration();
  const queue = await s.reviewQueue({ shopId: shop.id, migrationId: migration.id, kind: "email_variant", take: 200 });
  const item = queue?.items.find((i) => i.decision === null && i.candidates.length === 1);
  expect(item, "the demo export has e-mail variant conflicts to decide").toBeTruthy();
  return { s, shop, migration, item: item!, total: queue!.total };
}

const digits = async (page: Page, testId: string) => Number((await page.getByTestId(testId).textContent())!.replace(/\D/g, ""));
async function figures(page: Page) {
  const names = ["matched-records", "matched-points", "pending-records", "pending-points", "conflict-records", "conflict-points", "rejected-records", "rejected-points"] as const;
  const values = await Promise.all(names.map((n) => digits(page, `preview-${n}`)));
  return Object.fromEntries(names.map((n, i) => [n, values[i]!])) as Record<(typeof names)[number], number>;
}

// Tall enough that the table's sticky pagination sits under the rows in the full-page screenshots.
test.use({ viewport: { width: 1280, height: 1400 } });

const LOCALES = [
  {
    code: "en",
    reviewOpen: "Review the conflicts",
    title: "Review conflicts",
    reason: "Reason",
    variantChoice: /^E-mail variant \(\d[\d,]*\)$/,
    variantReason: "Only a variant of the e-mail matches (Gmail dots, +tag)",
    decide: "Decide",
    matchTo: (who: string) => `Match to ${who}`,
    pending: "Keep pending: the points wait until the shopper registers on the new store",
    save: "Save decision",
    saved: "Decision saved.",
    changes: "1 decision is not in this preview yet.",
    refresh: "Update the preview",
    decidedTab: /^Decided \(\d+\)/,
    inPreview: "In the preview",
    identity: /^[\d,]+ points in the file = [\d,]+ matched \+ [\d,]+ pending \+ [\d,]+ to review \+ [\d,]+ rejected$/,
    retry: "Try again",
    failed: "The preview could not be updated: the worker stopped (simulated by this test)",
    decision: "match" as const,
  },
  {
    code: "pt-BR",
    reviewOpen: "Revisar os conflitos",
    title: "Revisar conflitos",
    reason: "Motivo",
    variantChoice: /^Variação de e-mail \(\d[\d.]*\)$/,
    variantReason: "Só uma variação do e-mail corresponde (pontos do Gmail, +tag)",
    decide: "Decidir",
    matchTo: (who: string) => `Vincular a ${who}`,
    pending: "Manter pendente: os pontos esperam até o cliente se cadastrar na nova loja",
    save: "Salvar decisão",
    saved: "Decisão salva.",
    changes: "1 decisão ainda não está nesta prévia.",
    refresh: "Atualizar a prévia",
    decidedTab: /^Decididos \(\d+\)/,
    inPreview: "Na prévia",
    identity: /^[\d.]+ pontos no arquivo = [\d.]+ encontrados \+ [\d.]+ pendentes \+ [\d.]+ para revisar \+ [\d.]+ rejeitados$/,
    retry: "Tentar de novo",
    failed: "Não foi possível atualizar a prévia: the worker stopped (simulated by this test)",
    decision: "pending" as const,
  },
] as const;

for (const l of LOCALES) {
  test(`[${l.code}] decide a conflict in the admin and see the preview's figures move by it`, async ({ page }) => {
    test.setTimeout(120_000);
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/review-${l.code}-${name}.png`, fullPage: true });
    const { migration, item } = await undecidedVariant();
    const base = `/app/migrations/${migration.id}`;

    // From the Sync step: the review card counts the queue and opens it.
    await page.goto(`${base}/sync?locale=${l.code}`);
    await expect(page.getByTestId("review-counts")).toBeVisible();
    await shot("0-sync");
    await page.getByRole("link", { name: l.reviewOpen }).click();
    await expect(page).toHaveURL(new RegExp(`${base}/review\\?locale=${l.code}$`));
    await expect(page.getByRole("heading", { name: l.title })).toBeVisible();
    await expect(page.getByTestId("preview-identity")).toHaveText(l.identity);
    await shot("1-queue");
    if (l.code === "en") {
      // Nothing decided yet on the demo: the Decided tab says so.
      await page.getByRole("tab", { name: l.decidedTab }).click();
      await expect(page.getByTestId("review-empty")).toHaveText("No decisions yet");
      await shot("1b-no-decisions");
      await page.getByRole("tab", { name: /^To review/ }).click();
      await expect(page).toHaveURL(/tab=open/);
    }

    // Filter by reason: the e-mail variants.
    await page.getByRole("button", { name: l.reason }).first().click();
    // The choice is the URL's (the list reloads filtered), so the radio turns on once the page has.
    await page.getByRole("radio", { name: l.variantChoice }).click({ force: true });
    await expect(page).toHaveURL(/kind=email_variant/);
    await expect(page.getByText(l.variantReason).first()).toBeVisible();
    await page.keyboard.press("Escape");
    const before = await figures(page);

    // Decide the record: the dialog shows its candidate and why.
    const actions = page.getByTestId(`actions-${item.rowNumber}`);
    await expect(actions).toBeVisible();
    await actions.getByRole("button", { name: l.decide }).click();
    const dialog = page.getByRole("dialog");
    const candidate = item.candidates[0]!;
    const who = candidate.name ?? candidate.email ?? candidate.phone ?? candidate.platformId;
    await expect(dialog.getByText(l.matchTo(who))).toBeVisible();
    await shot("2-decide");
    await dialog.getByRole("radio", { name: l.decision === "match" ? l.matchTo(who) : l.pending }).check({ force: true });
    await dialog.getByRole("button", { name: l.save }).click();
    await expect(page.getByTestId("review-result")).toHaveText(l.saved);
    await expect(page.getByTestId("preview-changes")).toHaveText(l.changes);
    expect(await figures(page)).toEqual(before); // the stored preview does not move by itself
    await shot("3-decided");

    // Update the preview: the worker builds it again; the record leaves the conflicts for its class.
    await page.getByRole("button", { name: l.refresh }).click();
    await expect(page.getByTestId("preview-changes")).toBeHidden({ timeout: 60_000 });
    await expect(page.getByTestId("preview-refreshing")).toBeHidden({ timeout: 60_000 });
    const after = await figures(page);
    const cls = l.decision === "match" ? "matched" : "pending";
    expect(after).toEqual({
      ...before,
      [`${cls}-records`]: before[`${cls}-records`] + 1,
      [`${cls}-points`]: before[`${cls}-points`] + item.points,
      "conflict-records": before["conflict-records"] - 1,
      "conflict-points": before["conflict-points"] - item.points,
    });
    await expect(page.getByTestId("preview-identity")).toHaveText(l.identity);
    await shot("4-updated");

    // The decision is listed with the others, followed by the preview.
    await page.getByRole("tab", { name: l.decidedTab }).click();
    await expect(page).toHaveURL(/tab=decided/);
    await expect(page.getByTestId(`actions-${item.rowNumber}`)).toBeVisible();
    await expect(page.getByText(l.inPreview).first()).toBeVisible();
    await shot("5-decided-tab");
  });
}

test("keep several conflicts pending at once, then update the preview", async ({ page }) => {
  test.setTimeout(120_000);
  const { s, shop, migration } = await previewedMigration();
  const queue = await s.reviewQueue({ shopId: shop.id, migrationId: migration.id, take: 200 });
  const undecided = queue!.items.filter((i) => i.decision === null).slice(0, 2);
  expect(undecided, "two conflicts left to decide").toHaveLength(2);
  await page.goto(`/app/migrations/${migration.id}/review?locale=en`);
  const before = await figures(page);
  for (const item of undecided) {
    await page.locator("tr", { has: page.getByTestId(`actions-${item.rowNumber}`) }).getByRole("checkbox").check({ force: true });
  }
  await page.screenshot({ path: `${ARTIFACTS}/review-en-8-bulk.png`, fullPage: true });
  await page.getByRole("button", { name: "Keep pending", exact: true }).click();
  await expect(page.getByTestId("review-result")).toHaveText("2 decisions saved.");
  await expect(page.getByTestId("preview-changes")).toHaveText("2 decisions are not in this preview yet.");
  await page.getByRole("button", { name: "Update the preview" }).click();
  await expect(page.getByTestId("preview-changes")).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId("preview-refreshing")).toBeHidden({ timeout: 60_000 });
  const moved = undecided.reduce((sum, i) => sum + i.points, 0);
  expect(await figures(page)).toEqual({
    ...before,
    "pending-records": before["pending-records"] + 2,
    "pending-points": before["pending-points"] + moved,
    "conflict-records": before["conflict-records"] - 2,
    "conflict-points": before["conflict-points"] - moved,
  });
  await page.screenshot({ path: `${ARTIFACTS}/review-en-9-bulk-updated.png`, fullPage: true });
});

test("a dry run that failed is tried again from its banner", async ({ page }) => {
  test.setTimeout(120_000);
  const { s, shop, migration } = await previewedMigration();
  // The worker's failure is simulated (a dry run of the demo does not fail on its own): the latest
  // dry-run job of the migration, failed with its error, as the runner leaves one.
  await s.prisma.job.create({
    data: {
      kind: "migration.reconcile",
      shopId: shop.id,
      payloadJson: JSON.stringify({ shopId: shop.id, migrationId: migration.id }),
      dedupeKey: `reconcile:${migration.id}:e2e-failed-${Date.now()}`,
      state: "failed",
      attempts: 3,
      error: "the worker stopped (simulated by this test)",
      finishedAt: new Date(),
    },
  });
  for (const l of LOCALES) {
    await page.goto(`/app/migrations/${migration.id}/sync?locale=${l.code}`);
    await expect(page.getByTestId("preview-failed")).toHaveText(l.failed);
    await page.screenshot({ path: `${ARTIFACTS}/review-${l.code}-6-failed.png`, fullPage: true });
  }
  await page.getByRole("button", { name: "Tentar de novo" }).click();
  await expect(page.getByTestId("preview-failed")).toBeHidden({ timeout: 60_000 });
  // A new dry run, queued by the button and run by the app's worker.
  const latest = () => s.prisma.job.findFirstOrThrow({ where: { shopId: shop.id, kind: "migration.reconcile" }, orderBy: { createdAt: "desc" } });
  await expect.poll(async () => (await latest()).state, { timeout: 60_000 }).toBe("succeeded");
  expect((await latest()).error).toBeNull();
  await expect(page.getByText("Cruzando clientes e montando a prévia…")).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId("preview-identity")).toHaveText(LOCALES[1].identity);
  await page.screenshot({ path: `${ARTIFACTS}/review-pt-BR-7-retried.png`, fullPage: true });
});
