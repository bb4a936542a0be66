import fs from "node:fs";
import { parse } from "csv-parse/sync";
import type { Download, Page } from "@playwright/test";
import { ARTIFACTS, EMULATOR, expect, test } from "./fixtures";

// The wizard's last two steps on the demo stack's migration (imported, synced and previewed at
// start-up): Apply — a 10% pilot, its confirmation and result, then everyone, with the job's
// progress — and Report — the points identity checked, the charts, both downloads, the rollback's
// confirmation (not carried out: the specs after this one use the applied demo migration), and the
// Report once more in Brazilian Portuguese.

const DEMO_MIGRATION = "Smile.io → Shopify (demo)";

const n = (text: string | null) => Number((text ?? "").replace(/[^\d]/g, ""));

async function csvOf(download: Download): Promise<string[][]> {
  const bytes = fs.readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(bytes.subarray(3).toString("utf8")) as string[][];
}

/** The emulator's rate limit: emptied and slowed to hold an apply at its progress bar; put back after. */
async function throttle(page: Page, body: Record<string, number>) {
  const res = await page.request.post(`${EMULATOR}/_emulator/throttle`, { data: body });
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { throttleStatus: { maximumAvailable: number; restoreRate: number } }).throttleStatus;
}

test("apply the demo migration (a pilot, then everyone) and read its report", async ({ page }) => {
  test.setTimeout(300_000);
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/apply-report-${name}.png`, fullPage: true });

  await page.goto("/app");
  await page.getByTestId("migration-link").filter({ hasText: DEMO_MIGRATION }).click();
  await expect(page).toHaveURL(/\/app\/migrations\/[^/]+\/apply$/);
  const migrationUrl = page.url().replace(/\/apply$/, "");
  await expect(page.getByTestId("wizard-stepper").locator('[data-step="apply"]')).toHaveAttribute("data-status", "current");
  await expect(page.getByRole("heading", { name: "Write the points to the ledger and the store" })).toBeVisible();
  const sample = page.getByTestId("pilot-sample");
  await expect(sample).toHaveText(/^[\d,]+ of the [\d,]+ matched members\.$/);
  const [pilotSize, matched] = ((await sample.textContent()) ?? "").match(/[\d,]+/g)!.map((x) => Number(x.replace(/,/g, "")));
  expect(pilotSize).toBe(Math.ceil(matched! / 10));
  await shot("1-apply");

  // The pilot's confirmation: what will be written, what will not, where, and that it can be undone.
  await page.getByRole("button", { name: "Review the pilot…" }).click();
  const dialog = page.getByRole("dialog", { name: "Apply the pilot?" });
  await expect(dialog.getByTestId("plan-credit")).toHaveText(/^[\d,]+ members are credited [\d,]+ points; their balances go to the store\.$/);
  await expect(dialog.getByTestId("plan-retroactive")).toHaveText(/^[\d,]+ past orders add [\d,]+ retroactive points for [\d,]+ customers\.$/);
  await expect(dialog.getByTestId("plan-not-written")).toHaveText(/^[\d,]+ records to review \([\d,]+ points\) wait for a decision and a new preview\. [\d,]+ rejected rows \([\d,]+ points\) stay out\.$/);
  await expect(dialog.getByTestId("plan-destination")).toContainText("Shopify (demo-store.myshopify.com)");
  await expect(dialog.getByTestId("plan-rollback")).toContainText("It can be rolled back");
  await expect(dialog.getByText(/^Afterwards, “Apply to everyone” credits the other [\d,]+ matched members and keeps the [\d,]+ pending ones\.$/)).toBeVisible();
  const credit = ((await dialog.getByTestId("plan-credit").textContent()) ?? "").match(/[\d,]+/g)!.map((x) => Number(x.replace(/,/g, "")));
  const retro = ((await dialog.getByTestId("plan-retroactive").textContent()) ?? "").match(/[\d,]+/g)!.map((x) => Number(x.replace(/,/g, "")));
  await shot("2-pilot-confirmation");
  await dialog.getByRole("button", { name: "Apply the pilot" }).click();

  // The pilot's result: what the job wrote is what the confirmation said.
  const pilotResult = page.getByTestId("pilot-result");
  await expect(pilotResult).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("wizard-stepper").locator('[data-step="apply"]')).toHaveAttribute("data-status", "current");
  await expect(pilotResult.getByRole("row", { name: /Points imported/ })).toContainText(`(${credit[0]!.toLocaleString("en")} entries)`);
  await expect(pilotResult.getByRole("row", { name: /Points imported/ }).getByRole("cell").last()).toHaveText(credit[1]!.toLocaleString("en"));
  await expect(page.getByRole("heading", { name: "Pilot applied: 10% of the matched members" })).toBeVisible();
  await shot("3-pilot-result");

  // A pilot can be undone from here: its confirmation counts exactly what the pilot wrote (cancelled).
  await page.getByRole("button", { name: "Roll back the pilot…" }).click();
  const undo = page.getByRole("dialog", { name: "Roll back the pilot?" });
  await expect(undo.getByTestId("rollback-plan")).toHaveText(
    `${(credit[0]! + retro[0]!).toLocaleString("en")} ledger entries of this migration (${(credit[1]! + retro[1]!).toLocaleString("en")} points: imported balances, retroactive points, coupon refunds) each get a reversal entry. Nothing is deleted; the history stays readable.`,
  );
  await shot("3b-undo-pilot-confirmation");
  await undo.getByRole("button", { name: "Cancel" }).click();
  await expect(undo).toBeHidden();

  // Everyone: the rest's confirmation counts the pilot as applied, and adds the pending members.
  await page.getByRole("button", { name: "Apply to everyone…" }).click();
  const rest = page.getByRole("dialog", { name: "Apply the rest to everyone?" });
  await expect(rest.getByTestId("plan-pending")).toHaveText(/^[\d,]+ members without an account on the store yet keep [\d,]+ points, invisible until they register with the same e-mail; then they are restored automatically\.$/);
  await expect(rest.getByText(`${credit[0]!.toLocaleString("en")} records (${credit[1]!.toLocaleString("en")} points) were applied by the pilot and are not written again.`)).toBeVisible();
  await shot("4-rest-confirmation");

  // The store's rate limit, emptied and slowed, holds the job at its first batch: the progress bar shows.
  const normal = await throttle(page, { currentlyAvailable: 0, restoreRate: 20 });
  try {
    await rest.getByRole("button", { name: "Apply to everyone" }).click();
    await expect(page.getByTestId("apply-progress")).toHaveText(/^(Waiting for the worker…|[\d,]+ of [\d,]+ records and orders)$/, { timeout: 30_000 });
    await expect(page.getByTestId("apply-progress")).toHaveText(/^[\d,]+ of [\d,]+ records and orders$/, { timeout: 30_000 });
    await expect(page.getByRole("heading", { name: "Applying to everyone" })).toBeVisible();
    await shot("5-progress");
  } finally {
    await throttle(page, { maximumAvailable: normal.maximumAvailable, restoreRate: normal.restoreRate, currentlyAvailable: normal.maximumAvailable });
  }
  await expect(page.getByTestId("apply-result")).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole("heading", { name: "Applied to everyone" })).toBeVisible();
  await expect(page.getByTestId("wizard-stepper").locator('[data-step="apply"]')).toHaveAttribute("data-status", "complete");
  await shot("6-applied");

  // Report: the identity, shown and checked.
  await page.getByRole("link", { name: "Open the report" }).click();
  await expect(page).toHaveURL(/\/report$/);
  const identity = page.getByTestId("report-identity");
  await expect(identity).toHaveText(/^[\d,]+ points in the file = [\d,]+ credited \+ [\d,]+ pending \+ [\d,]+ to review \+ [\d,]+ rejected$/);
  await expect(identity).toHaveAttribute("data-holds", "yes");
  const [inFile, ...terms] = ((await identity.textContent()) ?? "").match(/[\d,]+/g)!.map((x) => Number(x.replace(/,/g, "")));
  expect(terms.reduce((a, b) => a + b, 0)).toBe(inFile);
  await expect(page.getByText("The points add up: every point of the file is accounted for once")).toBeVisible();
  const membersMatched = n(await page.getByTestId("report-members-matched").textContent());
  expect(membersMatched).toBe(matched);
  expect(n(await page.getByTestId("report-members-pending").textContent())).toBeGreaterThan(0);

  // The charts draw in the browser; their data is also a table for screen readers.
  for (const chart of ["chart-classes", "chart-restores"]) {
    await expect(page.getByTestId(chart).locator('[data-chart-ready="yes"]')).toBeVisible();
  }
  await expect(page.getByTestId("chart-classes").locator("svg").first()).toBeVisible();
  await expect(page.getByTestId("chart-classes-table").getByRole("row", { name: /Credited/ })).toContainText(terms[0]!.toLocaleString("en"));
  await shot("7-report");

  // Downloads: the exceptions with their reasons, the restored members for a relaunch campaign.
  const [exceptions] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the exceptions (CSV)" }).click()]);
  expect(exceptions.suggestedFilename()).toBe("Smile.io-Shopify-demo-exceptions.csv");
  const ex = await csvOf(exceptions);
  expect(ex[0]).toEqual(["Type", "File", "Row", "E-mail", "First name", "Last name", "Phone", "CPF", "Points", "Customer id", "Reason"]);
  const types = new Set(ex.slice(1).map((r) => r[0]));
  expect(types.has("Rejected at import")).toBe(true);
  expect(types.has("To review")).toBe(true);
  expect(ex.slice(1).filter((r) => (r[10] ?? "").trim() === "")).toEqual([]);
  expect(ex.slice(1).find((r) => r[3] === "sem-arroba.example.com")?.[10]).toBe("Invalid e-mail");
  expect(ex.slice(1).filter((r) => r[0] === "To review").reduce((s, r) => s + Number(r[8]), 0)).toBe(terms[2]);

  const [restored] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the members with restored balances (CSV)" }).click()]);
  expect(restored.suggestedFilename()).toBe("Smile.io-Shopify-demo-restored-members.csv");
  const rm = await csvOf(restored);
  expect(rm[0]).toEqual(["E-mail", "First name", "Last name", "Phone", "Points", "Tier", "Restored at", "Marketing consent"]);
  expect(rm.length - 1).toBe(membersMatched + n(await page.getByTestId("report-members-restored").textContent()));
  for (const row of rm.slice(1, 20)) {
    expect(row[0]).toMatch(/@/);
    expect(Number(row[4])).toBeGreaterThanOrEqual(0);
    expect(new Date(row[6]!).getTime()).not.toBeNaN();
  }
  expect(rm.slice(1).reduce((s, r) => s + Number(r[4]), 0)).toBeGreaterThanOrEqual(terms[0]!);

  // The rollback says what it would do; cancelled here (the next specs need the applied migration).
  await page.getByRole("button", { name: "Roll back the migration…" }).click();
  const rollback = page.getByRole("dialog", { name: "Roll back this migration?" });
  await expect(rollback.getByTestId("rollback-plan")).toHaveText(/^[\d,]+ ledger entries of this migration \([\d,]+ points: imported balances, retroactive points, coupon refunds\) each get a reversal entry\. Nothing is deleted; the history stays readable\.$/);
  await expect(rollback.getByText("A rolled-back migration is final")).toBeVisible();
  await shot("8-rollback-confirmation");
  await rollback.getByRole("button", { name: "Cancel" }).click();
  await expect(rollback).toBeHidden();

  // The same report in Brazilian Portuguese.
  await page.goto(`${migrationUrl}/report?locale=pt-BR`);
  await expect(page.getByTestId("report-identity")).toHaveText(/^[\d.]+ pontos no arquivo = [\d.]+ creditados \+ [\d.]+ pendentes \+ [\d.]+ para revisar \+ [\d.]+ rejeitados$/);
  await expect(page.getByTestId("report-identity")).toHaveText(new RegExp(`^${inFile!.toLocaleString("pt-BR").replace(/\./g, "\\.")} pontos`));
  await expect(page.getByText("Os pontos fecham: cada ponto do arquivo")).toBeVisible();
  await expect(page.getByTestId("chart-restores").locator('[data-chart-ready="yes"]')).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/apply-report-9-report-pt-BR.png`, fullPage: true });
});
