import { describe, expect, it } from "vitest";
import { matchPendingMember, type PendingMember } from "./match";

const m = (id: string, e: string | null, p: string | null = null, c: string | null = null): PendingMember => ({ id, emailNormalized: e, phoneE164: p, cpf: c });

describe("matchPendingMember", () => {
  it("matches one pending member on the e-mail first", () => {
    const pending = [m("a", "ana@example.com"), m("b", null, "+5511987654321")];
    expect(matchPendingMember({ emailNormalized: "ana@example.com", phoneE164: "+5511987654321", cpf: null }, pending)).toEqual({ outcome: "matched", memberId: "a", key: "email" });
  });

  it("falls back to the phone, then the CPF, only when the earlier key finds nobody", () => {
    const pending = [m("b", "other@example.com", "+5511987654321"), m("c", null, null, "52998224725")];
    expect(matchPendingMember({ emailNormalized: "ana@example.com", phoneE164: "+5511987654321", cpf: "52998224725" }, pending)).toMatchObject({ memberId: "b", key: "phone" });
    expect(matchPendingMember({ emailNormalized: "ana@example.com", phoneE164: null, cpf: "52998224725" }, pending)).toMatchObject({ memberId: "c", key: "cpf" });
  });

  it("a tie on the deciding key is a conflict with every member named, in any input order; later keys are not consulted", () => {
    const pending = [m("z", "ana@example.com"), m("a", "ana@example.com"), m("p", null, "+5511987654321")];
    const outcome = matchPendingMember({ emailNormalized: "ana@example.com", phoneE164: "+5511987654321", cpf: null }, pending);
    expect(outcome).toMatchObject({ outcome: "conflict", key: "email", memberIds: ["a", "z"] });
    expect(matchPendingMember({ emailNormalized: "ana@example.com", phoneE164: null, cpf: null }, [...pending].reverse())).toEqual(outcome);
  });

  it("never matches an e-mail variant, and says why nothing matched", () => {
    expect(matchPendingMember({ emailNormalized: "a.na+promo@gmail.com", phoneE164: null, cpf: null }, [m("a", "ana@gmail.com")])).toMatchObject({ outcome: "none" });
    expect(matchPendingMember({ emailNormalized: null, phoneE164: null, cpf: null }, [m("a", "ana@gmail.com")])).toMatchObject({ outcome: "none", reason: expect.stringContaining("no e-mail, phone or CPF") });
  });
});
