// Writes one run of bench/run.mjs as Markdown (bench/RESULTS.md, or a history file for a single
// benchmark) and, for a full run, the throughput-vs-size chart (bench/chart.svg, vega-lite rendered
// to SVG in Node, no canvas). Called by run.mjs with the run's meta file (the runs and their results).
//
//   npx tsx bench/chart.ts --meta <meta.json> --out bench/RESULTS.md [--chart bench/chart.svg]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { format, markdown, ratio, type BenchResult } from "./lib";

type Result = BenchResult & { size?: number; main: boolean };
interface Run {
  name: string;
  args: string[];
  size?: number;
  main: boolean;
  seconds: number;
  status: number | null;
  signal: string | null;
  results: Result[];
}
interface Meta {
  command: string;
  startedAt: string;
  seconds: number;
  commit: string;
  /** os.loadavg() when the run ended */
  loadavg?: number[];
  runs: Run[];
}

export interface ChartPoint {
  series: string;
  size: number;
  items: number;
  seconds: number;
  rate: number;
  unit: string;
}

export function chartPoints(runs: Run[]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const run of runs) {
    for (const result of run.results) {
      const size = result.size ?? run.size;
      if (!size) continue;
      for (const p of result.points ?? []) points.push({ series: p.series, size, items: p.items, seconds: p.seconds, rate: p.items / p.seconds, unit: p.unit });
    }
  }
  return points.sort((a, b) => a.series.localeCompare(b.series) || a.size - b.size);
}

/** Per series: cost per item at the largest size ÷ cost per item at the smallest (1 = linear growth). */
export function growth(points: ChartPoint[]) {
  const bySeries = new Map<string, ChartPoint[]>();
  for (const p of points) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
  return [...bySeries].flatMap(([series, ps]) => {
    if (ps.length < 2) return [];
    const small = ps[0]!;
    const large = ps.at(-1)!;
    const perItem = (p: ChartPoint) => p.seconds / p.items;
    const steps = ps.slice(1).map((p, k) => ({ from: ps[k]!, to: p, ratio: perItem(p) / perItem(ps[k]!) }));
    return [{ series, small, large, ratio: perItem(large) / perItem(small), steps }];
  });
}

