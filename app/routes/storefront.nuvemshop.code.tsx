import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { badRequest, jsonBody, limitByIp, preflight, rateLimited, storefrontJson, unavailable } from "../services/storefront/nuvemshop-http.server";
import { requestNuvemshopCode } from "../services/storefront/nuvemshop-storefront.server";
import { WIDGET_LOCALES } from "../services/storefront/nuvemshop-strings.server";

const Body = z.object({
  store: z.string().regex(/^\d{1,20}$/),
  customer: z.string().regex(/^\d{1,20}$/),
  lang: z.enum(WIDGET_LOCALES as ["en", "pt-BR", "es"]).default("en"),
});

/** POST /storefront/nuvemshop/code — mail a one-time code to the customer's address on Nuvemshop (decision 0016). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const pre = preflight(request);
  if (pre) return pre;
  if (request.method !== "POST") return storefrontJson({ error: "method_not_allowed" }, 405);
  const limited = limitByIp(request, "code");
  if (limited) return limited;
  const body = Body.safeParse(await jsonBody(request));
  if (!body.success) return badRequest();
  const result = await requestNuvemshopCode({ storeId: body.data.store, customerId: body.data.customer, locale: body.data.lang });
  if (result.outcome === "rate-limited") return rateLimited(result.retryAfterSeconds);
  if (result.outcome !== "sent") return unavailable(result.outcome);
  return storefrontJson({ challenge: result.challenge, expiresAt: result.expiresAt });
};
