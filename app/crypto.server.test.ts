import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./crypto.server";

describe("SecretBox (AES-256-GCM)", () => {
  const box = new SecretBox(randomBytes(32));

  it("round-trips any text and never stores it in clear", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (secret) => {
        const sealed = box.seal(secret);
        expect(SecretBox.isSealed(sealed)).toBe(true);
        expect(box.open(sealed)).toBe(secret);
        if (secret.length > 3) expect(sealed).not.toContain(secret);
      }),
    );
  });

  it("uses a fresh IV each time", () => {
    expect(box.seal("shpat_same")).not.toBe(box.seal("shpat_same"));
  });

  it("refuses a tampered value or another key", () => {
    const sealed = box.seal("shpat_token");
    const parts = sealed.split(":");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString("base64url")].join(":"))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open("shpat_plain")).toThrow(/not a sealed secret/);
  });
});
