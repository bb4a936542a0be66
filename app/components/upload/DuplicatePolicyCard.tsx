import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, ChoiceList, InlineStack, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { PolicyOutcome } from "../../services/admin/map-step.server";
import type { DuplicatePolicy, ImportKind } from "~domain/import/types";
import { useI18n } from "../../i18n/react";
import { RerunBanner, useRerunResult } from "./RerunBanner";

/**
 * How rows of the same customer are folded (sum, max, latest, review — what each means under it);
 * applying another policy validates the file again with it. Tiers files take only latest or review.
 */
export function DuplicatePolicyCard({
  fileId,
  kind,
  value,
  options,
  editable,
  onOpen,
}: {
  fileId: string;
  kind: ImportKind;
  value: DuplicatePolicy;
  options: readonly DuplicatePolicy[];
  editable: boolean;
  /** Opens another file of the migration: where a re-run left the result. */
  onOpen: (importFileId: string) => void;
}) {
  const { t, maybe } = useI18n();
  const fetcher = useFetcher<PolicyOutcome | { outcome: "invalid-form" }>();
  const [selected, setSelected] = useState<DuplicatePolicy>(value);
  useEffect(() => setSelected(value), [value, fileId]);
  const result = useRerunResult(fetcher.data, fileId, onOpen);

  const busy = fetcher.state !== "idle";
  return (
    <Card>
      <fetcher.Form method="post" data-testid="policy-form">
        <input type="hidden" name="intent" value="policy" />
        <input type="hidden" name="fileId" value={fileId} />
        <input type="hidden" name="policy" value={selected} />
        <BlockStack gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("dupPolicy.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {kind === "tiers" ? t("dupPolicy.introTiers") : t("dupPolicy.intro")}
            </Text>
          </BlockStack>
          <RerunBanner result={result} />
          <ChoiceList
            title={t("dupPolicy.heading")}
            titleHidden
            choices={options.map((p) => ({
              value: p,
              label: maybe(`dupPolicy.${p}`) ?? p,
              helpText: maybe(kind === "tiers" ? `dupPolicy.${p}.tiersHelp` : `dupPolicy.${p}.help`) ?? undefined,
            }))}
            selected={[selected]}
            onChange={(v) => v[0] && setSelected(v[0] as DuplicatePolicy)}
            disabled={!editable || busy}
          />
          {editable && (
            <InlineStack align="end">
              <Button submit variant={selected !== value ? "primary" : "secondary"} loading={busy} disabled={selected === value}>
                {t("dupPolicy.apply")}
              </Button>
            </InlineStack>
          )}
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
