import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import type { Locale } from "./i18n";

/** The document's language: the admin's (routes/app chooses it per request), English elsewhere. */
function useDocumentLanguage(): Locale {
  return useRouteLoaderData<{ locale: Locale }>("routes/app")?.locale ?? "en";
}

export default function App() {
  return (
    <html lang={useDocumentLanguage()}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
