// Import at scale: a deterministic, realistically messy export of N rows (default 1,000,000)
// through the real import service on SQLite, beside the machine's limit for the same rows
// measured in the same run: raw csv-parse of the file, then raw better-sqlite3 prepared inserts
// of the parsed rows in one transaction — into the real LoyaltyRecord table (created by the
// committed migrations, in its own database file) and, for comparison, into a bare 11-column table. Each phase runs in its own process so peak RSS is its own.
//
//   npm run bench -- import [--rows 1000000]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 as prng } from "../tests/emulators/seeded-random";
import { emit } from "./lib";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, phase: { type: "string" }, dir: { type: "string" } },
});
const rows = Number(values.rows);


const FIRST = ["João", "Maria", "José", "Ana", "Conceição", "Luís", "Fernanda", "Antônio", "Júlia", "Sebastião", "Lucía", "Mateo"];
const LAST = ["Silva", "Souza", "Oliveira", "Araújo", "Gonçalves", "Pereira", "Lima", "Ribeiro", "Hernández", "Núñez"];
const TIERS = ["Bronze", "Prata", "Ouro", "Diamante", ""];

function generate(file: string) {
  const rand = prng(20261123);
  const out = fs.openSync(file, "w");
  let buffer = "\ufeffNome;E-mail;Telefone;CPF;Pontos;Nível;Data de Nascimento;Aceita marketing\r\n";
  for (let i = 1; i <= rows; i++) {
    const r = rand();
    const first = FIRST[Math.floor(rand() * FIRST.length)]!;
    const last = LAST[Math.floor(rand() * LAST.length)]!;
    // ~0.5% duplicates of an earlier customer, with different case and spaces
    const id = r < 0.005 && i > 10 ? Math.floor(rand() * (i - 1)) + 1 : i;
    let email = `${first.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()}.${last.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")}${id}@exemplo.com.br`;
    if (rand() < 0.3) email = email.toUpperCase();
    if (rand() < 0.1) email = `  ${email} `;
    if (rand() < 0.004) email = email.replace("@", ""); // broken
    const phone = rand() < 0.6 ? `(11) 9${String(10000000 + ((id * 7919) % 89999999)).slice(0, 4)}-${String(1000 + (id % 8999))}` : "";
    const points = rand() < 0.003 ? `-${Math.floor(rand() * 500)}` : Math.floor(rand() * rand() * 25000).toLocaleString("pt-BR");
    const tier = TIERS[Math.floor(rand() * TIERS.length)]!;
    const day = 1 + Math.floor(rand() * 28);
    const month = 1 + Math.floor(rand() * 12);
    const birthday = rand() < 0.7 ? `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${1950 + Math.floor(rand() * 55)}` : "";
    const consent = ["sim", "não", "", "Sim", "1"][Math.floor(rand() * 5)]!;
    const name = rand() < 0.05 ? `"${last}; ${first}"` : `${first} ${last}`;
    buffer += `${name};${email};${phone};;${points};${tier};${birthday};${consent}\r\n`;
    if (rand() < 0.001) buffer += "\r\n"; // blank lines happen
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer);
      buffer = "";
    }
  }
  fs.writeSync(out, buffer);
  fs.closeSync(out);
}

async function phaseImport(dir: string) {
  const dbFile = path.join(dir, "import.db");
  const { deploy } = await import("../scripts/db-deploy.mjs");
  await deploy(`file:${dbFile}`);
  Object.assign(process.env, { DATABASE_URL: `file:${dbFile}`, UPLOAD_DIR: path.join(dir, "uploads"), NODE_ENV: "production" });
  const prisma = (await import("../app/db.server")).default;
  const { importLoyaltyFile } = await import("../app/services/import/import.server");
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: "bench.myshopify.com", country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "bench" } });
  const start = performance.now();
  const result = await importLoyaltyFile({
    shopId: shop.id,
    migrationId: migration.id,
    provider: "bonifiq",
    fileName: "export.csv",
    filePath: path.join(dir, "export.csv"),
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.outcome !== "imported") throw new Error(JSON.stringify(result));
  await prisma.$disconnect();
  console.log(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS, summary: result.summary }));
}

