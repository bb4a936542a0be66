import { describe, expect, it } from "vitest";
import { parseEnv } from "../../env.server";

const base = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret-0123456789abcdef",
  SHOPIFY_APP_URL: "https://carryover.example",
  CARRYOVER_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

describe("Nuvemshop settings", () => {
  it("defaults the OAuth origin to Tiendanube's and accepts its documented twins in production", () => {
    expect(parseEnv({ ...base, NODE_ENV: "production" }).NUVEMSHOP_OAUTH_ORIGIN).toBe("https://www.tiendanube.com");
    expect(parseEnv({ ...base, NODE_ENV: "production", NUVEMSHOP_OAUTH_ORIGIN: "https://www.nuvemshop.com.br" }).NUVEMSHOP_OAUTH_ORIGIN).toBe("https://www.nuvemshop.com.br");
  });

  it("refuses another OAuth origin (an emulator) in production, and a non-numeric app id anywhere", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production", NUVEMSHOP_OAUTH_ORIGIN: "http://127.0.0.1:4020" })).toThrow(/NUVEMSHOP_OAUTH_ORIGIN/);
    expect(parseEnv({ ...base, NODE_ENV: "development", NUVEMSHOP_OAUTH_ORIGIN: "http://127.0.0.1:4020" }).NUVEMSHOP_OAUTH_ORIGIN).toBe("http://127.0.0.1:4020");
    expect(() => parseEnv({ ...base, NUVEMSHOP_APP_ID: "my-app" })).toThrow(/NUVEMSHOP_APP_ID/);
  });
});
