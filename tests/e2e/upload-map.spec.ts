import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { formatter, type Locale } from "../../app/i18n";
import { ARTIFACTS, expect, test } from "./fixtures";

// The Upload and Map & validate steps in English and Brazilian Portuguese: a Windows-1252,
// semicolon-separated export with comma decimals is detected, and changing the decimal mark changes
// what is carried over; a generic export whose columns nothing recognises is refused, kept, and
// mapped by hand; the rejected rows are filtered by reason; the file's upload shows its progress.

const WIN1252 = path.resolve("tests/fixtures/import/wizard/clube-windows-1252.csv");
const GENERIC = path.resolve("tests/fixtures/import/wizard/generic-own-headers.csv");
const LOCALES: Locale[] = ["en", "pt-BR"];

async function startGenericMigration(page: Page, locale: Locale) {
  const { t } = formatter(locale);
  await page.goto(`/app?locale=${locale}`);
  await page.getByRole("button", { name: t("home.startAnother") }).click();
  await expect(page).toHaveURL(/\/platforms\?/);
  await page.getByLabel(t("platforms.oldPlatform")).selectOption("tray");
  await page.getByLabel(t("platforms.oldProvider")).selectOption("generic");
  await page.getByLabel(t("platforms.cutover")).fill("2026-10-01");
  await page.getByRole("group", { name: t("platforms.ordersMigrated") }).getByLabel(t("common.no")).check({ force: true });
  await page.getByRole("group", { name: t("platforms.customersMigrated") }).getByLabel(t("common.no")).check({ force: true });
  await page.getByRole("button", { name: t("common.save") }).click();
  await expect(page).toHaveURL(new RegExp(`/upload\\?locale=${locale}$`));
}

