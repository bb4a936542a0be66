import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Page } from "@playwright/test";
import { formatter } from "../../app/i18n";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { seedStore } from "../emulators/shopify/store";
import { ARTIFACTS, EMULATOR, expect, test } from "./fixtures";

// The whole wizard in the demo, from a NEW migration, in English and in Brazilian Portuguese:
// Home → Start → Platforms → Upload → Map & validate → Rules → Sync & preview → Apply (a pilot, then
// everyone) → Report; then a shopper of the old program who had no account registers on the store
// (the emulator creates the customer and delivers customers/create) and the Report shows their
// points restored. In English the migration is then rolled back from the Report.
//
// The demo shop already holds the demo's migration (started at start-up, and applied by
// apply-report.spec.ts when it ran first): a second migration can be started from Home. Its file must
// not carry the same people: the same old balances migrated twice would be credited twice (nothing
// stops a merchant from doing so — an import is per migration). So the file is built here like the
// demo's own export (scripts/demo-loyalty-export.ts), from the emulator's seeded store (same options
// as playwright.config.ts), with customers the demo's export does not hold, different ones per
// language, and a few shoppers who have no account on the store yet. No file under
// tests/fixtures/import/ holds the emulator's customers (their addresses are @example.com).

const STORE = { customers: 1234, orders: 4321, seed: 7, shopDomain: "demo-store.myshopify.com" };
const PER_LOCALE = 12;
const PENDING = 3;

const LOCALES = [
  {
    code: "en",
    start: "Start another migration",
    oldPlatform: "Old e-commerce platform",
    oldProvider: "Old loyalty program",
    cutover: "Go-live date of the new store",
    ordersMigrated: "Were the old orders migrated to the new store?",
    customersMigrated: "Was the customer base migrated to the new store?",
    yes: "Yes",
    no: "No",
    save: "Save and continue",
    summary: (file: string) => `What we found in ${file}`,
    continue: "Continue",
    syncStart: "Sync and preview",
    identity: /^[\d,]+ points in the file = [\d,]+ credited \+ [\d,]+ pending \+ [\d,]+ to review \+ [\d,]+ rejected$/,
  },
  {
    code: "pt-BR",
    start: "Iniciar outra migração",
    oldPlatform: "Plataforma de e-commerce antiga",
    oldProvider: "Programa de fidelidade antigo",
    cutover: "Data de lançamento da nova loja",
    ordersMigrated: "Os pedidos antigos foram migrados para a nova loja?",
    customersMigrated: "A base de clientes foi migrada para a nova loja?",
    yes: "Sim",
    no: "Não",
    save: "Salvar e continuar",
    summary: (file: string) => `O que encontramos em ${file}`,
    continue: "Continuar",
    syncStart: "Sincronizar e ver prévia",
    identity: /^[\d.]+ pontos no arquivo = [\d.]+ creditados \+ [\d.]+ pendentes \+ [\d.]+ para revisar \+ [\d.]+ rejeitados$/,
  },
] as const;

/** Store customers the demo's export does not hold (one e-mail, one customer), in store order. */
function newMembers(): Array<{ email: string; firstName: string; lastName: string }> {
  const store = seedStore(STORE);
  const demo = new Set(
    demoLoyaltyExport(STORE)
      .split("\n")
      .map((line) => line.split(",")[0]!.trim().toLowerCase()),
  );
  const out: Array<{ email: string; firstName: string; lastName: string }> = [];
  for (let i = 0; i < store.customerCount; i++) {
    const email = store.email(i)?.trim().toLowerCase();
    if (!email || demo.has(email) || store.findByEmail(email).length !== 1) continue;
    out.push({ email, firstName: store.firstName(i) ?? "", lastName: store.lastName(i) ?? "" });
  }
  return out;
}

