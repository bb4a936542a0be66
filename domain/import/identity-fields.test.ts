import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCpf, checkCustomerRef, cpfCheckDigits, invisibleCharacter, isPlausibleEmail, isValidCpfDigits, toE164 } from "./identity-fields";

describe("isPlausibleEmail", () => {
  it("accepts the addresses shops hold", () => {
    for (const email of ["ana@example.com", "Ana.Souza+loja@Gmail.com", "jose@exemplo.com.br", "joão@exemplo.com.br", "a@b.co", "x_y-z@sub.domain.org", "  ana@example.com  "]) {
      expect(isPlausibleEmail(email), email).toBe(true);
    }
  });

  it("refuses what is not an address", () => {
    for (const email of ["", "ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "ana@ex@ample.com", "ana souza@example.com", "ana@example,com", "ana@example.c", "ana@.example.com", "ana@example..com", ".ana@example.com", "ana..souza@example.com", "<ana@example.com>", "ana@-example.com", "ana;bia@example.com"]) {
      expect(isPlausibleEmail(email), email).toBe(false);
    }
  });
});

describe("toE164", () => {
  it("reads national numbers in the store's country and international ones anywhere", () => {
    expect(toE164("(11) 98765-4321", "BR")).toBe("+5511987654321");
    expect(toE164("11 98765 4321", "br")).toBe("+5511987654321");
    expect(toE164("+55 11 98765-4321", "US")).toBe("+5511987654321");
    expect(toE164("(415) 555-2671", "US")).toBe("+14155552671");
    expect(toE164("55 1234-5678", "MX")).toBe("+525512345678");
    expect(toE164("+54 9 11 2345-6789", "BR")).toBe("+5491123456789");
  });

  it("returns null for what is not a valid number", () => {
    expect(toE164("", "BR")).toBeNull();
    expect(toE164("abc", "BR")).toBeNull();
    expect(toE164("123", "BR")).toBeNull();
    expect(toE164("(11) 0000-0000", "BR")).toBeNull();
    expect(toE164("98765-4321", "ZZ")).toBeNull(); // unknown default country: no country to read it in
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 3 }), (raw, country) => {
        const result = toE164(raw, country);
        if (result !== null) expect(result).toMatch(/^\+\d{7,15}$/);
      }),
    );
  });
});

/** A CPF with correct check digits that is not one digit repeated. */
const validCpf = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((digits) => digits.join(""))
  .map((base) => base + cpfCheckDigits(base))
  .filter((cpf) => !/^(\d)\1{10}$/.test(cpf));

function singleDigitChanges(cpf: string): { position: number; changed: string }[] {
  const changes: { position: number; changed: string }[] = [];
  for (let position = 0; position < 11; position += 1) {
    for (let d = 0; d <= 9; d += 1) {
      if (String(d) !== cpf[position]) changes.push({ position, changed: cpf.slice(0, position) + d + cpf.slice(position + 1) });
    }
  }
  return changes;
}

