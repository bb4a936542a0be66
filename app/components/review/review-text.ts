import type { Formatter } from "../../i18n";
import type { CustomerView, ReasonView } from "../../services/admin/review-step.server";

/**
 * Why a record is in review, in the merchant's language (the reasons come from domain/reconcile/match.ts):
 * short for a table cell, or in full (the decision dialog).
 */
export function reasonText(f: Pick<Formatter, "t" | "number">, reason: ReasonView | null, length: "short" | "full" = "full"): string {
  const { t, number } = f;
  const short = length === "short";
  if (reason === null) return "";
  switch (reason.kind) {
    case "shared_key":
      return t(short ? "review.why.shared_key" : "review.reason.shared_key", { count: number(reason.count), key: t(`review.key.${reason.key}`) });
    case "several_records": {
      const list = reason.others.map((o) => t("review.rowRef", { file: o.file, row: number(o.row) })).join("; ");
      const others = reason.more > 0 ? t("review.reason.moreRecords", { list, more: number(reason.more) }) : list;
      return t(short ? "review.why.several_records" : "review.reason.several_records", { count: number(reason.count), others });
    }
    case "email_variant":
      return t(short ? "review.why.email_variant" : "review.reason.email_variant");
    case "nothing_to_match_on":
      return t(short ? "review.why.nothing_to_match_on" : "review.reason.nothing_to_match_on");
    case "decision_unusable":
      return reason.gone ? t("review.reason.chosenGone") : t("review.reason.choseNobody");
    case "already_migrated": {
      const migrations =
        reason.more > 0 ? t("review.reason.moreMigrations", { name: reason.migration, more: number(reason.more) }) : t("review.reason.migrationName", { name: reason.migration });
      return t(short ? "review.why.already_migrated" : "review.reason.already_migrated", { points: number(reason.points), migrations });
    }
    default:
      return reason.text;
  }
}

/** A customer of the store as the merchant knows them: name, else e-mail, else phone, else the platform's id. */
export function customerLabel(c: CustomerView): string {
  return c.name ?? c.email ?? c.phone ?? c.platformId;
}

/** A customer's details after the label (what is not already in it). */
export function customerDetails(c: CustomerView): string {
  return [c.name ? c.email : null, c.name || c.email ? c.phone : null].filter(Boolean).join(" · ");
}
