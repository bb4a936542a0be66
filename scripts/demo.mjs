#!/usr/bin/env node
// The first README command: the whole product on its embedded default — SQLite, the local
// Shopify emulator with a demo store, and the app in local demo mode — then the URL to open.
//
//   npm run demo [-- --port 3000 --emulator-port 4010 --customers 3000 --orders 9000 --seed 1 --data-dir .carryover/demo]
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuilt, ensureGenerated, ensureInstalled, localSecrets, root, run, step } from "./lib/prepare.mjs";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3000" },
    "emulator-port": { type: "string", default: process.env.EMULATOR_PORT ?? "4010" },
    customers: { type: "string", default: "3000" },
    orders: { type: "string", default: "9000" },
    seed: { type: "string", default: "1" },
    "data-dir": { type: "string", default: ".carryover/demo" },
    shop: { type: "string", default: "demo-store.myshopify.com" },
    fresh: { type: "boolean", default: false },
  },
});

const children = [];
function stopAll(code = 0) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

function start(name, cmd, cmdArgs, env) {
  const child = spawn(cmd, cmdArgs, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `[${name}] `;
  const forward = (stream, out) => stream.on("data", (d) => out.write(d.toString().replace(/^(?=.)/gm, prefix)));
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the demo`);
      stopAll(1);
    }
  });
  children.push(child);
  return child;
}
let stopping = false;
process.on("exit", () => {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
});

async function waitFor(url, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000}s`);
}

ensureInstalled();
ensureGenerated();
ensureBuilt();

const secrets = localSecrets();
const dataDir = path.resolve(root, args["data-dir"]);
if (args.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
fs.mkdirSync(dataDir, { recursive: true });
const appUrl = `http://127.0.0.1:${args.port}`;
const emulatorUrl = `http://127.0.0.1:${args["emulator-port"]}`;
const env = {
  ...process.env,
  NODE_ENV: "development",
  PORT: args.port,
  DATABASE_URL: `file:${path.join(dataDir, "carryover.db")}`,
  SHOPIFY_API_KEY: secrets.SHOPIFY_API_KEY,
  SHOPIFY_API_SECRET: secrets.SHOPIFY_API_SECRET,
  SHOPIFY_APP_URL: appUrl,
  CARRYOVER_ENCRYPTION_KEY: secrets.CARRYOVER_ENCRYPTION_KEY,
  SHOPIFY_ADMIN_API_ORIGIN: emulatorUrl,
  CARRYOVER_DEMO_SHOP: args.shop,
  EMULATOR_ACCESS_TOKEN: secrets.EMULATOR_ACCESS_TOKEN,
};

step(`Preparing the database (${path.relative(root, dataDir)}/carryover.db)…`);
run("node", ["scripts/db-deploy.mjs"], { env });

step(`Starting the Shopify emulator with ${args.customers} customers and ${args.orders} orders…`);
start(
  "emulator",
  process.execPath,
  [
    path.join(root, "node_modules/tsx/dist/cli.mjs"),
    "tests/emulators/shopify/cli.ts",
    "--port", args["emulator-port"],
    "--customers", args.customers,
    "--orders", args.orders,
    "--seed", args.seed,
    "--shop", args.shop,
    "--access-token", secrets.EMULATOR_ACCESS_TOKEN,
    "--app-url", appUrl,
    "--api-secret", secrets.SHOPIFY_API_SECRET,
  ],
  env,
);
await waitFor(`${emulatorUrl}/_emulator/health`, "the Shopify emulator");

run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/seed-demo-shop.ts"], { env });

// `npx carryover …` reads this when no DATABASE_URL is set, so the CLI works on the demo too.
const cliEnvKeys = ["NODE_ENV", "DATABASE_URL", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "CARRYOVER_ENCRYPTION_KEY", "SHOPIFY_ADMIN_API_ORIGIN"];
fs.writeFileSync(path.join(dataDir, "carryover.env"), cliEnvKeys.map((k) => `${k}=${env[k]}`).join("\n") + "\n", { mode: 0o600 });

step("Migrating the demo store's old loyalty program (import → sync → reconcile)…");
run(
  process.execPath,
  [
    path.join(root, "node_modules/tsx/dist/cli.mjs"),
    "scripts/demo-migration.ts",
    "--shop", args.shop,
    "--customers", args.customers,
    "--orders", args.orders,
    "--seed", args.seed,
    "--data-dir", dataDir,
  ],
  { env },
);

step("Starting Carryover…");
start("app", process.execPath, [path.join(root, "server.mjs")], env);
await waitFor(`${appUrl}/healthz`, "Carryover");

console.log(`
  Carryover demo is running.
    Open the admin:      ${appUrl}/app
    Shopify emulator:    ${emulatorUrl}/_emulator/health
  Create a customer in the emulator (delivers a signed customers/create webhook):
    curl -X POST ${emulatorUrl}/_emulator/customers -H 'content-type: application/json' -d '{"email":"ana@example.com","firstName":"Ana"}'
  Press Ctrl-C to stop.
`);
