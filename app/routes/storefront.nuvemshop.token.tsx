import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { badRequest, jsonBody, limitByIp, preflight, refused, storefrontJson, unavailable } from "../services/storefront/nuvemshop-http.server";
import { exchangeNuvemshopProof } from "../services/storefront/nuvemshop-storefront.server";

const Body = z.object({
  store: z.string().regex(/^\d{1,20}$/),
  customer: z.string().regex(/^\d{1,20}$/),
  proof: z.string().min(1).max(2048),
});

/** POST /storefront/nuvemshop/token — a proof for a fresh access token (10 minutes; decision 0016). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const pre = preflight(request);
  if (pre) return pre;
  if (request.method !== "POST") return storefrontJson({ error: "method_not_allowed" }, 405);
  const limited = limitByIp(request, "read");
  if (limited) return limited;
  const body = Body.safeParse(await jsonBody(request));
  if (!body.success) return badRequest();
  const result = await exchangeNuvemshopProof({ storeId: body.data.store, customerId: body.data.customer, proof: body.data.proof });
  if (result.outcome === "refused") return refused(result.reason);
  if (result.outcome !== "issued") return unavailable(result.outcome);
  return storefrontJson({ access: result.access, accessExpiresAt: result.accessExpiresAt });
};
