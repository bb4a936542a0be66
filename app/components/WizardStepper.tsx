import { Link } from "@remix-run/react";
import { Box, Card, InlineStack, Text } from "@shopify/polaris";
import type { StepView, WizardStep } from "../services/admin/wizard-steps";
import { useI18n } from "../i18n/react";
import { useAppPath } from "./use-app-path";

/**
 * The wizard's steps in a row: done (✓), current, not yet. Steps done or current are links; the
 * one on screen is marked aria-current.
 */
export function WizardStepper({ migrationId, steps, open }: { migrationId: string; steps: StepView[]; open: WizardStep | null }) {
  const { t } = useI18n();
  const path = useAppPath();
  return (
    <Card padding="300">
      <nav aria-label={t("wizard.stepper")}>
        <ol style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexWrap: "wrap", gap: "8px" }} data-testid="wizard-stepper">
          {steps.map((step, i) => {
            const isOpen = step.key === open;
            const marker = step.status === "complete" ? "✓" : String(i + 1);
            const label = (
              <InlineStack gap="150" blockAlign="center" wrap={false}>
                <span
                  aria-hidden
                  style={{
                    display: "inline-flex",
                    alignItems: "center",
                    justifyContent: "center",
                    width: 22,
                    height: 22,
                    borderRadius: 11,
                    fontSize: 12,
                    fontWeight: 600,
                    color: step.status === "upcoming" ? "#616161" : "#fff",
                    background: step.status === "complete" ? "#29845a" : step.status === "current" ? "#005bd3" : "#e3e3e3",
                  }}
                >
                  {marker}
                </span>
                <Text as="span" variant="bodyMd" fontWeight={isOpen ? "bold" : "regular"} tone={step.status === "upcoming" ? "subdued" : undefined}>
                  {t(`step.${step.key}`)}
                </Text>
                <span style={{ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)" }}>
                  {` (${t(`wizard.stepStatus.${step.status}`)})`}
                </span>
              </InlineStack>
            );
            return (
              <li key={step.key} data-step={step.key} data-status={step.status} aria-current={isOpen ? "step" : undefined} style={{ position: "relative" }}>
                <Box padding="150" borderRadius="200" background={isOpen ? "bg-surface-secondary" : undefined}>
                  {step.reachable && !isOpen ? (
                    <Link to={path(`/app/migrations/${migrationId}/${step.key}`)} style={{ textDecoration: "none", color: "inherit" }}>
                      {label}
                    </Link>
                  ) : (
                    label
                  )}
                </Box>
              </li>
            );
          })}
        </ol>
      </nav>
    </Card>
  );
}
