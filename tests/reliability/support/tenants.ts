/**
 * Stores for the tenant-isolation checks, each built the way a merchant gets there, through the real
 * services: a Shopify store on its own emulator (synced), or a Nuvemshop store; two migrations, each
 * with an imported file that has rejected rows and a stored preview (the first kept at "previewed" with
 * a review decision, the second applied, so members and ledger entries exist); and rows carrying
 * markers no other store has (e-mails, names, a referral code, a points figure), so a response holding
 * another store's data can be recognised. Import after the app's environment is set.
 */
import crypto from "node:crypto";
import type { Shop } from "@prisma/client";
import { stringify } from "csv-stringify/sync";
import prisma from "~/db.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { ShopifyClient } from "~/platforms/shopify/shopify-client.server";
import { applyMigration } from "~/services/apply/apply.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { decideRecord } from "~/services/reconcile/review.server";
import { setRules } from "~/services/reconcile/rules.server";
import { syncPlatform } from "~/services/sync/sync.server";
import { demoLoyaltyExport } from "../../../scripts/demo-loyalty-export";
import { startShopifyEmulator, type ShopifyEmulator } from "../../emulators/shopify/server";
import { tempFile } from "../../support/files";
import { nuvemshopAdmin, shopifyAdmin, type AdminAuth } from "./admin-auth";

/** One migration of a tenant and the objects hanging from it. */
export interface MigrationContext {
  migrationId: string;
  state: string;
  fileId: string;
  reconciliationId: string;
  /** A valid record of the file (a conflict of the review queue when there is one). */
  recordId: string;
}

export interface Tenant {
  label: string;
  /** The random tag every marker of this store carries. */
  tag: string;
  platform: "shopify" | "nuvemshop";
  shop: Shop;
  /** The store's access token (what must never be logged or stored in clear). */
  token: string;
  /** Requests signed in to this store's admin. */
  auth: AdminAuth;
  /** [previewed migration, applied migration]. */
  contexts: MigrationContext[];
  /** The marker member (pending, from the applied migration) first, then a visible one when there is one. */
  memberIds: string[];
  /** History cursors ("<occurredAt>_<entry id>") of this store's ledger entries. */
  historyCursors: string[];
  /** What an admin would type in the members search to find this store's marker member. */
  searches: string[];
  /** Text only this store holds: personal data, names, codes, figures (lower case). */
  markers: string[];
  /** Every id of this store's rows (migrations, files, records, previews, members, entries). */
  ids: Set<string>;
  emulator?: ShopifyEmulator;
  close(): Promise<void>;
}

const COLUMNS = ["email", "first_name", "last_name", "points", "vip_tier", "referral_code"];

interface TenantMarks {
  tag: string;
  email: string;
  firstName: string;
  lastName: string;
  referral: string;
  points: number;
  rejectedFirstName: string;
  rejectedLastName: string;
  negativeEmail: string;
}

function marksFor(tag: string, points: number): TenantMarks {
  return {
    tag,
    email: `quorra.${tag}@tenant-${tag}.example`,
    firstName: `Quorra${tag}`,
    lastName: `Vantablack${tag}`,
    referral: `MARK${tag.toUpperCase()}`,
    points,
    rejectedFirstName: `Rejectina${tag}`,
    rejectedLastName: `Nullwick${tag}`,
    negativeEmail: `negatia.${tag}@tenant-${tag}.example`,
  };
}

/** The marker rows: one valid member no store customer has (pending), one rejected e-mail, one negative balance. */
function markerRows(m: TenantMarks): string[][] {
  return [
    [m.email, m.firstName, m.lastName, String(m.points), "Ouro", m.referral],
    [`rejectina.${m.tag}.at.tenant-${m.tag}.example`, m.rejectedFirstName, m.rejectedLastName, "321", "Bronze", ""],
    [m.negativeEmail, `Negatia${m.tag}`, `Belowzero${m.tag}`, "-77", "Bronze", ""],
  ];
}

function exportFile(name: string, base: string | null, m: TenantMarks): string {
  const rows = markerRows(m);
  const content = base === null ? stringify([COLUMNS, ...rows]) : base + stringify(rows);
  return tempFile(name, content);
}

/** The figure as a screen or a CSV may write it. */
function figureSpellings(n: number): string[] {
  const s = String(n);
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return [s, grouped, grouped.replace(/,/g, "."), grouped.replace(/,/g, "\u00a0"), grouped.replace(/,/g, "\u202f")];
}

