import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";

// The demo mode stands in for Shopify's admin session; it must be impossible in production.
test("the built server refuses to start in production with the demo mode on", () => {
  const result = spawnSync(process.execPath, ["server.mjs"], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: "3199",
      SHOPIFY_API_KEY: "key",
      SHOPIFY_API_SECRET: "secret-0123456789abcdef",
      SHOPIFY_APP_URL: "https://carryover.example",
      CARRYOVER_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
      CARRYOVER_DEMO_SHOP: "demo-store.myshopify.com",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.status).not.toBe(0);
  expect(result.stderr + result.stdout).toContain("CARRYOVER_DEMO_SHOP: demo mode is refused when NODE_ENV=production");
});
