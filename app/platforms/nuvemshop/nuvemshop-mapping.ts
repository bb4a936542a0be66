// Pure pieces of the Nuvemshop client: reading Nuvemshop's dates, CPFs, names and pagination headers,
// turning its JSON into the platform-neutral snapshots, and the opaque stream cursor. No I/O here.
import { isValidCpfDigits } from "~domain/import/identity-fields";
import type { CustomerSnapshot, OrderSnapshot } from "../platform-client";

/**
 * Nuvemshop writes instants in several ISO-8601 shapes: `2026-03-01T12:00:00-0300` (offset without a
 * colon, the common one), `2013-01-03T09:11:51-03:00`, `…+0000`, `…Z`, and in some answers (metafield
 * creation) a zone-less `2015-01-02 20:27:51`, which is UTC. Returns the instant as ISO UTC (`…Z`), or
 * null when the value is not such a date.
 */
export function parseNuvemshopDate(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac, zone] = m;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (!z) return null;
    offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? "0"));
  }
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const utc = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), ms) - offsetMin * 60_000;
  const date = new Date(utc);
  // Reject dates that rolled over (2026-02-30 → March).
  const local = new Date(utc + offsetMin * 60_000);
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) return null;
  return date.toISOString();
}

/**
 * Nuvemshop's free-text `identification` holds a CPF, a CNPJ or anything a shopper typed. Returns the 11
 * CPF digits when, after removing the usual punctuation (dots, dash, slash, spaces), it is exactly 11
 * digits with valid check digits and not one digit repeated; null otherwise (CNPJs included).
 */
export function extractCpf(identification: unknown): string | null {
  if (typeof identification !== "string") return null;
  const digits = identification.trim().replace(/[.\-/\s]/g, "");
  return isValidCpfDigits(digits) ? digits : null;
}

/** Nuvemshop keeps one `name`; the first word is the first name, the rest (if any) the last name. */
export function splitName(name: unknown): { firstName: string | null; lastName: string | null } {
  if (typeof name !== "string") return { firstName: null, lastName: null };
  const clean = name.trim().replace(/\s+/g, " ");
  if (!clean) return { firstName: null, lastName: null };
  const space = clean.indexOf(" ");
  if (space < 0) return { firstName: clean, lastName: null };
  return { firstName: clean.slice(0, space), lastName: clean.slice(space + 1) };
}

/** Parses an RFC 8288 `Link` header into `{ rel: url }` (`next`, `last`, `first`, `prev`). */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  // `<url>` then `; name=value` parameters, values quoted (commas allowed inside) or bare.
  const re = /<([^>]*)>((?:\s*;\s*[^;,"=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,]*))?)*)/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const url = m[1] ?? "";
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? "");
    if (!rel?.[1]) continue;
    for (const r of rel[1].trim().split(/\s+/)) out[r.toLowerCase()] ??= url;
  }
  return out;
}

/** Thrown by the mappers when an answer lacks what a snapshot needs; the client turns it into BAD_RESPONSE. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingError";
  }
}

function id(value: unknown, what: string): string {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return value;
  throw new MappingError(`${what} has no usable id (${JSON.stringify(value)})`);
}

function requiredDate(value: unknown, what: string): string {
  const iso = parseNuvemshopDate(value);
  if (iso === null) throw new MappingError(`${what} has an unreadable date ${JSON.stringify(value)}`);
  return iso;
}

function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const t = value.trim();
  return t ? t : null;
}

function decimal(value: unknown, what: string): string {
  const s = typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new MappingError(`${what} has an unreadable total ${JSON.stringify(value)}`);
  return s;
}

type Json = Record<string, unknown>;

/** A Nuvemshop customer (`GET /customers`, `/customers/{id}`) as a CustomerSnapshot. */
export function toCustomerSnapshot(c: Json): CustomerSnapshot {
  const platformId = id(c.id, "a customer");
  const { firstName, lastName } = splitName(c.name);
  return {
    platformId,
    email: text(c.email),
    phone: text(c.phone),
    cpf: extractCpf(c.identification),
    firstName,
    lastName,
    state: null,
    createdAt: requiredDate(c.created_at, `customer ${platformId}`),
    updatedAt: requiredDate(c.updated_at ?? c.created_at, `customer ${platformId}`),
  };
}

/** A Nuvemshop order (`GET /orders`) as an OrderSnapshot. */
export function toOrderSnapshot(o: Json): OrderSnapshot {
  const platformId = id(o.id, "an order");
  const customer = o.customer && typeof o.customer === "object" ? (o.customer as Json) : null;
  const customerId = customer && customer.id !== null && customer.id !== undefined ? id(customer.id, `order ${platformId}'s customer`) : null;
  const status = text(o.status);
  return {
    platformId,
    customerId,
    name: o.number === null || o.number === undefined ? null : String(o.number),
    financialStatus: text(o.payment_status),
    fulfillmentStatus: text(o.shipping_status),
    status,
    cancelledAt: o.cancelled_at ? requiredDate(o.cancelled_at, `order ${platformId}`) : null,
    closed: status === "closed",
    totalAmount: decimal(o.total, `order ${platformId}`),
    currency: text(o.currency),
    placedAt: requiredDate(o.created_at, `order ${platformId}`),
    updatedAt: requiredDate(o.updated_at ?? o.created_at, `order ${platformId}`),
  };
}

/**
 * Where a stream stands, serialised into the opaque `Page.cursor`. Streams walk by `since_id` (ascending
 * ids), never by page number: a page number names a position that shifts whenever a record before it is
 * inserted, deleted or (with `updated_at_min`) updated into or out of the filter, so resuming "page 7" after
 * a crash could skip or repeat records. "Everything after id X" means the same thing later.
 */
export interface StreamPosition {
  /** Which pass of the stream, by name (orders walk one pass per payment status; customers have one, ""). */
  pass: string;
  /** Resume after this id within the pass; null at the start of a pass. */
  sinceId: string | null;
  /** The incremental filter (`updated_at_min`) as ISO UTC, kept so a resumed stream keeps it. */
  updatedMin: string | null;
  /** Records already streamed (for the progress total). */
  seen: number;
}

const CURSOR_VERSION = 1;

export function encodeCursor(p: StreamPosition): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, p: p.pass, s: p.sinceId, u: p.updatedMin, n: p.seen }), "utf8").toString("base64url");
}

/** Reads a cursor made by encodeCursor; throws on anything else (a cursor from another platform, a typo). */
export function decodeCursor(cursor: string): StreamPosition {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new Error("not a Nuvemshop stream cursor");
  }
  const r = raw as { v?: unknown; p?: unknown; s?: unknown; u?: unknown; n?: unknown } | null;
  if (
    !r ||
    r.v !== CURSOR_VERSION ||
    typeof r.p !== "string" ||
    !/^[a-z_]{0,40}$/.test(r.p) ||
    !(r.s === null || (typeof r.s === "string" && /^\d+$/.test(r.s))) ||
    !(r.u === null || (typeof r.u === "string" && parseNuvemshopDate(r.u) !== null)) ||
    typeof r.n !== "number" ||
    !Number.isInteger(r.n) ||
    r.n < 0
  ) {
    throw new Error("not a Nuvemshop stream cursor");
  }
  return { pass: r.p, sinceId: r.s, updatedMin: r.u, seen: r.n };
}