/** This language's old-program export (Smile shape, as the demo's): store customers, then shoppers without an account. */
function exportFile(index: number, code: string) {
  const members = newMembers().slice(index * PER_LOCALE, (index + 1) * PER_LOCALE);
  expect(members).toHaveLength(PER_LOCALE);
  const pending = Array.from({ length: PENDING }, (_, k) => ({ email: `jornada-${code.toLowerCase()}-${k}@example.com.br`, firstName: "Jornada", lastName: `${code} ${k}` }));
  const rows = [["email", "first_name", "last_name", "points", "vip_tier", "referral_code"]];
  [...members, ...pending].forEach((m, k) => rows.push([m.email, m.firstName, m.lastName, String(150 * (k + 1)), ["Bronze", "Prata", "Ouro"][k % 3]!, `JRN${code.replace("-", "")}${k}`]));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "journey-")), `old-program-${code}.csv`);
  fs.writeFileSync(file, stringify(rows));
  const points = rows.slice(1).map((r) => Number(r[3]));
  return { file, pending, points: points.reduce((a, b) => a + b, 0), pendingPoints: points.slice(PER_LOCALE).reduce((a, b) => a + b, 0) };
}

const digits = (text: string | null) => Number((text ?? "").replace(/[^\d]/g, ""));

for (const [index, l] of LOCALES.entries()) {
  test(`[${l.code}] the whole wizard from a new migration, then a late registration restored`, async ({ page, request }) => {
    test.setTimeout(300_000);
    const { t } = formatter(l.code);
    let step = 0;
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/journey-${l.code}-${String(step++).padStart(2, "0")}-${name}.png`, fullPage: true });
    const stepper = (p: Page) => p.getByTestId("wizard-stepper");
    const { file, pending, points, pendingPoints } = exportFile(index, l.code);

    // Home: the demo's migration is there; a second one can be started.
    await page.goto(`/app?locale=${l.code}`);
    await expect(page.getByTestId("migration-count")).toBeVisible();
    const before = digits(await page.getByTestId("migration-count").textContent());
    expect(before).toBeGreaterThanOrEqual(1);
    await shot("home");
    await page.getByRole("button", { name: l.start }).click();
    await expect(page).toHaveURL(new RegExp(`/app/migrations/[^/]+/platforms\\?locale=${l.code}$`));
    const migrationUrl = page.url().replace(/\/platforms\?.*$/, "");

    // Platforms.
    await page.getByLabel(l.oldPlatform).selectOption("vtex");
    await page.getByLabel(l.oldProvider).selectOption("smile");
    await page.getByLabel(l.cutover).fill("2026-10-01");
    await page.getByRole("group", { name: l.ordersMigrated }).getByLabel(l.yes).check({ force: true });
    await page.getByRole("group", { name: l.customersMigrated }).getByLabel(l.no).check({ force: true });
    await shot("platforms");
    await page.getByRole("button", { name: l.save }).click();

    // Upload: the old program's export.
    await expect(page).toHaveURL(new RegExp(`/upload\\?locale=${l.code}$`));
    await page.locator('input[type="file"]').setInputFiles(file);
    await expect(page.getByRole("heading", { name: l.summary(path.basename(file)) })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("rows-total")).toHaveText(String(PER_LOCALE + PENDING));
    await expect(page.getByTestId("points-in-file")).toHaveText(points.toLocaleString(l.code));
    await shot("upload");

    // Map & validate, then Rules (the platform's defaults), then Sync & preview.
    await page.getByRole("link", { name: l.continue }).click();
    await expect(page).toHaveURL(new RegExp(`/rules\\?locale=${l.code}$`));
    await stepper(page).getByRole("link", { name: t("step.map") }).click();
    await expect(page).toHaveURL(new RegExp(`/map\\?locale=${l.code}$`));
    await shot("map");
    await stepper(page).getByRole("link", { name: t("step.rules") }).click();
    await shot("rules");
    await page.getByRole("button", { name: l.save }).click();
    await expect(page).toHaveURL(new RegExp(`/sync\\?locale=${l.code}$`));
    await page.getByRole("button", { name: l.syncStart }).click();
    await expect(page.getByTestId("preview-identity")).toBeVisible({ timeout: 120_000 });
    await shot("preview");

    // Apply: a 10% pilot, then everyone.
    await stepper(page).getByRole("link", { name: t("step.apply") }).click();
    await expect(page).toHaveURL(new RegExp(`/apply\\?locale=${l.code}$`));
    await expect(page.getByTestId("pilot-sample")).toHaveText(t("apply.pilotSample", { members: "2", matched: String(PER_LOCALE) }));
    await shot("apply");
    await page.getByRole("button", { name: t("apply.reviewPilot") }).click();
    const pilot = page.getByRole("dialog", { name: t("apply.confirmPilotTitle") });
    await expect(pilot.getByTestId("plan-credit")).toBeVisible();
    await shot("pilot-confirmation");
    await pilot.getByRole("button", { name: t("apply.confirmPilot"), exact: true }).click();
    await expect(page.getByTestId("pilot-result")).toBeVisible({ timeout: 60_000 });
    await shot("pilot-result");
    await page.getByRole("button", { name: t("apply.reviewAll") }).click();
    const rest = page.getByRole("dialog", { name: t("apply.confirmRestTitle") });
    await expect(rest.getByTestId("plan-pending")).toHaveText(t("apply.planPending", { members: String(PENDING), points: pendingPoints.toLocaleString(l.code) }));
    await shot("rest-confirmation");
    await rest.getByRole("button", { name: t("apply.confirmAll"), exact: true }).click();
    await expect(page.getByTestId("apply-result")).toBeVisible({ timeout: 120_000 });
    await shot("applied");

    // Report: every point of the file accounted for.
    await page.getByRole("link", { name: t("apply.openReport") }).click();
    await expect(page).toHaveURL(new RegExp(`/report\\?locale=${l.code}$`));
    await expect(page.getByTestId("report-identity")).toHaveText(l.identity);
    await expect(page.getByTestId("report-identity")).toHaveAttribute("data-holds", "yes");
    await expect(page.getByTestId("report-members-matched")).toHaveText(String(PER_LOCALE));
    await expect(page.getByTestId("report-members-pending")).toHaveText(String(PENDING));
    await expect(page.getByTestId("report-members-restored")).toHaveText("0");
    await shot("report");

    // A shopper of the old program creates their account on the store: customers/create reaches the app.
    const shopper = pending[0]!;
    const created = await request.post(`${EMULATOR}/_emulator/customers`, { data: { email: shopper.email, firstName: shopper.firstName, lastName: shopper.lastName } });
    expect(created.status(), await created.text()).toBe(201);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId("report-members-restored").textContent();
        },
        { timeout: 30_000, intervals: [500, 1000] },
      )
      .toBe("1");
    await expect(page.getByTestId("report-members-pending")).toHaveText(String(PENDING - 1));
    await expect(page.getByTestId("report-identity")).toHaveAttribute("data-holds", "yes");
    await expect(page.getByTestId("chart-restores-table").locator("tbody tr").last().locator("td").first()).toHaveText("1");
    // The restored shopper is in the relaunch campaign's file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: t("report.downloadRestored") }).click()]);
    expect(fs.readFileSync(await download.path(), "utf8")).toContain(shopper.email);
    await shot("restored");

    if (l.code === "en") {
      // Roll the migration back: what its confirmation says, then its progress and result.
      await page.getByRole("button", { name: t("report.rollbackButton") }).click();
      const dialog = page.getByRole("dialog", { name: t("report.rollbackConfirmTitle") });
      await expect(dialog.getByTestId("rollback-plan")).toBeVisible();
      await shot("rollback-confirmation");
      await dialog.getByRole("button", { name: t("report.rollbackConfirm"), exact: true }).click();
      await expect(page.getByTestId("rollback-result")).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId("report-identity")).toHaveAttribute("data-holds", "yes");
      await expect(page.getByTestId("report-identity")).toContainText(t("report.term.reversed"));
      await shot("rolled-back");
    }

    // Home lists the new migration beside the others.
    await page.goto(`/app?locale=${l.code}`);
    await expect(page.getByTestId("migration-count")).toHaveText(String(before + 1));
    expect(migrationUrl).toMatch(/\/app\/migrations\/[^/]+$/);
  });
}
