import { useSearchParams } from "@remix-run/react";
import { useCallback } from "react";

/**
 * Links inside the admin keep the `locale` search param the admin was opened with (Shopify's
 * embedded admin passes it on the first load; the demo takes it by hand), so the next screen
 * speaks the same language.
 */
export function useAppPath(): (path: string) => string {
  const [params] = useSearchParams();
  const locale = params.get("locale");
  return useCallback(
    (path: string) => {
      if (!locale) return path;
      const url = new URL(path, "http://x");
      url.searchParams.set("locale", locale);
      return `${url.pathname}${url.search}`;
    },
    [locale],
  );
}
