import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, List, Modal, ProgressBar, Select, Spinner, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { parsePilot, pilotSize, type PilotSpec } from "~domain/apply/pilot";
import { requireAdmin } from "../auth.server";
import { ApplyForm, pilotInput, pilotOf, pilotText } from "../services/admin/apply-step";
import { applyPlan, applyStepView, retryApply, startApply, type ApplyPlan, type ApplyStepView } from "../services/admin/apply-step.server";
import { appPath } from "../services/admin/paths";
import { startRollback } from "../services/admin/report-step.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { useAppPath } from "../components/use-app-path";
import { useI18n } from "../i18n/react";
import type { MessageKey } from "../i18n";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "apply");
  const step = await applyStepView(shop, view.migration.id);
  if (!step) throw new Response("Not found", { status: 404 });
  return { step, editable, migrationId: view.migration.id };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = ApplyForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: "invalid form" }, { status: 400 });
  const form = parsed.data;
  if (form.intent === "rollback") {
    // Undo the pilot: requestRollback (as `npx carryover rollback`); its progress and result are the Report's.
    const r = await startRollback(shop.id, migrationId);
    if (r.outcome === "not-found") throw new Response("Not found", { status: 404 });
    if (r.outcome === "refused") return { outcome: "rollback-refused" as const, message: r.message };
    return redirect(appPath(request, `/app/migrations/${migrationId}/report`));
  }
  if (form.intent === "retry") {
    const r = await retryApply(shop.id, migrationId);
    if (r.outcome === "not-found") throw new Response("Not found", { status: 404 });
    return r;
  }
  const pilot = pilotOf(form);
  if (pilot === "invalid") return { outcome: "invalid-pilot" as const };
  if (form.intent === "plan") {
    const r = await applyPlan(shop, migrationId, pilot);
    if (r.outcome === "not-found") throw new Response("Not found", { status: 404 });
    return r;
  }
  const r = await startApply(shop.id, migrationId, pilot, form.reconciliationId);
  if (r.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return r;
};

const POLL_MS = 1000;
type Step = ApplyStepView;
type JobView = NonNullable<Step["job"]>;

