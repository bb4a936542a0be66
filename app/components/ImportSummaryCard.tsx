import { Banner, BlockStack, Box, Card, DataTable, Divider, InlineGrid, List, Text } from "@shopify/polaris";
import { DownloadLink } from "./DownloadLink";
import type { ImportSummary } from "../services/import/import.server";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";

const DELIMITER_KEY: Record<string, MessageKey> = { ",": "delimiter.comma", ";": "delimiter.semicolon", "\t": "delimiter.tab" };

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <InlineGrid columns="1fr auto" gap="200">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" fontWeight="semibold" alignment="end">
        <span data-testid={testId}>{value}</span>
      </Text>
    </InlineGrid>
  );
}

/**
 * What the import found: the format it read the file with (detected, or changed by the merchant:
 * `overridden`), the rows and points identities (everything in the file is accounted for), why rows
 * were rejected, and the rejected rows to download (`showReasons` false where a rejected-rows table
 * already shows them).
 */
export function ImportSummaryCard({
  summary,
  rejectedUrl,
  overridden = [],
  showReasons = true,
}: {
  summary: ImportSummary;
  rejectedUrl: string;
  overridden?: readonly string[];
  showReasons?: boolean;
}) {
  const { t, maybe, number } = useI18n();
  const f = summary.format;
  const rowsAddUp = summary.rowsTotal === summary.rowsValid + summary.rowsRejected + summary.rowsMerged + summary.rowsIgnored;
  const pointsAddUp = summary.pointsInFile === summary.pointsValid + summary.pointsRejected + summary.pointsMergedAway;
  const reasons = Object.entries(summary.rejectReasons).sort((a, b) => b[1] - a[1]);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("summary.heading", { file: summary.fileName })}
        </Text>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {overridden.length > 0 ? t("formatOverride.summaryHeading") : t("summary.format")}
            </Text>
            <Row label={t("summary.encoding")} value={maybe(`encoding.${f.encoding}`) ?? f.encoding} testId="format-encoding" />
            <Row label={t("summary.delimiter")} value={DELIMITER_KEY[f.delimiter] ? t(DELIMITER_KEY[f.delimiter]!) : f.delimiter} testId="format-delimiter" />
            <Row label={t("summary.decimalMark")} value={maybe(`decimalMark.${f.decimalMark}`) ?? f.decimalMark} testId="format-decimal" />
            <Row label={t("summary.dateOrder")} value={maybe(`dateOrder.${f.dateOrder}`) ?? f.dateOrder} testId="format-date-order" />
            <Row label={t("formatOverride.headerRow")} value={t("formatOverride.line", { line: number(f.headerRow) })} testId="format-header-row" />
          </BlockStack>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("summary.rows")}
            </Text>
            <Row label={t("summary.rowsTotal")} value={number(summary.rowsTotal)} testId="rows-total" />
            <Row label={t("summary.rowsValid")} value={number(summary.rowsValid)} testId="rows-valid" />
            <Row label={t("summary.rowsRejected")} value={number(summary.rowsRejected)} testId="rows-rejected" />
            <Row label={t("summary.rowsMerged")} value={number(summary.rowsMerged)} />
            <Row label={t("summary.rowsIgnored")} value={number(summary.rowsIgnored)} />
          </BlockStack>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("summary.points")}
            </Text>
            <Row label={t("summary.pointsInFile")} value={number(summary.pointsInFile)} testId="points-in-file" />
            <Row label={t("summary.pointsValid")} value={number(summary.pointsValid)} testId="points-valid" />
            <Row label={t("summary.pointsRejected")} value={number(summary.pointsRejected)} />
            <Row label={t("summary.pointsMergedAway")} value={number(summary.pointsMergedAway)} />
          </BlockStack>
        </InlineGrid>
        <Box>
          <BlockStack gap="100">
            <Text as="p" tone={rowsAddUp ? "success" : "critical"}>
              <span data-testid="rows-identity">
                {t("summary.rowsIdentity", {
                  total: number(summary.rowsTotal),
                  valid: number(summary.rowsValid),
                  rejected: number(summary.rowsRejected),
                  merged: number(summary.rowsMerged),
                  ignored: number(summary.rowsIgnored),
                })}
              </span>
            </Text>
            <Text as="p" tone={pointsAddUp ? "success" : "critical"}>
              <span data-testid="points-identity">
                {t("summary.pointsIdentity", {
                  total: number(summary.pointsInFile),
                  valid: number(summary.pointsValid),
                  rejected: number(summary.pointsRejected),
                  merged: number(summary.pointsMergedAway),
                })}
              </span>
            </Text>
          </BlockStack>
        </Box>
        {(!rowsAddUp || !pointsAddUp) && <Banner tone="critical">{t("summary.identityBroken")}</Banner>}
        {f.notes.length > 0 && (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              {t("summary.notes")}
            </Text>
            <List>
              {f.notes.map((note) => (
                <List.Item key={note}>{note}</List.Item>
              ))}
            </List>
          </BlockStack>
        )}
        {showReasons && (
          <>
            <Divider />
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                {t("summary.rejectReasons")}
              </Text>
              {reasons.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("summary.noRejected")}
                </Text>
              ) : (
                <>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={[t("summary.reasonCol"), t("summary.countCol")]}
                    rows={reasons.map(([code, count]) => [maybe(`reject.${code}`) ?? code, number(count)])}
                  />
                  <Text as="p">
                    <DownloadLink url={rejectedUrl} fileName={`${summary.fileName.replace(/\.[^.]*$/, "")}-rejected-rows.csv`} failed={t("summary.downloadFailed")}>
                      {t("summary.downloadRejected")}
                    </DownloadLink>{" "}
                    {t("summary.fixAndReupload")}
                  </Text>
                </>
              )}
            </BlockStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}
