import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { badRequest, limitByIp, preflight, refused, storefrontJson, unavailable } from "../services/storefront/nuvemshop-http.server";
import { nuvemshopAnonymousView, nuvemshopMemberView } from "../services/storefront/nuvemshop-storefront.server";

const Query = z.object({ store: z.string().regex(/^\d{1,20}$/), customer: z.string().regex(/^\d{1,20}$/).optional() });

/**
 * GET /storefront/nuvemshop/points?store=S — the same answer for every visitor (is there a program to
 * show); with `&customer=C` it needs `Authorization: Bearer <access token>` bound to S and C (decision 0016).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const limited = limitByIp(request, "read");
  if (limited) return limited;
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return badRequest();
  const { store, customer } = query.data;

  if (customer === undefined) {
    const result = await nuvemshopAnonymousView({ storeId: store });
    if (result.outcome !== "view") return unavailable(result.outcome);
    return storefrontJson(result.view, 200, { "cache-control": "public, max-age=60" });
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!bearer) return refused("malformed");
  const result = await nuvemshopMemberView({ storeId: store, customerId: customer, access: bearer });
  if (result.outcome === "refused") return refused(result.reason);
  if (result.outcome !== "view") return unavailable(result.outcome);
  return storefrontJson(result.view);
};

/** The CORS preflight (the GET carries an Authorization header). */
export const action = async ({ request }: ActionFunctionArgs) => preflight(request) ?? storefrontJson({ error: "method_not_allowed" }, 405);
