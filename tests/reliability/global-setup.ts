import fs from "node:fs";
import type { TestProject } from "vitest/node";
import integrationSetup from "../integration/global-setup";
import { RESULTS_DIR } from "./support/record";

/**
 * The reliability suite: every run starts with an empty results folder (what the report reads),
 * then gets its database as the integration suite does (a fresh SQLite file, or DATABASE_URL).
 */
export default async function setup(project: TestProject) {
  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await integrationSetup(project);
}
