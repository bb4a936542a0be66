import { BlockStack, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { JobProgress } from "../../services/sync/sync-requests.server";
import { useI18n } from "../../i18n/react";

/** The pull of the store while it runs: a bar, done of total (or so far), and the time left. */
export function SyncProgress({ sync }: { sync: JobProgress }) {
  const { t, number, duration } = useI18n();
  return (
    <BlockStack gap="200">
      <ProgressBar progress={sync.total ? Math.min(100, (100 * sync.done) / sync.total) : 5} tone="primary" />
      <InlineStack align="space-between">
        <Text as="p" variant="bodySm">
          <span data-testid="sync-progress">
            {sync.state === "queued"
              ? t("sync.queued")
              : sync.total !== null
              ? t("sync.progress", {
                  done: number(sync.done),
                  total: number(sync.total),
                })
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
  );
}
