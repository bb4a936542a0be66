import { Badge } from "@shopify/polaris";
import { MIGRATION_STATES, type MigrationState } from "~domain/migration-state";
import { useI18n } from "../i18n/react";

type Tone = "info" | "success" | "warning" | "attention" | "critical" | undefined;

const TONE: Record<MigrationState, Tone> = {
  draft: undefined,
  uploaded: "info",
  validated: "info",
  rules_set: "info",
  syncing: "attention",
  previewed: "warning",
  applying: "attention",
  piloted: "warning",
  applied: "success",
  rolling_back: "attention",
  rolled_back: "critical",
};

export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  const known = (MIGRATION_STATES as readonly string[]).includes(state) ? (state as MigrationState) : null;
  if (!known) return <Badge>{state}</Badge>;
  return <Badge tone={TONE[known]}>{t(`state.${known}`)}</Badge>;
}
