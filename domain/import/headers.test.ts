import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HEADER_SYNONYMS, fieldForHeader, matchHeaders, normalizeHeader, requireIdentityAndPoints } from "./headers";
import { ImportFileError, PROVIDERS, TARGET_FIELDS, type TargetField } from "./types";

describe("normalizeHeader", () => {
  it("lower-cases, strips accents, collapses spaces, underscores, dashes and dots, trims", () => {
    expect(normalizeHeader(" E-mail_Address ")).toBe("e mail address");
    expect(normalizeHeader("Nível")).toBe("nivel");
    expect(normalizeHeader("Correo  Electrónico")).toBe("correo electronico");
    expect(normalizeHeader("POINTS__balance")).toBe("points balance");
    expect(normalizeHeader("Cumpleaños")).toBe("cumpleanos");
    expect(normalizeHeader("Data.de.Nascimento")).toBe("data de nascimento");
    expect(normalizeHeader("\uFEFFemail")).toBe("email");
    expect(normalizeHeader("Situac\u0327a\u0303o")).toBe("situacao");
  });

  it("is idempotent", () => {
    for (const unit of ["grapheme", "binary"] as const) {
      fc.assert(
        fc.property(fc.string({ unit }), (h) => {
          const once = normalizeHeader(h);
          expect(normalizeHeader(once)).toBe(once);
        }),
        { numRuns: 2000 },
      );
    }
  });
});

describe("synonyms", () => {
  it("give every field at least one synonym and no synonym to two fields", () => {
    const owner = new Map<string, TargetField>();
    for (const field of TARGET_FIELDS) {
      expect(HEADER_SYNONYMS[field].length).toBeGreaterThan(0);
      for (const synonym of HEADER_SYNONYMS[field]) {
        const key = normalizeHeader(synonym).replace(/ /g, "");
        const previous = owner.get(key);
        expect(previous === undefined || previous === field, `"${synonym}" is claimed by ${previous} and ${field}`).toBe(true);
        owner.set(key, field);
        expect(fieldForHeader(synonym)).toBe(field);
      }
    }
  });

  it("read Portuguese headers", () => {
    const header = ["Nome completo", "E-mail", "Telefone", "CPF", "Pontos", "Nível", "Data de Nascimento", "Data de cadastro", "Aceita marketing", "Código de indicação", "Pontos usados", "Última atualização", "Situação"];
    const { mapping, unmapped } = matchHeaders(header, "generic");
    expect(mapping).toEqual({
      fullName: 0,
      email: 1,
      phone: 2,
      cpf: 3,
      points: 4,
      tier: 5,
      birthday: 6,
      enrolledAt: 7,
      marketingConsent: 8,
      referralCode: 9,
      pointsSpent: 10,
      updatedAt: 11,
      status: 12,
    });
    expect(unmapped).toEqual([]);
  });

  it("read Spanish headers", () => {
    const header = ["Correo electrónico", "Teléfono", "Nombre", "Apellido", "Puntos", "Nivel", "Fecha de nacimiento", "Código de referido", "Fecha de registro", "Puntos canjeados", "Móvil"];
    const { mapping, unmapped } = matchHeaders(header, "generic");
    expect(mapping).toMatchObject({ email: 0, phone: 1, firstName: 2, lastName: 3, points: 4, tier: 5, birthday: 6, referralCode: 7, enrolledAt: 8, pointsSpent: 9 });
    expect(mapping.fullName).toBeUndefined();
    expect(unmapped).toEqual(["Móvil"]); // the phone already has its column
  });

  it("read English headers, whatever their case and separators", () => {
    const header = ["Email Address", "PHONE_NUMBER", "first-name", "LastName", "Points Balance", "VIP Tier", "Date of Birth", "Referral Code", "Accepts Marketing", "Enrolled At", "updatedAt", "Points Spent", "Customer ID", "Status"];
    const { mapping } = matchHeaders(header, "generic");
    expect(mapping).toEqual({
      email: 0,
      phone: 1,
      firstName: 2,
      lastName: 3,
      points: 4,
      tier: 5,
      birthday: 6,
      referralCode: 7,
      marketingConsent: 8,
      enrolledAt: 9,
      updatedAt: 10,
      pointsSpent: 11,
      platformCustomerId: 12,
      status: 13,
    });
  });

  it("read a bracketed hint as part of the header only when the bare header is not known", () => {
    expect(fieldForHeader("Birthday (MM/DD)")).toBe("birthday");
    expect(fieldForHeader("Birthday(MM/DD)")).toBe("birthday");
    expect(fieldForHeader("CPF/CNPJ")).toBe("cpf");
  });

  it("leave alone columns that look alike but mean something else", () => {
    for (const h of ["State", "Estado", "Credits Balance", "Points Total", "Lifetime Points", "ID", "Referral URL", "Points Pending"]) {
      expect(fieldForHeader(h), h).toBeNull();
    }
  });
});