export async function chartSvg(points: ChartPoint[]): Promise<string> {
  // The dashed lines: what each series' time would be if its cost per item stayed that of its smallest size.
  const linear = growth(points).flatMap(({ series, small }) =>
    points.filter((p) => p.series === series).map((p) => ({ series, size: p.size, seconds: (small.seconds / small.items) * p.items })),
  );
  const x = { field: "size", type: "quantitative", scale: { type: "log" }, title: "size (rows; customers for apply; records for reconcile)", axis: { format: "~s" } } as const;
  const color = { field: "series", type: "nominal", title: "benchmark", legend: { orient: "bottom", columns: 3, labelLimit: 320 } } as const;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    background: "white",
    padding: 12,
    config: { font: "sans-serif", view: { stroke: "#ddd" } },
    hconcat: [
      {
        title: "Throughput vs size (flat = linear cost)",
        width: 380,
        height: 300,
        data: { values: points },
        mark: { type: "line", point: true },
        encoding: {
          x,
          y: { field: "rate", type: "quantitative", scale: { type: "log" }, title: "items per second (log)", axis: { format: "~s" } },
          color,
        },
      },
      {
        title: "Wall time vs size (dashed: linear from the smallest size)",
        width: 380,
        height: 300,
        layer: [
          {
            data: { values: points },
            mark: { type: "line", point: true },
            encoding: { x, y: { field: "seconds", type: "quantitative", scale: { type: "log" }, title: "seconds (log)", axis: { format: "~s" } }, color },
          },
          {
            data: { values: linear },
            mark: { type: "line", strokeDash: [4, 4], opacity: 0.6 },
            encoding: { x, y: { field: "seconds", type: "quantitative" }, color },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

const fmtSeconds = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

export function resultsMarkdown(meta: Meta, chartFile: string | null, points: ChartPoint[]): string {
  const ended = new Date(new Date(meta.startedAt).getTime() + meta.seconds * 1000);
  const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const mains = meta.runs.filter((r) => r.main);
  const others = meta.runs.filter((r) => !r.main);
  const lines: string[] = [
    "# Benchmark results",
    "",
    `<!-- bench-run: ${meta.startedAt} -->`,
    "One run of the command below, written by `bench/run.mjs` (see its header for the options); earlier runs are in [bench/history/](history/).",
    "",
    "| | |",
    "|---|---|",
    `| command | \`${meta.command}\` |`,
    `| machine | ${machineLine()} |`,
    `| date | ${utc(new Date(meta.startedAt))} – ${utc(ended)} (${fmtSeconds(meta.seconds)}) |`,
    `| git commit | ${meta.commit} |`,
    `| load average at the end (1/5/15 min) | ${(meta.loadavg ?? os.loadavg()).map((l) => l.toFixed(1)).join(" / ")} on ${os.cpus().length} cores, shared with other work |`,
    "",
    "## Summary",
    "",
    "Ratio to the limit = value ÷ the limit measured in the same run: for a rate, the share of the limit reached; for a latency or a CPU time, how many times the limit's.",
    "",
    "| benchmark | size | figure | value | limit (same run) | ratio to the limit | targets met |",
    "|---|---|---|---|---|---|---|",
  ];
  // A size is shown only for a benchmark whose flags it was translated into (not for the webhook loads).
  const sizeOf = (run: Run) => (run.size && run.args.includes(String(run.size)) ? format(run.size) : "");
  for (const run of mains) {
    if (run.status !== 0) lines.push(`| ${run.name} | ${sizeOf(run)} | **exit ${run.status ?? run.signal}** (\`${run.args.join(" ")}\`${run.results.length ? "; its result below" : ""}) | | | | |`);
    for (const r of run.results) {
      const headline = r.figures.find((f) => f.limit !== undefined) ?? r.figures.find((f) => /total|end to end/.test(f.label)) ?? r.figures[0];
      const met = r.targets?.length ? `${r.targets.filter((t) => t.met).length} of ${r.targets.length}` : "";
      if (!headline) continue;
      const q = ratio(headline);
      lines.push(
        `| ${r.name} | ${sizeOf(run)} | ${headline.label} | ${format(headline.value)} ${headline.unit} | ${headline.limit !== undefined ? `${format(headline.limit)} ${headline.unit}` : ""} | ${q !== undefined ? `${format(Math.round(q * 100) / 100)} %` : ""} | ${met} |`,
      );
    }
  }
  if (points.length) {
    lines.push("", "## Throughput vs size", "");
    if (chartFile) lines.push(`![Throughput and wall time per benchmark vs size, log axes](${chartFile})`, "");
    lines.push(
      "Cost per item at the largest size ÷ cost per item at the smallest (≈ 1: cost grows linearly with size; < 1: fixed costs (start-up, first queries) amortised over more items; > 1: worse than linear), then the same size step by size step:",
      "",
    );
    const short = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
    for (const g of growth(points)) {
      const steps = g.steps.length > 1 ? `; by step: ${g.steps.map((st) => `${short(st.from.size)}→${short(st.to.size)} ${st.ratio.toFixed(2)}`).join(", ")}` : "";
      lines.push(
        `- **${g.series}**: ${short(g.large.size)} vs ${short(g.small.size)}: **${g.ratio.toFixed(2)}** (${format(Math.round(g.small.rate))} → ${format(Math.round(g.large.rate))} ${g.small.unit}/s)${steps}`,
      );
    }
    const largest = Math.max(...points.map((p) => p.size));
    const short1M = [...new Set(points.map((p) => p.series))].filter((series) => !points.some((p) => p.series === series && p.size === largest));
    if (short1M.length) {
      lines.push("", `Not measured at ${short(largest)} in this run (to keep the default run bounded): ${short1M.join(", ")}; \`npm run bench -- --scale 10000,100000,1000000\` runs them there (hours on 2 cores).`);
    }
    lines.push("", "| benchmark | size | items | wall time | items/s |", "|---|---|---|---|---|");
    for (const p of points) lines.push(`| ${p.series} | ${format(p.size)} | ${format(p.items)} ${p.unit} | ${format(Math.round(p.seconds * 100) / 100)} s | ${format(Math.round(p.rate))} |`);
  }
  for (const run of mains) {
    lines.push("");
    if (run.status !== 0) lines.push(`## ${run.name}: failed (exit ${run.status ?? run.signal}) after ${fmtSeconds(run.seconds)}`, "", `Flags: \`${run.args.join(" ")}\``, "");
    for (const r of run.results) lines.push(markdown(r, "##"), `Benchmark wall time (setup and limits included): ${fmtSeconds(run.seconds)}.`, "");
  }
  if (others.length) {
    lines.push("## The other sizes (scale points), in full", "");
    for (const run of others) {
      const title = `${run.name} at ${run.size ? format(run.size) : "?"}: ${run.status === 0 ? fmtSeconds(run.seconds) : `failed (exit ${run.status ?? run.signal})`}`;
      lines.push("<details>", `<summary>${title}</summary>`, "");
      for (const r of run.results) lines.push(markdown(r, "###"));
      lines.push("</details>", "");
    }
  }
  lines.push("## Runs", "", "| benchmark | flags | wall time | exit |", "|---|---|---|---|");
  for (const run of meta.runs) lines.push(`| ${run.name} | \`${run.args.join(" ")}\` | ${fmtSeconds(run.seconds)} | ${run.status ?? run.signal} |`);
  return `${lines.join("\n")}\n`;
}

/** A previous run's RESULTS.md (and chart) into bench/history/, under its start date. */
function keepPrevious(out: string, chart: string | null, startedAt: string) {
  if (!fs.existsSync(out)) return;
  const text = fs.readFileSync(out, "utf8");
  const stamp = /<!-- bench-run: (\S+) -->/.exec(text)?.[1];
  if (!stamp || stamp === startedAt) return;
  const history = path.join(path.dirname(out), "history");
  fs.mkdirSync(history, { recursive: true });
  const base = `${stamp.slice(0, 16).replace(/[:T]/g, "-")}-run`;
  let kept = text;
  if (chart && fs.existsSync(chart)) {
    fs.copyFileSync(chart, path.join(history, `${base}.svg`));
    kept = kept.replace(`](${path.basename(chart)})`, `](${base}.svg)`);
  }
  fs.writeFileSync(path.join(history, `${base}.md`), kept.replace("earlier runs are in [bench/history/](history/)", "earlier runs are beside this file"));
}

if (process.argv.includes("--meta")) {
  const { values } = parseArgs({ options: { meta: { type: "string" }, out: { type: "string" }, chart: { type: "string" } } });
  const meta = JSON.parse(fs.readFileSync(values.meta!, "utf8")) as Meta;
  const points = chartPoints(meta.runs);
  const out = values.out!;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (values.chart) keepPrevious(out, values.chart, meta.startedAt);
  let chartLink: string | null = null;
  if (values.chart && points.length) {
    fs.writeFileSync(values.chart, await chartSvg(points));
    chartLink = path.relative(path.dirname(out), values.chart);
  }
  fs.writeFileSync(out, resultsMarkdown(meta, chartLink, points));
}
