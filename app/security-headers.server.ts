/**
 * The HTTP security headers of every response Carryover sends (docs/security.md).
 *
 * - `Content-Security-Policy` always names `frame-ancestors`. Shopify's embedded admin is the one page
 *   meant to be framed: for a document request carrying the `shop` param, shopify-app-remix's
 *   `addDocumentResponseHeaders` (app/entry.server.tsx) sets `frame-ancestors https://<shop>
 *   https://admin.shopify.com …`, as Shopify requires, and that value is kept. Everything else — the
 *   Nuvemshop admin (an external app in its own tab), the demo, the login page, JSON, CSV, webhooks,
 *   the health check, static files — gets `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for
 *   browsers that predate CSP). `base-uri 'self'` and `object-src 'none'` are added to every policy.
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: strict-origin-when-cross-origin`.
 * - `Strict-Transport-Security` in production only (a local http server must stay reachable).
 * - No `X-Powered-By`.
 *
 * Applied twice over: by the Remix entry (documents and data requests, so `remix vite:dev` has them
 * too) and by server.mjs on every response Express writes (resource routes, static files, errors),
 * setting only what a response does not already say.
 */

export const FRAME_NONE = "frame-ancestors 'none'";
export const REFERRER_POLICY = "strict-origin-when-cross-origin";
export const HSTS = "max-age=63072000; includeSubDomains";
const EXTRA_DIRECTIVES: Array<[string, string]> = [
  ["base-uri", "base-uri 'self'"],
  ["object-src", "object-src 'none'"],
];

export interface SecurityHeaderOptions {
  production: boolean;
}

/** The few operations both a fetch `Headers` and a Node `ServerResponse` offer. */
interface HeaderAccess {
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): void;
}

function directivesOf(policy: string): string[] {
  return policy
    .split(";")
    .map((d) => d.trim())
    .filter(Boolean);
}

/** The policy with frame-ancestors (default 'none'), base-uri and object-src present. */
export function securePolicy(existing: string | null): string {
  const directives = directivesOf(existing ?? "");
  const has = (name: string) => directives.some((d) => d.toLowerCase().split(/\s+/)[0] === name);
  if (!has("frame-ancestors")) directives.unshift(FRAME_NONE);
  for (const [name, directive] of EXTRA_DIRECTIVES) if (!has(name)) directives.push(directive);
  return directives.join("; ");
}

/** Whether a policy lets no page frame the response. */
export function framesNothing(policy: string): boolean {
  const frame = directivesOf(policy).find((d) => d.toLowerCase().startsWith("frame-ancestors"));
  return frame !== undefined && /^frame-ancestors\s+'none'$/i.test(frame);
}

function apply(h: HeaderAccess, options: SecurityHeaderOptions): void {
  const policy = securePolicy(h.get("content-security-policy"));
  h.set("Content-Security-Policy", policy);
  if (framesNothing(policy)) {
    if (!h.get("x-frame-options")) h.set("X-Frame-Options", "DENY");
  } else {
    // The embedded admin: X-Frame-Options has no way to name Shopify's admin, and would block it.
    h.delete("X-Frame-Options");
  }
  h.set("X-Content-Type-Options", "nosniff");
  if (!h.get("referrer-policy")) h.set("Referrer-Policy", REFERRER_POLICY);
  if (options.production) {
    if (!h.get("strict-transport-security")) h.set("Strict-Transport-Security", HSTS);
  }
  h.delete("X-Powered-By");
}

/** For a fetch Response's headers (the Remix entry). */
export function applySecurityHeaders(headers: Headers, options: SecurityHeaderOptions): Headers {
  apply(
    {
      get: (n) => headers.get(n),
      set: (n, v) => headers.set(n, v),
      delete: (n) => headers.delete(n),
    },
    options,
  );
  return headers;
}

/** What server.mjs hands over: a Node response before its head is written. */
export interface NodeHeaderTarget {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string): unknown;
  removeHeader(name: string): void;
}

/** For a Node response (server.mjs, every response Express writes). */
export function applySecurityHeadersToNode(res: NodeHeaderTarget, options: SecurityHeaderOptions): void {
  apply(
    {
      get: (n) => {
        const v = res.getHeader(n);
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : String(v);
      },
      set: (n, v) => void res.setHeader(n, v),
      delete: (n) => res.removeHeader(n),
    },
    options,
  );
}
