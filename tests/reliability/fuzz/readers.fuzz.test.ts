import fc from "fast-check";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { detectFormat, readCsv, readXlsx } from "~domain/import/read";
import { ImportFileError, type Delimiter, type Encoding, type FileFormat, type QuoteChar, type ReadEvent } from "~domain/import/types";
import { entry, SHEET_HEAD, SHEET_TAIL, sheetRow, workbook } from "../corpus/zip";
import { checkProperty, runs } from "../support/record";

// Issue 9, part 2: the file readers fuzzed — arbitrary bytes, hostile text, damaged workbooks.
const CATEGORY = "fuzzing: parsers and normalisers";

async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const at of [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b)) {
    yield bytes.subarray(start, at);
    start = at;
  }
  yield bytes.subarray(start);
}

/** Every event until the end, or the typed refusal that ended the reading; anything else is thrown. */
async function read(events: AsyncIterable<ReadEvent>): Promise<{ events: ReadEvent[]; refusal: ImportFileError | null }> {
  const out: ReadEvent[] = [];
  try {
    for await (const e of events) out.push(e);
    return { events: out, refusal: null };
  } catch (error) {
    if (error instanceof ImportFileError) return { events: out, refusal: error };
    throw error;
  }
}

function lineCount(bytes: Uint8Array): number {
  let lines = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) lines++;
  return lines;
}

/** Bytes biased towards what breaks CSV readers, mixed with arbitrary bytes. */
const hostileBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", ",", ";", "\t", "\n", "\r", "\r\n", "#", " ", "\u00a0", "\uFEFF", "\u0000", "ç", "🎉", "\u202E", '""', '","', "a", "1", "=", "\\"),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 80 },
  )
  .map((pieces) => new TextEncoder().encode(pieces.join("")));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), hostileBytes);

const format = fc.record<FileFormat>({
  kind: fc.constant("csv"),
  encoding: fc.constantFrom<Encoding>("utf-8", "utf-8-bom", "windows-1252", "iso-8859-1"),
  delimiter: fc.constantFrom<Delimiter>(",", ";", "\t"),
  quote: fc.constantFrom<QuoteChar>('"', "'"),
  headerRow: fc.integer({ min: 1, max: 3 }),
  decimalMark: fc.constantFrom("dot", "comma"),
  dateOrder: fc.constantFrom("dmy", "mdy"),
});

