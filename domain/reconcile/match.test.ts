import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEmail } from "../identity";
import { emailVariantKey, matchRecords, platformIdKey, REASONS } from "./match";
import { cust, customersArb, decisionsArb, rec, recordsArb } from "./test-support";
import type { MatchOptions, ReconcileCustomer, ReconcileRecord, RecordOutcome } from "./types";

const SHOPIFY: MatchOptions = { platform: "shopify", matchByPlatformId: false };
const SHOPIFY_IDS: MatchOptions = { platform: "shopify", matchByPlatformId: true };
const NUVEM_IDS: MatchOptions = { platform: "nuvemshop", matchByPlatformId: true };

const one = (record: ReconcileRecord, customers: ReconcileCustomer[], options = SHOPIFY) => matchRecords([record], customers, [], options)[0]!;

describe("emailVariantKey", () => {
  it("ignores dots and +tags for Gmail, folds googlemail.com into gmail.com", () => {
    expect(emailVariantKey("ana.souza+loja@gmail.com")).toBe("anasouza@gmail.com");
    expect(emailVariantKey("a.n.a@googlemail.com")).toBe("ana@gmail.com");
    expect(emailVariantKey("ana@gmail.com")).toBe("ana@gmail.com");
  });

  it("ignores only +tags for other domains, and keeps what would leave nothing", () => {
    expect(emailVariantKey("ana.souza+promo@exemplo.com.br")).toBe("ana.souza@exemplo.com.br");
    expect(emailVariantKey("ana.souza@exemplo.com.br")).toBe("ana.souza@exemplo.com.br");
    expect(emailVariantKey("+ana@x.com")).toBe("+ana@x.com");
    expect(emailVariantKey("....@gmail.com")).toBe("....@gmail.com");
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z.+]{0,8}@(gmail\.com|googlemail\.com|x\.com)$/), (email) => {
        const once = emailVariantKey(email);
        expect(emailVariantKey(once)).toBe(once);
      }),
    );
  });
});

describe("platformIdKey", () => {
  it("spells the old export's id the way the snapshot does", () => {
    expect(platformIdKey("207119551", "shopify")).toBe("gid://shopify/Customer/207119551");
    expect(platformIdKey("gid://shopify/Customer/7", "shopify")).toBe("gid://shopify/Customer/7");
    expect(platformIdKey("gid://shopify/Order/7", "shopify")).toBeNull();
    expect(platformIdKey(" 123 ", "nuvemshop")).toBe("123");
    expect(platformIdKey("abc", "nuvemshop")).toBeNull();
    expect(platformIdKey(null, "shopify")).toBeNull();
  });
});

describe("matchRecords: keys in order, the first key that finds customers decides", () => {
  const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com", phoneE164: "+5511900000001", cpf: "11144477735" });
  const bia = cust("gid://shopify/Customer/2", { emailNormalized: "bia@x.com", phoneE164: "+5511900000002", cpf: "52998224725" });

  it("matches on e-mail, phone, CPF and — when the customers were migrated with ids — the customer id", () => {
    expect(one(rec("1", { emailNormalized: "ana@x.com" }), [ana, bia])).toEqual({
      recordId: "1",
      class: "matched",
      platformCustomerId: ana.platformId,
      matchedBy: "email",
      reason: null,
      candidates: [],
      points: 100,
    });
    expect(one(rec("1", { emailNormalized: "new@x.com", phoneE164: "+5511900000002" }), [ana, bia])).toMatchObject({ class: "matched", platformCustomerId: bia.platformId, matchedBy: "phone" });
    expect(one(rec("1", { cpf: "11144477735" }), [ana, bia])).toMatchObject({ class: "matched", platformCustomerId: ana.platformId, matchedBy: "cpf" });
    expect(one(rec("1", { platformCustomerRef: "2" }), [ana, bia], SHOPIFY_IDS)).toMatchObject({ class: "matched", platformCustomerId: bia.platformId, matchedBy: "platform_id" });
    expect(one(rec("1", { platformCustomerRef: "55" }), [cust("55")], NUVEM_IDS)).toMatchObject({ class: "matched", platformCustomerId: "55", matchedBy: "platform_id" });
  });

  it("matches e-mails normalised by normalizeEmail whatever their case, spaces or Unicode composition", () => {
    const jose = cust("55", { emailNormalized: normalizeEmail(" JOSE\u0301@Exemplo.com.br") });
    expect(one(rec("1", { emailNormalized: normalizeEmail("jos\u00e9@exemplo.COM.BR ") }), [jose])).toMatchObject({ class: "matched", matchedBy: "email" });
  });

  it("ignores the old customer id when the customer base was not migrated with ids", () => {
    expect(one(rec("1", { platformCustomerRef: "2" }), [ana, bia])).toMatchObject({ class: "conflict", reason: REASONS.nothingToMatchOn });
    expect(one(rec("1", { emailNormalized: "new@x.com", platformCustomerRef: "2" }), [ana, bia])).toMatchObject({ class: "pending", reason: REASONS.pending });
  });

  it("e-mail on customer A and phone on customer B: the e-mail match wins, nothing is flagged", () => {
    const outcome = one(rec("1", { emailNormalized: "ana@x.com", phoneE164: "+5511900000002" }), [ana, bia]);
    expect(outcome).toMatchObject({ class: "matched", platformCustomerId: ana.platformId, matchedBy: "email", reason: null, candidates: [] });
  });

  it("several customers on the deciding key: conflict with the candidates, sorted; later keys are not consulted", () => {
    const twin = cust("gid://shopify/Customer/0", { phoneE164: "+5511900000001" });
    const outcome = one(rec("1", { phoneE164: "+5511900000001", cpf: "11144477735" }), [ana, twin]);
    expect(outcome).toMatchObject({
      class: "conflict",
      platformCustomerId: null,
      matchedBy: null,
      reason: "2 customers of the new store share this phone number",
      candidates: [
        { platformId: twin.platformId, key: "phone" },
        { platformId: ana.platformId, key: "phone" },
      ],
    });
  });

  it("a platform id listed twice in the snapshot is still one customer", () => {
    expect(one(rec("1", { emailNormalized: "ana@x.com" }), [ana, { ...ana }])).toMatchObject({ class: "matched", platformCustomerId: ana.platformId });
  });

  it("no customer on any key: pending (no account on the new store yet)", () => {
    expect(one(rec("1", { emailNormalized: "zoe@x.com", phoneE164: "+5511999999999" }), [ana, bia])).toMatchObject({
      class: "pending",
      platformCustomerId: null,
      reason: REASONS.pending,
    });
  });
});

