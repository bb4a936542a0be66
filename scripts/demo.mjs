#!/usr/bin/env node
// The first README command: the whole product on its embedded default — SQLite, the local
// Shopify emulator with a demo store, and the app in local demo mode — then the URL to open.
//
//   npm run demo [-- --port 3000 --emulator-port 4010 --customers 3000 --orders 9000 --seed 1 --data-dir .carryover/demo]
//   npm run demo -- --platform nuvemshop   # the same on the Nuvemshop emulator: installed through its OAuth flow
import { spawn } from "node:child_process";
import crypto from "node:crypto";
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
    // shopify (default) or nuvemshop: the Nuvemshop emulator, the app installed through the OAuth flow.
    platform: { type: "string", default: "shopify" },
    // Nuvemshop only: start the emulator and the app, and leave the install (and the migration) to the
    // browser — the e2e journey does both through the screens.
    "no-install": { type: "boolean", default: false },
  },
});
if (!["shopify", "nuvemshop"].includes(args.platform)) {
  console.error(`--platform must be shopify or nuvemshop, not ${args.platform}`);
  process.exit(2);
}

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

// The processes keep running until Ctrl-C.
if (args.platform === "nuvemshop") await nuvemshopDemo();
else await shopifyDemo();

/** The Shopify demo store (the default): the Shopify emulator, the demo shop in local demo mode, the migration. */
async function shopifyDemo() {
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
}

/** The Nuvemshop demo store: the Nuvemshop emulator, the app installed through its OAuth flow, the same migration. */
async function nuvemshopDemo() {
  const storeId = "1234567"; // the emulator's default store id
  const appId = "4321"; // the emulator's default app id
  const scriptId = "7001"; // the storefront script, as the emulator's Partner Portal knows it
  const outbox = path.join(dataDir, "outbox");
  const nuvemshopEnv = { ...env };
  // This demo is a Nuvemshop store: no Shopify demo shop, and no Shopify emulator.
  delete nuvemshopEnv.CARRYOVER_DEMO_SHOP;
  delete nuvemshopEnv.SHOPIFY_ADMIN_API_ORIGIN;
  delete nuvemshopEnv.EMULATOR_ACCESS_TOKEN;
  Object.assign(nuvemshopEnv, {
    NUVEMSHOP_APP_ID: appId,
    // A local app secret, derived from the local secrets (never committed): it signs webhooks and the widget's tokens.
    NUVEMSHOP_APP_SECRET: crypto.createHmac("sha256", secrets.SHOPIFY_API_SECRET).update("carryover demo nuvemshop app secret").digest("hex"),
    NUVEMSHOP_API_ORIGIN: emulatorUrl,
    NUVEMSHOP_OAUTH_ORIGIN: emulatorUrl,
    NUVEMSHOP_SCRIPT_ID: scriptId,
    // The widget's one-time codes are written here instead of being mailed (development only).
    CARRYOVER_MAIL_OUTBOX: outbox,
  });

  step(`Starting the Nuvemshop emulator with ${args.customers} customers and ${args.orders} orders…`);
  start(
    "emulator",
    process.execPath,
    [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      "tests/emulators/nuvemshop/cli.ts",
      "--port", args["emulator-port"],
      "--customers", args.customers,
      "--orders", args.orders,
      "--seed", args.seed,
      "--store-id", storeId,
      "--app-id", appId,
      "--app-url", appUrl,
      "--app-secret", nuvemshopEnv.NUVEMSHOP_APP_SECRET,
      "--partner-script", `${scriptId}=${appUrl}/storefront/nuvemshop.js`,
    ],
    nuvemshopEnv,
  );
  await waitFor(`${emulatorUrl}/_emulator/health`, "the Nuvemshop emulator");

  const cliKeys = ["NODE_ENV", "DATABASE_URL", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "CARRYOVER_ENCRYPTION_KEY", "NUVEMSHOP_APP_ID", "NUVEMSHOP_APP_SECRET", "NUVEMSHOP_API_ORIGIN", "NUVEMSHOP_OAUTH_ORIGIN"];
  fs.writeFileSync(path.join(dataDir, "carryover.env"), cliKeys.map((k) => `${k}=${nuvemshopEnv[k]}`).join("\n") + "\n", { mode: 0o600 });

  step("Starting Carryover…");
  start("app", process.execPath, [path.join(root, "server.mjs")], nuvemshopEnv);
  await waitFor(`${appUrl}/healthz`, "Carryover");

  if (!args["no-install"]) {
    step("Installing Carryover on the Nuvemshop store (OAuth: authorize, code, token)…");
    await installThroughOAuth();
    step("Migrating the store's old loyalty program (import → sync → reconcile)…");
    run(
      process.execPath,
      [
        path.join(root, "node_modules/tsx/dist/cli.mjs"),
        "scripts/demo-migration.ts",
        "--platform", "nuvemshop",
        "--shop", storeId,
        "--customers", args.customers,
        "--orders", args.orders,
        "--seed", args.seed,
        "--data-dir", dataDir,
      ],
      { env: nuvemshopEnv },
    );
  }

  console.log(`
  Carryover demo is running on the Nuvemshop emulator (store ${storeId}).
    Sign in to the admin: ${appUrl}/nuvemshop/install   (Nuvemshop's authorize page, then the admin)
    The store's page:     ${emulatorUrl}/_emulator/storefront?lang=pt_BR   (add &customer=<id> to be that customer)
    Widget codes "mailed" to customers are written to ${path.relative(root, outbox)}/
  A customer who had points in the old program registers (delivers a signed customer/created webhook):
    curl -X POST ${emulatorUrl}/_emulator/customers -H 'content-type: application/json' -d '{"name":"Cliente Antiga","email":"cliente.antiga0@example.com.br"}'
  Press Ctrl-C to stop.
`);
}

/** The merchant's install, as a browser does it: /nuvemshop/install → the authorize page → the callback, with the state cookie. */
async function installThroughOAuth() {
  const begin = await fetch(`${appUrl}/nuvemshop/install`, { redirect: "manual" });
  const cookie = begin.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const consent = await fetch(begin.headers.get("location") ?? "", { redirect: "manual" });
  const back = await fetch(consent.headers.get("location") ?? "", { redirect: "manual", headers: { cookie } });
  if (back.status !== 302 || back.headers.get("location") !== "/app") {
    throw new Error(`the Nuvemshop install did not complete (${back.status}): ${(await back.text()).slice(0, 300)}`);
  }
}
