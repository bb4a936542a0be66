import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Select, Text } from "@shopify/polaris";
import { useCallback, useMemo, useState } from "react";
import { IMPORT_KINDS, PROVIDERS, type ImportKind } from "~domain/import/types";
import { requireAdmin } from "../auth.server";
import { coreEnv } from "../env.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { FormatForm, reimportWithFormat, uploadStepView, type UploadOutcome } from "../services/admin/upload.server";
import { useI18n } from "../i18n/react";
import { ImportSummaryCard } from "../components/ImportSummaryCard";
import { FormatSettingsCard } from "../components/upload/FormatSettingsCard";
import { ImportFilesCard } from "../components/upload/ImportFilesCard";
import { RefusedFileBanner } from "../components/upload/RefusedFileBanner";
import { UploadDropZone } from "../components/upload/UploadDropZone";
import { useAppPath } from "../components/use-app-path";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "upload");
  const step = await uploadStepView(shop.id, view.migration.id, new URL(request.url).searchParams.get("file"));
  if (!step) throw new Response("Not found", { status: 404 });
  return {
    migrationId: view.migration.id,
    provider: view.migration.oldProvider,
    editable,
    step,
    maxMb: Math.floor(coreEnv().IMPORT_MAX_BYTES / 1024 / 1024),
  };
};

// The format form: re-run one of the migration's stored files with the settings the merchant chose.
// (The file itself is posted to the upload-file resource route, for its progress.)
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const parsed = FormatForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { outcome: "invalid-format" as const };
  const result = await reimportWithFormat(shop.id, migrationIdOf(params), parsed.data);
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

function fileOf(result: UploadOutcome | null): string | null {
  if (!result) return null;
  if (result.outcome === "imported" || result.outcome === "already-imported") return result.summary.importFileId;
  if (result.outcome === "file-rejected") return result.importFileId;
  return null;
}

export default function UploadStep() {
  const { migrationId, provider: savedProvider, editable, step, maxMb } = useLoaderData<typeof loader>();
  const { t, maybe } = useI18n();
  const path = useAppPath();
  const navigate = useNavigate();
  const [provider, setProvider] = useState(savedProvider ?? "generic");
  const [kind, setKind] = useState<ImportKind>("balances");
  const [result, setResult] = useState<UploadOutcome | null>(null);
  const fields = useMemo(() => ({ provider, kind }), [provider, kind]);
  const selected = step.selected;

  const open = useCallback(
    (fileId: string) => navigate(path(`/app/migrations/${migrationId}/upload?file=${fileId}`), { replace: true, preventScrollReset: true }),
    [navigate, path, migrationId],
  );
  const onResult = useCallback(
    (r: UploadOutcome) => {
      setResult(r);
      const fileId = fileOf(r);
      if (fileId) open(fileId);
    },
    [open],
  );
  // An upload's banner belongs to its file: opening another file of the list hides it.
  const resultFile = fileOf(result);
  const shown = result && (resultFile === null || resultFile === selected?.file.id) ? result : null;
  const providerName = maybe(`provider.${provider}`) ?? provider;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("uploadStep.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("uploadStep.intro")}
            </Text>
          </BlockStack>
          {!editable && <Banner tone="info">{t("wizard.locked")}</Banner>}
          {shown?.outcome === "imported" && <Banner tone="success">{t("upload.imported")}</Banner>}
          {shown?.outcome === "already-imported" && <Banner tone="info">{t("upload.alreadyImported")}</Banner>}
          {shown?.outcome === "file-rejected" && shown.importFileId === null && (
            <Banner tone="critical" title={t("upload.refusedTitle")}>
              <p data-testid="upload-error">{maybe(`importError.${shown.code}`) ?? shown.message}</p>
              {maybe(`importError.${shown.code}`) && shown.message && <p>{shown.message}</p>}
            </Banner>
          )}
          {shown?.outcome === "too-large" && <Banner tone="critical">{t("upload.tooLarge", { mb: maxMb })}</Banner>}
          {shown?.outcome === "no-file" && <Banner tone="warning">{t("upload.noFile")}</Banner>}
          {shown?.outcome === "migration-closed" && <Banner tone="critical">{t("upload.closed")}</Banner>}
          {editable && (
            <>
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <Select
                  label={t("uploadStep.kind")}
                  options={IMPORT_KINDS.map((k) => ({ label: t(`importKind.${k}`), value: k }))}
                  value={kind}
                  onChange={(v) => setKind(v as ImportKind)}
                  helpText={kind === "balances" ? t("upload.help", { provider: providerName }) : t(`importKind.${kind}.help`)}
                />
                <Select
                  label={t("platforms.oldProvider")}
                  options={PROVIDERS.map((p) => ({ label: t(`provider.${p}`), value: p }))}
                  value={provider}
                  onChange={setProvider}
                />
              </InlineGrid>
              <UploadDropZone
                url={path(`/app/migrations/${migrationId}/upload-file`)}
                fields={fields}
                disabled={!editable}
                idleNote={step.files.length === 0 ? t("upload.empty") : undefined}
                onResult={onResult}
              />
            </>
          )}
          {!editable && step.files.length === 0 && (
            <Text as="p" tone="subdued">
              {t("upload.empty")}
            </Text>
          )}
        </BlockStack>
      </Card>
      <ImportFilesCard
        files={step.files}
        selectedId={selected?.file.id ?? null}
        hrefFor={(id) => path(`/app/migrations/${migrationId}/upload?file=${id}`)}
        balancesFiles={step.balancesFiles}
      />
      {selected && (
        <>
          {selected.file.refusal && <RefusedFileBanner refusal={selected.file.refusal} mapUrl={path(`/app/migrations/${migrationId}/map?file=${selected.file.id}`)} />}
          <FormatSettingsCard fileId={selected.file.id} panel={selected.format} editable={editable} showNotes={!selected.summary} onOpen={open} />
          {selected.summary && (
            <ImportSummaryCard
              summary={selected.summary}
              overridden={selected.format.overridden}
              rejectedUrl={path(`/app/migrations/${migrationId}/rejected/${selected.summary.importFileId}`)}
            />
          )}
        </>
      )}
      {step.files.some((f) => f.status === "staged") && (
        <InlineStack align="end" gap="200">
          {selected?.summary && <Button url={path(`/app/migrations/${migrationId}/map?file=${selected.file.id}`)}>{t("uploadStep.toMap")}</Button>}
          <Button variant="primary" url={path(`/app/migrations/${migrationId}`)}>
            {t("common.continue")}
          </Button>
        </InlineStack>
      )}
    </BlockStack>
  );
}
