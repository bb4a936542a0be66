/**
 * Codes that must be unique in a file — referral codes and coupon codes — settled over the whole
 * file once its rows are validated. The first row (in file order) that carries a code keeps it;
 * later rows are merged or rejected by the rules of the kind. Pure: the caller hands over the rows
 * that may clash and applies the fates.
 */
import type { RejectReason } from "./types";

/** Codes are compared without case and surrounding spaces: discount codes are case-insensitive on the new platforms. */
export function codeKey(code: string): string {
  return code.trim().toUpperCase();
}

export interface CodeRow {
  rowNumber: number;
  /** duplicates.ts identityKey of the row's customer. */
  identityKey: string;
  /** The code as written. */
  code: string;
}

export interface CodeRules {
  /** "referral code" | "coupon code": for the reasons. */
  label: string;
  duplicateCode: "DUPLICATE_REFERRAL_CODE" | "DUPLICATE_COUPON_CODE";
  /** The same customer with the same code again: one row (merge) or a second coupon that cannot exist (reject). */
  sameCustomerSameCode: "merge" | "reject";
  /** A customer carries one code (referrals): a second, different code of theirs is rejected. */
  oneCodePerCustomer: boolean;
}

export const REFERRAL_CODE_RULES: CodeRules = {
  label: "referral code",
  duplicateCode: "DUPLICATE_REFERRAL_CODE",
  sameCustomerSameCode: "merge",
  oneCodePerCustomer: true,
};

export const COUPON_CODE_RULES: CodeRules = {
  label: "coupon code",
  duplicateCode: "DUPLICATE_COUPON_CODE",
  sameCustomerSameCode: "reject",
  oneCodePerCustomer: false,
};

export type CodeFate = { rowNumber: number; fate: "merged"; into: number } | { rowNumber: number; fate: "rejected"; reason: RejectReason };

function shown(code: string): string {
  return `"${code.length > 80 ? `${code.slice(0, 77)}…` : code}"`;
}

/**
 * The fates of the rows that lose their code, in file order; rows not listed keep theirs. `rows`
 * are valid rows in any order; every row that shares a code (or, with oneCodePerCustomer, a
 * customer) with another must be among them — rows that share nothing may be left out, they keep
 * their code whatever the others do. Rules, row by row in file order:
 * 1. The code is already held by an earlier row: the same customer → merged into it
 *    (sameCustomerSameCode "merge") or rejected; another customer → rejected, naming that row.
 * 2. oneCodePerCustomer and the customer already holds another code: rejected, naming that row.
 * 3. Otherwise the row holds its code (and, with oneCodePerCustomer, the customer holds it).
 * A rejected or merged row claims nothing.
 */
export function resolveCodeClaims(rows: readonly CodeRow[], rules: CodeRules): CodeFate[] {
  const sorted = [...rows].sort((a, b) => a.rowNumber - b.rowNumber);
  const holderOfCode = new Map<string, CodeRow>();
  const codeOfCustomer = new Map<string, CodeRow>();
  const fates: CodeFate[] = [];
  for (const row of sorted) {
    const key = codeKey(row.code);
    const holder = holderOfCode.get(key);
    if (holder !== undefined) {
      if (holder.identityKey === row.identityKey && rules.sameCustomerSameCode === "merge") {
        fates.push({ rowNumber: row.rowNumber, fate: "merged", into: holder.rowNumber });
      } else {
        const whose = holder.identityKey === row.identityKey ? "the same customer" : "another customer";
        fates.push({
          rowNumber: row.rowNumber,
          fate: "rejected",
          reason: {
            code: rules.duplicateCode,
            message: `The ${rules.label} ${shown(row.code)} is already on row ${holder.rowNumber} (${whose}): a ${rules.label} can be carried once.`,
          },
        });
      }
      continue;
    }
    const held = rules.oneCodePerCustomer ? codeOfCustomer.get(row.identityKey) : undefined;
    if (held !== undefined) {
      fates.push({
        rowNumber: row.rowNumber,
        fate: "rejected",
        reason: {
          code: "CONFLICTING_REFERRAL_CODE",
          message: `This customer (${row.identityKey}) already has the ${rules.label} ${shown(held.code)} on row ${held.rowNumber}: a customer carries one ${rules.label}; ${shown(row.code)} is not carried.`,
        },
      });
      continue;
    }
    holderOfCode.set(key, row);
    if (rules.oneCodePerCustomer) codeOfCustomer.set(row.identityKey, row);
  }
  return fates;
}
