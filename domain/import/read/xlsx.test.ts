import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { type FileFormat } from "../types";
import { detectFormat } from "./detect";
import { detectFileFormat } from "./index";
import { chunked, collect, collectUntilError, rowsOf, shapes, utf8 } from "./test-support";
import { cellText, formatNumber, previewXlsx, readXlsx } from "./xlsx";

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const xlsxFormat = (overrides: Partial<FileFormat> = {}): FileFormat => ({
  kind: "xlsx",
  encoding: "utf-8",
  delimiter: ",",
  quote: '"',
  headerRow: 1,
  decimalMark: "dot",
  dateOrder: "dmy",
  ...overrides,
});

const read = (bytes: Uint8Array, format = xlsxFormat(), limits = {}) => collect(readXlsx(chunked(bytes, 4096), format, limits));

const members = () =>
  workbook((wb) => {
    const ws = wb.addWorksheet("Pontos");
    ws.addRow(["email", "nome", "pontos", "desde"]);
    ws.addRow(["ana@x.com", "João", 1234.56, new Date(Date.UTC(2025, 2, 4))]);
    ws.addRow(["bia@x.com", "Conceição", 10, new Date(Date.UTC(2024, 11, 25, 13, 30))]);
  });

describe("readXlsx", () => {
  it("reads the header and rows with their sheet row numbers; dates in cells come out ISO", async () => {
    const events = await read(await members());
    expect(events[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "nome", "pontos", "desde"] });
    expect(rowsOf(events)).toEqual([
      [2, ["ana@x.com", "João", "1234.56", "2025-03-04"]],
      [3, ["bia@x.com", "Conceição", "10", "2024-12-25T13:30:00"]],
    ]);
  });

  it("turns cells into text: numbers without noise or exponent, rich text, formulas, links, booleans, errors", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.addRow(["a", "b", "c", "d", "e", "f", "g", "h"]);
      ws.addRow([
        0.1 + 0.2,
        1e21,
        { richText: [{ text: "Con" }, { font: { bold: true }, text: "ceição" }] },
        { formula: "A2*10", result: 3 },
        { formula: 'CONCAT("a","b")', result: "ab" },
        { text: "site", hyperlink: "https://example.com" },
        true,
        { error: "#N/A" },
      ]);
      ws.addRow(["x", -0, 123456789012, { formula: "TODAY()", result: 45720 }, 1234.5599999999999]);
      ws.getCell("D3").numFmt = "dd/mm/yyyy";
    });
    expect(rowsOf(await read(bytes))).toEqual([
      [2, ["0.3", "1000000000000000000000", "Conceição", "3", "ab", "site", "TRUE", "#N/A"]],
      [3, ["x", "0", "123456789012", "2025-03-04", "1234.56", "", "", ""]],
    ]);
  });

  it("pads rows, reports blank and missing rows, refuses rows wider than the header", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.getRow(1).values = ["email", "points"];
      ws.getRow(2).values = ["a@x.com"];
      ws.getRow(3).values = ["b@x.com", 2];
      ws.getRow(5).values = ["c@x.com", 3, "extra", "more"];
      ws.getRow(6).values = [undefined, "", "  "];
      ws.getRow(7).values = ["d@x.com", 4];
      ws.getRow(8).values = [undefined, undefined, undefined, undefined];
      ws.getCell("C8").value = "";
      ws.getCell("E8").value = null;
      ws.getRow(9).values = ["#42", 5]; // no comments in a worksheet
    });
    const events = await read(bytes);
    expect(shapes(events)).toEqual(["header@1", "row@2", "row@3", "ignored:blank@4", "malformed@5", "ignored:blank@6", "row@7", "ignored:blank@8", "row@9"]);
    expect(events[4]).toEqual({ type: "malformed", rowNumber: 5, reason: "row has 4 cells, header has 2", raw: "c@x.com,3,extra,more" });
    expect(rowsOf(events)).toEqual([
      [2, ["a@x.com", ""]],
      [3, ["b@x.com", "2"]],
      [7, ["d@x.com", "4"]],
      [9, ["#42", "5"]],
    ]);
  });

  it("reads the first worksheet only, and the first visible one when the first is hidden", async () => {
    const two = await workbook((wb) => {
      wb.addWorksheet("Pontos").addRows([["email"], ["first@x.com"]]);
      wb.addWorksheet("Outra").addRows([["email"], ["second@x.com"]]);
    });
    expect(rowsOf(await read(two))).toEqual([[2, ["first@x.com"]]]);
    const hidden = await workbook((wb) => {
      wb.addWorksheet("Config", { state: "hidden" }).addRows([["setting"], ["x"]]);
      wb.addWorksheet("Pontos").addRows([["email"], ["visible@x.com"]]);
    });
    expect(rowsOf(await read(hidden))).toEqual([[2, ["visible@x.com"]]]);
  });

  it("starts at the header row, skipping a title above it", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.getRow(1).values = ["Relatório de pontos"];
      ws.getRow(3).values = ["email", "points"];
      ws.getRow(4).values = ["a@x.com", 1];
    });
    expect(shapes(await read(bytes, xlsxFormat({ headerRow: 3 })))).toEqual(["header@3", "row@4"]);
    // Without the override, the title is the header and the rows are too wide for it.
    expect(shapes(await read(bytes))).toEqual(["header@1", "ignored:blank@2", "malformed@3", "malformed@4"]);
  });

  it("refuses an empty worksheet and a header alone", async () => {
    const empty = await workbook((wb) => void wb.addWorksheet("S"));
    expect((await collectUntilError(readXlsx(chunked(empty), xlsxFormat()))).error?.code).toBe("EMPTY_FILE");
    const headerOnly = await workbook((wb) => void wb.addWorksheet("S").addRow(["email", "points"]));
    const { events, error } = await collectUntilError(readXlsx(chunked(headerOnly), xlsxFormat()));
    expect(shapes(events)).toEqual(["header@1"]);
    expect(error?.code).toBe("HEADER_ONLY");
  });

  it("stops cleanly when the consumer stops early", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.addRow(["email", "points"]);
      for (let i = 0; i < 500; i++) ws.addRow([`u${i}@x.com`, i]);
    });
    let seen = 0;
    for await (const event of readXlsx(chunked(bytes, 1024), xlsxFormat())) {
      if (event.type === "row" && ++seen === 3) break;
    }
    expect(seen).toBe(3);
  });
});

