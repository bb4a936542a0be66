import { Banner } from "@shopify/polaris";
import { useEffect, useRef } from "react";
import type { RerunOutcome } from "../../services/admin/upload.server";
import type { PolicyOutcome, RemapOutcome } from "../../services/admin/map-step.server";
import { useI18n } from "../../i18n/react";

export type AnyRerunOutcome = RerunOutcome | RemapOutcome | PolicyOutcome | { outcome: "invalid-format" } | { outcome: "invalid-form" };

/** The file a re-run leaves open: its new result, or its new record when it stays refused (null: the same one). */
export function fileAfter(result: AnyRerunOutcome | undefined): string | null {
  if (result?.outcome === "imported") return result.summary.importFileId;
  if (result?.outcome === "file-rejected") return result.importFileId;
  return null;
}

/**
 * A re-run's result as the open file's card uses it: once, it opens the file the re-run left (a new
 * record replaces the earlier one); the result is shown while that file is open, not on another one.
 */
export function useRerunResult<R extends AnyRerunOutcome>(result: R | undefined, fileId: string, onOpen: (fileId: string) => void): R | undefined {
  const handled = useRef<R | undefined>(undefined);
  useEffect(() => {
    if (!result || handled.current === result) return;
    handled.current = result;
    const next = fileAfter(result);
    if (next && next !== fileId) onOpen(next);
  }, [result, fileId, onOpen]);
  const resultFile = fileAfter(result);
  return resultFile === null || resultFile === fileId || handled.current !== result ? result : undefined;
}

/** What became of a re-run (format settings, mapping, duplicate policy), in the merchant's words. */
export function RerunBanner({ result }: { result: AnyRerunOutcome | undefined }) {
  const { t, maybe } = useI18n();
  if (!result) return null;
  switch (result.outcome) {
    case "imported":
      return (
        <Banner tone="success">
          <span data-testid="rerun-done">{t("rerun.imported")}</span>
        </Banner>
      );
    case "file-rejected":
      return (
        <Banner tone="critical" title={t("rerun.refusedTitle")}>
          <p data-testid="rerun-error">{maybe(`importError.${result.code}`) ?? result.code}</p>
          <p>{result.kept === "earlier-result" ? t("rerun.earlierKept") : t("rerun.stillRefused")}</p>
        </Banner>
      );
    case "policy-not-allowed":
      return <Banner tone="critical">{t("dupPolicy.notAllowed", { kind: maybe(`importKind.${result.kind}`) ?? result.kind })}</Banner>;
    case "policy-not-applicable":
      return <Banner tone="critical">{t("dupPolicy.notApplicable")}</Banner>;
    case "invalid-mapping":
      return (
        <Banner tone="critical">
          {result.problem === "field-twice"
            ? t("mapEditor.fieldTwice", { field: maybe(`field.${result.field}`) ?? String(result.field) })
            : result.problem === "not-a-field-of-kind"
              ? t("mapEditor.notAField", { field: maybe(`field.${result.field}`) ?? String(result.field) })
              : t("mapEditor.noSuchColumn")}
        </Banner>
      );
    case "migration-closed":
      return <Banner tone="critical">{t("upload.closed")}</Banner>;
    case "file-missing":
      return <Banner tone="critical">{t("rerun.fileMissing")}</Banner>;
    case "invalid-format":
    case "invalid-form":
      return <Banner tone="critical">{t("rerun.invalidForm")}</Banner>;
    case "not-found":
      return <Banner tone="critical">{t("rerun.notFound")}</Banner>;
  }
}
