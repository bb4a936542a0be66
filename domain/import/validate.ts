/**
 * One source row → a normalised record, or a rejection with every reason found. Raw values are always
 * kept beside the normalised ones; nothing here throws, whatever the cells hold.
 */
import { normalizeEmail } from "../identity";
import { checkCpf, checkCustomerRef, invisibleCharacter, isPlausibleEmail, toE164 } from "./identity-fields";
import { parseDate } from "./read/dates";
import { parseLocaleNumber } from "./read/numbers";
import type {
  ColumnMapping,
  NormalizedRecord,
  RejectReason,
  RoundingRule,
  RowOutcome,
  SourceRow,
  TargetField,
  ValidationOptions,
} from "./types";

/**
 * Largest balance a row can carry into the accounts and the staging table (a 32-bit integer column).
 * Anything larger is absurd long before that and is rejected by `maxPoints`; a value too large to
 * store counts 0 in the accounts (the raw cell keeps it).
 */
export const MAX_STORABLE_POINTS = 2_147_483_647;

/**
 * header → cell, exactly as read. A header that repeats an earlier one gets a `#2`, `#3` suffix and an
 * empty header (or a cell past the header) is named by its column, `(column 7)`, so no cell is lost.
 */
export function rawRecord(header: readonly string[], cells: readonly string[]): Record<string, string> {
  const keys = rawKeys(header, Math.max(header.length, cells.length));
  if (keys.includes("__proto__")) {
    // Object.fromEntries defines own properties, so a header named "__proto__" is kept like any other.
    return Object.fromEntries(keys.map((key, i) => [key, cells[i] ?? ""])) as Record<string, string>;
  }
  // Plain assignments in the same order: the same object, built several times faster (no entry
  // pairs, and every row of a file shares one hidden class).
  const out: Record<string, string> = {};
  for (let i = 0; i < keys.length; i += 1) out[keys[i]!] = cells[i] ?? "";
  return out;
}

/** The keys of the last header seen (every row of a file has the same), recomputed when it changes. */
let lastKeys: { header: string[]; width: number; keys: string[] } | null = null;

function rawKeys(header: readonly string[], width: number): string[] {
  if (
    lastKeys !== null &&
    lastKeys.width === width &&
    lastKeys.header.length === header.length &&
    lastKeys.header.every((name, i) => name === header[i])
  ) {
    return lastKeys.keys;
  }
  const keys: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < width; i += 1) {
    const name = header[i];
    let key = name === undefined || name.trim() === "" ? `(column ${i + 1})` : name;
    if (used.has(key)) {
      let n = 2;
      while (used.has(`${key} #${n}`)) n += 1;
      key = `${key} #${n}`;
    }
    used.add(key);
    keys.push(key);
  }
  lastKeys = { header: [...header], width, keys };
  return keys;
}

const CONSENT_YES = new Set(["yes", "y", "sim", "s", "si", "true", "verdadeiro", "verdadero", "1", "opt in", "opted in", "subscribed", "inscrito", "suscrito"]);
const CONSENT_NO = new Set(["no", "n", "nao", "false", "falso", "0", "opt out", "opted out", "unsubscribed", "not subscribed", "descadastrado", "desuscrito"]);

/**
 * Marketing consent as the old program held it: "yes", "no", or null when the cell is empty or says
 * anything else. Unknown never becomes "yes" (LGPD/GDPR: consent is carried, never upgraded).
 */
export function parseConsent(text: string | null): "yes" | "no" | null {
  if (text === null) return null;
  const key = text
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[\s_\-.]+/gu, " ")
    .trim();
  if (CONSENT_YES.has(key)) return "yes";
  if (CONSENT_NO.has(key)) return "no";
  return null;
}

/** Splits "Ana Maria Souza" into "Ana" and "Maria Souza"; one word is a first name only. */
export function splitFullName(full: string): { firstName: string | null; lastName: string | null } {
  const words = full.trim().split(/\s+/u).filter((w) => w !== "");
  if (words.length === 0) return { firstName: null, lastName: null };
  const [first, ...rest] = words;
  return { firstName: first ?? null, lastName: rest.length > 0 ? rest.join(" ") : null };
}

