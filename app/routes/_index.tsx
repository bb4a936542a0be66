import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { env } from "../env.server";

// Shopify opens the app at "/" with ?shop=…&host=…; the admin lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop") || env().CARRYOVER_DEMO_SHOP) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
};