describe("matchHeaders", () => {
  it("prefers the preset's columns in its order of preference, before synonyms", () => {
    const header = ["points", "email", "points_approved", "points_pending", "merchant_id"];
    const { mapping, unmapped } = matchHeaders(header, "loyaltylion");
    expect(mapping.points).toBe(2);
    expect(mapping.platformCustomerId).toBe(4);
    expect(unmapped).toEqual(["points", "points_pending"]);
  });

  it("prefers a header that names the field exactly over one recognised through its bracketed hint", () => {
    expect(matchHeaders(["Email", "Points (pending)", "Points"], "generic").mapping).toEqual({ email: 0, points: 2 });
    expect(matchHeaders(["Email", "Points (pending)", "Points"], "smile").mapping).toEqual({ email: 0, points: 2 });
    expect(matchHeaders(["Email", "Pontos (saldo)"], "generic").mapping).toEqual({ email: 0, points: 1 });
  });

  it("lets the merchant's explicit mapping win, by header name", () => {
    const header = ["Email", "Points", "Saldo", "Telefone"];
    const { mapping, unmapped } = matchHeaders(header, "generic", { points: "Saldo" });
    expect(mapping.points).toBe(2);
    expect(unmapped).toEqual(["Points"]);
  });

  it("lets an explicit column be taken from the field a preset would give it", () => {
    const header = ["Email", "Points Balance", "Credits Balance"];
    const { mapping } = matchHeaders(header, "rivo", { points: "Credits Balance", pointsSpent: "Points Balance" });
    expect(mapping).toEqual({ email: 0, points: 2, pointsSpent: 1 });
  });

  it("ignores an explicit header that is not in the file, and matches it loosely otherwise", () => {
    expect(matchHeaders(["email", "points"], "generic", { points: "Pontos" }).mapping).toEqual({ email: 0, points: 1 });
    expect(matchHeaders(["E-mail", "Saldo Atual"], "generic", { email: "e_mail", points: "saldo atual" }).mapping).toEqual({ email: 0, points: 1 });
  });

  it("keeps the first of repeated headers and lists the repeats", () => {
    const { mapping, duplicates, unmapped } = matchHeaders(["Email", "Points", "email", "Tier", "POINTS"], "generic");
    expect(mapping).toEqual({ email: 0, points: 1, tier: 3 });
    expect(duplicates).toEqual(["email", "POINTS"]);
    expect(unmapped).toEqual([]);
  });

  it("reads a bare name column as the first name when a surname column is beside it", () => {
    expect(matchHeaders(["Nome", "Sobrenome", "Email", "Pontos"], "generic").mapping).toMatchObject({ firstName: 0, lastName: 1 });
    expect(matchHeaders(["Nome", "Email", "Pontos"], "generic").mapping).toMatchObject({ fullName: 0 });
    expect(matchHeaders(["Nome", "Sobrenome", "Email", "Pontos"], "generic", { fullName: "Nome" }).mapping).toMatchObject({ fullName: 0, lastName: 1 });
  });

  it("maps each column to one field at most, and never throws, for any header of any provider", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom(...Object.values(HEADER_SYNONYMS).flat())), { maxLength: 20 }),
        fc.constantFrom(...PROVIDERS),
        (header, provider) => {
          const { mapping, unmapped, duplicates } = matchHeaders(header, provider);
          const columns = Object.values(mapping);
          expect(new Set(columns).size).toBe(columns.length);
          for (const index of columns) expect(index).toBeGreaterThanOrEqual(0);
          expect(columns.length + unmapped.length + duplicates.length).toBe(header.length);
        },
      ),
    );
  });
});

describe("requireIdentityAndPoints", () => {
  it("refuses a balances file without an identity column, listing the headers found", () => {
    const header = ["Nome", "Pontos"];
    const { mapping } = matchHeaders(header, "generic");
    let error: unknown;
    try {
      requireIdentityAndPoints(mapping, header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).code).toBe("NO_IDENTITY_COLUMN");
    expect((error as ImportFileError).message).toContain('"Nome", "Pontos"');
  });

  it("refuses a balances file without a points column", () => {
    const header = ["Email", "Credits Balance"];
    expect(() => requireIdentityAndPoints(matchHeaders(header, "rivo").mapping, header)).toThrow(
      expect.objectContaining({ code: "NO_POINTS_COLUMN", message: expect.stringContaining('"Email", "Credits Balance"') }),
    );
  });

  it("accepts any identity column with points", () => {
    for (const header of [["email", "points"], ["Telefone", "Pontos"], ["CPF", "Saldo"], ["Customer ID", "Balance"]]) {
      expect(() => requireIdentityAndPoints(matchHeaders(header, "generic").mapping, header)).not.toThrow();
    }
  });
});

describe("refusals list a bounded number of columns (issue 9, hostile corpus)", () => {
  it("names the first 20 columns and counts the rest", () => {
    const header = Array.from({ length: 4000 }, (_, i) => `extra_${i + 1}`);
    let message = "";
    try {
      requireIdentityAndPoints({}, header);
    } catch (error) {
      expect(error).toBeInstanceOf(ImportFileError);
      message = (error as ImportFileError).message;
    }
    expect(message).toContain('"extra_20" and 3,980 more');
    expect(message).not.toContain("extra_21");
    expect(message.length).toBeLessThan(2000);
  });
});
