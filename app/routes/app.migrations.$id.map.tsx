import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, InlineStack, Select, Text } from "@shopify/polaris";
import { useCallback } from "react";
import { requireAdmin } from "../auth.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import {
  MappingForm,
  PolicyForm,
  RejectedQuery,
  changeDuplicatePolicy,
  mapStepView,
  mappingFormFrom,
  rejectedRowsPage,
  remapColumns,
} from "../services/admin/map-step.server";
import { useI18n } from "../i18n/react";
import { ImportSummaryCard } from "../components/ImportSummaryCard";
import { DuplicatePolicyCard } from "../components/upload/DuplicatePolicyCard";
import { MappingEditor } from "../components/upload/MappingEditor";
import { RefusedFileBanner } from "../components/upload/RefusedFileBanner";
import { RejectedRowsTable } from "../components/upload/RejectedRowsTable";
import { useAppPath } from "../components/use-app-path";

// Map & validate: how the columns were read (and the editor to read them otherwise), the duplicate
// policy, the validation of every row and the rejected rows, for one of the migration's files.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view } = await loadStep(request, params, "map");
  const url = new URL(request.url);
  const map = await mapStepView(shop.id, view.migration.id, url.searchParams.get("file"));
  if (!map) throw new Response("Not found", { status: 404 });
  const query = RejectedQuery.parse({ reason: url.searchParams.get("reason") ?? undefined, page: url.searchParams.get("page") ?? undefined });
  const rejected = map.file?.status === "staged" ? await rejectedRowsPage(shop.id, view.migration.id, map.file.id, query) : null;
  return { migrationId: view.migration.id, map, rejected };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const form = await request.formData();
  const intent = form.get("intent");
  let result;
  if (intent === "mapping") {
    const parsed = MappingForm.safeParse(mappingFormFrom(form));
    if (!parsed.success) return { outcome: "invalid-form" as const };
    result = await remapColumns(shop.id, migrationId, parsed.data);
  } else if (intent === "policy") {
    const parsed = PolicyForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { outcome: "invalid-form" as const };
    result = await changeDuplicatePolicy(shop.id, migrationId, parsed.data);
  } else {
    return { outcome: "invalid-form" as const };
  }
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

export default function MapStep() {
  const { migrationId, map, rejected } = useLoaderData<typeof loader>();
  const { t, maybe } = useI18n();
  const path = useAppPath();
  const navigate = useNavigate();
  const open = useCallback(
    (fileId: string) => navigate(path(`/app/migrations/${migrationId}/map?file=${fileId}`), { replace: true, preventScrollReset: true }),
    [navigate, path, migrationId],
  );
  const file = map.file;
  if (!file || !map.kind) {
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
  const summary = map.summary;
  const rows = summary ? Object.entries(summary.mapping).map(([field, header]) => [maybe(`field.${field}`) ?? field, header]) : [];
  const unmapped = summary ? summary.unmappedHeaders : [];
  return (
    <BlockStack gap="400">
      {map.files.length > 1 && (
        <Card>
          <Select
            label={t("mapEditor.file")}
            options={map.files.map((f) => ({ value: f.id, label: `${f.fileName} — ${maybe(`importKind.${f.kind}`) ?? f.kind}` }))}
            value={file.id}
            onChange={open}
          />
        </Card>
      )}
      {file.refusal && <RefusedFileBanner refusal={file.refusal} mapUrl={null} />}
      {summary && (
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
      )}
      <MappingEditor
        fileId={file.id}
        columns={map.columns}
        fields={map.fields}
        required={map.required}
        identity={map.identity}
        editable={map.editable}
        defaultOpen={map.provider === "generic" || file.status === "refused"}
        onOpen={open}
      />
      {summary && map.policy.options.length > 0 && (
        <DuplicatePolicyCard fileId={file.id} kind={map.kind} value={map.policy.value} options={map.policy.options} editable={map.editable} onOpen={open} />
      )}
      {summary && <ImportSummaryCard summary={summary} overridden={map.overridden} showReasons={false} rejectedUrl={path(`/app/migrations/${migrationId}/rejected/${summary.importFileId}`)} />}
      {summary && rejected && (
        <RejectedRowsTable data={rejected} downloadUrl={path(`/app/migrations/${migrationId}/rejected/${summary.importFileId}`)} fileName={summary.fileName} />
      )}
      {summary && (
        <InlineStack align="end">
          <Button variant="primary" url={path(`/app/migrations/${migrationId}`)}>
            {t("common.continue")}
          </Button>
        </InlineStack>
      )}
    </BlockStack>
  );
}
