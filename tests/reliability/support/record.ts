/**
 * What every reliability test reports, for scripts/reliability-report.mjs (docs/reliability.md says
 * how to add a category). A check is one named invariant tried on a number of cases; each call of
 * `record` appends one JSON line to .carryover/reliability/results/<pid>.jsonl, which the report
 * reads after the run. The results folder is emptied at the start of every run (global-setup.ts).
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";

export const RESULTS_DIR = path.resolve(".carryover/reliability/results");

/** quick (the default, CI) or full (on demand: bigger files, many more fuzzing runs). */
export type ReliabilitySize = "quick" | "full";

export function reliabilitySize(): ReliabilitySize {
  const size = process.env.RELIABILITY_SIZE ?? "quick";
  if (size !== "quick" && size !== "full") throw new Error(`RELIABILITY_SIZE must be quick or full, not "${size}"`);
  return size;
}

/** fast-check runs per property: modest in quick mode, many more in full. */
export function runs(quick: number, full = quick * 20): number {
  return reliabilitySize() === "full" ? full : quick;
}

/**
 * Figures the report adds up across every category. Leave a figure out when the check does not
 * measure it (the report then says which categories measured it).
 */
export interface Totals {
  /** Points that an import, a ledger write or a fault lost or counted twice. */
  pointsLostOrDuplicated?: number;
  /** Reads that returned another shop's data. */
  crossShopReads?: number;
}

export interface CheckResult {
  /** The report's section: "hostile files", "fuzzing: parsers", "fault injection", "tenant isolation"… */
  category: string;
  /** One line naming what was tried. */
  check: string;
  /** The invariants asserted on every case, in words. */
  invariants: string[];
  cases: number;
  failures: number;
  /** The first failure, in words (counterexample, file name, message). */
  failure?: string;
  totals?: Totals;
  /** The test file that recorded it (filled in). */
  file?: string;
}

export function record(result: CheckResult): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.relative(process.cwd(), testFile() ?? "") || undefined;
  const line = JSON.stringify({ ...result, file: result.file ?? file, size: reliabilitySize(), at: new Date().toISOString() });
  fs.appendFileSync(path.join(RESULTS_DIR, `${process.pid}.jsonl`), `${line}\n`);
}

function testFile(): string | undefined {
  // vitest sets it on the worker's state; fall back to nothing outside vitest.
  const state = (globalThis as { __vitest_worker__?: { filepath?: string } }).__vitest_worker__;
  return state?.filepath;
}

/**
 * Runs a fast-check property, records how many cases were tried and whether one failed, then fails
 * the test with fast-check's own report when it did.
 */
export async function checkProperty<Ts>(
  meta: { category: string; check: string; invariants: string[]; totals?: Totals },
  property: fc.IRawProperty<Ts>,
  parameters: fc.Parameters<Ts> = {},
): Promise<void> {
  const details = await fc.check(property, parameters);
  record({
    category: meta.category,
    check: meta.check,
    invariants: meta.invariants,
    cases: details.numRuns,
    failures: details.failed ? 1 : 0,
    ...(details.failed && { failure: describeFailure(details) }),
    ...(meta.totals && { totals: meta.totals }),
  });
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? `\n${details.errorInstance.message}` : "";
    throw new Error(`${fc.defaultReportMessage(details) ?? "property failed"}${cause}`);
  }
}

function describeFailure<Ts>(details: fc.RunDetails<Ts>): string {
  const example = fc.stringify(details.counterexample).slice(0, 500);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? "");
  return `counterexample ${example}: ${error.split("\n")[0]?.slice(0, 300) ?? ""}`;
}

/**
 * Counts the cases of a check that is not a fast-check property (one corpus file, one fault…):
 * `tally.run(fn)` counts a case, and a failure when fn throws (the error is rethrown, failing the
 * test); `tally.flush()` (in afterAll) records the check.
 */
export class Tally {
  private cases = 0;
  private failures = 0;
  private firstFailure: string | undefined;
  private totals: Totals = {};

  constructor(private readonly meta: { category: string; check: string; invariants: string[] }) {}

  async run<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
    this.cases += 1;
    try {
      return await fn();
    } catch (error) {
      this.failures += 1;
      this.firstFailure ??= `${label}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`.slice(0, 600);
      throw error;
    }
  }

  add(totals: Totals): void {
    for (const [key, value] of Object.entries(totals) as [keyof Totals, number][]) this.totals[key] = (this.totals[key] ?? 0) + value;
  }

  flush(): void {
    if (this.cases === 0) return;
    record({
      ...this.meta,
      cases: this.cases,
      failures: this.failures,
      ...(this.firstFailure && { failure: this.firstFailure }),
      ...(Object.keys(this.totals).length > 0 && { totals: this.totals }),
    });
  }
}
