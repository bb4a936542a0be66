import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Spinner, Text } from "@shopify/polaris";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { runSyncIntent, SYNC_INTENTS, syncStepView } from "../services/admin/sync-step.server";
import { useI18n } from "../i18n/react";
import { PreviewCard } from "../components/review/PreviewCard";
import { PreviewNotice } from "../components/review/PreviewNotice";
import { ReviewSummaryCard } from "../components/review/ReviewSummaryCard";
import { SyncProgress } from "../components/review/SyncProgress";
import { usePolling } from "../components/review/use-polling";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "sync");
  const step = await syncStepView(shop.id, view.migration.id);
  if (!step) throw new Response("Not found", { status: 404 });
  return { step, editable, migrationId: view.migration.id };
};

const Intent = z.object({ intent: z.enum(SYNC_INTENTS) });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: "unknown intent" }, { status: 400 });
  const result = await runSyncIntent(shop.id, migrationId, parsed.data.intent);
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

const active = (state: string | undefined) => state === "queued" || state === "running";

export default function SyncStep() {
  const { step, editable, migrationId } = useLoaderData<typeof loader>();
  const syncFetcher = useFetcher<typeof action>();
  const previewFetcher = useFetcher<typeof action>();
  const refreshFetcher = useFetcher<typeof action>();
  const { t } = useI18n();
  const asked = useRef<string | null>(null);

  // While a job runs the screen follows it; once the pull is done, the dry run is asked for once.
  usePolling(step.working || step.needsPreview || syncFetcher.state !== "idle" || refreshFetcher.state !== "idle");
  useEffect(() => {
    if (step.needsPreview && step.sync && asked.current !== step.sync.id) {
      asked.current = step.sync.id;
      previewFetcher.submit({ intent: "preview" }, { method: "post" });
    }
  }, [step.needsPreview, step.sync, previewFetcher]);

  const sync = step.sync?.progress;
  const syncRunning = active(sync?.state);
  const reconcile = step.reconcile?.progress;
  const reconciling = step.needsPreview || active(reconcile?.state);
  const refusedSync = syncFetcher.data && "outcome" in syncFetcher.data && syncFetcher.data.outcome === "not-open" ? syncFetcher.data.state : null;
  const refusedRefresh = refreshFetcher.data && "outcome" in refreshFetcher.data ? refreshFetcher.data : null;
  const preview = step.preview;
  const syncAgain = () => syncFetcher.submit({ intent: "sync" }, { method: "post" });
  const refresh = editable && step.canRefresh ? () => refreshFetcher.submit({ intent: "refresh" }, { method: "post" }) : null;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("sync.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("sync.intro")}
            </Text>
          </BlockStack>
          {refusedSync && <Banner tone="critical">{t("sync.notOpen", { state: refusedSync })}</Banner>}
          {refusedRefresh?.outcome === "sync-running" && <Banner tone="critical">{t("sync.syncRunning")}</Banner>}
          {refusedRefresh?.outcome === "not-open" && <Banner tone="critical">{t("sync.refreshRefused", { state: refusedRefresh.state })}</Banner>}
          {sync?.state === "failed" && (
            <Banner tone="critical" action={editable ? { content: t("sync.retrySync"), onAction: syncAgain, loading: syncFetcher.state !== "idle" } : undefined}>
              <p data-testid="sync-failed">{t("sync.failed", { error: sync.error ?? "" })}</p>
            </Banner>
          )}
          {!preview && reconcile?.state === "failed" && !reconciling && (
            <Banner tone="critical" action={refresh ? { content: t("sync.retryPreview"), onAction: refresh, loading: refreshFetcher.state !== "idle" } : undefined}>
              <p data-testid="preview-failed">{t("sync.reconcileFailed", { error: reconcile.error ?? "" })}</p>
            </Banner>
          )}
          {syncRunning && sync && <SyncProgress sync={sync} />}
          {!syncRunning && reconciling && (
            <InlineStack gap="200" blockAlign="center">
              <Spinner size="small" />
              <Text as="p">{t("sync.reconciling")}</Text>
            </InlineStack>
          )}
          {editable && !syncRunning && !reconciling && sync?.state !== "failed" && (
            <InlineStack align="end">
              <syncFetcher.Form method="post">
                <input type="hidden" name="intent" value="sync" />
                <Button submit variant={preview ? "secondary" : "primary"} loading={syncFetcher.state !== "idle"}>
                  {preview ? t("sync.again") : t("sync.start")}
                </Button>
              </syncFetcher.Form>
            </InlineStack>
          )}
        </BlockStack>
      </Card>

      {preview ? (
        <PreviewCard
          report={preview.report}
          createdAt={preview.createdAt}
          notice={
            <PreviewNotice
              refreshing={false}
              failed={reconcile?.state === "failed" && !reconciling ? (reconcile.error ?? "") : null}
              staleRules={!preview.current}
              changes={step.review?.changes ?? 0}
              createdAt={preview.createdAt}
              onRefresh={refresh}
              submitting={refreshFetcher.state !== "idle"}
            />
          }
        />
      ) : (
        !syncRunning &&
        !reconciling &&
        reconcile?.state !== "failed" && (
          <Card>
            <Text as="p" tone="subdued">
              {t("sync.empty")}
            </Text>
          </Card>
        )
      )}

      {step.review && <ReviewSummaryCard migrationId={migrationId} summary={step.review} />}
    </BlockStack>
  );
}
