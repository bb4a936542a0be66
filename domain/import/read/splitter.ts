/**
 * Physical lines → CSV records, streaming, with line numbers.
 *
 * csv-parse turns a record into cells very well, but it cannot tell which physical line a record
 * started on once quoted cells span lines, it does not report blank and comment lines one by one,
 * and an unterminated quote makes it swallow the rest of the file into one cell and fail at the
 * end. So this splitter sits in front of it: it cuts the decoded text into physical lines (CR, LF
 * and CRLF, mixed, even split across chunks), follows the quote state exactly as csv-parse does
 * with `relax_quotes` (a quote opens a quoted cell only at the start of a cell; inside one, a doubled
 * quote is a quote, and a quote followed by anything but a delimiter or the end of the line closes
 * it), and hands every complete record, with the line it starts on, to a sink.
 *
 * Recovery from an unterminated quote: a record that is still inside quotes after
 * `maxRecordLines` lines or `maxRecordChars` characters, or at the end of the file, is not a
 * record: its first line is reported malformed and the lines after it are read again from a
 * clean state. The sink can ask for the same treatment for a complete multi-line record that
 * looks like the result of a stray quote (see `SplitRecord.suspicious`). Memory stays bounded by
 * those limits; every line is re-read at most once per rejected line before it.
 */

export interface PhysicalLine {
  /** 1-based physical line number. */
  lineNo: number;
  text: string;
  /** The line ending that followed it: "\n", "\r\n", "\r", or "" at the end of the file. */
  term: string;
  /** The line was longer than `maxRecordChars`; `text` holds only its beginning. */
  overlong: boolean;
}

export interface SplitRecord {
  startLine: number;
  lines: PhysicalLine[];
  /** The record's text as it is in the file (inner line endings kept), without its final line ending. */
  text: string;
  /** Delimiters outside quotes + 1. */
  cells: number;
  /**
   * A quoted cell opened on an earlier line was closed by a quote followed by neither a delimiter
   * nor the end of the line: the mark of a stray quote that swallowed the following lines.
   */
  suspicious: boolean;
}

export interface SplitterSink {
  blank(lineNo: number): void;
  comment(lineNo: number): void;
  /**
   * A complete record. Return null to accept it, or a reason to reject only its first line
   * (reported through `malformed`) and read the lines after it again.
   */
  record(record: SplitRecord): string | null;
  malformed(lineNo: number, reason: string, raw: string): void;
}

export interface SplitterOptions {
  delimiter: string;
  quote: string;
  /** A quoted cell still open after this many lines is taken for an unterminated quote. */
  maxRecordLines: number;
  /** …or after this many characters. Also the longest physical line accepted. */
  maxRecordChars: number;
}

export const DEFAULT_MAX_RECORD_LINES = 1000;
export const DEFAULT_MAX_RECORD_CHARS = 1_000_000;
/** Longest `raw` text kept for a malformed row. */
export const MAX_RAW_CHARS = 10_000;

