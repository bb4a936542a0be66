import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldForHeader, matchHeaders, requireHistoryColumns } from "./headers";
import { validateHistoryRow } from "./history";
import { ImportFileError, type RejectCode, type RowOutcome, type ValidationOptions } from "./types";

const BR: ValidationOptions = { defaultCountry: "BR", decimalMark: "comma", dateOrder: "dmy", rounding: "reject", maxPoints: 1_000_000 };

const HEADER = ["E-mail", "Telefone", "Data", "Pontos", "Motivo"];
const MAPPING = matchHeaders(HEADER, "generic", undefined, "history").mapping;

type Cells = Partial<Record<(typeof HEADER)[number], string>>;

function row(cells: Cells, options: ValidationOptions = BR, rowNumber = 2): RowOutcome {
  return validateHistoryRow({ rowNumber, cells: HEADER.map((h) => cells[h] ?? "") }, HEADER, MAPPING, options);
}

function codes(outcome: RowOutcome): RejectCode[] {
  return outcome.status === "rejected" ? outcome.reasons.map((r) => r.code) : [];
}

function validRecord(outcome: RowOutcome) {
  if (outcome.status !== "valid") throw new Error(`expected a valid row, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

describe("history headers", () => {
  it("map the date, the signed change and the reason in a history file", () => {
    expect(MAPPING).toEqual({ email: 0, phone: 1, occurredAt: 2, points: 3, reason: 4 });
  });

  it("read the change, not a running balance, and 'Created at' as the event's date", () => {
    const header = ["Customer email", "Created at", "Balance", "Points change", "Description"];
    expect(matchHeaders(header, "smile", undefined, "history").mapping).toEqual({ email: 0, occurredAt: 1, points: 3, reason: 4 });
  });

  it("are not read in a balances file", () => {
    const { mapping, unmapped } = matchHeaders(["email", "points", "date", "reason"], "generic");
    expect(mapping).toEqual({ email: 0, points: 1 });
    expect(unmapped).toEqual(["date", "reason"]);
    expect(fieldForHeader("Motivo")).toBe("reason");
  });

  it("a history file without a date column is refused with the headers found", () => {
    const header = ["email", "points", "reason"];
    const mapping = matchHeaders(header, "generic", undefined, "history").mapping;
    expect(() => requireHistoryColumns(mapping, header)).toThrow(ImportFileError);
    try {
      requireHistoryColumns(mapping, header);
    } catch (error) {
      expect((error as ImportFileError).code).toBe("NO_DATE_COLUMN");
      expect((error as ImportFileError).message).toMatch(/"reason"/);
    }
    expect(() => requireHistoryColumns({ email: 0, occurredAt: 1 }, ["email", "date"])).toThrow(/points change/);
    expect(() => requireHistoryColumns({ points: 0, occurredAt: 1 }, ["points", "date"])).toThrow(/identifies the customer/);
  });
});

describe("validateHistoryRow", () => {
  it("keeps a positive event with its date and reason", () => {
    const r = validRecord(row({ "E-mail": " Ana@Exemplo.com ", Data: "15/03/2024", Pontos: "150", Motivo: " Compra #1001 " }));
    expect(r).toMatchObject({ emailNormalized: "ana@exemplo.com", points: 150, occurredAt: "2024-03-15", reason: "Compra #1001" });
    expect(r.raw).toMatchObject({ Motivo: " Compra #1001 " });
  });

  it("accepts negative changes (redemptions) and ISO date-times", () => {
    const r = validRecord(row({ "E-mail": "ana@exemplo.com", Data: "2024-03-20T10:00:00Z", Pontos: "-1.200", Motivo: "Resgate" }));
    expect(r.points).toBe(-1200);
    expect(r.occurredAt).toMatch(/^2024-03-20T10:00:00/);
  });

  it("rejects a zero change", () => {
    const out = row({ "E-mail": "ana@exemplo.com", Data: "15/03/2024", Pontos: "0" });
    expect(codes(out)).toEqual(["ZERO_DELTA"]);
    if (out.status === "rejected") expect(out.reasons[0]!.message).toMatch(/zero/);
  });

  it("rejects an unreadable or impossible date, saying which", () => {
    for (const date of ["31/02/2024", "ontem", "03/2024"]) {
      const out = row({ "E-mail": "ana@exemplo.com", Data: date, Pontos: "-40" });
      expect(codes(out)).toEqual(["INVALID_DATE"]);
      if (out.status === "rejected") {
        expect(out.reasons[0]!.message).toContain(date);
        expect(out.points).toBe(-40); // readable points count as rejected points
      }
    }
    expect(codes(row({ "E-mail": "ana@exemplo.com", Data: " ", Pontos: "10" }))).toEqual(["MISSING_DATE"]);
  });

  it("applies the identity rules of balance rows", () => {
    expect(codes(row({ Data: "15/03/2024", Pontos: "10" }))).toEqual(["NO_IDENTITY"]);
    expect(codes(row({ "E-mail": "ana@", Data: "15/03/2024", Pontos: "10" }))).toEqual(["INVALID_EMAIL"]);
    expect(codes(row({ Telefone: "123", Data: "15/03/2024", Pontos: "10" }))).toEqual(["INVALID_PHONE"]);
    expect(validRecord(row({ Telefone: "(11) 98765-4321", Data: "15/03/2024", Pontos: "10" })).phoneE164).toBe("+5511987654321");
  });

  it("applies the rounding rule and the cap to the absolute change", () => {
    expect(codes(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "10,5" }))).toEqual(["FRACTIONAL_POINTS"]);
    expect(validRecord(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "-10,5" }, { ...BR, rounding: "floor" })).points).toBe(-11);
    expect(codes(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "0,4" }, { ...BR, rounding: "round" }))).toEqual(["ZERO_DELTA"]);
    expect(codes(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "-2.000.000" }))).toEqual(["POINTS_OVER_CAP"]);
    expect(codes(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "" }))).toEqual(["MISSING_POINTS"]);
    expect(codes(row({ "E-mail": "a@b.co", Data: "15/03/2024", Pontos: "muitos" }))).toEqual(["INVALID_POINTS"]);
  });

  it("reports every reason of a row at once", () => {
    expect(codes(row({ "E-mail": "ana@", Data: "ontem", Pontos: "0" }))).toEqual(["INVALID_EMAIL", "ZERO_DELTA", "INVALID_DATE"]);
  });

  it("never throws, and a row is valid with a non-zero whole change and a date, or rejected with reasons (property)", () => {
    const cellArb = fc.oneof(
      fc.string(),
      fc.constantFrom("", " ", "ana@exemplo.com", "x@", "(11) 98765-4321", "0", "-0", "-15", "1.234", "1,5", "1e9", "NaN", "15/03/2024", "31/02/2024", "2024-03-15T10:00:00Z", "Resgate"),
      fc.integer({ min: -5000, max: 5000 }).map(String),
    );
    fc.assert(
      fc.property(fc.array(cellArb, { minLength: 0, maxLength: 7 }), fc.constantFrom("reject", "round", "floor", "ceil" as const), (cells, rounding) => {
        const out = validateHistoryRow({ rowNumber: 7, cells }, HEADER, MAPPING, { ...BR, rounding });
        if (out.status === "valid") {
          expect(Number.isSafeInteger(out.record.points)).toBe(true);
          expect(out.record.points).not.toBe(0);
          expect(Math.abs(out.record.points)).toBeLessThanOrEqual(BR.maxPoints);
          expect(out.record.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}/);
        } else {
          expect(out.status).toBe("rejected");
          expect(out.reasons.length).toBeGreaterThan(0);
          for (const reason of out.reasons) expect(reason.message.length).toBeGreaterThan(0);
          expect(Number.isSafeInteger(out.points)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