async function migrationWithPreview(shop: Shop, name: string, fileName: string, filePath: string, retroactive: boolean): Promise<MigrationContext> {
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name,
      oldProvider: "smile",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      settingsJson: retroactive ? JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }) : "{}",
    },
  });
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName, filePath });
  if (imported.outcome !== "imported") throw new Error(`tenant import of ${fileName}: ${JSON.stringify(imported)}`);
  if (imported.summary.rowsRejected < 2) throw new Error(`tenant file ${fileName} has no rejected rows`);
  const rules = await setRules({ shopId: shop.id, migrationId: migration.id });
  if (rules.outcome !== "saved") throw new Error(`tenant rules: ${JSON.stringify(rules)}`);
  const reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  if (reconciled.outcome !== "reconciled") throw new Error(`tenant reconcile: ${JSON.stringify(reconciled)}`);
  const conflict = await prisma.recordMatch.findFirst({ where: { reconciliationId: reconciled.reconciliationId, class: "conflict" }, orderBy: { recordId: "asc" } });
  const recordId =
    conflict?.recordId ??
    (await prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: migration.id, status: "valid" }, orderBy: { rowNumber: "asc" } })).id;
  return { migrationId: migration.id, state: "previewed", fileId: imported.summary.importFileId, reconciliationId: reconciled.reconciliationId, recordId };
}

/** A client for a store whose customers are all still to register: apply has nothing to push. */
function nothingToPush(): PlatformClient {
  return new Proxy({} as PlatformClient, {
    get: (_t, prop) => (prop === "platform" ? "nuvemshop" : prop === "then" ? undefined : () => Promise.reject(new Error(`the tenant test's store has no API (${String(prop)})`))),
  });
}

