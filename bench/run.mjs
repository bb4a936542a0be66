#!/usr/bin/env node
// The benchmarks (issue 8). Each bench/<name>.bench.ts measures the product beside its limit measured
// in the same run and emits its figures through bench/lib.ts (emit → one JSON line in
// $BENCH_RESULTS_FILE); this runner assembles one run into bench/RESULTS.md and bench/chart.svg.
//
//   npm run bench                         every benchmark at --size 100000, and import, reconcile,
//                                         apply and preview also at the other sizes of the default scale
//                                         (below), for the throughput-vs-size chart; writes bench/RESULTS.md
//   npm run bench -- --size 30000         every benchmark at that size (rows; customers for apply)
//   npm run bench -- --scale 10000,100000,1000000
//                                         import, reconcile, apply and preview at every listed size, the others
//                                         at --size (the whole 1M scale takes hours on 2 cores: apply
//                                         of 1M customers alone is ~1 h, reconcile's 3M-item sync ~15 min)
//   npm run bench -- --only import,apply  a subset of the benchmarks (with --size / --scale as above)
//   npm run bench -- <name> [flags]       one benchmark with its own flags (see the top of its file);
//                                         its result goes to bench/history/<date>-<name>.md, not RESULTS.md
//
// Default scale (about 35 minutes on a 2-core machine, plus ~7 minutes the first time to build the
// 1M-customer snapshot the preview keeps in .carryover/bench/): import at 10k, 100k and 1M rows;
// reconcile and apply at 10k and 100k; the file → preview at 100k and 1M (issue 8's 30 s target).
// A previous RESULTS.md is moved to bench/history/ first.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureGenerated, ensureInstalled, root } from "../scripts/lib/prepare.mjs";

const TSX = path.join(root, "node_modules/tsx/dist/cli.mjs");
const SCALED = ["import", "reconcile", "apply", "preview"];
const DEFAULT_SCALE = { import: [10_000, 100_000, 1_000_000], reconcile: [10_000, 100_000], apply: [10_000, 100_000], preview: [100_000, 1_000_000] };

/**
 * Each benchmark's own flags for a size, one list per run of it. `main`: the size whose full tables lead RESULTS.md (bounded
 * throttle windows at their usual length); otherwise a scale point (short windows, or none).
 */
function flagsFor(name, size, main) {
  switch (name) {
    case "import":
      return [["--rows", String(size)]];
    case "reconcile":
      // The paged windows are bounded in time, not size: their figures do not depend on N.
      return [["--records", String(size), "--customers", String(size), "--orders", String(2 * size), "--paged-seconds", main ? "30" : "12", "--nuvemshop-seconds", main ? "30" : "12"]];
    case "apply":
      return [["--customers", String(size), "--throttled-seconds", main ? "30" : "0"]];
    case "preview":
      // rows N, customers N, orders 2N; its snapshot for N is built once and kept in .carryover/bench/.
      return [["--size", String(size)]];
    case "webhooks":
      return [[]];
    case "webhooks-load":
      return webhooksLoadFlags();
    default:
      return [[]];
  }
}

/**
 * bench/webhooks-load.bench.ts (its header lists its flags): the real app on loopback under a fixed
 * rate, on SQLite (in-process jobs) and on PostgreSQL with 2 worker processes; load and drain bounded.
 */
function webhooksLoadFlags() {
  const bounded = ["--rate", "200", "--seconds", "60", "--drain-timeout", "900"];
  return [
    ["--engine", "sqlite", ...bounded],
    ["--engine", "pg", "--workers", "2", ...bounded],
  ];
}

ensureInstalled();
ensureGenerated();

const argv = process.argv.slice(2);
const all = benchmarks().sort(byOrder);

/** The committed bench/*.bench.ts (a benchmark still being written, not yet in git, is left out of a full run). */
function benchmarks() {
  const present = fs.readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".bench.ts"));
  try {
    const tracked = new Set(execFileSync("git", ["ls-files", "bench"], { cwd: root, encoding: "utf8" }).split("\n").map((f) => path.basename(f)));
    const names = present.filter((f) => tracked.has(f));
    const left = present.filter((f) => !tracked.has(f));
    if (left.length) console.log(`not committed, left out: ${left.join(", ")}`);
    return names.map((f) => f.replace(/\.bench\.ts$/, ""));
  } catch {
    return present.map((f) => f.replace(/\.bench\.ts$/, ""));
  }
}
const single = argv[0] && !argv[0].startsWith("-") ? argv[0] : null;
if (single && !all.includes(single) && fs.existsSync(path.join(root, `bench/${single}.bench.ts`))) all.push(single);

