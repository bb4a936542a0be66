import { Link as RemixLink } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import type { ImportFileItem } from "../../services/admin/upload.server";
import { useI18n } from "../../i18n/react";

/** The migration's files, the open one marked; each opens on this screen. */
export function ImportFilesCard({ files, selectedId, hrefFor, balancesFiles }: { files: ImportFileItem[]; selectedId: string | null; hrefFor: (id: string) => string; balancesFiles: number }) {
  const { t, maybe, number } = useI18n();
  if (files.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("importFiles.heading")}
        </Text>
        {balancesFiles > 1 && <Banner tone="warning">{t("importFiles.severalBalances", { count: number(balancesFiles) })}</Banner>}
        <BlockStack gap="200" as="ul">
          {files.map((f) => (
            <li key={f.id} style={{ listStyle: "none" }} data-testid="import-file" data-file-id={f.id}>
              <InlineStack gap="200" blockAlign="center" wrap>
                {f.id === selectedId ? (
                  <Text as="span" fontWeight="bold">
                    {f.fileName}
                  </Text>
                ) : (
                  <RemixLink to={hrefFor(f.id)} preventScrollReset style={{ color: "var(--p-color-text-link)" }}>
                    {f.fileName}
                  </RemixLink>
                )}
                <Badge>{maybe(`importKind.${f.kind}`) ?? f.kind}</Badge>
                {f.status === "staged" ? (
                  <Badge tone="success">{t("importFiles.staged")}</Badge>
                ) : (
                  <Badge tone="critical">{t("importFiles.refused")}</Badge>
                )}
                <Text as="span" tone="subdued">
                  {f.status === "staged"
                    ? t("importFiles.rows", { valid: number(f.rowsValid), total: number(f.rowsTotal), rejected: number(f.rowsRejected) })
                    : (maybe(`importError.${f.refusal?.code ?? ""}`) ?? "")}
                </Text>
              </InlineStack>
            </li>
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
