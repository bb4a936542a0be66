import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, ProgressBar, Spinner, Text } from "@shopify/polaris";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { startPreview, startSync, syncStepView } from "../services/admin/sync-step.server";
import { useI18n } from "../i18n/react";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "sync");
  const step = await syncStepView(shop.id, view.migration.id);
  if (!step) throw new Response("Not found", { status: 404 });
  return { step, editable, migrationId: view.migration.id };
};

const Intent = z.object({ intent: z.enum(["sync", "preview"]) });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: "unknown intent" }, { status: 400 });
  const result = parsed.data.intent === "sync" ? await startSync(shop.id, migrationId) : await startPreview(shop.id, migrationId);
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

const POLL_MS = 1000;

export default function SyncStep() {
  const { step, editable, migrationId } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const previewFetcher = useFetcher<typeof action>();
  const revalidator = useRevalidator();
  const { t, number, dateTime, duration } = useI18n();
  const asked = useRef<string | null>(null);

  // While a job runs the screen follows it; once the pull is done, the dry run is asked for once.
  const follow = step.working || step.needsPreview || fetcher.state !== "idle";
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [follow, revalidator]);
  useEffect(() => {
    if (step.needsPreview && step.sync && asked.current !== step.sync.id) {
      asked.current = step.sync.id;
      previewFetcher.submit({ intent: "preview" }, { method: "post" });
    }
  }, [step.needsPreview, step.sync, previewFetcher]);

  const sync = step.sync?.progress;
  const syncRunning = sync && (sync.state === "queued" || sync.state === "running");
  const reconcile = step.reconcile?.progress;
  const reconciling = step.needsPreview || (reconcile && (reconcile.state === "queued" || reconcile.state === "running"));
  const notOpen = fetcher.data && "outcome" in fetcher.data && fetcher.data.outcome === "not-open" ? fetcher.data.state : null;
  const preview = step.preview?.report;
  const rejected = preview?.points.rejected.total ?? 0;

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
          {notOpen && <Banner tone="critical">{t("sync.notOpen", { state: notOpen })}</Banner>}
          {sync?.state === "failed" && <Banner tone="critical">{t("sync.failed", { error: sync.error ?? "" })}</Banner>}
          {reconcile?.state === "failed" && <Banner tone="critical">{t("sync.reconcileFailed", { error: reconcile.error ?? "" })}</Banner>}
          {syncRunning && sync && (
            <BlockStack gap="200">
              <ProgressBar progress={sync.total ? Math.min(100, (100 * sync.done) / sync.total) : 5} tone="primary" />
              <InlineStack align="space-between">
                <Text as="p" variant="bodySm">
                  <span data-testid="sync-progress">
                    {sync.state === "queued"
                      ? t("sync.queued")
                      : sync.total !== null
                        ? t("sync.progress", { done: number(sync.done), total: number(sync.total) })
                        : t("sync.progressUnknown", { done: number(sync.done) })}
                  </span>
                </Text>
                {sync.etaSeconds !== null && (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("sync.eta", { eta: duration(sync.etaSeconds) })}
                  </Text>
                )}
              </InlineStack>
            </BlockStack>
          )}
          {!syncRunning && reconciling && (
            <InlineStack gap="200" blockAlign="center">
              <Spinner size="small" />
              <Text as="p">{t("sync.reconciling")}</Text>
            </InlineStack>
          )}
          {editable && !syncRunning && !reconciling && (
            <InlineStack align="end">
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="sync" />
                <Button submit variant={preview ? "secondary" : "primary"} loading={fetcher.state !== "idle"}>
                  {preview ? t("sync.again") : t("sync.start")}
                </Button>
              </fetcher.Form>
            </InlineStack>
          )}
        </BlockStack>
      </Card>

      {preview && step.preview ? (
        <Card>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h2" variant="headingMd">
                {t("preview.heading")}
              </Text>
              <Text as="span" tone="subdued" variant="bodySm">
                {t("preview.builtAt", { date: dateTime(step.preview.createdAt) })}
              </Text>
            </InlineStack>
            {!step.preview.current && <Banner tone="warning">{t("preview.stale")}</Banner>}
            <DataTable
              columnContentTypes={["text", "numeric", "numeric"]}
              headings={[t("preview.classCol"), t("preview.membersCol"), t("preview.pointsCol")]}
              rows={[
                [t("preview.matched"), number(preview.members.matched), number(preview.points.matched)],
                [t("preview.pending"), number(preview.members.pending), number(preview.points.pending)],
                [t("preview.conflict"), number(preview.members.conflict), number(preview.points.conflict)],
                [t("preview.rejected"), number(preview.members.rejectedAtImport + preview.members.rejectedInReview), number(rejected)],
              ]}
              totals={["", "", number(preview.points.inFile)]}
              showTotalsInFooter
              totalsName={{ singular: t("preview.total"), plural: t("preview.total") }}
            />
            <Text as="p" tone={preview.points.inFile === preview.points.matched + preview.points.pending + preview.points.conflict + rejected ? "success" : "critical"}>
              <span data-testid="preview-identity">
                {t("preview.identity", {
                  total: number(preview.points.inFile),
                  matched: number(preview.points.matched),
                  pending: number(preview.points.pending),
                  conflict: number(preview.points.conflict),
                  rejected: number(rejected),
                })}
              </span>
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={["", ""]}
              rows={[
                [t("preview.orders"), number(preview.orders.total)],
                [t("preview.ordersIgnored"), number(preview.orders.ignored)],
                [t("preview.ordersMigrated"), number(preview.orders.alreadyMigrated)],
                [t("preview.retroactive"), number(preview.retroactive.points)],
              ]}
            />
          </BlockStack>
        </Card>
      ) : (
        !syncRunning &&
        !reconciling && (
          <Card>
            <Text as="p" tone="subdued">
              {t("sync.empty")}
            </Text>
          </Card>
        )
      )}

      {step.review && (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("review.heading", { total: number(step.review.total) })}
            </Text>
            {step.review.total === 0 ? (
              <Text as="p" tone="subdued">
                {t("review.none")}
              </Text>
            ) : (
              <>
                <DataTable
                  columnContentTypes={["numeric", "text", "numeric", "text", "text"]}
                  headings={[t("review.colRow"), t("review.colCustomer"), t("review.colPoints"), t("review.colCandidates"), t("review.colReason")]}
                  rows={step.review.items.map((item) => [
                    number(item.rowNumber),
                    [item.name, item.email ?? item.phone ?? item.cpf].filter(Boolean).join(" · "),
                    number(item.points),
                    item.candidates.map((c) => [c.name, c.email].filter(Boolean).join(" · ")).join("; "),
                    item.reason ?? "",
                  ])}
                />
                {step.review.total > step.review.items.length && (
                  <Text as="p" tone="subdued">
                    {t("review.more", { shown: number(step.review.items.length), total: number(step.review.total) })}
                  </Text>
                )}
                <Text as="p">{t("review.cliHint")}</Text>
                <Box background="bg-surface-secondary" padding="300" borderRadius="200">
                  <code>{`npx carryover review --migration ${migrationId}`}</code>
                </Box>
              </>
            )}
          </BlockStack>
        </Card>
      )}
    </BlockStack>
  );
}
