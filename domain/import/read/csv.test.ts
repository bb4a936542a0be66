import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { readCsv } from "./csv";
import { chunked, collect, collectUntilError, csvFormat, expectImportError, rowsOf, shapes, utf8 } from "./test-support";

const read = (text: string | Uint8Array, format = csvFormat(), cut: number | number[] = 64 * 1024, limits = {}) =>
  collect(readCsv(chunked(typeof text === "string" ? utf8(text) : text, cut), format, limits));

describe("readCsv: header and rows", () => {
  it("yields the header, then rows with their physical line numbers", async () => {
    const events = await read("email,points\nana@x.com,10\nbia@x.com,20\n");
    expect(events[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "points"] });
    expect(rowsOf(events)).toEqual([
      [2, ["ana@x.com", "10"]],
      [3, ["bia@x.com", "20"]],
    ]);
  });

  it("reads the last line without a line ending", async () => {
    expect(rowsOf(await read("email,points\nana@x.com,10"))).toEqual([[2, ["ana@x.com", "10"]]]);
  });

  it("trims the header names but nothing inside cells", async () => {
    const events = await read(" email \t,  points \n  ana@x.com , 10 \n");
    expect(events[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "points"] });
    expect(rowsOf(events)).toEqual([[2, ["  ana@x.com ", " 10 "]]]);
  });

  it("keeps duplicate header names in their positions", async () => {
    const events = await read("email,points,email\na,1,b\n");
    expect(events[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "points", "email"] });
    expect(rowsOf(events)).toEqual([[2, ["a", "1", "b"]]]);
  });

  it("strips a UTF-8 BOM", async () => {
    const events = await read("\uFEFFemail,points\nana@x.com,10\n", csvFormat({ encoding: "utf-8-bom" }));
    expect(events[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "points"] });
    // …also when the file was declared plain UTF-8, and with the BOM split across chunks
    const split = await read("\uFEFFemail,points\nana@x.com,10\n", csvFormat(), 1);
    expect(split[0]).toEqual({ type: "header", rowNumber: 1, header: ["email", "points"] });
  });

  it("starts at the declared header row; lines before it are not data", async () => {
    const events = await read("Relatório de pontos\nexportado em 01/02/2025\nemail,points\n\nana@x.com,10\n", csvFormat({ headerRow: 3 }));
    expect(shapes(events)).toEqual(["header@3", "ignored:blank@4", "row@5"]);
  });

  it("unescapes quoted cells with delimiters and doubled quotes", async () => {
    const events = await read('name,note\n"Silva, Ana","She said ""hi"""\n');
    expect(rowsOf(events)).toEqual([[2, ["Silva, Ana", 'She said "hi"']]]);
  });

  it("keeps a quote in the middle of an unquoted cell as it is", async () => {
    expect(rowsOf(await read('name,points\nAna "Tita" Silva,5\n'))).toEqual([[2, ['Ana "Tita" Silva', "5"]]]);
  });

  it("reads single-quoted files when the format says so", async () => {
    const events = await read("name,points\n'Silva, Ana',5\n'O''Brien',6\n", csvFormat({ quote: "'" }));
    expect(rowsOf(events)).toEqual([
      [2, ["Silva, Ana", "5"]],
      [3, ["O'Brien", "6"]],
    ]);
  });
});