describe("CSV reader (fuzzed)", () => {
  it("reads any bytes in any format and chunking into well-formed events, or refuses them with a typed error", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "readCsv over arbitrary and hostile bytes, random format and chunk cuts",
        invariants: [
          "never throws anything but ImportFileError",
          "one header event, first; then rows, ignored and malformed lines in strictly increasing line order",
          "every row has exactly the header's width; every malformed line has a reason",
          "no more events than physical lines",
          "the same events whatever the chunking",
        ],
      },
      fc.asyncProperty(anyBytes, format, fc.array(fc.nat(), { maxLength: 8 }), async (bytes, fmt, cuts) => {
        const whole = await read(readCsv(chunks(bytes, []), fmt, { maxRecordLines: 5, maxRecordChars: 200 }));
        const cut = await read(readCsv(chunks(bytes, cuts), fmt, { maxRecordLines: 5, maxRecordChars: 200 }));
        expect(cut.events).toEqual(whole.events);
        expect(cut.refusal?.code).toBe(whole.refusal?.code);
        const { events } = whole;
        const headers = events.filter((e) => e.type === "header");
        expect(headers.length).toBeLessThanOrEqual(1);
        if (events.length > 0) expect(events[0]?.type).toBe("header");
        const width = headers[0]?.type === "header" ? headers[0].header.length : 0;
        let last = 0;
        for (const e of events) {
          const line = e.type === "row" ? e.row.rowNumber : e.rowNumber;
          expect(line).toBeGreaterThan(last);
          last = line;
          if (e.type === "row") expect(e.row.cells).toHaveLength(width);
          if (e.type === "malformed") expect(e.reason.length).toBeGreaterThan(5);
        }
        expect(events.length).toBeLessThanOrEqual(lineCount(bytes));
        if (whole.refusal) expect(whole.refusal.message.length).toBeGreaterThan(10);
      }),
      { numRuns: runs(300) },
    );
  });

  it("detects a format for any bytes and file name, or refuses them with a typed error", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "detectFormat over arbitrary bytes and file names",
        invariants: ["never throws anything but ImportFileError (with a message)", "the sample rows have the header's width", "the header row is at or after the one asked for"],
      },
      fc.property(anyBytes, fc.constantFrom("a.csv", "b.tsv", "c.txt", "d.xlsx", "e.xls", "noext", "x.CSV"), fc.option(format, { nil: undefined }), (bytes, name, overrides) => {
        try {
          const detected = detectFormat(bytes, name, overrides ?? {});
          if (detected.kind === "csv") {
            for (const row of detected.sample) expect(row).toHaveLength(detected.header.length);
            expect(detected.headerRow).toBeGreaterThanOrEqual(overrides?.headerRow ?? 1);
          }
        } catch (error) {
          if (!(error instanceof ImportFileError)) throw error;
          expect(error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: runs(500) },
    );
  });

  it("reads back, through detection, the cells of any table written in any encoding, delimiter and line ending", async () => {
    const latin1 = fc.string({ unit: fc.constantFrom("a", "Z", "9", " ", ",", ";", "\t", '"', "'", "\n", "\r\n", "ç", "é", "Ñ", "ü", "ª", "-", "."), maxLength: 10 });
    await checkProperty(
      {
        category: CATEGORY,
        check: "round trip: random table → CSV (encoding, delimiter, quotes, line ending) → detectFormat → readCsv",
        invariants: ["detection finds the delimiter and the header", "every cell comes back exactly as written (blank rows aside)"],
      },
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }).chain((width) =>
          fc.record({
            header: fc.uniqueArray(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: width, maxLength: width }),
            rows: fc.array(fc.array(latin1, { minLength: width, maxLength: width }), { minLength: 3, maxLength: 12 }),
          }),
        ),
        fc.constantFrom<Delimiter>(",", ";", "\t"),
        fc.constantFrom<Encoding>("utf-8", "utf-8-bom", "windows-1252"),
        fc.constantFrom("\n", "\r\n", "\r"),
        async ({ header, rows }, delimiter, encoding, eol) => {
          // Every cell quoted: what Excel's "CSV UTF-8" does with anything unusual.
          const line = (cells: string[]) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(delimiter);
          const text = [header.join(delimiter), ...rows.map(line)].join(eol) + eol;
          const body = encoding === "windows-1252" ? iconv.encode(text, "win1252") : Buffer.from(text, "utf8");
          const bytes = encoding === "utf-8-bom" ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
          const detected = detectFormat(bytes, "export.csv");
          expect(detected.delimiter).toBe(delimiter);
          expect(detected.header).toEqual(header);
          const { events, refusal } = await read(readCsv(chunks(bytes, [7, 61]), detected));
          const read_ = events.filter((e) => e.type === "row").map((e) => (e.type === "row" ? e.row.cells : []));
          const expected = rows.filter((r) => !r.every((c) => c.trim() === ""));
          expect(read_).toEqual(expected);
          expect(refusal?.code).toBe(expected.length === 0 ? "HEADER_ONLY" : undefined);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

describe("XLSX reader (fuzzed)", () => {
  const rows = Array.from({ length: 30 }, (_, i) => sheetRow(i + 2, [`c${i}@example.com`, i * 10, `Name ${i}`]));
  const valid = workbook(entry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points", "name"])}${rows.join("")}${SHEET_TAIL}`));
  const xlsx: FileFormat = { kind: "xlsx", encoding: "utf-8", delimiter: ",", quote: '"', headerRow: 1, decimalMark: "dot", dateOrder: "dmy" };

  it("reads a workbook with bytes flipped, cut or inserted anywhere, or refuses it with a typed error — and always ends", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "readXlsx over a workbook with random byte flips, truncations and insertions",
        invariants: ["never throws anything but ImportFileError", "never hangs (every read ends)", "rows read have the header's width"],
      },
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.boolean(),
        async (flips, cut, insert) => {
          let bytes = Buffer.from(valid);
          for (const { at, value } of flips) {
            const i = at % bytes.length;
            bytes = insert ? Buffer.concat([bytes.subarray(0, i), Buffer.from([value]), bytes.subarray(i)]) : Buffer.from(bytes.map((b, j) => (j === i ? b ^ (value || 1) : b)));
          }
          if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.length);
          // A liveness bound, not a timing: a damaged archive once made the reader wait forever.
          let timer: NodeJS.Timeout | undefined;
          const hung = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("readXlsx did not end within 60 s")), 60_000);
          });
          const { events } = await Promise.race([read(readXlsx(chunks(bytes, [1000]), xlsx)), hung]).finally(() => clearTimeout(timer));
          const header = events.find((e) => e.type === "header");
          for (const e of events) if (e.type === "row" && header?.type === "header") expect(e.row.cells).toHaveLength(header.header.length);
        },
      ),
      { numRuns: runs(60, 600) },
    );
  });
});
