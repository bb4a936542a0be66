import { BlockStack, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { Preview } from "~domain/reconcile/report";
import { useI18n } from "../../i18n/react";
import { PointsByClassChart } from "../charts/PointsByClassChart";

/**
 * The stored dry run: records and points per outcome, the points identity in words, and (on the Sync
 * step) what the store's orders give. `notice` sits under the heading (stale preview, update running).
 */
export function PreviewCard({ report, createdAt, notice, orders = true }: { report: Preview; createdAt: string; notice?: ReactNode; orders?: boolean }) {
  // `orders` marks the Sync step's full preview, which also draws the classes as a chart.
  const { t, number, dateTime } = useI18n();
  const rejected = report.points.rejected.total;
  const adds = report.points.inFile === report.points.matched + report.points.pending + report.points.conflict + rejected;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("preview.heading")}
          </Text>
          <Text as="span" tone="subdued" variant="bodySm">
            {t("preview.builtAt", { date: dateTime(createdAt) })}
          </Text>
        </InlineStack>
        {notice}
        <DataTable
          columnContentTypes={["text", "numeric", "numeric"]}
          headings={[t("preview.classCol"), t("preview.membersCol"), t("preview.pointsCol")]}
          rows={[
            [t("preview.matched"), figure("matched-records", number(report.members.matched)), figure("matched-points", number(report.points.matched))],
            [t("preview.pending"), figure("pending-records", number(report.members.pending)), figure("pending-points", number(report.points.pending))],
            [t("preview.conflict"), figure("conflict-records", number(report.members.conflict)), figure("conflict-points", number(report.points.conflict))],
            [
              t("preview.rejected"),
              figure("rejected-records", number(report.members.rejectedAtImport + report.members.rejectedInReview)),
              figure("rejected-points", number(rejected)),
            ],
          ]}
          totals={["", "", number(report.points.inFile)]}
          showTotalsInFooter
          totalsName={{
            singular: t("preview.total"),
            plural: t("preview.total"),
          }}
        />
        <Text as="p" tone={adds ? "success" : "critical"}>
          <span data-testid="preview-identity">
            {t("preview.identity", {
              total: number(report.points.inFile),
              matched: number(report.points.matched),
              pending: number(report.points.pending),
              conflict: number(report.points.conflict),
              rejected: number(rejected),
            })}
          </span>
        </Text>
        {orders && (
          <PointsByClassChart
            testId="chart-preview-classes"
            title={t("report.previewChart")}
            summary={t("report.previewChartSummary", {
              file: number(report.points.inFile),
              matched: number(report.points.matched),
              pending: number(report.points.pending),
              conflict: number(report.points.conflict),
              rejected: number(rejected),
            })}
            classColumn={t("preview.classCol")}
            pointsColumn={t("preview.pointsCol")}
            shareColumn={t("report.shareCol")}
            slices={[
              { key: "credited", label: t("preview.matched"), points: report.points.matched },
              { key: "pending", label: t("preview.pending"), points: report.points.pending },
              { key: "conflict", label: t("preview.conflict"), points: report.points.conflict },
              { key: "rejected", label: t("preview.rejected"), points: rejected },
            ]}
          />
        )}
        {orders && (
          <DataTable
            columnContentTypes={["text", "numeric"]}
            headings={["", ""]}
            rows={[
              [t("preview.orders"), number(report.orders.total)],
              [t("preview.ordersIgnored"), number(report.orders.ignored)],
              [t("preview.ordersMigrated"), number(report.orders.alreadyMigrated)],
              [t("preview.retroactive"), number(report.retroactive.points)],
            ]}
          />
        )}
      </BlockStack>
    </Card>
  );
}

const figure = (testId: string, text: string) => <span data-testid={`preview-${testId}`}>{text}</span>;
