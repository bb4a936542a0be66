/**
 * What a merchant typed in the Members search box, read the way the import and the sync read the same
 * values (DESIGN.md "Matching customers"): an e-mail is normalised like every stored `emailNormalized`;
 * a phone becomes E.164 in the shop's country (or in each country a stored number may have been read
 * with, when the shop has not told us its country); anything else with letters is a name prefix.
 * Pure: the database query is built from this in app/services/members.
 */
import { normalizeEmail } from "../identity";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { toE164 } from "../import/identity-fields";

export type MemberQuery =
  /** No search: every member (of the chosen state). */
  | { kind: "all" }
  | { kind: "email"; emailNormalized: string }
  /** Every E.164 the typed number can be (one when it has a country code). */
  | { kind: "phone"; e164: string[] }
  /** The platform's customer id (a Shopify gid). */
  | { kind: "customer"; platformCustomerId: string }
  /**
   * Name prefixes. `whole` is matched against the first name and the last name; `first`/`rest` (when
   * there are several words) against the first name and the last name together ("ana souza").
   * Each is a list of lower-case spellings (see `nameKeys`).
   */
  | { kind: "name"; whole: string[]; split: { first: string[]; rest: string[] } | null }
  /** Digits that are not a valid phone number in any of the shop's countries. */
  | { kind: "invalid-phone"; text: string }
  /** Too short to search by name without listing half the shop. */
  | { kind: "too-short"; text: string };

export const MAX_QUERY_LENGTH = 200;
/** A name search needs this many characters. */
export const MIN_NAME_LENGTH = 2;

const PHONE_CHARS = /^[+\d\s().\-/]+$/;

/**
 * Reads the search box. `countries` are the ISO countries a phone written without a country code may
 * belong to, in order (the shop's country; or, when unknown, the defaults the import and the sync use).
 */
export function parseMemberQuery(raw: string | null | undefined, countries: readonly string[]): MemberQuery {
  const text = (raw ?? "").normalize("NFC").replace(/\s+/g, " ").trim().slice(0, MAX_QUERY_LENGTH);
  if (text === "") return { kind: "all" };
  if (text.includes("@")) return { kind: "email", emailNormalized: normalizeEmail(text)! };
  if (/^gid:\/\/shopify\/Customer\/\d+$/.test(text)) return { kind: "customer", platformCustomerId: text };
  if (PHONE_CHARS.test(text) && /\d/.test(text)) {
    const e164 = phoneCandidates(text, countries);
    return e164.length > 0 ? { kind: "phone", e164 } : { kind: "invalid-phone", text };
  }
  if ([...text].length < MIN_NAME_LENGTH) return { kind: "too-short", text };
  const words = text.split(" ");
  const split = words.length > 1 ? { first: nameKeys(words[0]!), rest: nameKeys(words.slice(1).join(" ")) } : null;
  return { kind: "name", whole: nameKeys(text), split };
}

/**
 * The E.164 numbers a typed phone can be: with a country code (`+55…`, `0055…`) just that one; without,
 * one per country in which it is a valid number. Spaces, dots, dashes and brackets are ignored.
 */
export function phoneCandidates(text: string, countries: readonly string[]): string[] {
  const compact = text.replace(/[\s().\-/]/g, "");
  const international = compact.startsWith("+") ? compact : compact.startsWith("00") ? `+${compact.slice(2)}` : null;
  if (international !== null) {
    const e164 = toE164(international, "ZZ");
    return e164 ? [e164] : [];
  }
  const found: string[] = [];
  for (const country of countries) {
    const e164 = toE164(compact, country);
    if (e164 && !found.includes(e164)) found.push(e164);
  }
  return found;
}

/**
 * Lower-case spellings of a name prefix, to compare with `lower(name)` in either database. PostgreSQL's
 * lower() folds every letter; SQLite's folds A–Z only, so there a stored "Érica" stays "Érica" and
 * "JOÃO" becomes "joÃo". The prefix is sought as the merchant's letters all folded (PostgreSQL, and
 * SQLite names written in lower case), and, for SQLite, with the letters outside A–Z left as typed,
 * with the first one capital, and with all of them capital. A spelling that cannot occur is harmless.
 */
export function nameKeys(text: string): string[] {
  const folded = text.toLowerCase();
  const capitalFirst = (() => {
    const chars = [...folded];
    chars[0] = chars[0]!.toUpperCase();
    return asciiLower(chars.join(""));
  })();
  const capitalOutsideAscii = [...folded].map((c) => (c.codePointAt(0)! > 0x7f ? c.toUpperCase() : c)).join("");
  return [...new Set([folded, asciiLower(text), capitalFirst, capitalOutsideAscii])];
}

/** A–Z → a–z only: what SQLite's built-in lower() does. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The exclusive upper bound of every string that starts with `prefix`, in code-point (byte) order:
 * the prefix with its last character's code point plus one. `x >= prefix AND x < upper` is an index
 * range for "starts with".
 */
export function prefixUpperBound(prefix: string): string {
  const chars = [...prefix];
  for (;;) {
    const last = chars.pop();
    if (last === undefined) throw new Error(`"${prefix}" has no upper bound`);
    const code = last.codePointAt(0)!;
    if (code >= 0x10ffff) continue; // the last code point: carry over to the character before
    // Skip the surrogate range: it is not a character and would not sort as one.
    const next = code + 1 === 0xd800 ? 0xe000 : code + 1;
    return `${chars.join("")}${String.fromCodePoint(next)}`;
  }
}

/** An E.164 number as people read it ("+55 11 98765 4321"); the stored value when it does not parse. */
export function displayPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
