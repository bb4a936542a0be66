import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, expect, test } from "./fixtures";

// The merchant's first two wizard steps, in English and in Brazilian Portuguese: from the home page,
// start a migration, answer Platforms, upload the old provider's export, read what the import
// found, download the rejected rows, and come back to the step the migration is at.

const SMILE = path.resolve("tests/fixtures/import/providers/smile.csv");

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
    summary: "What we found in smile.csv",
    rowsIdentity: /^17 rows = \d+ valid \+ \d+ rejected \+ \d+ merged \+ 0 ignored$/,
    invalidEmail: "Invalid e-mail",
    download: "Download the rejected rows (CSV)",
    continue: "Continue",
    rulesHeading: "Which orders earn and which reverse",
    paid: "Paid",
    mapStep: "Map & validate",
    mapHeading: "How the columns were read",
    pointsField: "Points balance",
    rulesStep: "Rules",
    completed: "Completed orders",
    syncStart: "Sync and preview",
    previewIdentity: /^[\d,]+ points in the file = [\d,]+ matched \+ [\d,]+ pending \+ [\d,]+ to review \+ [\d,]+ rejected$/,
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
    summary: "O que encontramos em smile.csv",
    rowsIdentity: /^17 linhas = \d+ válidas \+ \d+ rejeitadas \+ \d+ mescladas \+ 0 ignoradas$/,
    invalidEmail: "E-mail inválido",
    download: "Baixar as linhas rejeitadas (CSV)",
    continue: "Continuar",
    rulesHeading: "Quais pedidos geram e quais estornam pontos",
    paid: "Pago",
    mapStep: "Mapear e validar",
    mapHeading: "Como as colunas foram lidas",
    pointsField: "Saldo de pontos",
    rulesStep: "Regras",
    completed: "Pedidos concluídos",
    syncStart: "Sincronizar e ver prévia",
    previewIdentity: /^[\d.]+ pontos no arquivo = [\d.]+ encontrados \+ [\d.]+ pendentes \+ [\d.]+ para revisar \+ [\d.]+ rejeitados$/,
  },
] as const;

for (const l of LOCALES) {
  test(`[${l.code}] start a migration, answer Platforms, upload the export and read the summary`, async ({ page }) => {
    test.setTimeout(180_000);
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/wizard-${l.code}-${name}.png`, fullPage: true });
    await page.goto(`/app?locale=${l.code}`);
    await expect(page.getByTestId("migration-count")).toBeVisible();
    await shot("0-home");

    await page.getByRole("button", { name: l.start }).click();
    await expect(page).toHaveURL(new RegExp(`/app/migrations/[^/]+/platforms\\?locale=${l.code}$`));
    const migrationUrl = page.url().replace(/\/platforms\?.*$/, "");
    await expect(page.getByTestId("wizard-stepper").locator('[data-step="platforms"]')).toHaveAttribute("data-status", "current");
    await shot("1-platforms");

    await page.getByLabel(l.oldPlatform).selectOption("vtex");
    await page.getByLabel(l.oldProvider).selectOption("smile");
    await page.getByLabel(l.cutover).fill("2026-10-01");
    await page.getByRole("group", { name: l.ordersMigrated }).getByLabel(l.yes).check({ force: true });
    await page.getByRole("group", { name: l.customersMigrated }).getByLabel(l.no).check({ force: true });
    await page.getByRole("button", { name: l.save }).click();

    await expect(page).toHaveURL(new RegExp(`/upload\\?locale=${l.code}$`));
    await expect(page.getByTestId("wizard-stepper").locator('[data-step="platforms"]')).toHaveAttribute("data-status", "complete");
    await shot("2-upload");

    await page.locator('input[type="file"]').setInputFiles(SMILE);
    await expect(page.getByRole("heading", { name: l.summary })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("rows-total")).toHaveText("17");
    await expect(page.getByTestId("rows-identity")).toHaveText(l.rowsIdentity);
    await expect(page.getByTestId("points-in-file")).toHaveText((250006665).toLocaleString(l.code));
    await expect(page.getByTestId("format-encoding")).toHaveText("UTF-8");
    await expect(page.getByRole("rowheader", { name: l.invalidEmail })).toBeVisible();
    await shot("3-summary");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: l.download }).click()]);
    const csv = fs.readFileSync(await download.path(), "utf8");
    const rejected = Number(await page.getByTestId("rows-rejected").textContent());
    expect(csv.trim().split(/\r?\n/)).toHaveLength(rejected + 1);
    expect(csv).toContain("carla@example");

    // The upload validated the file: the wizard goes on to its rules, and a reload opens the same step.
    await page.getByRole("link", { name: l.continue }).click();
    await expect(page).toHaveURL(new RegExp(`/rules\\?locale=${l.code}$`));
    await expect(page.getByRole("heading", { name: l.rulesHeading })).toBeVisible();
    await page.goto(`${migrationUrl}?locale=${l.code}`);
    await expect(page).toHaveURL(new RegExp(`/rules\\?locale=${l.code}$`));
    await expect(page.getByTestId("wizard-stepper").locator('[data-step="upload"]')).toHaveAttribute("data-status", "complete");
    await shot("4-rules");

    // A step already done opens from the stepper: Map & validate shows the preset's mapping.
    await page.getByTestId("wizard-stepper").getByRole("link", { name: l.mapStep }).click();
    await expect(page.getByRole("heading", { name: l.mapHeading })).toBeVisible();
    await expect(page.getByRole("rowheader", { name: l.pointsField })).toBeVisible();
    await shot("4b-map");
    await page.getByTestId("wizard-stepper").getByRole("link", { name: l.rulesStep }).click();
    await expect(page.getByRole("heading", { name: l.rulesHeading })).toBeVisible();

    // Rules: the platform's real order states, its defaults ticked; saved as they are.
    await expect(page.getByRole("group", { name: l.completed }).getByLabel(l.paid, { exact: true })).toBeChecked();
    await page.getByRole("button", { name: l.save }).click();
    await expect(page).toHaveURL(new RegExp(`/sync\\?locale=${l.code}$`));

    // Sync & preview: the pull runs in the app's worker with a progress bar, then the dry run's figures.
    await page.getByRole("button", { name: l.syncStart }).click();
    await expect(page.getByTestId("preview-identity")).toHaveText(l.previewIdentity, { timeout: 120_000 });
    await expect(page.getByTestId("wizard-stepper").locator('[data-step="sync"]')).toHaveAttribute("data-status", "complete");
    await shot("5-preview");
  });
}