export async function buildTenant(label: string, platform: "shopify" | "nuvemshop", seed: number): Promise<Tenant> {
  const tag = `${label.toLowerCase()}${crypto.randomBytes(4).toString("hex")}`;
  const marks = marksFor(tag, 800_000 + Math.floor(Math.random() * 190_000));
  const token = `${platform === "shopify" ? "shpat" : "ns"}_tenant_${tag}_${crypto.randomBytes(12).toString("hex")}`;
  let emulator: ShopifyEmulator | undefined;
  let shop: Shop;
  let client: PlatformClient;
  let base: string | null = null;

  if (platform === "shopify") {
    const domain = `tenant-${tag}.myshopify.com`;
    emulator = await startShopifyEmulator({ customers: 24, orders: 48, seed, shopDomain: domain, accessToken: token, throttle: { maximumAvailable: 20_000, restoreRate: 10_000 } });
    shop = await storeOfflineInstall({ domain, accessToken: token, scope: "read_customers,write_customers,read_orders" });
    client = new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: token });
    const synced = await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: "paged" });
    if (synced.outcome !== "synced" || synced.customers === 0) throw new Error(`tenant sync: ${JSON.stringify(synced)}`);
    base = demoLoyaltyExport({ customers: 24, orders: 48, seed, shopDomain: domain });
  } else {
    const domain = String(3_000_000 + Math.floor(Math.random() * 6_000_000));
    shop = await storeOfflineInstall({ platform: "nuvemshop", domain, accessToken: token, scope: "read_customers,write_customers,read_orders" });
    client = nothingToPush();
  }

  const preview = await migrationWithPreview(shop, `Tenant ${tag} preview`, `tenant-${tag}-preview.csv`, exportFile(`tenant-${tag}-preview.csv`, base, marks), platform === "shopify");
  // A review decision on the previewed migration (the merchant kept a conflict pending), then its preview again.
  const decided = await decideRecord({ shopId: shop.id, migrationId: preview.migrationId, recordId: preview.recordId, decision: "pending", note: `kept by ${tag}` });
  if (decided.outcome !== "recorded") throw new Error(`tenant decision: ${JSON.stringify(decided)}`);
  const again = await reconcileMigration({ shopId: shop.id, migrationId: preview.migrationId });
  if (again.outcome !== "reconciled") throw new Error(`tenant reconcile again: ${JSON.stringify(again)}`);
  preview.reconciliationId = again.reconciliationId;

  const applied = await migrationWithPreview(shop, `Tenant ${tag} applied`, `tenant-${tag}-applied.csv`, exportFile(`tenant-${tag}-applied.csv`, base, marks), platform === "shopify");
  const result = await applyMigration({ shopId: shop.id, migrationId: applied.migrationId, reconciliationId: applied.reconciliationId, pilot: null, client, checkpoint: null, progress: async () => {} });
  if (result.outcome !== "applied") throw new Error(`tenant apply: ${JSON.stringify(result)}`);
  applied.state = (await prisma.migration.findUniqueOrThrow({ where: { id: applied.migrationId } })).state;

  const markerMember = await prisma.member.findFirstOrThrow({ where: { shopId: shop.id, emailNormalized: marks.email } });
  if (markerMember.balance !== marks.points) throw new Error(`tenant marker member holds ${markerMember.balance}, not ${marks.points}`);
  const visible = await prisma.member.findFirst({ where: { shopId: shop.id, state: "visible" }, orderBy: { id: "asc" } });
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId: shop.id }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }], take: 50 });

  const ids = new Set<string>([shop.id]);
  for (const m of await prisma.migration.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(m.id);
  for (const f of await prisma.importFile.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(f.id);
  for (const r of await prisma.reconciliation.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(r.id);
  for (const r of await prisma.loyaltyRecord.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(r.id);
  for (const m of await prisma.member.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(m.id);
  for (const e of await prisma.ledgerEntry.findMany({ where: { shopId: shop.id }, select: { id: true } })) ids.add(e.id);

  const markers = [
    marks.email,
    marks.firstName,
    marks.lastName,
    marks.referral,
    marks.rejectedFirstName,
    marks.rejectedLastName,
    marks.negativeEmail,
    `tenant ${tag} preview`,
    `tenant ${tag} applied`,
    `tenant-${tag}-preview`,
    `tenant-${tag}-applied`,
    `kept by ${tag}`,
    shop.domain,
    ...figureSpellings(marks.points),
  ];
  // The store's own people (synced customers, members): kept as markers only where no other store has them (filtered by the test).
  for (const c of await prisma.platformCustomer.findMany({ where: { shopId: shop.id }, select: { email: true } })) if (c.email) markers.push(c.email.trim());
  for (const m of await prisma.member.findMany({ where: { shopId: shop.id }, select: { email: true } })) if (m.email) markers.push(m.email.trim());

  return {
    label,
    tag,
    platform,
    shop,
    token,
    auth: platform === "shopify" ? shopifyAdmin(shop.domain) : await nuvemshopAdmin(shop),
    contexts: [preview, applied],
    memberIds: [markerMember.id, ...(visible ? [visible.id] : [])],
    historyCursors: entries.slice(0, 2).map((e) => `${e.occurredAt.toISOString()}_${e.id}`),
    searches: [marks.email, `${marks.firstName} ${marks.lastName}`, marks.lastName, marks.referral],
    markers: [...new Set(markers.map((m) => m.toLowerCase()).filter((m) => m.length >= 6))],
    ids,
    emulator,
    close: async () => {
      await emulator?.close();
    },
  };
}

/** Everything a store holds, as text (to tell whether a marker of another store is also its own). */
export async function ownText(shopId: string): Promise<string> {
  const rows = await Promise.all([
    prisma.shop.findMany({ where: { id: shopId } }),
    prisma.migration.findMany({ where: { shopId } }),
    prisma.importFile.findMany({ where: { shopId } }),
    prisma.loyaltyRecord.findMany({ where: { shopId } }),
    prisma.platformCustomer.findMany({ where: { shopId } }),
    prisma.member.findMany({ where: { shopId } }),
    prisma.ledgerEntry.findMany({ where: { shopId } }),
    prisma.reviewDecision.findMany({ where: { shopId } }),
  ]);
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).toLowerCase();
}

/**
 * A picture of a store's rows that any write would change: another store's request must leave it
 * exactly as it was. Jobs are included by shop and by any mention of the store's migrations.
 */
export async function fingerprint(tenant: Tenant): Promise<string> {
  const shopId = tenant.shop.id;
  const migrationIds = tenant.contexts.map((c) => c.migrationId);
  const rows = await Promise.all([
    prisma.shop.findUnique({ where: { id: shopId } }),
    prisma.migration.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.importFile.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.loyaltyRecord.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.reconciliation.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.reviewDecision.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.member.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.ledgerEntry.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.syncCursor.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    prisma.job.findMany({ where: { OR: [{ shopId }, ...migrationIds.map((id) => ({ payloadJson: { contains: id } }))] }, orderBy: { id: "asc" } }),
    prisma.session.findMany({ where: { shop: tenant.shop.domain }, orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Rows of `attacker` that point at `victim`'s (a write that crossed stores even when the victim's own
 * rows did not change): decisions on its records, jobs naming its ids, files, members, entries and
 * previews filed under its migrations.
 */
export async function crossLinks(attacker: Tenant, victim: Tenant): Promise<string[]> {
  const shopId = attacker.shop.id;
  const victimIds = [...victim.ids];
  const victimMigrations = victim.contexts.map((c) => c.migrationId);
  const found: string[] = [];
  const decisions = await prisma.reviewDecision.findMany({ where: { OR: [{ shopId, recordId: { in: victimIds } }, { shopId, migrationId: { in: victimMigrations } }] } });
  if (decisions.length) found.push(`${decisions.length} review decision(s) of ${attacker.label} on ${victim.label}'s records`);
  const jobs = await prisma.job.findMany({ where: { shopId }, select: { id: true, payloadJson: true, kind: true } });
  for (const job of jobs) if (victimIds.some((id) => job.payloadJson.includes(id))) found.push(`job ${job.kind} of ${attacker.label} names ${victim.label}'s ids`);
  const files = await prisma.importFile.count({ where: { shopId, migrationId: { in: victimMigrations } } });
  if (files) found.push(`${files} file(s) of ${attacker.label} in ${victim.label}'s migrations`);
  const members = await prisma.member.count({ where: { shopId, migrationId: { in: victimMigrations } } });
  if (members) found.push(`${members} member(s) of ${attacker.label} in ${victim.label}'s migrations`);
  const entries = await prisma.ledgerEntry.count({ where: { OR: [{ shopId, memberId: { in: victimIds } }, { shopId, migrationId: { in: victimMigrations } }] } });
  if (entries) found.push(`${entries} ledger entries of ${attacker.label} on ${victim.label}'s members or migrations`);
  const previews = await prisma.reconciliation.count({ where: { shopId, migrationId: { in: victimMigrations } } });
  if (previews) found.push(`${previews} preview(s) of ${attacker.label} on ${victim.label}'s migrations`);
  return found;
}
