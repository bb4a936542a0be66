import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Box, Card, Text } from "@shopify/polaris";
import { loadStep } from "../services/admin/step.server";
import type { WizardStep } from "../services/admin/wizard-steps";
import { useI18n } from "../i18n/react";

/** What carries a step on until its screen exists: the CLI command that calls the same service. */
function cliCommand(step: WizardStep, migrationId: string, shopDomain: string, provider: string | null): string {
  switch (step) {
    case "map":
      return `npx carryover import --shop ${shopDomain} --provider ${provider ?? "generic"} --file <export.csv>`;
    case "rules":
      return `npx carryover rules --migration ${migrationId}`;
    case "sync":
      return `npx carryover reconcile --migration ${migrationId}`;
    case "apply":
      return `npx carryover apply --migration ${migrationId}`;
    default:
      return `npx carryover report --migration ${migrationId}`;
  }
}

// The steps whose screens are still to come (Map & validate, Rules, Sync & preview, Apply, Report).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, step } = await loadStep(request, params, params.step ?? "");
  return { step, command: cliCommand(step, view.migration.id, shop.domain, view.migration.oldProvider) };
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
