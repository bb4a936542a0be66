import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { loadStoreOverview } from "../services/home.server";
import { translate } from "../i18n/en";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  return { demo, overview: await loadStoreOverview(shop) };
};

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          <span data-testid={testId}>{value.toLocaleString("en")}</span>
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const { demo, overview } = useLoaderData<typeof loader>();
  return (
    <Page title={translate("home.title")}>
      <Layout>
        {demo && (
          <Layout.Section>
            <Banner tone="info">{translate("home.demoBanner", { shop: overview.shopDomain })}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {translate("home.storeHeading")} · {overview.shopDomain}
            </Text>
            {overview.outcome === "ok" ? (
              <>
                <Text as="p" tone="subdued">
                  {translate("home.storeCaption", { platform: overview.platform === "shopify" ? "Shopify" : "Nuvemshop" })}
                </Text>
                <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
                  <Figure label={translate("home.customers")} value={overview.counts.customers} testId="customer-count" />
                  <Figure label={translate("home.orders")} value={overview.counts.orders} testId="order-count" />
                  <Figure label={translate("home.migrations")} value={overview.migrations} testId="migration-count" />
                </InlineGrid>
              </>
            ) : (
              <Banner tone="critical" title={translate("home.platformUnavailable")}>
                <p data-testid="platform-error">{overview.reason}</p>
              </Banner>
            )}
          </BlockStack>
        </Layout.Section>
        {overview.migrations === 0 && (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {translate("home.emptyHeading")}
                </Text>
                <Text as="p">{translate("home.emptyBody")}</Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
