import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addIgnored, addMalformed, addOutcome, applyDuplicateResolution, checkAccounts, emptyAccounts } from "~domain/import/accounts";
import { validateCouponRow } from "~domain/import/coupons";
import { findDuplicateGroups, resolveDuplicateGroup } from "~domain/import/duplicates";
import { fieldForHeaderIn, HEADER_SYNONYMS, KIND_FIELDS, matchHeaders, normalizeHeader } from "~domain/import/headers";
import { validateHistoryRow } from "~domain/import/history";
import { getPreset, listPresets } from "~domain/import/presets";
import { validateReferralRow } from "~domain/import/referrals";
import { rejectedRowCells, spreadsheetSafe } from "~domain/import/report";
import { validateTierRow } from "~domain/import/tiers";
import { IMPORT_KINDS, PROVIDERS, TARGET_FIELDS, type ColumnMapping, type ImportKind, type NormalizedRecord, type RowOutcome, type TargetField, type ValidationOptions } from "~domain/import/types";
import { MAX_STORABLE_POINTS, validateRow } from "~domain/import/validate";
import { checkProperty, runs } from "../support/record";

// Issue 9, part 2: header matching, provider presets, row validation and the accounts, fuzzed.
const CATEGORY = "fuzzing: parsers and normalisers";

const hostileHeader = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("__proto__", "constructor", "toString", "", " ", "E-MAIL", "Pontos", "points", "email", "Nível", "Points (pending)", "=HYPERLINK(\"x\")", "📧", "البريد"),
  fc.constantFrom(...Object.values(HEADER_SYNONYMS).flat()),
);
const kind = fc.constantFrom<ImportKind>(...IMPORT_KINDS);
const provider = fc.constantFrom(...PROVIDERS);

/** Spells a header the way exports do: case, separators, accents kept, surrounding spaces. */
function respell(name: string, style: number): string {
  switch (style % 5) {
    case 0:
      return name.toUpperCase();
    case 1:
      return name.replace(/ /g, "_");
    case 2:
      return ` ${name.replace(/ /g, "-")} `;
    case 3:
      return name.replace(/(^|\s)(\p{L})/gu, (_, s: string, c: string) => s + c.toUpperCase());
    default:
      return name;
  }
}

