import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { ImportFileError } from "../types";
import { readCsv } from "./csv";
import { detectFormat, SAMPLE_BYTES } from "./detect";
import { chunked, collect, rowsOf, utf8 } from "./test-support";

const win1252 = (text: string) => new Uint8Array(iconv.encode(text, "win1252"));

function refused(fn: () => unknown): ImportFileError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}

describe("detectFormat: file kind", () => {
  it("accepts .csv, .txt, .tsv and .xlsx, in any case", () => {
    for (const name of ["a.csv", "a.txt", "a.tsv", "A.CSV", "export.Csv"]) {
      expect(detectFormat(utf8("email,points\na,1\n"), name).kind).toBe("csv");
    }
  });

  it("refuses other extensions with a clear message", () => {
    const pdf = refused(() => detectFormat(utf8("%PDF-1.4"), "pontos.pdf"));
    expect(pdf.code).toBe("UNSUPPORTED_EXTENSION");
    expect(pdf.message).toMatch(/"pontos.pdf" is a .pdf file. Carryover reads CSV files \(.csv, .txt, .tsv\) and Excel workbooks \(.xlsx\)/);
    expect(refused(() => detectFormat(utf8("x"), "old.xls")).message).toMatch(/Excel 97–2003 workbook: open it in Excel and save it as .xlsx or CSV/);
    expect(refused(() => detectFormat(utf8("x"), "README")).message).toMatch(/has no file extension/);
    expect(refused(() => detectFormat(new Uint8Array(), "empty.json")).code).toBe("UNSUPPORTED_EXTENSION");
  });

  it("refuses an empty file", () => {
    expect(refused(() => detectFormat(new Uint8Array(), "a.csv")).code).toBe("EMPTY_FILE");
    expect(refused(() => detectFormat(utf8("\uFEFF"), "a.csv")).code).toBe("EMPTY_FILE");
    expect(refused(() => detectFormat(utf8("  \r\n\n"), "a.csv")).code).toBe("EMPTY_FILE");
  });

  it("refuses binary content", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(refused(() => detectFormat(png, "pontos.csv"))).toMatchObject({ code: "BINARY_FILE", message: expect.stringMatching(/PNG image/) });
    expect(refused(() => detectFormat(utf8("email,points\na\u0000,1\n"), "a.csv")).message).toMatch(/NUL bytes/);
    const utf16 = new Uint8Array(iconv.encode("\uFEFFemail\tpoints\n", "utf16le"));
    expect(refused(() => detectFormat(utf16, "a.txt")).message).toMatch(/UTF-16/);
    const controls = new Uint8Array(Array.from({ length: 64 }, (_, i) => (i % 2 ? 0x41 : 0x03)));
    expect(refused(() => detectFormat(controls, "a.csv")).code).toBe("BINARY_FILE");
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...utf8("....pontos.csv....")]);
    expect(refused(() => detectFormat(zip, "a.csv"))).toMatchObject({ code: "BINARY_FILE", message: expect.stringMatching(/ZIP archive/) });
  });

  it("recognises a workbook by its content, whatever its name", () => {
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...utf8("......[Content_Types].xml....xl/workbook.xml")]);
    const detected = detectFormat(xlsx, "pontos.csv");
    expect(detected).toMatchObject({ kind: "xlsx", encoding: "utf-8", delimiter: ",", header: [], sample: [] });
    expect(detected.notes.join(" ")).toMatch(/named .csv but is an Excel workbook/);
  });

  it("reads a text file named .xlsx as CSV, and says so", () => {
    const detected = detectFormat(utf8("email;points\na;1\n"), "pontos.xlsx");
    expect(detected.kind).toBe("csv");
    expect(detected.notes.join(" ")).toMatch(/named .xlsx but contains text/);
  });
});

