import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, ChoiceList, FormLayout, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { PROVIDERS } from "~domain/import/types";
import { requireAdmin } from "../auth.server";
import { appPath } from "../services/admin/paths";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { OLD_PLATFORMS } from "../services/admin/options";
import { PlatformsForm, savePlatforms } from "../services/admin/wizard.server";
import { useI18n } from "../i18n/react";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { view, editable } = await loadStep(request, params, "platforms");
  return { migration: view.migration, editable };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = PlatformsForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { outcome: "required" as const };
  const saved = await savePlatforms(shop.id, migrationId, parsed.data);
  if (saved.outcome === "not-found") throw new Response("Not found", { status: 404 });
  if (saved.outcome === "saved") return redirect(appPath(request, `/app/migrations/${migrationId}/upload`));
  return saved;
};

export default function PlatformsStep() {
  const { migration, editable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useI18n();
  const [oldPlatform, setOldPlatform] = useState(migration.oldPlatform ?? "");
  const [oldProvider, setOldProvider] = useState(migration.oldProvider ?? "");
  const [cutoverAt, setCutoverAt] = useState(migration.cutoverAt ? migration.cutoverAt.slice(0, 10) : "");
  const [ordersMigrated, setOrdersMigrated] = useState(migration.ordersMigrated ? "yes" : "no");
  const [customersMigrated, setCustomersMigrated] = useState(migration.customersMigrated ? "yes" : "no");
  const yesNo = [
    { label: t("common.yes"), value: "yes" },
    { label: t("common.no"), value: "no" },
  ];
  const choose = { label: t("common.choose"), value: "", disabled: true };
  return (
    <Card>
      <Form method="post">
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("platforms.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("platforms.intro")}
            </Text>
          </BlockStack>
          {!editable && <Banner tone="info">{t("wizard.locked")}</Banner>}
          {result?.outcome === "required" && <Banner tone="critical">{t("platforms.required")}</Banner>}
          {result?.outcome === "migration-closed" && <Banner tone="critical">{t("platforms.closed")}</Banner>}
          {result?.outcome === "invalid" && (
            <Banner tone="critical" title={t("platforms.invalid")}>
              <List>
                {result.errors.map((e) => (
                  <List.Item key={e}>{e}</List.Item>
                ))}
              </List>
            </Banner>
          )}
          <FormLayout>
            <FormLayout.Group>
              <Select
                label={t("platforms.oldPlatform")}
                name="oldPlatform"
                options={[choose, ...OLD_PLATFORMS.map((p) => ({ label: t(`oldPlatform.${p}`), value: p }))]}
                value={oldPlatform}
                onChange={setOldPlatform}
                disabled={!editable}
              />
              <Select
                label={t("platforms.oldProvider")}
                name="oldProvider"
                options={[choose, ...PROVIDERS.map((p) => ({ label: t(`provider.${p}`), value: p }))]}
                value={oldProvider}
                onChange={setOldProvider}
                disabled={!editable}
              />
            </FormLayout.Group>
            <TextField
              label={t("platforms.cutover")}
              name="cutoverAt"
              type="date"
              value={cutoverAt}
              onChange={setCutoverAt}
              helpText={t("platforms.cutoverHelp")}
              autoComplete="off"
              disabled={!editable}
            />
            <ChoiceList
              title={t("platforms.ordersMigrated")}
              name="ordersMigrated"
              choices={yesNo.map((c) => ({ ...c, helpText: c.value === "yes" ? t("platforms.ordersMigratedHelp") : undefined }))}
              selected={[ordersMigrated]}
              onChange={(v) => setOrdersMigrated(v[0] ?? "no")}
              disabled={!editable}
            />
            <ChoiceList
              title={t("platforms.customersMigrated")}
              name="customersMigrated"
              choices={yesNo.map((c) => ({ ...c, helpText: c.value === "yes" ? t("platforms.customersMigratedHelp") : undefined }))}
              selected={[customersMigrated]}
              onChange={(v) => setCustomersMigrated(v[0] ?? "no")}
              disabled={!editable}
            />
          </FormLayout>
          {editable && (
            <InlineStack align="end">
              <Button submit variant="primary" loading={navigation.state === "submitting"}>
                {t("common.save")}
              </Button>
            </InlineStack>
          )}
        </BlockStack>
      </Form>
    </Card>
  );
}
