import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type Pg from "pg";
import { databaseKind, sqliteFilePath } from "./database-url";

/**
 * Bulk inserts and streamed reads through the database driver, for the few hot paths that write or
 * read hundreds of thousands of rows (decision 0007: Prisma in JS-engine mode writes ~4,700 rows/s
 * here, two orders of magnitude under the database). Inserts — SQLite: prepared inserts inside one
 * transaction per batch; PostgreSQL: one `INSERT … SELECT FROM unnest(…)` per batch. Reads: see
 * selectRows. Everything else goes through Prisma.
 */
export type BulkColumnType = "text" | "int4" | "bool" | "timestamp" | "numeric";

export interface BulkTable {
  table: string;
  columns: ReadonlyArray<readonly [name: string, type: BulkColumnType]>;
}

export interface BulkInserter {
  /** One row, values in the order of `columns`; Date values are converted for the driver. */
  add(values: unknown[]): void;
  /** Ends the batch: commits it (SQLite) or sends it as one statement (PostgreSQL). */
  flush(): Promise<void>;
  /** Rolls back a batch not flushed and closes the connection. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Rows per PostgreSQL FETCH of selectRows; SQLite hands rows over in smaller batches, which die young. */
const PAGE = 20_000;
const SQLITE_BATCH = 2_000;

/** The text form Prisma itself writes for DateTime on SQLite. */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

function sqliteInserter(url: string, spec: BulkTable): BulkInserter {
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(sqliteFilePath(url), { timeout: 15_000 });
  const insert = db.prepare(
    `INSERT INTO "${spec.table}" (${spec.columns.map(([c]) => `"${c}"`).join(", ")}) VALUES (${spec.columns.map(() => "?").join(", ")})`,
  );
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  const converters = spec.columns.map(([, type]) =>
    type === "timestamp" ? (v: unknown) => (v instanceof Date ? sqliteDateTime(v) : v) : type === "bool" ? (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v) : null,
  );
  return {
    add(values) {
      if (!db.inTransaction) begin.run();
      for (let i = 0; i < converters.length; i++) {
        const convert = converters[i];
        if (convert) values[i] = convert(values[i]);
      }
      insert.run(values);
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

function postgresInserter(url: string, spec: BulkTable): BulkInserter {
  const pg = require("pg") as typeof Pg;
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  // A connection cut while idle (a restart, a failover, pg_terminate_backend) arrives as an 'error'
  // event, which unheard would crash the whole process; heard, the next query fails and the job retries.
  client.on("error", () => undefined);
  connected.catch(() => undefined); // awaited before every query; a failed connect must not go unhandled meanwhile
  const sql = `INSERT INTO "${spec.table}" (${spec.columns.map(([c]) => `"${c}"`).join(", ")})
    SELECT * FROM unnest(${spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`;
  let columns: unknown[][] = spec.columns.map(() => []);
  let rows = 0;
  return {
    add(values) {
      for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
      rows++;
    },
    async flush() {
      if (rows === 0) return;
      const batch = columns;
      columns = spec.columns.map(() => []);
      rows = 0;
      await connected;
      await client.query(sql, batch);
    },
    async close() {
      await connected;
      await client.end();
    },
  };
}

export function openBulkInserter(url: string, spec: BulkTable): BulkInserter {
  return databaseKind(url) === "postgresql" ? postgresInserter(url, spec) : sqliteInserter(url, spec);
}

/**
 * The rows of one SELECT as arrays of column values, in batches of PAGE. SQLite: a read-only
 * connection iterating one statement. PostgreSQL: a cursor in a read-only transaction, PAGE rows per
 * FETCH. Either way one consistent snapshot, and never the whole result in the driver's memory.
 */
export async function* selectRows(url: string, sql: string, params: unknown[]): AsyncGenerator<unknown[][]> {
  if (databaseKind(url) === "postgresql") {
    const pg = require("pg") as typeof Pg;
    const client = new pg.Client({ connectionString: url });
    // A connection cut while the caller works on a page arrives as an 'error' event, which unheard would
    // crash the whole process; heard, the next FETCH fails and the job retries.
    client.on("error", () => undefined);
    await client.connect();
    try {
      let n = 0;
      await client.query("BEGIN READ ONLY");
      await client.query(`DECLARE bulk_rows NO SCROLL CURSOR FOR ${sql.replace(/\?/g, () => `$${++n}`)}`, params);
      for (;;) {
        const page = await client.query<unknown[]>({ text: `FETCH FORWARD ${PAGE} FROM bulk_rows`, rowMode: "array" });
        if (page.rows.length > 0) yield page.rows;
        if (page.rows.length < PAGE) break;
      }
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    return;
  }
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(sqliteFilePath(url), { readonly: true, timeout: 15_000 });
  try {
    let batch: unknown[][] = [];
    for (const row of db.prepare(sql).raw().iterate(...params) as IterableIterator<unknown[]>) {
      batch.push(row);
      if (batch.length === SQLITE_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}
