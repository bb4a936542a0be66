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
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFilePath(url), timeout: 15_000 }) });
}

declare global {
   
  var __carryoverPrisma: PrismaClient | undefined;
}

// Reused across Vite dev-server reloads so a reload does not open a new connection pool.
const prisma: PrismaClient = (globalThis.__carryoverPrisma ??= createPrismaClient(process.env.DATABASE_URL));

export default prisma;
