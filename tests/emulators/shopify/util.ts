// Small helpers shared by the emulator: seeded PRNG, hashing, ids, dates, money.

export { mix32, mulberry32, pick, unit, weighted } from "../seeded-random";

// ---------------------------------------------------------------------------------------------
// Numeric ids. Shopify ids are 64-bit integers. They are generated here as a fixed prefix followed
// by a fixed-width number, so that converting an index to an id and back never needs BigInt and the
// ids grow with the index (and therefore with creation time), like Shopify's.

export type IdStyle = "compact" | "large";

export class IdSpace {
  readonly base: bigint;
  constructor(
    readonly prefix: string,
    readonly width: number,
    readonly offset: number,
    readonly step: number,
  ) {
    this.base = BigInt(prefix) * 10n ** BigInt(width) + BigInt(offset);
  }

  id(index: number): string {
    return this.prefix + String(this.offset + index * this.step).padStart(this.width, "0");
  }

  /** Index for a legacy id string, or -1 when the id is not one of ours. */
  index(id: string): number {
    if (!/^\d+$/.test(id) || id.length !== this.prefix.length + this.width || !id.startsWith(this.prefix)) return -1;
    const n = Number(id.slice(this.prefix.length)) - this.offset;
    if (n < 0 || n % this.step !== 0) return -1;
    return n / this.step;
  }

  /**
   * For an id comparison `id <op> x`, returns the matching index range [lo, hi) over all indices.
   * Works because ids grow strictly with the index.
   */
  range(op: "=" | ">" | ">=" | "<" | "<=", x: bigint, count: number): [number, number] {
    const d = x - this.base;
    const step = BigInt(this.step);
    let q = d / step;
    let r = d % step;
    if (r < 0n) {
      q -= 1n;
      r += step;
    }
    const clamp = (v: bigint) => Number(v < -1n ? -1n : v > BigInt(count) + 1n ? BigInt(count) + 1n : v);
    const qi = clamp(q);
    const exact = r === 0n;
    const geq = exact ? qi : qi + 1; // first index with id >= x
    const gt = qi + 1; // first index with id > x
    const lo = (v: number) => Math.max(0, Math.min(count, v));
    switch (op) {
      case "=":
        return exact ? [lo(qi), lo(qi + 1)] : [0, 0];
      case ">":
        return [lo(gt), count];
      case ">=":
        return [lo(geq), count];
      case "<":
        return [0, lo(geq)];
      case "<=":
        return [0, lo(gt)];
    }
  }
}

export interface IdSpaces {
  customer: IdSpace;
  order: IdSpace;
}

export function idSpaces(style: IdStyle): IdSpaces {
  // "compact": 13-digit ids like the ones Shopify hands out today (exact in a JS number).
  // "large": 18-digit ids like the documented webhook examples (beyond Number.MAX_SAFE_INTEGER).
  return style === "large"
    ? { customer: new IdSpace("706405506", 9, 930_371, 13), order: new IdSpace("820982911", 9, 946_151, 7) }
    : { customer: new IdSpace("7", 12, 21_345_678_901, 13), order: new IdSpace("5", 12, 61_987_654_321, 7) };
}

export function gid(type: string, id: string | number): string {
  return `gid://shopify/${type}/${id}`;
}

export function parseGid(value: string): { type: string; id: string } | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?]+)(\?.*)?$/.exec(value);
  if (!m || !m[1] || !m[2]) return null;
  return { type: m[1], id: m[2] };
}

// ---------------------------------------------------------------------------------------------
// Dates. Timestamps are kept as whole seconds since the epoch.

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** "2024-01-01T12:30:00Z" (Shopify's DateTime, no milliseconds). Integer arithmetic: hot in bulk exports. */
export function isoUtc(sec: number): string {
  const days = Math.floor(sec / 86400);
  let rem = sec - days * 86400;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  const s = rem - mi * 60;
  // civil_from_days (H. Hinnant)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}Z`;
}

const tzFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC in minutes at instant `ms`. */
export function tzOffsetMinutes(timeZone: string, ms: number): number {
  let f = tzFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    tzFormatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** ISO 8601 with the shop's UTC offset, the way REST webhook payloads carry dates. */
export function isoInZone(sec: number, timeZone: string): string {
  const off = tzOffsetMinutes(timeZone, sec * 1000);
  const local = new Date(sec * 1000 + off * 60000).toISOString().slice(0, 19);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// Money. Amounts are kept in cents.

/** GraphQL `Decimal` the way Shopify prints it: "10.0", "19.99", "0.0". */
export function decimal(cents: number): string {
  const neg = cents < 0;
  const c = Math.abs(Math.round(cents));
  const int = Math.floor(c / 100);
  const frac = c % 100;
  let f = String(frac).padStart(2, "0");
  if (f.endsWith("0")) f = f.slice(0, 1);
  return `${neg ? "-" : ""}${int}.${f}`;
}

/** REST money string: always two decimals ("414.95", "0.00"). */
export function money2(cents: number): string {
  return (Math.round(cents) / 100).toFixed(2);
}

export function stripAccents(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

export function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

export function unb64(s: string): string {
  return Buffer.from(s, "base64").toString("utf8");
}
