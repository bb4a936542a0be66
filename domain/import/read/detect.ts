import { analyse } from "chardet";
import { type DateOrder, type DecimalMark, type Delimiter, type DetectedFormat, type Encoding, type FileFormat, ImportFileError, type QuoteChar } from "../types";
import { CsvEventReader } from "./csv";
import { binaryKind, createDecoder, hasUtf8Bom, isZip, lineOfOffset, scanUtf8 } from "./encoding";
import { inferDateOrder, inferDecimalMark } from "./infer";
import { DEFAULT_MAX_RECORD_CHARS, DEFAULT_MAX_RECORD_LINES, RecordSplitter } from "./splitter";

/** The most of the file's beginning that detection looks at. */
export const SAMPLE_BYTES = 256 * 1024;
/** Data rows returned in `DetectedFormat.sample`. */
export const SAMPLE_ROWS = 20;

const CSV_EXTENSIONS = [".csv", ".txt", ".tsv"];
const ACCEPTED = [...CSV_EXTENSIONS, ".xlsx"];

function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

function unsupported(fileName: string, ext: string): ImportFileError {
  const accepted = "Carryover reads CSV files (.csv, .txt, .tsv) and Excel workbooks (.xlsx)";
  const advice: Record<string, string> = {
    ".xls": "This is an old Excel 97–2003 workbook: open it in Excel and save it as .xlsx or CSV.",
    ".xlsm": "Save the workbook as a plain .xlsx (without macros) or as CSV.",
    ".xlsb": "Save the workbook as .xlsx or CSV.",
    ".ods": "Save the spreadsheet as .xlsx or CSV.",
    ".numbers": "Export the spreadsheet from Numbers as CSV or Excel (.xlsx).",
    ".zip": "Extract the export file from the archive and upload it.",
  };
  const what = ext === "" ? `"${fileName}" has no file extension.` : `"${fileName}" is a ${ext} file.`;
  return new ImportFileError("UNSUPPORTED_EXTENSION", `${what} ${accepted}.${advice[ext] ? ` ${advice[ext]}` : ""}`);
}

