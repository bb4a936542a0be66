import { useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, ChoiceList, Filters, IndexTable, InlineStack, Text } from "@shopify/polaris";
import { useCallback } from "react";
import type { RejectedRowsPage } from "../../services/admin/map-step.server";
import { useI18n } from "../../i18n/react";
import { DownloadLink } from "../DownloadLink";

/**
 * A file's rejected rows, a page at a time, filtered by reason; the page and the reason live in
 * the URL (`reason`, `page`), so a reload or a shared link opens the same rows.
 */
export function RejectedRowsTable({ data, downloadUrl, fileName }: { data: RejectedRowsPage; downloadUrl: string; fileName: string }) {
  const { t, maybe, number } = useI18n();
  const [, setParams] = useSearchParams();
  const navigation = useNavigation();
  const reasonText = (code: string) => maybe(`reject.${code}`) ?? code;

  const go = useCallback(
    (change: { reason?: string | null; page?: number }) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (change.reason !== undefined) {
            if (change.reason) next.set("reason", change.reason);
            else next.delete("reason");
            next.delete("page");
          }
          if (change.page !== undefined) {
            if (change.page > 1) next.set("page", String(change.page));
            else next.delete("page");
          }
          return next;
        },
        { preventScrollReset: true },
      ),
    [setParams],
  );

  const filterLabel = t("rejectedRows.reason");
  return (
    <Card padding="0">
      <BlockStack>
        <Box padding="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("rejectedRows.heading")}
            </Text>
            <Text as="p" tone="subdued">
              <DownloadLink url={downloadUrl} fileName={`${fileName.replace(/\.[^.]*$/, "")}-rejected-rows.csv`} failed={t("summary.downloadFailed")}>
                {t("summary.downloadRejected")}
              </DownloadLink>{" "}
              {t("summary.fixAndReupload")}
            </Text>
          </BlockStack>
        </Box>
        <Filters
          queryValue=""
          hideQueryField
          filters={[
            {
              key: "reason",
              label: filterLabel,
              pinned: true,
              filter: (
                <ChoiceList
                  title={filterLabel}
                  titleHidden
                  choices={data.reasons.map((r) => ({ value: r.code, label: `${reasonText(r.code)} (${number(r.count)})` }))}
                  selected={data.reason ? [data.reason] : []}
                  onChange={(v) => go({ reason: v[0] ?? null })}
                />
              ),
            },
          ]}
          appliedFilters={data.reason ? [{ key: "reason", label: `${filterLabel}: ${reasonText(data.reason)}`, onRemove: () => go({ reason: null }) }] : []}
          onQueryChange={() => undefined}
          onQueryClear={() => undefined}
          onClearAll={() => go({ reason: null })}
        />
        <IndexTable
          selectable={false}
          loading={navigation.state === "loading"}
          itemCount={data.rows.length}
          resourceName={{ singular: t("rejectedRows.rowSingular"), plural: t("rejectedRows.rowPlural") }}
          emptyState={
            <Box padding="400">
              <Text as="p" tone="subdued" alignment="center">
                {t("summary.noRejected")}
              </Text>
            </Box>
          }
          headings={[{ title: t("rejectedRows.rowCol") }, { title: t("rejectedRows.reasonsCol") }, { title: t("rejectedRows.customerCol") }, { title: t("rejectedRows.pointsCol") }]}
          // Without rows there is nothing to page through, and Polaris draws the bar over the empty state.
          pagination={
            data.total === 0
              ? undefined
              : {
                  hasPrevious: data.page > 1,
                  hasNext: data.page < data.pageCount,
                  onPrevious: () => go({ page: data.page - 1 }),
                  onNext: () => go({ page: data.page + 1 }),
                  label: t("rejectedRows.page", {
                    page: number(data.page),
                    pages: number(data.pageCount),
                    from: number((data.page - 1) * data.pageSize + 1),
                    to: number(Math.min(data.total, data.page * data.pageSize)),
                    total: number(data.total),
                  }),
                }
          }
        >
          {data.rows.map((row, position) => (
            <IndexTable.Row id={String(row.rowNumber)} key={row.rowNumber} position={position}>
              <IndexTable.Cell>
                <span data-testid="rejected-row-number">{number(row.rowNumber)}</span>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <InlineStack gap="100" wrap>
                  {row.codes.map((code) => (
                    <Badge key={code} tone="critical">
                      {reasonText(code)}
                    </Badge>
                  ))}
                </InlineStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" breakWord>
                  {row.customer ?? "—"}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>{row.points ?? "—"}</IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </BlockStack>
    </Card>
  );
}
