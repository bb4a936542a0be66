import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchHeaders } from "./headers";
import { MAX_STORABLE_POINTS, parseConsent, rawRecord, splitFullName, validateRow } from "./validate";
import { TARGET_FIELDS, type ColumnMapping, type RejectCode, type RowOutcome, type ValidationOptions } from "./types";

const BR: ValidationOptions = { defaultCountry: "BR", decimalMark: "comma", dateOrder: "dmy", rounding: "reject", maxPoints: 1_000_000 };
const US: ValidationOptions = { defaultCountry: "US", decimalMark: "dot", dateOrder: "mdy", rounding: "reject", maxPoints: 1_000_000 };

const HEADER = ["Nome", "E-mail", "Telefone", "CPF", "Customer ID", "Pontos", "Pontos usados", "Nível", "Código de indicação", "Aceita marketing", "Data de nascimento", "Data de cadastro", "Última atualização", "Situação"];
const MAPPING = matchHeaders(HEADER, "generic").mapping;

type Cells = Partial<Record<(typeof HEADER)[number], string>>;

function row(cells: Cells, options: ValidationOptions = BR, rowNumber = 2): RowOutcome {
  return validateRow({ rowNumber, cells: HEADER.map((h) => cells[h] ?? "") }, HEADER, MAPPING, options);
}

function codes(outcome: RowOutcome): RejectCode[] {
  return outcome.status === "rejected" ? outcome.reasons.map((r) => r.code) : [];
}

