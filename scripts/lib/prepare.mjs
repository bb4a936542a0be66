// Steps shared by the two README commands (`npm run demo`, `npm test`). Each step is skipped when
// its inputs have not changed since it last ran, so a second run starts in seconds.
// Only Node built-ins here: this file runs before dependencies are installed.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const stateDir = path.join(root, ".carryover");

function hashOf(relPaths) {
  const hash = crypto.createHash("sha256");
  const visit = (abs) => {
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === "node_modules" || name.startsWith(".")) continue;
        visit(path.join(abs, name));
      }
    } else {
      hash.update(path.relative(root, abs));
      hash.update(fs.readFileSync(abs));
    }
  };
  for (const rel of relPaths) visit(path.join(root, rel));
  return hash.digest("hex");
}

/** Runs `action` unless the stamp named `name` already records the hash of `inputs`. */
function once(name, inputs, isDone, action) {
  const stamp = path.join(stateDir, "stamps", name);
  const hash = hashOf(inputs);
  if (isDone() && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) return false;
  action();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, hash);
  return true;
}

export function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
}

export function step(message) {
  console.log(`\x1b[36m▸\x1b[0m ${message}`);
}

export function ensureInstalled() {
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
  const hidden = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  // npm rewrites node_modules/.package-lock.json on every install: when it is newer than the
  // lockfile, node_modules already matches it (e.g. after a developer's own `npm install`).
  const installedAfterLock = () => fs.existsSync(hidden) && fs.statSync(hidden).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (installedAfterLock()) {
    fs.mkdirSync(path.join(stateDir, "stamps"), { recursive: true });
    fs.writeFileSync(path.join(stateDir, "stamps", "npm-ci"), hashOf(["package-lock.json"]));
    return;
  }
  once(
    "npm-ci",
    ["package-lock.json"],
    () => fs.existsSync(hidden),
    () => {
      step("Installing dependencies (npm ci)…");
      run("npm", ["ci", "--no-audit", "--no-fund"], { env });
    },
  );
}

export function ensureGenerated() {
  once(
    "prisma-generate",
    ["prisma/schema.prisma", "prisma/postgresql/schema.prisma", "package-lock.json"],
    () => fs.existsSync(path.join(root, "node_modules/.prisma/client-pg/index.js")),
    () => {
      step("Generating Prisma clients (SQLite and PostgreSQL)…");
      run("node", ["scripts/db-generate.mjs"]);
    },
  );
}

export function ensureBuilt() {
  once(
    "remix-build",
    ["app", "domain", "public", "extensions", "vite.config.ts", "tsconfig.json", "package-lock.json"],
    () => fs.existsSync(path.join(root, "build/server/index.js")),
    () => {
      step("Building the app (remix vite:build)…");
      run("npx", ["remix", "vite:build"], { stdio: ["ignore", "ignore", "inherit"] });
    },
  );
}

/**
 * Local secrets for the demo and the tests, generated once per checkout and never committed
 * (.carryover/ is ignored). Production secrets come from the environment only.
 */
export function localSecrets() {
  const file = path.join(stateDir, "local-secrets.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const secrets = {
    SHOPIFY_API_KEY: `local-${crypto.randomBytes(8).toString("hex")}`,
    SHOPIFY_API_SECRET: crypto.randomBytes(24).toString("hex"),
    CARRYOVER_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    EMULATOR_ACCESS_TOKEN: `shpat_${crypto.randomBytes(16).toString("hex")}`,
  };
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