describe("readCsv: encodings", () => {
  it("decodes Windows-1252 (Latin-1) bytes: João, Conceição", async () => {
    const bytes = iconv.encode("nome;pontos\nJoão;10\nMaria da Conceição;20\nAçaí € “aspas”;30\n", "win1252");
    expect(Array.from(bytes.subarray(14, 16))).toEqual([0xe3, 0x6f]); // "ão": one byte for "ã", as in Latin-1
    const events = await read(bytes, csvFormat({ encoding: "windows-1252", delimiter: ";" }), 3);
    expect(rowsOf(events).map(([, c]) => c[0])).toEqual(["João", "Maria da Conceição", "Açaí € “aspas”"]);
  });

  it("reads a declared ISO-8859-1 file like Windows-1252", async () => {
    const bytes = iconv.encode("nome\nJoão €\n", "win1252");
    const events = await read(bytes, csvFormat({ encoding: "iso-8859-1" }));
    expect(rowsOf(events)).toEqual([[2, ["João €"]]]);
  });

  it("reads UTF-8 characters split across chunks", async () => {
    const text = "nome,emoji\nJoão,🎉\nConceição,ç\n";
    for (const size of [1, 2, 3, 5]) {
      expect(rowsOf(await read(text, csvFormat(), size))).toEqual([
        [2, ["João", "🎉"]],
        [3, ["Conceição", "ç"]],
      ]);
    }
  });

  it("turns invalid UTF-8 bytes into U+FFFD instead of failing", async () => {
    const bytes = new Uint8Array([...utf8("nome\nJo"), 0xe3, ...utf8("o\n")]);
    expect(rowsOf(await read(bytes))).toEqual([[2, ["Jo\uFFFDo"]]]);
  });
});

describe("readCsv: delimiters and line endings", () => {
  it("reads ; files with 1.234,56 numbers, leaving the numbers to the mapper", async () => {
    const events = await read("email;pontos;saldo\nana@x.com;1.234,56;10,5\n", csvFormat({ delimiter: ";", decimalMark: "comma" }));
    expect(rowsOf(events)).toEqual([[2, ["ana@x.com", "1.234,56", "10,5"]]]);
  });

  it("reads tab-separated files", async () => {
    const events = await read("email\tpoints\tname\nana@x.com\t10\tSilva, Ana\n", csvFormat({ delimiter: "\t" }));
    expect(rowsOf(events)).toEqual([[2, ["ana@x.com", "10", "Silva, Ana"]]]);
  });

  it("reads CR, LF and CRLF endings mixed in one file, whatever the chunking", async () => {
    const text = "email,points\r\na,1\nb,2\rc,3\r\n\rd,4\n";
    for (const cut of [1, 2, 7, 64]) {
      const events = await read(text, csvFormat(), cut);
      expect(shapes(events)).toEqual(["header@1", "row@2", "row@3", "row@4", "ignored:blank@5", "row@6"]);
      expect(rowsOf(events).map(([, c]) => c[0])).toEqual(["a", "b", "c", "d"]);
    }
  });

  it("treats a CR at the end of a chunk followed by LF as one line ending", async () => {
    const bytes = utf8("email,points\r\na,1\r\nb,2\r\n");
    const events = await read(bytes, csvFormat(), [14, 19]); // cuts right after each \r
    expect(shapes(events)).toEqual(["header@1", "row@2", "row@3"]);
  });
});

