import { describe, expect, it } from "vitest";
import { applySecurityHeaders, applySecurityHeadersToNode, framesNothing, securePolicy } from "./security-headers.server";

const SHOPIFY = "frame-ancestors https://a-shop.myshopify.com https://admin.shopify.com https://*.spin.dev https://admin.myshopify.io https://admin.shop.dev;";

describe("security headers", () => {
  it("keeps Shopify's frame-ancestors for the embedded admin and adds base-uri and object-src", () => {
    expect(securePolicy(SHOPIFY)).toBe(`${SHOPIFY.slice(0, -1)}; base-uri 'self'; object-src 'none'`);
    expect(framesNothing(securePolicy(SHOPIFY))).toBe(false);
  });

  it("lets nothing frame a response that names no frame-ancestors", () => {
    expect(securePolicy(null)).toBe("frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
    expect(securePolicy("default-src 'self'")).toBe("frame-ancestors 'none'; default-src 'self'; base-uri 'self'; object-src 'none'");
    expect(securePolicy("object-src 'self'; base-uri 'none'")).toBe("frame-ancestors 'none'; object-src 'self'; base-uri 'none'");
    expect(framesNothing(securePolicy(null))).toBe(true);
  });

  it("sets X-Frame-Options only where nothing may frame, removes it from the embedded admin, HSTS in production only", () => {
    const embedded = applySecurityHeaders(new Headers({ "Content-Security-Policy": SHOPIFY, "X-Frame-Options": "DENY", "X-Powered-By": "Express" }), { production: true });
    expect(embedded.get("x-frame-options")).toBeNull();
    expect(embedded.get("x-powered-by")).toBeNull();
    expect(embedded.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    const other = applySecurityHeaders(new Headers(), { production: false });
    expect(Object.fromEntries(other)).toEqual({
      "content-security-policy": "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    // A response that chose its own referrer policy keeps it.
    expect(applySecurityHeaders(new Headers({ "Referrer-Policy": "no-referrer" }), { production: false }).get("referrer-policy")).toBe("no-referrer");
  });

  it("writes the same headers on a Node response", () => {
    const store = new Map<string, string>([["x-powered-by", "Express"]]);
    applySecurityHeadersToNode(
      { getHeader: (n) => store.get(n.toLowerCase()), setHeader: (n, v) => store.set(n.toLowerCase(), v), removeHeader: (n) => store.delete(n.toLowerCase()) },
      { production: true },
    );
    expect(Object.fromEntries(store)).toEqual({
      "content-security-policy": "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
      "strict-transport-security": "max-age=63072000; includeSubDomains",
    });
  });
});
