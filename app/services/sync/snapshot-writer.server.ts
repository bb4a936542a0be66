import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type Pg from "pg";
import { normalizeEmail } from "~domain/identity";
import { toE164 } from "~domain/import/identity-fields";
import type { CustomerSnapshot, OrderSnapshot } from "../../platforms/platform-client";
import { databaseKind, sqliteFilePath } from "../../database-url";
import { coreEnv } from "../../env.server";

/**
 * Upserts pages of the platform snapshot (PlatformCustomer, PlatformOrder) by (shop, platform id)
 * through the database driver: a million customers through Prisma's one-statement-per-row upsert
 * would take a quarter of an hour here (decision 0007 measured ~1 ms per Prisma statement).
 * A row is only overwritten by a version at least as new (platform updatedAt), so a page pulled
 * before a webhook's fresher copy cannot roll the snapshot back.
 */
export interface SnapshotWriter {
  customers(shopId: string, items: CustomerSnapshot[], defaultCountry: string): Promise<void>;
  orders(shopId: string, items: OrderSnapshot[]): Promise<void>;
  close(): Promise<void>;
}

type Column = readonly [name: string, pgType: string];

const CUSTOMER_COLUMNS = [
  ["id", "text"],
  ["shopId", "text"],
  ["platformId", "text"],
  ["email", "text"],
  ["emailNormalized", "text"],
  ["phone", "text"],
  ["phoneE164", "text"],
  ["cpf", "text"],
  ["firstName", "text"],
  ["lastName", "text"],
  ["state", "text"],
  ["platformCreatedAt", "timestamp"],
  ["platformUpdatedAt", "timestamp"],
  ["syncedAt", "timestamp"],
] as const satisfies readonly Column[];

const ORDER_COLUMNS = [
  ["id", "text"],
  ["shopId", "text"],
  ["platformId", "text"],
  ["platformCustomerId", "text"],
  ["name", "text"],
  ["financialStatus", "text"],
  ["fulfillmentStatus", "text"],
  ["status", "text"],
  ["cancelledAt", "timestamp"],
  ["closed", "bool"],
  ["totalAmount", "numeric"],
  ["currency", "text"],
  ["placedAt", "timestamp"],
  ["platformUpdatedAt", "timestamp"],
  ["syncedAt", "timestamp"],
] as const satisfies readonly Column[];

/** Stable row id: the same platform record always lands on the same row, in platform-id order. */
export function snapshotRowId(shopId: string, platformId: string): string {
  return `${shopId}:${platformId}`;
}

type Dialect = "sqlite" | "postgresql";

/** Dates as each driver wants them: Prisma's SQLite text form, or Date objects for pg. */
function when(iso: string | null, dialect: Dialect): string | Date | null {
  if (iso === null) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return dialect === "sqlite" ? date.toISOString().replace("Z", "+00:00") : date;
}

function customerValues(shopId: string, c: CustomerSnapshot, country: string, syncedAt: string | Date, dialect: Dialect): unknown[] {
  return [
    snapshotRowId(shopId, c.platformId),
    shopId,
    c.platformId,
    c.email,
    normalizeEmail(c.email),
    c.phone,
    c.phone ? toE164(c.phone, country) : null,
    c.cpf,
    c.firstName,
    c.lastName,
    c.state,
    when(c.createdAt, dialect),
    when(c.updatedAt, dialect),
    syncedAt,
  ];
}

function orderValues(shopId: string, o: OrderSnapshot, syncedAt: string | Date, dialect: Dialect): unknown[] {
  return [
    snapshotRowId(shopId, o.platformId),
    shopId,
    o.platformId,
    o.customerId,
    o.name,
    o.financialStatus,
    o.fulfillmentStatus,
    o.status,
    when(o.cancelledAt, dialect),
    dialect === "sqlite" ? (o.closed ? 1 : 0) : o.closed,
    o.totalAmount,
    o.currency,
    when(o.placedAt, dialect),
    when(o.updatedAt, dialect),
    syncedAt,
  ];
}

/** Last version of each platform id in a page (PostgreSQL refuses to upsert one row twice per statement). */
function lastOfEach<T extends { platformId: string }>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.platformId, item);
  return byId.size === items.length ? items : [...byId.values()];
}

function upsertTail(table: string, columns: readonly Column[], dialect: Dialect): string {
  const updated = columns.filter(([c]) => c !== "id" && c !== "shopId" && c !== "platformId");
  const excluded = dialect === "sqlite" ? "excluded" : "EXCLUDED";
  return `ON CONFLICT ("shopId", "platformId") DO UPDATE SET ${updated.map(([c]) => `"${c}" = ${excluded}."${c}"`).join(", ")}
    WHERE "${table}"."platformUpdatedAt" IS NULL OR ${excluded}."platformUpdatedAt" IS NULL
       OR ${excluded}."platformUpdatedAt" >= "${table}"."platformUpdatedAt"`;
}

const require = createRequire(import.meta.url);

