import { clientIp, STOREFRONT_RATE, TokenBucketLimiter } from "./rate-limit.server";
import type { Refusal } from "./nuvemshop-storefront.server";

/**
 * HTTP shape of the Nuvemshop storefront endpoints (decision 0016). The widget runs on the store's own
 * domain and calls the app cross-origin, without cookies: every answer allows any origin (`*`, never with
 * credentials), since what protects an answer is the bearer token, not where the page came from.
 */
export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, accept",
  "access-control-max-age": "600",
} as const;

export function storefrontJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...CORS_HEADERS, ...headers } });
}

/** The CORS preflight of a cross-origin request with a JSON body or an Authorization header. */
export function preflight(request: Request): Response | null {
  if (request.method !== "OPTIONS") return null;
  return new Response(null, { status: 204, headers: { ...CORS_HEADERS, "cache-control": "no-store" } });
}

/** Per visitor IP, in this process (as the Shopify proxy's, decision 0014): every endpoint, then the code ones. */
export const nuvemshopStorefrontLimiter = new TokenBucketLimiter(STOREFRONT_RATE);
export const CODE_IP_RATE = { capacity: 5, refillPerSecond: 1 / 60 } as const;
const codeIpLimiter = new TokenBucketLimiter(CODE_IP_RATE);
export const VERIFY_IP_RATE = { capacity: 20, refillPerSecond: 1 / 10 } as const;
const verifyIpLimiter = new TokenBucketLimiter(VERIFY_IP_RATE);

export function rateLimited(retryAfterSeconds: number): Response {
  return storefrontJson({ error: "rate_limited" }, 429, { "retry-after": String(retryAfterSeconds) });
}

/** 429 when this IP asked too often (`kind`: the stricter limit of the code and verify endpoints too). */
export function limitByIp(request: Request, kind: "read" | "code" | "verify"): Response | null {
  const ip = clientIp(request);
  const limiters = kind === "code" ? [nuvemshopStorefrontLimiter, codeIpLimiter] : kind === "verify" ? [nuvemshopStorefrontLimiter, verifyIpLimiter] : [nuvemshopStorefrontLimiter];
  for (const limiter of limiters) {
    const rate = limiter.take(ip);
    if (!rate.allowed) return rateLimited(rate.retryAfterSeconds);
  }
  return null;
}

/** Every refusal is a 401; only an expired token (whose signature was good) says so, so the widget renews it. */
export function refused(reason: Refusal): Response {
  const error = reason === "expired" ? "token_expired" : reason === "wrong-code" ? "wrong_code" : "invalid_token";
  return storefrontJson({ error }, 401);
}

export function unavailable(outcome: "not-configured" | "not-installed" | "mail-unavailable"): Response {
  if (outcome === "not-installed") return storefrontJson({ error: "not_installed" }, 404);
  return storefrontJson({ error: outcome === "not-configured" ? "not_configured" : "verification_unavailable" }, 503);
}

export function badRequest(): Response {
  return storefrontJson({ error: "bad_request" }, 400);
}

/** The JSON body of a POST, or null when it is not JSON. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return null;
  }
}