describe("matchRecords: several records on one customer", () => {
  it("turns every one of them into a conflict that names the others", () => {
    const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com", phoneE164: "+5511900000001" });
    const records = [
      rec("a", { emailNormalized: "ana@x.com" }, "balances.csv row 2"),
      rec("b", { phoneE164: "+5511900000001" }, "balances-2.csv row 9"),
      rec("c", { emailNormalized: "other@x.com" }, "balances.csv row 3"),
    ];
    const [a, b, c] = matchRecords(records, [ana], [], SHOPIFY);
    expect(a).toMatchObject({ class: "conflict", reason: "2 records match this customer (also balances-2.csv row 9)", candidates: [{ platformId: ana.platformId, key: "email" }] });
    expect(b).toMatchObject({ class: "conflict", reason: "2 records match this customer (also balances.csv row 2)", candidates: [{ platformId: ana.platformId, key: "phone" }] });
    expect(c).toMatchObject({ class: "pending" });
  });

  it("a review decision settles it: the hand-made match stays, the automatic one stays a conflict", () => {
    const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com" });
    const records = [rec("a", { emailNormalized: "ana@x.com" }), rec("b", { emailNormalized: "ana@x.com" })];
    const [a, b] = matchRecords(records, [ana], [{ recordId: "a", decision: "match", platformCustomerId: ana.platformId }], SHOPIFY);
    expect(a).toMatchObject({ class: "matched", matchedBy: "review", platformCustomerId: ana.platformId });
    expect(b).toMatchObject({ class: "conflict" });
    const settled = matchRecords(records, [ana], [{ recordId: "a", decision: "match", platformCustomerId: ana.platformId }, { recordId: "b", decision: "reject", platformCustomerId: null }], SHOPIFY);
    expect(settled.map((o) => o.class)).toEqual(["matched", "rejected"]);
  });
});

describe("matchRecords: e-mail variants are suggestions, never matches", () => {
  const gmail = cust("gid://shopify/Customer/1", { emailNormalized: "anasouza@gmail.com" });
  const tagged = cust("gid://shopify/Customer/2", { emailNormalized: "bia+loja@x.com" });
  const dotted = cust("gid://shopify/Customer/3", { emailNormalized: "caio.lima@x.com" });

  it.each([
    ["ana.souza@gmail.com", gmail],
    ["ana.souza+promo@googlemail.com", gmail],
    ["bia@x.com", tagged],
    ["bia+outra@x.com", tagged],
  ])("%s → review, suggesting the customer", (email, customer) => {
    expect(one(rec("1", { emailNormalized: email }), [gmail, tagged, dotted])).toEqual({
      recordId: "1",
      class: "conflict",
      platformCustomerId: null,
      matchedBy: null,
      reason: REASONS.suggested,
      candidates: [{ platformId: customer.platformId, key: "suggested_email" }],
      points: 100,
    });
  });

  it("dots matter outside Gmail", () => {
    expect(one(rec("1", { emailNormalized: "caiolima@x.com" }), [gmail, tagged, dotted])).toMatchObject({ class: "pending" });
  });

  it("an exact key elsewhere wins over a suggestion", () => {
    const phone = cust("gid://shopify/Customer/9", { phoneE164: "+5511900000009" });
    expect(one(rec("1", { emailNormalized: "ana.souza@gmail.com", phoneE164: "+5511900000009" }), [gmail, phone])).toMatchObject({
      class: "matched",
      matchedBy: "phone",
      platformCustomerId: phone.platformId,
    });
  });
});