function byOrder(a, b) {
  const order = ["import", "reconcile", "apply", "webhooks", "webhooks-load"];
  const ia = order.indexOf(a) === -1 ? 99 : order.indexOf(a);
  const ib = order.indexOf(b) === -1 ? 99 : order.indexOf(b);
  return ia - ib || a.localeCompare(b);
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-bench-run-"));
const resultsFile = path.join(workDir, "results.jsonl");
const started = new Date();
const runs = [];

/** Runs one benchmark; its emitted results are tagged with the size and whether it is the main one. */
function run(name, args, size, main) {
  const before = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, "utf8").split("\n").filter(Boolean).length : 0;
  console.log(`\n=== ${name}${size ? ` at ${size.toLocaleString("en")}` : ""}: npx tsx bench/${name}.bench.ts ${args.join(" ")}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [TSX, `bench/${name}.bench.ts`, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", BENCH_RESULTS_FILE: resultsFile, ...(size ? { BENCH_SIZE: String(size) } : {}) },
  });
  const seconds = (performance.now() - t) / 1000;
  const lines = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, "utf8").split("\n").filter(Boolean) : [];
  const results = lines.slice(before).map((l) => ({ ...JSON.parse(l), size: JSON.parse(l).size ?? size, main }));
  runs.push({ name, args, size, main, seconds, status: r.status, signal: r.signal, results });
  if (r.status !== 0) console.error(`!!! ${name} failed (exit ${r.status ?? r.signal}); the run goes on with the others`);
}

function commit() {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", "app", "domain", "bench", "scripts", "prisma"], { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `${sha} (with uncommitted changes to ${dirty.split("\n").length} files)` : sha;
  } catch {
    return "unknown";
  }
}

if (single) {
  if (!all.includes(single)) {
    console.error(`unknown benchmark "${single}" (known: ${all.join(", ")})`);
    process.exit(2);
  }
  run(single, argv.slice(1), undefined, true);
} else {
  const { values } = parseArgs({ args: argv, options: { size: { type: "string", default: "100000" }, scale: { type: "string" }, only: { type: "string" } } });
  const size = Number(values.size);
  const only = values.only ? values.only.split(",") : all;
  for (const n of only) if (!all.includes(n)) throw new Error(`unknown benchmark "${n}" (known: ${all.join(", ")})`);
  const scaleOf = (name) => {
    if (!SCALED.includes(name)) return [];
    const explicitSize = argv.some((a) => a === "--size" || a.startsWith("--size="));
    const sizes = values.scale ? values.scale.split(",").map(Number) : explicitSize ? [] : DEFAULT_SCALE[name];
    return sizes.filter((s) => s !== size).sort((a, b) => a - b);
  };
  // Every benchmark at the main size first (the tables), then the scale points, smallest first.
  for (const name of all.filter((n) => only.includes(n))) for (const args of flagsFor(name, size, true)) run(name, args, size, true);
  for (const name of all.filter((n) => only.includes(n))) for (const s of scaleOf(name)) for (const args of flagsFor(name, s, false)) run(name, args, s, false);
}

const meta = {
  command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  startedAt: started.toISOString(),
  seconds: (Date.now() - started.getTime()) / 1000,
  commit: commit(),
  loadavg: os.loadavg(),
  runs,
};
fs.writeFileSync(path.join(workDir, "meta.json"), JSON.stringify(meta));
// Kept so RESULTS.md can be written again from the same run: npx tsx bench/chart.ts --meta .carryover/bench/last-run.json --out …
fs.mkdirSync(path.join(root, ".carryover/bench"), { recursive: true });
fs.copyFileSync(path.join(workDir, "meta.json"), path.join(root, ".carryover/bench/last-run.json"));
const out = single ? path.join(root, "bench/history", `${started.toISOString().slice(0, 16).replace(/[:T]/g, "-")}-${single}.md`) : path.join(root, "bench/RESULTS.md");
const args = [TSX, "bench/chart.ts", "--meta", path.join(workDir, "meta.json"), "--out", out];
if (!single) args.push("--chart", path.join(root, "bench/chart.svg"));
const written = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
fs.rmSync(workDir, { recursive: true, force: true });
console.log(`\nwrote ${path.relative(root, out)}${single ? "" : " and bench/chart.svg"} (${Math.round(meta.seconds)} s in all)`);
process.exit(written.status !== 0 ? 1 : runs.some((r) => r.status !== 0) ? 1 : 0);
