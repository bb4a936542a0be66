import { Text } from "@shopify/polaris";
import { DonutChart } from "@shopify/polaris-viz";
import { useI18n } from "../../i18n/react";
import { ChartFrame } from "./ChartFrame";

export interface ClassSlice {
  /** credited | pending | conflict | rejected | awaiting | reversed */
  key: string;
  label: string;
  points: number;
}

/** One colour per class, the same on every screen: green is on the store, blue waits, amber to review, red out. */
export const CLASS_COLORS: Record<string, string> = {
  credited: "#29845a",
  pending: "#005bd3",
  conflict: "#b28400",
  rejected: "#c70a24",
  awaiting: "#8a8a8a",
  reversed: "#4a4a4a",
};

/** Where the points of the file went, per class, as a donut; the classes and points as a table. */
export function PointsByClassChart({ title, summary, classColumn, pointsColumn, shareColumn, slices, testId = "chart-classes" }: { title: string; summary: string; classColumn: string; pointsColumn: string; shareColumn: string; slices: ClassSlice[]; testId?: string }) {
  const { number, locale } = useI18n();
  const total = slices.reduce((s, x) => s + Math.max(0, x.points), 0);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  return (
    <ChartFrame
      title={title}
      summary={summary}
      testId={testId}
      table={{
        columns: [classColumn, pointsColumn, shareColumn],
        rows: slices.map((s) => [s.label, number(s.points), total > 0 ? percent.format(Math.max(0, s.points) / total) : percent.format(0)]),
      }}
      legend={
        // polaris-viz colours the legend from its theme, not from the series: the legend is drawn here, in the slices' colours.
        <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: 8 }}>
          {slices.map((s) => (
            <li key={s.key} style={{ display: "flex", alignItems: "center", gap: 8 }}>
              <span style={{ width: 12, height: 12, borderRadius: 3, background: CLASS_COLORS[s.key] ?? "#8a8a8a", flex: "none" }} />
              <Text as="span" variant="bodySm">
                {s.label}
              </Text>
              <Text as="span" variant="bodySm" tone="subdued">
                {number(s.points)}
              </Text>
            </li>
          ))}
        </ul>
      }
    >
      {() => (
        <DonutChart
          theme="Light"
          isAnimated={false}
          showLegend={false}
          labelFormatter={(value) => number(Number(value ?? 0))}
          // Empty classes stay in the legend and the table; a slice of 0 would still be drawn as a sliver.
          data={slices.filter((s) => s.points > 0).map((s) => ({ name: s.label, color: CLASS_COLORS[s.key] ?? "#8a8a8a", data: [{ key: pointsColumn, value: s.points }] }))}
        />
      )}
    </ChartFrame>
  );
}