describe("matchRecords: review decisions win", () => {
  const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com" });
  const bia = cust("gid://shopify/Customer/2", { emailNormalized: "bia@x.com" });
  const record = rec("1", { emailNormalized: "ana@x.com" });

  it("match, pending, reject", () => {
    expect(matchRecords([record], [ana, bia], [{ recordId: "1", decision: "match", platformCustomerId: bia.platformId }], SHOPIFY)[0]).toMatchObject({
      class: "matched",
      matchedBy: "review",
      platformCustomerId: bia.platformId,
      reason: null,
    });
    expect(matchRecords([record], [ana], [{ recordId: "1", decision: "pending", platformCustomerId: null }], SHOPIFY)[0]).toMatchObject({
      class: "pending",
      reason: REASONS.keptPendingInReview,
    });
    expect(matchRecords([record], [ana], [{ recordId: "1", decision: "reject", platformCustomerId: null }], SHOPIFY)[0]).toMatchObject({
      class: "rejected",
      reason: REASONS.rejectedInReview,
      points: 100,
    });
  });

  it("a chosen customer who left the snapshot sends the record back to review, with what matching finds now", () => {
    const [outcome] = matchRecords([record], [ana], [{ recordId: "1", decision: "match", platformCustomerId: "gid://shopify/Customer/404" }], SHOPIFY);
    expect(outcome).toMatchObject({ class: "conflict", reason: REASONS.chosenCustomerGone, candidates: [{ platformId: ana.platformId, key: "email" }] });
    expect(matchRecords([record], [ana], [{ recordId: "1", decision: "match", platformCustomerId: null }], SHOPIFY)[0]).toMatchObject({
      class: "conflict",
      reason: REASONS.reviewChoseNobody,
    });
  });

  it("decisions on records that are not there change nothing", () => {
    expect(matchRecords([record], [ana], [{ recordId: "zzz", decision: "reject", platformCustomerId: null }], SHOPIFY)[0]).toMatchObject({ class: "matched" });
  });
});

// ------------------------------------------------------------------------------ properties

function customerOf(customers: readonly ReconcileCustomer[], platformId: string | null) {
  return customers.find((c) => c.platformId === platformId);
}

