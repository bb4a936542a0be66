import { test as base, expect } from "@playwright/test";

export const EMULATOR = `http://127.0.0.1:${process.env.E2E_EMULATOR_PORT ?? 4110}`;
export const ARTIFACTS = "tests/e2e/artifacts";

/**
 * Every page is confined to loopback: App Bridge's CDN script and any other outside request
 * fail at once instead of hanging (no machine here reaches the internet, and tests must not try).
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    await page.route("**/*", (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === "127.0.0.1" || host === "localhost" || host === "[::1]" ? route.continue() : route.abort("blockedbyclient");
    });
    await use(page);
  },
});

export { expect };
