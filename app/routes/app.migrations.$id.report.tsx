import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, List, Modal, ProgressBar, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { downloadName } from "../services/admin/report-step";
import { reportStepView, startRollback, type ReportStepView } from "../services/admin/report-step.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { DownloadLink } from "../components/DownloadLink";
import { Figure } from "../components/Figure";
import { PointsByClassChart } from "../components/charts/PointsByClassChart";
import { RestoresChart } from "../components/charts/RestoresChart";
import { useAppPath } from "../components/use-app-path";
import { useI18n } from "../i18n/react";
import type { MessageKey } from "../i18n";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view } = await loadStep(request, params, "report");
  const step = await reportStepView(shop, view.migration.id);
  if (!step) throw new Response("Not found", { status: 404 });
  return { step, migrationId: view.migration.id };
};

const Intent = z.object({ intent: z.literal("rollback") });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: "unknown intent" }, { status: 400 });
  const r = await startRollback(shop.id, migrationId);
  if (r.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return r;
};

const POLL_MS = 1000;

export default function ReportStep() {
  const { step, migrationId } = useLoaderData<typeof loader>();
  const { t, number, duration } = useI18n();
  const revalidator = useRevalidator();
  const fetcher = useFetcher<typeof action>();
  const [confirming, setConfirming] = useState(false);

  const follow = step.working || fetcher.state !== "idle";
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [follow, revalidator]);
  const asked = fetcher.data && "outcome" in fetcher.data ? fetcher.data : null;
  useEffect(() => {
    if (asked) setConfirming(false);
  }, [asked]);

  const rb = step.rollback;
  const rbJob = rb.job?.progress;
  const rbRunning = rbJob && (rbJob.state === "queued" || rbJob.state === "running");
  const rbFailed = step.state === "rolling_back" && rbJob?.state === "failed";

  return (
    <BlockStack gap="400">
      {step.figures ? (
        <ReportFigures figures={step.figures} migrationId={migrationId} name={step.name} />
      ) : (
        <Banner tone="info">{t("report.figuresDuringRollback")}</Banner>
      )}

      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("report.rollbackHeading")}
          </Text>
          {asked?.outcome === "refused" && <Banner tone="critical">{t("report.rollbackRefused", { reason: asked.message })}</Banner>}
          {rb.open && rb.plan && (
            <>
              <Text as="p">{t("report.rollbackIntro")}</Text>
              <InlineStack align="end">
                <Button tone="critical" onClick={() => setConfirming(true)}>
                  {t("report.rollbackButton")}
                </Button>
              </InlineStack>
            </>
          )}
          {rbRunning && rbJob && (
            <BlockStack gap="200">
              <ProgressBar progress={rbJob.total ? Math.min(100, (100 * rbJob.done) / rbJob.total) : 5} tone="critical" />
              <InlineStack align="space-between">
                <Text as="p" variant="bodySm">
                  <span data-testid="rollback-progress">
                    {rbJob.state === "queued" ? t("report.rollbackQueued") : rbJob.total !== null ? t("report.rollbackProgress", { done: number(rbJob.done), total: number(rbJob.total) }) : t("report.rollbackPushing", { done: number(rbJob.done) })}
                  </span>
                </Text>
                {rbJob.etaSeconds !== null && rbJob.state === "running" && (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("apply.eta", { eta: duration(rbJob.etaSeconds) })}
                  </Text>
                )}
              </InlineStack>
            </BlockStack>
          )}
          {rbFailed && rbJob && (
            <Banner tone="critical" title={t("report.rollbackFailed")}>
              <BlockStack gap="200">
                <Text as="p">{rbJob.error ?? ""}</Text>
                <Text as="p">{t("report.rollbackFailedSafe")}</Text>
                <InlineStack>
                  <fetcher.Form method="post">
                    <input type="hidden" name="intent" value="rollback" />
                    <Button submit loading={fetcher.state !== "idle"}>
                      {t("report.rollbackResume")}
                    </Button>
                  </fetcher.Form>
                </InlineStack>
              </BlockStack>
            </Banner>
          )}
          {step.state === "rolled_back" && rb.result && (
            <BlockStack gap="200">
              <Banner tone="info" title={t("report.rolledBack")}>
                <span data-testid="rollback-result">
                  {t("report.rolledBackBody", { entries: number(rb.result.reversals), points: number(-rb.result.pointsReversed), members: number(rb.result.members), pending: number(rb.result.pendingMembers) })}
                </span>
              </Banner>
              <List>
                <List.Item>{t("report.rolledBackKept", { memos: number(rb.result.kept.memos), reversed: number(rb.result.kept.reversedBefore) })}</List.Item>
                <List.Item>{t("report.rolledBackEarned")}</List.Item>
                {rb.result.negativeBalances > 0 && <List.Item>{t("report.rolledBackNegative", { members: number(rb.result.negativeBalances) })}</List.Item>}
              </List>
            </BlockStack>
          )}
          {!rb.open && step.state !== "rolling_back" && step.state !== "rolled_back" && (
            <Text as="p" tone="subdued">
              {t("report.rollbackNotOpen", { state: t(`state.${step.state}` as MessageKey) })}
            </Text>
          )}
        </BlockStack>
      </Card>

      {rb.plan && (
        <Modal
          open={confirming}
          onClose={() => setConfirming(false)}
          title={t("report.rollbackConfirmTitle")}
          primaryAction={{ content: t("report.rollbackConfirm"), destructive: true, loading: fetcher.state !== "idle", onAction: () => fetcher.submit({ intent: "rollback" }, { method: "post" }) }}
          secondaryActions={[{ content: t("apply.cancel"), onAction: () => setConfirming(false) }]}
        >
          <Modal.Section>
            <BlockStack gap="200">
              <List>
                <List.Item>
                  <span data-testid="rollback-plan">{t("report.rollbackPlanEntries", { entries: number(rb.plan.entries), points: number(rb.plan.points) })}</span>
                </List.Item>
                <List.Item>{t("report.rollbackPlanMembers", { members: number(rb.plan.members), visible: number(rb.plan.visibleMembers), pending: number(rb.plan.pendingMembers) })}</List.Item>
                <List.Item>{t("report.rollbackPlanKept", { entries: number(rb.plan.keptEarned.entries), points: number(rb.plan.keptEarned.points) })}</List.Item>
                {rb.plan.belowZero > 0 && <List.Item>{t("report.rollbackPlanBelowZero", { members: number(rb.plan.belowZero) })}</List.Item>}
                <List.Item>{t("report.rollbackPlanFinal")}</List.Item>
              </List>
            </BlockStack>
          </Modal.Section>
        </Modal>
      )}
    </BlockStack>
  );
}