describe("readCsv: multi-line cells and unterminated quotes", () => {
  it("gives a quoted multi-line cell the line where its record starts", async () => {
    const events = await read('email,note,points\na@x.com,"first line\nsecond line\r\nthird",10\nb@x.com,plain,20\n');
    expect(rowsOf(events)).toEqual([
      [2, ["a@x.com", "first line\nsecond line\r\nthird", "10"]],
      [5, ["b@x.com", "plain", "20"]],
    ]);
  });

  it("rejects the row of an unterminated quote with its line number and reads the rows after it", async () => {
    const text = ["email,name,points", "a@x.com,Ana,1", 'b@x.com,"Bia,2', "c@x.com,Carla,3", "d@x.com,Dani,4"].join("\n") + "\n";
    const events = await read(text);
    expect(shapes(events)).toEqual(["header@1", "row@2", "malformed@3", "row@4", "row@5"]);
    const bad = events[2];
    expect(bad).toMatchObject({ type: "malformed", rowNumber: 3, raw: 'b@x.com,"Bia,2' });
    expect(bad?.type === "malformed" && bad.reason).toMatch(/unterminated quote/);
  });

  it("recovers when a later quoted cell closes the stray quote", async () => {
    const text = ["email,name,points", 'a@x.com,"Ana,1', 'b@x.com,"Silva, Bia",2', 'c@x.com,"Carla",3'].join("\n") + "\n";
    const events = await read(text);
    expect(shapes(events)).toEqual(["header@1", "malformed@2", "row@3", "row@4"]);
    expect(rowsOf(events)).toEqual([
      [3, ["b@x.com", "Silva, Bia", "2"]],
      [4, ["c@x.com", "Carla", "3"]],
    ]);
  });

  it("recovers when the merged lines would make a row wider than the header", async () => {
    const text = ["email,points", 'a@x.com,"1', "b@x.com,2", 'c@x.com,3",x', "d@x.com,4"].join("\n") + "\n";
    const events = await read(text);
    expect(shapes(events)).toEqual(["header@1", "malformed@2", "row@3", "malformed@4", "row@5"]);
  });

  it("cannot tell a stray quote that happens to close at a line end from a multi-line cell", async () => {
    // Known limit: the quote opened on line 2 closes properly at the end of line 4, the record has
    // the header's width, so it is one row with a multi-line cell. The mapper sees its odd points.
    const text = ["email,points", 'a@x.com,"1', "b@x.com,2", 'c@x.com,3"', "d@x.com,4"].join("\n") + "\n";
    expect(rowsOf(await read(text))).toEqual([
      [2, ["a@x.com", "1\nb@x.com,2\nc@x.com,3"]],
      [5, ["d@x.com", "4"]],
    ]);
  });

  it("gives up on a quoted cell past the line limit and reads on from the next line", async () => {
    const lines = ["email,points", 'a@x.com,"never closed', ...Array.from({ length: 30 }, (_, i) => `u${i}@x.com,${i}`)];
    const events = await read(lines.join("\n") + "\n", csvFormat(), 64 * 1024, { maxRecordLines: 5 });
    expect(shapes(events)).toEqual(["header@1", "malformed@2", ...Array.from({ length: 30 }, (_, i) => `row@${i + 3}`)]);
  });

  it("gives up on a quoted cell past the size limit", async () => {
    const lines = ["email,points", 'a@x.com,"never closed', ...Array.from({ length: 50 }, (_, i) => `u${i}@x.com,${i}`)];
    const events = await read(lines.join("\n") + "\n", csvFormat(), 100, { maxRecordChars: 200 });
    expect(shapes(events)).toEqual(["header@1", "malformed@2", ...Array.from({ length: 50 }, (_, i) => `row@${i + 3}`)]);
  });

  it("refuses a line longer than the limit on its own and reads on", async () => {
    const events = await read(`email,points\na@x.com,${"9".repeat(500)}\nb@x.com,2\n`, csvFormat(), 64, { maxRecordChars: 100 });
    expect(shapes(events)).toEqual(["header@1", "malformed@2", "row@3"]);
    const bad = events[1];
    expect(bad?.type === "malformed" && bad.reason).toMatch(/longer than 100 characters/);
  });

  it("refuses a header it cannot read", async () => {
    const error = await expectImportError(read('email,"points\na,1\n'));
    expect(error.code).toBe("NO_HEADER");
  });
});