function includesAscii(bytes: Uint8Array, text: string): boolean {
  const needle = Array.from(text, (c) => c.charCodeAt(0));
  const first = needle[0];
  outer: for (let i = bytes.indexOf(first ?? 0); i >= 0 && i <= bytes.length - needle.length; i = bytes.indexOf(first ?? 0, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

// ------------------------------------------------------------------------------------- encoding

/** chardet names that read the same as Windows-1252 for the letters Brazilian exports use. */
const WESTERN = new Set(["ISO-8859-1", "windows-1252", "ISO-8859-15", "ASCII", "UTF-8"]);

/**
 * UTF-8 with BOM, else UTF-8 when the bytes are valid UTF-8, else Windows-1252. chardet is only a
 * hint (it cannot decide UTF-8 better than a validity check, and it is easily fooled on short
 * samples): when it points to a non-Western encoding, the merchant is told to check the letters.
 *
 * Mixed encodings (valid UTF-8 multi-byte sequences *and* bytes that are not UTF-8, as when two
 * exports were pasted together): each reading garbles one part. The file is read the way that
 * garbles fewer characters — UTF-8, the bad bytes becoming "�", or Windows-1252, the UTF-8 letters
 * becoming "Ã©" — and a note says so, naming the first line affected. Only when both parts are
 * substantial (each at least 5 characters and more than 20% of the non-ASCII text) is there no
 * sensible reading: MIXED_ENCODING, so the merchant re-exports the file (or forces an encoding).
 */
function detectEncoding(sample: Uint8Array, truncated: boolean, notes: string[]): Encoding {
  const bom = hasUtf8Bom(sample);
  const scan = scanUtf8(bom ? sample.subarray(3) : sample, truncated);
  const at = (offset: number) => lineOfOffset(sample, offset + (bom ? 3 : 0));
  if (scan.invalid === 0) return bom ? "utf-8-bom" : "utf-8";

  const valid = scan.validMultiByte;
  const invalid = scan.invalid;
  if (valid === 0 && !bom) {
    const [top] = analyse(sample);
    if (top && !WESTERN.has(top.name) && top.confidence >= 50) {
      notes.push(`The text looks like ${top.name}, which Carryover does not read; it is read as Windows-1252 (Latin-1). If letters look wrong in the preview, export the file again as UTF-8.`);
    } else if (!top || top.confidence < 30) {
      notes.push("The text encoding is uncertain; it is read as Windows-1252 (Latin-1). Check that accented letters look right in the preview.");
    }
    return "windows-1252";
  }

  const share = Math.min(valid, invalid) / (valid + invalid);
  if (valid >= 5 && invalid >= 5 && share > 0.2) {
    throw new ImportFileError(
      "MIXED_ENCODING",
      `This file mixes two text encodings: ${valid} characters are written as UTF-8 (first on line ${at(scan.firstValidMultiByteAt)}) and ${invalid} as Windows-1252/Latin-1 (first on line ${at(scan.firstInvalidAt)}), so accented letters would be garbled whichever way it is read. Export the file again as UTF-8, or choose the encoding yourself.`,
    );
  }
  if (invalid <= valid || bom) {
    notes.push(
      `Mixed encodings: the file is UTF-8, but ${invalid} byte${invalid === 1 ? " is" : "s are"} not valid UTF-8 (first on line ${at(scan.firstInvalidAt)}) and will show as "�". If accented letters look wrong, choose Windows-1252.`,
    );
    return bom ? "utf-8-bom" : "utf-8";
  }
  notes.push(
    `Mixed encodings: the file is Windows-1252 (Latin-1), but ${valid} character${valid === 1 ? " looks" : "s look"} like UTF-8 (first on line ${at(scan.firstValidMultiByteAt)}) and will show garbled (like "Ã©"). If most letters look wrong, choose UTF-8.`,
  );
  return "windows-1252";
}

// ------------------------------------------------------------------------------ quote, delimiter

/** `'` only when the sample clearly wraps cells in it and never in `"`. */
function detectQuote(text: string): QuoteChar {
  const wrapped = (q: string) => {
    const re = new RegExp(`(?:^|[,;\\t])${q}[^${q}\\r\\n]*${q}(?=[,;\\t]|$)`, "gm");
    return (text.match(re) ?? []).length;
  };
  return wrapped("'") >= 2 && wrapped('"') === 0 ? "'" : '"';
}

const DELIMITERS: Delimiter[] = [",", ";", "\t"];
const DELIMITER_NAMES: Record<Delimiter, string> = { ",": "comma", ";": "semicolon", "\t": "tab" };
const DELIMITER_SAMPLE_RECORDS = 500;

interface DelimiterScore {
  delimiter: Delimiter;
  /** Most common number of cells per record. */
  columns: number;
  /** Share of records with that number of cells. */
  consistency: number;
}

function scoreDelimiter(text: string, delimiter: Delimiter, quote: QuoteChar, truncated: boolean): DelimiterScore {
  const counts: number[] = [];
  const splitter = new RecordSplitter(
    { delimiter, quote, maxRecordLines: DEFAULT_MAX_RECORD_LINES, maxRecordChars: DEFAULT_MAX_RECORD_CHARS },
    {
      blank: () => {},
      comment: () => {},
      malformed: () => {},
      record: (record) => {
        if (counts.length < DELIMITER_SAMPLE_RECORDS) counts.push(record.cells);
        return null;
      },
    },
  );
  splitter.feed(text);
  if (!truncated) splitter.finish();
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  let columns = 0;
  let best = 0;
  for (const [c, f] of freq) {
    if (f > best || (f === best && c > columns)) {
      columns = c;
      best = f;
    }
  }
  return { delimiter, columns, consistency: counts.length === 0 ? 0 : best / counts.length };
}

/** The delimiter that gives the most consistent number of cells (more than one) across records. */
function detectDelimiter(text: string, quote: QuoteChar, ext: string, truncated: boolean, notes: string[]): Delimiter {
  const order: Delimiter[] = ext === ".tsv" ? ["\t", ",", ";"] : DELIMITERS;
  const scores = order.map((d) => scoreDelimiter(text, d, quote, truncated)).filter((s) => s.columns > 1);
  if (scores.length === 0) {
    const fallback = order[0] ?? ",";
    notes.push(`Only one column was found; reading the file as ${DELIMITER_NAMES[fallback]}-separated. If it has several columns, choose the delimiter.`);
    return fallback;
  }
  // Stable sort: on a tie, the more columns, then the order above.
  scores.sort((a, b) => b.consistency - a.consistency || b.columns - a.columns);
  const [best, second] = scores;
  if (!best) return ",";
  if (best.consistency < 0.8) {
    notes.push(`Lines do not all have the same number of columns; the ${DELIMITER_NAMES[best.delimiter]} gives the most regular table (${best.columns} columns on ${Math.round(best.consistency * 100)}% of the lines). Check the delimiter.`);
  } else if (second && second.consistency === best.consistency && second.columns === best.columns) {
    notes.push(`Both the ${DELIMITER_NAMES[best.delimiter]} and the ${DELIMITER_NAMES[second.delimiter]} split the file into ${best.columns} columns; using the ${DELIMITER_NAMES[best.delimiter]}. Check the delimiter.`);
  }
  return best.delimiter;
}

// ----------------------------------------------------------------------------------- the format

/**
 * Detects how to read a file from its first bytes (≤ 256 KiB) and its name.
 *
 * - kind: content first (a ZIP holding `xl/` parts is XLSX), the extension second; only `.csv`,
 *   `.txt`, `.tsv` and `.xlsx` are accepted (UNSUPPORTED_EXTENSION), binary content is refused
 *   (BINARY_FILE), empty files too (EMPTY_FILE).
 * - CSV: encoding (UTF-8 BOM, UTF-8, Windows-1252; see `detectEncoding` for mixed files), quote,
 *   delimiter, header row (first line that is neither blank nor a `#` comment), decimal mark and
 *   date order from the sample's cells, the header and the first 20 rows, read exactly as
 *   `readCsv` will read them.
 * - XLSX: encoding "utf-8", delimiter ",", dot decimals; the header and sample are empty because a
 *   workbook cannot be read synchronously from its first bytes — `previewXlsx` fills them in.
 *
 * `overrides` (the merchant's choices) replace detection and are used to read the header and sample.
 * Whatever could not be settled and was defaulted is explained in `notes`.
 */
/**
 * What to assume where the sample does not decide (a provider's known export format, or the
 * store's locale). Unlike overrides, evidence in the file wins over an assumption.
 */
export interface FormatAssumptions {
  decimalMark?: DecimalMark;
  dateOrder?: DateOrder;
}

export function detectFormat(
  sample: Uint8Array,
  fileName: string,
  overrides: Partial<FileFormat> = {},
  assumptions: FormatAssumptions = {},
): DetectedFormat {
  const ext = extensionOf(fileName);
  if (!ACCEPTED.includes(ext)) throw unsupported(fileName, ext);
  if (sample.length === 0) throw new ImportFileError("EMPTY_FILE", `"${fileName}" is empty.`);

  const notes: string[] = [];
  let kind = overrides.kind;
  if (kind === undefined) {
    if (isZip(sample)) {
      if (!includesAscii(sample, "xl/") && !includesAscii(sample, "[Content_Types].xml")) {
        throw new ImportFileError("BINARY_FILE", `"${fileName}" is a ZIP archive, not a spreadsheet. Extract the export file from it and upload that.`);
      }
      kind = "xlsx";
      if (ext !== ".xlsx") notes.push(`"${fileName}" is named ${ext} but is an Excel workbook; it is read as one.`);
    } else {
      kind = "csv";
      if (ext === ".xlsx") notes.push(`"${fileName}" is named .xlsx but contains text; it is read as CSV.`);
    }
  }

  if (kind === "xlsx") {
    return {
      kind,
      encoding: "utf-8",
      delimiter: ",",
      quote: '"',
      headerRow: overrides.headerRow ?? 1,
      decimalMark: overrides.decimalMark ?? "dot",
      dateOrder: overrides.dateOrder ?? (overrides.decimalMark === "comma" ? "dmy" : "mdy"),
      notes,
      dateOrderAmbiguous: false,
      header: [],
      sample: [],
    };
  }

  const binary = binaryKind(sample);
  if (binary) throw new ImportFileError("BINARY_FILE", `"${fileName}" is not a text file: it looks like ${binary}.`);

  const truncated = sample.length >= SAMPLE_BYTES;
  const encoding = overrides.encoding ?? detectEncoding(sample, truncated, notes);
  const decoder = createDecoder(encoding);
  let text = decoder.write(sample);
  if (truncated) {
    // The sample ends somewhere in the file: drop the partial last line.
    const lastBreak = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    if (lastBreak < 0) {
      throw new ImportFileError(
        "NO_HEADER",
        `The first line of "${fileName}" is longer than ${SAMPLE_BYTES / 1024} KiB, so it cannot be read as a header of column names (a cell of that size, or tens of thousands of columns). Export the file again with one header line of column names.`,
      );
    }
    text = text.slice(0, lastBreak + 1);
  } else text += decoder.end();
  if (text.trim() === "") throw new ImportFileError("EMPTY_FILE", `"${fileName}" has no content.`);

  const quote = overrides.quote ?? detectQuote(text);
  const delimiter = overrides.delimiter ?? detectDelimiter(text, quote, ext, truncated, notes);

  const provisional: FileFormat = {
    kind: "csv",
    encoding,
    delimiter,
    quote,
    headerRow: overrides.headerRow ?? 1,
    decimalMark: "dot",
    dateOrder: "dmy",
  };
  const reader = new CsvEventReader(provisional);
  let headerRow = provisional.headerRow;
  let header: string[] = [];
  const rows: string[][] = [];
  const malformed: { rowNumber: number; reason: string }[] = [];
  const collect = (events: ReturnType<CsvEventReader["push"]>) => {
    for (const event of events) {
      if (event.type === "header") {
        headerRow = event.rowNumber;
        header = event.header;
      } else if (event.type === "row") rows.push(event.row.cells);
      else if (event.type === "malformed") malformed.push(event);
    }
  };
  collect(reader.push(text));
  if (!truncated) {
    collect(reader.finish());
    try {
      reader.assertComplete();
    } catch (error) {
      if (!(error instanceof ImportFileError && error.code === "HEADER_ONLY")) throw error;
    }
  } else if (reader.header === null) {
    throw new ImportFileError("NO_HEADER", `No header found in the first ${SAMPLE_BYTES / 1024} KiB of "${fileName}": only blank or comment lines.`);
  }

  let decimalMark: DecimalMark;
  if (overrides.decimalMark) decimalMark = overrides.decimalMark;
  else {
    // A semicolon-separated file comes from a locale where the comma is the decimal mark.
    const inferred = inferDecimalMark(rows, assumptions.decimalMark ?? (delimiter === ";" ? "comma" : "dot"));
    decimalMark = inferred.decimalMark;
    if (inferred.note && rows.length > 0) notes.push(inferred.note);
  }
  let dateOrder: DateOrder;
  let dateOrderAmbiguous = false;
  if (overrides.dateOrder) dateOrder = overrides.dateOrder;
  else {
    const inferred = inferDateOrder(rows, decimalMark, assumptions.dateOrder);
    dateOrder = inferred.dateOrder;
    dateOrderAmbiguous = inferred.dateOrderAmbiguous;
    if (inferred.note) notes.push(inferred.note);
  }

  const named = header.filter((h) => h !== "").length;
  const usualColumns = scoreDelimiter(text, delimiter, quote, truncated).columns;
  if (named === 1 && usualColumns > 1) {
    notes.push(`Line ${headerRow} has a single name ("${header.find((h) => h !== "")}") but most lines have ${usualColumns} columns: if it is a title, choose the line that holds the column names as the header row.`);
  }
  const [firstBad] = malformed;
  if (firstBad) {
    notes.push(`${malformed.length} line${malformed.length === 1 ? "" : "s"} in the first part of the file cannot be read (line ${firstBad.rowNumber}: ${firstBad.reason}).`);
  }

  return {
    kind: "csv",
    encoding,
    delimiter,
    quote,
    headerRow,
    decimalMark,
    dateOrder,
    notes,
    dateOrderAmbiguous,
    header,
    sample: rows.slice(0, SAMPLE_ROWS),
  };
}
