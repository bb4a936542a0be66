import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEmail, shopifyGid } from "./identity";

describe("normalizeEmail", () => {
  it("trims, lower-cases and composes Unicode", () => {
    expect(normalizeEmail("  Ana.Souza@Example.COM ")).toBe("ana.souza@example.com");
    expect(normalizeEmail("jose\u0301@exemplo.com.br")).toBe("jos\u00e9@exemplo.com.br");
    expect(normalizeEmail("   ")).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
  });

  it("keeps Gmail dots and +tags: those are suggestions for review, never automatic merges", () => {
    expect(normalizeEmail("Ana.Souza+loja@gmail.com")).toBe("ana.souza+loja@gmail.com");
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (raw) => {
        const once = normalizeEmail(raw);
        expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });
});

describe("shopifyGid", () => {
  it("builds and keeps gids exactly, even past 2^53", () => {
    expect(shopifyGid("Customer", "706405506930370084")).toBe("gid://shopify/Customer/706405506930370084");
    expect(shopifyGid("Customer", 207119551)).toBe("gid://shopify/Customer/207119551");
    expect(shopifyGid("Order", "gid://shopify/Order/1")).toBe("gid://shopify/Order/1");
    expect(() => shopifyGid("Customer", "12a")).toThrow();
  });
});
