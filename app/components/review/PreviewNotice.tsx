import { Banner, BlockStack, InlineStack, Spinner, Text } from "@shopify/polaris";
import { useI18n } from "../../i18n/react";

/**
 * Over the stored preview: a dry run building it again, the one that failed (with a retry), or why
 * it is out of date — rules changed, or decisions it does not show yet — with the way to update it.
 */
export function PreviewNotice(props: {
  refreshing: boolean;
  failed: string | null;
  staleRules: boolean;
  changes: number;
  createdAt: string;
  /** Null: the preview cannot be built again from here now (closed, or a pull is running). */
  onRefresh: (() => void) | null;
  submitting: boolean;
}) {
  const { t, number, dateTime } = useI18n();
  const action = props.onRefresh
    ? {
        content: t("review.refresh"),
        onAction: props.onRefresh,
        loading: props.submitting,
      }
    : undefined;
  if (props.refreshing) {
    return (
      <InlineStack gap="200" blockAlign="center">
        <Spinner size="small" />
        <Text as="p">
          <span data-testid="preview-refreshing">{t("review.refreshing")}</span>
        </Text>
      </InlineStack>
    );
  }
  if (props.failed !== null) {
    return (
      <Banner
        tone="critical"
        action={
          props.onRefresh
            ? {
                content: t("review.retry"),
                onAction: props.onRefresh,
                loading: props.submitting,
              }
            : undefined
        }
      >
        <p data-testid="preview-failed">{t("review.refreshFailed", { error: props.failed })}</p>
      </Banner>
    );
  }
  if (!props.staleRules && props.changes === 0) return null;
  return (
    <Banner tone="warning" action={action}>
      <BlockStack gap="100">
        {props.staleRules && <p>{t("sync.staleRules")}</p>}
        {props.changes > 0 && <p data-testid="preview-changes">{props.changes === 1 ? t("review.changesOne") : t("review.changesOther", { count: number(props.changes) })}</p>}
        <p>{t("review.changesHint", { date: dateTime(props.createdAt) })}</p>
      </BlockStack>
    </Banner>
  );
}
