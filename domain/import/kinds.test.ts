import { describe, expect, it } from "vitest";
import { fieldForHeader, fieldForHeaderIn, matchHeaders, requireCouponColumns, requireReferralColumns, requireTierColumns } from "./headers";
import { policyForKind } from "./duplicates";
import { looksLikeLink, validateReferralRow } from "./referrals";
import { validateTierRow } from "./tiers";
import { ImportFileError, type ImportKind, type RejectCode, type RowOutcome, type ValidationOptions } from "./types";

const US: ValidationOptions = { defaultCountry: "US", decimalMark: "dot", dateOrder: "mdy", rounding: "reject", maxPoints: 1_000_000 };

function codes(outcome: RowOutcome): RejectCode[] {
  return outcome.status === "rejected" ? outcome.reasons.map((r) => r.code) : [];
}

function validRecord(outcome: RowOutcome) {
  if (outcome.status !== "valid") throw new Error(`expected a valid row, got ${JSON.stringify(outcome)}`);
  return outcome.record;
}

function refusal(check: () => void): ImportFileError {
  try {
    check();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected the file to be refused");
}

describe("header synonyms of the new kinds", () => {
  it("read a Smile tiers file (email, vip_tier) with the Smile preset and by synonyms alone", () => {
    expect(matchHeaders(["email", "vip_tier"], "smile", undefined, "tiers").mapping).toEqual({ email: 0, tier: 1 });
    expect(matchHeaders(["Email", "VIP Tier"], "generic", undefined, "tiers").mapping).toEqual({ email: 0, tier: 1 });
  });

  it("read tiers in Portuguese, Spanish and English", () => {
    for (const h of ["Nível", "nivel", "Nivel VIP", "VIP Tier", "Tier", "Level", "Categoria", "Nível de fidelidade"]) {
      expect(fieldForHeaderIn("tiers", h), h).toBe("tier");
    }
  });

  it("never read points in a tiers, referrals or coupons file", () => {
    for (const kind of ["tiers", "referrals", "coupons"] as const) {
      const { mapping, unmapped } = matchHeaders(["email", "points", "Saldo"], "smile", undefined, kind);
      expect(mapping.points, kind).toBeUndefined();
      expect(unmapped).toEqual(["points", "Saldo"]);
    }
  });

  it("read referral codes in Portuguese, Spanish and English, and a bare 'Code' only in a referrals file", () => {
    for (const h of ["Referral code", "referral_code", "Código de indicação", "Codigo de indicacao", "Código de referido", "Invite code", "Code", "Código"]) {
      expect(fieldForHeaderIn("referrals", h), h).toBe("referralCode");
    }
    expect(fieldForHeader("Code")).toBeNull();
    expect(matchHeaders(["E-mail", "Código de indicação"], "generic", undefined, "referrals").mapping).toEqual({ email: 0, referralCode: 1 });
    expect(matchHeaders(["customer_id", "referral_code"], "loyaltylion", undefined, "referrals").mapping).toEqual({ platformCustomerId: 0, referralCode: 1 });
  });

  it("do not read a referral link as a code", () => {
    for (const h of ["Referral link", "Referral URL", "referral_url"]) expect(fieldForHeaderIn("referrals", h), h).toBeNull();
  });

  it("read coupon columns in Portuguese, Spanish and English", () => {
    const want: Record<string, string> = {
      Coupon: "couponCode",
      "Coupon code": "couponCode",
      "Discount code": "couponCode",
      Cupom: "couponCode",
      "Código do cupom": "couponCode",
      Cupón: "couponCode",
      "Código de descuento": "couponCode",
      Code: "couponCode",
      Código: "couponCode",
      Value: "couponValue",
      Valor: "couponValue",
      Amount: "couponValue",
      "Valor do cupom": "couponValue",
      Monto: "couponValue",
      Expires: "couponExpiresAt",
      "Expiry date": "couponExpiresAt",
      expires_at: "couponExpiresAt",
      Validade: "couponExpiresAt",
      Vencimento: "couponExpiresAt",
      "Expira em": "couponExpiresAt",
      "Fecha de vencimiento": "couponExpiresAt",
      "Válido hasta": "couponExpiresAt",
    };
    for (const [h, field] of Object.entries(want)) expect(fieldForHeaderIn("coupons", h), h).toBe(field);
    const header = ["E-mail", "Cupom", "Valor", "Validade"];
    expect(matchHeaders(header, "bonifiq", undefined, "coupons").mapping).toEqual({ email: 0, couponCode: 1, couponValue: 2, couponExpiresAt: 3 });
    expect(matchHeaders(["customer email", "code", "value", "expires_at"], "smile", undefined, "coupons").mapping).toEqual({
      email: 0,
      couponCode: 1,
      couponValue: 2,
      couponExpiresAt: 3,
    });
  });

  it("leave coupon columns out of a balances or history file, and 'Amount' a history change", () => {
    const { mapping, unmapped } = matchHeaders(["email", "points", "Cupom", "Validade"], "generic");
    expect(mapping).toEqual({ email: 0, points: 1 });
    expect(unmapped).toEqual(["Cupom", "Validade"]);
    expect(fieldForHeaderIn("history", "Amount")).toBe("points");
    expect(fieldForHeaderIn("balances", "Value")).toBeNull();
  });

  it("keep a history file's mapping as before (shared names of its fields, its own points and dates)", () => {
    expect(fieldForHeaderIn("history", "Balance")).toBeNull();
    expect(fieldForHeaderIn("history", "Created at")).toBe("occurredAt");
    expect(fieldForHeaderIn("history", "Data do evento")).toBe("occurredAt");
    expect(fieldForHeaderIn("balances", "Created at")).toBe("enrolledAt");
  });

  it("refuse a file without the kind's columns, naming the headers found", () => {
    expect(refusal(() => requireTierColumns({ email: 0 }, ["email", "points"])).code).toBe("NO_TIER_COLUMN");
    expect(refusal(() => requireTierColumns({ tier: 0 }, ["tier"])).code).toBe("NO_IDENTITY_COLUMN");
    const noCode = refusal(() => requireReferralColumns({ email: 0 }, ["email", "Referral link"]));
    expect(noCode.code).toBe("NO_REFERRAL_CODE_COLUMN");
    expect(noCode.message).toMatch(/"Referral link"/);
    expect(refusal(() => requireCouponColumns({ email: 0, couponValue: 1 }, ["email", "valor"])).code).toBe("NO_COUPON_CODE_COLUMN");
    expect(refusal(() => requireCouponColumns({ email: 0, couponCode: 1 }, ["email", "cupom"])).code).toBe("NO_COUPON_VALUE_COLUMN");
    expect(() => requireCouponColumns({ email: 0, couponCode: 1, couponValue: 2 }, ["email", "cupom", "valor"])).not.toThrow();
  });
});

describe("validateTierRow", () => {
  const header = ["email", "vip_tier", "updated_at", "points"];
  const mapping = matchHeaders(header, "smile", undefined, "tiers").mapping;
  const row = (cells: string[], rowNumber = 2) => validateTierRow({ rowNumber, cells }, header, mapping, US);

  it("keeps the tier as written, trimmed, with 0 points whatever the file says", () => {
    const record = validRecord(row(["Ana@Example.com", "  Gold VIP ", "2024-05-01", "900"]));
    expect(record).toMatchObject({ emailNormalized: "ana@example.com", tier: "Gold VIP", points: 0, updatedAt: "2024-05-01" });
    expect(validRecord(row(["b@example.com", "gold", "", ""])).tier).toBe("gold");
  });

  it("rejects a blank tier ('no tier') and a row without identity, with 0 points", () => {
    const blank = row(["ana@example.com", "   ", "", "900"]);
    expect(codes(blank)).toEqual(["MISSING_TIER"]);
    expect(blank.status === "rejected" && blank.reasons[0]?.message).toMatch(/no tier/i);
    expect(blank.status === "rejected" && blank.points).toBe(0);
    expect(codes(row(["", "Gold", "", ""]))).toEqual(["NO_IDENTITY"]);
    expect(codes(row(["ana@", "", "", ""]))).toEqual(["INVALID_EMAIL", "MISSING_TIER"]);
  });
});

describe("policyForKind", () => {
  it("tiers: latest by default, latest and review accepted, sum and max refused with a reason", () => {
    expect(policyForKind("tiers", undefined)).toEqual({ ok: true, policy: "latest" });
    expect(policyForKind("tiers", "review")).toEqual({ ok: true, policy: "review" });
    expect(policyForKind("tiers", "latest")).toEqual({ ok: true, policy: "latest" });
    for (const policy of ["sum", "max"] as const) {
      const result = policyForKind("tiers", policy);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(new RegExp(`"${policy}".*tier`));
    }
  });

  it("other kinds: any policy, sum by default", () => {
    for (const kind of ["balances", "history", "referrals", "coupons"] as ImportKind[]) {
      expect(policyForKind(kind, undefined)).toEqual({ ok: true, policy: "sum" });
      expect(policyForKind(kind, "max")).toEqual({ ok: true, policy: "max" });
    }
  });
});

describe("validateReferralRow", () => {
  const header = ["E-mail", "Telefone", "Código de indicação"];
  const mapping = matchHeaders(header, "generic", undefined, "referrals").mapping;
  const BR: ValidationOptions = { ...US, defaultCountry: "BR", decimalMark: "comma", dateOrder: "dmy" };
  const row = (cells: string[]) => validateReferralRow({ rowNumber: 2, cells }, header, mapping, BR);

  it("keeps the code as written, trimmed, with 0 points", () => {
    expect(validRecord(row(["ana@example.com", "", "  ANA10 "]))).toMatchObject({ referralCode: "ANA10", points: 0, tier: null });
    expect(validRecord(row(["", "(11) 98765-4321", "bia-2024"]))).toMatchObject({ phoneE164: "+5511987654321", referralCode: "bia-2024" });
  });

  it("rejects an empty code, a link, and a row without identity", () => {
    expect(codes(row(["ana@example.com", "", ""]))).toEqual(["MISSING_REFERRAL_CODE"]);
    expect(codes(row(["ana@example.com", "", "https://rwrd.io/abc123"]))).toEqual(["INVALID_REFERRAL_CODE"]);
    expect(codes(row(["ana@example.com", "", "x".repeat(300)]))).toEqual(["INVALID_REFERRAL_CODE"]);
    expect(codes(row(["", "", "ANA10"]))).toEqual(["NO_IDENTITY"]);
  });

  it("tells links from codes", () => {
    for (const link of ["https://shop.com/?ref=ANA", "http://x.io", "www.shop.com/r/ana", "rwrd.io/abc123"]) expect(looksLikeLink(link), link).toBe(true);
    for (const code of ["ANA10", "ana.souza", "REF-2024", "bia_10"]) expect(looksLikeLink(code), code).toBe(false);
  });
});
