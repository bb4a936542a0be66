import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Box, Card, Text } from "@shopify/polaris";
import { loadStep } from "../services/admin/step.server";
import type { WizardStep } from "../services/admin/wizard-steps";
import { useI18n } from "../i18n/react";

/** What carries a step on until its screen exists: the CLI command that calls the same service. */
function cliCommand(step: WizardStep, migrationId: string): string {
  switch (step) {
    case "apply":
      return `npx carryover apply --migration ${migrationId}`;
    default:
      return `npx carryover report --migration ${migrationId}`;
  }
}

// The steps whose screens are still to come (Apply, Report); the others have their own route files.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { view, step } = await loadStep(request, params, params.step ?? "");
  return { step, command: cliCommand(step, view.migration.id) };
};

export default function StepToCome() {
  const { step, command } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(`step.${step}`)}
        </Text>
        <Text as="p" fontWeight="semibold">
          {t("wizard.notYetHeading")}
        </Text>
        <Text as="p">{t("wizard.notYetBody")}</Text>
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <code data-testid="cli-command">{command}</code>
        </Box>
      </BlockStack>
    </Card>
  );
}
