import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { ReviewSummary } from "../../services/admin/review-step.server";
import { useI18n } from "../../i18n/react";
import { useAppPath } from "../use-app-path";

/** The Sync step's window on the review queue: how much is left to decide, and the way in. */
export function ReviewSummaryCard({ migrationId, summary }: { migrationId: string; summary: ReviewSummary }) {
  const { t, number } = useI18n();
  const path = useAppPath();
  const none = summary.conflicts === 0;
  const href = path(`/app/migrations/${migrationId}/review${none && summary.decided > 0 ? "?tab=decided" : ""}`);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("review.cardHeading")}
        </Text>
        <Text as="p" tone={none ? "subdued" : undefined}>
          <span data-testid="review-counts">
            {none
              ? t("review.cardNone")
              : t("review.cardCounts", {
                  conflicts: number(summary.conflicts),
                  undecided: number(summary.undecided),
                  decided: number(summary.decided),
                })}
          </span>
        </Text>
        {(!none || summary.decided > 0) && (
          <InlineStack align="end">
            <Button variant={none ? "secondary" : "primary"} url={href}>
              {none ? t("review.cardDecisions") : t("review.cardOpen")}
            </Button>
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}
