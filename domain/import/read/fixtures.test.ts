// The tests of the committed bad files: reading a fixture is the test's I/O, not the domain's.
// eslint-disable-next-line no-restricted-imports -- tests read the committed fixture files
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ImportFileError } from "../types";
import { readCsv } from "./csv";
import { detectFormat } from "./detect";
import { parseLocaleNumber } from "./numbers";
import { chunked, collectUntilError, rowsOf, shapes } from "./test-support";
import { readXlsx } from "./xlsx";

const dir = new URL("../../../tests/fixtures/import/bad/", import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));

function detectError(name: string): ImportFileError {
  try {
    detectFormat(bytes(name).subarray(0, 256 * 1024), name);
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error(`expected ${name} to be refused`);
}

async function readFixture(name: string) {
  const data = bytes(name);
  const format = detectFormat(data.subarray(0, 256 * 1024), name);
  const reader = format.kind === "xlsx" ? readXlsx(chunked(data, 1000), format) : readCsv(chunked(data, 1000), format);
  return { format, ...(await collectUntilError(reader)) };
}

describe("tests/fixtures/import/bad", () => {
  it("empty.csv → EMPTY_FILE", async () => {
    expect(detectError("empty.csv").code).toBe("EMPTY_FILE");
    const { error } = await collectUntilError(readCsv(chunked(bytes("empty.csv")), { kind: "csv", encoding: "utf-8", delimiter: ",", quote: '"', headerRow: 1, decimalMark: "dot", dateOrder: "dmy" }));
    expect(error?.code).toBe("EMPTY_FILE");
  });

  it("header-only.csv → header, then HEADER_ONLY", async () => {
    const { format, events, error } = await readFixture("header-only.csv");
    expect(format).toMatchObject({ header: ["email", "points", "name"], sample: [] });
    expect(shapes(events)).toEqual(["header@1"]);
    expect(error?.code).toBe("HEADER_ONLY");
  });

  it("binary.csv → BINARY_FILE", () => {
    expect(detectError("binary.csv")).toMatchObject({ code: "BINARY_FILE", message: expect.stringMatching(/PNG image/) });
  });

  it("wrong-extension.pdf → UNSUPPORTED_EXTENSION", () => {
    expect(detectError("wrong-extension.pdf").code).toBe("UNSUPPORTED_EXTENSION");
  });

  it("unterminated-quote.csv → line 4 malformed, the rows after it read", async () => {
    const { format, events, error } = await readFixture("unterminated-quote.csv");
    expect(error).toBeNull();
    expect(format.notes.join(" ")).toMatch(/line 4: unterminated quote/);
    expect(shapes(events)).toEqual(["header@1", "row@2", "row@3", "malformed@4", "row@5", "row@6", "row@7"]);
    expect(events[3]).toMatchObject({ type: "malformed", rowNumber: 4, raw: 'carla@example.com,45,"Carla Lima' });
    expect(rowsOf(events).map(([, c]) => c[2])).toEqual(["Ana Souza", "Souza, Bia", "Dani Rocha", 'Edu "Dudu" Alves', "Fabi Melo"]);
  });

  it("truncated.xlsx → TRUNCATED_XLSX", async () => {
    const { format, error } = await readFixture("truncated.xlsx");
    expect(format.kind).toBe("xlsx");
    expect(error?.code).toBe("TRUNCATED_XLSX");
  });

  it("latin1.csv → Windows-1252, names decoded exactly", async () => {
    const { format, events, error } = await readFixture("latin1.csv");
    expect(error).toBeNull();
    expect(format).toMatchObject({ encoding: "windows-1252", delimiter: ";", decimalMark: "comma", header: ["email", "pontos", "nome", "cidade"] });
    expect(rowsOf(events).map(([, c]) => c[2])).toEqual(["João da Silva", "Maria da Conceição", "Estêvão Açaí", "Inês Ferrão (€ 5)"]);
    expect(rowsOf(events).map(([, c]) => parseLocaleNumber(c[1] ?? "", format.decimalMark))).toEqual([
      { ok: true, value: 1234 },
      { ok: true, value: 50.5 },
      { ok: true, value: 10 },
      { ok: true, value: 7 },
    ]);
  });

  it("mixed-endings.csv → every line ending counts, blank and comment lines reported", async () => {
    const { events, error } = await readFixture("mixed-endings.csv");
    expect(error).toBeNull();
    expect(shapes(events)).toEqual(["header@1", "row@2", "row@3", "row@4", "ignored:blank@5", "ignored:comment@6", "row@7"]);
  });

  it("semicolon-comma-decimal.csv → ;, comma decimals, day/month/year", async () => {
    const { format, events, error } = await readFixture("semicolon-comma-decimal.csv");
    expect(error).toBeNull();
    expect(format).toMatchObject({ delimiter: ";", decimalMark: "comma", dateOrder: "dmy", dateOrderAmbiguous: false });
    expect(rowsOf(events).map(([, c]) => parseLocaleNumber(c[1] ?? "", format.decimalMark))).toEqual([
      { ok: true, value: 1234 },
      { ok: true, value: 80 },
      { ok: true, value: 12500 },
    ]);
    expect(parseLocaleNumber(rowsOf(events)[0]?.[1][2] ?? "", "comma")).toEqual({ ok: true, value: 1234.56 });
  });
});
