/**
 * Cells written to a CSV that a merchant will open in a spreadsheet. A cell that starts with
 * = + - @ (or a tab / carriage return, which some spreadsheets skip before looking) is a formula
 * there: `=HYPERLINK("http://evil", "click")` in a customer's name would run. Such cells are
 * prefixed with an apostrophe, which spreadsheets show as text (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One line of the rejected-rows report: row number, reasons, then the original cells in header order. */
export function rejectedRowCells(
  rowNumber: number,
  reasons: string,
  header: readonly string[],
  raw: Readonly<Record<string, string>>,
): string[] {
  return [String(rowNumber), reasons, ...header.map((h) => raw[h] ?? "")].map(spreadsheetSafe);
}
