/**
 * What the fault tests share (tests/reliability/faults-*.test.ts): the child process that gets killed
 * (support/fault-child.ts), a migration ready to apply on a Shopify emulator store, and the
 * "pictures" that compare a run that suffered faults with a fault-free run of the same inputs —
 * ledger entries by idempotency key, member balances, the store's metafields, the snapshot, the
 * staged rows. No vitest import: the PostgreSQL outage script (support/pg-outage.ts) uses it too.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import { env } from "~/env.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { ShopifyClient, type ShopifyClientOptions } from "~/platforms/shopify/shopify-client.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { setRules } from "~/services/reconcile/rules.server";
import { syncPlatform } from "~/services/sync/sync.server";
import { demoLoyaltyExport } from "../../../scripts/demo-loyalty-export";
import { startShopifyEmulator, type ShopifyEmulator } from "../../emulators/shopify/server";
import { mulberry32 } from "../../emulators/seeded-random";
import { tempFile } from "../../support/files";
import { uniqueShop } from "../../support/webhooks";

export const FAULT_TOKEN = "shpat_faults";
const FAST_BUCKET = { maximumAvailable: 20_000, restoreRate: 10_000 };

// ---------------------------------------------------------------------------------------------
// The child process

export interface ChildOptions {
  run: "job" | "import";
  jobId?: string;
  once?: boolean;
  import?: { shopId: string; migrationId: string; provider: string; fileName: string; filePath: string };
  killAtStatement?: number;
  killWhen?: "before" | "after";
  busyTimeoutMs?: number;
  pauseAtStatement?: number;
  resumeFile?: string;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Statements the work sent to the database (absent when it was killed). */
  statements: number | null;
  result: unknown;
  stderr: string;
  ms: number;
}

const CHILD = path.resolve("tests/reliability/support/fault-child.ts");

/**
 * Runs support/fault-child.ts with the app's environment (this process's, plus `env`). With
 * `afterMs` this process sends it SIGKILL that long after it started its work (its modules loaded),
 * if it is still running. `ms` is the time from the start of the work to the exit.
 */
export function runChild(
  options: ChildOptions,
  env: Record<string, string> = {},
  kill: { afterMs?: number } = {},
  onLine?: (line: { paused?: number; started?: boolean }) => void,
): Promise<ChildRun> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(options)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let started = Date.now();
  let statements: number | null = null;
  let result: unknown = null;
  let pending = "";
  let err = "";
  let timer: NodeJS.Timeout | null = null;
  child.stdout.on("data", (d: Buffer) => {
    pending += d.toString();
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith("{")) continue;
      try {
        const parsed = JSON.parse(line) as { started?: boolean; paused?: number; statements?: number; result?: unknown };
        onLine?.(parsed);
        if (parsed.started) {
          started = Date.now();
          if (kill.afterMs !== undefined) timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
        }
        if (parsed.statements !== undefined) statements = parsed.statements;
        if (parsed.result !== undefined) result = parsed.result;
      } catch {
        // not one of ours
      }
    }
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, statements, result, stderr: err.slice(-4000), ms: Date.now() - started });
    });
  });
}

/** A seeded choice of kill points: statement n in 1…total, before or after it runs; or a timer. */
export interface KillPoint {
  label: string;
  statement?: number;
  when?: "before" | "after";
  afterMs?: number;
}

/**
 * `count` kill points for work that took `statements` statements and `ms` milliseconds fault-free:
 * two in three on a statement (uniform; before or after it), one in three on a timer (uniform in
 * the work's duration).
 */
export function killPoints(seed: number, count: number, statements: number, ms: number): KillPoint[] {
  const random = mulberry32(seed);
  const points: KillPoint[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 2) {
      const afterMs = Math.round(random() * Math.max(1, ms));
      points.push({ label: `SIGKILL from outside after ${afterMs} ms`, afterMs });
    } else {
      const statement = 1 + Math.floor(random() * statements);
      const when = random() < 0.5 ? "before" : "after";
      points.push({ label: `SIGKILL ${when} statement ${statement} of ${statements}`, statement, when });
    }
  }
  return points;
}

export function childOptionsFor(point: KillPoint): Pick<ChildOptions, "killAtStatement" | "killWhen"> {
  return point.statement !== undefined ? { killAtStatement: point.statement, killWhen: point.when ?? "before" } : {};
}