describe("detectFormat: encoding", () => {
  it("detects Windows-1252 (Latin-1) and decodes João and Conceição right", () => {
    const detected = detectFormat(win1252("nome;pontos\nJoão;10\nMaria da Conceição;20\n"), "a.csv");
    expect(detected.encoding).toBe("windows-1252");
    expect(detected.sample).toEqual([
      ["João", "10"],
      ["Maria da Conceição", "20"],
    ]);
  });

  it("detects UTF-8, with and without BOM; plain ASCII is UTF-8", () => {
    expect(detectFormat(utf8("\uFEFFnome;pontos\nJoão;10\n"), "a.csv")).toMatchObject({ encoding: "utf-8-bom", header: ["nome", "pontos"] });
    expect(detectFormat(utf8("nome;pontos\nJoão;10\n"), "a.csv")).toMatchObject({ encoding: "utf-8", sample: [["João", "10"]] });
    expect(detectFormat(utf8("email;points\na;10\n"), "a.csv").encoding).toBe("utf-8");
  });

  it("is not thrown off by a UTF-8 character cut at the end of a full-size sample", () => {
    const line = "nome;pontos\n" + "Conceição;10\n".repeat(30_000);
    const bytes = utf8(line);
    // Cut inside "ç" (2 bytes): the sample is exactly SAMPLE_BYTES long.
    let cut = SAMPLE_BYTES;
    while (bytes[cut - 1] !== 0xc3) cut--;
    const sample = bytes.subarray(cut - SAMPLE_BYTES, cut);
    expect(sample.length).toBe(SAMPLE_BYTES);
    const detected = detectFormat(bytes.subarray(0, SAMPLE_BYTES), "a.csv");
    expect(detected.encoding).toBe("utf-8");
    expect(detected.notes).toEqual(expect.not.arrayContaining([expect.stringMatching(/Mixed/)]));
  });

  it("mixed encodings, mostly UTF-8: reads UTF-8 and says which line has bad bytes", () => {
    const bytes = new Uint8Array([...utf8("nome;pontos\nJoão;1\nConceição;2\nAçaí;3\n"), ...win1252("Estêvão;4\n")]);
    const detected = detectFormat(bytes, "a.csv");
    expect(detected.encoding).toBe("utf-8");
    expect(detected.notes.join(" ")).toMatch(/Mixed encodings: the file is UTF-8, but 2 bytes are not valid UTF-8 \(first on line 5\)/);
    expect(detected.sample[3]).toEqual(["Est\uFFFDv\uFFFDo", "4"]);
  });

  it("mixed encodings, mostly Latin-1: reads Windows-1252 and says so", () => {
    const bytes = new Uint8Array([...win1252("nome;pontos\nJoão;1\nConceição;2\nAçaí;3\n"), ...utf8("Zé;4\n")]);
    const detected = detectFormat(bytes, "a.csv");
    expect(detected.encoding).toBe("windows-1252");
    expect(detected.notes.join(" ")).toMatch(/Mixed encodings: the file is Windows-1252 \(Latin-1\), but 1 character looks like UTF-8 \(first on line 5\)/);
    expect(detected.sample[0]).toEqual(["João", "1"]);
  });

  it("refuses half-and-half encodings with MIXED_ENCODING, unless the merchant chooses one", () => {
    const bytes = new Uint8Array([...utf8("nome;pontos\nJoão Conceição;1\nAçaí Estêvão;2\n"), ...win1252("João Conceição;3\nAçaí Estêvão;4\n")]);
    const error = refused(() => detectFormat(bytes, "a.csv"));
    expect(error.code).toBe("MIXED_ENCODING");
    expect(error.message).toMatch(/mixes two text encodings: 7 characters are written as UTF-8 \(first on line 2\) and 7 as Windows-1252\/Latin-1 \(first on line 4\)/);
    expect(detectFormat(bytes, "a.csv", { encoding: "windows-1252" }).sample[2]).toEqual(["João Conceição", "3"]);
  });
});

describe("detectFormat: delimiter and quote", () => {
  it("picks the delimiter giving the most consistent columns", () => {
    expect(detectFormat(utf8("email,points,name\na,1,Ana\nb,2,Bia\n"), "a.csv").delimiter).toBe(",");
    expect(detectFormat(utf8("email;points;name\na;1;Ana\nb;2;Bia\n"), "a.csv").delimiter).toBe(";");
    expect(detectFormat(utf8("email\tpoints\tname\na\t1\tAna, Silva\n"), "a.tsv").delimiter).toBe("\t");
    expect(detectFormat(utf8("email\tpoints\na\t1\n"), "a.txt").delimiter).toBe("\t");
  });

  it("is not fooled by comma decimals in a semicolon file, nor by delimiters inside quotes", () => {
    const semicolon = detectFormat(utf8("email;pontos\nana@x.com;1.234,56\nbia@x.com;10,5\n"), "a.csv");
    expect(semicolon).toMatchObject({ delimiter: ";", decimalMark: "comma", header: ["email", "pontos"] });
    const quoted = detectFormat(utf8('name,points\n"Silva; Ana",1\n"Souza; Bia",2\n'), "a.csv");
    expect(quoted).toMatchObject({ delimiter: ",", sample: [["Silva; Ana", "1"], ["Souza; Bia", "2"]] });
  });

  it("defaults to the comma with a note when the file has one column", () => {
    const detected = detectFormat(utf8("email\na@x.com\nb@x.com\n"), "a.csv");
    expect(detected.delimiter).toBe(",");
    expect(detected.notes.join(" ")).toMatch(/Only one column was found/);
  });

  it("uses ' as the quote only when the sample clearly does", () => {
    expect(detectFormat(utf8("name,points\n'Silva, Ana',1\n'Souza, Bia',2\n"), "a.csv")).toMatchObject({ quote: "'", sample: [["Silva, Ana", "1"], ["Souza, Bia", "2"]] });
    expect(detectFormat(utf8("name,points\nO'Brien,1\nD'Ávila,2\n"), "a.csv").quote).toBe('"');
  });
});