function validRecord(outcome: RowOutcome) {
  if (outcome.status !== "valid") throw new Error(`expected a valid row, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

describe("validateRow", () => {
  it("normalises a complete Brazilian row and keeps every raw value", () => {
    const cells: Cells = {
      Nome: "  Ana Maria Souza ",
      "E-mail": " Ana.Souza@Exemplo.com.br ",
      Telefone: "(11) 98765-4321",
      CPF: "529.982.247-25",
      "Customer ID": "706405506930370084",
      Pontos: "1.234",
      "Pontos usados": "56",
      Nível: "Ouro",
      "Código de indicação": "ANA10",
      "Aceita marketing": "Não",
      "Data de nascimento": "27/05/1990",
      "Data de cadastro": "01/03/2022",
      "Última atualização": "10/01/2025",
      Situação: "ativo",
    };
    const record = validRecord(row(cells, BR, 7));
    expect(record).toMatchObject({
      rowNumber: 7,
      email: "Ana.Souza@Exemplo.com.br",
      emailNormalized: "ana.souza@exemplo.com.br",
      phone: "(11) 98765-4321",
      phoneE164: "+5511987654321",
      cpf: "52998224725",
      platformCustomerRef: "706405506930370084",
      firstName: "Ana",
      lastName: "Maria Souza",
      points: 1234,
      pointsSpent: 56,
      tier: "Ouro",
      referralCode: "ANA10",
      marketingConsent: "no",
      birthday: "1990-05-27",
      status: "ativo",
    });
    expect(record.enrolledAt?.startsWith("2022-03-01")).toBe(true);
    expect(record.updatedAt?.startsWith("2025-01-10")).toBe(true);
    expect(record.raw).toEqual(Object.fromEntries(HEADER.map((h) => [h, cells[h] ?? ""])));
  });

  it("needs an identity", () => {
    expect(codes(row({ Nome: "Ana", Pontos: "10" }))).toEqual(["NO_IDENTITY"]);
    expect(validRecord(row({ "Customer ID": "42", Pontos: "10" })).platformCustomerRef).toBe("42");
    expect(validRecord(row({ CPF: "52998224725", Pontos: "10" })).cpf).toBe("52998224725");
    expect(validRecord(row({ Telefone: "11 98765 4321", Pontos: "10" })).phoneE164).toBe("+5511987654321");
  });

  it("rejects a malformed e-mail, even beside another identity", () => {
    const outcome = row({ "E-mail": "ana@", Telefone: "(11) 98765-4321", Pontos: "10" });
    expect(codes(outcome)).toEqual(["INVALID_EMAIL"]);
    if (outcome.status === "rejected") expect(outcome.reasons[0]?.message).toBe('E-mail "ana@" is not a valid address.');
  });

  it("rejects an invalid phone only when it is the sole identity; otherwise keeps the row with phoneE164 null", () => {
    expect(codes(row({ Telefone: "(11) 1234", Pontos: "10" }))).toEqual(["INVALID_PHONE"]);
    const kept = validRecord(row({ "E-mail": "ana@exemplo.com.br", Telefone: "(11) 1234", Pontos: "10" }));
    expect(kept.phone).toBe("(11) 1234");
    expect(kept.phoneE164).toBeNull();
    expect(kept.raw.Telefone).toBe("(11) 1234");
  });

  it("reads phones in the store's country", () => {
    expect(validRecord(row({ Telefone: "(650) 253-0000", Pontos: "1" }, US)).phoneE164).toBe("+16502530000");
    expect(codes(row({ Telefone: "(650) 253-0000", Pontos: "1" }, BR))).toEqual(["INVALID_PHONE"]); // 65 0253-0000 is no Brazilian number
    // Ten digits can be a number in both countries: (415) 555-2671 is also (41) 5555-2671 in Curitiba.
    expect(validRecord(row({ Telefone: "(415) 555-2671", Pontos: "1" }, BR)).phoneE164).toBe("+554155552671");
    expect(validRecord(row({ Telefone: "+1 415 555 2671", Pontos: "1" }, BR)).phoneE164).toBe("+14155552671");
  });

  it("checks CPFs the same way: invalid rejects only as the sole identity", () => {
    expect(codes(row({ CPF: "529.982.247-24", Pontos: "10" }))).toEqual(["INVALID_CPF"]);
    expect(codes(row({ CPF: "111.111.111-11", Pontos: "10" }))).toEqual(["INVALID_CPF"]);
    expect(validRecord(row({ "E-mail": "ana@exemplo.com.br", CPF: "529.982.247-24", Pontos: "10" })).cpf).toBeNull();
  });

  it("refuses a customer id a spreadsheet rounded, when nothing else identifies the customer", () => {
    const outcome = row({ "Customer ID": "7.06405E+17", Pontos: "10" });
    expect(codes(outcome)).toEqual(["NO_IDENTITY"]);
    if (outcome.status === "rejected") expect(outcome.reasons[0]?.message).toContain("scientific notation");
  });

  it("gives every failing identity when none is usable", () => {
    expect(codes(row({ "E-mail": "ana@exemplo", Telefone: "123", CPF: "123", Pontos: "10" }))).toEqual(["INVALID_EMAIL", "INVALID_PHONE", "INVALID_CPF"]);
  });

  describe("points", () => {
    const withPoints = (text: string, options: ValidationOptions = BR) => row({ "E-mail": "ana@exemplo.com.br", Pontos: text }, options);

    it("reads them in the file's number format", () => {
      expect(validRecord(withPoints("1.234")).points).toBe(1234);
      expect(validRecord(withPoints("1.234,00")).points).toBe(1234);
      expect(validRecord(withPoints("1,234", US)).points).toBe(1234);
      expect(validRecord(withPoints("0")).points).toBe(0);
    });

    it("rejects empty, unreadable, negative, fractional and absurd balances, with the points they carry", () => {
      expect(withPoints("")).toMatchObject({ status: "rejected", points: 0, reasons: [{ code: "MISSING_POINTS", field: "points" }] });
      expect(withPoints("abc")).toMatchObject({ status: "rejected", points: 0, reasons: [{ code: "INVALID_POINTS" }] });
      expect(withPoints("-50")).toMatchObject({ status: "rejected", points: -50, reasons: [{ code: "NEGATIVE_POINTS" }] });
      expect(withPoints("12,5")).toMatchObject({ status: "rejected", points: 0, reasons: [{ code: "FRACTIONAL_POINTS" }] });
      expect(withPoints("1.000.001")).toMatchObject({ status: "rejected", points: 1_000_001, reasons: [{ code: "POINTS_OVER_CAP" }] });
      expect(withPoints("1.000.000")).toMatchObject({ status: "valid", record: { points: 1_000_000 } });
      expect(withPoints("99.999.999.999.999")).toMatchObject({ status: "rejected", points: 0, reasons: [{ code: "POINTS_OVER_CAP" }] });
    });

    it("rounds decimals by the merchant's rule", () => {
      expect(validRecord(withPoints("12,5", { ...BR, rounding: "round" })).points).toBe(13);
      expect(validRecord(withPoints("12,5", { ...BR, rounding: "floor" })).points).toBe(12);
      expect(validRecord(withPoints("12,1", { ...BR, rounding: "ceil" })).points).toBe(13);
      expect(validRecord(withPoints("-0,4", { ...BR, rounding: "round" })).points).toBe(0);
      expect(Object.is(validRecord(withPoints("-0,4", { ...BR, rounding: "ceil" })).points, 0)).toBe(true);
      expect(codes(withPoints("-1,5", { ...BR, rounding: "floor" }))).toEqual(["NEGATIVE_POINTS"]);
    });

    it("collects every reason of a row", () => {
      const outcome = row({ Nome: "Ana", Pontos: "-12,5" });
      expect(codes(outcome)).toEqual(["NO_IDENTITY", "FRACTIONAL_POINTS", "NEGATIVE_POINTS"]);
    });

    it("keeps points spent as information, never as a reason to reject", () => {
      expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Pontos usados": "-3" })).pointsSpent).toBeNull();
      expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Pontos usados": "x" })).pointsSpent).toBeNull();
      expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Pontos usados": "2,5" })).pointsSpent).toBeNull();
      expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Pontos usados": "2,5" }, { ...BR, rounding: "round" })).pointsSpent).toBe(3);
    });
  });

  it("turns unreadable dates into null without rejecting the row", () => {
    const record = validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Data de nascimento": "31/02/1990", "Data de cadastro": "ontem", "Última atualização": "03/15" }));
    expect(record.birthday).toBeNull();
    expect(record.enrolledAt).toBeNull();
    expect(record.updatedAt).toBeNull();
    expect(record.raw["Data de nascimento"]).toBe("31/02/1990");
  });

  it("reads dates in the file's order", () => {
    expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Data de nascimento": "03/04/1990" }, BR)).birthday).toBe("1990-04-03");
    expect(validRecord(row({ "E-mail": "a@b.co", Pontos: "1", "Data de nascimento": "03/04/1990" }, US)).birthday).toBe("1990-03-04");
  });

  it("splits a full name only into the name fields that are not mapped", () => {
    const header = ["Email", "Full Name", "First Name", "Points"];
    const mapping = matchHeaders(header, "generic").mapping;
    const outcome = validateRow({ rowNumber: 2, cells: ["a@b.co", "Ana Maria Souza", "Aninha", "1"] }, header, mapping, US);
    expect(validRecord(outcome)).toMatchObject({ firstName: "Aninha", lastName: "Maria Souza" });
    expect(splitFullName("  Ana  ")).toEqual({ firstName: "Ana", lastName: null });
    expect(splitFullName("Maria  da   Silva")).toEqual({ firstName: "Maria", lastName: "da Silva" });
    expect(splitFullName("   ")).toEqual({ firstName: null, lastName: null });
  });
});

describe("parseConsent", () => {
  it("reads yes and no in English, Portuguese and Spanish, whatever the case and accents", () => {
    for (const yes of ["yes", "Y", "Sim", "SÍ", "si", "true", "1", "opt-in", "Opted In", "subscribed", "S"]) expect(parseConsent(yes), yes).toBe("yes");
    for (const no of ["no", "N", "Não", "nao", "NAO", "false", "0", "unsubscribed", "opt_out", "Opted out"]) expect(parseConsent(no), no).toBe("no");
  });

  it("never upgrades what it does not understand", () => {
    for (const unknown of [null, "", "talvez", "quizás", "pending", "2", "yes please", "x"]) expect(parseConsent(unknown)).toBeNull();
  });
});

describe("rawRecord", () => {
  it("keeps every cell, naming repeated and empty headers and extra cells", () => {
    expect(rawRecord(["Email", "", "Email", "Points"], ["a@b.co", "x", "c@d.co", "1", "extra"])).toEqual({
      Email: "a@b.co",
      "(column 2)": "x",
      "Email #2": "c@d.co",
      Points: "1",
      "(column 5)": "extra",
    });
    expect(rawRecord(["Email", "Points"], ["a@b.co"])).toEqual({ Email: "a@b.co", Points: "" });
  });

  it("keeps a header named __proto__ as a plain key", () => {
    const raw = rawRecord(["__proto__", "constructor"], ["x", "y"]);
    expect(Object.keys(raw)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
  });
});

describe("validateRow on any input", () => {
  const mappingArb = fc
    .uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 0, maxLength: 8 })
    .chain((columns) => fc.shuffledSubarray([...TARGET_FIELDS], { minLength: columns.length, maxLength: columns.length }).map((fields) => {
      const mapping: ColumnMapping = {};
      fields.forEach((field, i) => (mapping[field] = columns[i]));
      return mapping;
    }));
  const cellArb = fc.oneof(
    fc.string(),
    fc.constantFrom("", " ", "ana@exemplo.com.br", "(11) 98765-4321", "529.982.247-25", "1.234", "-5", "12,5", "1e9", "NaN", "Infinity", "31/12/1999", "sim", "__proto__"),
  );
  const optionsArb = fc.record({
    defaultCountry: fc.constantFrom("BR", "US", "MX", "AR", "", "zz"),
    decimalMark: fc.constantFrom("dot" as const, "comma" as const),
    dateOrder: fc.constantFrom("dmy" as const, "mdy" as const),
    rounding: fc.constantFrom("reject" as const, "round" as const, "floor" as const, "ceil" as const),
    maxPoints: fc.integer({ min: 0, max: 10_000_000 }),
  });

  it("never throws, and is valid XOR rejected with at least one reason", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 8 }),
        fc.array(cellArb, { maxLength: 10 }),
        mappingArb,
        optionsArb,
        fc.integer({ min: 1, max: 1_000_000 }),
        (header, cells, mapping, options, rowNumber) => {
          const outcome = validateRow({ rowNumber, cells }, header, mapping, options);
          if (outcome.status === "valid") {
            const { record } = outcome;
            expect(record.rowNumber).toBe(rowNumber);
            expect(Number.isSafeInteger(record.points) && record.points >= 0 && record.points <= options.maxPoints).toBe(true);
            expect(record.emailNormalized ?? record.phoneE164 ?? record.cpf ?? record.platformCustomerRef).not.toBeNull();
            expect(["yes", "no", null]).toContain(record.marketingConsent);
            expect("reasons" in outcome).toBe(false);
          } else {
            expect(outcome.status).toBe("rejected");
            expect(outcome.reasons.length).toBeGreaterThanOrEqual(1);
            expect(outcome.rowNumber).toBe(rowNumber);
            expect(Number.isSafeInteger(outcome.points) && Math.abs(outcome.points) <= MAX_STORABLE_POINTS).toBe(true);
            for (const reason of outcome.reasons) expect(reason.message.length).toBeGreaterThan(0);
          }
          const raw = outcome.status === "valid" ? outcome.record.raw : outcome.raw;
          // Every cell is kept (keys may enumerate in another order: integer-like headers come first).
          expect(Object.values(raw).sort()).toEqual(Array.from({ length: Math.max(header.length, cells.length) }, (_, i) => cells[i] ?? "").sort());
        },
      ),
      { numRuns: 1000 },
    );
  });
});