describe("readCsv: widths, blank and comment lines", () => {
  it("refuses rows wider than the header, pads shorter ones", async () => {
    const events = await read("a,b,c,d,e\n1,2,3,4,5,6,7\n1,2\n1,2,3,4,5,,\n");
    expect(shapes(events)).toEqual(["header@1", "malformed@2", "row@3", "row@4"]);
    expect(events[1]).toEqual({ type: "malformed", rowNumber: 2, reason: "row has 7 cells, header has 5", raw: "1,2,3,4,5,6,7" });
    expect(rowsOf(events)).toEqual([
      [3, ["1", "2", "", "", ""]],
      [4, ["1", "2", "3", "4", "5"]], // trailing empty cells carry nothing
    ]);
  });

  it("reports blank and # comment lines after the header, with their lines", async () => {
    const text = "# export of 2025-01-01\n\nemail,points\n\n# a comment\na,1\n   \n,,\nb,2\n";
    const events = await read(text);
    expect(shapes(events)).toEqual(["header@3", "ignored:blank@4", "ignored:comment@5", "row@6", "ignored:blank@7", "ignored:blank@8", "row@9"]);
  });

  it("treats # inside a quoted multi-line cell as data", async () => {
    const events = await read('email,note\na,"x\n# not a comment"\n');
    expect(rowsOf(events)).toEqual([[2, ["a", "x\n# not a comment"]]]);
  });
});

describe("readCsv: refusing files", () => {
  it("refuses a file over maxBytes with TOO_LARGE", async () => {
    const text = "email,points\n" + Array.from({ length: 1000 }, (_, i) => `u${i}@x.com,${i}`).join("\n");
    const { events, error } = await collectUntilError(readCsv(chunked(utf8(text), 1024), csvFormat(), { maxBytes: 4096 }));
    expect(error?.code).toBe("TOO_LARGE");
    expect(error?.message).toMatch(/larger than 4 KiB/);
    expect(events.length).toBeLessThan(1000);
  });

  it("accepts a file of exactly maxBytes", async () => {
    const bytes = utf8("email,points\na,1\n");
    expect(rowsOf(await read(bytes, csvFormat(), 5, { maxBytes: bytes.length }))).toHaveLength(1);
  });

  it("refuses an empty file, a BOM alone and whitespace alone with EMPTY_FILE", async () => {
    for (const text of ["", "\uFEFF", " \n\r\n\t\n"]) {
      expect((await expectImportError(read(text))).code).toBe("EMPTY_FILE");
    }
  });

  it("refuses a header alone with HEADER_ONLY, after the header event", async () => {
    const { events, error } = await collectUntilError(readCsv(chunked(utf8("email,points\n\n# nothing\n")), csvFormat()));
    expect(shapes(events)).toEqual(["header@1", "ignored:blank@2", "ignored:comment@3"]);
    expect(error?.code).toBe("HEADER_ONLY");
  });

  it("refuses a file of comments alone with NO_HEADER", async () => {
    expect((await expectImportError(read("# nothing here\n\n# still nothing\n"))).code).toBe("NO_HEADER");
  });

  it("refuses a file whose header row is past its end with NO_HEADER", async () => {
    expect((await expectImportError(read("email,points\na,1\n", csvFormat({ headerRow: 5 })))).code).toBe("NO_HEADER");
  });
});

describe("readCsv: streaming", () => {
  it("reads lazily: the first rows come out before the rest of the file is pulled", async () => {
    let pulled = 0;
    async function* source() {
      yield utf8("email,points\n");
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield utf8(`u${i}@x.com,${i}\n`);
      }
    }
    const events = readCsv(source(), csvFormat())[Symbol.asyncIterator]();
    const first = await events.next();
    expect(first.value).toMatchObject({ type: "header" });
    const second = await events.next();
    expect(second.value).toMatchObject({ type: "row", row: { rowNumber: 2 } });
    expect(pulled).toBeLessThanOrEqual(2);
    await events.return?.(undefined);
  });
});

describe("readCsv: NUL bytes past the detection sample (issue 9, hostile corpus)", () => {
  it("rejects the line holding one, saying so, and reads on", async () => {
    const events = await read("email,points\nana@example.com,1\nbia@example.com,2,Bia\u0000Souza\ncia@example.com,3\n");
    expect(shapes(events)).toEqual(["header@1", "row@2", "malformed@3", "row@4"]);
    const bad = events[2];
    expect(bad?.type === "malformed" && bad.reason).toMatch(/line 3 contains a NUL byte/);
    expect(bad?.type === "malformed" && bad.raw).not.toContain("\u0000");
  });
});