describe("detectFormat: header and sample", () => {
  it("takes the first line that is neither blank nor a comment as the header", () => {
    const detected = detectFormat(utf8("# exported 2025-01-01\n\n email , points \na,1\n"), "a.csv");
    expect(detected).toMatchObject({ headerRow: 3, header: ["email", "points"], sample: [["a", "1"]] });
  });

  it("returns at most 20 sample rows, read the way readCsv reads them", async () => {
    const text = "email;points;note\n" + Array.from({ length: 50 }, (_, i) => `u${i}@x.com;${i};"line\n${i}"`).join("\n") + "\n";
    const detected = detectFormat(utf8(text), "a.csv");
    expect(detected.sample).toHaveLength(20);
    const read = rowsOf(await collect(readCsv(chunked(utf8(text), 7), detected))).slice(0, 20).map(([, cells]) => cells);
    expect(detected.sample).toEqual(read);
  });

  it("reports a header-only file with an empty sample (the reader refuses it later)", () => {
    expect(detectFormat(utf8("email,points\n"), "a.csv")).toMatchObject({ header: ["email", "points"], sample: [], headerRow: 1 });
  });

  it("refuses a file of comments only with NO_HEADER", () => {
    expect(refused(() => detectFormat(utf8("# nothing\n# here\n"), "a.csv")).code).toBe("NO_HEADER");
  });

  it("notes a title line taken for the header", () => {
    const detected = detectFormat(utf8("Relatório de pontos\nemail,points,name\na,1,Ana\n"), "a.csv");
    expect(detected.notes.join(" ")).toMatch(/Line 1 has a single name \("Relatório de pontos"\)/);
  });

  it("notes unreadable lines in the sample", () => {
    const detected = detectFormat(utf8("email,points\na,1,2,3\nb,2\n"), "a.csv");
    expect(detected.notes.join(" ")).toMatch(/1 line in the first part of the file cannot be read \(line 2: row has 4 cells, header has 2\)/);
  });
});

describe("detectFormat: decimal mark", () => {
  const detect = (cells: string[], delimiter = ";") =>
    detectFormat(utf8(`email${delimiter}points\n` + cells.map((c, i) => `u${i}@x.com${delimiter}${c}`).join("\n") + "\n"), "a.csv");

  it("reads comma decimals from 1.234,56 and 10,5", () => {
    expect(detect(["1.234,56"]).decimalMark).toBe("comma");
    expect(detect(["10,5"]).decimalMark).toBe("comma");
    expect(detect(["1.234.567"]).decimalMark).toBe("comma");
  });

  it("reads dot decimals from 1,234.56 and 10.5", () => {
    expect(detect(["1,234.56"]).decimalMark).toBe("dot");
    expect(detect(["10.5"]).decimalMark).toBe("dot");
    expect(detect(['"1,234,567"'], ",").decimalMark).toBe("dot");
  });

  it("takes 1.234 as thousands when comma decimals show elsewhere", () => {
    expect(detect(["1.234", "10,5"]).decimalMark).toBe("comma");
    expect(detect(["1,234", "10.5"]).decimalMark).toBe("dot");
  });

  it("defaults to dot in a comma-separated file, with a note, when nothing decides", () => {
    const ambiguous = detect(["1.234", "2.500"], ",");
    expect(ambiguous.decimalMark).toBe("dot");
    expect(ambiguous.notes.join(" ")).toMatch(/Numbers like "1.234" could mean a thousand or a decimal/);
    const integers = detect(["10", "20"], ",");
    expect(integers.decimalMark).toBe("dot");
    expect(integers.notes.join(" ")).toMatch(/No number in the sample shows its decimal mark/);
  });

  it("assumes comma decimals in a semicolon-separated file when nothing decides", () => {
    const ambiguous = detect(["1.234", "2.500"]);
    expect(ambiguous.decimalMark).toBe("comma");
    expect(ambiguous.notes.join(" ")).toMatch(/read as 1\.234,56 \(comma decimals\)/);
  });

  it("follows an assumption (the provider's format) only where the sample does not decide", () => {
    const csv = (cells: string[]) => utf8("email,points\n" + cells.map((c, i) => `u${i}@x.com,"${c}"`).join("\n") + "\n");
    expect(detectFormat(csv(["1.234", "2.500"]), "a.csv", {}, { decimalMark: "comma" }).decimalMark).toBe("comma");
    expect(detectFormat(csv(["1,234.50"]), "a.csv", {}, { decimalMark: "comma" }).decimalMark).toBe("dot");
  });

  it("reads a quoted comma-decimal number in a comma-separated file", () => {
    expect(detect(['"10,5"', '"1.234,56"'], ",")).toMatchObject({ delimiter: ",", decimalMark: "comma" });
  });

  it("ignores dates, CPFs and phones", () => {
    const detected = detectFormat(utf8("cpf;phone;date;points\n123.456.789-09;(11) 98765-4321;01.02.2025;10,5\n"), "a.csv");
    expect(detected.decimalMark).toBe("comma");
  });
});

