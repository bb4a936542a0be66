// The benchmarks' output contract (issue 8). Every bench/<name>.bench.ts ends with one or more
// emit(result) calls; bench/run.mjs assembles the results of one run into bench/RESULTS.md.
//
//   - emit() prints the result as a table on stdout, always.
//   - When the environment names a file in BENCH_RESULTS_FILE (run.mjs sets it), emit() also appends
//     the result to it as ONE line of JSON (JSON Lines: a benchmark may emit several results, e.g.
//     "sync" and "reconcile"). Nothing else is written there; a benchmark never writes RESULTS.md.
//   - BENCH_SIZE (set by run.mjs when it was given --size / --scale) is the size the run was asked
//     for, in rows; a benchmark reads its own flags, run.mjs translates the size into them.
//
// A figure with a `limit` is measured beside that limit in the same run, in the same unit, and its
// ratio (value / limit) is printed as a percentage: the limit must be the bound of the same work
// (a rate when the figure is a rate). `points` feed the throughput-vs-size chart: the items the
// product handled and the wall seconds it took, one series per line on the chart.
import fs from "node:fs";
import os from "node:os";

export interface Figure {
  label: string;
  value: number;
  unit: string;
  /** The limit for the same work measured in the same run, same unit. */
  limit?: number;
  /** What the limit is (e.g. "raw csv-parse + raw better-sqlite3 inserts"). */
  limitLabel?: string;
}

export interface Target {
  /** e.g. "import ≥ 50 % of the limit" */
  label: string;
  met: boolean;
  /** the measured value the target is judged on, as text, e.g. "53.1 %" */
  actual?: string;
}

export interface ScalePoint {
  /** the line on the chart, e.g. "import", "reconcile", "apply (ledger + metafields)" */
  series: string;
  /** items the product handled (rows, records, members) */
  items: number;
  /** wall seconds of the product's work on those items (generation and limits excluded) */
  seconds: number;
  /** what an item is, e.g. "rows" */
  unit: string;
}

export interface BenchResult {
  /** the benchmark's file name without .bench.ts, or a sub-result ("sync" from reconcile.bench.ts) */
  name: string;
  title: string;
  /** the command that reproduces this result alone */
  command: string;
  /** the size asked for, in rows (items), when the benchmark has one */
  size?: number;
  figures: Figure[];
  targets?: Target[];
  notes?: string[];
  points?: ScalePoint[];
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function ratio(f: Figure): number | undefined {
  return f.limit ? (100 * f.value) / f.limit : undefined;
}

/** The result as Markdown: one table (figure / value / limit / ratio), targets, notes. */
export function markdown(result: BenchResult, level = "##"): string {
  const hasLimit = result.figures.some((f) => f.limit !== undefined);
  const rows = result.figures.map((f) => {
    const value = `${format(f.value)} ${f.unit}`.trim();
    if (!hasLimit) return `| ${f.label} | ${value} |`;
    const r = ratio(f);
    const limit = f.limit !== undefined ? `${format(f.limit)} ${f.unit}${f.limitLabel ? ` (${f.limitLabel})` : ""}` : "";
    return `| ${f.label} | ${value} | ${limit} | ${r !== undefined ? `${format(round2(r))} %` : ""} |`;
  });
  return [
    `${level} ${result.title}`,
    "",
    `Command: \`${result.command}\``,
    "",
    hasLimit ? "| figure | value | limit (same run) | ratio to the limit |" : "| figure | value |",
    hasLimit ? "|---|---|---|---|" : "|---|---|",
    ...rows,
    ...(result.targets?.length
      ? ["", "| target | measured | met |", "|---|---|---|", ...result.targets.map((t) => `| ${t.label} | ${t.actual ?? ""} | ${t.met ? "met" : "**not met**"} |`)]
      : []),
    ...(result.notes?.length ? ["", ...result.notes.map((n) => `- ${n}`)] : []),
    "",
  ].join("\n");
}

/** Prints the result; appends it as one JSON line to $BENCH_RESULTS_FILE when set. */
export function emit(result: BenchResult): void {
  console.log(`\n${markdown(result)}`);
  const file = process.env.BENCH_RESULTS_FILE;
  if (file) fs.appendFileSync(file, `${JSON.stringify(result)}\n`);
}

/** The size run.mjs was asked for (BENCH_SIZE), if any. */
export function askedSize(): number | undefined {
  const size = Number(process.env.BENCH_SIZE);
  return Number.isFinite(size) && size > 0 ? size : undefined;
}

/**
 * The former output (figures without limits), kept for benchmarks not yet moved to emit():
 * the same result, name derived from the script, no limit column.
 */
export function report(title: string, command: string, figures: Figure[], notes: string[] = []) {
  const name = /bench -- (\S+)/.exec(command)?.[1] ?? "bench";
  emit({ name, title, command, figures, notes });
}

function round2(n: number) {
  return Math.round(n * 100) / 100;
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return value.toLocaleString("en", { maximumFractionDigits: 2 });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
