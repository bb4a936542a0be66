// Runs the Nuvemshop API emulator as a process:
//   tsx tests/emulators/nuvemshop/cli.ts --port 4020 --customers 3000 --orders 9000 --seed 1 \
//     --store-id 1234567 --access-token X --app-url http://127.0.0.1:3000 --app-secret S
// Every flag can also come from an environment variable (see README.md); flags win.

import { startNuvemshopEmulator, type NuvemshopEmulatorOptions } from "./server.js";
import { CliError, isMain, runEmulatorCli } from "../run-cli.js";
export { CliError };

type Key = keyof NuvemshopEmulatorOptions | "bucketSize" | "leakPerSecond" | "webhookPath" | "partnerScript";

const FLAGS: Record<string, { env: string; key: Key; num?: boolean; bool?: boolean }> = {
  "--port": { env: "NUVEMSHOP_EMULATOR_PORT", key: "port", num: true },
  "--host": { env: "NUVEMSHOP_EMULATOR_HOST", key: "host" },
  "--customers": { env: "NUVEMSHOP_EMULATOR_CUSTOMERS", key: "customers", num: true },
  "--orders": { env: "NUVEMSHOP_EMULATOR_ORDERS", key: "orders", num: true },
  "--seed": { env: "NUVEMSHOP_EMULATOR_SEED", key: "seed", num: true },
  "--store-id": { env: "NUVEMSHOP_EMULATOR_STORE_ID", key: "storeId", num: true },
  "--access-token": { env: "NUVEMSHOP_EMULATOR_ACCESS_TOKEN", key: "accessToken" },
  "--user-agent-required": { env: "NUVEMSHOP_EMULATOR_USER_AGENT_REQUIRED", key: "userAgentRequired", bool: true },
  "--app-url": { env: "NUVEMSHOP_EMULATOR_APP_URL", key: "appUrl" },
  "--webhook-path": { env: "NUVEMSHOP_EMULATOR_WEBHOOK_PATH", key: "webhookPath" },
  "--app-secret": { env: "NUVEMSHOP_EMULATOR_APP_SECRET", key: "appSecret" },
  "--app-id": { env: "NUVEMSHOP_EMULATOR_APP_ID", key: "appId", num: true },
  "--redirect-url": { env: "NUVEMSHOP_EMULATOR_REDIRECT_URL", key: "redirectUrl" },
  "--scope": { env: "NUVEMSHOP_EMULATOR_SCOPE", key: "scope" },
  "--code-ttl-ms": { env: "NUVEMSHOP_EMULATOR_CODE_TTL_MS", key: "codeTtlMs", num: true },
  "--reference-date": { env: "NUVEMSHOP_EMULATOR_REFERENCE_DATE", key: "referenceDate" },
  "--date-offset": { env: "NUVEMSHOP_EMULATOR_DATE_OFFSET", key: "dateOffset" },
  "--bucket-size": { env: "NUVEMSHOP_EMULATOR_BUCKET_SIZE", key: "bucketSize", num: true },
  "--leak-per-second": { env: "NUVEMSHOP_EMULATOR_LEAK_PER_SECOND", key: "leakPerSecond", num: true },
  "--partner-script": { env: "NUVEMSHOP_EMULATOR_PARTNER_SCRIPTS", key: "partnerScript" },
};

function usage(): string {
  return ["usage: tsx tests/emulators/nuvemshop/cli.ts [flags]", ...Object.entries(FLAGS).map(([flag, f]) => `  ${flag.padEnd(24)} (env ${f.env})`)].join("\n");
}


/** `--partner-script 7001=https://app/script.js[,7002=…]`: the Partner Portal's scripts of the app. */
function parsePartnerScripts(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(",").map((x) => x.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    const id = pair.slice(0, eq);
    const src = pair.slice(eq + 1);
    if (eq <= 0 || !/^\d+$/.test(id) || !/^https?:\/\//.test(src)) throw new CliError(`--partner-script takes id=url pairs, got ${pair}`);
    out[id] = src;
  }
  return out;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined>): NuvemshopEmulatorOptions {
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
  let size: number | undefined;
  let leak: number | undefined;
  for (const [flag, value] of Object.entries(values)) {
    const f = FLAGS[flag];
    if (!f) continue;
    let v: unknown = value;
    if (f.num) {
      v = Number(value);
      if (!Number.isFinite(v)) throw new CliError(`${flag} must be a number`);
    } else if (f.bool) {
      if (!["true", "false", "1", "0"].includes(value)) throw new CliError(`${flag} must be true or false`);
      v = value === "true" || value === "1";
    }
    if (f.key === "bucketSize") size = v as number;
    else if (f.key === "leakPerSecond") leak = v as number;
    else if (f.key === "webhookPath") opts.webhookPaths = { "*": v };
    else if (f.key === "partnerScript") opts.partnerScripts = parsePartnerScripts(value);
    else opts[f.key] = v;
  }
  if (opts.dateOffset !== undefined && opts.dateOffset !== "+0000" && opts.dateOffset !== "-0300") throw new CliError("--date-offset must be +0000 or -0300");
  if (size !== undefined || leak !== undefined) opts.bucket = { size: size ?? 40, leakPerSecond: leak ?? 2 };
  return opts as NuvemshopEmulatorOptions;
}

if (isMain(import.meta.url)) runEmulatorCli("nuvemshop-emulator", parseArgs, startNuvemshopEmulator);
