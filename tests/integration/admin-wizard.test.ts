import fs from "node:fs";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { coreEnv } from "~/env.server";
import { loyaltyFigures } from "~/services/home.server";
import { latestImportSummary, receiveUpload, rejectedRowsDownload } from "~/services/admin/upload.server";
import { RulesForm, rulesFormFrom, rulesStepView, saveRulesStep } from "~/services/admin/rules-step.server";
import { startPreview, startSync, syncStepView } from "~/services/admin/sync-step.server";
import { PlatformsForm, savePlatforms, startMigration, wizardView } from "~/services/admin/wizard.server";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

const SMILE = "tests/fixtures/import/providers/smile.csv";

async function newShop() {
  return prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("admin"), country: "US" } });
}

function multipart(fields: Record<string, string>, file?: { name: string; path: string }): Request {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set("file", new Blob([fs.readFileSync(file.path)], { type: "text/csv" }), file.name);
  return new Request("http://127.0.0.1/app/migrations/x/upload", { method: "POST", body: form });
}

const platforms = (over: Record<string, string> = {}) =>
  PlatformsForm.parse({ oldPlatform: "vtex", oldProvider: "smile", cutoverAt: "2026-10-01", ordersMigrated: "yes", customersMigrated: "no", ...over });

describe("home figures", () => {
  it("count members, pending members and the migrations' points visible to shoppers", async () => {
    const shop = await newShop();
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "applied" } });
    const visible = await prisma.member.create({ data: { shopId: shop.id, migrationId: migration.id, state: "visible", balance: 130 } });
    const pending = await prisma.member.create({ data: { shopId: shop.id, migrationId: migration.id, state: "pending", balance: 70 } });
    await prisma.member.create({ data: { shopId: shop.id, state: "pending", redactedAt: new Date() } });
    const entry = (memberId: string, points: number, key: string, migrationId: string | null) =>
      prisma.ledgerEntry.create({ data: { shopId: shop.id, memberId, migrationId, kind: migrationId ? "import" : "earn", points, idempotencyKey: key, sourceRef: "test", occurredAt: new Date() } });
    await entry(visible.id, 100, "a", migration.id);
    await entry(visible.id, 30, "b", null); // earned on the new store: not restored
    await entry(pending.id, 70, "c", migration.id); // invisible until they register
    expect(await loyaltyFigures(shop.id)).toEqual({ members: 2, pendingMembers: 1, pointsRestored: 100 });
    expect(await loyaltyFigures((await newShop()).id)).toEqual({ members: 0, pendingMembers: 0, pointsRestored: 0 });
  });
});

describe("the wizard's Platforms step", () => {
  it("starts a draft at Platforms, saves the answers and moves on to Upload", async () => {
    const shop = await newShop();
    const { id } = await startMigration(shop.id, "Migração de 1 de out. de 2026");
    expect((await wizardView(shop.id, id))?.current).toBe("platforms");
    expect(await savePlatforms(shop.id, id, platforms())).toEqual({ outcome: "saved", state: "draft" });
    const view = await wizardView(shop.id, id);
    expect(view?.current).toBe("upload");
    expect(view?.migration).toMatchObject({ oldPlatform: "vtex", oldProvider: "smile", cutoverAt: "2026-10-01T00:00:00.000Z", ordersMigrated: true, customersMigrated: false });
  });

  it("keeps a validated migration at its rules step (setRules alone would mark the rules chosen)", async () => {
    const shop = await newShop();
    const m = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "validated" } });
    expect(await savePlatforms(shop.id, m.id, platforms({ ordersMigrated: "no" }))).toEqual({ outcome: "saved", state: "validated" });
    expect((await wizardView(shop.id, m.id))?.current).toBe("rules");
  });

  it("refuses answers the rules cannot hold, a migration already applied, and another shop's migration", async () => {
    const shop = await newShop();
    const m = await prisma.migration.create({
      data: { shopId: shop.id, name: "m", settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00.000Z", to: "2026-10-01T00:00:00.000Z" } }) },
    });
    const invalid = await savePlatforms(shop.id, m.id, platforms({ ordersMigrated: "yes" }));
    expect(invalid.outcome).toBe("invalid");
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: m.id } })).oldPlatform).toBeNull();
    const applied = await prisma.migration.create({ data: { shopId: shop.id, name: "a", state: "applied" } });
    expect(await savePlatforms(shop.id, applied.id, platforms())).toEqual({ outcome: "migration-closed", state: "applied" });
    expect(await savePlatforms((await newShop()).id, m.id, platforms())).toEqual({ outcome: "not-found" });
    expect(await wizardView((await newShop()).id, m.id)).toBeNull();
    expect(PlatformsForm.safeParse({ oldPlatform: "", oldProvider: "smile", cutoverAt: "", ordersMigrated: "no", customersMigrated: "no" }).success).toBe(false);
  });
});

