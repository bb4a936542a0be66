import { Parser } from "csv-parse";
import { type FileFormat, ImportFileError, type ReadEvent } from "../types";
import { createDecoder } from "./encoding";
import { DEFAULT_MAX_RECORD_CHARS, DEFAULT_MAX_RECORD_LINES, RecordSplitter, type SplitRecord, preview, unterminatedQuoteReason } from "./splitter";
import { TableAssembler } from "./table";

/** 200 MiB: the largest file read unless the caller says otherwise. */
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;

export interface CsvLimits {
  /** Bytes of file read before refusing it with TOO_LARGE (default 200 MiB). */
  maxBytes?: number;
  /** A quoted cell still open after this many lines is an unterminated quote (default 1,000). */
  maxRecordLines?: number;
  /** …or after this many characters; also the longest line accepted (default 1,000,000). */
  maxRecordChars?: number;
}

export function formatByteSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024 && bytes % (1024 * 1024 * 1024) === 0) return `${bytes / (1024 * 1024 * 1024)} GiB`;
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/**
 * One record's text → cells, with csv-parse's streaming `Parser` (one per file, fed record by
 * record). The splitter guarantees every text it gets is a complete record with its quotes
 * balanced, so csv-parse only does what it is good at: splitting on the delimiter and unescaping
 * quoted cells.
 *
 * Two details keep it synchronous and bounded:
 * - each record is written followed by a few empty lines: the parser holds back the last
 *   characters of every write (up to 3, in case they start a multi-byte delimiter or trim
 *   character); the empty lines, which it skips, let the record out at once, so each write gives
 *   back exactly its own record;
 * - records are taken from a `data` listener (flowing mode), which Node calls synchronously from
 *   inside `write`. Pulling them with `read()` instead makes the stream schedule one `nextTick`
 *   per record, and those pile up (≈150 bytes each) for as long as the source never yields to the
 *   event loop — a whole in-memory file, for instance.
 */
const FLUSH = "\n".repeat(8);

class CellParser {
  private parser: Parser;
  private records: unknown[] = [];
  private error: Error | null = null;

  constructor(private readonly format: FileFormat) {
    this.parser = this.create();
  }

  private create(): Parser {
    const parser = new Parser({
      delimiter: this.format.delimiter,
      quote: this.format.quote,
      escape: this.format.quote,
      record_delimiter: "\n",
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: false,
      encoding: "utf8",
    });
    parser.on("data", (record: unknown) => this.records.push(record));
    parser.on("error", (error: Error) => {
      this.error ??= error;
    });
    return parser;
  }

  parse(text: string): { ok: true; cells: string[] } | { ok: false; error: string } {
    // Fast path: a one-line record without a quote character is, for csv-parse with these options,
    // exactly its text split on the delimiter (checked against the parser on random texts with
    // delimiters, tabs, BOMs, NULs and no-break spaces). Going through the stream costs ≈ 5 µs a
    // record; most lines of a real export have no quote.
    if (text !== "" && !text.includes(this.format.quote) && !text.includes("\n") && !text.includes("\r")) {
      return { ok: true, cells: text.split(this.format.delimiter) };
    }
    this.records = [];
    this.error = null;
    const parser = this.parser;
    parser.write(text + FLUSH);
    const failed = this.error ?? parser.errored;
    const [record] = this.records;
    if (failed || this.records.length !== 1 || !Array.isArray(record)) {
      parser.destroy();
      this.parser = this.create();
      return { ok: false, error: failed ? failed.message : "the line could not be split into cells" };
    }
    return { ok: true, cells: (record as unknown[]).map((cell) => (typeof cell === "string" ? cell : String(cell ?? ""))) };
  }

  close(): void {
    this.parser.destroy();
  }
}

/**
 * The synchronous core of the CSV reader: decoded text in, read events out. Used by `readCsv`
 * over a stream and by `detectFormat` over the sample, so both read a file the same way.
 */
export class CsvEventReader {
  private readonly out: ReadEvent[] = [];
  private readonly table: TableAssembler;
  private readonly splitter: RecordSplitter;
  private readonly cells: CellParser;
  private sawContent = false;

