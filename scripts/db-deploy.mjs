#!/usr/bin/env node
// Applies the committed migrations to DATABASE_URL.
// SQLite: `prisma migrate deploy` (works offline in JS-engine mode).
// PostgreSQL: the offline schema engine cannot migrate PostgreSQL (STACK.md), so the generated
// SQL in prisma/postgresql/migrations is applied here with the pg client, each migration in its
// own transaction, recorded in _carryover_migrations with its checksum.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_URL = "file:./.carryover/dev.db";

export async function deployPostgres(url, { log = console.log } = {}) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(728213)");
    await client.query(
      `CREATE TABLE IF NOT EXISTS "_carryover_migrations" (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Map((await client.query(`SELECT name, checksum FROM "_carryover_migrations"`)).rows.map((r) => [r.name, r.checksum]));
    const dir = path.join(root, "prisma/postgresql/migrations");
    const names = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    let count = 0;
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      if (applied.has(name)) {
        if (applied.get(name) !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(`INSERT INTO "_carryover_migrations" (name, checksum) VALUES ($1, $2)`, [name, checksum]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${error.message}`);
      }
      count++;
    }
    log(`db:deploy: PostgreSQL up to date (${count} applied, ${names.length} in total)`);
  } finally {
    await client.end();
  }
}

export async function deploySqlite(url) {
  const file = path.resolve(root, url.slice("file:".length));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Write-ahead logging is a property of the file: readers no longer block the writer, and a
  // commit appends to the log instead of rewriting pages (synchronous stays FULL: a commit that
  // was answered survives a power loss). See docs/decisions/0002.
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.close();
}

export async function deploy(url = process.env.DATABASE_URL ?? DEFAULT_URL) {
  if (/^postgres(ql)?:\/\//.test(url)) await deployPostgres(url);
  else await deploySqlite(url);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  deploy().catch((error) => {
    console.error(`db:deploy: ${error.message}`);
    process.exit(1);
  });
}
