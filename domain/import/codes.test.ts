import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addIgnored, addMalformed, addOutcome, applyCodeFates, applyDuplicateResolution, checkAccounts, emptyAccounts } from "./accounts";
import { COUPON_CODE_RULES, REFERRAL_CODE_RULES, codeKey, resolveCodeClaims, type CodeRow } from "./codes";
import { validateCouponRow } from "./coupons";
import { findDuplicateGroups, identityKey, policyForKind, resolveDuplicateGroup } from "./duplicates";
import { matchHeaders } from "./headers";
import { validateReferralRow } from "./referrals";
import { validateTierRow } from "./tiers";
import type { DuplicatePolicy, ImportKind, NormalizedRecord, ValidationOptions } from "./types";

const row = (rowNumber: number, identityKey: string, code: string): CodeRow => ({ rowNumber, identityKey, code });

describe("resolveCodeClaims", () => {
  it("referrals: another customer's code is rejected naming the first row; the same customer and code is merged", () => {
    const fates = resolveCodeClaims(
      [row(2, "email:ana@x.com", "ANA10"), row(3, "email:bia@x.com", "ana10"), row(4, "email:ana@x.com", " ANA10"), row(5, "email:bia@x.com", "BIA5")],
      REFERRAL_CODE_RULES,
    );
    expect(fates).toHaveLength(2);
    expect(fates[0]).toMatchObject({ rowNumber: 3, fate: "rejected", reason: { code: "DUPLICATE_REFERRAL_CODE" } });
    expect(fates[0]?.fate === "rejected" && fates[0].reason.message).toMatch(/already on row 2 \(another customer\)/);
    expect(fates[1]).toEqual({ rowNumber: 4, fate: "merged", into: 2 });
  });

  it("referrals: a customer carries one code; a second, different one is rejected naming the row kept", () => {
    const fates = resolveCodeClaims([row(7, "email:ana@x.com", "ANA20"), row(2, "email:ana@x.com", "ANA10")], REFERRAL_CODE_RULES);
    expect(fates).toHaveLength(1);
    expect(fates[0]).toMatchObject({ rowNumber: 7, fate: "rejected", reason: { code: "CONFLICTING_REFERRAL_CODE" } });
    expect(fates[0]?.fate === "rejected" && fates[0].reason.message).toMatch(/"ANA10" on row 2/);
  });

  it("a rejected row claims nothing: a customer whose first code was someone else's keeps their next one", () => {
    const fates = resolveCodeClaims([row(2, "a", "X"), row(3, "b", "X"), row(4, "b", "Y")], REFERRAL_CODE_RULES);
    expect(fates.map((f) => [f.rowNumber, f.fate])).toEqual([[3, "rejected"]]);
  });

  it("coupons: a customer may hold several; a code twice is rejected on its later row, whoever holds it", () => {
    const fates = resolveCodeClaims([row(2, "a", "C1"), row(3, "a", "C2"), row(4, "a", "c1"), row(5, "b", "C2")], COUPON_CODE_RULES);
    expect(fates.map((f) => [f.rowNumber, f.fate, f.fate === "rejected" && f.reason.code])).toEqual([
      [4, "rejected", "DUPLICATE_COUPON_CODE"],
      [5, "rejected", "DUPLICATE_COUPON_CODE"],
    ]);
    expect(fates[0]?.fate === "rejected" && fates[0].reason.message).toMatch(/already on row 2 \(the same customer\)/);
  });

  it("compares codes without case and surrounding spaces", () => {
    expect(codeKey("  ana10 ")).toBe("ANA10");
  });
});

// ------------------------------------------------------------- accounts of every kind (property)

const OPTIONS: ValidationOptions = { defaultCountry: "BR", decimalMark: "comma", dateOrder: "dmy", rounding: "reject", maxPoints: 1_000_000 };
const HEADERS: Record<"tiers" | "referrals" | "coupons", string[]> = {
  tiers: ["E-mail", "Nível", "Pontos"],
  referrals: ["E-mail", "Código de indicação", "Pontos"],
  coupons: ["E-mail", "Cupom", "Valor", "Validade", "Pontos"],
};
const VALIDATORS = { tiers: validateTierRow, referrals: validateReferralRow, coupons: validateCouponRow } as const;

