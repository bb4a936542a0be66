#!/usr/bin/env node
// The reliability report (issue 9, part 5): what every test under tests/reliability/ tried — cases
// per category, failures, the invariants checked — read from the JSON lines the tests record
// (tests/reliability/support/record.ts) and from vitest's own JSON report. docs/reliability.md
// says how a new category reports itself.
//
//   npm run test:reliability                    runs the quick suite, prints the report, writes docs/reliability.md
//   npm run test:reliability -- --size full     the same at full size (1 MB cells, 100k columns, many more runs)
//   node scripts/reliability-report.mjs         prints the report of the last run (what `npm test` does)
//
// Options: --run (run the suite first), --size quick|full, --write (update docs/reliability.md),
// --vitest-json <file> (vitest's JSON report of the run). Exits 1 when a test or a check failed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(root, ".carryover/reliability/results");
const DOC = path.join(root, "docs/reliability.md");
const START = "<!-- reliability-report:start -->";
const END = "<!-- reliability-report:end -->";

const { values } = parseArgs({
  options: {
    run: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    size: { type: "string" },
    "vitest-json": { type: "string" },
  },
});
const size = values.size ?? process.env.RELIABILITY_SIZE ?? "quick";
if (size !== "quick" && size !== "full") throw new Error(`--size must be quick or full, not "${size}"`);

let vitestJson = values["vitest-json"] ? path.resolve(values["vitest-json"]) : path.join(root, ".carryover/reliability/vitest.json");
let runFailed = false;
if (values.run) {
  // Its own SQLite file unless a database is given: concurrent suites must not share one.
  const env = { ...process.env, RELIABILITY_SIZE: size };
  if (!env.DATABASE_URL) env.DATABASE_URL = `file:${path.join(root, ".carryover/test/reliability.db")}`;
  fs.mkdirSync(path.dirname(vitestJson), { recursive: true });
  fs.rmSync(vitestJson, { force: true });
  const result = spawnSync(
    path.join(root, "node_modules/.bin/vitest"),
    ["run", "--project", "reliability", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
    { cwd: root, stdio: "inherit", env },
  );
  runFailed = result.status !== 0;
}

// ------------------------------------------------------------------------------------ read

const records = [];
if (fs.existsSync(RESULTS)) {
  for (const name of fs.readdirSync(RESULTS).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of fs.readFileSync(path.join(RESULTS, name), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        records.push({ category: "(unreadable record)", check: line.slice(0, 120), invariants: [], cases: 0, failures: 1 });
      }
    }
  }
}

let vitest = null;
if (fs.existsSync(vitestJson)) {
  const report = JSON.parse(fs.readFileSync(vitestJson, "utf8"));
  const files = report.testResults.map((f) => ({
    file: path.relative(root, f.name),
    passed: f.assertionResults.filter((a) => a.status === "passed").length,
    failed: f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName ?? a.title),
    crashed: f.status === "failed" && f.assertionResults.length === 0 ? f.message || "the file failed to run" : null,
  }));
  vitest = { passed: report.numPassedTests, failed: report.numFailedTests, files };
}

// ---------------------------------------------------------------------------------- report

const fmt = (n) => n.toLocaleString("en");
const byCategory = new Map();
for (const r of records) {
  if (!byCategory.has(r.category)) byCategory.set(r.category, []);
  byCategory.get(r.category).push(r);
}
const categories = [...byCategory.keys()].sort();
const sum = (rs, key) => rs.reduce((s, r) => s + (Number(r[key]) || 0), 0);
const totalCases = sum(records, "cases");
const totalFailures = sum(records, "failures");

function total(name) {
  const measuring = records.filter((r) => r.totals && typeof r.totals[name] === "number");
  if (measuring.length === 0) return { value: null, by: [] };
  return { value: measuring.reduce((s, r) => s + r.totals[name], 0), by: [...new Set(measuring.map((r) => r.category))].sort() };
}
const lost = total("pointsLostOrDuplicated");
const crossShop = total("crossShopReads");
const sizes = [...new Set(records.map((r) => r.size).filter(Boolean))];
const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout?.trim() || "unknown";

const out = [];
out.push(`Size **${sizes.join(", ") || size}** · ${new Date().toISOString().replace(/\.\d+Z$/, "Z")} · commit \`${commit}\``);
if (vitest) {
  out.push("");
  out.push(`Vitest: ${fmt(vitest.passed)} tests passed, ${fmt(vitest.failed)} failed, in ${vitest.files.length} files.`);
}
out.push("");
out.push("| category | checks | cases tried | failures |");
out.push("|---|---:|---:|---:|");
for (const c of categories) {
  const rs = byCategory.get(c);
  out.push(`| ${c} | ${rs.length} | ${fmt(sum(rs, "cases"))} | ${fmt(sum(rs, "failures"))} |`);
}
out.push(`| **all** | **${records.length}** | **${fmt(totalCases)}** | **${fmt(totalFailures)}** |`);
out.push("");
const measured = (t, what) =>
  t.value === null ? `${what}: not measured by any category in this run.` : `${what}: **${fmt(t.value)}** (measured by ${t.by.join(", ")}).`;
out.push(`- ${measured(lost, "Points lost or duplicated")}`);
out.push(`- ${measured(crossShop, "Cross-shop reads")}`);

const silent = vitest ? vitest.files.filter((f) => !records.some((r) => r.file === f.file)) : [];
const vitestFailures = vitest ? vitest.files.flatMap((f) => [...f.failed.map((t) => `${f.file}: ${t}`), ...(f.crashed ? [`${f.file}: ${f.crashed.split("\n")[0]}`] : [])]) : [];
if (vitestFailures.length > 0) {
  out.push("");
  out.push("**Failed tests**");
  out.push("");
  for (const f of vitestFailures.slice(0, 30)) out.push(`- ${f}`);
  if (vitestFailures.length > 30) out.push(`- … and ${vitestFailures.length - 30} more`);
}
if (silent.length > 0) {
  out.push("");
  out.push(`Test files that recorded no check (see "Adding a category"): ${silent.map((f) => `\`${f.file}\``).join(", ")}.`);
}

for (const c of categories) {
  const rs = byCategory.get(c);
  out.push("");
  out.push(`### ${c}`);
  out.push("");
  out.push("| check | cases | failures |");
  out.push("|---|---:|---:|");
  for (const r of rs) out.push(`| ${String(r.check).replace(/\|/g, "\\|")} | ${fmt(r.cases)} | ${fmt(r.failures)} |`);
  const invariants = [...new Set(rs.flatMap((r) => r.invariants ?? []))];
  out.push("");
  out.push("Invariants checked:");
  out.push("");
  for (const i of invariants) out.push(`- ${i}`);
  const failed = rs.filter((r) => r.failures > 0);
  if (failed.length > 0) {
    out.push("");
    out.push("Failures:");
    out.push("");
    for (const r of failed) out.push(`- ${r.check}: ${r.failure ?? "(no detail recorded)"}`);
  }
}

const report = out.join("\n");
console.log(`\n# Reliability report\n\n${report}\n`);

if (values.write) {
  const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, "utf8") : `# Reliability\n\n${START}\n${END}\n`;
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path.relative(root, DOC)} has no ${START} … ${END} section to fill`);
  fs.writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${report}\n${doc.slice(end)}`);
  console.log(`Written to ${path.relative(root, DOC)}.`);
}

const failed = runFailed || totalFailures > 0 || (vitest !== null && vitest.failed > 0) || vitestFailures.length > 0;
if (values.run && vitest) console.log(`${vitest.passed} passed, ${vitest.failed} failed`);
process.exit(failed ? 1 : 0);
