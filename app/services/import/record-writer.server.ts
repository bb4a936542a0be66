import { createRequire } from "node:module";
import type { Prisma } from "@prisma/client";
import type BetterSqlite3 from "better-sqlite3";
import type Pg from "pg";
import { databaseKind, sqliteFilePath } from "../../database-url";
import { coreEnv } from "../../env.server";

/**
 * Bulk writer for staged rows. Prisma's createMany in JS-engine mode stages about 4,700 rows/s
 * here, two orders of magnitude under the database's own speed, so this one hot path writes with
 * the database driver directly: prepared inserts in one transaction per batch on SQLite, one
 * `INSERT … SELECT FROM unnest(…)` per batch on PostgreSQL. Everything else goes through Prisma.
 * (docs/decisions/0007-bulk-staging-writes.md)
 */
export type StagedRow = Prisma.LoyaltyRecordCreateManyInput;

export interface RecordWriter {
  /**
   * Stages one row. SQLite inserts it at once inside the batch's open transaction; PostgreSQL
   * buffers its values by column. Either way the caller keeps no array of row objects alive: they
   * die young, which keeps the garbage collector and the heap small on a million-row file.
   */
  add(row: StagedRow): void;
  /** Ends the batch: commits it (SQLite) or sends it as one statement (PostgreSQL). */
  flush(): Promise<void>;
  /** Rolls back a batch not flushed (a failed import is discarded anyway) and closes the connection. */
  close(): Promise<void>;
}

const COLUMNS = [
  ["id", "text"],
  ["shopId", "text"],
  ["migrationId", "text"],
  ["importFileId", "text"],
  ["rowNumber", "int4"],
  ["status", "text"],
  ["rejectReason", "text"],
  ["rejectCodes", "text"],
  ["identityKey", "text"],
  ["mergedIntoRow", "int4"],
  ["email", "text"],
  ["emailNormalized", "text"],
  ["phone", "text"],
  ["phoneE164", "text"],
  ["cpf", "text"],
  ["platformCustomerRef", "text"],
  ["firstName", "text"],
  ["lastName", "text"],
  ["points", "int4"],
  ["tier", "text"],
  ["referralCode", "text"],
  ["marketingConsent", "text"],
  ["birthday", "text"],
  ["pointsSpent", "int4"],
  ["enrolledAt", "text"],
  ["sourceUpdatedAt", "text"],
  ["occurredAt", "text"],
  ["reason", "text"],
  ["couponCode", "text"],
  ["couponValue", "text"],
  ["couponExpiresAt", "text"],
  ["rawJson", "text"],
  ["createdAt", "timestamp"],
] as const satisfies readonly (readonly [keyof StagedRow, string])[];

const require = createRequire(import.meta.url);

/**
 * Ids ordered like the file (import file id, then the zero-padded row number), so a batch lands
 * at the end of the primary-key B-tree instead of at random places, and the same row of the same
 * import always gets the same id.
 */
export function stagedRowId(importFileId: string, rowNumber: number): string {
  return `${importFileId}.${String(rowNumber).padStart(10, "0")}`;
}

const NAMES = COLUMNS.map(([name]) => name);
const ID = NAMES.indexOf("id");
const CREATED_AT = NAMES.indexOf("createdAt");

function values(row: StagedRow, createdAt: string | Date): unknown[] {
  const out = new Array<unknown>(NAMES.length);
  for (let i = 0; i < NAMES.length; i++) out[i] = row[NAMES[i]!] ?? null;
  out[ID] = row.id ?? stagedRowId(row.importFileId, row.rowNumber);
  out[CREATED_AT] = createdAt;
  return out;
}

function sqliteWriter(url: string): RecordWriter {
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(sqliteFilePath(url), { timeout: 15_000 });
  const placeholders = COLUMNS.map(() => "?").join(", ");
  const insert = db.prepare(`INSERT INTO "LoyaltyRecord" (${COLUMNS.map(([c]) => `"${c}"`).join(", ")}) VALUES (${placeholders})`);
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  let now = "";
  return {
    add(row) {
      if (!db.inTransaction) {
        begin.run();
        // The text form Prisma itself writes for DateTime on SQLite.
        now = new Date().toISOString().replace("Z", "+00:00");
      }
      insert.run(values(row, now));
    },
    async flush() {
      if (db.inTransaction) commit.run();
    },
    async close() {
      if (db.inTransaction) rollback.run();
      db.close();
    },
  };
}

function postgresWriter(url: string): RecordWriter {
  const pg = require("pg") as typeof Pg;
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  // A connection cut while idle (a restart, a failover, pg_terminate_backend) arrives as an 'error'
  // event, which unheard would crash the whole process; heard, the next query fails and the job retries.
  client.on("error", () => undefined);
  connected.catch(() => undefined); // awaited before every query; a failed connect must not go unhandled meanwhile
  const sql = `INSERT INTO "LoyaltyRecord" (${COLUMNS.map(([c]) => `"${c}"`).join(", ")})
    SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`;
  let columns: unknown[][] = COLUMNS.map(() => []);
  let now: Date | null = null;
  return {
    add(row) {
      now ??= new Date();
      const v = values(row, now);
      for (let i = 0; i < v.length; i++) columns[i]!.push(v[i]);
    },
    async flush() {
      if (now === null) return;
      const batch = columns;
      columns = COLUMNS.map(() => []);
      now = null;
      await connected;
      await client.query(sql, batch);
    },
    async close() {
      await connected;
      await client.end();
    },
  };
}

export function openRecordWriter(url = coreEnv().DATABASE_URL): RecordWriter {
  return databaseKind(url) === "postgresql" ? postgresWriter(url) : sqliteWriter(url);
}
