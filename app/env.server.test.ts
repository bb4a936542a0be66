import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError, parseEnv } from "./env.server";

const base = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret-0123456789abcdef",
  SHOPIFY_APP_URL: "https://carryover.example",
  CARRYOVER_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

describe("environment", () => {
  it("accepts a complete production environment", () => {
    const env = parseEnv({ ...base, NODE_ENV: "production" });
    expect(env.DATABASE_URL).toBe("file:./.carryover/dev.db");
    expect(env.SCOPES).toContain("read_all_orders");
  });

  it("names every missing or bad variable", () => {
    try {
      parseEnv({ CARRYOVER_ENCRYPTION_KEY: "short", DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      const text = (error as Error).message;
      for (const name of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "CARRYOVER_ENCRYPTION_KEY", "DATABASE_URL"]) {
        expect(text).toContain(name);
      }
    }
  });

  it("refuses the demo mode and the Admin API override in production", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production", CARRYOVER_DEMO_SHOP: "demo-store.myshopify.com" })).toThrow(
      /CARRYOVER_DEMO_SHOP: demo mode is refused when NODE_ENV=production/,
    );
    expect(() => parseEnv({ ...base, NODE_ENV: "production", SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:4010" })).toThrow(
      /SHOPIFY_ADMIN_API_ORIGIN/,
    );
    expect(parseEnv({ ...base, NODE_ENV: "development", CARRYOVER_DEMO_SHOP: "demo-store.myshopify.com" }).CARRYOVER_DEMO_SHOP).toBe(
      "demo-store.myshopify.com",
    );
  });

  it("accepts a hex or base64 32-byte key and nothing else", () => {
    expect(() => parseEnv({ ...base, CARRYOVER_ENCRYPTION_KEY: "ab".repeat(32) })).not.toThrow();
    expect(() => parseEnv({ ...base, CARRYOVER_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/32 bytes/);
  });
});
