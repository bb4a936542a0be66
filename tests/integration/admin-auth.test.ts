import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { callRoute } from "../support/remix";

/**
 * Every admin route, found from the route files themselves so that a new route cannot be
 * forgotten: without the demo mode (not set in the test environment) each loader and action
 * must refuse a request that carries no Shopify session.
 */
const routesDir = path.resolve("app/routes");
const adminRouteFiles = fs
  .readdirSync(routesDir)
  .filter((f) => /^app(\.|$)/.test(f) || f === "app.tsx")
  .map((f) => (fs.statSync(path.join(routesDir, f)).isDirectory() ? `${f}/route.tsx` : f));

describe("admin routes without a Shopify session", () => {
  it("finds the admin routes", () => {
    expect(adminRouteFiles).toContain("app.tsx");
    expect(adminRouteFiles).toContain("app._index.tsx");
  });

  for (const file of adminRouteFiles) {
    for (const kind of ["loader", "action"] as const) {
      it(`${file} ${kind} rejects an unauthenticated request`, async () => {
        const mod = (await import(/* @vite-ignore */ path.join(routesDir, file))) as Record<string, unknown>;
        const handler = mod[kind] as Parameters<typeof callRoute>[0] | undefined;
        if (!handler) return; // the route has no such export
        const request = new Request("http://127.0.0.1:3999/app", { method: kind === "loader" ? "GET" : "POST" });
        const res = await callRoute(handler, request);
        expect(res.status === 302 || res.status === 401 || res.status === 403, `got ${res.status}`).toBe(true);
        if (res.status === 302) expect(res.headers.get("location")).toMatch(/^\/auth\/login/);
      });

      it(`${file} ${kind} rejects a forged session token`, async () => {
        const mod = (await import(/* @vite-ignore */ path.join(routesDir, file))) as Record<string, unknown>;
        const handler = mod[kind] as Parameters<typeof callRoute>[0] | undefined;
        if (!handler) return;
        const forged = ["eyJhbGciOiJIUzI1NiJ9", Buffer.from(JSON.stringify({ dest: "https://victim.myshopify.com", aud: "test-api-key" })).toString("base64url"), "c2lnbmF0dXJl"].join(".");
        const request = new Request("http://127.0.0.1:3999/app?shop=victim.myshopify.com&embedded=1", {
          method: kind === "loader" ? "GET" : "POST",
          headers: { authorization: `Bearer ${forged}` },
        });
        const res = await callRoute(handler, request);
        expect([401, 403]).toContain(res.status);
      });
    }
  }
});