// ---------------------------------------------------------------------------------------------
// A migration ready to apply

export interface ApplyScenario {
  emulator: ShopifyEmulator;
  shop: Shop;
  migrationId: string;
  reconciliationId: string;
  client: ShopifyClient;
}

export interface ScenarioSize {
  customers: number;
  orders: number;
  seed: number;
}

export function shopifyClient(emulator: Pick<ShopifyEmulator, "url">, options: Partial<ShopifyClientOptions> = {}): ShopifyClient {
  return new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: FAULT_TOKEN, ...options });
}

export async function startStore(size: ScenarioSize, extra: { appUrl?: string; apiSecret?: string } = {}): Promise<ShopifyEmulator> {
  return startShopifyEmulator({ ...size, shopDomain: uniqueShop("faults"), accessToken: FAULT_TOKEN, throttle: FAST_BUCKET, ...extra });
}

export async function installShop(domain: string): Promise<Shop> {
  return storeOfflineInstall({ domain, accessToken: FAULT_TOKEN, scope: "read_customers,write_customers,read_orders" });
}

/**
 * A Shopify emulator store (its own, so the metafields are this run's), the shop installed, a full
 * sync, the store's old loyalty export imported, rules with a retroactive window, and the preview.
 */
export async function applyScenario(size: ScenarioSize, emulator?: ShopifyEmulator, shopDomain?: string): Promise<ApplyScenario> {
  const store = emulator ?? (await startStore(size));
  const domain = shopDomain ?? uniqueShop("faults");
  const shop = await installShop(domain);
  const client = shopifyClient(store);
  await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: "paged" });
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "faults",
      oldProvider: "smile",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  const file = tempFile("smile-export.csv", demoLoyaltyExport({ ...size, shopDomain: domain }));
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "smile-export.csv", filePath: file });
  if (imported.outcome !== "imported") throw new Error(`scenario import: ${JSON.stringify(imported)}`);
  const rules = await setRules({ shopId: shop.id, migrationId: migration.id });
  if (rules.outcome !== "saved") throw new Error(`scenario rules: ${JSON.stringify(rules)}`);
  const reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  if (reconciled.outcome !== "reconciled") throw new Error(`scenario reconcile: ${JSON.stringify(reconciled)}`);
  return { emulator: store, shop, migrationId: migration.id, reconciliationId: reconciled.reconciliationId, client };
}

// ---------------------------------------------------------------------------------------------
// Pictures: what must be equal between a faulty run and a fault-free one

export interface LedgerPicture {
  /** Stable key (idempotency key with run-specific ids replaced; a reversal named by what it reverses) → "kind points". */
  entries: Record<string, string>;
  /** Customer gid (or the pending member's stable id) → "state balance". */
  members: Record<string, string>;
  /** Members whose balance is not the sum of their entries. */
  drift: number;
}

function sortedRecord(pairs: Array<[string, string]>): Record<string, string> {
  return Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function ledgerPicture(shopId: string, migrationId: string): Promise<LedgerPicture> {
  const files = await prisma.importFile.findMany({ where: { migrationId }, select: { id: true } });
  const strip = (text: string) => files.reduce((t, f) => t.split(f.id).join("<file>"), text.split(migrationId).join("<m>"));
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId }, select: { id: true, idempotencyKey: true, points: true, kind: true, reversesId: true } });
  const byId = new Map(entries.map((e) => [e.id, e]));
  const keyOf = (e: (typeof entries)[number]): string => {
    if (e.reversesId) {
      const original = byId.get(e.reversesId);
      return `${e.kind} of ${original ? keyOf(original) : "?"}`;
    }
    return strip(e.idempotencyKey);
  };
  const members = await prisma.member.findMany({ where: { shopId }, select: { id: true, platformCustomerId: true, state: true, balance: true } });
  const { drift } = await checkBalances(shopId);
  return {
    entries: sortedRecord(entries.map((e) => [keyOf(e), `${e.kind} ${e.points}`])),
    members: sortedRecord(members.map((m) => [m.platformCustomerId ?? strip(m.id), `${m.state} ${m.balance}`])),
    drift: drift.length,
  };
}

/** Every customer's `$app` points metafield on the emulator (gid → value). */
export function storedBalances(emulator: ShopifyEmulator): Record<string, string> {
  const out: Array<[string, string]> = [];
  for (const [owner, byKey] of emulator.store.metafields) {
    for (const m of byKey.values()) if (m.key === "points" && m.namespace.startsWith("app--")) out.push([owner, m.value]);
  }
  return sortedRecord(out);
}

