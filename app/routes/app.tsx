import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { PolarisVizProvider } from "@shopify/polaris-viz";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import { requireAdmin } from "../auth.server";
import { env } from "../env.server";
import { formatter, type Locale } from "../i18n";
import { requestLocale } from "../i18n/locale.server";
import { I18nProvider } from "../i18n/react";
import { useAppPath } from "../components/use-app-path";

export const links = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: polarisVizStyles },
];

const POLARIS: Record<Locale, typeof polarisEn> = {
  en: polarisEn,
  "pt-BR": polarisPtBR,
  es: polarisEs,
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { demo, shop } = await requireAdmin(request);
  return {
    apiKey: env().SHOPIFY_API_KEY,
    // Only a Shopify store's admin is embedded (App Bridge); the demo and Nuvemshop stores open in their own tab.
    embedded: !demo && shop.platform === "shopify",
    locale: requestLocale(request, shop),
  };
};

export default function AppLayout() {
  const { apiKey, embedded, locale } = useLoaderData<typeof loader>();
  const path = useAppPath();
  return (
    <AppProvider
      isEmbeddedApp={embedded}
      apiKey={apiKey}
      i18n={POLARIS[locale]}
    >
      <PolarisVizProvider>
        <I18nProvider locale={locale}>
          {embedded && (
            <NavMenu>
              <Link to={path("/app")} rel="home">
                {formatter(locale).t("nav.home")}
              </Link>
              <Link to={path("/app/members")}>
                {formatter(locale).t("nav.members")}
              </Link>
            </NavMenu>
          )}
          <div lang={locale}>
            <Outlet />
          </div>
        </I18nProvider>
      </PolarisVizProvider>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) =>
  boundary.headers(headersArgs);