describe("matchRecords properties", () => {
  it("one outcome per record, in input order, with the record's points", () => {
    fc.assert(
      fc.property(recordsArb, customersArb, fc.boolean(), (records, customers, byId) => {
        const outcomes = matchRecords(records, customers, [], { platform: "shopify", matchByPlatformId: byId });
        expect(outcomes.map((o) => o.recordId)).toEqual(records.map((r) => r.id));
        expect(outcomes.map((o) => o.points)).toEqual(records.map((r) => r.points));
        expect(new Set(outcomes.map((o) => o.recordId)).size).toBe(records.length);
      }),
    );
  });

  it("an automatic match is always on an exact key, never a suggestion, and no other record claims that customer", () => {
    fc.assert(
      fc.property(recordsArb, customersArb, (records, customers) => {
        const outcomes = matchRecords(records, customers, [], SHOPIFY_IDS);
        outcomes.forEach((o, i) => {
          const r = records[i]!;
          if (o.class === "matched") {
            const c = customerOf(customers, o.platformCustomerId)!;
            expect(c).toBeDefined();
            const exact = {
              email: r.emailNormalized !== null && r.emailNormalized === c.emailNormalized,
              phone: r.phoneE164 !== null && r.phoneE164 === c.phoneE164,
              cpf: r.cpf !== null && r.cpf === c.cpf,
              platform_id: r.platformCustomerRef !== null && (c.platformId === r.platformCustomerRef || c.platformId === `gid://shopify/Customer/${r.platformCustomerRef}`),
            };
            expect(o.matchedBy).not.toBe("review");
            expect(exact[o.matchedBy as keyof typeof exact]).toBe(true);
            expect(outcomes.filter((other) => other.class === "matched" && other.platformCustomerId === o.platformCustomerId)).toHaveLength(1);
          }
          if (o.candidates.some((c) => c.key === "suggested_email")) {
            expect(o).toMatchObject({ class: "conflict", reason: REASONS.suggested, platformCustomerId: null });
          }
          if (o.class === "pending") {
            expect(customers.some((c) => (r.emailNormalized !== null && c.emailNormalized === r.emailNormalized) || (r.phoneE164 !== null && c.phoneE164 === r.phoneE164) || (r.cpf !== null && c.cpf === r.cpf))).toBe(false);
          }
        });
      }),
    );
  });

  it("a record whose only link is an e-mail variant is never matched without a review decision", () => {
    const variants = fc.record({
      user: fc.stringMatching(/^[a-z]{2,6}$/),
      dots: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }),
      tag: fc.option(fc.stringMatching(/^[a-z0-9]{1,5}$/)),
      domain: fc.constantFrom("gmail.com", "googlemail.com"),
      customerDomain: fc.constantFrom("gmail.com", "googlemail.com"),
    });
    fc.assert(
      fc.property(variants, customersArb, ({ user, dots, tag, domain, customerDomain }, others) => {
        let local = user;
        for (const d of dots) local = `${local.slice(0, d % local.length || 1)}.${local.slice(d % local.length || 1)}`;
        const recordEmail = `${local}${tag === null ? "" : `+${tag}`}@${domain}`;
        const customerEmail = `${user}@${customerDomain}`;
        fc.pre(recordEmail !== customerEmail);
        const target = cust("gid://shopify/Customer/777", { emailNormalized: customerEmail });
        const [outcome] = matchRecords([rec("1", { emailNormalized: recordEmail })], [...others, target], [], SHOPIFY);
        expect(outcome!.class).toBe("conflict");
        expect(outcome!.matchedBy).toBeNull();
        expect(outcome!.candidates).toContainEqual({ platformId: target.platformId, key: "suggested_email" });
      }),
    );
  });

  it("does not depend on the order of the customers", () => {
    fc.assert(
      fc.property(
        recordsArb,
        customersArb.chain((customers) => fc.tuple(fc.constant(customers), fc.shuffledSubarray(customers, { minLength: customers.length }))),
        (records, [customers, shuffled]) => {
          expect(matchRecords(records, shuffled, [], SHOPIFY_IDS)).toEqual(matchRecords(records, customers, [], SHOPIFY_IDS));
        },
      ),
    );
  });

  it("respects review decisions on every re-run", () => {
    const state = fc
      .tuple(recordsArb, customersArb)
      .chain(([records, customers]) => fc.tuple(fc.constant(records), fc.constant(customers), decisionsArb(records, customers)));
    fc.assert(
      fc.property(state, ([records, customers, decisions]) => {
        const first = matchRecords(records, customers, decisions, SHOPIFY_IDS);
        const again = matchRecords(records, customers, decisions, SHOPIFY_IDS);
        expect(again).toEqual(first);
        const byId = new Map<string, RecordOutcome>(first.map((o) => [o.recordId, o]));
        for (const d of decisions) {
          const o = byId.get(d.recordId)!;
          if (d.decision === "reject") expect(o.class).toBe("rejected");
          else if (d.decision === "pending") expect(o.class).toBe("pending");
          else if (customerOf(customers, d.platformCustomerId)) expect(o).toMatchObject({ class: "matched", matchedBy: "review", platformCustomerId: d.platformCustomerId });
          else expect(o.class).toBe("conflict");
        }
        const decided = new Set(decisions.map((d) => d.recordId));
        first.forEach((o) => {
          if (o.matchedBy === "review") expect(decided.has(o.recordId)).toBe(true);
          if (o.class === "rejected") expect(decided.has(o.recordId)).toBe(true);
        });
      }),
    );
  });
});

describe("matchRecords: many records on one customer", () => {
  it("names three of the others and counts the rest, in linear time", () => {
    const shop = cust("gid://shopify/Customer/1", { emailNormalized: "loja@x.com" });
    const records = Array.from({ length: 20_000 }, (_, i) => rec(`r${i}`, { emailNormalized: "loja@x.com" }, `f.csv row ${i + 2}`));
    const outcomes = matchRecords(records, [shop], [], SHOPIFY);
    expect(outcomes[0]!.reason).toBe("20000 records match this customer (also f.csv row 3, f.csv row 4, f.csv row 5 and 19996 more)");
    expect(outcomes[5]!.reason).toBe("20000 records match this customer (also f.csv row 2, f.csv row 3, f.csv row 4 and 19996 more)");
    expect(outcomes.every((o) => o.class === "conflict")).toBe(true);
  });
});