  constructor(format: FileFormat, limits: CsvLimits = {}) {
    this.table = new TableAssembler(format.headerRow, this.out);
    this.cells = new CellParser(format);
    this.splitter = new RecordSplitter(
      {
        delimiter: format.delimiter,
        quote: format.quote,
        maxRecordLines: limits.maxRecordLines ?? DEFAULT_MAX_RECORD_LINES,
        maxRecordChars: limits.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS,
      },
      {
        blank: (line) => this.table.blank(line),
        comment: (line) => this.table.comment(line),
        malformed: (line, reason, raw) => this.table.malformed(line, reason, raw),
        record: (record) => this.record(record),
      },
    );
  }

  get header(): string[] | null {
    return this.table.header;
  }

  /** Decoded text (any chunking) → the events it completes. */
  push(text: string): ReadEvent[] {
    if (!this.sawContent && /\S/.test(text)) this.sawContent = true;
    this.splitter.feed(text);
    return this.take();
  }

  /** End of the text: the events of the last line and of any unterminated quote. */
  finish(): ReadEvent[] {
    this.splitter.finish();
    this.cells.close();
    return this.take();
  }

  /** After `finish`: EMPTY_FILE, NO_HEADER or HEADER_ONLY when the file has no data. */
  assertComplete(): void {
    this.table.finish(this.sawContent);
  }

  private take(): ReadEvent[] {
    return this.out.splice(0, this.out.length);
  }

  private record(record: SplitRecord): string | null {
    const multiLine = record.lines.length > 1;
    const raw = preview(record.text);
    // Detection refuses a file with NUL bytes in its first 256 KiB; one further on is a damaged
    // line (and PostgreSQL cannot store a NUL in text): that line is rejected, reading goes on.
    if (record.text.includes("\u0000")) {
      const at = record.lines.find((line) => line.text.includes("\u0000"))?.lineNo ?? record.startLine;
      this.table.malformed(record.startLine, `line ${at} contains a NUL byte (binary data), not text`, raw.split("\u0000").join("\uFFFD"));
      return null;
    }
    // A quoted cell that ran over line breaks and then closed oddly: a stray quote swallowed the
    // lines after it. Reject the line where it starts and read the others again.
    if (multiLine && record.suspicious) return unterminatedQuoteReason(record.startLine);
    const parsed = this.cells.parse(record.text);
    if (!parsed.ok) {
      if (multiLine) return unterminatedQuoteReason(record.startLine);
      this.table.malformed(record.startLine, `the line cannot be read as CSV: ${parsed.error}`, raw);
      return null;
    }
    const tooWide = this.table.cells(record.startLine, parsed.cells);
    if (tooWide === null) return null;
    // Too many cells across several lines: most likely a quote left open, not a real wide row.
    if (multiLine) return unterminatedQuoteReason(record.startLine);
    this.table.malformed(record.startLine, tooWide, raw);
    return null;
  }
}

/**
 * Streams a CSV file into read events, in constant memory: bytes are decoded with iconv-lite's
 * streaming decoder (characters split between chunks are handled), cut into records with their
 * physical line numbers, and split into cells by csv-parse's streaming `Parser`.
 *
 * Yields the header event, then for every line after it a row, an `ignored` (blank or `#` comment)
 * or a `malformed` event (unterminated quote, more cells than the header…), reading on after each
 * one. Rows with fewer cells than the header are padded with "". Throws `ImportFileError`:
 * TOO_LARGE past `maxBytes` (default 200 MiB), EMPTY_FILE, NO_HEADER, and HEADER_ONLY at the end
 * when no data row followed the header.
 */
export async function* readCsv(source: AsyncIterable<Uint8Array>, format: FileFormat, limits: CsvLimits = {}): AsyncIterable<ReadEvent> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const decoder = createDecoder(format.encoding);
  const reader = new CsvEventReader(format, limits);
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new ImportFileError("TOO_LARGE", `The file is larger than ${formatByteSize(maxBytes)}, the most Carryover reads in one import. Split it into smaller files.`);
    }
    if (chunk.byteLength > 0) yield* reader.push(decoder.write(chunk));
  }
  yield* reader.push(decoder.end());
  yield* reader.finish();
  reader.assertComplete();
}
