import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./.carryover/dev.db";

export type DatabaseKind = "sqlite" | "postgresql";

export function databaseKind(url: string | undefined): DatabaseKind {
  const value = url ?? DEFAULT_DATABASE_URL;
  if (value.startsWith("postgres://") || value.startsWith("postgresql://")) return "postgresql";
  if (value.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${value.split(":")[0]}:"`);
}

/** Absolute path of a SQLite `file:` URL; relative paths are taken from the project root (cwd). */
export function sqliteFilePath(url: string | undefined): string {
  const value = url ?? DEFAULT_DATABASE_URL;
  if (databaseKind(value) !== "sqlite") throw new Error("not a SQLite DATABASE_URL");
  const file = value.slice("file:".length).split("?")[0] ?? "";
  if (file === ":memory:") return file;
  return path.resolve(process.cwd(), file);
}