function applyRounding(value: number, rule: Exclude<RoundingRule, "reject">): number {
  const rounded = rule === "round" ? Math.round(value) : rule === "floor" ? Math.floor(value) : Math.ceil(value);
  return rounded === 0 ? 0 : rounded; // no -0
}

function safeParseNumber(text: string, options: ValidationOptions): { ok: true; value: number } | { ok: false; reason: string } {
  try {
    const result = parseLocaleNumber(text, options.decimalMark);
    if (result.ok && !Number.isFinite(result.value)) return { ok: false, reason: "is not a finite number" };
    return result;
  } catch {
    return { ok: false, reason: "could not be read as a number" };
  }
}

/** A date cell as ISO, or null when empty or unreadable. */
export function safeParseDate(text: string | null, options: ValidationOptions): string | null {
  if (text === null) return null;
  try {
    const result = parseDate(text, options.dateOrder);
    return result.ok ? result.iso : null;
  } catch {
    return null;
  }
}

export function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
  return `"${shown}"`;
}

/** Reads one mapped cell of a row: trimmed, null when unmapped, absent or blank. */
export function cellReader(row: SourceRow, mapping: ColumnMapping): (field: TargetField) => string | null {
  return (field) => {
    const index = mapping[field];
    if (index === undefined) return null;
    const value = row.cells[index];
    if (value === undefined) return null;
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  };
}

export interface RowIdentity {
  email: string | null;
  emailNormalized: string | null;
  /** The phone cell as written. */
  phoneText: string | null;
  phoneE164: string | null;
  cpf: string | null;
  platformCustomerRef: string | null;
}

/** The identity rules of validateRow (its doc comment), shared by balances and history rows. */
export function readIdentity(cell: (field: TargetField) => string | null, options: ValidationOptions, reasons: RejectReason[]): RowIdentity {
  const emailText = cell("email");
  let email: string | null = null;
  let emailNormalized: string | null = null;
  if (emailText !== null) {
    if (isPlausibleEmail(emailText)) {
      email = emailText;
      emailNormalized = normalizeEmail(emailText);
    } else {
      const hidden = invisibleCharacter(emailText);
      reasons.push({
        code: "INVALID_EMAIL",
        field: "email",
        message: `E-mail ${quote(emailText)} is not a valid address${hidden === null ? "" : ` (it contains the invisible character ${hidden})`}.`,
      });
    }
  }

  const phoneText = cell("phone");
  const phoneE164 = phoneText === null ? null : toE164(phoneText, options.defaultCountry);

  const cpfText = cell("cpf");
  const cpfCheck = cpfText === null ? null : checkCpf(cpfText);
  const cpf = cpfCheck?.ok ? cpfCheck.digits : null;

  const refText = cell("platformCustomerId");
  const refCheck = refText === null ? null : checkCustomerRef(refText);
  const platformCustomerRef = refCheck?.ok ? refCheck.ref : null;

  const usableIdentity = email !== null || phoneE164 !== null || cpf !== null || platformCustomerRef !== null;
  if (!usableIdentity && emailText === null) {
    // Nothing else identifies the customer: the secondary identities that failed are the reasons.
    let explained = false;
    if (phoneText !== null) {
      reasons.push({
        code: "INVALID_PHONE",
        field: "phone",
        message: `Phone ${quote(phoneText)} is not a valid number (country ${options.defaultCountry} assumed when it has no country code), and nothing else identifies the customer.`,
      });
      explained = true;
    }
    if (cpfCheck !== null && !cpfCheck.ok && cpfText !== null) {
      reasons.push({ code: "INVALID_CPF", field: "cpf", message: `CPF ${quote(cpfText)} ${cpfCheck.reason}, and nothing else identifies the customer.` });
      explained = true;
    }
    if (refCheck !== null && !refCheck.ok) {
      reasons.push({ code: "NO_IDENTITY", field: "platformCustomerId", message: `Customer id ${refCheck.reason}, and nothing else identifies the customer.` });
      explained = true;
    }
    if (!explained) {
      reasons.push({ code: "NO_IDENTITY", message: "The row has no e-mail, phone, CPF or customer id: the customer cannot be identified." });
    }
  } else if (!usableIdentity && emailText !== null) {
    // The e-mail was the only hope and it is malformed (reason already given); say why the others failed too.
    if (phoneText !== null) {
      reasons.push({ code: "INVALID_PHONE", field: "phone", message: `Phone ${quote(phoneText)} is not a valid number either.` });
    }
    if (cpfCheck !== null && !cpfCheck.ok && cpfText !== null) {
      reasons.push({ code: "INVALID_CPF", field: "cpf", message: `CPF ${quote(cpfText)} ${cpfCheck.reason}.` });
    }
  }

  return { email, emailNormalized, phoneText, phoneE164, cpf, platformCustomerRef };
}

