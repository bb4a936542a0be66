import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { deploy } from "../../scripts/db-deploy.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * The integration suite runs against the database in DATABASE_URL: a fresh PostgreSQL database
 * made by scripts/with-postgres.mjs, or else a SQLite file recreated here for every run.
 */
export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  if (!url || url.startsWith("file:")) {
    const file = path.resolve(url ? url.slice("file:".length) : ".carryover/test/integration.db");
    for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
    url = `file:${file}`;
  }
  await deploy(url);
  project.provide("databaseUrl", url);
}