export default function ApplyStep() {
  const { step, migrationId } = useLoaderData<typeof loader>();
  const { t, number } = useI18n();
  const path = useAppPath();
  const revalidator = useRevalidator();
  const planFetcher = useFetcher<typeof action>();
  const applyFetcher = useFetcher<typeof action>();
  const [mode, setMode] = useState<"percent" | "count">("percent");
  const [size, setSize] = useState("10");
  const [asked, setAsked] = useState<{ scope: "pilot" | "all"; pilot: string } | null>(null);
  const [undoing, setUndoing] = useState(false);
  const rollbackFetcher = useFetcher<typeof action>();

  // While the apply job runs (or was just asked for) the screen follows it.
  const follow = step.working || applyFetcher.state !== "idle";
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [follow, revalidator]);

  // The confirmation closes once the apply is asked for (the job then shows its progress).
  const applied = applyFetcher.data && "outcome" in applyFetcher.data ? applyFetcher.data : null;
  useEffect(() => {
    if (applied?.outcome === "enqueued" || applied?.outcome === "already-running") setAsked(null);
  }, [applied]);

  const preview = step.preview?.report ?? null;
  const matched = preview?.members.matched ?? 0;
  const typed = pilotInput(mode, size);
  const typedSpec = parsePilot(typed);
  let sampleSize: number | null = null;
  try {
    sampleSize = typedSpec ? pilotSize(matched, typedSpec) : null;
  } catch {
    sampleSize = null;
  }

  const ask = (scope: "pilot" | "all") => {
    const pilot = scope === "pilot" ? typed : "";
    setAsked({ scope, pilot });
    planFetcher.submit({ intent: "plan", scope, pilot }, { method: "post" });
  };
  const planData = planFetcher.data && "outcome" in planFetcher.data ? planFetcher.data : null;
  const plan = asked && planFetcher.state === "idle" && planData?.outcome === "plan" && planData.plan.scope === asked.scope ? planData.plan : null;
  const planProblem = asked && planFetcher.state === "idle" && planData && planData.outcome !== "plan" ? planData : null;

  const job = step.job;
  const running = job !== null && (job.progress.state === "queued" || job.progress.state === "running");
  const failed = job !== null && job.progress.state === "failed";
  const state = step.state;
  const canPilot = !running && (state === "previewed" || (state === "applying" && failed && job?.scope === "pilot"));
  const canApplyAll = !running && (state === "previewed" || state === "piloted");
  const retry = applyFetcher.formData?.get("intent") === "retry";
  const refusal = applied && applied.outcome !== "enqueued" ? applied : null;
  const rollbackRefused = rollbackFetcher.data && "outcome" in rollbackFetcher.data && rollbackFetcher.data.outcome === "rollback-refused" ? rollbackFetcher.data.message : null;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("apply.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("apply.intro")}
            </Text>
          </BlockStack>
          {preview && (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric"]}
              headings={[t("apply.previewCol"), t("apply.recordsCol"), t("apply.pointsCol")]}
              rows={[
                [t("apply.previewMatched"), number(preview.members.matched), number(preview.points.matched)],
                [t("apply.previewPending"), number(preview.members.pending), number(preview.points.pending)],
                [t("apply.previewConflict"), number(preview.members.conflict), number(preview.points.conflict)],
                [t("apply.previewRejected"), number(preview.members.rejectedAtImport + preview.members.rejectedInReview), number(preview.points.rejected.total)],
                [t("apply.previewRetroactive"), number(preview.retroactive.orders), number(preview.retroactive.points)],
              ]}
            />
          )}
          {refusal && <Banner tone="critical">{refusalText(t, refusal)}</Banner>}
        </BlockStack>
      </Card>

      {state === "applied" && (
        <Card>
          <InlineStack align="space-between" blockAlign="center" gap="300">
            <Text as="p">{t("apply.appliedNext")}</Text>
            <Button variant="primary" url={path(`/app/migrations/${migrationId}/report`)}>
              {t("apply.openReport")}
            </Button>
          </InlineStack>
        </Card>
      )}

      {job && running && <ProgressCard job={job} />}

      {job && failed && (
        <Banner tone="critical" title={t(job.scope === "pilot" ? "apply.failedPilot" : "apply.failedAll")}>
          <BlockStack gap="200">
            <Text as="p">
              <span data-testid="apply-error">{job.progress.error ?? ""}</span>
            </Text>
            <Text as="p">{t("apply.failedSafe")}</Text>
            <InlineStack>
              <applyFetcher.Form method="post">
                <input type="hidden" name="intent" value="retry" />
                <Button submit loading={retry && applyFetcher.state !== "idle"}>
                  {t("apply.retry")}
                </Button>
              </applyFetcher.Form>
            </InlineStack>
          </BlockStack>
        </Banner>
      )}

      {canPilot && (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("apply.pilotHeading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("apply.pilotIntro")}
            </Text>
            <InlineStack gap="300" blockAlign="end">
              <Box minWidth="220px">
                <Select
                  label={t("apply.pilotMode")}
                  options={[
                    { label: t("apply.pilotModePercent"), value: "percent" },
                    { label: t("apply.pilotModeCount"), value: "count" },
                  ]}
                  value={mode}
                  onChange={(v) => setMode(v === "count" ? "count" : "percent")}
                />
              </Box>
              <Box maxWidth="140px">
                <TextField label={t("apply.pilotSize")} type="number" min={1} max={mode === "percent" ? 100 : undefined} value={size} onChange={setSize} autoComplete="off" />
              </Box>
            </InlineStack>
            <Text as="p" tone={sampleSize === null ? "critical" : "subdued"}>
              <span data-testid="pilot-sample">{sampleSize === null ? t("apply.pilotInvalid") : t("apply.pilotSample", { members: number(sampleSize), matched: number(matched) })}</span>
            </Text>
            <InlineStack gap="300" align="end">
              {state === "previewed" && (
                <Button onClick={() => ask("all")} disabled={planFetcher.state !== "idle"}>
                  {t("apply.skipPilot")}
                </Button>
              )}
              <Button variant="primary" onClick={() => ask("pilot")} disabled={sampleSize === null || sampleSize === 0} loading={planFetcher.state !== "idle" && asked?.scope === "pilot"}>
                {t("apply.reviewPilot")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      )}

      {step.pilot?.result && <ResultCard job={step.pilot} testId="pilot-result" />}

      {state === "piloted" && canApplyAll && (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("apply.restHeading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("apply.restIntro")}
            </Text>
            <InlineStack align="end">
              <Button variant="primary" onClick={() => ask("all")} loading={planFetcher.state !== "idle" && asked?.scope === "all"}>
                {t("apply.reviewAll")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      )}

      {state === "piloted" && step.rollback && (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("apply.undoPilotHeading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("apply.undoPilotIntro")}
            </Text>
            {rollbackRefused && <Banner tone="critical">{t("report.rollbackRefused", { reason: rollbackRefused })}</Banner>}
            <InlineStack align="end">
              <Button tone="critical" onClick={() => setUndoing(true)}>
                {t("apply.undoPilot")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      )}

      {step.all?.result && <ResultCard job={step.all} testId="apply-result" />}

      {step.rollback && (
        <Modal
          open={undoing}
          onClose={() => setUndoing(false)}
          title={t("apply.undoPilotTitle")}
          primaryAction={{ content: t("report.rollbackConfirm"), destructive: true, loading: rollbackFetcher.state !== "idle", onAction: () => rollbackFetcher.submit({ intent: "rollback" }, { method: "post" }) }}
          secondaryActions={[{ content: t("apply.cancel"), onAction: () => setUndoing(false) }]}
        >
          <Modal.Section>
            <List>
              <List.Item>
                <span data-testid="rollback-plan">{t("report.rollbackPlanEntries", { entries: number(step.rollback.entries), points: number(step.rollback.points) })}</span>
              </List.Item>
              <List.Item>{t("report.rollbackPlanMembers", { members: number(step.rollback.members), visible: number(step.rollback.visibleMembers), pending: number(step.rollback.pendingMembers) })}</List.Item>
              <List.Item>{t("report.rollbackPlanKept", { entries: number(step.rollback.keptEarned.entries), points: number(step.rollback.keptEarned.points) })}</List.Item>
              {step.rollback.belowZero > 0 && <List.Item>{t("report.rollbackPlanBelowZero", { members: number(step.rollback.belowZero) })}</List.Item>}
              <List.Item>{t("report.rollbackPlanFinal")}</List.Item>
            </List>
          </Modal.Section>
        </Modal>
      )}

      <Modal
        open={asked !== null}
        onClose={() => setAsked(null)}
        title={asked?.scope === "pilot" ? t("apply.confirmPilotTitle") : step.state === "piloted" ? t("apply.confirmRestTitle") : t("apply.confirmAllTitle")}
        primaryAction={{
          content: asked?.scope === "pilot" ? t("apply.confirmPilot") : t("apply.confirmAll"),
          destructive: false,
          disabled: plan === null || plan.staleOrders,
          loading: applyFetcher.state !== "idle",
          onAction: () => {
            if (!plan || !asked) return;
            applyFetcher.submit({ intent: "apply", scope: asked.scope, pilot: asked.pilot, reconciliationId: plan.reconciliationId }, { method: "post" });
          },
        }}
        secondaryActions={[{ content: t("apply.cancel"), onAction: () => setAsked(null) }]}
      >
        <Modal.Section>
          {plan ? (
            <PlanText plan={plan} />
          ) : planProblem ? (
            <Banner tone="critical">{planProblemText(t, planProblem)}</Banner>
          ) : (
            <InlineStack gap="200" blockAlign="center">
              <Spinner size="small" />
              <Text as="p">{t("apply.computing")}</Text>
            </InlineStack>
          )}
        </Modal.Section>
      </Modal>
    </BlockStack>
  );
}

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

function refusalText(t: T, r: { outcome: string; message?: string }): string {
  const known: Record<string, MessageKey> = {
    "stale-preview": "apply.refused.stale-preview",
    "not-previewed": "apply.refused.not-previewed",
    "already-applied": "apply.refused.already-applied",
    "already-piloted": "apply.refused.already-piloted",
    "invalid-pilot": "apply.refused.invalid-pilot",
    "rules-invalid": "apply.refused.rules-invalid",
    "already-running": "apply.refused.already-running",
    "nothing-to-retry": "apply.refused.nothing-to-retry",
  };
  const key = known[r.outcome];
  const text = key ? t(key) : r.outcome;
  return r.message ? `${text} (${r.message})` : text;
}

function planProblemText(t: T, p: { outcome: string; state?: string; message?: string }): string {
  if (p.outcome === "not-open") return t("apply.notOpen", { state: t(`state.${p.state}` as MessageKey) });
  return refusalText(t, p);
}

/** The confirmation, figure by figure, from the stored preview and the ledger: exactly what the apply will write. */
function PlanText({ plan }: { plan: ApplyPlan }) {
  const { t, number } = useI18n();
  const f = plan.figures;
  const platform = plan.destination.platform === "nuvemshop" ? "Nuvemshop" : "Shopify";
  return (
    <BlockStack gap="300">
      {plan.staleOrders && <Banner tone="warning">{t("apply.planStaleOrders")}</Banner>}
      <Text as="h3" variant="headingSm">
        {t("apply.planWritten")}
      </Text>
      <List>
        <List.Item>
          <span data-testid="plan-credit">{t("apply.planCredit", { members: number(f.credit.members), points: number(f.credit.points) })}</span>
        </List.Item>
        {f.zeroPoints > 0 && <List.Item>{t("apply.planZero", { members: number(f.zeroPoints) })}</List.Item>}
        {plan.scope === "all" && (
          <List.Item>
            <span data-testid="plan-pending">{t("apply.planPending", { members: number(f.pending.members), points: number(f.pending.points) })}</span>
          </List.Item>
        )}
        {f.retroactive.orders > 0 && (
          <List.Item>
            <span data-testid="plan-retroactive">{t("apply.planRetroactive", { orders: number(f.retroactive.orders), points: number(f.retroactive.points), customers: number(f.retroactive.customers) })}</span>
          </List.Item>
        )}
        {f.alreadyApplied.records > 0 && <List.Item>{t("apply.planAlready", { records: number(f.alreadyApplied.records), points: number(f.alreadyApplied.points) })}</List.Item>}
      </List>
      <Text as="h3" variant="headingSm">
        {t("apply.planNotWritten")}
      </Text>
      <List>
        <List.Item>
          <span data-testid="plan-not-written">
            {plan.notWritten.conflicts.records === 0 && plan.notWritten.rejected.records === 0
              ? t("apply.planNothingOut")
              : [
                  plan.notWritten.conflicts.records > 0 ? t("apply.planConflicts", { records: number(plan.notWritten.conflicts.records), points: number(plan.notWritten.conflicts.points) }) : null,
                  plan.notWritten.rejected.records > 0 ? t("apply.planRejected", { records: number(plan.notWritten.rejected.records), points: number(plan.notWritten.rejected.points) }) : null,
                ]
                  .filter(Boolean)
                  .join(" ")}
          </span>
        </List.Item>
        {plan.left && <List.Item>{t("apply.planLeft", { matched: number(plan.left.matched), pending: number(plan.left.pending) })}</List.Item>}
      </List>
      <Text as="h3" variant="headingSm">
        {t("apply.planWhere")}
      </Text>
      <Text as="p">
        <span data-testid="plan-destination">{t(plan.destination.platform === "nuvemshop" ? "apply.planDestinationNuvemshop" : "apply.planDestinationShopify", { platform, shop: plan.destination.shopDomain })}</span>
      </Text>
      <Text as="p">
        <span data-testid="plan-rollback">{t("apply.planRollback")}</span>
      </Text>
    </BlockStack>
  );
}

function ProgressCard({ job }: { job: JobView }) {
  const { t, number, duration } = useI18n();
  const p = job.progress;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t(job.scope === "pilot" ? "apply.runningPilot" : "apply.runningAll")}
        </Text>
        <ProgressBar progress={p.total ? Math.min(100, (100 * p.done) / p.total) : 5} tone="primary" />
        <InlineStack align="space-between">
          <Text as="p" variant="bodySm">
            <span data-testid="apply-progress">
              {p.state === "queued" ? t("apply.queued") : p.total !== null ? t("apply.progress", { done: number(p.done), total: number(p.total) }) : t("apply.progressUnknown", { done: number(p.done) })}
            </span>
          </Text>
          {p.etaSeconds !== null && p.state === "running" && (
            <Text as="p" variant="bodySm" tone="subdued">
              {t("apply.eta", { eta: duration(p.etaSeconds) })}
            </Text>
          )}
        </InlineStack>
        {p.state === "queued" && p.error && <Banner tone="warning">{t("apply.retrying", { error: p.error })}</Banner>}
      </BlockStack>
    </Card>
  );
}

/** What a finished apply wrote (its job's result), and the balances it could not push. */
function ResultCard({ job, testId }: { job: JobView; testId: string }) {
  const { t, number, dateTime } = useI18n();
  const r = job.result!;
  const s = r.stats;
  const pilot = job.pilot as PilotSpec | null;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {job.scope === "pilot" ? t("apply.pilotDone", { pilot: pilotText(pilot) }) : t("apply.allDone")}
          </Text>
          {job.finishedAt && (
            <Text as="span" tone="subdued" variant="bodySm">
              {dateTime(job.finishedAt)}
            </Text>
          )}
        </InlineStack>
        <div data-testid={testId}>
          <DataTable
            columnContentTypes={["text", "numeric"]}
            headings={[t("apply.resultWhat"), t("apply.resultCount")]}
            rows={[
              [t("apply.resultMatched"), number(s.records.matched)],
              ...(job.scope === "all" ? [[t("apply.resultPending"), number(s.records.pending)]] : []),
              [t("apply.resultImported", { entries: number(s.imports.posted) }), number(s.imports.points)],
              [t("apply.resultRetroactive", { orders: number(s.retroactive.posted) }), number(s.retroactive.points)],
              [t("apply.resultDuplicates"), number(s.imports.duplicate + s.retroactive.duplicate)],
              [t("apply.resultMembers"), number(s.members.createdVisible + s.members.createdPending)],
              [t("apply.resultPushed"), number(s.push.written)],
              [t("apply.resultPushFailed"), number(s.push.failed)],
              [t("apply.resultConflicts", { records: number(r.conflicts.records) }), number(r.conflicts.points)],
            ]}
          />
        </div>
        {s.push.failed > 0 && (
          <Banner tone="warning" title={t("apply.pushFailedTitle", { count: number(s.push.failed) })}>
            <BlockStack gap="200">
              <Text as="p">{t("apply.pushFailedBody")}</Text>
              <DataTable columnContentTypes={["text", "text"]} headings={[t("apply.pushCustomer"), t("apply.pushError")]} rows={r.pushFailures.map((f) => [f.customerId, f.message])} />
            </BlockStack>
          </Banner>
        )}
      </BlockStack>
    </Card>
  );
}
