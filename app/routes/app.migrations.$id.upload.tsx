import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DropZone, InlineStack, Select, Spinner, Text } from "@shopify/polaris";
import { useCallback, useState } from "react";
import { PROVIDERS } from "~domain/import/types";
import { requireAdmin } from "../auth.server";
import { coreEnv } from "../env.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { latestImportSummary, receiveUpload } from "../services/admin/upload.server";
import { useI18n } from "../i18n/react";
import { ImportSummaryCard } from "../components/ImportSummaryCard";
import { useAppPath } from "../components/use-app-path";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "upload");
  return {
    migrationId: view.migration.id,
    provider: view.migration.oldProvider,
    editable,
    summary: await latestImportSummary(shop.id, view.migration.id),
    maxMb: Math.floor(coreEnv().IMPORT_MAX_BYTES / 1024 / 1024),
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const result = await receiveUpload(request, shop.id, migrationIdOf(params));
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

export default function UploadStep() {
  const { migrationId, provider: savedProvider, editable, summary: stored, maxMb } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { t, maybe } = useI18n();
  const path = useAppPath();
  const [provider, setProvider] = useState(savedProvider ?? "generic");
  const busy = fetcher.state !== "idle";
  const result = fetcher.data;

  const onDrop = useCallback(
    (_all: File[], accepted: File[]) => {
      const file = accepted[0];
      if (!file) return;
      const form = new FormData();
      form.set("provider", provider);
      form.set("file", file, file.name);
      fetcher.submit(form, { method: "post", encType: "multipart/form-data" });
    },
    [fetcher, provider],
  );

  const summary = result && (result.outcome === "imported" || result.outcome === "already-imported") ? result.summary : stored;
  const providerName = maybe(`provider.${provider}`) ?? provider;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("upload.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("upload.help", { provider: providerName })}
            </Text>
          </BlockStack>
          {!editable && <Banner tone="info">{t("wizard.locked")}</Banner>}
          {result?.outcome === "imported" && <Banner tone="success">{t("upload.imported")}</Banner>}
          {result?.outcome === "already-imported" && <Banner tone="info">{t("upload.alreadyImported")}</Banner>}
          {result?.outcome === "file-rejected" && (
            <Banner tone="critical" title={t("upload.refusedTitle")}>
              <p data-testid="upload-error">{maybe(`importError.${result.code}`) ?? result.message}</p>
              {maybe(`importError.${result.code}`) && result.message && <p>{result.message}</p>}
            </Banner>
          )}
          {result?.outcome === "too-large" && <Banner tone="critical">{t("upload.tooLarge", { mb: maxMb })}</Banner>}
          {result?.outcome === "no-file" && <Banner tone="warning">{t("upload.noFile")}</Banner>}
          {result?.outcome === "migration-closed" && <Banner tone="critical">{t("upload.closed")}</Banner>}
          {editable && (
            <>
              <Select
                label={t("platforms.oldProvider")}
                options={PROVIDERS.map((p) => ({ label: t(`provider.${p}`), value: p }))}
                value={provider}
                onChange={setProvider}
                disabled={busy}
              />
              <DropZone
                label={t("upload.heading")}
                labelHidden
                accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                allowMultiple={false}
                disabled={busy}
                onDrop={onDrop}
              >
                {busy ? (
                  <div style={{ padding: 32 }}>
                    <InlineStack gap="200" align="center" blockAlign="center">
                      <Spinner size="small" />
                      <Text as="span" data-testid="uploading">
                        {t("upload.uploading")}
                      </Text>
                    </InlineStack>
                  </div>
                ) : (
                  <DropZone.FileUpload actionTitle={t("upload.choose")} actionHint={t("upload.drop")} />
                )}
              </DropZone>
            </>
          )}
          {!summary && !busy && (
            <Text as="p" tone="subdued">
              {t("upload.empty")}
            </Text>
          )}
        </BlockStack>
      </Card>
      {summary && (
        <>
          <ImportSummaryCard summary={summary} rejectedUrl={path(`/app/migrations/${migrationId}/rejected/${summary.importFileId}`)} />
          <InlineStack align="end">
            <Button variant="primary" url={path(`/app/migrations/${migrationId}`)}>
              {t("common.continue")}
            </Button>
          </InlineStack>
        </>
      )}
    </BlockStack>
  );
}
