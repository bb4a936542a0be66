// Runs the Shopify Admin API emulator as a process:
//   tsx tests/emulators/shopify/cli.ts --port 4010 --customers 3000 --orders 9000 --seed 1 \
//     --shop demo-store.myshopify.com --access-token X --app-url http://127.0.0.1:3000 --api-secret S
// Every flag can also come from an environment variable (see README.md); flags win.

import { startShopifyEmulator, type ShopifyEmulatorOptions } from "./server.js";
import { CliError, isMain, runEmulatorCli } from "../run-cli.js";
export { CliError };

const FLAGS: Record<string, { env: string; key: keyof ShopifyEmulatorOptions | "maxAvailable" | "restoreRate"; num?: boolean }> = {
  "--port": { env: "SHOPIFY_EMULATOR_PORT", key: "port", num: true },
  "--host": { env: "SHOPIFY_EMULATOR_HOST", key: "host" },
  "--customers": { env: "SHOPIFY_EMULATOR_CUSTOMERS", key: "customers", num: true },
  "--orders": { env: "SHOPIFY_EMULATOR_ORDERS", key: "orders", num: true },
  "--seed": { env: "SHOPIFY_EMULATOR_SEED", key: "seed", num: true },
  "--shop": { env: "SHOPIFY_EMULATOR_SHOP", key: "shopDomain" },
  "--access-token": { env: "SHOPIFY_EMULATOR_ACCESS_TOKEN", key: "accessToken" },
  "--app-url": { env: "SHOPIFY_EMULATOR_APP_URL", key: "appUrl" },
  "--api-secret": { env: "SHOPIFY_EMULATOR_API_SECRET", key: "apiSecret" },
  "--app-id": { env: "SHOPIFY_EMULATOR_APP_ID", key: "appId" },
  "--currency": { env: "SHOPIFY_EMULATOR_CURRENCY", key: "currency" },
  "--id-style": { env: "SHOPIFY_EMULATOR_ID_STYLE", key: "idStyle" },
  "--webhook-api-version": { env: "SHOPIFY_EMULATOR_WEBHOOK_API_VERSION", key: "webhookApiVersion" },
  "--bulk-concurrency": { env: "SHOPIFY_EMULATOR_BULK_CONCURRENCY", key: "bulkConcurrency", num: true },
  "--reference-date": { env: "SHOPIFY_EMULATOR_REFERENCE_DATE", key: "referenceDate" },
  "--max-available": { env: "SHOPIFY_EMULATOR_MAX_AVAILABLE", key: "maxAvailable", num: true },
  "--restore-rate": { env: "SHOPIFY_EMULATOR_RESTORE_RATE", key: "restoreRate", num: true },
};

function usage(): string {
  return [
    "usage: tsx tests/emulators/shopify/cli.ts [flags]",
    ...Object.entries(FLAGS).map(([flag, f]) => `  ${flag.padEnd(24)} (env ${f.env})`),
  ].join("\n");
}


export function parseArgs(argv: string[], env: Record<string, string | undefined>): ShopifyEmulatorOptions {
  const values: Record<string, string> = {};
  for (const [flag, f] of Object.entries(FLAGS)) {
    const v = env[f.env];
    if (v !== undefined && v !== "") values[flag] = v;
  }
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? "";
    if (a === "--help" || a === "-h") throw new CliError(usage());
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!FLAGS[flag]) throw new CliError(`unknown flag ${a}\n${usage()}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++k];
    if (value === undefined) throw new CliError(`missing value for ${flag}`);
    values[flag] = value;
  }
  const opts: Record<string, unknown> = {};
  let maxAvailable: number | undefined;
  let restoreRate: number | undefined;
  for (const [flag, value] of Object.entries(values)) {
    const f = FLAGS[flag];
    if (!f) continue;
    const v = f.num ? Number(value) : value;
    if (f.num && !Number.isFinite(v)) throw new CliError(`${flag} must be a number`);
    if (f.key === "maxAvailable") maxAvailable = v as number;
    else if (f.key === "restoreRate") restoreRate = v as number;
    else opts[f.key] = v;
  }
  if (maxAvailable !== undefined || restoreRate !== undefined) {
    opts.throttle = { maximumAvailable: maxAvailable ?? 2000, restoreRate: restoreRate ?? 100 };
  }
  return opts as ShopifyEmulatorOptions;
}

if (isMain(import.meta.url)) runEmulatorCli("shopify-emulator", parseArgs, startShopifyEmulator);