describe("readXlsx: damaged and oversized workbooks", () => {
  it("refuses a truncated workbook (cut in half) with TRUNCATED_XLSX", async () => {
    const bytes = await members();
    const { error } = await collectUntilError(readXlsx(chunked(bytes.subarray(0, bytes.length >> 1), 1000), xlsxFormat()));
    expect(error?.code).toBe("TRUNCATED_XLSX");
    expect(error?.message).toMatch(/damaged or incomplete/);
  });

  it("never crashes or hangs, wherever the file is cut", async () => {
    const bytes = await members();
    for (let cut = 4; cut < bytes.length; cut += Math.ceil(bytes.length / 40)) {
      const { events, error } = await collectUntilError(readXlsx(chunked(bytes.subarray(0, cut), 777), xlsxFormat()));
      // Either the file is refused as damaged, or (cut after the sheet's data) fully read.
      if (error) expect(error.code).toBe("TRUNCATED_XLSX");
      else expect(rowsOf(events)).toHaveLength(2);
    }
  });

  it("refuses bytes that are not a ZIP at all", async () => {
    const garbage = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...utf8("this is not really a zip file, only its first four bytes are")]);
    expect((await collectUntilError(readXlsx(chunked(garbage), xlsxFormat()))).error?.code).toBe("TRUNCATED_XLSX");
  });

  it("stops a workbook that inflates past maxUncompressedBytes (zip bomb guard)", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.addRow(["email", "note"]);
      for (let i = 0; i < 2000; i++) ws.addRow([`u${i}@x.com`, "x".repeat(200)]);
    });
    expect(bytes.length).toBeLessThan(64 * 1024); // compresses well
    const { error } = await collectUntilError(readXlsx(chunked(bytes, 1024), xlsxFormat(), { maxUncompressedBytes: 100 * 1024 }));
    expect(error?.code).toBe("XLSX_TOO_LARGE");
    expect(error?.message).toMatch(/unpacks to more than 100 KiB/);
    // The same workbook under the default limit reads fine.
    expect(rowsOf(await read(bytes))).toHaveLength(2000);
  });

  it("stops a worksheet with more rows than maxRows", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.addRow(["email"]);
      for (let i = 0; i < 50; i++) ws.addRow([`u${i}@x.com`]);
    });
    const { events, error } = await collectUntilError(readXlsx(chunked(bytes), xlsxFormat(), { maxRows: 20 }));
    expect(error?.code).toBe("XLSX_TOO_LARGE");
    expect(rowsOf(events).length).toBeLessThan(20);
  });

  it("refuses a file over maxBytes with TOO_LARGE", async () => {
    const bytes = await members();
    expect((await collectUntilError(readXlsx(chunked(bytes, 512), xlsxFormat(), { maxBytes: 2048 }))).error?.code).toBe("TOO_LARGE");
  });
});

describe("previewXlsx and detectFileFormat", () => {
  it("fills in the header, sample and date order of a workbook", async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet("S");
      ws.addRow(["email", "pontos", "data"]);
      ws.addRow(["a@x.com", 10, "03/04/2025"]);
      ws.addRow(["b@x.com", 20, new Date(Date.UTC(2025, 0, 31))]);
    });
    const detected = detectFormat(bytes.subarray(0, 256 * 1024), "pontos.xlsx");
    expect(detected).toMatchObject({ kind: "xlsx", header: [], sample: [] });
    const preview = await previewXlsx(chunked(bytes), detected);
    expect(preview).toMatchObject({
      kind: "xlsx",
      headerRow: 1,
      header: ["email", "pontos", "data"],
      sample: [
        ["a@x.com", "10", "03/04/2025"],
        ["b@x.com", "20", "2025-01-31"],
      ],
      decimalMark: "dot",
      dateOrder: "mdy",
      dateOrderAmbiguous: true,
    });
    const full = await detectFileFormat(bytes.subarray(0, 1024), "pontos.xlsx", () => chunked(bytes), { dateOrder: "dmy" });
    expect(full).toMatchObject({ header: ["email", "pontos", "data"], dateOrder: "dmy", dateOrderAmbiguous: false });
  });

  it("does not open the file again for a CSV", async () => {
    const detected = await detectFileFormat(utf8("email,points\na,1\n"), "a.csv", () => {
      throw new Error("not needed");
    });
    expect(detected.header).toEqual(["email", "points"]);
  });
});

describe("cell text helpers", () => {
  it("formats numbers plainly", () => {
    expect(formatNumber(1e-7)).toBe("0.0000001");
    expect(formatNumber(-1.5e22)).toBe("-15000000000000000000000");
    expect(formatNumber(2.675)).toBe("2.675");
    expect(formatNumber(NaN)).toBe("");
    expect(cellText(null)).toBe("");
    expect(cellText({ sharedString: 3 })).toBe("");
  });
});
