import { defineConfig } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the same demo
// stack the README starts, on its own ports and a fresh database.
// E2E_APP_PORT / E2E_EMULATOR_PORT move the stack when two runs share a machine.
export const E2E_APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
export const E2E_EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 4110);
// The Nuvemshop stack (tests/e2e/nuvemshop-*.spec.ts): the same demo with --platform nuvemshop, its own
// ports and data dir, the app not installed yet (the spec installs it through the browser).
export const E2E_NS_APP_PORT = Number(process.env.E2E_NS_APP_PORT ?? 3200);
export const E2E_NS_EMULATOR_PORT = Number(process.env.E2E_NS_EMULATOR_PORT ?? 4210);
export const E2E_NS_DATA_DIR = ".carryover/e2e-nuvemshop";

// Started unless the command names spec files and none of them is a Nuvemshop one (so a run of one
// Shopify spec does not wait for a second stack); E2E_NUVEMSHOP=1 or 0 decides instead.
const namedSpecs = process.argv.slice(2).filter((a) => /\.spec\.ts(:\d+)*$/.test(a));
const withNuvemshop = process.env.E2E_NUVEMSHOP ? process.env.E2E_NUVEMSHOP === "1" : namedSpecs.length === 0 || namedSpecs.some((a) => a.includes("nuvemshop"));

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  timeout: 60_000,
  workers: 1,
  reporter: process.env.PLAYWRIGHT_REPORTER ? [[process.env.PLAYWRIGHT_REPORTER]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_APP_PORT}`,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: `node scripts/demo.mjs --fresh --port ${E2E_APP_PORT} --emulator-port ${E2E_EMULATOR_PORT} --data-dir .carryover/e2e --customers 1234 --orders 4321 --seed 7`,
      url: `http://127.0.0.1:${E2E_APP_PORT}/healthz`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
    },
    ...(withNuvemshop
      ? [
          {
            command: `node scripts/demo.mjs --platform nuvemshop --no-install --fresh --port ${E2E_NS_APP_PORT} --emulator-port ${E2E_NS_EMULATOR_PORT} --data-dir ${E2E_NS_DATA_DIR} --customers 200 --orders 600 --seed 7`,
            url: `http://127.0.0.1:${E2E_NS_APP_PORT}/healthz`,
            timeout: 180_000,
            reuseExistingServer: false,
            stdout: "pipe" as const,
            stderr: "pipe" as const,
          },
        ]
      : []),
  ],
});
