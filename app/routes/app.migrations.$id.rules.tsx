import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, ChoiceList, FormLayout, InlineGrid, InlineStack, List, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "../auth.server";
import { appPath } from "../services/admin/paths";
import { RulesForm, rulesFormFrom, rulesStepView, saveRulesStep } from "../services/admin/rules-step.server";
import { loadStep, migrationIdOf } from "../services/admin/step.server";
import { useI18n } from "../i18n/react";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, view, editable } = await loadStep(request, params, "rules");
  const rules = await rulesStepView(shop, view.migration.id);
  if (!rules) throw new Response("Not found", { status: 404 });
  return { rules, editable, currency: shop.currency ?? "USD" };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const migrationId = migrationIdOf(params);
  const parsed = RulesForm.safeParse(rulesFormFrom(await request.formData()));
  if (!parsed.success) return { outcome: "retroactive-invalid" as const };
  const saved = await saveRulesStep(shop.id, migrationId, parsed.data);
  if (saved.outcome === "not-found") throw new Response("Not found", { status: 404 });
  if (saved.outcome === "saved") return redirect(appPath(request, `/app/migrations/${migrationId}/sync`));
  return saved;
};

export default function RulesStep() {
  const { rules, editable, currency } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, maybe, date, currency: money } = useI18n();
  const [completed, setCompleted] = useState(rules.completed);
  const [cancelled, setCancelled] = useState(rules.cancelled);
  const [retroactive, setRetroactive] = useState(rules.retroactive !== null);
  const [rate, setRate] = useState(String(rules.retroactive?.pointsPerCurrencyUnit ?? 1));
  const [from, setFrom] = useState(rules.retroactive?.from.slice(0, 10) ?? "");
  const [to, setTo] = useState(rules.retroactive?.to.slice(0, 10) ?? rules.cutoverAt.slice(0, 10));
  const choices = rules.states.map((s) => ({ value: s.key, label: maybe(`orderState.${s.key}`) ?? s.label }));
  const platform = rules.platform === "shopify" ? "Shopify" : "Nuvemshop";
  return (
    <Card>
      <Form method="post">
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {t("rules.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("rules.intro", { platform })}
            </Text>
            <Text as="p" tone="subdued">
              {t("rules.cutoverNote", { date: date(rules.cutoverAt), orders: rules.ordersMigrated ? t("common.yes") : t("common.no") })}
            </Text>
          </BlockStack>
          {!editable && <Banner tone="info">{t("rules.closed")}</Banner>}
          {rules.errors.length > 0 && !result && (
            <Banner tone="warning" title={t("rules.storedInvalid")}>
              <List>
                {rules.errors.map((e) => (
                  <List.Item key={e}>{e}</List.Item>
                ))}
              </List>
            </Banner>
          )}
          {result?.outcome === "retroactive-invalid" && <Banner tone="critical">{t("rules.retroactiveInvalid")}</Banner>}
          {result?.outcome === "migration-closed" && <Banner tone="critical">{t("rules.closed")}</Banner>}
          {result?.outcome === "invalid" && (
            <Banner tone="critical" title={t("rules.invalid")}>
              <List>
                {result.errors.map((e) => (
                  <List.Item key={e}>{e}</List.Item>
                ))}
              </List>
            </Banner>
          )}
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <ChoiceList allowMultiple title={t("rules.completed")} name="completed" choices={choices} selected={completed} onChange={setCompleted} disabled={!editable} />
            <ChoiceList allowMultiple title={t("rules.cancelled")} name="cancelled" choices={choices} selected={cancelled} onChange={setCancelled} disabled={!editable} />
          </InlineGrid>
          <FormLayout>
            <Checkbox
              label={t("rules.retroactive")}
              helpText={t("rules.retroactiveHelp")}
              name="retroactive"
              value="on"
              checked={retroactive}
              onChange={setRetroactive}
              disabled={!editable}
            />
            {retroactive && (
              <FormLayout.Group condensed>
                <TextField label={t("rules.rate", { amount: money(1, currency) })} name="pointsPerCurrencyUnit" type="number" min={0} step={0.01} value={rate} onChange={setRate} autoComplete="off" disabled={!editable} />
                <TextField label={t("rules.from")} name="from" type="date" value={from} onChange={setFrom} autoComplete="off" disabled={!editable} />
                <TextField label={t("rules.to")} name="to" type="date" value={to} onChange={setTo} autoComplete="off" disabled={!editable} />
              </FormLayout.Group>
            )}
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
