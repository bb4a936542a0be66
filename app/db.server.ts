import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseKind, sqliteFilePath } from "./database-url";

/**
 * One Prisma client for the process, on SQLite (embedded default) or PostgreSQL, chosen by
 * DATABASE_URL. Prisma needs a client generated per provider: the PostgreSQL one lives in
 * node_modules/.prisma/client-pg (scripts/db-generate.mjs) and has the same model types.
 */
export function createPrismaClient(url: string | undefined): PrismaClient {
  if (databaseKind(url) === "postgresql") {
    const require = createRequire(import.meta.url);
    const { PrismaClient: PgPrismaClient } = require(".prisma/client-pg/index.js") as {
      PrismaClient: typeof PrismaClient;
    };
    return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  }
  return new PrismaClient({ adapter: serializedSqlite(new PrismaBetterSQLite3({ url: sqliteFilePath(url), timeout: 15_000 })) });
}

interface Queryable {
  queryRaw(query: unknown): Promise<unknown>;
  executeRaw(query: unknown): Promise<number>;
}
interface SqliteAdapter extends Queryable {
  executeScript(script: string): Promise<void>;
  startTransaction(isolationLevel?: unknown): Promise<Queryable & { commit(): Promise<void>; rollback(): Promise<void> }>;
}

/**
 * The better-sqlite3 adapter has one connection. Its interactive transactions take a lock, but a
 * query made outside any transaction does not wait for it: while a transaction is open, the query
 * runs inside it and is rolled back with it — after its caller was told it succeeded (a webhook
 * delivery recorded and answered 200, then gone). Here every statement outside a transaction waits
 * for the open transaction to end, as it would on a database with a connection per transaction.
 * (Reproduced on @prisma/adapter-better-sqlite3 6.19: a create during a transaction that then threw
 * returned its row, and the row was gone; tests/integration/database.test.ts.)
 */
function serializedSqlite(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  return new Proxy(factory, {
    get(target, property, receiver) {
      if (property !== "connect") return Reflect.get(target, property, receiver) as unknown;
      return async () => serialize((await target.connect()) as unknown as SqliteAdapter);
    },
  });
}

function serialize(adapter: SqliteAdapter): SqliteAdapter {
  let tail: Promise<void> = Promise.resolve();
  /** Resolves with a release function once everything queued before it has released. */
  const acquire = () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => released);
    return ready;
  };
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
  return new Proxy(adapter, {
    get(target, property, receiver) {
      switch (property) {
        case "queryRaw":
          return (query: unknown) => exclusive(() => target.queryRaw(query));
        case "executeRaw":
          return (query: unknown) => exclusive(() => target.executeRaw(query));
        case "executeScript":
          return (script: string) => exclusive(() => target.executeScript(script));
        case "startTransaction":
          return async (isolationLevel?: unknown) => {
            const release = await acquire();
            try {
              const transaction = await target.startTransaction(isolationLevel);
              let open = true;
              const end = (finish: () => Promise<void>) => async () => {
                try {
                  await finish();
                } finally {
                  if (open) {
                    open = false;
                    release();
                  }
                }
              };
              return new Proxy(transaction, {
                get(tx, key, txReceiver) {
                  if (key === "commit") return end(() => tx.commit());
                  if (key === "rollback") return end(() => tx.rollback());
                  const value = Reflect.get(tx, key, txReceiver) as unknown;
                  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(tx) : value;
                },
              });
            } catch (error) {
              release();
              throw error;
            }
          };
        default: {
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
      }
    },
  });
}

declare global {
   
  var __carryoverPrisma: PrismaClient | undefined;
}

// Reused across Vite dev-server reloads so a reload does not open a new connection pool.
const prisma: PrismaClient = (globalThis.__carryoverPrisma ??= createPrismaClient(process.env.DATABASE_URL));

export default prisma;