/**
 * Points a faulty ledger lost or counted twice against the fault-free one: for every entry key, the
 * difference of the points it moved (an entry missing = lost, an extra one = duplicated).
 */
export function pointsDifference(faulty: LedgerPicture, reference: LedgerPicture): { lost: number; duplicated: number } {
  const points = (value: string | undefined) => (value === undefined ? 0 : Number(value.split(" ")[1]));
  let lost = 0;
  let duplicated = 0;
  for (const key of new Set([...Object.keys(faulty.entries), ...Object.keys(reference.entries)])) {
    const a = points(faulty.entries[key]);
    const b = points(reference.entries[key]);
    if (faulty.entries[key] === undefined) lost += Math.abs(b);
    else if (reference.entries[key] === undefined) duplicated += Math.abs(a);
    else if (a !== b) duplicated += Math.abs(a - b);
  }
  return { lost, duplicated };
}

/** Differences between two records, at most `limit` of them, in words (for failure messages). */
export function differences(a: Record<string, string>, b: Record<string, string>, limit = 5): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[key] !== b[key]) out.push(`${key}: ${a[key] ?? "(none)"} ≠ ${b[key] ?? "(none)"}`);
    if (out.length >= limit) break;
  }
  return out;
}

/** The snapshot a sync left for a shop: every customer and order by platform id, and the cursors. */
export async function snapshotPicture(shopId: string) {
  const customers = await prisma.platformCustomer.findMany({
    where: { shopId },
    select: { platformId: true, email: true, phone: true, phoneE164: true, firstName: true, lastName: true, state: true, platformUpdatedAt: true },
  });
  const orders = await prisma.platformOrder.findMany({
    where: { shopId },
    select: { platformId: true, platformCustomerId: true, financialStatus: true, cancelledAt: true, totalAmount: true, placedAt: true, platformUpdatedAt: true },
  });
  const cursors = await prisma.syncCursor.findMany({ where: { shopId }, select: { resource: true, updatedSince: true, itemsSynced: true } });
  const text = (row: Record<string, unknown>) => JSON.stringify(Object.entries(row).filter(([k]) => k !== "platformId").map(([, v]) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v))));
  return {
    customers: sortedRecord(customers.map((c) => [c.platformId, text(c)])),
    orders: sortedRecord(orders.map((o) => [o.platformId, text(o)])),
    cursors: sortedRecord(cursors.map((c) => [c.resource, `${c.updatedSince?.toISOString() ?? "-"} ${c.itemsSynced}`])),
  };
}

/** The rows an import staged in a migration, by row number, and its files' accounts. */
export async function stagedPicture(migrationId: string) {
  const files = await prisma.importFile.findMany({
    where: { migrationId },
    select: { id: true, status: true, rowsTotal: true, rowsValid: true, rowsRejected: true, rowsMerged: true, rowsIgnored: true, pointsInFile: true, pointsValid: true, pointsRejected: true, pointsMergedAway: true },
  });
  const rows = await prisma.loyaltyRecord.findMany({ where: { migrationId }, select: { importFileId: true, rowNumber: true, status: true, points: true, identityKey: true, rejectCodes: true } });
  const accounts = files.map(({ id: _id, ...rest }) => JSON.stringify(rest, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).sort();
  return {
    files: accounts,
    rows: sortedRecord(rows.map((r) => [`${String(r.rowNumber).padStart(7, "0")}`, `${r.status} ${r.points} ${r.identityKey ?? ""} ${r.rejectCodes ?? ""}`])),
    rowCount: rows.length,
    validPoints: rows.filter((r) => r.status === "valid").reduce((s, r) => s + r.points, 0),
  };
}

/**
 * Points the app's platform clients (platformClientFor) at an emulator, in this process and in the
 * children it starts: the environment is parsed once (env.server.ts), so its cached copy is set too.
 */
export function pointAppAt(platform: "shopify" | "nuvemshop", url: string): void {
  const name = platform === "shopify" ? "SHOPIFY_ADMIN_API_ORIGIN" : "NUVEMSHOP_API_ORIGIN";
  process.env[name] = url;
  (env() as Record<string, unknown>)[name] = url;
}
