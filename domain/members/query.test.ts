import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asciiLower, displayPhone, nameKeys, parseMemberQuery, phoneCandidates, prefixUpperBound } from "./query";

describe("parseMemberQuery", () => {
  it("reads nothing as every member", () => {
    expect(parseMemberQuery("", ["BR"])).toEqual({ kind: "all" });
    expect(parseMemberQuery("   ", ["BR"])).toEqual({ kind: "all" });
    expect(parseMemberQuery(null, ["BR"])).toEqual({ kind: "all" });
  });

  it("normalises an e-mail like the import does", () => {
    expect(parseMemberQuery("  Ana.Souza@Example.COM ", ["BR"])).toEqual({ kind: "email", emailNormalized: "ana.souza@example.com" });
  });

  it("reads a phone typed with or without the country code, spaces, dashes and brackets, as the same E.164", () => {
    const typed = ["+55 11 98765-4321", "(11) 98765-4321", "11987654321", "0055 11 98765 4321", "+5511987654321", "11 9 8765 4321"];
    for (const t of typed) expect(parseMemberQuery(t, ["BR"]), t).toEqual({ kind: "phone", e164: ["+5511987654321"] });
  });

  it("tries each of the shop's possible countries for a number without a country code", () => {
    // Valid in both: a Curitiba landline and a San Francisco number. Both are sought.
    expect(phoneCandidates("(415) 555-2671", ["BR", "US"])).toEqual(["+554155552671", "+14155552671"]);
    expect(phoneCandidates("(415) 555-2671", ["US"])).toEqual(["+14155552671"]);
    expect(phoneCandidates("11 98765-4321", ["BR", "US"])).toEqual(["+5511987654321"]);
    expect(phoneCandidates("+1 415 555 2671", ["BR"])).toEqual(["+14155552671"]);
  });

  it("says so when the digits are no phone number of the shop's countries", () => {
    expect(parseMemberQuery("12345", ["BR"])).toEqual({ kind: "invalid-phone", text: "12345" });
  });

  it("finds a customer by the platform's id", () => {
    expect(parseMemberQuery("gid://shopify/Customer/7001", ["US"])).toEqual({ kind: "customer", platformCustomerId: "gid://shopify/Customer/7001" });
  });

  it("reads words as a name prefix, whole and as first name + last name", () => {
    expect(parseMemberQuery("Ana  Souza", ["BR"])).toEqual({ kind: "name", whole: ["ana souza"], split: { first: ["ana"], rest: ["souza"] } });
    expect(parseMemberQuery("maria", ["BR"])).toEqual({ kind: "name", whole: ["maria"], split: null });
    expect(parseMemberQuery("a", ["BR"])).toEqual({ kind: "too-short", text: "a" });
    expect(parseMemberQuery("Cliente Antiga 3", ["BR"])).toMatchObject({ kind: "name", split: { first: ["cliente"], rest: ["antiga 3"] } });
  });
});

describe("name keys", () => {
  it("spell the prefix as PostgreSQL's lower() and as SQLite's (A–Z only) would store it", () => {
    expect(nameKeys("Érica")).toEqual(["érica", "Érica"]);
    expect(nameKeys("ÉRICA")).toEqual(["érica", "Érica"]);
    expect(nameKeys("joão")).toEqual(["joão", "joÃo"]);
    expect(nameKeys("JOÃO")).toEqual(["joão", "joÃo"]);
    expect(nameKeys("ana")).toEqual(["ana"]);
    expect(nameKeys("élisão")).toEqual(["élisão", "Élisão", "ÉlisÃo"]);
    expect(asciiLower("ÉRICA Souza")).toBe("Érica souza");
  });

  it("include SQLite's lower() of the name however its letters outside A–Z were capitalised, when typed in lower case", () => {
    for (const stored of ["JOÃO", "João", "Érica", "ÉRICA"]) expect(nameKeys(stored.toLowerCase()), stored).toContain(asciiLower(stored));
  });

  it("always include what each database's lower() makes of the name the merchant typed in full", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (name) => {
        const keys = nameKeys(name);
        expect(keys).toContain(name.toLowerCase());
        expect(keys).toContain(asciiLower(name));
      }),
    );
  });
});

describe("prefixUpperBound", () => {
  const utf8 = (s: string) => Buffer.from(s, "utf8");
  it("bounds every string that starts with the prefix, in byte order, and nothing else", () => {
    expect(prefixUpperBound("ana")).toBe("anb");
    expect(prefixUpperBound("jo\u00e3")).toBe("jo\u00e4");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 6 }), (prefix, tail, other) => {
        const upper = utf8(prefixUpperBound(prefix));
        const inside = utf8(prefix + tail);
        expect(Buffer.compare(inside, utf8(prefix))).toBeGreaterThanOrEqual(0);
        expect(Buffer.compare(inside, upper)).toBeLessThan(0);
        if (!other.startsWith(prefix)) {
          const o = utf8(other);
          expect(Buffer.compare(o, utf8(prefix)) < 0 || Buffer.compare(o, upper) >= 0).toBe(true);
        }
      }),
    );
  });
});

describe("displayPhone", () => {
  it("writes an E.164 number the international way, and leaves what does not parse as it is", () => {
    expect(displayPhone("+5511987654321")).toBe("+55 11 98765 4321");
    expect(displayPhone("+14155552671")).toBe("+1 415 555 2671");
    expect(displayPhone("garbage")).toBe("garbage");
  });
});
