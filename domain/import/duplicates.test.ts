import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RepeatedKeyFilter, duplicateReviewOutcome, findDuplicateGroups, identityKey, resolveDuplicateGroup } from "./duplicates";
import type { DuplicatePolicy, NormalizedRecord } from "./types";

function record(rowNumber: number, fields: Partial<NormalizedRecord> = {}): NormalizedRecord {
  return {
    rowNumber,
    email: null,
    emailNormalized: null,
    phone: null,
    phoneE164: null,
    cpf: null,
    platformCustomerRef: null,
    firstName: null,
    lastName: null,
    points: 0,
    pointsSpent: null,
    tier: null,
    referralCode: null,
    marketingConsent: null,
    birthday: null,
    enrolledAt: null,
    updatedAt: null,
    status: null,
    raw: {},
    ...fields,
  };
}

describe("identityKey", () => {
  it("takes the first identity present: e-mail, phone, CPF, customer id", () => {
    const all = { emailNormalized: "ana@x.com", phoneE164: "+5511987654321", cpf: "52998224725", platformCustomerRef: "42" };
    expect(identityKey(record(2, all))).toBe("email:ana@x.com");
    expect(identityKey(record(2, { ...all, emailNormalized: null }))).toBe("phone:+5511987654321");
    expect(identityKey(record(2, { ...all, emailNormalized: null, phoneE164: null }))).toBe("cpf:52998224725");
    expect(identityKey(record(2, { platformCustomerRef: "42" }))).toBe("id:42");
    expect(identityKey(record(7))).toBe("row:7");
  });

  it("does not merge Gmail dots, +tags or googlemail.com: those are suggestions for review elsewhere", () => {
    const keys = ["ana.souza@gmail.com", "anasouza@gmail.com", "ana.souza+loja@gmail.com", "ana.souza@googlemail.com"].map((e) =>
      identityKey(record(2, { emailNormalized: e })),
    );
    expect(new Set(keys).size).toBe(4);
  });
});

describe("findDuplicateGroups", () => {
  it("groups rows with the same key, in file order, and leaves single rows out", () => {
    const rows = [
      record(5, { emailNormalized: "a@x.com" }),
      record(2, { emailNormalized: "a@x.com" }),
      record(3, { emailNormalized: "b@x.com" }),
      record(9, { phoneE164: "+5511987654321" }),
      record(4, { phoneE164: "+5511987654321" }),
    ];
    expect(findDuplicateGroups(rows).map((g) => g.map((r) => r.rowNumber))).toEqual([
      [2, 5],
      [4, 9],
    ]);
  });
});