for (const locale of LOCALES) {
  test(`[${locale}] detected format, an override that changes the outcome, the mapping editor and the rejected rows`, async ({ page }) => {
    test.setTimeout(120_000);
    const { t, number } = formatter(locale);
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/upload-map-${locale}-${name}.png`, fullPage: true });
    await startGenericMigration(page, locale);

    // 1. The Windows-1252 file: encoding, delimiter, comma decimals and day-first dates detected.
    await page.locator('input[type="file"]').setInputFiles(WIN1252);
    await expect(page.getByRole("heading", { name: t("summary.heading", { file: "clube-windows-1252.csv" }) })).toBeVisible({ timeout: 30_000 });
    await expect(page).toHaveURL(/[?&]file=/);
    await expect(page.getByTestId("format-encoding")).toHaveText(t("encoding.windows-1252"));
    await expect(page.getByTestId("format-delimiter")).toHaveText(t("delimiter.semicolon"));
    await expect(page.getByTestId("format-decimal")).toHaveText(t("decimalMark.comma"));
    await expect(page.getByTestId("format-date-order")).toHaveText(t("dateOrder.dmy"));
    await expect(page.getByTestId("rows-valid")).toHaveText("4");
    await expect(page.getByTestId("points-valid")).toHaveText(number(15814));
    await expect(page.getByLabel(t("summary.decimalMark"))).toHaveValue("comma");
    await expect(page.getByText(t("formatOverride.detected", { value: t("decimalMark.comma") }))).toBeVisible();
    // The names came through the encoding whole.
    await shot("1-detected");

    // 2. Dot decimals instead: "1.234" and "12.500" turn into fractions, "2.000" into 2 points.
    await page.getByLabel(t("summary.decimalMark")).selectOption("dot");
    await page.getByRole("button", { name: t("formatOverride.rerun") }).click();
    await expect(page.getByTestId("rerun-done")).toHaveText(t("rerun.imported"));
    await expect(page.getByTestId("format-decimal")).toHaveText(t("decimalMark.dot"));
    await expect(page.getByTestId("rows-valid")).toHaveText("2");
    await expect(page.getByTestId("points-valid")).toHaveText(number(82));
    await expect(page.getByTestId("rows-identity")).toHaveText(t("summary.rowsIdentity", { total: "6", valid: "2", rejected: "4", merged: "0", ignored: "0" }));
    await expect(page.getByText(t("formatOverride.detectedChanged", { value: t("decimalMark.comma") }))).toBeVisible();
    await expect(page.getByTestId("import-file")).toHaveCount(1);
    await shot("2-override");

    // 3. Map & validate: the rejected rows, filtered by reason.
    await page.getByRole("link", { name: t("uploadStep.toMap") }).click();
    await expect(page.getByRole("heading", { name: t("rejectedRows.heading") })).toBeVisible();
    await expect(page.getByTestId("rejected-row-number")).toHaveCount(4);
    await filterByReason(page, t("rejectedRows.reason"), t("reject.FRACTIONAL_POINTS"));
    await expect(page).toHaveURL(/reason=FRACTIONAL_POINTS/);
    await expect(page.getByTestId("rejected-row-number")).toHaveText(["2", "4"]);
    await page.keyboard.press("Escape");
    await expect(page.getByText(t("rejectedRows.page", { page: "1", pages: "1", from: "1", to: "2", total: "2" }))).toBeVisible();
    // The summary says the format is the merchant's, not detection's.
    await expect(page.getByText(t("formatOverride.summaryHeading"))).toBeVisible();
    await shot("3-rejected-filtered");
    // Back to the detected settings from the Upload step, through the stepper.
    await page.getByTestId("wizard-stepper").getByRole("link", { name: t("step.upload") }).click();
    await page.getByRole("button", { name: t("formatOverride.useDetected") }).click();
    await page.getByRole("button", { name: t("formatOverride.rerun") }).click();
    await expect(page.getByTestId("rows-valid")).toHaveText("4");

    // 4. A generic file nothing recognises: refused, kept, and mapped by hand.
    await page.locator('input[type="file"]').setInputFiles(GENERIC);
    await expect(page.getByTestId("upload-error")).toHaveText(t("importError.NO_IDENTITY_COLUMN"), { timeout: 30_000 });
    await expect(page.getByTestId("import-file")).toHaveCount(2);
    await page.getByRole("link", { name: t("refusedFile.toMapping") }).click();
    await expect(page.getByRole("heading", { name: t("mapEditor.heading") })).toBeVisible();
    await expect(page.getByText("ana.souza@example.com · bruno@example · carla.dias@example.com")).toBeVisible();
    await page.getByLabel(t("mapEditor.fieldFor", { column: "Contato" })).selectOption("email");
    await page.getByLabel(t("mapEditor.fieldFor", { column: "Saldo atual" })).selectOption("points");
    await page.getByLabel(t("mapEditor.fieldFor", { column: "Cliente" })).selectOption("fullName");
    await shot("4-mapping-editor");
    await page.getByRole("button", { name: t("mapEditor.rerun") }).click();
    await expect(page.getByTestId("rerun-done")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("rows-valid")).toHaveText("3");
    await expect(page.getByTestId("rows-rejected")).toHaveText("3");
    await expect(page.getByTestId("points-in-file")).toHaveText(number(1505));
    await expect(page.getByRole("rowheader", { name: t("field.points") })).toBeVisible();
    await expect(page.getByText(t("map.unmapped", { columns: "Loja" }))).toBeVisible();
    await filterByReason(page, t("rejectedRows.reason"), t("reject.INVALID_EMAIL"));
    await expect(page.getByTestId("rejected-row-number")).toHaveText(["3"]);
    await expect(page.getByRole("cell", { name: "bruno@example", exact: true })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByText(t("rejectedRows.page", { page: "1", pages: "1", from: "1", to: "1", total: "1" }))).toBeVisible();
    await shot("5-mapped");
  });

  test(`[${locale}] the file's upload shows its progress`, async ({ page }) => {
    test.setTimeout(120_000);
    const { t } = formatter(locale);
    await startGenericMigration(page, locale);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-e2e-"));
    const big = path.join(dir, "big-balances.csv");
    fs.writeFileSync(big, ["email,points", ...Array.from({ length: 12_000 }, (_, i) => `customer${i}@example.com,${i % 997}`)].join("\n"));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    // About 330 KB at 40 KB/s: the bar is seen filling.
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 40 * 1024 });
    await page.locator('input[type="file"]').setInputFiles(big);
    const bar = page.getByTestId("upload-progress");
    await expect(bar).toBeVisible();
    await expect.poll(async () => Number(await bar.getAttribute("data-percent")), { timeout: 30_000 }).toBeGreaterThan(10);
    expect(Number(await bar.getAttribute("data-percent"))).toBeLessThan(100);
    await expect(page.getByTestId("upload-progress-text")).toContainText("%");
    await page.screenshot({ path: `${ARTIFACTS}/upload-map-${locale}-0-progress.png`, fullPage: true });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await expect(page.getByRole("heading", { name: t("summary.heading", { file: "big-balances.csv" }) })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("rows-valid")).toHaveText(formatter(locale).number(12_000));
  });
}

/**
 * Opens the rejected rows' reason filter and picks a reason. A click that lands before the page
 * has hydrated (right after a navigation) opens nothing: open it again until the choice is there.
 */
async function filterByReason(page: Page, filterLabel: string, reason: string) {
  const choice = page.getByRole("radio", { name: new RegExp(`^${reason} \\(`) });
  await expect(async () => {
    if (!(await choice.isVisible())) await page.getByRole("button", { name: filterLabel }).first().click();
    await choice.click({ force: true, timeout: 2000 });
  }).toPass({ timeout: 30_000 });
}