const emailArb = fc.constantFrom("ana@x.com", "ANA@x.com", "bia@x.com", "caio@x.com", "", "nope@", "  dani@x.com ");
const codeArb = fc.constantFrom("ANA10", "ana10", "BIA5", "C1", "C2", "", "   ", "https://r.io/x");
const valueArb = fc.constantFrom("15,00", "10%", "0", "7,5", "", "abc", "150%");
const dateArb = fc.constantFrom("31/12/2025", "01/01/2020", "", "31/02/2025", "2025-06-07");
const pointsArb = fc.constantFrom("", "100", "-5", "x");

type Line = { type: "row"; cells: string[] } | { type: "ignored" } | { type: "malformed" };

function linesArb(kind: keyof typeof HEADERS): fc.Arbitrary<Line[]> {
  const cells: fc.Arbitrary<string[]> =
    kind === "coupons" ? fc.tuple(emailArb, codeArb, valueArb, dateArb, pointsArb) : fc.tuple(emailArb, kind === "tiers" ? fc.constantFrom("Gold", "Silver", "", " VIP ") : codeArb, pointsArb);
  return fc.array(
    fc.oneof(
      { weight: 8, arbitrary: cells.map((c): Line => ({ type: "row", cells: c })) },
      { weight: 1, arbitrary: fc.constant<Line>({ type: "ignored" }) },
      { weight: 1, arbitrary: fc.constant<Line>({ type: "malformed" }) },
    ),
    { maxLength: 40 },
  );
}

describe("accounts of tiers, referrals and coupons files", () => {
  it("rows in = valid + rejected + merged + ignored, and points are all 0, for any mix of rows (property)", () => {
    const kindArb = fc.constantFrom<keyof typeof HEADERS>("tiers", "referrals", "coupons");
    fc.assert(
      fc.property(
        kindArb.chain((kind) => fc.tuple(fc.constant(kind), linesArb(kind), fc.constantFrom<DuplicatePolicy | undefined>(undefined, "latest", "review"))),
        ([kind, lines, requested]) => {
          const header = HEADERS[kind];
          const mapping = matchHeaders(header, "generic", undefined, kind as ImportKind).mapping;
          let a = emptyAccounts();
          const valid: NormalizedRecord[] = [];
          lines.forEach((line, i) => {
            const rowNumber = i + 2;
            if (line.type === "ignored") a = addIgnored(a);
            else if (line.type === "malformed") a = addMalformed(a);
            else {
              const outcome = VALIDATORS[kind]({ rowNumber, cells: line.cells }, header, mapping, OPTIONS);
              if (outcome.status === "valid") valid.push(outcome.record);
              else expect(outcome.points).toBe(0);
              a = addOutcome(a, outcome);
            }
          });
          expect(checkAccounts(a)).toEqual([]);

          if (kind === "tiers") {
            const policy = policyForKind("tiers", requested);
            if (!policy.ok) throw new Error(policy.message);
            for (const group of findDuplicateGroups(valid)) a = applyDuplicateResolution(a, group, resolveDuplicateGroup(group, policy.policy));
            if (policy.policy === "latest") expect(a.rowsValid).toBe(new Set(valid.map(identityKey)).size);
          } else {
            const field = kind === "referrals" ? "referralCode" : "couponCode";
            const rows = valid.map((r) => ({ rowNumber: r.rowNumber, identityKey: identityKey(r), code: r[field] ?? "" }));
            const fates = resolveCodeClaims(rows, kind === "referrals" ? REFERRAL_CODE_RULES : COUPON_CODE_RULES);
            a = applyCodeFates(a, fates);
            // What stays valid holds unique codes; a referral customer holds one.
            const lost = new Set(fates.map((f) => f.rowNumber));
            const kept = rows.filter((r) => !lost.has(r.rowNumber));
            expect(new Set(kept.map((r) => codeKey(r.code))).size).toBe(kept.length);
            if (kind === "referrals") expect(new Set(kept.map((r) => r.identityKey)).size).toBe(kept.length);
            if (kind === "coupons") expect(fates.every((f) => f.fate === "rejected")).toBe(true);
          }
          expect(checkAccounts(a)).toEqual([]);
          expect(a.rowsTotal).toBe(lines.length);
          expect(a.rowsValid + a.rowsRejected + a.rowsMerged + a.rowsIgnored).toBe(lines.length);
          expect([a.pointsInFile, a.pointsValid, a.pointsRejected, a.pointsMergedAway]).toEqual([0, 0, 0, 0]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