describe("resolveDuplicateGroup", () => {
  const group = [
    record(2, { points: 100, updatedAt: "2025-01-10", enrolledAt: "2023-01-01" }),
    record(3, { points: 300, updatedAt: "2025-03-01T10:00:00Z", enrolledAt: "2022-01-01" }),
    record(4, { points: 300, updatedAt: null, enrolledAt: "2024-01-01" }),
  ];

  it("sum: the first row carries the sum, nothing is merged away", () => {
    expect(resolveDuplicateGroup(group, "sum")).toEqual({ survivor: 2, survivorPoints: 700, merged: [3, 4], pointsMergedAway: 0 });
  });

  it("max: the row with most points, the first of equals", () => {
    expect(resolveDuplicateGroup(group, "max")).toEqual({ survivor: 3, survivorPoints: 300, merged: [2, 4], pointsMergedAway: 400 });
  });

  it("latest: latest updatedAt, then latest enrolledAt, then the last row", () => {
    expect(resolveDuplicateGroup(group, "latest")).toEqual({ survivor: 3, survivorPoints: 300, merged: [2, 4], pointsMergedAway: 400 });
    const noUpdates = group.map((r) => ({ ...r, updatedAt: null }));
    expect(resolveDuplicateGroup(noUpdates, "latest")).toMatchObject({ survivor: 4 });
    const nothing = group.map((r) => ({ ...r, updatedAt: null, enrolledAt: null }));
    expect(resolveDuplicateGroup(nothing, "latest")).toMatchObject({ survivor: 4, merged: [2, 3] });
    const sameUpdate = group.map((r) => ({ ...r, updatedAt: "2025-01-10" }));
    expect(resolveDuplicateGroup(sameUpdate, "latest")).toMatchObject({ survivor: 4 });
  });

  it("review: every row goes to review", () => {
    expect(resolveDuplicateGroup(group, "review")).toEqual({ review: [2, 3, 4] });
    const outcome = duplicateReviewOutcome(group[1]!, [2, 3, 4]);
    expect(outcome).toMatchObject({ status: "rejected", rowNumber: 3, points: 300, reasons: [{ code: "DUPLICATE_FOR_REVIEW" }] });
    if (outcome.status === "rejected") expect(outcome.reasons[0]?.message).toContain("rows 2, 4");
  });

  it("takes rows in file order whatever order they come in", () => {
    expect(resolveDuplicateGroup([...group].reverse(), "sum")).toMatchObject({ survivor: 2, merged: [3, 4] });
    expect(resolveDuplicateGroup([...group].reverse(), "max")).toMatchObject({ survivor: 3 });
  });

  const groupArb = fc
    .array(
      fc.record({
        points: fc.integer({ min: 0, max: 1_000_000 }),
        updatedAt: fc.option(fc.constantFrom("2024-01-01", "2024-06-30T12:00:00Z", "2025-02-01", "garbage"), { nil: null }),
        enrolledAt: fc.option(fc.constantFrom("2020-01-01", "2021-05-05"), { nil: null }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .chain((rows) =>
      fc.shuffledSubarray(
        rows.map((r, i) => record(i + 2, { ...r, emailNormalized: "same@x.com" })),
        { minLength: rows.length, maxLength: rows.length },
      ),
    );

  it("conserves points under every policy", () => {
    fc.assert(
      fc.property(groupArb, fc.constantFrom<DuplicatePolicy>("sum", "max", "latest", "review"), (rows, policy) => {
        const total = rows.reduce((s, r) => s + r.points, 0);
        const resolution = resolveDuplicateGroup(rows, policy);
        const rowNumbers = rows.map((r) => r.rowNumber).sort((a, b) => a - b);
        if ("review" in resolution) {
          expect(resolution.review).toEqual(rowNumbers);
          return;
        }
        expect(resolution.survivorPoints + resolution.pointsMergedAway).toBe(total);
        if (policy === "sum") {
          expect(resolution.survivorPoints).toBe(total);
          expect(resolution.pointsMergedAway).toBe(0);
          expect(resolution.survivor).toBe(rowNumbers[0]);
        } else {
          const survivor = rows.find((r) => r.rowNumber === resolution.survivor);
          expect(resolution.survivorPoints).toBe(survivor?.points);
          expect(resolution.pointsMergedAway).toBeGreaterThanOrEqual(0);
        }
        if (policy === "max") expect(resolution.survivorPoints).toBe(Math.max(...rows.map((r) => r.points)));
        expect([resolution.survivor, ...resolution.merged].sort((a, b) => a - b)).toEqual(rowNumbers);
      }),
    );
  });
});

describe("RepeatedKeyFilter", () => {
  it("names every key seen more than once, whatever the filter size", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), fc.integer({ min: 0, max: 12 }), (keys, log) => {
        const filter = new RepeatedKeyFilter(2 ** log);
        for (const key of keys) filter.add(key);
        const candidates = new Set(filter.candidates());
        const counts = new Map<string, number>();
        for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
        for (const [key, count] of counts) if (count > 1) expect(candidates.has(key)).toBe(true);
      }),
    );
  });

  it("names few keys seen once with the default size", () => {
    const filter = new RepeatedKeyFilter();
    for (let i = 0; i < 200_000; i += 1) filter.add(`email:customer${i}@example.com`);
    filter.add("email:customer7@example.com");
    const candidates = filter.candidates();
    expect(candidates).toContain("email:customer7@example.com");
    expect(candidates.length).toBeLessThan(20);
  });
});
