import { BlockStack, Box, Text } from "@shopify/polaris";
import { useEffect, useId, useState, type CSSProperties, type ReactNode } from "react";

/** Hidden from the eye, read by screen readers (the chart's data as a table). */
const VISUALLY_HIDDEN: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/** True once the component runs in the browser (after hydration); false on the server and on the first client render. */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export interface ChartTable {
  columns: string[];
  rows: string[][];
}

/**
 * A chart with its text alternatives: a title, a one-line summary anyone can read, and the data as a
 * table for screen readers. polaris-viz reads `navigator` and `window` while rendering, which do not
 * exist on the server: the chart itself is drawn only once mounted in the browser, over a box of the
 * same height, so the server renders the title, summary and table without it.
 */
export function ChartFrame({ title, summary, table, height = 260, testId, legend, children }: { title: string; summary: string; table: ChartTable; height?: number; testId: string; legend?: ReactNode; children: () => ReactNode }) {
  const mounted = useMounted();
  const id = useId();
  return (
    <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`} style={{ margin: 0 }} data-testid={testId}>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" id={`${id}-title`}>
          {title}
        </Text>
        <Text as="p" tone="subdued" variant="bodySm" id={`${id}-summary`}>
          {summary}
        </Text>
        <div aria-hidden="true" style={{ display: "flex", gap: 16, alignItems: "center", flexWrap: "wrap" }}>
          <Box minHeight={`${height}px`} width="100%" maxWidth={legend ? "55%" : "100%"}>
            <div style={{ height }} data-chart-ready={mounted ? "yes" : "no"}>
              {mounted ? children() : null}
            </div>
          </Box>
          {legend}
        </div>
        <div style={VISUALLY_HIDDEN}>
          <table data-testid={`${testId}-table`}>
            <caption>{title}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row[0]}>
                  {row.map((cell, i) =>
                    i === 0 ? (
                      <th key={i} scope="row">
                        {cell}
                      </th>
                    ) : (
                      <td key={i}>{cell}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </BlockStack>
    </figure>
  );
}
