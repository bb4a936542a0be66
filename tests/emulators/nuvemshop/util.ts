// Small helpers for the Nuvemshop emulator: seeded PRNG, hashing, dates, money, CPF.

/** mulberry32: a tiny, fast, seeded 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stateless 32-bit mixer (murmur3 finaliser): derives per-record attributes lazily. */
export function mix32(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform float in [0,1) derived from (record random, feature number). */
export function unit(rnd: number, feature: number): number {
  return mix32(rnd, feature) / 4294967296;
}

export function pick<T>(arr: readonly T[], u: number): T {
  const v = arr[Math.min(arr.length - 1, Math.floor(u * arr.length))];
  if (v === undefined) throw new Error("pick from empty array");
  return v;
}

/** Picks an index from weights (they need not sum to 1). */
export function weighted(weights: readonly number[], u: number): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = u * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

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
