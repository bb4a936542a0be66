import { BarChart } from "@shopify/polaris-viz";
import { useI18n } from "../../i18n/react";
import { ChartFrame } from "./ChartFrame";

export interface RestoreBar {
  /** First day of the bar, YYYY-MM-DD (UTC). */
  start: string;
  members: number;
  points: number;
}

/**
 * Late registrations restored over time (a bar per day, or per week), the members count drawn and
 * the points in the table beside it.
 */
export function RestoresChart({ title, summary, periodColumn, membersColumn, pointsColumn, bars, testId = "chart-restores" }: { title: string; summary: string; periodColumn: string; membersColumn: string; pointsColumn: string; bars: RestoreBar[]; testId?: string }) {
  const { number, date } = useI18n();
  return (
    <ChartFrame title={title} summary={summary} testId={testId} table={{ columns: [periodColumn, membersColumn, pointsColumn], rows: bars.map((b) => [date(b.start), number(b.members), number(b.points)]) }}>
      {() => (
        <BarChart
          theme="Light"
          isAnimated={false}
          showLegend={false}
          xAxisOptions={{ labelFormatter: (value) => date(String(value)) }}
          yAxisOptions={{ integersOnly: true, labelFormatter: (value) => number(Number(value ?? 0)) }}
          tooltipOptions={{ valueFormatter: (value) => number(Number(value ?? 0)), titleFormatter: (value) => date(String(value)) }}
          data={[{ name: membersColumn, color: "#005bd3", data: bars.map((b) => ({ key: b.start, value: b.members })) }]}
        />
      )}
    </ChartFrame>
  );
}
