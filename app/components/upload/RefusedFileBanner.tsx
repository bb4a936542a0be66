import { Banner } from "@shopify/polaris";
import type { ImportFileErrorCode } from "~domain/import/types";
import { useI18n } from "../../i18n/react";

/** Refusals fixed by reading the file another way (the format settings), not by mapping its columns. */
const FORMAT_CODES: ReadonlySet<ImportFileErrorCode> = new Set(["NO_HEADER", "HEADER_ONLY", "MIXED_ENCODING"]);

/** The open file was refused and kept: why, and where to fix it (format settings here, or the mapping). */
export function RefusedFileBanner({ refusal, mapUrl }: { refusal: { code: ImportFileErrorCode; message: string }; mapUrl: string | null }) {
  const { t, maybe } = useI18n();
  const byMapping = !FORMAT_CODES.has(refusal.code);
  return (
    <Banner
      tone="critical"
      title={t("upload.refusedTitle")}
      action={byMapping && mapUrl ? { content: t("refusedFile.toMapping"), url: mapUrl } : undefined}
    >
      <p data-testid="upload-error">{maybe(`importError.${refusal.code}`) ?? refusal.code}</p>
      <p>{byMapping ? t("refusedFile.fixByMapping") : t("refusedFile.fixByFormat")}</p>
    </Banner>
  );
}