describe("header matching (fuzzed)", () => {
  it("normalizeHeader is idempotent and blind to case, underscores, dashes and spaces", async () => {
    await checkProperty(
      { category: CATEGORY, check: "normalizeHeader over hostile headers", invariants: ["idempotent", "the same for upper case, underscores, dashes and extra spaces (Latin letters)"] },
      fc.property(hostileHeader, fc.string({ unit: fc.constantFrom("a", "B", "é", "Ç", "ã", " ", "_", "-", ".", "1"), maxLength: 15 }), (h, latin) => {
        expect(normalizeHeader(normalizeHeader(h))).toBe(normalizeHeader(h));
        const n = normalizeHeader(latin);
        expect(normalizeHeader(latin.toUpperCase())).toBe(n);
        expect(normalizeHeader(` ${latin.replace(/ /g, "_")}-`)).toBe(n);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("maps any header to a consistent mapping: each column one field at most, each field of the kind, repeats never read", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "matchHeaders over random headers (with __proto__, emoji, repeats), every provider and kind, with and without the merchant's mapping",
        invariants: [
          "never throws",
          "every mapped column exists, and no column feeds two fields",
          "only the kind's fields are mapped",
          "a header repeating an earlier one is never read; mapped + unmapped + repeats = every non-empty header",
          "the merchant's mapping of a field to an existing, non-repeated header always wins",
        ],
      },
      fc.property(
        fc.array(hostileHeader, { maxLength: 25 }),
        provider,
        kind,
        fc.option(fc.tuple(fc.constantFrom(...TARGET_FIELDS), fc.nat()), { nil: undefined }),
        (header, prov, k, explicitPick) => {
          const explicit = explicitPick && header.length > 0 ? { [explicitPick[0]]: header[explicitPick[1] % header.length]! } : undefined;
          const { mapping, unmapped, duplicates } = matchHeaders(header, prov, explicit, k);
          const columns = Object.values(mapping) as number[];
          expect(new Set(columns).size).toBe(columns.length);
          for (const index of columns) expect(index >= 0 && index < header.length).toBe(true);
          for (const field of Object.keys(mapping)) expect(KIND_FIELDS[k]).toContain(field);
          const key = (h: string) => normalizeHeader(h).replace(/ /g, "");
          const firstOf = new Map<string, number>();
          header.forEach((h, i) => {
            if (key(h) !== "" && !firstOf.has(key(h))) firstOf.set(key(h), i);
          });
          // A column without a name is only ever mapped by the merchant (who may name it "").
          const namedColumns = columns.filter((index) => key(header[index]!) !== "");
          for (const index of namedColumns) expect(firstOf.get(key(header[index]!))).toBe(index);
          for (const index of columns) if (key(header[index]!) === "") expect(Object.values(explicit ?? {})).toContain(header[index]);
          const named = header.filter((h) => key(h) !== "").length;
          expect(namedColumns.length + unmapped.filter((h) => key(h) !== "").length + duplicates.length).toBe(named);
          if (explicit && explicitPick) {
            const [field] = explicitPick;
            const name = explicit[field]!;
            const at = header.findIndex((h) => h === name);
            if (KIND_FIELDS[k].includes(field) && key(name) !== "" && firstOf.get(key(name)) === at) expect(mapping[field]).toBe(at);
          }
        },
      ),
      { numRuns: runs(2000) },
    );
  });

  it("finds every synonym and every preset column however it is spelled, among columns that mean nothing", async () => {
    const noise = fc.string({ unit: fc.constantFrom("q", "x", "z", "k", "w", " "), minLength: 3, maxLength: 8 }).filter((h) => fieldForHeaderIn("balances", h) === null);
    const pairs = IMPORT_KINDS.flatMap((k) => KIND_FIELDS[k].flatMap((field) => HEADER_SYNONYMS[field].map((synonym) => ({ k, field, synonym }))).filter(({ k: kk, synonym }) => fieldForHeaderIn(kk, synonym) !== null));
    await checkProperty(
      {
        category: CATEGORY,
        check: `each of ${pairs.length} (kind, synonym) pairs and each preset's column names, respelled (case, _ - spaces), at a random place among meaningless columns`,
        invariants: ["a synonym alone in its file maps to the field it names in that kind", "a preset's own column names map to their fields"],
      },
      fc.property(fc.constantFrom(...pairs), fc.nat(), fc.array(noise, { maxLength: 6 }), fc.nat(), provider, fc.nat(), ({ k, synonym }, style, others, at, prov, pick) => {
        const header = [...others];
        header.splice(at % (header.length + 1), 0, respell(synonym, style));
        const field = fieldForHeaderIn(k, synonym)!;
        expect(matchHeaders(header, "generic", undefined, k).mapping[field]).toBe(header.indexOf(respell(synonym, style)));

        const preset = getPreset(prov);
        const fields = Object.entries(preset.columns).filter(([f]) => KIND_FIELDS.balances.includes(f as TargetField)) as [TargetField, string[]][];
        if (fields.length === 0) return;
        const [presetField, names] = fields[pick % fields.length]!;
        const name = names[pick % names.length]!;
        const presetHeader = [...others];
        presetHeader.splice(at % (presetHeader.length + 1), 0, respell(name, style));
        const mapped = matchHeaders(presetHeader, prov, undefined, "balances").mapping;
        expect(mapped[presetField], `${prov}: "${name}" → ${presetField}, got ${JSON.stringify(mapped)}`).toBe(presetHeader.indexOf(respell(name, style)));
      }),
      { numRuns: runs(2000) },
    );
  });

  it("every provider has a preset, listed in the wizard's order", async () => {
    await checkProperty(
      { category: CATEGORY, check: "getPreset / listPresets for every provider", invariants: ["a preset per provider, with its id", "listed in the order of PROVIDERS"] },
      fc.property(provider, (p) => {
        expect(getPreset(p).id).toBe(p);
        expect(listPresets().map((x) => x.id)).toEqual([...PROVIDERS]);
      }),
      { numRuns: PROVIDERS.length * 4 },
    );
  });
});

describe("row validation and the accounts (fuzzed)", () => {
  const cell = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("", " ", "ana@example.com", "ANA@example.com ", "ana@", "=1+1", "1e9", "-0", "NaN", "1.234,56", "١٢", "52998224725", "111.111.111-11", "+55 11 98765-4321", "31/02/2026", "2026-01-15", "10%", "R$ 15,00", "https://x.io/r", "\u0000", "\uFEFF", "9".repeat(30), "-5", "100", "2147483648"),
  );
  const options = fc.record<ValidationOptions>({
    defaultCountry: fc.constantFrom("BR", "US", "MX", "PT", "XX"),
    decimalMark: fc.constantFrom("dot", "comma"),
    dateOrder: fc.constantFrom("dmy", "mdy"),
    rounding: fc.constantFrom("reject", "round", "floor", "ceil"),
    maxPoints: fc.constantFrom(100, 100_000_000, MAX_STORABLE_POINTS),
  });
  const validators = { balances: validateRow, history: validateHistoryRow, tiers: validateTierRow, referrals: validateReferralRow, coupons: validateCouponRow } as const;
  const row = fc.integer({ min: 1, max: 8 }).chain((width) =>
    fc.record({
      header: fc.array(hostileHeader, { minLength: width, maxLength: width }),
      cells: fc.array(cell, { minLength: 0, maxLength: width + 2 }),
      mapping: fc.dictionary(fc.constantFrom(...TARGET_FIELDS), fc.nat(width + 1), { maxKeys: 8 }) as fc.Arbitrary<ColumnMapping>,
    }),
  );

  it("never throws on any row, and says why a row is rejected", async () => {
    await checkProperty(
      {
        category: CATEGORY,
        check: "validateRow / validateHistoryRow / validateTierRow / validateReferralRow / validateCouponRow over random cells, headers, mappings and options",
        invariants: [
          "never throws",
          "a rejected row has at least one reason, each with a code and a message",
          "a valid balance is a whole number 0 … maxPoints; a valid history change is whole, non-zero, within ±maxPoints; other kinds carry 0",
          "a valid row has an identity (e-mail, E.164 phone, CPF or customer id)",
          "the raw values keep every cell",
        ],
      },
      fc.property(row, options, kind, fc.integer({ min: 1, max: 1_000_000 }), ({ header, cells, mapping }, opts, k, rowNumber) => {
        const outcome: RowOutcome = validators[k]({ rowNumber, cells }, header, mapping, opts);
        if (outcome.status === "rejected") {
          expect(outcome.reasons.length).toBeGreaterThan(0);
          for (const r of outcome.reasons) expect(r.message.length).toBeGreaterThan(10);
          expect(Number.isSafeInteger(outcome.points)).toBe(true);
          expect(Object.keys(outcome.raw).length).toBeGreaterThanOrEqual(cells.length);
          return;
        }
        const r = outcome.record;
        expect(r.emailNormalized !== null || r.phoneE164 !== null || r.cpf !== null || r.platformCustomerRef !== null).toBe(true);
        expect(Number.isSafeInteger(r.points)).toBe(true);
        if (k === "balances") expect(r.points >= 0 && r.points <= opts.maxPoints).toBe(true);
        else if (k === "history") expect(r.points !== 0 && Math.abs(r.points) <= opts.maxPoints).toBe(true);
        else expect(r.points).toBe(0);
        expect(Object.keys(r.raw).length).toBeGreaterThanOrEqual(cells.length);
      }),
      { numRuns: runs(3000) },
    );
  });

  it("keeps the accounts' identities through any sequence of rows and any duplicate policy", async () => {
    const points = fc.integer({ min: -1000, max: 1_000_000 });
    const who = fc.constantFrom("a@x.co", "b@x.co", "c@x.co", "d@x.co");
    const event = fc.oneof(
      fc.record({ type: fc.constant("valid" as const), who, points: fc.nat(1_000_000), updatedAt: fc.option(fc.constantFrom("2025-01-01", "2026-05-05T10:00:00Z", "garbage"), { nil: null }) }),
      fc.record({ type: fc.constant("rejected" as const), points }),
      fc.record({ type: fc.constant("ignored" as const) }),
      fc.record({ type: fc.constant("malformed" as const), points: fc.nat(100) }),
    );
    await checkProperty(
      {
        category: CATEGORY,
        check: "accounts over random sequences of valid, rejected, blank and malformed rows, then duplicate resolution (sum, max, latest, review)",
        invariants: [
          "rows in = valid + rejected + merged + ignored",
          "points in file = valid + rejected + merged away (no point lost or counted twice)",
          "a duplicate group's survivor + merged-away points = the group's points",
        ],
        totals: { pointsLostOrDuplicated: 0 },
      },
      fc.property(fc.array(event, { maxLength: 40 }), fc.constantFrom("sum" as const, "max" as const, "latest" as const, "review" as const), (events, policy) => {
        let accounts = emptyAccounts();
        const records: NormalizedRecord[] = [];
        events.forEach((e, i) => {
          const rowNumber = i + 2;
          if (e.type === "ignored") accounts = addIgnored(accounts);
          else if (e.type === "malformed") accounts = addMalformed(accounts, e.points);
          else if (e.type === "rejected") accounts = addOutcome(accounts, { status: "rejected", rowNumber, reasons: [{ code: "INVALID_POINTS", message: "x" }], points: e.points, raw: {} });
          else {
            const record: NormalizedRecord = {
              rowNumber, email: e.who, emailNormalized: e.who, phone: null, phoneE164: null, cpf: null, platformCustomerRef: null, firstName: null, lastName: null,
              points: e.points, pointsSpent: null, tier: null, referralCode: null, marketingConsent: null, birthday: null, enrolledAt: null, updatedAt: e.updatedAt, status: null, raw: {},
            };
            records.push(record);
            accounts = addOutcome(accounts, { status: "valid", record });
          }
        });
        const inFile = accounts.pointsInFile;
        for (const group of findDuplicateGroups(records)) {
          const resolution = resolveDuplicateGroup(group, policy);
          if (!("review" in resolution)) expect(resolution.survivorPoints + resolution.pointsMergedAway).toBe(group.reduce((s, r) => s + r.points, 0));
          accounts = applyDuplicateResolution(accounts, group, resolution);
        }
        expect(checkAccounts(accounts)).toEqual([]);
        expect(accounts.pointsInFile).toBe(inFile);
        expect(accounts.rowsTotal).toBe(events.length);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("never writes a cell a spreadsheet would run as a formula into the rejected-rows report", async () => {
    await checkProperty(
      { category: CATEGORY, check: "spreadsheetSafe / rejectedRowCells over hostile cells and headers", invariants: ["no output cell starts with = + - @ tab or CR", "a cell that needed no change is unchanged"] },
      fc.property(fc.array(hostileHeader, { maxLength: 6 }), fc.array(cell, { maxLength: 6 }), fc.string(), (header, cells, reason) => {
        const raw = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
        for (const out of rejectedRowCells(7, reason, header, raw)) expect(out).not.toMatch(/^[=+\-@\t\r]/);
        for (const c of cells) if (!/^[=+\-@\t\r]/.test(c)) expect(spreadsheetSafe(c)).toBe(c);
      }),
      { numRuns: runs(1000) },
    );
  });
});
