import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, FormLayout, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { FormatPanel, FormatSettings, RerunOutcome } from "../../services/admin/upload.server";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import { RerunBanner, useRerunResult } from "./RerunBanner";

const ENCODINGS = ["utf-8", "utf-8-bom", "windows-1252", "iso-8859-1"] as const;
const DELIMITERS = [
  { value: "comma", char: ",", key: "delimiter.comma" },
  { value: "semicolon", char: ";", key: "delimiter.semicolon" },
  { value: "tab", char: "\t", key: "delimiter.tab" },
] as const satisfies ReadonlyArray<{ value: string; char: string; key: MessageKey }>;
const DECIMALS = ["dot", "comma"] as const;
const DATE_ORDERS = ["dmy", "mdy"] as const;

const delimiterName = (char: string) => DELIMITERS.find((d) => d.char === char)?.value ?? "comma";

type FormValues = { encoding: string; delimiter: string; decimalMark: string; dateOrder: string; headerRow: string };

function valuesOf(s: FormatSettings): FormValues {
  return { encoding: s.encoding, delimiter: delimiterName(s.delimiter), decimalMark: s.decimalMark, dateOrder: s.dateOrder, headerRow: String(s.headerRow) };
}

/**
 * The format the file was read with, beside what detection found, each setting changeable; "read
 * again" re-runs the import of the stored file with them, replacing its earlier result.
 */
export function FormatSettingsCard({
  fileId,
  panel,
  editable,
  showNotes,
  onOpen,
}: {
  fileId: string;
  panel: FormatPanel;
  editable: boolean;
  /** The detection notes (the import summary shows them where there is one). */
  showNotes: boolean;
  /** Opens another file of the migration: where a re-run left the result. */
  onOpen: (importFileId: string) => void;
}) {
  const { t, maybe, number } = useI18n();
  const fetcher = useFetcher<RerunOutcome | { outcome: "invalid-format" }>();
  const [values, setValues] = useState<FormValues>(() => valuesOf(panel.used));
  const usedKey = JSON.stringify(panel.used);
  // A new file, or the same file read again: the form starts from what was used.
  useEffect(() => setValues(valuesOf(panel.used)), [fileId, usedKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const result = useRerunResult(fetcher.data, fileId, onOpen);


  const workbook = panel.fileKind === "xlsx";
  const used = valuesOf(panel.used);
  const detected = panel.detected ? valuesOf(panel.detected) : null;
  const changed = (Object.keys(values) as Array<keyof FormValues>).some((k) => values[k] !== used[k]);
  const busy = fetcher.state !== "idle";
  const set = (key: keyof FormValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  const labels = {
    encoding: (v: string) => maybe(`encoding.${v}`) ?? v,
    delimiter: (v: string) => t(DELIMITERS.find((d) => d.value === v)?.key ?? "delimiter.comma"),
    decimalMark: (v: string) => maybe(`decimalMark.${v}`) ?? v,
    dateOrder: (v: string) => maybe(`dateOrder.${v}`) ?? v,
    headerRow: (v: string) => t("formatOverride.line", { line: number(Number(v)) }),
  } satisfies Record<keyof FormValues, (v: string) => string>;
  const help = (key: keyof FormValues) => {
    if (!detected) return t("formatOverride.notDetected");
    const overridden = panel.overridden.includes(key);
    return overridden ? t("formatOverride.detectedChanged", { value: labels[key](detected[key]) }) : t("formatOverride.detected", { value: labels[key](detected[key]) });
  };

  return (
    <Card>
      <fetcher.Form method="post" data-testid="format-form">
        <input type="hidden" name="fileId" value={fileId} />
        {workbook && (
          <>
            <input type="hidden" name="encoding" value={values.encoding} />
            <input type="hidden" name="delimiter" value={values.delimiter} />
          </>
        )}
        <BlockStack gap="400">
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h2" variant="headingMd">
                {t("formatOverride.heading")}
              </Text>
              {panel.overridden.length > 0 && <Badge tone="attention">{t("formatOverride.changedBadge")}</Badge>}
            </InlineStack>
            <Text as="p" tone="subdued">
              {workbook ? t("formatOverride.introWorkbook") : t("formatOverride.intro")}
            </Text>
          </BlockStack>
          <RerunBanner result={result} />
          <FormLayout>
            <FormLayout.Group>
              {!workbook && (
                <Select
                  label={t("summary.encoding")}
                  name="encoding"
                  options={ENCODINGS.map((v) => ({ value: v, label: labels.encoding(v) }))}
                  value={values.encoding}
                  onChange={set("encoding")}
                  helpText={help("encoding")}
                  disabled={!editable || busy}
                />
              )}
              {!workbook && (
                <Select
                  label={t("summary.delimiter")}
                  name="delimiter"
                  options={DELIMITERS.map((d) => ({ value: d.value, label: t(d.key) }))}
                  value={values.delimiter}
                  onChange={set("delimiter")}
                  helpText={help("delimiter")}
                  disabled={!editable || busy}
                />
              )}
              <TextField
                label={t("formatOverride.headerRow")}
                name="headerRow"
                type="number"
                min={1}
                max={1000}
                value={values.headerRow}
                onChange={set("headerRow")}
                helpText={help("headerRow")}
                autoComplete="off"
                disabled={!editable || busy}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <Select
                label={t("summary.decimalMark")}
                name="decimalMark"
                options={DECIMALS.map((v) => ({ value: v, label: labels.decimalMark(v) }))}
                value={values.decimalMark}
                onChange={set("decimalMark")}
                helpText={help("decimalMark")}
                disabled={!editable || busy}
              />
              <Select
                label={t("summary.dateOrder")}
                name="dateOrder"
                options={DATE_ORDERS.map((v) => ({ value: v, label: labels.dateOrder(v) }))}
                value={values.dateOrder}
                onChange={set("dateOrder")}
                helpText={panel.dateOrderAmbiguous && !panel.overridden.includes("dateOrder") ? `${help("dateOrder")} ${t("formatOverride.dateAmbiguous")}` : help("dateOrder")}
                disabled={!editable || busy}
              />
            </FormLayout.Group>
          </FormLayout>
          {showNotes && panel.notes.length > 0 && (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {t("summary.notes")}
              </Text>
              <List>
                {panel.notes.map((note) => (
                  <List.Item key={note}>{note}</List.Item>
                ))}
              </List>
            </BlockStack>
          )}
          {editable && (
            <InlineStack align="end" gap="200">
              {detected && (Object.keys(values) as Array<keyof FormValues>).some((k) => values[k] !== detected[k]) && (
                <Button onClick={() => setValues(detected)} disabled={busy}>
                  {t("formatOverride.useDetected")}
                </Button>
              )}
              <Button submit variant={changed ? "primary" : "secondary"} loading={busy}>
                {t("formatOverride.rerun")}
              </Button>
            </InlineStack>
          )}
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
