#!/usr/bin/env node
// npm run bench -- <name> [options]   runs bench/<name>.bench.ts; with no name, every benchmark.
// Each benchmark prints its figures beside the machine's limit measured in the same run, and
// appends them to bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureGenerated, ensureInstalled, root } from "../scripts/lib/prepare.mjs";

ensureInstalled();
ensureGenerated();
const [name, ...rest] = process.argv.slice(2);
const all = fs.readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".bench.ts")).map((f) => f.replace(/\.bench\.ts$/, ""));
const names = name && !name.startsWith("-") ? [name] : all;
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`unknown benchmark "${n}" (known: ${all.join(", ")})`);
    process.exit(2);
  }
  const args = name && !name.startsWith("-") ? rest : process.argv.slice(2);
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), `bench/${n}.bench.ts`, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
