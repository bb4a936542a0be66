/**
 * The reading layer of the import: bytes → detected format → numbered rows. Pure: bytes and
 * options in, events out; the app opens files and streams. See README.md in this folder.
 */
import type { DetectedFormat, FileFormat, ReadEvent } from "../types";
import { type CsvLimits, readCsv } from "./csv";
import { detectFormat, type FormatAssumptions } from "./detect";
import { previewXlsx, readXlsx, type XlsxLimits } from "./xlsx";

export { detectFormat, SAMPLE_BYTES, SAMPLE_ROWS, type FormatAssumptions } from "./detect";
export { readCsv, CsvEventReader, DEFAULT_MAX_BYTES, type CsvLimits } from "./csv";
export {
  readXlsx,
  previewXlsx,
  cellText,
  formatNumber,
  formatDate,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  DEFAULT_MAX_XLSX_ROWS,
  type XlsxLimits,
} from "./xlsx";
export { parseLocaleNumber, type ParsedNumber } from "./numbers";
export { parseDate, type ParsedDate } from "./dates";
export { inferDecimalMark, inferDateOrder } from "./infer";
export { DEFAULT_MAX_RECORD_LINES, DEFAULT_MAX_RECORD_CHARS } from "./splitter";

export type ReadLimits = CsvLimits & XlsxLimits;

/** Reads a file of either kind: `readXlsx` for "xlsx", else `readCsv`. */
export function readRows(source: AsyncIterable<Uint8Array>, format: FileFormat, limits: ReadLimits = {}): AsyncIterable<ReadEvent> {
  return format.kind === "xlsx" ? readXlsx(source, format, limits) : readCsv(source, format, limits);
}

/**
 * `detectFormat`, completed for workbooks: a CSV's header and sample come from its first bytes,
 * an XLSX's need the workbook itself, read from `open()` (a fresh stream of the whole file) by
 * `previewXlsx`. `open` is not called for CSV files.
 */
export async function detectFileFormat(
  sample: Uint8Array,
  fileName: string,
  open: () => AsyncIterable<Uint8Array>,
  overrides: Partial<FileFormat> = {},
  limits: XlsxLimits = {},
  assumptions: FormatAssumptions = {},
): Promise<DetectedFormat> {
  const detected = detectFormat(sample, fileName, overrides, assumptions);
  return detected.kind === "xlsx" ? previewXlsx(open(), detected, overrides, limits, assumptions) : detected;
}
