import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Select, Text } from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import type { MapColumn, RemapOutcome } from "../../services/admin/map-step.server";
import type { TargetField } from "~domain/import/types";
import { useI18n } from "../../i18n/react";
import { RerunBanner, useRerunResult } from "./RerunBanner";

/**
 * The mapping editor: every column of the file with its first values and the field it feeds (or
 * none). "Validate again" re-runs the file with this whole mapping, replacing the earlier result.
 */
export function MappingEditor({
  fileId,
  columns,
  fields,
  required,
  identity,
  editable,
  defaultOpen,
  onOpen,
}: {
  fileId: string;
  columns: MapColumn[];
  fields: readonly TargetField[];
  required: readonly TargetField[];
  identity: readonly TargetField[];
  editable: boolean;
  defaultOpen: boolean;
  /** Opens another file of the migration: where a re-run left the result. */
  onOpen: (importFileId: string) => void;
}) {
  const { t, maybe } = useI18n();
  const fetcher = useFetcher<RemapOutcome | { outcome: "invalid-form" }>();
  const [open, setOpen] = useState(defaultOpen);
  // What the file was last read with; a reload of the same mapping (a filter, a page) keeps the merchant's unsaved choices.
  const stored = JSON.stringify(columns.map((c) => [c.index, c.field ?? ""]));
  const initial = useMemo(() => Object.fromEntries(JSON.parse(stored) as Array<[number, string]>) as Record<number, string>, [stored]);
  const [choice, setChoice] = useState<Record<number, string>>(initial);
  useEffect(() => setChoice(initial), [initial]);
  const result = useRerunResult(fetcher.data, fileId, onOpen);


  const fieldName = (f: string) => maybe(`field.${f}`) ?? f;
  const chosen = Object.values(choice).filter((f) => f !== "");
  const twice = new Set(chosen.filter((f, i) => chosen.indexOf(f) !== i));
  const hasIdentity = identity.some((f) => chosen.includes(f));
  const missing = required.filter((f) => !chosen.includes(f));
  const busy = fetcher.state !== "idle";
  const options = [{ value: "", label: t("mapEditor.notRead") }, ...fields.map((f) => ({ value: f, label: fieldName(f) }))];

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("mapEditor.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("mapEditor.intro")}
            </Text>
          </BlockStack>
          {!open && (
            <Button onClick={() => setOpen(true)} disabled={columns.length === 0}>
              {t("mapEditor.open")}
            </Button>
          )}
        </InlineStack>
        <RerunBanner result={result} />
        {open && columns.length === 0 && (
          <Text as="p" tone="critical">
            {t("mapEditor.noColumns")}
          </Text>
        )}
        {open && columns.length > 0 && (
          <fetcher.Form method="post" data-testid="mapping-form">
            <input type="hidden" name="intent" value="mapping" />
            <input type="hidden" name="fileId" value={fileId} />
            <BlockStack gap="400">
              <IndexTable
                selectable={false}
                itemCount={columns.length}
                headings={[{ title: t("map.columnCol") }, { title: t("mapEditor.samplesCol") }, { title: t("map.fieldCol") }]}
              >
                {columns.map((c, position) => (
                  <IndexTable.Row id={String(c.index)} key={c.index} position={position}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {c.header || t("mapEditor.unnamed", { n: c.index + 1 })}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone="subdued">
                        {c.samples.length ? c.samples.join(" · ") : t("mapEditor.noSamples")}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.repeated ? (
                        <Text as="span" tone="subdued">
                          {t("mapEditor.repeated")}
                        </Text>
                      ) : (
                        <div style={{ minWidth: 220 }}>
                          <Select
                            label={t("mapEditor.fieldFor", { column: c.header || t("mapEditor.unnamed", { n: c.index + 1 }) })}
                            labelHidden
                            name={`column.${c.index}`}
                            options={options}
                            value={choice[c.index] ?? ""}
                            onChange={(v) => setChoice((prev) => ({ ...prev, [c.index]: v }))}
                            error={choice[c.index] && twice.has(choice[c.index]!) ? t("mapEditor.chosenTwice") : undefined}
                            disabled={!editable || busy}
                          />
                        </div>
                      )}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
              <BlockStack gap="100">
                <Requirement met={hasIdentity} text={t("mapEditor.needIdentity", { fields: identity.map(fieldName).join(", ") })} />
                {required.map((f) => (
                  <Requirement key={f} met={!missing.includes(f)} text={t("mapEditor.needField", { field: fieldName(f) })} />
                ))}
              </BlockStack>
              {editable && (
                <InlineStack align="end" gap="200">
                  <Button onClick={() => setChoice(initial)} disabled={busy}>
                    {t("mapEditor.reset")}
                  </Button>
                  <Button submit variant="primary" loading={busy} disabled={twice.size > 0}>
                    {t("mapEditor.rerun")}
                  </Button>
                </InlineStack>
              )}
            </BlockStack>
          </fetcher.Form>
        )}
      </BlockStack>
    </Card>
  );
}

function Requirement({ met, text }: { met: boolean; text: string }) {
  const { t } = useI18n();
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <Badge tone={met ? "success" : "attention"}>{met ? t("mapEditor.met") : t("mapEditor.missing")}</Badge>
      <Text as="span">{text}</Text>
    </InlineStack>
  );
}