/** The report's figures: the identity shown and checked, member figures, charts, downloads, push failures. */
function ReportFigures({ figures, migrationId, name }: { figures: NonNullable<ReportStepView["figures"]>; migrationId: string; name: string }) {
  const { t, number, dateTime } = useI18n();
  const path = useAppPath();
  const r = figures.report;
  const id = figures.identity;
  const restores = figures.restores;
  const termLabel = (key: string) => t(`report.term.${key}` as MessageKey);
  const classLabel = (key: string) => t(`report.class.${key}` as MessageKey);
  const identityText = t("report.identity", { file: number(id.inFile), terms: id.terms.map((x) => t("report.identityTerm", { points: number(x.points), label: termLabel(x.key) })).join(" + ") });
  const download = (kind: string) => path(`/app/migrations/${migrationId}/report/${kind}`);
  return (
    <>
      <Card>
        <BlockStack gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("report.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("report.intro")}
            </Text>
          </BlockStack>
          <DataTable
            columnContentTypes={["text", "numeric"]}
            headings={[t("report.termCol"), t("report.pointsCol")]}
            rows={id.terms.map((x) => [classLabel(x.key), number(x.points)])}
            totals={["", number(id.inFile)]}
            showTotalsInFooter
            totalsName={{ singular: t("report.inFile"), plural: t("report.inFile") }}
          />
          <Text as="p" tone={id.holds ? "success" : "critical"} fontWeight="semibold">
            <span data-testid="report-identity" data-holds={id.holds ? "yes" : "no"}>
              {identityText}
            </span>
          </Text>
          {id.holds ? (
            <Banner tone="success">{t("report.holds")}</Banner>
          ) : (
            <Banner tone="critical" title={t("report.broken")}>
              <BlockStack gap="200">
                {id.sum !== id.inFile && <Text as="p">{id.sum < id.inFile ? t("report.gapMissing", { points: number(id.inFile - id.sum) }) : t("report.gapDouble", { points: number(id.sum - id.inFile) })}</Text>}
                {r.identity.problems.length > 0 && (
                  <List>
                    {r.identity.problems.map((p) => (
                      <List.Item key={p}>{p}</List.Item>
                    ))}
                  </List>
                )}
              </BlockStack>
            </Banner>
          )}
          <Text as="p" tone="subdued" variant="bodySm">
            {t("report.retroactiveNote", { points: number(r.pointsRetroactive), entries: number(r.retroactiveEntries) })}
          </Text>
        </BlockStack>
      </Card>

      <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
        <Figure label={t("report.membersMatched")} value={r.membersMatched} testId="report-members-matched" help={t("report.membersMatchedHelp")} />
        <Figure label={t("report.membersPending")} value={r.membersPending} testId="report-members-pending" help={t("report.membersPendingHelp")} />
        <Figure label={t("report.membersRestored")} value={r.membersRestored} testId="report-members-restored" help={t("report.membersRestoredHelp")} />
        <Figure label={t("report.recordsConflict")} value={r.recordsConflict} testId="report-records-conflict" help={t("report.recordsConflictHelp")} />
        <Figure label={t("report.pointsRetroactive")} value={r.pointsRetroactive} testId="report-points-retroactive" />
        <Figure label={t("report.pushFailed")} value={r.pushFailures.count} testId="report-push-failed" help={t("report.pushFailedHelp")} />
      </InlineGrid>

      <Card>
        <InlineGrid columns={{ xs: 1, md: 2 }} gap="600">
          <PointsByClassChart
            title={t("report.chartClasses")}
            summary={t("report.chartClassesSummary", { file: number(id.inFile), credited: number(id.terms.find((x) => x.key === "credited")?.points ?? 0), pending: number(id.terms.find((x) => x.key === "pending")?.points ?? 0) })}
            classColumn={t("report.termCol")}
            pointsColumn={t("report.pointsCol")}
            shareColumn={t("report.shareCol")}
            slices={id.terms.map((x) => ({ key: x.key, label: classLabel(x.key), points: x.points }))}
          />
          <RestoresChart
            title={t(restores.unit === "week" ? "report.chartRestoresWeekly" : "report.chartRestores")}
            summary={
              restores.since
                ? t("report.chartRestoresSummary", { members: number(restores.members), points: number(restores.points), since: dateTime(restores.since) })
                : t("report.chartRestoresNone")
            }
            periodColumn={t(restores.unit === "week" ? "report.weekCol" : "report.dayCol")}
            membersColumn={t("report.restoredCol")}
            pointsColumn={t("report.pointsCol")}
            bars={restores.buckets}
          />
        </InlineGrid>
      </Card>

      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("report.downloadsHeading")}
          </Text>
          <BlockStack gap="100">
            <DownloadLink url={download("exceptions")} fileName={downloadName(name, "exceptions")} failed={t("summary.downloadFailed")}>
              {t("report.downloadExceptions")}
            </DownloadLink>
            <Text as="p" tone="subdued" variant="bodySm">
              {t("report.downloadExceptionsHelp")}
            </Text>
          </BlockStack>
          <BlockStack gap="100">
            <DownloadLink url={download("restored-members")} fileName={downloadName(name, "restored-members")} failed={t("summary.downloadFailed")}>
              {t("report.downloadRestored")}
            </DownloadLink>
            <Text as="p" tone="subdued" variant="bodySm">
              {t("report.downloadRestoredHelp")}
            </Text>
          </BlockStack>
        </BlockStack>
      </Card>

      {r.pushFailures.count > 0 && (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("report.pushFailuresHeading", { count: number(r.pushFailures.count) })}
            </Text>
            <DataTable columnContentTypes={["text", "text"]} headings={[t("report.pushCustomer"), t("report.pushError")]} rows={r.pushFailures.shown.map((f) => [f.customerId, f.message])} />
          </BlockStack>
        </Card>
      )}

    </>
  );
}
