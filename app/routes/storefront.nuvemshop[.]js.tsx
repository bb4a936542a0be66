import type { LoaderFunctionArgs } from "@remix-run/node";
import { nuvemshopStorefrontScript } from "../services/storefront/nuvemshop-script.server";

/**
 * The Nuvemshop storefront script (decision 0016): what the Partner Portal script loads on the store's
 * pages, with `?store=<id>` (and the association's query_params) appended by Nuvemshop.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { body, etag } = nuvemshopStorefrontScript();
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=300",
    etag,
    "access-control-allow-origin": "*",
    "x-content-type-options": "nosniff",
  };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
};