describe("detectFormat: date order", () => {
  const detect = (dates: string[], points = "10") =>
    detectFormat(utf8("email;points;date\n" + dates.map((d, i) => `u${i}@x.com;${points};${d}`).join("\n") + "\n"), "a.csv");

  it("decides from a day over 12 (dmy) or a second part over 12 (mdy)", () => {
    expect(detect(["03/04/2025", "25/12/2024"])).toMatchObject({ dateOrder: "dmy", dateOrderAmbiguous: false });
    expect(detect(["03/04/2025", "12/25/2024"])).toMatchObject({ dateOrder: "mdy", dateOrderAmbiguous: false });
    expect(detect(["25.12.2024"])).toMatchObject({ dateOrder: "dmy", dateOrderAmbiguous: false });
  });

  it("says when nothing decides, defaulting by the decimal mark", () => {
    const comma = detect(["03/04/2025"], "10,5");
    expect(comma).toMatchObject({ dateOrder: "dmy", dateOrderAmbiguous: true, decimalMark: "comma" });
    expect(comma.notes.join(" ")).toMatch(/Dates like "03\/04\/2025" fit both day\/month and month\/day/);
    expect(detect(["03/04/2025"], "10.5")).toMatchObject({ dateOrder: "mdy", dateOrderAmbiguous: true, decimalMark: "dot" });
  });

  it("never finds ISO dates ambiguous", () => {
    expect(detect(["2025-03-04", "2025-04-03T10:00:00Z"])).toMatchObject({ dateOrderAmbiguous: false });
  });
});

describe("detectFormat: overrides", () => {
  it("replaces detected values and uses them to read the header and sample", () => {
    const bytes = win1252("a;b,c\nJoão;1,2\n");
    const detected = detectFormat(bytes, "a.csv", { delimiter: ",", encoding: "iso-8859-1", decimalMark: "comma", dateOrder: "mdy" });
    expect(detected).toMatchObject({ delimiter: ",", encoding: "iso-8859-1", decimalMark: "comma", dateOrder: "mdy", dateOrderAmbiguous: false });
    expect(detected.header).toEqual(["a;b", "c"]);
    expect(detected.sample).toEqual([["João;1", "2"]]);
  });

  it("reads the header from the merchant's header row", () => {
    const detected = detectFormat(utf8("Relatório\nexportado em 2025\nemail,points\na,1\n"), "a.csv", { headerRow: 3 });
    expect(detected).toMatchObject({ headerRow: 3, header: ["email", "points"], sample: [["a", "1"]] });
  });

  it("keeps the merchant's date order even when the sample is ambiguous", () => {
    const detected = detectFormat(utf8("email;date\na;03/04/2025\n"), "a.csv", { dateOrder: "dmy" });
    expect(detected).toMatchObject({ dateOrder: "dmy", dateOrderAmbiguous: false });
  });
});

describe("detectFormat: a first line longer than the sample (issue 9, hostile corpus)", () => {
  it("refuses it as NO_HEADER saying why, not as an empty file", () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `column_${i}`).join(",");
    const error = refused(() => detectFormat(utf8(`${header}\nana@example.com,1\n`).subarray(0, SAMPLE_BYTES), "wide.csv"));
    expect(error.code).toBe("NO_HEADER");
    expect(error.message).toMatch(/longer than 256 KiB/);
  });
});
