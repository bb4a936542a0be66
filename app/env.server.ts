import path from "node:path";
import { z } from "zod";
import { DEFAULT_DATABASE_URL, databaseKind } from "./database-url";

/**
 * Every setting the server reads, checked once at start-up. A bad value stops the process with a
 * message naming the variable, instead of failing later in the middle of a request.
 */
const coreFields = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .refine((url) => {
      try {
        databaseKind(url);
        return true;
      } catch {
        return false;
      }
    }, "must start with file: (SQLite) or postgresql:// (PostgreSQL)"),
  /** Where uploaded exports are kept: outside public/ and build/ (what the web server serves), never served. */
  UPLOAD_DIR: z
    .string()
    .default(".carryover/uploads")
    .refine((dir) => !servedDirectories().some((served) => isInside(path.resolve(dir), served)), "must be outside public/ and build/, which the web server serves"),
  /**
   * Where background jobs run (decision 0019): `in-process` (the app server's own loop over the Job
   * table; the default with SQLite) or `pg-boss` (separate `npm run worker` processes fed by pg-boss;
   * the default with PostgreSQL, and only possible there).
   */
  JOB_ENGINE: z.enum(["in-process", "pg-boss"]).optional(),
  /** `off`: this web process runs no jobs. Default: on with the in-process engine, off with pg-boss. */
  CARRYOVER_WORKER: z.enum(["on", "off"]).optional(),
  /** How many long jobs (sync, reconcile, apply, rollback) one worker process runs at once (pg-boss). */
  WORKER_LONG_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
  /** How many webhook jobs (restore, order points) one worker process runs at once (pg-boss). */
  WORKER_SHORT_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
  /** A running job whose heartbeat is older than this is taken over by another worker. */
  JOB_STALE_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Largest import file accepted, in bytes (default 200 MB). */
  IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(200 * 1024 * 1024),
};

const shopifyFields = {
  SHOPIFY_API_KEY: z.string().min(1, "is required"),
  SHOPIFY_API_SECRET: z.string().min(16, "must be the app's API secret (at least 16 characters)"),
  SHOPIFY_APP_URL: z.string().url("must be the app's public URL"),
  SCOPES: z
    .string()
    .default("read_customers,write_customers,read_orders,read_all_orders")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  /** 32 bytes, base64 or hex: the AES-256-GCM key for access tokens at rest. */
  CARRYOVER_ENCRYPTION_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, "must be 32 bytes encoded as base64 or 64 hex characters"),
  /**
   * Origin (scheme://host:port) that replaces https://{shop} for Admin API calls: points the
   * platform client at the local emulator. Never allowed in production.
   */
  SHOPIFY_ADMIN_API_ORIGIN: z.string().url().optional(),
  /** The same for Nuvemshop: replaces https://api.tiendanube.com. Never allowed in production. */
  NUVEMSHOP_API_ORIGIN: z.string().url().optional(),
  /**
   * The Nuvemshop app's secret: webhooks carry X-Linkedstore-HMAC-SHA256, the hex HMAC-SHA256 of the raw
   * body with it (app/routes/webhooks.nuvemshop.tsx). Without it, Nuvemshop webhooks are refused (503).
   */
  NUVEMSHOP_APP_SECRET: z.string().min(8, "must be the Nuvemshop app's secret").optional(),
  /** Nuvemshop requires a User-Agent naming the app and a contact. */
  NUVEMSHOP_USER_AGENT: z.string().min(3).default("Carryover (support@carryover.app)"),
  /**
   * The Nuvemshop app's id (the OAuth `client_id`, in `/apps/{id}/authorize`). Without it (or without
   * NUVEMSHOP_APP_SECRET) the Nuvemshop install and sign-in routes answer 503.
   */
  NUVEMSHOP_APP_ID: z.string().regex(/^\d+$/, "must be the Nuvemshop app's numeric id").optional(),
  /**
   * Where the OAuth authorize page and token endpoint live: https://www.tiendanube.com (default), or the
   * identical https://www.nuvemshop.com.br; the local emulator's URL in tests and the demo. Any other
   * origin is refused in production.
   */
  NUVEMSHOP_OAUTH_ORIGIN: z.string().url().default("https://www.tiendanube.com"),
  /**
   * The storefront script's id in the Nuvemshop Partner Portal: associated to each store at install
   * (`POST /scripts {script_id, query_params}`; decision 0016). Unset: no association is made.
   */
  NUVEMSHOP_SCRIPT_ID: z.string().regex(/^\d+$/, "must be the Partner Portal script's numeric id").optional(),
  /**
   * Where the Nuvemshop storefront widget's one-time codes are sent (decision 0016): an HTTP mail relay
   * (`POST {from, to, subject, text}` with `Authorization: Bearer CARRYOVER_MAIL_RELAY_TOKEN`), or, in
   * development and tests only, a directory the mails are written to as JSON files.
   */
  CARRYOVER_MAIL_RELAY_URL: z.string().url().optional(),
  CARRYOVER_MAIL_RELAY_TOKEN: z.string().min(1).optional(),
  CARRYOVER_MAIL_FROM: z.string().min(3).default("Carryover <no-reply@carryover.app>"),
  CARRYOVER_MAIL_OUTBOX: z.string().min(1).optional(),
  /**
   * Local demo mode: every admin request is treated as this shop's admin, without Shopify's
   * session token (no local browser has one). Refused in production.
   */
  CARRYOVER_DEMO_SHOP: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain")
    .optional(),
};