describe("CPF", () => {
  it("knows real examples", () => {
    expect(isValidCpfDigits("52998224725")).toBe(true);
    expect(checkCpf("529.982.247-25")).toEqual({ ok: true, digits: "52998224725" });
    expect(checkCpf(" 529 982 247 25 ")).toEqual({ ok: true, digits: "52998224725" });
    expect(checkCpf("529.982.247-24")).toMatchObject({ ok: false, reason: expect.stringContaining("check digits") });
    expect(checkCpf("111.111.111-11")).toMatchObject({ ok: false, reason: expect.stringContaining("repeats") });
    expect(checkCpf("00000000000")).toMatchObject({ ok: false });
    expect(checkCpf("12.345.678/0001-95")).toMatchObject({ ok: false, reason: expect.stringContaining("CNPJ") });
    expect(checkCpf("1234567")).toMatchObject({ ok: false, reason: expect.stringContaining("7 digits") });
    expect(checkCpf("CPF 52998224725")).toMatchObject({ ok: false });
  });

  it("restores the leading zeros a spreadsheet dropped, when the check digits agree", () => {
    const base = "012345678";
    const cpf = base + cpfCheckDigits(base);
    expect(checkCpf(cpf.slice(1))).toEqual({ ok: true, digits: cpf });
    expect(checkCpf(`${cpf.slice(1, 9)}-${cpf.slice(9)}`)).toMatchObject({ ok: false }); // punctuated: not a number a spreadsheet shortened
  });

  it("accepts every CPF generated with correct check digits, bare or punctuated", () => {
    fc.assert(
      fc.property(validCpf, (cpf) => {
        expect(isValidCpfDigits(cpf)).toBe(true);
        expect(checkCpf(cpf)).toEqual({ ok: true, digits: cpf });
        expect(checkCpf(`${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`)).toEqual({ ok: true, digits: cpf });
      }),
    );
  });

  it("rejects every single-digit change of a check digit", () => {
    fc.assert(
      fc.property(validCpf, (cpf) => {
        for (const { position, changed } of singleDigitChanges(cpf)) {
          if (position >= 9) expect(isValidCpfDigits(changed), changed).toBe(false);
        }
      }),
    );
  });

  it("rejects every single-digit change when the first check digit is not 0", () => {
    fc.assert(
      fc.property(
        validCpf.filter((cpf) => cpf[9] !== "0"),
        (cpf) => {
          for (const { changed } of singleDigitChanges(cpf)) expect(isValidCpfDigits(changed), changed).toBe(false);
        },
      ),
    );
  });

  it("lets through only the changes the CPF algorithm itself cannot see (remainders 0 and 1 both give check digit 0)", () => {
    // The CPF check digits are mod 11 with remainders 0 and 1 both mapped to 0, so a few single-digit
    // changes of a CPF whose first check digit is 0 keep both check digits (e.g. 696.474.214-00 and
    // 796.474.214-00 are both valid). No validator can reject those: they are real, valid CPFs.
    expect(isValidCpfDigits("69647421400")).toBe(true);
    expect(isValidCpfDigits("79647421400")).toBe(true);
    fc.assert(
      fc.property(validCpf, (cpf) => {
        for (const { changed } of singleDigitChanges(cpf)) {
          if (isValidCpfDigits(changed)) {
            expect(cpf[9]).toBe("0");
            expect(changed.slice(9)).toBe(cpf.slice(9));
          }
        }
      }),
    );
  });

  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = checkCpf(text);
        if (result.ok) expect(isValidCpfDigits(result.digits)).toBe(true);
      }),
    );
  });
});

describe("checkCustomerRef", () => {
  it("keeps ids as text, past 2^53", () => {
    expect(checkCustomerRef(" 706405506930370084 ")).toEqual({ ok: true, ref: "706405506930370084" });
    expect(checkCustomerRef("gid://shopify/Customer/1")).toEqual({ ok: true, ref: "gid://shopify/Customer/1" });
  });

  it("refuses ids a spreadsheet turned into scientific notation", () => {
    expect(checkCustomerRef("7.06405E+17")).toMatchObject({ ok: false });
    expect(checkCustomerRef("7,06405E+17")).toMatchObject({ ok: false });
    expect(checkCustomerRef("1e5")).toMatchObject({ ok: false });
  });
});

describe("isPlausibleEmail: invisible characters (issue 9, hostile corpus)", () => {
  it("refuses an address hiding a zero-width space, a bidi override, a control character or U+FFFD, and names it", () => {
    for (const hidden of ["\u200B", "\u202E", "\u200F", "\u0007", "\uFFFD", "\u00AD"]) {
      expect(isPlausibleEmail(`ana${hidden}@example.com`), JSON.stringify(hidden)).toBe(false);
    }
    expect(invisibleCharacter("ana\u200B@example.com")).toBe("U+200B");
    expect(invisibleCharacter("jos\uFFFD@example.com")).toMatch(/^U\+FFFD, a letter lost/);
    expect(invisibleCharacter("ana@example.com")).toBeNull();
  });
});
