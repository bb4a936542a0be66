import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import { loadStep } from "../services/admin/step.server";
import { latestImportSummary } from "../services/admin/upload.server";
import { useI18n } from "../i18n/react";
import { ImportSummaryCard } from "../components/ImportSummaryCard";
import { useAppPath } from "../components/use-app-path";

// Map & validate: the preset's column mapping and the validation of every row, as the upload stored them.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view } = await loadStep(request, params, "map");
  return { migrationId: view.migration.id, summary: await latestImportSummary(shop.id, view.migration.id) };
};

export default function MapStep() {
  const { migrationId, summary } = useLoaderData<typeof loader>();
  const { t, maybe } = useI18n();
  const path = useAppPath();
  if (!summary) {
    return (
      <Card>
        <BlockStack gap="300">
          <Text as="p">{t("map.noFile")}</Text>
          <InlineStack>
            <Button url={path(`/app/migrations/${migrationId}/upload`)}>{t("map.toUpload")}</Button>
          </InlineStack>
        </BlockStack>
      </Card>
    );
  }
  const rows = Object.entries(summary.mapping).map(([field, header]) => [maybe(`field.${field}`) ?? field, header]);
  const used = new Set(Object.values(summary.mapping));
  const unmapped = summary.format.header.filter((h) => h !== "" && !used.has(h));
  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("map.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("map.intro", { provider: maybe(`provider.${summary.provider}`) ?? summary.provider })}
          </Text>
          <DataTable columnContentTypes={["text", "text"]} headings={[t("map.fieldCol"), t("map.columnCol")]} rows={rows} />
          {unmapped.length > 0 && (
            <Text as="p" tone="subdued">
              {t("map.unmapped", { columns: unmapped.join(", ") })}
            </Text>
          )}
        </BlockStack>
      </Card>
      <ImportSummaryCard summary={summary} rejectedUrl={path(`/app/migrations/${migrationId}/rejected/${summary.importFileId}`)} />
      <InlineStack align="end">
        <Button variant="primary" url={path(`/app/migrations/${migrationId}`)}>
          {t("common.continue")}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}
