import { describe, expect, it } from "vitest";
import { codeHash, displayCode, emailHash, newCode, normalizeCode, readToken, signToken, type StorefrontClaims } from "./nuvemshop-tokens.server";

const SECRET = "unit-test-secret-0123456789";
const NOW = new Date("2026-11-20T12:00:00Z");
const iat = Math.floor(NOW.getTime() / 1000);
const claims: StorefrontClaims = { sid: "1234567", cid: "110000042", gen: 1_790_000_000_000, iat, exp: iat + 600 };

describe("storefront tokens (decision 0016)", () => {
  it("reads back what it signed, until it expires", () => {
    const token = signToken("access", claims, SECRET);
    expect(token.startsWith("nsa1.")).toBe(true);
    expect(readToken("access", token, SECRET, NOW)).toEqual({ outcome: "valid", claims });
    expect(readToken("access", token, SECRET, new Date((claims.exp - 1) * 1000))).toMatchObject({ outcome: "valid" });
    expect(readToken("access", token, SECRET, new Date(claims.exp * 1000))).toEqual({ outcome: "refused", reason: "expired" });
  });

  it("refuses another kind, another secret, changed claims or signature, and garbage", () => {
    const token = signToken("proof", claims, SECRET);
    expect(readToken("access", token, SECRET, NOW)).toEqual({ outcome: "refused", reason: "malformed" });
    // Even with the prefix swapped, the other kind's key does not verify it.
    expect(readToken("access", token.replace(/^nsp1/, "nsa1"), SECRET, NOW)).toEqual({ outcome: "refused", reason: "tampered" });
    expect(readToken("proof", token, "another-secret-0123456789", NOW)).toEqual({ outcome: "refused", reason: "tampered" });
    const [prefix, , signature] = token.split(".");
    const changed = Buffer.from(JSON.stringify({ ...claims, cid: "110000043" })).toString("base64url");
    expect(readToken("proof", `${prefix}.${changed}.${signature}`, SECRET, NOW)).toEqual({ outcome: "refused", reason: "tampered" });
    expect(readToken("proof", `${token}x`, SECRET, NOW)).toEqual({ outcome: "refused", reason: "tampered" });
    for (const junk of ["", "nsp1", "nsp1..", "nsp1.a.b.c", "Bearer x"]) expect(readToken("proof", junk, SECRET, NOW).outcome).toBe("refused");
  });

  it("refuses well-signed claims of the wrong shape", () => {
    const bad = signToken("access", { ...claims, sid: "shop.myshopify.com" } as StorefrontClaims, SECRET);
    expect(readToken("access", bad, SECRET, NOW)).toEqual({ outcome: "refused", reason: "malformed" });
  });

  it("codes: 8 symbols without look-alikes, typed back in any case with spaces and dashes", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newCode();
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
    expect(displayCode("ABCDEFGH")).toBe("ABCD-EFGH");
    expect(normalizeCode(" abcd-efgh ")).toBe("ABCDEFGH");
    expect(codeHash(SECRET, "n1", "abcd efgh")).toBe(codeHash(SECRET, "n1", "ABCD-EFGH"));
    expect(codeHash(SECRET, "n1", "ABCDEFGH")).not.toBe(codeHash(SECRET, "n2", "ABCDEFGH"));
    expect(emailHash(SECRET, " Ana@Example.com ")).toBe(emailHash(SECRET, "ana@example.com"));
  });
});