/**
 * The points cell, by the rules of validateRow; `"delta"` (history files) allows negative values,
 * rejects zero (ZERO_DELTA) and applies the cap to the absolute value. Returns what the row carries
 * into the accounts: its whole points when readable, else 0.
 */
export function readPoints(pointsText: string | null, options: ValidationOptions, reasons: RejectReason[], as: "balance" | "delta"): number {
  let points = 0; // what the row carries into the accounts
  if (pointsText === null) {
    reasons.push({ code: "MISSING_POINTS", field: "points", message: "The points cell is empty." });
  } else {
    const parsed = safeParseNumber(pointsText, options);
    if (!parsed.ok) {
      reasons.push({ code: "INVALID_POINTS", field: "points", message: `Points could not be read: ${parsed.reason}.` });
    } else {
      let value = parsed.value === 0 ? 0 : parsed.value;
      let whole = true;
      if (!Number.isInteger(value)) {
        if (options.rounding === "reject") {
          whole = false;
          reasons.push({
            code: "FRACTIONAL_POINTS",
            field: "points",
            message: `Points ${quote(pointsText)} have decimals; choose a rounding rule or fix the file.`,
          });
        } else {
          value = applyRounding(value, options.rounding);
        }
      }
      if (as === "delta") {
        if (value === 0) {
          reasons.push({ code: "ZERO_DELTA", field: "points", message: `Points change ${quote(pointsText)} is zero: the event neither adds nor removes points.` });
        } else if (Math.abs(value) > options.maxPoints) {
          reasons.push({
            code: "POINTS_OVER_CAP",
            field: "points",
            message: `Points change ${quote(pointsText)} is beyond the limit of ±${String(options.maxPoints)} set for this import.`,
          });
        }
      } else if (value < 0) {
        reasons.push({ code: "NEGATIVE_POINTS", field: "points", message: `Points ${quote(pointsText)} are negative; a balance cannot be carried below zero.` });
      } else if (value > options.maxPoints) {
        reasons.push({
          code: "POINTS_OVER_CAP",
          field: "points",
          message: `Points ${quote(pointsText)} are above the limit of ${String(options.maxPoints)} set for this import.`,
        });
      }
      if (whole && Number.isSafeInteger(value) && Math.abs(value) <= MAX_STORABLE_POINTS) points = value;
    }
  }
  return points;
}

/** First and last name; a full-name column fills whichever of the two is not mapped. */
export function readNames(cell: (field: TargetField) => string | null, mapping: ColumnMapping): { firstName: string | null; lastName: string | null } {
  let firstName = cell("firstName");
  let lastName = cell("lastName");
  const fullName = cell("fullName");
  if (fullName !== null && (mapping.firstName === undefined || mapping.lastName === undefined)) {
    const split = splitFullName(fullName);
    if (mapping.firstName === undefined) firstName = split.firstName;
    if (mapping.lastName === undefined) lastName = split.lastName;
  }
  return { firstName, lastName };
}

