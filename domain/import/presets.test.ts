// The fixture test reads the provider files from disk; domain code itself does no I/O.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addIgnored, addOutcome, applyDuplicateResolution, checkAccounts, emptyAccounts } from "./accounts";
import { findDuplicateGroups, resolveDuplicateGroup } from "./duplicates";
import { fieldForHeader, matchHeaders, normalizeHeader, requireIdentityAndPoints } from "./headers";
import { PRESETS, getPreset, listPresets } from "./presets";
import { validateRow } from "./validate";
import { PROVIDERS, TARGET_FIELDS, type ImportAccounts, type NormalizedRecord, type ProviderId, type ValidationOptions } from "./types";

const FIXTURES = new URL("../../tests/fixtures/import/providers/", import.meta.url);

interface Expected extends Omit<ImportAccounts, "pointsMergedAway"> {
  provider: ProviderId;
  unmapped: string[];
  format: { encoding: "utf-8" | "utf-8-bom" | "windows-1252"; delimiter: "," | ";" | "\t"; decimalMark: "dot" | "comma"; dateOrder: "dmy" | "mdy" };
  options: ValidationOptions;
}

const expected = JSON.parse(readFileSync(new URL("expected.json", FIXTURES), "utf8")) as Record<string, Expected>;

describe("presets", () => {
  it("exist for every provider, under their own id", () => {
    expect(listPresets().map((p) => p.id)).toEqual([...PROVIDERS]);
    for (const id of PROVIDERS) expect(getPreset(id)).toBe(PRESETS[id]);
  });

  it("name only real fields, with column names that are not blank after normalisation", () => {
    for (const preset of listPresets()) {
      for (const [field, names] of Object.entries(preset.columns)) {
        expect(TARGET_FIELDS).toContain(field);
        for (const name of names ?? []) expect(normalizeHeader(name), `${preset.id}.${field}`).not.toBe("");
      }
      expect(preset.notes.length).toBeGreaterThan(0);
    }
  });

  it("generic has no columns of its own: synonyms only", () => {
    expect(PRESETS.generic.columns).toEqual({});
  });

  it("read each provider's documented import/export headers", () => {
    expect(matchHeaders(["email", "points"], "smile").mapping).toEqual({ email: 0, points: 1 });
    expect(matchHeaders("Email,Points Balance,Birthdate,VIP Tier,Activation Date,Credits Balance".split(","), "rivo").mapping).toEqual({
      email: 0,
      points: 1,
      birthday: 2,
      tier: 3,
      enrolledAt: 4,
    });
    expect(matchHeaders(["Shopify Customer ID", "Email", "Points"], "bon").mapping).toEqual({ platformCustomerId: 0, email: 1, points: 2 });
    expect(matchHeaders(["Email", "Name", "Membership Type", "Points", "Birthday(MM/DD)", "Created Date"], "joy").mapping).toEqual({
      email: 0,
      fullName: 1,
      tier: 2,
      points: 3,
      birthday: 4,
      enrolledAt: 5,
    });
    const yotpo = ["Full Name", "First Name", "Last Name", "Email", "Points Balance", "Points Spent", "Birthday (MM/DD)", "VIP Tier", "Opted In"];
    expect(matchHeaders(yotpo, "yotpo").mapping).toEqual({ fullName: 0, firstName: 1, lastName: 2, email: 3, points: 4, pointsSpent: 5, birthday: 6, tier: 7, status: 8 });
  });

  it("never read a loyalty-program opt-in as marketing consent", () => {
    expect(matchHeaders(["Email", "Points Balance", "Opted In"], "yotpo").mapping.marketingConsent).toBeUndefined();
    expect(fieldForHeader("Opted In")).toBeNull();
  });
});

// ------------------------------------------------------------------ fixtures, end to end

/**
 * A deliberately small CSV reader for this test, used until domain/import/read/ exports readCsv:
 * decodes the bytes in the encoding expected.json states, splits lines and quoted fields, and
 * reports blank and `#` comment lines as ignored. No multi-line fields (the fixtures have none).
 */
function readFixture(bytes: Uint8Array, format: Expected["format"]) {
  const encoding = format.encoding === "windows-1252" ? "windows-1252" : "utf-8";
  const text = new TextDecoder(encoding, { ignoreBOM: false }).decode(bytes);
  const lines = text.split(/\r\n|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const split = (line: string): string[] => {
    const cells: string[] = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"' && cell === "") quoted = true;
      else if (ch === format.delimiter) {
        cells.push(cell);
        cell = "";
      } else cell += ch;
    }
    cells.push(cell);
    return cells;
  };
  const [headerLine = "", ...dataLines] = lines;
  return {
    header: split(headerLine),
    events: dataLines.map((line, i) => {
      const rowNumber = i + 2;
      if (line.trim() === "") return { type: "ignored" as const, rowNumber };
      if (line.startsWith("#")) return { type: "ignored" as const, rowNumber };
      return { type: "row" as const, row: { rowNumber, cells: split(line) } };
    }),
  };
}

describe("provider fixtures (tests/fixtures/import/providers)", () => {
  it("cover every provider", () => {
    expect(new Set(Object.values(expected).map((e) => e.provider))).toEqual(new Set(PROVIDERS));
  });

  for (const [fileName, want] of Object.entries(expected)) {
    describe(fileName, () => {
      const file = readFixture(new Uint8Array(readFileSync(new URL(fileName, FIXTURES))), want.format);

      it(`maps the whole header with the ${want.provider} preset`, () => {
        const { mapping, unmapped, duplicates } = matchHeaders(file.header, want.provider);
        expect(unmapped).toEqual(want.unmapped);
        expect(duplicates).toEqual([]);
        expect(() => requireIdentityAndPoints(mapping, file.header)).not.toThrow();
      });

      it("gives the accounts of expected.json (duplicate policy sum)", () => {
        const { mapping } = matchHeaders(file.header, want.provider);
        let accounts = emptyAccounts();
        const valid: NormalizedRecord[] = [];
        for (const event of file.events) {
          if (event.type === "ignored") {
            accounts = addIgnored(accounts);
            continue;
          }
          const outcome = validateRow(event.row, file.header, mapping, want.options);
          accounts = addOutcome(accounts, outcome);
          if (outcome.status === "valid") valid.push(outcome.record);
        }
        for (const group of findDuplicateGroups(valid)) {
          accounts = applyDuplicateResolution(accounts, group, resolveDuplicateGroup(group, "sum"));
        }
        expect(checkAccounts(accounts)).toEqual([]);
        expect(accounts).toEqual({
          rowsTotal: want.rowsTotal,
          rowsValid: want.rowsValid,
          rowsRejected: want.rowsRejected,
          rowsMerged: want.rowsMerged,
          rowsIgnored: want.rowsIgnored,
          pointsInFile: want.pointsInFile,
          pointsValid: want.pointsValid,
          pointsRejected: want.pointsRejected,
          pointsMergedAway: 0,
        });
      });
    });
  }
});
