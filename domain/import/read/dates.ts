import type { DateOrder } from "../types";

export type ParsedDate = { ok: true; iso: string; ambiguous: boolean } | { ok: false; reason: string };

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why year/month/day is not a real date, or null when it is one. */
function impossible(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999) return `year ${year} is out of range`;
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const max = daysInMonth(year, month);
  if (day < 1 || day > max) return `${MONTHS[month - 1]} ${year} has ${max} days, not ${day}`;
  return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const isoDate = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** hh:mm[:ss[.fff]] → "hh:mm:ss[.fff]", or a reason. */
function readTime(h: string, min: string, s: string | undefined, frac: string | undefined): { ok: true; time: string } | { ok: false; reason: string } {
  const hh = Number(h);
  const mm = Number(min);
  const ss = s === undefined ? 0 : Number(s);
  if (hh > 23 || mm > 59 || ss > 59) return { ok: false, reason: `time ${h}:${min}${s === undefined ? "" : `:${s}`} does not exist` };
  return { ok: true, time: `${pad(hh)}:${pad(mm)}:${pad(ss)}${frac ?? ""}` };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const YEAR_FIRST = /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})$/;
const DAY_OR_MONTH_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d+)(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?$/;

/**
 * Reads a date.
 *
 * - ISO `YYYY-MM-DD` → itself; ISO date-times (`2025-03-04T10:20:30Z`, `2025-03-04 10:20`) → an ISO
 *   date-time (`T` separator, seconds added, offset kept). ISO is never ambiguous. `YYYY/MM/DD` too.
 * - `DD/MM/YYYY` or `MM/DD/YYYY` by `order`, with `/`, `-` or `.` separators and an optional time
 *   (`04/03/2025 14:30`). `ambiguous` is true when the other order would give a different valid date
 *   (03/04/2025), so the caller can ask the merchant instead of guessing silently.
 * - Two-digit years are refused (is `25` 1925 or 2025?), as are impossible dates (31/02/2026).
 */
export function parseDate(text: string, order: DateOrder): ParsedDate {
  const t = text.trim();
  if (t === "") return { ok: false, reason: "empty value, a date was expected" };
  const shown = t.length > 40 ? `${t.slice(0, 40)}…` : t;

  const iso = ISO.exec(t);
  if (iso) {
    const [, y, m, d, h, min, s, frac, zone] = iso;
    const why = impossible(Number(y), Number(m), Number(d));
    if (why) return { ok: false, reason: `"${shown}" is not a real date: ${why}` };
    const date = `${y}-${m}-${d}`;
    if (h === undefined || min === undefined) return { ok: true, iso: date, ambiguous: false };
    const time = readTime(h, min, s, frac);
    if (!time.ok) return { ok: false, reason: `"${shown}" is not a real date-time: ${time.reason}` };
    let offset = "";
    if (zone === "Z") offset = "Z";
    else if (zone !== undefined) {
      const digits = zone.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (oh > 14 || om > 59) return { ok: false, reason: `"${shown}" has an impossible time-zone offset` };
      offset = `${zone[0]}${pad(oh)}:${pad(om)}`;
    }
    return { ok: true, iso: `${date}T${time.time}${offset}`, ambiguous: false };
  }

  const yearFirst = YEAR_FIRST.exec(t);
  if (yearFirst) {
    const [, y, , m, d] = yearFirst;
    const why = impossible(Number(y), Number(m), Number(d));
    if (why) return { ok: false, reason: `"${shown}" is not a real date: ${why}` };
    return { ok: true, iso: isoDate(Number(y), Number(m), Number(d)), ambiguous: false };
  }

  const local = DAY_OR_MONTH_FIRST.exec(t);
  if (!local) {
    return {
      ok: false,
      reason: `"${shown}" is not a date in a known format (${order === "dmy" ? "DD/MM/YYYY" : "MM/DD/YYYY"} or YYYY-MM-DD)`,
    };
  }
  const [, a, , b, y, h, min, s, frac] = local;
  if (y === undefined || y.length !== 4) {
    const why =
      y?.length === 2
        ? `the two-digit year "${y}" is ambiguous (19${y} or 20${y}?); use four digits`
        : `the year "${y ?? ""}" must have four digits`;
    return { ok: false, reason: `"${shown}": ${why}` };
  }
  const year = Number(y);
  const [day, month] = order === "dmy" ? [Number(a), Number(b)] : [Number(b), Number(a)];
  const why = impossible(year, month, day);
  if (why) {
    const otherOk = impossible(year, day, month) === null;
    const hint = otherOk ? ` (it would be valid as ${order === "dmy" ? "MM/DD/YYYY" : "DD/MM/YYYY"}; check the date order)` : "";
    return { ok: false, reason: `"${shown}" is not a real date: ${why}${hint}` };
  }
  const ambiguous = day !== month && impossible(year, day, month) === null;
  const date = isoDate(year, month, day);
  if (h === undefined || min === undefined) return { ok: true, iso: date, ambiguous };
  const time = readTime(h, min, s, frac);
  if (!time.ok) return { ok: false, reason: `"${shown}" is not a real date-time: ${time.reason}` };
  return { ok: true, iso: `${date}T${time.time}`, ambiguous };
}
