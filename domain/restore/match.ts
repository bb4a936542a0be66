/**
 * Which pending member a customer who just appeared on the store is (DESIGN.md "Pending customers",
 * decision 0009). The same exact keys, in the same order, as domain/reconcile/match.ts — e-mail
 * (normalizeEmail), E.164 phone (with the shop's country), CPF — looked up the other way round: from one
 * customer to the shop's *pending* members. The first key that finds any pending member decides: one
 * member is a match; several are a conflict, left pending with the reason (never a guess). E-mail
 * variants (Gmail dots, +tags) are never looked at: they only ever suggest, and nobody reviews a webhook.
 * The platform customer id is not a key here: a pending member is, by definition, one with no customer id.
 */

export const RESTORE_KEYS = ["email", "phone", "cpf"] as const;
export type RestoreKey = (typeof RESTORE_KEYS)[number];

/** The customer's identity, already normalised (normalizeEmail, toE164, 11-digit CPF). */
export interface CustomerKeys {
  emailNormalized: string | null;
  phoneE164: string | null;
  cpf: string | null;
}

export interface PendingMember extends CustomerKeys {
  id: string;
}

export type RestoreMatch =
  | { outcome: "matched"; memberId: string; key: RestoreKey }
  | { outcome: "conflict"; key: RestoreKey; memberIds: string[]; reason: string }
  | { outcome: "none"; reason: string };

const KEY_WORDS: Record<RestoreKey, string> = { email: "e-mail", phone: "phone number", cpf: "CPF" };

function valueOf(keys: CustomerKeys, key: RestoreKey): string | null {
  return key === "email" ? keys.emailNormalized : key === "phone" ? keys.phoneE164 : keys.cpf;
}

/** Deterministic for the same inputs in any order (member ids are sorted). */
export function matchPendingMember(customer: CustomerKeys, pending: readonly PendingMember[]): RestoreMatch {
  if (customer.emailNormalized === null && customer.phoneE164 === null && customer.cpf === null) {
    return { outcome: "none", reason: "the customer has no e-mail, phone or CPF to match on" };
  }
  for (const key of RESTORE_KEYS) {
    const value = valueOf(customer, key);
    if (value === null) continue;
    const ids = [...new Set(pending.filter((m) => valueOf(m, key) === value).map((m) => m.id))].sort();
    if (ids.length === 1) return { outcome: "matched", memberId: ids[0]!, key };
    if (ids.length > 1) {
      return { outcome: "conflict", key, memberIds: ids, reason: `${ids.length} pending members share this customer's ${KEY_WORDS[key]}: left pending for review` };
    }
  }
  return { outcome: "none", reason: "no pending member has this customer's e-mail, phone or CPF" };
}
