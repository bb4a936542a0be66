// The fixture test reads the provider files from disk; domain code itself does no I/O.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addIgnored, addMalformed, addOutcome, applyDuplicateResolution, checkAccounts, emptyAccounts } from "./accounts";
import { findDuplicateGroups, resolveDuplicateGroup } from "./duplicates";
import { fieldForHeader, matchHeaders, normalizeHeader, requireIdentityAndPoints } from "./headers";
import { PRESETS, getPreset, listPresets } from "./presets";
import { detectFormat, readCsv } from "./read";
import { validateRow } from "./validate";
import {
  PROVIDERS,
  TARGET_FIELDS,
  type FileFormat,
  type ImportAccounts,
  type NormalizedRecord,
  type ProviderId,
  type ReadEvent,
  type ValidationOptions,
} from "./types";

const FIXTURES = new URL("../../tests/fixtures/import/providers/", import.meta.url);

interface Expected extends Omit<ImportAccounts, "pointsMergedAway"> {
  provider: ProviderId;
  unmapped: string[];
  /** What reading must detect; dateOrder only where the file's dates decide it. */
  format: Pick<FileFormat, "encoding" | "delimiter" | "decimalMark"> & Partial<Pick<FileFormat, "dateOrder">>;
  /** Validation options besides the detected number format and date order. */
  options: Pick<ValidationOptions, "defaultCountry" | "rounding" | "maxPoints">;
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

/** The file as a stream of small chunks, so that reading is exercised across chunk boundaries. */
async function* chunks(bytes: Uint8Array, size = 97): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<ReadEvent>): Promise<ReadEvent[]> {
  const events: ReadEvent[] = [];
  for await (const event of source) events.push(event);
  return events;
}

describe("provider fixtures (tests/fixtures/import/providers)", () => {
  it("cover every provider", () => {
    expect(new Set(Object.values(expected).map((e) => e.provider))).toEqual(new Set(PROVIDERS));
  });

  for (const [fileName, want] of Object.entries(expected)) {
    describe(fileName, () => {
      const bytes = new Uint8Array(readFileSync(new URL(fileName, FIXTURES)));
      const format = detectFormat(bytes, fileName);

      it("is read in the format it is written in", () => {
        expect({ encoding: format.encoding, delimiter: format.delimiter, decimalMark: format.decimalMark, dateOrder: format.dateOrder }).toMatchObject(want.format);
      });

      it(`maps the whole header with the ${want.provider} preset`, () => {
        const { mapping, unmapped, duplicates } = matchHeaders(format.header, want.provider);
        expect(unmapped).toEqual(want.unmapped);
        expect(duplicates).toEqual([]);
        expect(() => requireIdentityAndPoints(mapping, format.header)).not.toThrow();
      });

      it("gives the accounts of expected.json (duplicate policy sum)", async () => {
        const options: ValidationOptions = { ...want.options, decimalMark: format.decimalMark, dateOrder: format.dateOrder };
        let header = format.header;
        let mapping = matchHeaders(header, want.provider).mapping;
        let accounts = emptyAccounts();
        const valid: NormalizedRecord[] = [];
        for (const event of await collect(readCsv(chunks(bytes), format))) {
          if (event.type === "header") {
            header = event.header;
            mapping = matchHeaders(header, want.provider).mapping;
          } else if (event.type === "ignored") {
            accounts = addIgnored(accounts);
          } else if (event.type === "malformed") {
            accounts = addMalformed(accounts);
          } else {
            const outcome = validateRow(event.row, header, mapping, options);
            accounts = addOutcome(accounts, outcome);
            if (outcome.status === "valid") valid.push(outcome.record);
          }
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
