#!/usr/bin/env node
// `npx carryover <command>`: the ops CLI (app/cli/main.ts), run with tsx from this checkout.
// With no DATABASE_URL in the environment and a local demo prepared (`npm run demo` writes
// .carryover/demo/carryover.env), the CLI works on the demo: its database, secrets and emulator.
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const demoEnv = path.join(root, ".carryover/demo/carryover.env");
if (!process.env.DATABASE_URL && fs.existsSync(demoEnv)) {
  delete process.env.DATABASE_URL; // an empty value would shadow the file's
  process.loadEnvFile(demoEnv);
  process.stderr.write(`carryover: using the local demo (${path.relative(process.cwd(), demoEnv)}); set DATABASE_URL to work elsewhere\n`);
}
const result = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "app/cli/main.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: process.cwd(),
});
process.exit(result.status ?? 1);