describe("the wizard's Upload step", () => {
  it("streams a multipart upload into the import, shows its summary again on reload, and serves the rejected rows", async () => {
    const shop = await newShop();
    const { id } = await startMigration(shop.id, "m");
    const result = await receiveUpload(multipart({ provider: "smile" }, { name: "smile.csv", path: SMILE }), shop.id, id);
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: "imported" });
    if (result.outcome !== "imported") return;
    const s = result.summary;
    expect(s).toMatchObject({ fileName: "smile.csv", provider: "smile", rowsTotal: 17, format: { encoding: "utf-8", delimiter: ",", decimalMark: "dot" } });
    expect(s.rowsValid + s.rowsRejected + s.rowsMerged + s.rowsIgnored).toBe(s.rowsTotal);
    expect(s.pointsValid + s.pointsRejected + s.pointsMergedAway).toBe(s.pointsInFile);
    expect(s.rowsRejected).toBeGreaterThan(0);
    expect((await wizardView(shop.id, id))?.current).toBe("rules");
    expect((await latestImportSummary(shop.id, id))?.importFileId).toBe(s.importFileId);
    // No temporary upload is left behind.
    const tmp = `${coreEnv().UPLOAD_DIR}/tmp`;
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);

    const again = await receiveUpload(multipart({ provider: "smile" }, { name: "smile.csv", path: SMILE }), shop.id, id);
    expect(again.outcome).toBe("already-imported");

    const download = await rejectedRowsDownload(shop.id, id, s.importFileId);
    expect(download?.fileName).toBe("smile-rejected-rows.csv");
    const csv = await new Response(download!.body).text();
    expect(csv.trim().split(/\r?\n/)).toHaveLength(s.rowsRejected + 1);
    expect(csv).toMatch(/^\uFEFF?row,reasons,First name/);
    expect(await rejectedRowsDownload((await newShop()).id, id, s.importFileId)).toBeNull();
  });

  it("answers a form with no file, a file it refuses, and a migration past validation", async () => {
    const shop = await newShop();
    const { id } = await startMigration(shop.id, "m");
    expect(await receiveUpload(multipart({ provider: "smile" }), shop.id, id)).toEqual({ outcome: "no-file" });
    const empty = tempFile("only-header.csv", "Email,Points balance\n");
    expect(await receiveUpload(multipart({ provider: "smile" }, { name: "only-header.csv", path: empty }), shop.id, id)).toMatchObject({ outcome: "file-rejected", code: "HEADER_ONLY" });
    const closed = await prisma.migration.create({ data: { shopId: shop.id, name: "c", state: "previewed" } });
    expect(await receiveUpload(multipart({}, { name: "smile.csv", path: SMILE }), shop.id, closed.id)).toEqual({ outcome: "migration-closed", state: "previewed" });
    expect(await receiveUpload(multipart({}, { name: "smile.csv", path: SMILE }), (await newShop()).id, id)).toEqual({ outcome: "not-found" });
  });
});