/** The folders server.mjs serves files from (relative to the working directory it runs in). */
function servedDirectories(): string[] {
  return [path.resolve("public"), path.resolve("build")];
}

function isInside(target: string, folder: string): boolean {
  const relative = path.relative(folder, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The documented OAuth origins of Nuvemshop / Tiendanube (the same service under each domain). */
export const NUVEMSHOP_OAUTH_ORIGINS = ["https://www.tiendanube.com", "https://www.nuvemshop.com.br", "https://www.nuvemshop.com"];

function refuseLocalModesInProduction(
  env: { NODE_ENV: string; CARRYOVER_DEMO_SHOP?: string; SHOPIFY_ADMIN_API_ORIGIN?: string; NUVEMSHOP_API_ORIGIN?: string; NUVEMSHOP_OAUTH_ORIGIN?: string; CARRYOVER_MAIL_OUTBOX?: string },
  ctx: z.RefinementCtx,
) {
  if (env.NODE_ENV !== "production") return;
  if (env.CARRYOVER_DEMO_SHOP) {
    ctx.addIssue({ code: "custom", path: ["CARRYOVER_DEMO_SHOP"], message: "demo mode is refused when NODE_ENV=production" });
  }
  if (env.SHOPIFY_ADMIN_API_ORIGIN) {
    ctx.addIssue({ code: "custom", path: ["SHOPIFY_ADMIN_API_ORIGIN"], message: "an Admin API override is refused when NODE_ENV=production" });
  }
  if (env.NUVEMSHOP_API_ORIGIN) {
    ctx.addIssue({ code: "custom", path: ["NUVEMSHOP_API_ORIGIN"], message: "a Nuvemshop API override is refused when NODE_ENV=production" });
  }
  if (env.CARRYOVER_MAIL_OUTBOX) {
    ctx.addIssue({ code: "custom", path: ["CARRYOVER_MAIL_OUTBOX"], message: "a local mail outbox is refused when NODE_ENV=production" });
  }
  if (env.NUVEMSHOP_OAUTH_ORIGIN && !NUVEMSHOP_OAUTH_ORIGINS.includes(env.NUVEMSHOP_OAUTH_ORIGIN.replace(/\/+$/, ""))) {
    ctx.addIssue({ code: "custom", path: ["NUVEMSHOP_OAUTH_ORIGIN"], message: `must be one of ${NUVEMSHOP_OAUTH_ORIGINS.join(", ")} when NODE_ENV=production` });
  }
}

/** What the web server needs. */
const EnvSchema = z.object({ ...coreFields, ...shopifyFields }).superRefine(refuseLocalModesInProduction);
/** What the ops CLI and services that never talk to Shopify's auth need. */
const CoreEnvSchema = z.object(coreFields);

export type Env = z.infer<typeof EnvSchema>;
export type CoreEnv = z.infer<typeof CoreEnvSchema>;

export function decodeKey(value: string): Buffer | null {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  return key.length === 32 ? key : null;
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidEnvironmentError";
  }
}

function parseWith<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new InvalidEnvironmentError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}

export const parseEnv = (source: Record<string, string | undefined>): Env => parseWith(EnvSchema, source);
export const parseCoreEnv = (source: Record<string, string | undefined>): CoreEnv => parseWith(CoreEnvSchema, source);

let cached: Env | undefined;
let cachedCore: CoreEnv | undefined;

/** The checked environment of the web server (parsed on first use, which is start-up). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The checked environment of code that does not need the Shopify app's secrets (CLI, jobs). */
export function coreEnv(): CoreEnv {
  cachedCore ??= parseCoreEnv(process.env);
  return cachedCore;
}
