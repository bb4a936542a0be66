import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { requireAdmin } from "../auth.server";
import { ReviewIntent, reviewFormFrom, reviewQueryFrom, reviewStepView, submitReview, type ReviewActionOutcome } from "../services/admin/review-step.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { useI18n } from "../i18n/react";
import { useAppPath } from "../components/use-app-path";
import { PreviewCard } from "../components/review/PreviewCard";
import { PreviewNotice } from "../components/review/PreviewNotice";
import { ReviewQueue } from "../components/review/ReviewQueue";
import { usePolling } from "../components/review/use-polling";

// The review queue of the Sync & preview step (the same services as `npx carryover review`).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view } = await loadStep(request, params, "sync");
  const review = await reviewStepView(shop.id, view.migration.id, reviewQueryFrom(new URL(request.url)));
  if (!review) throw new Response("Not found", { status: 404 });
  return { review, migrationId: view.migration.id };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = ReviewIntent.safeParse(reviewFormFrom(await request.formData()));
  if (!parsed.success) return Response.json({ outcome: "invalid" as const }, { status: 400 });
  const result = await submitReview(shop.id, migrationId, parsed.data);
  if (result.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return result;
};

type Outcome = ReviewActionOutcome | { outcome: "invalid" };

export default function ReviewStep() {
  const { review, migrationId } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<Outcome>();
  const { t, maybe } = useI18n();
  const path = useAppPath();
  // Each answer of the server closes the dialogs and clears the selection (ReviewQueue).
  const [done, setDone] = useState(0);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (result) setDone((n) => n + 1);
  }, [result]);
  usePolling(review.working || fetcher.state !== "idle");

  // A FormData, so that a list (the selected rows) goes as repeated fields, not as one "a,b" string.
  const submit = (form: Record<string, string | string[]>) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
    fetcher.submit(body, { method: "post" });
  };
  const reconcile = review.reconcile?.progress;
  const refreshing = reconcile?.state === "queued" || reconcile?.state === "running";
  const canRefresh = review.open && !review.syncRunning && !refreshing;
  const state = maybe(`state.${review.state}`) ?? review.state;

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="200">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t("review.title")}
            </Text>
            <Button variant="plain" url={path(`/app/migrations/${migrationId}/sync`)}>
              {t("review.back")}
            </Button>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("review.intro")}
          </Text>
        </BlockStack>
      </Card>
      {!review.open && <Banner tone="info">{t("review.closed", { state })}</Banner>}
      {result && <ResultBanner result={result} state={state} />}
      {review.preview ? (
        <PreviewCard
          report={review.preview.report}
          createdAt={review.preview.createdAt}
          orders={false}
          notice={
            <PreviewNotice
              refreshing={refreshing}
              failed={reconcile?.state === "failed" ? (reconcile.error ?? "") : null}
              staleRules={false}
              changes={review.summary?.changes ?? 0}
              createdAt={review.preview.createdAt}
              onRefresh={canRefresh ? () => submit({ intent: "preview" }) : null}
              submitting={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "preview"}
            />
          }
        />
      ) : (
        <Banner tone="warning">{t("review.noPreview")}</Banner>
      )}
      {review.preview && <ReviewQueue view={review} busy={fetcher.state !== "idle"} done={done} submit={submit} />}
    </BlockStack>
  );
}

function ResultBanner({ result, state }: { result: Outcome; state: string }) {
  const { t, number } = useI18n();
  switch (result.outcome) {
    case "recorded":
      return (
        <Banner tone={result.refused > 0 ? "warning" : "success"}>
          <p data-testid="review-result">
            {result.count === 1 ? t("review.result.recordedOne") : t("review.result.recordedMany", { count: number(result.count) })}
            {result.refused > 0 && ` ${t("review.result.refused", { count: number(result.refused) })}`}
          </p>
        </Banner>
      );
    case "withdrawn":
      return (
        <Banner tone="success">
          <p data-testid="review-result">{t("review.result.withdrawn")}</p>
        </Banner>
      );
    case "no-decision":
      return <Banner tone="info">{t("review.result.noDecision")}</Banner>;
    case "closed":
      return <Banner tone="critical">{t("review.closed", { state })}</Banner>;
    case "record-not-found":
      return <Banner tone="critical">{t("review.result.recordNotFound")}</Banner>;
    case "invalid":
      return <Banner tone="critical">{t("review.result.invalid")}</Banner>;
    case "customer-not-found":
      return <Banner tone="critical">{t("review.result.customerNotFound")}</Banner>;
    case "preview-refused":
      return <Banner tone="critical">{result.reason === "sync-running" ? t("review.result.syncRunning") : t("review.result.previewRefused", { state })}</Banner>;
    default:
      return null;
  }
}
