import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { badRequest, jsonBody, limitByIp, preflight, rateLimited, refused, storefrontJson, unavailable } from "../services/storefront/nuvemshop-http.server";
import { verifyNuvemshopCode } from "../services/storefront/nuvemshop-storefront.server";

const Body = z.object({
  store: z.string().regex(/^\d{1,20}$/),
  customer: z.string().regex(/^\d{1,20}$/),
  challenge: z.string().min(1).max(2048),
  code: z.string().min(1).max(32),
});

/** POST /storefront/nuvemshop/verify — the mailed code for a proof (30 days) and an access token (10 minutes). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const pre = preflight(request);
  if (pre) return pre;
  if (request.method !== "POST") return storefrontJson({ error: "method_not_allowed" }, 405);
  const limited = limitByIp(request, "verify");
  if (limited) return limited;
  const body = Body.safeParse(await jsonBody(request));
  if (!body.success) return badRequest();
  const result = await verifyNuvemshopCode({ storeId: body.data.store, customerId: body.data.customer, challenge: body.data.challenge, code: body.data.code });
  if (result.outcome === "refused") return refused(result.reason);
  if (result.outcome === "rate-limited") return rateLimited(result.retryAfterSeconds);
  if (result.outcome !== "verified") return unavailable(result.outcome);
  return storefrontJson({ proof: result.proof, proofExpiresAt: result.proofExpiresAt, access: result.access, accessExpiresAt: result.accessExpiresAt });
};
