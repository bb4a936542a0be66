import { z } from "zod";
import { DEFAULT_DATABASE_URL, databaseKind } from "./database-url";

/**
 * Every setting the server reads, checked once at start-up. A bad value stops the process with a
 * message naming the variable, instead of failing later in the middle of a request.
 */
const EnvSchema = z
  .object({
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
    /**
     * Local demo mode: every admin request is treated as this shop's admin, without Shopify's
     * session token (no local browser has one). Refused in production.
     */
    CARRYOVER_DEMO_SHOP: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain")
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (env.CARRYOVER_DEMO_SHOP) {
      ctx.addIssue({ code: "custom", path: ["CARRYOVER_DEMO_SHOP"], message: "demo mode is refused when NODE_ENV=production" });
    }
    if (env.SHOPIFY_ADMIN_API_ORIGIN) {
      ctx.addIssue({ code: "custom", path: ["SHOPIFY_ADMIN_API_ORIGIN"], message: "an Admin API override is refused when NODE_ENV=production" });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

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

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    throw new InvalidEnvironmentError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}

let cached: Env | undefined;

/** The checked environment of this process (parsed on first use, which is start-up). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
