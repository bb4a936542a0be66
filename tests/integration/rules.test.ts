import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { rulesFor, setRules } from "~/services/reconcile/rules.server";
import { uniqueShop } from "../support/webhooks";

async function migration(platform: "shopify" | "nuvemshop", state = "validated") {
  const shop = await prisma.shop.create({ data: { platform, domain: uniqueShop("rules") } });
  return prisma.migration.create({ data: { shopId: shop.id, name: "rules", state }, include: { shop: true } });
}

describe("the merchant's cutover rules", () => {
  it("start from the platform's defaults", async () => {
    const m = await migration("nuvemshop");
    const rules = rulesFor(m.shop, m);
    expect(rules).toMatchObject({ outcome: "ok", rules: { completedStates: ["paid"], ordersMigrated: false, retroactive: null }, match: { platform: "nuvemshop" } });
    if (rules.outcome === "ok") expect(rules.notes.join(" ")).toMatch(/No go-live date/);
  });

  it("are saved whole or not at all, and move the migration to rules_set", async () => {
    const m = await migration("shopify");
    const refused = await setRules({ shopId: m.shopId, migrationId: m.id, completedStates: ["PAID", "SHIPPED"], retroactive: { pointsPerCurrencyUnit: 1, from: new Date("2026-10-01"), to: new Date("2026-09-01") } });
    expect(refused.outcome).toBe("invalid");
    if (refused.outcome === "invalid") {
      expect(refused.errors.join("\n")).toMatch(/SHIPPED/);
      expect(refused.errors.join("\n")).toMatch(/window|before|after/i);
    }
    expect(await prisma.migration.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ settingsJson: "{}", state: "validated" });

    const saved = await setRules({
      shopId: m.shopId, migrationId: m.id, cutoverAt: new Date("2026-10-01T03:00:00Z"), completedStates: ["PAID"],
      retroactive: { pointsPerCurrencyUnit: 2, from: new Date("2026-09-01T03:00:00Z"), to: new Date("2026-10-01T03:00:00Z") },
    });
    expect(saved).toMatchObject({ outcome: "saved", state: "rules_set", rules: { completedStates: ["PAID"], cutoverAt: "2026-10-01T03:00:00.000Z", retroactive: { pointsPerCurrencyUnit: 2 } } });
    // Orders migrated with a retroactive window would pay twice for the same orders: refused.
    expect((await setRules({ shopId: m.shopId, migrationId: m.id, ordersMigrated: true })).outcome).toBe("invalid");
    expect((await setRules({ shopId: m.shopId, migrationId: m.id, ordersMigrated: true, retroactive: null })).outcome).toBe("saved");
  });

  it("keep what other services stored beside them in the migration's settings", async () => {
    const m = await migration("shopify");
    await prisma.migration.update({ where: { id: m.id }, data: { settingsJson: JSON.stringify({ coupons: { decisions: [{ code: "ANA10", decision: "cancel" }] } }) } });
    expect((await setRules({ shopId: m.shopId, migrationId: m.id, completedStates: ["PAID"] })).outcome).toBe("saved");
    expect(JSON.parse((await prisma.migration.findUniqueOrThrow({ where: { id: m.id } })).settingsJson)).toEqual({
      coupons: { decisions: [{ code: "ANA10", decision: "cancel" }] },
      completedStates: ["PAID"],
    });
  });

  it("answered before the Rules step (confirm: false) leave the migration where it is", async () => {
    const m = await migration("shopify");
    expect(await setRules({ shopId: m.shopId, migrationId: m.id, ordersMigrated: true, confirm: false })).toMatchObject({ outcome: "saved", state: "validated" });
    expect(await prisma.migration.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ state: "validated", ordersMigrated: true });
  });

  it("send a previewed migration back to rules_set, and are closed once points are written", async () => {
    const previewed = await migration("shopify", "previewed");
    expect(await setRules({ shopId: previewed.shopId, migrationId: previewed.id, completedStates: ["PAID"] })).toMatchObject({ outcome: "saved", state: "rules_set" });
    const applied = await migration("shopify", "applied");
    expect(await setRules({ shopId: applied.shopId, migrationId: applied.id, completedStates: ["PAID"] })).toEqual({ outcome: "migration-closed", state: "applied" });
  });
});
