import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Banner, BlockStack, Button, Card, Page, Text } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import { z } from "zod";
import { formatter, matchLocale, DEFAULT_LOCALE, type Locale, type MessageKey } from "../i18n";
import { completeNuvemshopAuthorization, type RefusalProblem } from "../services/nuvemshop/install.server";
import { stateCookieFrom } from "../services/nuvemshop/oauth-state.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const Query = z.object({ code: z.string().min(1).max(512).optional(), state: z.string().min(1).max(512).optional() });

const PROBLEM: Record<RefusalProblem | "unavailable", MessageKey> = {
  state: "nuvemshop.refused.state",
  code: "nuvemshop.refused.code",
  scopes: "nuvemshop.refused.scopes",
  store: "nuvemshop.refused.store",
  unavailable: "nuvemshop.unavailable",
};

/** Before the shop is known, the language the browser asks for. */
function browserLocale(request: Request): Locale {
  const param = matchLocale(new URL(request.url).searchParams.get("locale"));
  if (param) return param;
  for (const tag of (request.headers.get("accept-language") ?? "").split(",")) {
    const locale = matchLocale(tag.split(";")[0]);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}

/** Nuvemshop's redirect after the merchant authorizes Carryover: install or sign in, then the admin. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = Query.safeParse({ code: params.code, state: params.state });
  const input = query.success ? query.data : {};
  const result = await completeNuvemshopAuthorization({ code: input.code ?? null, state: input.state ?? null, stateCookie: stateCookieFrom(request) });
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (result.outcome === "restart") {
    headers.set("Location", "/nuvemshop/install");
    return new Response(null, { status: 302, headers });
  }
  for (const cookie of result.setCookies) headers.append("Set-Cookie", cookie);
  if (result.outcome === "signed-in") {
    headers.set("Location", "/app");
    return new Response(null, { status: 302, headers });
  }
  const problem = result.outcome === "refused" ? result.problem : "unavailable";
  const status = result.outcome === "refused" ? result.status : 502;
  return Response.json({ locale: browserLocale(request), problem, detail: result.reason }, { status, headers });
};

export default function NuvemshopCallback() {
  const { locale, problem, detail } = useLoaderData<{ locale: Locale; problem: RefusalProblem | "unavailable"; detail: string }>();
  const { t } = formatter(locale);
  return (
    <PolarisAppProvider i18n={polarisEn}>
      <Page narrowWidth>
        <Card>
          <BlockStack gap="400">
            <Text variant="headingMd" as="h1">
              {t("nuvemshop.refused.title")}
            </Text>
            <Banner tone={problem === "unavailable" ? "warning" : "critical"}>{t(PROBLEM[problem])}</Banner>
            <Text as="p" tone="subdued" variant="bodySm">
              {t("nuvemshop.details", { detail })}
            </Text>
            <Button url="/nuvemshop/install" variant="primary">
              {t("nuvemshop.startAgain")}
            </Button>
          </BlockStack>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