export function preview(text: string): string {
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}…` : text;
}

export function unterminatedQuoteReason(lineNo: number): string {
  return `unterminated quote: the quoted cell that starts on line ${lineNo} is never closed properly; line ${lineNo} is rejected and reading resumes on the next line`;
}

interface OpenRecord {
  startLine: number;
  lines: PhysicalLine[];
  chars: number;
  inQuotes: boolean;
  fieldStart: boolean;
  /** Index in `lines` of the line where the current quoted cell opened. */
  quoteLine: number;
  cells: number;
  suspicious: boolean;
}

const LINE_BREAK = /[\r\n]/g;

export class RecordSplitter {
  private readonly d: number;
  private readonly q: number;
  private parts: string[] = [];
  private partLength = 0;
  private overlong = false;
  private pendingCR = false;
  private nextLineNo = 1;
  private open: OpenRecord | null = null;
  private readonly queue: PhysicalLine[] = [];

  constructor(
    private readonly options: SplitterOptions,
    private readonly sink: SplitterSink,
  ) {
    this.d = options.delimiter.charCodeAt(0);
    this.q = options.quote.charCodeAt(0);
  }

  /** Feeds decoded text; complete lines are processed at once, a partial last line waits. */
  feed(text: string): void {
    let pos = 0;
    const n = text.length;
    if (n === 0) return;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.charCodeAt(0) === 10) {
        this.endLine("\r\n");
        pos = 1;
      } else this.endLine("\r");
    }
    while (pos < n) {
      LINE_BREAK.lastIndex = pos;
      const m = LINE_BREAK.exec(text);
      if (!m) {
        this.append(text.slice(pos));
        return;
      }
      const i = m.index;
      this.append(text.slice(pos, i));
      if (text.charCodeAt(i) === 10) {
        this.endLine("\n");
        pos = i + 1;
      } else if (i + 1 < n) {
        if (text.charCodeAt(i + 1) === 10) {
          this.endLine("\r\n");
          pos = i + 2;
        } else {
          this.endLine("\r");
          pos = i + 1;
        }
      } else {
        this.pendingCR = true; // CR at the end of the chunk: is it CRLF? The next chunk says.
        return;
      }
    }
  }

  /** End of input: the last line, then any quote still open is an unterminated quote. */
  finish(): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.endLine("\r");
    }
    if (this.partLength > 0 || this.overlong) this.endLine("");
    while (this.open) {
      const rec = this.open;
      this.open = null;
      this.rejectFirst(rec, unterminatedQuoteReason(rec.startLine));
      this.drain();
    }
  }

  /** True when lines are held waiting for a quoted cell to close. */
  get inRecord(): boolean {
    return this.open !== null;
  }

  private append(s: string): void {
    if (s === "" || this.overlong) return;
    if (this.partLength + s.length > this.options.maxRecordChars) {
      const kept = this.parts.join("") + s;
      this.parts = [kept.slice(0, MAX_RAW_CHARS)];
      this.partLength = this.parts[0]?.length ?? 0;
      this.overlong = true;
      return;
    }
    this.parts.push(s);
    this.partLength += s.length;
  }

  private endLine(term: string): void {
    const text = this.parts.length === 1 ? (this.parts[0] ?? "") : this.parts.join("");
    const line: PhysicalLine = { lineNo: this.nextLineNo++, text, term, overlong: this.overlong };
    this.parts = [];
    this.partLength = 0;
    this.overlong = false;
    this.queue.push(line);
    this.drain();
  }

  private drain(): void {
    let line: PhysicalLine | undefined;
    while ((line = this.queue.shift()) !== undefined) this.processLine(line);
  }

  private rejectFirst(rec: OpenRecord, reason: string, after: PhysicalLine[] = []): void {
    const [first, ...rest] = rec.lines;
    if (first) this.sink.malformed(first.lineNo, reason, preview(first.text));
    this.queue.unshift(...rest, ...after);
  }

  private processLine(line: PhysicalLine): void {
    const { maxRecordChars, maxRecordLines } = this.options;
    if (line.overlong) {
      if (this.open) {
        const rec = this.open;
        this.open = null;
        this.rejectFirst(rec, unterminatedQuoteReason(rec.startLine), [line]);
        return;
      }
      this.sink.malformed(line.lineNo, `line ${line.lineNo} is longer than ${maxRecordChars.toLocaleString("en")} characters`, preview(line.text));
      return;
    }
    if (!this.open) {
      if (line.text.trim() === "") return this.sink.blank(line.lineNo);
      if (line.text.charCodeAt(0) === 35 /* # */) return this.sink.comment(line.lineNo);
      this.open = { startLine: line.lineNo, lines: [], chars: 0, inQuotes: false, fieldStart: true, quoteLine: 0, cells: 1, suspicious: false };
    }
    const rec = this.open;
    this.scan(rec, line.text, rec.lines.length);
    rec.lines.push(line);
    rec.chars += line.text.length + line.term.length;
    if (rec.inQuotes) {
      if (rec.lines.length > maxRecordLines || rec.chars > maxRecordChars) {
        this.open = null;
        this.rejectFirst(rec, unterminatedQuoteReason(rec.startLine));
      }
      return; // wait for the next line (or the end of the file)
    }
    this.open = null;
    let text: string;
    if (rec.lines.length === 1) text = line.text;
    else {
      const pieces: string[] = [];
      rec.lines.forEach((l, i) => pieces.push(i < rec.lines.length - 1 ? l.text + l.term : l.text));
      text = pieces.join("");
    }
    const reason = this.sink.record({ startLine: rec.startLine, lines: rec.lines, text, cells: rec.cells, suspicious: rec.suspicious });
    if (reason !== null) this.rejectFirst(rec, reason);
  }

  /** The quote state machine of csv-parse with relax_quotes, over one physical line. */
  private scan(rec: OpenRecord, text: string, lineIndex: number): void {
    const { d, q } = this;
    let { inQuotes, fieldStart, cells } = rec;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c !== q) continue;
        if (i + 1 < n && text.charCodeAt(i + 1) === q) {
          i++; // doubled quote: a quote inside the cell
          continue;
        }
        inQuotes = false;
        fieldStart = false;
        if (i + 1 < n && text.charCodeAt(i + 1) !== d && lineIndex > rec.quoteLine) rec.suspicious = true;
        continue;
      }
      if (c === d) {
        fieldStart = true;
        cells++;
      } else if (c === q && fieldStart) {
        inQuotes = true;
        fieldStart = false;
        rec.quoteLine = lineIndex;
      } else fieldStart = false;
    }
    rec.inQuotes = inQuotes;
    rec.fieldStart = fieldStart;
    rec.cells = cells;
  }
}
