import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Figure {
  label: string;
  value: number;
  unit: string;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Prints the figures and appends them as a dated section to bench/RESULTS.md. */
export function report(title: string, command: string, figures: Figure[], notes: string[] = []) {
  const lines = [
    `## ${title} — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`${command}\`  `,
    `Machine: ${machine()}`,
    "",
    "| figure | value |",
    "|---|---|",
    ...figures.map((f) => `| ${f.label} | ${format(f.value)} ${f.unit} |`),
    ...(notes.length ? ["", ...notes.map((n) => `- ${n}`)] : []),
    "",
  ];
  const text = lines.join("\n");
  console.log(`\n${text}`);
  const file = path.join(process.cwd(), "bench/RESULTS.md");
  if (!fs.existsSync(file)) fs.writeFileSync(file, "# Benchmark results\n\nAppended by `npm run bench`; newest last.\n\n");
  fs.appendFileSync(file, `${text}\n`);
}

function format(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return value.toLocaleString("en", { maximumFractionDigits: 2 });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
