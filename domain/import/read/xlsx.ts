import { Readable, type Writable } from "node:stream";
import ExcelJS from "exceljs";
import { type DateOrder, type DecimalMark, type DetectedFormat, type FileFormat, ImportFileError, type ReadEvent } from "../types";
import { DEFAULT_MAX_BYTES, formatByteSize } from "./csv";
import { inferDateOrder, inferDecimalMark } from "./infer";
import type { FormatAssumptions } from "./detect";
import { preview } from "./splitter";
import { TableAssembler } from "./table";

/** 1 GiB of XML inflated from the workbook before it is refused as a possible zip bomb. */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024;
/** Rows of the first worksheet before it is refused (Excel itself stops at 1,048,576). */
export const DEFAULT_MAX_XLSX_ROWS = 5_000_000;
/**
 * Inflated bytes past which the ratio below applies. Real workbooks inflate 9–15 times (measured on
 * ExcelJS workbooks of varied, repetitive and sparse rows); a zip bomb, up to about 1,000 times.
 */
export const RATIO_FLOOR_BYTES = 64 * 1024 * 1024;
/** Inflated bytes per byte of the file read so far, past RATIO_FLOOR_BYTES, before refusing. */
export const MAX_INFLATE_RATIO = 100;
/**
 * The longest run of XML text without a tag. Excel holds at most 32,767 characters in a cell
 * (≤ 640 KiB as escaped UTF-8); a run past this is a bomb made of one endless cell or of
 * whitespace, and the XML parser would hold all of it in one string.
 */
export const MAX_XML_TEXT_RUN_BYTES = 4 * 1024 * 1024;

export interface XlsxLimits {
  /** Bytes of the .xlsx file itself (default 200 MiB) → TOO_LARGE. */
  maxBytes?: number;
  /** Bytes inflated from the ZIP, all parts together (default 1 GiB) → XLSX_TOO_LARGE. */
  maxUncompressedBytes?: number;
  /** Rows of the worksheet (default 5,000,000) → XLSX_TOO_LARGE. */
  maxRows?: number;
}

// ------------------------------------------------------------------------------- cells → text

