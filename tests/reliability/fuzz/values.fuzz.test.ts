import fc from "fast-check";
import { getExampleNumber, type CountryCode } from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";
import { describe, expect, it } from "vitest";
import { normalizeEmail } from "~domain/identity";
import { checkCpf, checkCustomerRef, cpfCheckDigits, isPlausibleEmail, toE164 } from "~domain/import/identity-fields";
import { daysInMonth } from "~domain/import/read/dates";
import { parseDate, parseLocaleNumber } from "~domain/import/read";
import { checkProperty, record, runs } from "../support/record";

// Issue 9, part 2: the normalisers of one cell fuzzed — numbers, dates, e-mails, phones, CPF.
const CATEGORY = "fuzzing: parsers and normalisers";

/** Strings biased towards what breaks parsers: digits of every script, signs, separators, invisibles. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc
    .array(
      fc.constantFrom("0", "1", "9", ".", ",", " ", "\u00a0", "\u202f", "-", "+", "\u2212", "e", "E", "٣", "१", "１", "NaN", "Infinity", "/", ":", "T", "Z", "\uFEFF", "\u200B", "@"),
      { maxLength: 20 },
    )
    .map((p) => p.join("")),
);

const NON_ASCII_DIGITS = ["٠", "٣", "۴", "१", "৩", "๓", "１", "𝟘", "߃"];

describe("numbers (fuzzed)", () => {
  it("never throws, and reads only finite numbers (never -0)", async () => {
    await checkProperty(
      { category: CATEGORY, check: "parseLocaleNumber over hostile strings, both decimal marks", invariants: ["never throws", "a number read is finite and never -0", "a refusal has a reason"] },
      fc.property(hostileText, fc.constantFrom("dot" as const, "comma" as const), (text, mark) => {
        const r = parseLocaleNumber(text, mark);
        if (r.ok) {
          expect(Number.isFinite(r.value)).toBe(true);
          expect(Object.is(r.value, -0)).toBe(false);
        } else expect(r.reason.length).toBeGreaterThan(5);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("reads back any number written with its locale's grouping and decimal mark", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "round trip: integer or cents → written 1,234.56 / 1.234,56 / 1 234,56 (space, NBSP, narrow NBSP) → parseLocaleNumber",
        invariants: ["the value read is the value written"],
      },
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.boolean(),
        fc.constantFrom("dot" as const, "comma" as const),
        fc.constantFrom("", "mark", " ", "\u00a0", "\u202f"),
        (n, cents, mark, grouping) => {
          const value = cents ? n / 100 : n;
          const [int, frac] = Math.abs(value).toFixed(cents ? 2 : 0).split(".");
          const sep = grouping === "mark" ? (mark === "dot" ? "," : ".") : grouping;
          const grouped = (int ?? "").replace(/\B(?=(\d{3})+(?!\d))/g, sep);
          const text = `${value < 0 ? "-" : ""}${grouped}${frac === undefined ? "" : (mark === "dot" ? "." : ",") + frac}`;
          const r = parseLocaleNumber(text, mark);
          expect(r).toEqual({ ok: true, value: value === 0 ? 0 : Number(value.toFixed(cents ? 2 : 0)) });
        },
      ),
      { numRuns: runs(1000) },
    );
  });

  it("refuses scientific notation, NaN, Infinity and digits of other scripts", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "parseLocaleNumber refuses 1e9-style values, NaN/Infinity and non-Latin digits (٣٤٥, १२३, １２３…)",
        invariants: ["a value in scientific notation is never read", "a value with a digit of another script is never read"],
      },
      fc.property(
        fc.oneof(
          fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.constantFrom("e", "E", "e+", "E-"), fc.integer({ min: 0, max: 400 })).map(([m, e, x]) => `${m}${e}${x}`),
          fc.tuple(fc.string({ unit: fc.constantFrom("1", "2", ".", ","), maxLength: 5 }), fc.constantFrom(...NON_ASCII_DIGITS), fc.string({ unit: fc.constantFrom("1", "2"), maxLength: 3 })).map((p) => p.join("")),
          fc.constantFrom("NaN", "nan", "-NaN", "Infinity", "+Infinity", "-inf", "INF"),
        ),
        fc.constantFrom("dot" as const, "comma" as const),
        (text, mark) => {
          expect(parseLocaleNumber(text, mark).ok).toBe(false);
        },
      ),
      { numRuns: runs(1000) },
    );
  });
});

describe("dates (fuzzed)", () => {
  const realDate = fc.record({ y: fc.integer({ min: 1000, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) }).filter(({ y, m, d }) => d <= daysInMonth(y, m));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");

  it("never throws, and every date read is a real calendar date", async () => {
    await checkProperty(
      { category: CATEGORY, check: "parseDate over hostile strings, both day orders", invariants: ["never throws", "a date read is ISO and exists in the calendar (31/02 never does)", "a refusal has a reason"] },
      fc.property(fc.oneof(hostileText, fc.tuple(fc.nat(40), fc.nat(14), fc.integer({ min: 0, max: 10000 })).map(([d, m, y]) => `${d}/${m}/${y}`)), fc.constantFrom("dmy" as const, "mdy" as const), (text, order) => {
        const r = parseDate(text, order);
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(5);
          return;
        }
        const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(r.iso);
        expect(m).not.toBeNull();
        const [y, mo, d] = [Number(m![1]), Number(m![2]), Number(m![3])];
        expect(mo).toBeGreaterThanOrEqual(1);
        expect(mo).toBeLessThanOrEqual(12);
        expect(d).toBeGreaterThanOrEqual(1);
        expect(d).toBeLessThanOrEqual(daysInMonth(y, mo));
      }),
      { numRuns: runs(2000) },
    );
  });

  it("reads back every real date written day-first, month-first or ISO, and refuses every impossible one", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "round trip: real date → DD/MM/YYYY, MM/DD/YYYY (/ - .) or ISO → parseDate; impossible days refused",
        invariants: ["the date read is the date written", "ISO is read as itself (idempotent)", "ambiguous exactly when both orders give a real, different date", "a day past the month's end is never read"],
      },
      fc.property(realDate, fc.constantFrom("/", "-", "."), fc.constantFrom("dmy" as const, "mdy" as const), fc.integer({ min: 1, max: 4 }), ({ y, m, d }, sep, order, extra) => {
        const iso = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
        expect(parseDate(iso, order)).toEqual({ ok: true, iso, ambiguous: false });
        const written = order === "dmy" ? `${pad(d)}${sep}${pad(m)}${sep}${y}` : `${pad(m)}${sep}${pad(d)}${sep}${y}`;
        expect(parseDate(written, order)).toEqual({ ok: true, iso, ambiguous: d !== m && d <= 12 });
        const impossible = daysInMonth(y, m) + extra;
        if (impossible <= 99) {
          const bad = order === "dmy" ? `${impossible}/${pad(m)}/${y}` : `${pad(m)}/${impossible}/${y}`;
          expect(parseDate(bad, order).ok).toBe(false);
        }
      }),
      { numRuns: runs(1000) },
    );
  });
});

describe("e-mails (fuzzed)", () => {
  it("never throws; an address accepted has one @, a dotted domain and nothing invisible; normalising is idempotent", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "isPlausibleEmail and normalizeEmail over hostile strings",
        invariants: ["never throws", "accepted ⇒ exactly one @, no space, no control or invisible character, a dot in the domain", "normalizeEmail is idempotent and ignores case and surrounding spaces"],
      },
      fc.property(fc.oneof(hostileText, fc.emailAddress()), (text) => {
        if (isPlausibleEmail(text)) {
          const t = text.trim();
          expect(t.split("@")).toHaveLength(2);
          expect(t).not.toMatch(/[\s\p{Cc}\p{Cf}\uFFFD]/u);
          expect(t.split("@")[1]).toContain(".");
        }
        const once = normalizeEmail(text);
        expect(normalizeEmail(once)).toBe(once);
        expect(normalizeEmail(`  ${text.toUpperCase()}\t`)).toBe(normalizeEmail(text.toUpperCase()));
      }),
      { numRuns: runs(2000) },
    );
  });

  it("accepts generated real-world addresses, and refuses them once an invisible character is slipped in", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "fast-check's RFC addresses (without quoted parts) accepted; the same with a zero-width, bidi, control or U+FFFD character refused",
        invariants: ["an ordinary address is accepted", "an address hiding an invisible character is refused"],
      },
      fc.property(
        fc.emailAddress().filter((e) => !e.includes('"')),
        fc.constantFrom("\u200B", "\u202E", "\u200F", "\u0000", "\u0007", "\uFFFD", "\u2060", "\u00AD"),
        fc.nat(),
        (email, hidden, at) => {
          expect(isPlausibleEmail(email)).toBe(true);
          const i = at % (email.length + 1);
          expect(isPlausibleEmail(email.slice(0, i) + hidden + email.slice(i))).toBe(false);
        },
      ),
      { numRuns: runs(1000) },
    );
  });
});

describe("phones (fuzzed)", () => {
  const countries = Object.keys(examples) as CountryCode[];

  it("never throws; a phone read is E.164 and reading it again gives itself", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "toE164 over hostile strings and every country",
        invariants: ["never throws", "a result is +, then 7–15 digits", "idempotent: the E.164 read again, in any default country, is itself"],
      },
      fc.property(fc.oneof(hostileText, fc.string({ unit: fc.constantFrom("0", "1", "2", "5", "9", " ", "-", "(", ")", "+"), maxLength: 20 })), fc.constantFrom(...countries, "XX", "", "br"), fc.constantFrom(...countries), (text, country, other) => {
        const e164 = toE164(text, country);
        if (e164 === null) return;
        expect(e164).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(toE164(e164, other)).toBe(e164);
      }),
      { numRuns: runs(1000) },
    );
  });

  it("reads every country's example mobile number however it is punctuated", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "round trip: each country's example number → national or international, with random spaces, dashes, dots, brackets → toE164",
        invariants: ["the E.164 read is the number written"],
      },
      fc.property(fc.constantFrom(...countries), fc.boolean(), fc.array(fc.constantFrom(" ", "-", ".", "(", ")", ""), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 6 }), (country, international, seps, at) => {
        const example = getExampleNumber(country, examples);
        if (!example) return;
        let digits = international ? example.number : example.formatNational().replace(/[^\d]/g, "");
        if (!international && !example.isValid()) return;
        // Punctuation only between digits (never inside the leading "+").
        at.forEach((p, i) => {
          const pos = 2 + (p % Math.max(1, digits.length - 2));
          digits = digits.slice(0, pos) + (seps[i] ?? "") + digits.slice(pos);
        });
        expect(toE164(digits, international ? "US" : country)).toBe(example.number);
      }),
      { numRuns: runs(1000) },
    );
  });
});

describe("CPF (fuzzed)", () => {
  /** The check digits written again from the Receita Federal's description, independently of identity-fields.ts. */
  function oracleValid(digits: string): boolean {
    if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
    const d = [...digits].map(Number);
    const dv = (len: number) => {
      const sum = d.slice(0, len).reduce((acc, x, i) => acc + x * (len + 1 - i), 0);
      return ((sum * 10) % 11) % 10;
    };
    return dv(9) === d[9] && dv(10) === d[10];
  }
  const base = fc.stringMatching(/^\d{9}$/).filter((b) => !/^(\d)\1{8}$/.test(b));
  const validCpf = base.map((b) => b + cpfCheckDigits(b));
  const formatted = (cpf: string, style: number) =>
    [cpf, `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`, `${cpf.slice(0, 3)} ${cpf.slice(3, 6)} ${cpf.slice(6, 9)} ${cpf.slice(9)}`, ` ${cpf} `][style % 4]!;

  it("always accepts a valid CPF, however it is written (dots, dash, spaces, leading zeros lost)", async () => {
    await checkProperty(
      { category: CATEGORY, check: "valid CPFs (random base, computed check digits) in four notations, and as a spreadsheet number", invariants: ["a valid CPF is always accepted, as its 11 digits"] },
      fc.property(validCpf, fc.nat(), (cpf, style) => {
        expect(checkCpf(formatted(cpf, style))).toEqual({ ok: true, digits: cpf });
        const asNumber = cpf.replace(/^0+/, "");
        if (asNumber.length >= 9) expect(checkCpf(asNumber)).toEqual({ ok: true, digits: cpf });
      }),
      { numRuns: runs(1000) },
    );
  });

  it("refuses a CPF with one digit changed, exactly as the check digits say (and always when a check digit changes)", async () => {
    let blindSpots = 0;
    let tried = 0;
    await checkProperty(
      {
        category: CATEGORY,
        check: "valid CPFs with one digit changed; random 11-digit strings against an independent implementation",
        invariants: [
          "checkCpf agrees with an independent implementation of the check digits on every string",
          "a changed check digit is always refused",
          "a changed digit of the first nine is refused unless modulo 11 cannot see it (remainders 0 and 1 share the check digit 0)",
        ],
      },
      fc.property(validCpf, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^\d{11}$/), (cpf, pos, delta, random) => {
        const changed = cpf.slice(0, pos) + String((Number(cpf[pos]) + delta) % 10) + cpf.slice(pos + 1);
        const accepted = checkCpf(changed).ok;
        expect(accepted).toBe(oracleValid(changed));
        if (pos >= 9) expect(accepted).toBe(false);
        tried++;
        if (accepted) blindSpots++;
        expect(checkCpf(random).ok).toBe(oracleValid(random));
      }),
      { numRuns: runs(3000) },
    );
    record({
      category: CATEGORY,
      check: `CPF single-digit changes the check digits cannot see: ${blindSpots} of ${tried} (a property of the CPF scheme, not of the code)`,
      invariants: ["measured, not asserted: such a CPF is another valid CPF, and matching on it can only find that other person's account if it exists"],
      cases: tried,
      failures: 0,
    });
  });

  it("never throws on anything, and reads customer ids as text, refusing scientific notation", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "checkCpf and checkCustomerRef over hostile strings",
        invariants: ["never throws", "an accepted CPF is 11 digits with valid check digits", "an id in scientific notation is never accepted; any other id is kept exactly (trimmed)"],
      },
      fc.property(hostileText, (text) => {
        const cpf = checkCpf(text);
        if (cpf.ok) expect(oracleValid(cpf.digits)).toBe(true);
        const ref = checkCustomerRef(text);
        if (/^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i.test(text.trim())) expect(ref.ok).toBe(false);
        else if (ref.ok) expect(ref.ref).toBe(text.trim());
      }),
      { numRuns: runs(2000) },
    );
  });
});
