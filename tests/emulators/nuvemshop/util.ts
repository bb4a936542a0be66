// Small helpers for the Nuvemshop emulator: seeded PRNG, hashing, dates, money, CPF.

export { mix32, mulberry32, pick, unit, weighted } from "../seeded-random";

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Nuvemshop's date format: ISO 8601 with a numeric offset without a colon, as the API writes them
 * (`2026-03-01T15:00:00+0000`, or in store time `2026-03-01T12:00:00-0300`).
 */
export function isoNuvem(sec: number, offset: DateOffset = "+0000"): string {
  const minutes = offset === "-0300" ? -180 : 0;
  const d = new Date((sec + minutes * 60) * 1000);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${offset}`;
}

/** `+0000` (UTC) or `-0300` (Brasília; no daylight saving time since 2019). */
export type DateOffset = "+0000" | "-0300";

/** Parses a date filter (`2026-10-01`, `2026-10-01T00:00:00-03:00`, `...-0300`, `...Z`) to epoch seconds. */
export function parseDateParam(value: string): number | null {
  let v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) v += "T00:00:00Z";
  v = v.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  // Without a zone, read as UTC (never the machine's time zone).
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) v += "Z";
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** "89.00" */
export function money(cents: number): string {
  const c = Math.round(cents);
  return `${Math.floor(c / 100)}.${p2(c % 100)}`;
}

export function stripAccents(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

/** The two CPF check digits of a 9-digit base. */
export function cpfCheckDigits(base9: string): string {
  const d = base9.split("").map(Number);
  let s = 0;
  for (let k = 0; k < 9; k++) s += (d[k] ?? 0) * (10 - k);
  const d1 = ((s * 10) % 11) % 10;
  s = 0;
  for (let k = 0; k < 9; k++) s += (d[k] ?? 0) * (11 - k);
  s += d1 * 2;
  const d2 = ((s * 10) % 11) % 10;
  return `${d1}${d2}`;
}

/** True when `value` (formatted or bare) is a CPF with valid check digits and not all digits equal. */
export function isValidCpf(value: string): boolean {
  const d = value.replace(/\D/g, "");
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  return cpfCheckDigits(d.slice(0, 9)) === d.slice(9);
}

export function formatCpf(d11: string): string {
  return `${d11.slice(0, 3)}.${d11.slice(3, 6)}.${d11.slice(6, 9)}-${d11.slice(9)}`;
}