function sqliteWriter(url: string): SnapshotWriter {
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(sqliteFilePath(url), { timeout: 15_000 });
  const statement = (table: string, columns: readonly Column[]) =>
    db.prepare(`INSERT INTO "${table}" (${columns.map(([c]) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${upsertTail(table, columns, "sqlite")}`);
  const customer = statement("PlatformCustomer", CUSTOMER_COLUMNS);
  const order = statement("PlatformOrder", ORDER_COLUMNS);
  const now = () => new Date().toISOString().replace("Z", "+00:00");
  const customersTx = db.transaction((shopId: string, items: CustomerSnapshot[], country: string) => {
    const syncedAt = now();
    for (const c of items) customer.run(customerValues(shopId, c, country, syncedAt, "sqlite"));
  });
  const ordersTx = db.transaction((shopId: string, items: OrderSnapshot[]) => {
    const syncedAt = now();
    for (const o of items) order.run(orderValues(shopId, o, syncedAt, "sqlite"));
  });
  return {
    async customers(shopId, items, country) {
      customersTx(shopId, items, country);
    },
    async orders(shopId, items) {
      ordersTx(shopId, items);
    },
    async close() {
      db.close();
    },
  };
}

/**
 * `pooled`: a small pool (the process-wide writer) instead of one connection of its own (a sync
 * job's writer, opened and closed with the job).
 */
function postgresWriter(url: string, { pooled }: { pooled: boolean }): SnapshotWriter {
  const pg = require("pg") as typeof Pg;
  // A connection cut while idle (a restart, a failover, pg_terminate_backend) arrives as an 'error'
  // event, which unheard would crash the whole process; heard, the next query fails and the job retries.
  let query: (sql: string, params: unknown[][]) => Promise<unknown>;
  let end: () => Promise<void>;
  if (pooled) {
    const pool = new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true });
    pool.on("error", () => undefined);
    query = (sql, params) => pool.query(sql, params);
    end = () => pool.end();
  } else {
    const client = new pg.Client({ connectionString: url });
    const connected = client.connect();
    client.on("error", () => undefined);
    connected.catch(() => undefined); // awaited before every query; a failed connect must not go unhandled meanwhile
    query = async (sql, params) => {
      await connected;
      return client.query(sql, params);
    };
    end = async () => {
      await connected;
      await client.end();
    };
  }
  const statement = (table: string, columns: readonly Column[]) =>
    `INSERT INTO "${table}" (${columns.map(([c]) => `"${c}"`).join(", ")})
     SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")}) ${upsertTail(table, columns, "postgresql")}`;
  const customerSql = statement("PlatformCustomer", CUSTOMER_COLUMNS);
  const orderSql = statement("PlatformOrder", ORDER_COLUMNS);
  // Two transactions inserting the same new row race: the loser can fail on the primary key (not the
  // ON CONFLICT arbiter) before it sees the winner's row. Once the winner has committed, the same
  // statement takes the ON CONFLICT path, so a unique violation is retried a few times.
  const upsert = async (sql: string, params: unknown[][]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await query(sql, params);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "23505" || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 5 * attempt));
      }
    }
  };
  const byColumn = (rows: unknown[][], width: number) => {
    const columns: unknown[][] = Array.from({ length: width }, () => []);
    for (const row of rows) for (let i = 0; i < width; i++) columns[i]!.push(row[i]);
    return columns;
  };
  return {
    async customers(shopId, items, country) {
      if (items.length === 0) return;
      const syncedAt = new Date();
      await upsert(customerSql, byColumn(lastOfEach(items).map((c) => customerValues(shopId, c, country, syncedAt, "postgresql")), CUSTOMER_COLUMNS.length));
    },
    async orders(shopId, items) {
      if (items.length === 0) return;
      const syncedAt = new Date();
      await upsert(orderSql, byColumn(lastOfEach(items).map((o) => orderValues(shopId, o, syncedAt, "postgresql")), ORDER_COLUMNS.length));
    },
    close: end,
  };
}

/** A writer of its own, for a job that writes pages of the snapshot; the caller closes it. */
export function openSnapshotWriter(url = coreEnv().DATABASE_URL): SnapshotWriter {
  return databaseKind(url) === "postgresql" ? postgresWriter(url, { pooled: false }) : sqliteWriter(url);
}

const sharedWriters = new Map<string, SnapshotWriter>();

/**
 * The process's writer for one customer at a time (a webhook's restore), kept open:
 * opening a writer per webhook job cost a SQLite connection (open, schema read, statements prepared)
 * or a PostgreSQL connection (a server backend started) for a one-row upsert. Not to be closed.
 */
export function sharedSnapshotWriter(url = coreEnv().DATABASE_URL): SnapshotWriter {
  let writer = sharedWriters.get(url);
  if (!writer) {
    const opened = databaseKind(url) === "postgresql" ? postgresWriter(url, { pooled: true }) : sqliteWriter(url);
    writer = { ...opened, close: async () => undefined };
    sharedWriters.set(url, writer);
  }
  return writer;
}
