import type { DecimalMark } from "../types";

export type ParsedNumber = { ok: true; value: number } | { ok: false; reason: string };

/** Spaces that spreadsheets use as thousands separators: space, NBSP, narrow NBSP, thin space. */
const SPACE_SEPARATORS = new Set([" ", "\u00a0", "\u202f", "\u2009"]);
/** Minus signs seen in exports: ASCII hyphen-minus and the Unicode minus sign. */
const MINUS = new Set(["-", "\u2212"]);

const PLAIN_DIGITS = /^\d{1,15}$/;
const GROUPED_BY_DOTS = /^\d{1,3}(?:\.\d{3}){1,4}$/;
const GROUPED_BY_COMMAS = /^\d{1,3}(?:,\d{3}){1,4}$/;

function fail(text: string, why: string): { ok: false; reason: string } {
  return { ok: false, reason: `"${text}" is not a number: ${why}` };
}

/**
 * Reads a number written the way the file writes numbers.
 *
 * - `decimalMark: "dot"`  → `1,234.56`, `1234.56`, `1 234.56`;
 * - `decimalMark: "comma"` → `1.234,56`, `1234,56`, `1 234,56`.
 *
 * The other mark is only ever a thousands separator, and then only in groups of three digits
 * (`1.234` with comma decimals is 1234; `1.23.4` is refused rather than guessed). Spaces, NBSP
 * and narrow NBSP are accepted as thousands separators in both styles. A leading `+` or `-`
 * (or U+2212) is accepted and `-0` reads as 0. Scientific notation, `NaN`, `Infinity`, letters,
 * currency symbols and two decimal marks are refused with a reason for the merchant.
 */
export function parseLocaleNumber(text: string, decimalMark: DecimalMark): ParsedNumber {
  // The shapes almost every balance is written in, read without the general path's allocations
  // (which cost ~5 s of a million-row import): plain digits, or digits grouped in threes by the
  // file's thousands separator. Both give exactly what the general path gives.
  if (PLAIN_DIGITS.test(text)) return { ok: true, value: Number(text) };
  const grouped = decimalMark === "comma" ? GROUPED_BY_DOTS : GROUPED_BY_COMMAS;
  if (grouped.test(text)) return { ok: true, value: Number(text.replace(decimalMark === "comma" ? /\./g : /,/g, "")) };
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  const trimmed = text.replace(/^[\s\u00a0\u202f\u2009]+|[\s\u00a0\u202f\u2009]+$/g, "");
  if (trimmed === "") return { ok: false, reason: "empty value, a number was expected" };

  const decimal = decimalMark === "comma" ? "," : ".";
  const grouping = decimalMark === "comma" ? "." : ",";

  let rest = trimmed;
  let negative = false;
  const first = rest[0] ?? "";
  if (first === "+" || MINUS.has(first)) {
    negative = MINUS.has(first);
    rest = rest.slice(1);
    if (rest === "") return fail(shown, "a sign without digits");
  }

  if (/^(nan|[+-]?inf(inity)?)$/i.test(rest)) return fail(shown, "NaN and Infinity are not numbers");
  if (/^[\d.,]*\d[eE][+-]?\d+$/.test(rest)) return fail(shown, "scientific notation is not accepted");

  // Split into integer part and fraction on the decimal mark; the other mark and spaces may only group.
  const decimalCount = rest.split(decimal).length - 1;
  if (decimalCount > 1) {
    return fail(shown, `two decimal marks "${decimal}" (this file writes numbers like ${example(decimalMark)})`);
  }
  const [intPartRaw = "", fraction] = decimalCount === 1 ? rest.split(decimal) : [rest, undefined];

  for (const ch of rest) {
    if (!/\d/.test(ch) && ch !== decimal && ch !== grouping && !SPACE_SEPARATORS.has(ch)) {
      return fail(shown, `it contains "${ch}"`);
    }
  }
  if (fraction !== undefined) {
    if (fraction === "") return fail(shown, `nothing after the decimal mark "${decimal}"`);
    if (!/^\d+$/.test(fraction)) {
      return fail(shown, `"${decimal}" is the decimal mark in this file, and a thousands separator cannot follow it (this file writes numbers like ${example(decimalMark)})`);
    }
  }

  let digits: string;
  if (intPartRaw === "") {
    if (fraction === undefined) return fail(shown, "no digits");
    digits = "0";
  } else if (/^\d+$/.test(intPartRaw)) {
    digits = intPartRaw;
  } else {
    const separators = new Set(intPartRaw.replace(/\d/g, ""));
    if (separators.size > 1) return fail(shown, "it mixes different thousands separators");
    const [sep = ""] = [...separators];
    const groups = intPartRaw.split(sep);
    const valid = groups.length > 1 && /^\d{1,3}$/.test(groups[0] ?? "") && groups.slice(1).every((g) => /^\d{3}$/.test(g));
    if (!valid) {
      const sepName = SPACE_SEPARATORS.has(sep) ? "space" : `"${sep}"`;
      const hint =
        sep === grouping
          ? ` — in this file "${grouping}" separates thousands and "${decimal}" marks decimals (${example(decimalMark)})`
          : "";
      return fail(shown, `the thousands separator ${sepName} is misplaced (groups of three digits expected)${hint}`);
    }
    digits = groups.join("");
  }

  const value = Number(`${digits}${fraction === undefined ? "" : `.${fraction}`}`);
  if (!Number.isFinite(value)) return fail(shown, "it is too large");
  const signed = negative ? -value : value;
  return { ok: true, value: signed === 0 ? 0 : signed };
}

function example(decimalMark: DecimalMark): string {
  return decimalMark === "comma" ? "1.234,56" : "1,234.56";
}