describe("the wizard's Rules step", () => {
  const form = (fields: Array<[string, string]>) => {
    const f = new FormData();
    for (const [k, v] of fields) f.append(k, v);
    return RulesForm.safeParse(rulesFormFrom(f));
  };

  it("shows the platform's real states with its defaults, saves the merchant's choice and moves on", async () => {
    const shop = await newShop();
    const m = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "validated", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
    const view = await rulesStepView(shop, m.id);
    expect(view?.states.map((s) => s.key)).toContain("PARTIALLY_REFUNDED");
    expect(view).toMatchObject({ completed: ["PAID", "PARTIALLY_REFUNDED"], retroactive: null, errors: [] });
    const parsed = form([["completed[]", "PAID"], ["cancelled[]", "CANCELLED"], ["cancelled[]", "REFUNDED"], ["retroactive", "on"], ["pointsPerCurrencyUnit", "1,5"], ["from", "2026-07-01"], ["to", "2026-10-01"]]);
    expect(parsed.success).toBe(true);
    const saved = await saveRulesStep(shop.id, m.id, parsed.data!);
    expect(saved).toMatchObject({ outcome: "saved", state: "rules_set", rules: { completedStates: ["PAID"], retroactive: { pointsPerCurrencyUnit: 1.5 } } });
    expect((await wizardView(shop.id, m.id))?.current).toBe("sync");
  });

  it("refuses a state the platform does not have, a window with migrated orders, and a window without dates", async () => {
    const shop = await newShop();
    const m = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "validated", ordersMigrated: true } });
    const unknown = await saveRulesStep(shop.id, m.id, form([["completed[]", "SHIPPED"], ["retroactive", "off"]]).data!);
    expect(unknown.outcome).toBe("invalid");
    const window = await saveRulesStep(shop.id, m.id, form([["completed[]", "PAID"], ["retroactive", "on"], ["pointsPerCurrencyUnit", "1"], ["from", "2026-07-01"], ["to", "2026-10-01"]]).data!);
    expect(window.outcome).toBe("invalid");
    expect(form([["retroactive", "on"], ["pointsPerCurrencyUnit", "1"]]).success).toBe(false);
    expect(await rulesStepView((await newShop()), m.id)).toBeNull();
  });
});

describe("the wizard's Sync & preview step", () => {
  it("syncs only once the rules are set, follows the pull, and asks for the dry run once per pull", async () => {
    const shop = await newShop();
    const early = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "validated" } });
    expect(await startSync(shop.id, early.id)).toEqual({ outcome: "not-open", state: "validated" });
    const m = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "rules_set" } });
    const started = await startSync(shop.id, m.id);
    expect(started.outcome).toBe("started");
    const view = await syncStepView(shop.id, m.id);
    expect(view).toMatchObject({ state: "syncing", working: true, needsPreview: false, preview: null, review: null });
    expect(view?.sync?.progress).toMatchObject({ state: "queued", done: 0 });
    // The pull is done (the worker's part): the step now asks for the preview, once.
    await prisma.job.updateMany({ where: { shopId: shop.id, kind: "platform.sync" }, data: { state: "succeeded", startedAt: new Date(Date.now() - 2000), finishedAt: new Date(), progressDone: 10, progressTotal: 10 } });
    expect((await syncStepView(shop.id, m.id))?.needsPreview).toBe(true);
    const first = await startPreview(shop.id, m.id);
    const second = await startPreview(shop.id, m.id);
    expect(first.outcome).toBe("started");
    expect(second).toEqual(first);
    expect(await prisma.job.count({ where: { shopId: shop.id, kind: "migration.reconcile" } })).toBe(1);
    expect((await syncStepView(shop.id, m.id))?.needsPreview).toBe(false);
    expect(await syncStepView((await newShop()).id, m.id)).toBeNull();
  });
});
