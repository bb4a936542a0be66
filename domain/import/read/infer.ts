import type { DateOrder, DecimalMark } from "../types";

/**
 * What the cells of a sample say about how the file writes numbers and dates.
 * Pure and cell-based: the CSV detection and the XLSX preview both use it.
 */

type NumberVote = "comma" | "dot" | "ambiguous" | null;

const CURRENCY = /^(?:R\$|US\$|\$|€|£)\s*/;

/**
 * How one cell writes numbers. `1.234,56`, `10,5`, `0,5`, `1.234.567` say comma; `1,234.56`, `10.5`,
 * `1,234,567` say dot; `1.234` and `1,234` alone could be either (a thousands separator or three
 * decimals) and say nothing. Anything that is not a plain number (dates, CPFs, phones) says nothing.
 */
export function numberVote(cell: string): NumberVote {
  let s = cell.trim();
  if (s === "" || s.length > 40) return null;
  s = s.replace(CURRENCY, "").replace(/^[+\-\u2212]/, "");
  if (!/^[\d.,\s\u00a0\u202f]+$/.test(s) || !/\d/.test(s)) return null;
  s = s.replace(/[\s\u00a0\u202f]/g, "");
  if (/^\d{1,3}(\.\d{3})+,\d+$/.test(s)) return "comma"; // 1.234,56
  if (/^\d{1,3}(,\d{3})+\.\d+$/.test(s)) return "dot"; // 1,234.56
  if (/^\d{1,3}(\.\d{3}){2,}$/.test(s)) return "comma"; // 1.234.567: dots only group
  if (/^\d{1,3}(,\d{3}){2,}$/.test(s)) return "dot"; // 1,234,567: commas only group
  if (/^\d*,\d+$/.test(s)) return /^[1-9]\d{0,2},\d{3}$/.test(s) ? "ambiguous" : "comma"; // 10,5 / 0,123 vs 1,234
  if (/^\d*\.\d+$/.test(s)) return /^[1-9]\d{0,2}\.\d{3}$/.test(s) ? "ambiguous" : "dot"; // 10.5 / 0.123 vs 1.234
  return null;
}

export interface DecimalInference {
  decimalMark: DecimalMark;
  note: string | null;
}

export function inferDecimalMark(rows: readonly (readonly string[])[], assumed: DecimalMark = "dot"): DecimalInference {
  let comma = 0;
  let dot = 0;
  let ambiguous = 0;
  let ambiguousExample = "";
  for (const row of rows) {
    for (const cell of row) {
      const vote = numberVote(cell);
      if (vote === "comma") comma++;
      else if (vote === "dot") dot++;
      else if (vote === "ambiguous") {
        ambiguous++;
        ambiguousExample ||= cell.trim();
      }
    }
  }
  if (comma > 0 && dot === 0) return { decimalMark: "comma", note: null };
  if (dot > 0 && comma === 0) return { decimalMark: "dot", note: null };
  if (comma > 0 && dot > 0) {
    const decimalMark: DecimalMark = comma > dot ? "comma" : "dot";
    return {
      decimalMark,
      note: `The sample mixes number formats (${comma} like 1.234,56 and ${dot} like 1,234.56); reading numbers as ${decimalMark === "comma" ? "1.234,56" : "1,234.56"}. Check the number format.`,
    };
  }
  const reading = assumed === "comma" ? "1.234,56 (comma decimals)" : "1,234.56 (dot decimals)";
  const other = assumed === "comma" ? "If the file writes 1,234.56, choose dot decimals." : "If the file writes 1.234,56, choose comma decimals.";
  if (ambiguous > 0) {
    return {
      decimalMark: assumed,
      note: `Numbers like "${ambiguousExample}" could mean a thousand or a decimal; nothing in the sample decides, so numbers are read as ${reading}. ${other}`,
    };
  }
  return {
    decimalMark: assumed,
    note: `No number in the sample shows its decimal mark; numbers are read as ${reading}. ${other}`,
  };
}

const LOCAL_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** How one cell orders day and month: a first part over 12 says dmy, a second part over 12 says mdy. */
export function dateVote(cell: string): DateOrder | "ambiguous" | null {
  const m = LOCAL_DATE.exec(cell.trim());
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[3]);
  if (a < 1 || b < 1) return null;
  if (a > 12 && b <= 12) return "dmy";
  if (b > 12 && a <= 12 && b <= 31) return "mdy";
  if (a <= 12 && b <= 12 && a !== b) return "ambiguous";
  return null;
}

export interface DateInference {
  dateOrder: DateOrder;
  dateOrderAmbiguous: boolean;
  note: string | null;
}

/** `decimalMark` picks the default when dates do not decide: comma decimals (Brazil, LatAm) → dmy. */
export function inferDateOrder(rows: readonly (readonly string[])[], decimalMark: DecimalMark, assumed?: DateOrder): DateInference {
  let dmy = 0;
  let mdy = 0;
  let ambiguous = 0;
  let example = "";
  for (const row of rows) {
    for (const cell of row) {
      const vote = dateVote(cell);
      if (vote === "dmy") dmy++;
      else if (vote === "mdy") mdy++;
      else if (vote === "ambiguous") {
        ambiguous++;
        example ||= cell.trim();
      }
    }
  }
  const fallback: DateOrder = assumed ?? (decimalMark === "comma" ? "dmy" : "mdy");
  const name = (o: DateOrder) => (o === "dmy" ? "day/month/year" : "month/day/year");
  if (dmy > 0 && mdy === 0) return { dateOrder: "dmy", dateOrderAmbiguous: false, note: null };
  if (mdy > 0 && dmy === 0) return { dateOrder: "mdy", dateOrderAmbiguous: false, note: null };
  if (dmy > 0 && mdy > 0) {
    const dateOrder: DateOrder = dmy === mdy ? fallback : dmy > mdy ? "dmy" : "mdy";
    return {
      dateOrder,
      dateOrderAmbiguous: false,
      note: `The sample mixes date orders (${dmy} dates only valid as day/month, ${mdy} only as month/day); reading dates as ${name(dateOrder)}. Dates that do not fit are rejected.`,
    };
  }
  if (ambiguous > 0) {
    return {
      dateOrder: fallback,
      dateOrderAmbiguous: true,
      note: `Dates like "${example}" fit both day/month and month/day, and no date in the sample decides; reading them as ${name(fallback)}${decimalMark === "comma" ? " (the usual order with comma decimals)" : ""}. Check the date order.`,
    };
  }
  return { dateOrder: fallback, dateOrderAmbiguous: false, note: null };
}
