import { ImportFileError, type ReadEvent } from "../types";

const isEmptyCell = (cell: string) => cell.trim() === "";

/**
 * Rows → read events, the same way for CSV and XLSX: finds the header, pads short rows, refuses
 * wide ones, reports blank and comment rows after the header, and knows at the end whether the
 * file had a header and data.
 *
 * The header is the first row at or after `headerRow` that is not blank (every cell empty) and
 * not a comment; rows before it produce no events (they are not data). Header names are trimmed;
 * duplicate or empty names keep their positions (choosing between them is the mapper's job).
 */
export class TableAssembler {
  header: string[] | null = null;
  /** Data rows after the header: rows and malformed rows. */
  dataRows = 0;

  constructor(
    private readonly headerRow: number,
    private readonly out: ReadEvent[],
  ) {}

  blank(rowNumber: number): void {
    if (this.header) this.out.push({ type: "ignored", rowNumber, reason: "blank" });
  }

  comment(rowNumber: number): void {
    if (this.header) this.out.push({ type: "ignored", rowNumber, reason: "comment" });
  }

  malformed(rowNumber: number, reason: string, raw: string): void {
    if (this.header) {
      this.out.push({ type: "malformed", rowNumber, reason, raw });
      this.dataRows++;
    } else if (rowNumber >= this.headerRow) {
      throw new ImportFileError("NO_HEADER", `The header line (line ${rowNumber}) cannot be read: ${reason}.`);
    }
  }

  /**
   * A parsed row. Returns null when it was handled, or — when it has more non-empty cells than the
   * header — the reason, so the caller decides between rejecting it and reading it another way.
   */
  cells(rowNumber: number, cells: string[]): string | null {
    if (!this.header) {
      if (rowNumber < this.headerRow || cells.every(isEmptyCell)) return null;
      this.header = cells.map((name) => name.trim());
      this.out.push({ type: "header", rowNumber, header: this.header });
      return null;
    }
    if (cells.every(isEmptyCell)) {
      this.out.push({ type: "ignored", rowNumber, reason: "blank" });
      return null;
    }
    const width = this.header.length;
    let row = cells;
    if (row.length > width) {
      // Trailing empty cells (a delimiter at the end of the line, common in exports) carry nothing.
      if (!row.slice(width).every(isEmptyCell)) return `row has ${row.length} cells, header has ${width}`;
      row = row.slice(0, width);
    }
    while (row.length < width) row.push("");
    this.out.push({ type: "row", row: { rowNumber, cells: row } });
    this.dataRows++;
    return null;
  }

  /** At the end of the input: refuse files without a header or without data rows. */
  finish(sawContent: boolean, what: "file" | "worksheet" = "file"): void {
    if (!this.header) {
      if (!sawContent) throw new ImportFileError("EMPTY_FILE", `The ${what} is empty.`);
      throw new ImportFileError(
        "NO_HEADER",
        this.headerRow > 1
          ? `No header found at or after line ${this.headerRow}: the ${what} has only blank or comment lines there.`
          : `No header found: the ${what} has only blank or comment lines.`,
      );
    }
    if (this.dataRows === 0) {
      throw new ImportFileError("HEADER_ONLY", `The ${what} has a header (${this.header.filter((h) => h !== "").join(", ")}) but no data rows.`);
    }
  }
}
