import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, IndexTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { loadStoreOverview } from "../services/home.server";
import { startMigration } from "../services/admin/wizard.server";
import { appPath } from "../services/admin/paths";
import { formatter } from "../i18n";
import { requestLocale } from "../i18n/locale.server";
import { useI18n } from "../i18n/react";
import { Figure } from "../components/Figure";
import { StateBadge } from "../components/StateBadge";
import { useAppPath } from "../components/use-app-path";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  return { demo, overview: await loadStoreOverview(shop) };
};

const HomeAction = z.object({ intent: z.literal("start") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const parsed = HomeAction.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: "unknown intent" }, { status: 400 });
  const f = formatter(requestLocale(request, shop));
  const { id } = await startMigration(shop.id, f.t("home.defaultName", { date: f.date(new Date()) }));
  return redirect(appPath(request, `/app/migrations/${id}`));
};

function StartButton({ label, primary }: { label: string; primary: boolean }) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toLowerCase() === "post";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="start" />
      <Button submit variant={primary ? "primary" : "secondary"} loading={busy}>
        {label}
      </Button>
    </Form>
  );
}

export default function Home() {
  const { demo, overview } = useLoaderData<typeof loader>();
  const { t, date, maybe } = useI18n();
  const path = useAppPath();
  const list = overview.migrationList;
  return (
    <Page title={t("home.title")}>
      <Layout>
        {demo && (
          <Layout.Section>
            <Banner tone="info">{t("home.demoBanner", { shop: overview.shopDomain })}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("home.storeHeading")} · {overview.shopDomain}
            </Text>
            {overview.outcome === "ok" ? (
              <>
                <Text as="p" tone="subdued">
                  {t("home.storeCaption", { platform: overview.platform === "shopify" ? "Shopify" : "Nuvemshop" })}
                </Text>
                <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
                  <Figure label={t("home.customers")} value={overview.counts.customers} testId="customer-count" />
                  <Figure label={t("home.orders")} value={overview.counts.orders} testId="order-count" />
                  <Figure label={t("home.migrations")} value={overview.migrations} testId="migration-count" />
                </InlineGrid>
              </>
            ) : (
              <Banner tone="critical" title={t("home.platformUnavailable")}>
                <p data-testid="platform-error">{overview.reason}</p>
              </Banner>
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("home.loyaltyHeading")}
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
              <Figure label={t("home.members")} value={overview.loyalty.members} testId="member-count" />
              <Figure label={t("home.pointsRestored")} value={overview.loyalty.pointsRestored} testId="points-restored" />
              <Figure label={t("home.pendingMembers")} value={overview.loyalty.pendingMembers} testId="pending-count" help={t("home.pendingHelp")} />
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          {list.length === 0 ? (
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.emptyHeading")}
                </Text>
                <Text as="p">{t("home.emptyBody")}</Text>
                <InlineStack>
                  <StartButton label={t("home.start")} primary />
                </InlineStack>
              </BlockStack>
            </Card>
          ) : (
            <Card padding="0">
              <Box padding="400">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("home.migrationsHeading")}
                  </Text>
                  <StartButton label={t("home.startAnother")} primary={false} />
                </InlineStack>
              </Box>
              <IndexTable
                resourceName={{ singular: t("home.col.name"), plural: t("home.migrationsHeading") }}
                itemCount={list.length}
                selectable={false}
                headings={[
                  { title: t("home.col.name") },
                  { title: t("home.col.provider") },
                  { title: t("home.col.state") },
                  { title: t("home.col.cutover") },
                  { title: t("home.col.created") },
                ]}
              >
                {list.map((m, i) => (
                  <IndexTable.Row id={m.id} key={m.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={path(`/app/migrations/${m.id}`)} data-testid="migration-link">
                        <Text as="span" fontWeight="semibold">
                          {m.name}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{m.oldProvider ? (maybe(`provider.${m.oldProvider}`) ?? m.oldProvider) : t("common.notSet")}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <StateBadge state={m.state} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>{m.cutoverAt ? date(m.cutoverAt) : t("common.notSet")}</IndexTable.Cell>
                    <IndexTable.Cell>{date(m.createdAt)}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