async function phaseLimit(dir: string) {
  const { parse } = await import("csv-parse");
  const { default: Database } = await import("better-sqlite3");
  const file = path.join(dir, "export.csv");
  let start = performance.now();
  const parsed: string[][] = [];
  const parser = fs.createReadStream(file).pipe(parse({ delimiter: ";", bom: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const record of parser) parsed.push(record as string[]);
  const parseSeconds = (performance.now() - start) / 1000;
  const db = new Database(path.join(dir, "limit.db"));
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE r (id INTEGER PRIMARY KEY, file TEXT, row INTEGER, status TEXT, email TEXT, email_n TEXT, phone TEXT, points INTEGER, tier TEXT, birthday TEXT, consent TEXT, raw TEXT)`);
  const insert = db.prepare(`INSERT INTO r (file, row, status, email, email_n, phone, points, tier, birthday, consent, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?)`);
  start = performance.now();
  db.transaction(() => {
    for (let i = 1; i < parsed.length; i++) {
      const c = parsed[i]!;
      insert.run("f", i, "valid", c[1], c[1]?.trim().toLowerCase(), c[2], Number.parseInt((c[4] ?? "0").replace(/\./g, ""), 10) || 0, c[5], c[6], c[7], JSON.stringify(c));
    }
  })();
  const insertSeconds = (performance.now() - start) / 1000;
  db.close();

  // The same rows into the table the product must use: LoyaltyRecord as the committed migrations
  // create it (text primary key, its indexes, foreign keys), in a database of its own.
  const realFile = path.join(dir, "limit-real.db");
  const { deploy } = await import("../scripts/db-deploy.mjs");
  await deploy(`file:${realFile}`);
  const real = new Database(realFile);
  const now = new Date().toISOString().replace("Z", "+00:00");
  real.exec(`INSERT INTO "Shop" ("id", "platform", "domain", "updatedAt") VALUES ('s', 'shopify', 'limit.myshopify.com', '${now}');
    INSERT INTO "Migration" ("id", "shopId", "name", "updatedAt") VALUES ('m', 's', 'limit', '${now}');
    INSERT INTO "ImportFile" ("id", "shopId", "migrationId", "fileName", "sha256", "sizeBytes", "storagePath", "updatedAt")
      VALUES ('f', 's', 'm', 'export.csv', '-', 0, '-', '${now}');`);
  const header = parsed[0]!;
  const insertReal = real.prepare(`INSERT INTO "LoyaltyRecord" ("id", "shopId", "migrationId", "importFileId", "rowNumber", "status", "identityKey",
    "email", "emailNormalized", "phone", "firstName", "points", "tier", "marketingConsent", "birthday", "rawJson", "createdAt")
    VALUES (?, 's', 'm', 'f', ?, 'valid', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  start = performance.now();
  real.transaction(() => {
    for (let i = 1; i < parsed.length; i++) {
      const c = parsed[i]!;
      const emailN = c[1]?.trim().toLowerCase() ?? "";
      const raw = JSON.stringify(Object.fromEntries(header.map((h, j) => [h, c[j] ?? ""])));
      insertReal.run(`f.${String(i).padStart(10, "0")}`, i, `email:${emailN}`, c[1], emailN, c[2], c[0], Number.parseInt((c[4] ?? "0").replace(/\./g, ""), 10) || 0, c[5], c[7], c[6], raw, now);
    }
  })();
  const realInsertSeconds = (performance.now() - start) / 1000;
  real.close();
  console.log(JSON.stringify({ parseSeconds, insertSeconds, realInsertSeconds, rows: parsed.length - 1, maxRssKb: process.resourceUsage().maxRSS }));
}

function runPhase(phase: string, dir: string) {
  const r = spawnSync(process.execPath, [path.join("node_modules/tsx/dist/cli.mjs"), "bench/import.bench.ts", "--phase", phase, "--dir", dir, "--rows", String(rows)], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${phase} phase failed:\n${r.stderr}\n${r.stdout}`);
  const last = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(last);
}

if (values.phase === "generate") generate(path.join(values.dir!, "export.csv"));
else if (values.phase === "import") await phaseImport(values.dir!);
else if (values.phase === "limit") await phaseLimit(values.dir!);
else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-import-bench-"));
  const file = path.join(dir, "export.csv");
  console.log(`generating ${rows.toLocaleString("en")} rows…`);
  generate(file);
  const size = fs.statSync(file).size;
  console.log(`importing ${(size / 1024 / 1024).toFixed(1)} MB…`);
  const imported = runPhase("import", dir);
  console.log("measuring the limit (raw csv-parse + raw better-sqlite3)…");
  const limit = runPhase("limit", dir);
  const s = imported.summary;
  const appRate = rows / imported.seconds;
  const limitRate = rows / (limit.parseSeconds + limit.realInsertSeconds);
  const bareLimitRate = rows / (limit.parseSeconds + limit.insertSeconds);
  emit({
    name: "import",
    title: `Import of a ${rows.toLocaleString("en")}-row messy export on SQLite`,
    command: `npm run bench -- import --rows ${rows}`,
    size: rows,
    figures: [
      { label: "file size", value: Math.round(size / 1024 / 1024), unit: "MB" },
      { label: "import: rows/s (read, validate, stage, duplicates, accounts)", value: Math.round(appRate), unit: "rows/s", limit: Math.round(limitRate), limitLabel: "raw csv-parse + raw inserts into LoyaltyRecord" },
      { label: "import: rows/s, against the bare-table limit", value: Math.round(appRate), unit: "rows/s", limit: Math.round(bareLimitRate), limitLabel: "raw csv-parse + raw inserts into an 11-column table" },
      { label: "import: wall time", value: imported.seconds, unit: "s" },
      { label: "import: peak RSS", value: Math.round(imported.maxRssKb / 1024), unit: "MB" },
      { label: "limit: raw csv-parse", value: Math.round(rows / limit.parseSeconds), unit: "rows/s" },
      { label: "limit: raw better-sqlite3 inserts into the real LoyaltyRecord table, one transaction", value: Math.round(rows / limit.realInsertSeconds), unit: "rows/s" },
      { label: "limit, bare table: raw better-sqlite3 inserts into an 11-column table, one transaction", value: Math.round(rows / limit.insertSeconds), unit: "rows/s" },
      { label: "limit: peak RSS (holds the parsed rows)", value: Math.round(limit.maxRssKb / 1024), unit: "MB" },
    ],
    targets: [
      { label: "import ≥ 50 % of the limit (real table)", met: appRate >= 0.5 * limitRate, actual: `${((100 * appRate) / limitRate).toFixed(2)} %` },
      { label: "import peak RSS < 300 MB", met: imported.maxRssKb / 1024 < 300, actual: `${Math.round(imported.maxRssKb / 1024)} MB` },
    ],
    notes: [
      `Accounts: rows ${s.rowsTotal} = ${s.rowsValid} valid + ${s.rowsRejected} rejected + ${s.rowsMerged} merged + ${s.rowsIgnored} ignored; points ${s.pointsInFile} = ${s.pointsValid} valid + ${s.pointsRejected} rejected + ${s.pointsMergedAway} merged away.`,
      "Since 2026-11-23 the limit inserts the same rows into LoyaltyRecord as the committed migrations create it (text primary key, its indexes — 4 since decision 0022, 6 before —, foreign keys; separate database file, WAL), the table the import must write; the earlier figure, into a bare 11-column table, is still shown (decision 0007).",
    ],
    points: [{ series: "import", items: rows, seconds: imported.seconds, unit: "rows" }],
  });
  fs.rmSync(dir, { recursive: true, force: true });
}
