/**
 * Identity values of an import row, checked and normalised for matching (DESIGN.md "Matching
 * customers"): e-mail syntax, phone → E.164, Brazilian CPF, the platform's customer id.
 * The raw value is always kept by the caller; these helpers only decide what can be matched on.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

// ------------------------------------------------------------------------------------ e-mail

/**
 * Characters that never appear in a real-world shop customer's address (quoted local parts aside):
 * spaces and list/quote punctuation, control and invisible format characters (zero-width spaces,
 * right-to-left overrides that make an address read as another), and U+FFFD, a letter lost to a
 * wrong text encoding.
 */
const EMAIL_FORBIDDEN = /[\s,;:<>()[\]\\"\p{Cc}\p{Cf}\uFFFD]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\uFFFD]/u;

/**
 * The first invisible or lost character of a value, named for the merchant (`U+200B`), or null:
 * an e-mail refused for a character nobody can see needs it named.
 */
export function invisibleCharacter(value: string): string | null {
  const found = INVISIBLE.exec(value)?.[0];
  if (found === undefined) return null;
  const code = `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  return found === "\uFFFD" ? `${code}, a letter lost to a wrong text encoding` : code;
}

/**
 * Pragmatic e-mail syntax: exactly one @, something before it, a domain with at least one dot and no
 * empty label, no spaces and no list/quote punctuation. It does not try to be RFC 5322: shops only
 * ever hold addresses a person typed in a checkout form.
 */
export function isPlausibleEmail(value: string): boolean {
  const text = value.trim();
  if (text === "" || EMAIL_FORBIDDEN.test(text)) return false;
  const at = text.indexOf("@");
  if (at <= 0 || at !== text.lastIndexOf("@")) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  if (labels.some((label) => label === "" || label.startsWith("-") || label.endsWith("-"))) return false;
  const tld = labels[labels.length - 1] ?? "";
  return tld.length >= 2;
}

// ------------------------------------------------------------------------------------- phone

/**
 * The phone in E.164 (`+5511987654321`), or null when it is not a valid number. Numbers written
 * without a country code are read in `defaultCountry` (the store's country); an unknown default
 * country is ignored rather than trusted. Uses libphonenumber-js "max" metadata, which checks the
 * number against the country's real numbering plan, not only its length.
 */
export function toE164(raw: string, defaultCountry: string): string | null {
  const text = raw.trim();
  if (text === "" || text.length > 64) return null;
  const country = defaultCountry.trim().toUpperCase();
  try {
    const parsed = parsePhoneNumberFromString(text, isSupportedCountry(country) ? (country as CountryCode) : undefined);
    if (parsed === undefined || !parsed.isValid()) return null;
    return parsed.number;
  } catch {
    return null;
  }
}

// --------------------------------------------------------------------------------------- CPF

/** The two check digits of a CPF whose first nine digits are `base` (a string of 9 digits). */
export function cpfCheckDigits(base: string): string {
  const digits = [...base].map(Number);
  const first = cpfDigit(digits, 10);
  const second = cpfDigit([...digits, first], 11);
  return `${first}${second}`;
}

function cpfDigit(digits: readonly number[], startWeight: number): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) sum += (digits[i] ?? 0) * (startWeight - i);
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** True for 11 digits with correct check digits that are not all the same digit (000…, 111…). */
export function isValidCpfDigits(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  if (/^(\d)\1{10}$/.test(digits)) return false;
  return digits.slice(9) === cpfCheckDigits(digits.slice(0, 9));
}

export type CpfCheck = { ok: true; digits: string } | { ok: false; reason: string };

/**
 * Reads a CPF written as `123.456.789-09`, `12345678909` or with spaces. A purely numeric value of
 * 9 or 10 digits is read with its leading zeros restored: spreadsheets store CPFs as numbers and
 * drop them (`01234567890` → `1234567890`); the check digits still have to match.
 */
export function checkCpf(raw: string): CpfCheck {
  const text = raw.trim();
  if (!/^[\d.\-\s/]+$/.test(text)) return { ok: false, reason: "has characters other than digits, dots and dashes" };
  let digits = text.replace(/[.\-\s/]/g, "");
  if (digits.length === 14) return { ok: false, reason: "has 14 digits, which is a CNPJ (a company), not a CPF" };
  if (/^\d{9,10}$/.test(text)) digits = digits.padStart(11, "0");
  if (digits.length !== 11) return { ok: false, reason: `has ${digits.length} digits instead of 11` };
  if (/^(\d)\1{10}$/.test(digits)) return { ok: false, reason: "repeats one digit, which is never a real CPF" };
  if (!isValidCpfDigits(digits)) return { ok: false, reason: "has wrong check digits (a typo?)" };
  return { ok: true, digits };
}

// ------------------------------------------------------------------------ platform customer id

export type CustomerRefCheck = { ok: true; ref: string } | { ok: false; reason: string };

/**
 * The old platform's customer id, kept as text exactly (ids pass 2^53, never a number). A value in
 * scientific notation (`7.06405E+17`) is refused: a spreadsheet rounded the id and it no longer
 * names anybody.
 */
export function checkCustomerRef(raw: string): CustomerRefCheck {
  const text = raw.trim();
  if (/^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i.test(text)) {
    return { ok: false, reason: `"${text}" was rounded by a spreadsheet (scientific notation); the real id is lost` };
  }
  if (text.length > 255) return { ok: false, reason: "is longer than 255 characters" };
  return { ok: true, ref: text };
}
