#!/usr/bin/env node
// The second README command: the whole suite. Installs what it needs (dependencies, Prisma
// clients, the app build), then: typecheck, lint, schema check, unit tests, integration tests on
// SQLite and on PostgreSQL, the reliability suite at its quick size (hostile files, fuzzers, fault
// tests; docs/reliability.md) and the Playwright end-to-end tests in Debian's Chromium.
// Ends with one line "N passed, N failed" summing every test runner.
//
//   npm test                      everything
//   npm test -- --only unit,e2e   some stages (typecheck lint db unit sqlite postgres reliability e2e)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuilt, ensureGenerated, ensureInstalled, root, step } from "./lib/prepare.mjs";

const { values } = parseArgs({ options: { only: { type: "string" } } });
const STAGES = ["typecheck", "lint", "db", "unit", "sqlite", "postgres", "reliability", "e2e"];
const selected = values.only ? values.only.split(",").map((s) => s.trim()) : STAGES;
for (const s of selected) if (!STAGES.includes(s)) throw new Error(`unknown stage "${s}" (known: ${STAGES.join(", ")})`);

ensureInstalled();
ensureGenerated();
if (selected.includes("e2e")) ensureBuilt();

const reports = path.join(root, ".carryover/reports");
fs.mkdirSync(reports, { recursive: true });
const bin = (name) => path.join(root, "node_modules/.bin", name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedStages = [];

function exec(name, cmd, args, env = {}) {
  step(name);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  const ok = result.status === 0;
  console.log(`${ok ? "\x1b[32m✓" : "\x1b[31m✗"}\x1b[0m ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  if (!ok) failedStages.push(name);
  return ok;
}

function vitest(name, project, env = {}, wrap = []) {
  const out = path.join(reports, `vitest-${name}.json`);
  fs.rmSync(out, { force: true });
  const args = ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`];
  const ok = wrap.length ? exec(name, process.execPath, [...wrap, bin("vitest"), ...args], env) : exec(name, bin("vitest"), args, env);
  if (fs.existsSync(out)) {
    const r = JSON.parse(fs.readFileSync(out, "utf8"));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  } else if (!ok) totals.failed += 1;
}

if (selected.includes("typecheck")) exec("typecheck", bin("tsc"), ["--noEmit"]);
if (selected.includes("lint")) exec("lint", bin("eslint"), [".", "--max-warnings", "0"]);
if (selected.includes("db")) exec("schemas agree (SQLite ↔ PostgreSQL)", process.execPath, ["scripts/db-generate.mjs", "--check"]);
if (selected.includes("unit")) vitest("unit", "unit");
if (selected.includes("sqlite")) vitest("integration-sqlite", "integration", { DATABASE_URL: "", EXPECTED_DATABASE_KIND: "sqlite" });
if (selected.includes("postgres")) {
  vitest("integration-postgresql", "integration", { EXPECTED_DATABASE_KIND: "postgresql" }, ["scripts/with-postgres.mjs", process.execPath]);
}
if (selected.includes("reliability")) {
  // Quick size, on its own SQLite file; the report of what was tried follows the tests.
  vitest("reliability", "reliability", { DATABASE_URL: `file:${path.join(root, ".carryover/test/reliability.db")}`, RELIABILITY_SIZE: "quick" });
  exec("reliability report", process.execPath, ["scripts/reliability-report.mjs", "--vitest-json", path.join(reports, "vitest-reliability.json")]);
}
if (selected.includes("e2e")) {
  const out = path.join(reports, "playwright.json");
  fs.rmSync(out, { force: true });
  fs.mkdirSync(path.join(root, "tests/e2e/artifacts"), { recursive: true });
  const ok = exec("end-to-end (Playwright, Chromium)", bin("playwright"), ["test", "--reporter=list,json"], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  });
  if (fs.existsSync(out)) {
    const { stats } = JSON.parse(fs.readFileSync(out, "utf8"));
    totals.passed += stats.expected + stats.flaky;
    totals.failed += stats.unexpected;
    totals.skipped += stats.skipped;
  } else if (!ok) totals.failed += 1;
}

if (failedStages.length) console.log(`\nFailed stages: ${failedStages.join(", ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedStages.length || totals.failed ? 1 : 0);
