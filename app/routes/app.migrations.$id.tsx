import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, isRouteErrorResponse, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { migrationIdOf } from "../services/admin/step.server";
import { wizardView } from "../services/admin/wizard.server";
import { isWizardStep } from "../services/admin/wizard-steps";
import { useI18n } from "../i18n/react";
import { StateBadge } from "../components/StateBadge";
import { WizardStepper } from "../components/WizardStepper";
import { useAppPath } from "../components/use-app-path";

// The wizard's frame: the migration's name and state, the stepper, and the open step below (the
// review queue belongs to Sync & preview).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const view = await wizardView(shop.id, migrationIdOf(params));
  if (!view) throw new Response("Not found", { status: 404 });
  return view;
};

export default function MigrationWizard() {
  const view = useLoaderData<typeof loader>();
  const { t } = useI18n();
  const path = useAppPath();
  const segment = useLocation().pathname.split("/").filter(Boolean)[3] ?? "";
  return (
    <Page
      title={view.migration.name}
      titleMetadata={<StateBadge state={view.migration.state} />}
      backAction={{ content: t("wizard.backToHome"), url: path("/app") }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <WizardStepper migrationId={view.migration.id} steps={view.steps} open={segment === "review" ? "sync" : isWizardStep(segment) ? segment : null} />
            <Outlet />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useI18n();
  const path = useAppPath();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title={t("app.name")} backAction={{ content: t("wizard.backToHome"), url: path("/app") }}>
        <Banner tone="warning">{t("wizard.migrationNotFound")}</Banner>
      </Page>
    );
  }
  throw error;
}