/** A number as a plain decimal string: no exponent, no binary float noise (1234.5599999999999 → 1234.56). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "";
  const n = Number.isInteger(value) ? value : Number(value.toPrecision(15));
  if (n === 0) return "0";
  const plain = String(n);
  if (!/e/i.test(plain)) return plain;
  const [mantissa = "", exponentText = "0"] = n.toExponential().split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const point = 1 + Number(exponentText);
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Excel dates carry no time zone: exceljs gives them as UTC. Midnight → YYYY-MM-DD, else YYYY-MM-DDTHH:MM:SS. */
export function formatDate(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return "";
  const d = new Date(Math.round(ms / 1000) * 1000); // serial-number float noise
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return day;
  return `${day}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Whether an Excel number format shows a date or time (the rule exceljs applies to plain values). */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const bare = numFmt.replace(/\[[^\]]*]/g, "").replace(/"[^"]*"/g, "");
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

const excelEpoch1900 = Date.UTC(1899, 11, 30);
const excelEpoch1904 = Date.UTC(1904, 0, 1);

function serialToDate(serial: number, date1904: boolean): Date {
  return new Date((date1904 ? excelEpoch1904 : excelEpoch1900) + serial * 86_400_000);
}

/**
 * An exceljs cell value → the text the mapper gets: numbers plain, dates ISO, rich text
 * concatenated, formulas their cached result (a numeric result in a date format is a date),
 * hyperlinks their text, errors their code (#N/A), booleans TRUE/FALSE.
 */
export function cellText(value: unknown, numFmt?: string, date1904 = false): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return isDateFormat(numFmt) && Number.isFinite(value) ? formatDate(serialToDate(value, date1904)) : formatNumber(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return formatDate(value);
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((run: { text?: unknown }) => (typeof run?.text === "string" ? run.text : "")).join("");
    if ("formula" in v || "sharedFormula" in v) return cellText(v.result, numFmt, date1904);
    if ("error" in v) return typeof v.error === "string" ? v.error : "";
    if ("text" in v) return cellText(v.text, numFmt, date1904);
  }
  return "";
}

function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
}

// ------------------------------------------------------------------------------------ guards

interface ZipEntryLike extends Readable {
  path: string;
}

/**
 * Watches what exceljs does with the file: counts the file's bytes (TOO_LARGE) and the bytes
 * inflated from every ZIP entry (XLSX_TOO_LARGE: past `maxUncompressed`, past MAX_INFLATE_RATIO
 * times the bytes read, or an XML text run past MAX_XML_TEXT_RUN_BYTES) as they flow, stops on
 * the ZIP parser's errors (TRUNCATED_XLSX), and turns a failure into the rejection of whatever
 * step of exceljs the reading loop is waiting on (`race`), so a stopped read never waits on a
 * stream that will not end.
 *
 * exceljs pipes our input into its unzipper; `pipe` is the one place where we can see the ZIP
 * parser, and every entry it pushes is observed (paused, then given a `data` listener: it stays
 * paused until exceljs consumes or drains it, so observing changes nothing in the flow).
 */
class Guard {
  readonly input: Readable;
  private failure: Error | null = null;
  private inflated = 0;
  private read = 0;
  /** The rejecters of the steps being waited on (one at a time in practice). */
  private readonly waiting = new Set<(error: Error) => void>();
  /** The ZIP parser and the entries still inflating, stopped when a limit refuses the file. */
  private zip: Writable | null = null;
  private readonly inflating = new Set<ZipEntryLike>();

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly maxBytes: number,
    private readonly maxUncompressed: number,
  ) {
    this.input = Readable.from(this.count(source), { objectMode: false });
    const pipe = this.input.pipe.bind(this.input);
    (this.input as { pipe: (dest: Writable, options?: { end?: boolean }) => Writable }).pipe = (dest, options) => {
      this.watchZip(dest);
      return pipe(dest, options);
    };
  }

  abort(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
    this.input.destroy();
  }

  get error(): Error | null {
    return this.failure;
  }

  /**
   * Refuses the file for a limit it broke, and stops inflating at once: left alone, exceljs would
   * drain the entry it was reading (in the background, after the refusal), and a bomb's buffered
   * kilobytes are hundreds of megabytes once inflated.
   */
  private refuse(error: ImportFileError): void {
    this.abort(error);
    for (const entry of this.inflating) entry.destroy();
    this.inflating.clear();
    this.zip?.destroy();
  }

  /**
   * Awaits an exceljs step, or the failure that stops the read, whichever comes first. Not
   * `Promise.race` against one long-lived promise: every race leaves a reaction on it until it
   * settles, which for a workbook of millions of rows is hundreds of megabytes and seconds of GC.
   */
  race<T>(step: Promise<T>): Promise<T> {
    if (this.failure) {
      step.catch(() => {});
      return Promise.reject(this.failure);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      step.then(
        (value) => {
          this.waiting.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.waiting.delete(reject);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private async *count(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    try {
      for await (const chunk of source) {
        if (this.failure) return;
        bytes += chunk.byteLength;
        this.read = bytes;
        if (bytes > this.maxBytes) {
          this.abort(new ImportFileError("TOO_LARGE", `The file is larger than ${formatByteSize(this.maxBytes)}, the most Carryover reads in one import. Split it into smaller files.`));
          return;
        }
        yield chunk;
      }
    } catch (error) {
      this.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private watchZip(zip: Writable): void {
    // A damaged archive (a local header whose sizes lie, a deflate stream cut short) makes the ZIP
    // parser fail while exceljs waits on the entry it was reading, which then never ends: the
    // parser's error must stop the read, or the import hangs.
    this.zip = zip;
    zip.on("error", (error: Error) => this.refuse(damaged(error.message)));
    const target = zip as Writable & { push?: (chunk: unknown, encoding?: BufferEncoding) => boolean };
    const push = target.push?.bind(target);
    if (!push) return;
    target.push = (chunk, encoding) => {
      if (chunk && typeof chunk === "object" && typeof (chunk as ZipEntryLike).path === "string" && typeof (chunk as ZipEntryLike).on === "function") {
        this.watchEntry(chunk as ZipEntryLike);
      }
      return push(chunk, encoding);
    };
  }

  private watchEntry(entry: ZipEntryLike): void {
    entry.pause();
    this.inflating.add(entry);
    const done = () => this.inflating.delete(entry);
    entry.on("end", done);
    entry.on("close", done);
    entry.on("error", (error: Error) => this.refuse(damaged(error.message)));
    const xml = /\.(xml|rels)$/i.test(entry.path);
    let run = 0; // bytes since the last "<" of this entry
    entry.on("data", (data: Uint8Array) => {
      this.inflated += data.byteLength;
      if (this.inflated > this.maxUncompressed) {
        this.refuse(
          new ImportFileError(
            "XLSX_TOO_LARGE",
            `The workbook unpacks to more than ${formatByteSize(this.maxUncompressed)} of data, more than an export of this size can hold; it was not read. Export the data as CSV instead.`,
          ),
        );
        return;
      }
      if (this.inflated > RATIO_FLOOR_BYTES && this.inflated > MAX_INFLATE_RATIO * this.read) {
        this.refuse(
          new ImportFileError(
            "XLSX_TOO_LARGE",
            `The workbook unpacks to more than ${MAX_INFLATE_RATIO} times its size (${formatByteSize(this.inflated)} from the first ${formatByteSize(this.read)}), which no real export does; it looks like a zip bomb and was not read. Export the data as CSV instead.`,
          ),
        );
        return;
      }
      if (!xml) return;
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const first = bytes.indexOf(0x3c);
      if (first < 0) run += bytes.byteLength;
      else {
        run += first;
        if (run <= MAX_XML_TEXT_RUN_BYTES) run = bytes.byteLength - bytes.lastIndexOf(0x3c) - 1;
      }
      // Runs between two "<" inside one chunk are shorter than the chunk (inflate gives 16 KiB).
      if (run > MAX_XML_TEXT_RUN_BYTES) {
        this.refuse(
          new ImportFileError(
            "XLSX_TOO_LARGE",
            `The workbook holds a single cell or text of more than ${formatByteSize(MAX_XML_TEXT_RUN_BYTES)} (a spreadsheet cell holds at most 32,767 characters); it looks like a zip bomb and was not read. Export the data as CSV instead.`,
          ),
        );
      }
    });
  }
}

function damaged(detail: string): ImportFileError {
  return new ImportFileError(
    "TRUNCATED_XLSX",
    `The Excel file is damaged or incomplete (${detail}). It may have been cut during the upload or the export: open it in Excel and save it again, or export the data as CSV.`,
  );
}

// ------------------------------------------------------------------------------------ reading

interface SheetModel {
  id: number;
  name: string;
  state?: string;
}

interface WorksheetLike extends AsyncIterable<ExcelJS.Row> {
  id: number | string;
  name?: string;
}

interface WorkbookLike {
  model?: { sheets?: SheetModel[] };
  properties?: { date1904?: boolean };
}

/** The sheet the merchant sees first: the first visible one in tab order. */
function firstSheet(reader: WorkbookLike): SheetModel | undefined {
  const sheets = reader.model?.sheets ?? [];
  return sheets.find((s) => s.state !== "hidden" && s.state !== "veryHidden") ?? sheets[0];
}

/**
 * Streams the first (visible) worksheet of an XLSX into read events with exceljs's streaming
 * `WorkbookReader`, row by row: header, then rows (numbered by their sheet row), `ignored` blank
 * rows (present but empty, or missing between two rows) and `malformed` rows (more non-empty
 * cells than the header). Cells become text as `cellText` says. There are no comment rows in a
 * worksheet: a cell starting with "#" is data (an order or customer number, say).
 *
 * Refuses with `ImportFileError`: TOO_LARGE (file over `maxBytes`), XLSX_TOO_LARGE (more than
 * `maxUncompressedBytes` inflated, or more than `maxRows` rows: a zip bomb stops there),
 * TRUNCATED_XLSX (cut or corrupt file, or no worksheet), EMPTY_FILE, NO_HEADER, HEADER_ONLY.
 *
 * Note: exceljs reads a worksheet only once it has the workbook's shared strings; when the ZIP
 * stores the worksheet first (Excel and exceljs both do), exceljs spools that worksheet to a
 * temporary file and reads it back at the end. The inflated-bytes guard applies to that spooling.
 */
export async function* readXlsx(source: AsyncIterable<Uint8Array>, format: FileFormat, limits: XlsxLimits = {}): AsyncIterable<ReadEvent> {
  const maxRows = limits.maxRows ?? DEFAULT_MAX_XLSX_ROWS;
  const guard = new Guard(source, limits.maxBytes ?? DEFAULT_MAX_BYTES, limits.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(guard.input, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache", // number formats tell dates from numbers
    hyperlinks: "ignore",
    entries: "ignore",
  });
  const workbook = reader as unknown as WorkbookLike;
  const sheets = reader[Symbol.asyncIterator]() as AsyncIterator<WorksheetLike>;
  let rows: AsyncIterator<ExcelJS.Row> | null = null;
  const out: ReadEvent[] = [];
  const table = new TableAssembler(format.headerRow, out);
  let sawContent = false;
  let finished = false;

  try {
    let sheet: WorksheetLike | null = null;
    for (;;) {
      const next = await guard.race(sheets.next());
      if (next.done) break;
      const target = firstSheet(workbook);
      if (!target || String(next.value.id) === String(target.id)) {
        sheet = next.value;
        break;
      }
      await drainSheet(next.value, (step) => guard.race(step)); // a sheet before the first visible one
    }
    if (!sheet) throw damaged("no worksheet found");

    const date1904 = workbook.properties?.date1904 === true;
    rows = sheet[Symbol.asyncIterator]();
    let last = 0;
    let count = 0;
    for (;;) {
      const next = await guard.race(rows.next());
      if (next.done) break;
      const row = next.value;
      const rowNumber = Number.isInteger(row.number) && row.number > last ? row.number : last + 1;
      count++;
      if (rowNumber > maxRows || count > maxRows) {
        throw new ImportFileError("XLSX_TOO_LARGE", `The worksheet has more than ${maxRows.toLocaleString("en")} rows; it was not read. Split the data into smaller files.`);
      }
      for (let gap = last + 1; gap < rowNumber; gap++) {
        table.blank(gap);
        if (out.length >= 1000) yield* out.splice(0, out.length); // a far row: blanks in bounded batches
      }
      last = rowNumber;

      const cells: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        while (cells.length < col - 1) cells.push("");
        cells[col - 1] = cellText(cell.value, cell.numFmt, date1904);
      });
      while (cells.length > 0 && (cells[cells.length - 1] ?? "").trim() === "") cells.pop();
      if (cells.length > 0) sawContent = true;
      const tooWide = table.cells(rowNumber, cells);
      if (tooWide !== null) table.malformed(rowNumber, tooWide, preview(csvLine(cells)));
      if (out.length > 0) yield* out.splice(0, out.length);
    }
    rows = null;
    // Let exceljs run to its end: it deletes the temporary files it spooled worksheets to.
    await drainWorkbook(sheets, (step) => guard.race(step));
    if (guard.error) throw guard.error;
    finished = true;
    table.finish(sawContent, "worksheet");
  } catch (error) {
    if (guard.error) throw guard.error;
    if (error instanceof ImportFileError) throw error;
    throw damaged(error instanceof Error ? error.message : String(error));
  } finally {
    guard.abort(new Error("reading stopped"));
    if (!finished) {
      // Stopped early (by the consumer or a refusal): stop reading the file, close the sheet being
      // read, and let exceljs finish in the background with what it has, removing its temporary
      // files. When it still needs the file's bytes it never resumes, and is simply collected.
      const open = rows;
      void (async () => {
        await open?.return?.(undefined);
        await drainWorkbook(sheets, (step) => step);
      })().catch(() => {});
    }
  }
}

type Step = <T>(step: Promise<T>) => Promise<T>;

async function drainSheet(sheet: WorksheetLike, step: Step): Promise<void> {
  const rows = sheet[Symbol.asyncIterator]();
  while (!(await step(rows.next())).done);
}

async function drainWorkbook(sheets: AsyncIterator<WorksheetLike>, step: Step): Promise<void> {
  for (;;) {
    const next = await step(sheets.next());
    if (next.done) return;
    await drainSheet(next.value, step);
  }
}

/**
 * Fills in what `detectFormat` cannot read from a workbook's first bytes: the header, its row,
 * the first 20 rows, and the decimal mark and date order suggested by text cells (typed numbers
 * and dates are already unambiguous). Reads only the beginning of the first worksheet, then stops.
 */
export async function previewXlsx(
  source: AsyncIterable<Uint8Array>,
  detected: DetectedFormat,
  overrides: Partial<FileFormat> = {},
  limits: XlsxLimits = {},
  assumptions: FormatAssumptions = {},
): Promise<DetectedFormat> {
  const rows: string[][] = [];
  let header: string[] = [];
  let headerRow = detected.headerRow;
  const inferenceRows = 200;
  try {
    for await (const event of readXlsx(source, detected, limits)) {
      if (event.type === "header") {
        header = event.header;
        headerRow = event.rowNumber;
      } else if (event.type === "row") {
        rows.push(event.row.cells);
        if (rows.length >= inferenceRows) break;
      }
    }
  } catch (error) {
    if (!(error instanceof ImportFileError && error.code === "HEADER_ONLY")) throw error;
  }
  const notes = [...detected.notes];
  let decimalMark: DecimalMark = overrides.decimalMark ?? "dot";
  if (!overrides.decimalMark) {
    const inferred = inferDecimalMark(rows);
    // Typed numbers come out with dot decimals; only text cells can say otherwise.
    if (inferred.decimalMark === "comma") {
      decimalMark = "comma";
      notes.push("Some numbers are stored as text written like 1.234,56; numbers are read with comma decimals. Check the number format.");
    }
  }
  let dateOrder: DateOrder = overrides.dateOrder ?? detected.dateOrder;
  let dateOrderAmbiguous = false;
  if (!overrides.dateOrder) {
    const inferred = inferDateOrder(rows, decimalMark, assumptions.dateOrder);
    dateOrder = inferred.dateOrder;
    dateOrderAmbiguous = inferred.dateOrderAmbiguous;
    if (inferred.note) notes.push(inferred.note);
  }
  return { ...detected, headerRow, header, sample: rows.slice(0, 20), decimalMark, dateOrder, dateOrderAmbiguous, notes };
}
