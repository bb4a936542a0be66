import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqliteFilePath } from "./app/database-url";

// Prisma 6.19 in JS-engine mode: the schema engine runs from the WebAssembly build inside the
// `prisma` package and reaches SQLite through the driver adapter, so nothing is downloaded.
// See docs/decisions/0002-prisma-js-engine-sqlite-and-postgresql.md.
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PrismaBetterSQLite3({ url: sqliteFilePath(process.env.DATABASE_URL) });
  },
});