/**
 * Validates and normalises one data row. Every rule that fails adds a reason; the row is valid only
 * when none did. Rules, with the decisions taken where the issue left them open:
 *
 * - Identity: at least one of e-mail, phone, CPF or platform customer id must be usable.
 * - E-mail: pragmatic syntax (identity-fields.ts). A malformed e-mail always rejects the row, even
 *   beside a phone: it is the main matching key and a typo there must be fixed, not dropped.
 * - Phone → E.164 in `options.defaultCountry`. An invalid phone rejects the row only when nothing
 *   else identifies the customer; otherwise the row stays valid with `phoneE164` null — the raw phone
 *   is kept in `phone` and `raw`, and the customer is matched on the other identity.
 * - CPF: same rule as the phone (it is a secondary identity, and "documento" columns of non-Brazilian
 *   stores hold other documents): invalid → null, rejects only when it is the sole identity.
 * - Platform customer id: kept as text; a value a spreadsheet turned into scientific notation is
 *   unusable (null) and rejects only when it is the sole identity.
 * - Points: empty → MISSING_POINTS; unreadable → INVALID_POINTS; decimals → FRACTIONAL_POINTS with
 *   rounding "reject", else rounded by the rule; negative → NEGATIVE_POINTS; above `maxPoints` →
 *   POINTS_OVER_CAP. A rejected row reports its whole points when they were readable (negative and
 *   over-cap values included, so pointsInFile is the file's own sum), else 0 — a fractional value
 *   under "reject" is not a whole number of points and counts 0.
 * - Points spent: informational; an unreadable, negative or (under "reject") fractional value → null.
 * - Dates (birthday, enrolledAt, updatedAt) never reject a balance row: an unreadable date becomes
 *   null and the raw cell keeps it. A birthday without a year (MM/DD) is unreadable as YYYY-MM-DD.
 * - Names: a full-name column fills first/last name when those are not mapped.
 * - Marketing consent: yes/no words in en/pt/es, anything else null (never upgraded).
 */
export function validateRow(
  row: SourceRow,
  header: readonly string[],
  mapping: ColumnMapping,
  options: ValidationOptions,
): RowOutcome {
  const raw = rawRecord(header, row.cells);
  const reasons: RejectReason[] = [];

  const cell = cellReader(row, mapping);
  const { email, emailNormalized, phoneText, phoneE164, cpf, platformCustomerRef } = readIdentity(cell, options, reasons);
  const points = readPoints(cell("points"), options, reasons, "balance");

  if (reasons.length > 0) {
    return { status: "rejected", rowNumber: row.rowNumber, reasons, points, raw };
  }

  // ---- the rest never rejects a row
  let pointsSpent: number | null = null;
  const spentText = cell("pointsSpent");
  if (spentText !== null) {
    const parsed = safeParseNumber(spentText, options);
    if (parsed.ok) {
      let value = parsed.value;
      if (!Number.isInteger(value)) value = options.rounding === "reject" ? Number.NaN : applyRounding(value, options.rounding);
      if (Number.isSafeInteger(value) && value >= 0 && value <= MAX_STORABLE_POINTS) pointsSpent = value === 0 ? 0 : value;
    }
  }

  const { firstName, lastName } = readNames(cell, mapping);

  const birthdayIso = safeParseDate(cell("birthday"), options);

  const record: NormalizedRecord = {
    rowNumber: row.rowNumber,
    email,
    emailNormalized,
    phone: phoneText,
    phoneE164,
    cpf,
    platformCustomerRef,
    firstName,
    lastName,
    points,
    pointsSpent,
    tier: cell("tier"),
    referralCode: cell("referralCode"),
    marketingConsent: parseConsent(cell("marketingConsent")),
    birthday: birthdayIso === null ? null : birthdayIso.slice(0, 10),
    enrolledAt: safeParseDate(cell("enrolledAt"), options),
    updatedAt: safeParseDate(cell("updatedAt"), options),
    status: cell("status"),
    raw,
  };
  return { status: "valid", record };
}

/**
 * A valid record of a file that carries no points (tiers, referrals, coupons): the identity and the
 * names, every other field null and points 0; the caller sets the fields its kind reads.
 */
export function recordWithoutPoints(
  rowNumber: number,
  identity: RowIdentity,
  names: { firstName: string | null; lastName: string | null },
  raw: Record<string, string>,
): NormalizedRecord {
  return {
    rowNumber,
    email: identity.email,
    emailNormalized: identity.emailNormalized,
    phone: identity.phoneText,
    phoneE164: identity.phoneE164,
    cpf: identity.cpf,
    platformCustomerRef: identity.platformCustomerRef,
    firstName: names.firstName,
    lastName: names.lastName,
    points: 0,
    pointsSpent: null,
    tier: null,
    referralCode: null,
    marketingConsent: null,
    birthday: null,
    enrolledAt: null,
    updatedAt: null,
    status: null,
    raw,
  };
}
