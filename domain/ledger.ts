/**
 * Rules of the points ledger (DESIGN.md invariants "Conservation", "Exactly once", "Undo").
 * Persistence lives in app/; everything here is pure and testable without a database.
 */

export const LEDGER_KINDS = ["import", "restore", "earn", "reverse", "adjust", "coupon_refund", "rollback"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntryLike {
  id: string;
  memberId: string;
  kind: LedgerKind;
  points: number;
  idempotencyKey: string;
  reversesId: string | null;
}

export class LedgerRuleError extends Error {
  constructor(
    readonly code: "NOT_AN_INTEGER" | "ZERO_POINTS" | "ALREADY_REVERSED" | "CANNOT_REVERSE_A_REVERSAL" | "BAD_KEY_PART",
    message: string,
  ) {
    super(message);
    this.name = "LedgerRuleError";
  }
}

function keyPart(part: string | number): string {
  const text = String(part);
  if (text === "" || (text.includes(":") && !text.startsWith("gid://"))) {
    throw new LedgerRuleError("BAD_KEY_PART", `an idempotency key part must be non-empty and free of ':' (got "${text}")`);
  }
  return text;
}

/**
 * Idempotency keys are derived from the source of an entry, never random: replaying the same
 * file row, job or webhook derives the same key, and the unique index turns the replay into a no-op.
 */
export const idempotencyKey = {
  importRow: (migrationId: string, recordId: string) => `import:${keyPart(migrationId)}:${keyPart(recordId)}`,
  restore: (migrationId: string, memberId: string) => `restore:${keyPart(migrationId)}:${keyPart(memberId)}`,
  orderEarn: (platform: string, orderId: string) => `order:${keyPart(platform)}:${keyPart(orderId)}:earn`,
  orderReverse: (platform: string, orderId: string) => `order:${keyPart(platform)}:${keyPart(orderId)}:reverse`,
  rollback: (migrationId: string, entryId: string) => `rollback:${keyPart(migrationId)}:${keyPart(entryId)}`,
  couponRefund: (migrationId: string, couponCode: string) => `coupon:${keyPart(migrationId)}:${keyPart(couponCode)}`,
  /** Points for an order placed in the migration's retroactive window. */
  retroactive: (migrationId: string, orderId: string) => `retro:${keyPart(migrationId)}:${keyPart(orderId)}`,
  adjustment: (requestId: string) => `adjust:${keyPart(requestId)}`,
};

/**
 * Kinds whose entries may move no points. A `restore` entry is a memo: it records the moment a
 * pending member's points (credited at apply) became visible on the store, once, and its unique
 * key is what makes ten concurrent registrations restore once.
 */
export const MEMO_KINDS: ReadonlySet<LedgerKind> = new Set(["restore"]);

export function assertPoints(points: number, kind?: LedgerKind): void {
  if (!Number.isSafeInteger(points)) throw new LedgerRuleError("NOT_AN_INTEGER", `points must be an integer, got ${points}`);
  if (points === 0 && !(kind && MEMO_KINDS.has(kind))) throw new LedgerRuleError("ZERO_POINTS", "a ledger entry must move points");
}

/** A member's balance is Σ of their entries, always. */
export function balanceOf(entries: readonly Pick<LedgerEntryLike, "points">[]): number {
  return entries.reduce((sum, e) => sum + e.points, 0);
}

/** The entry that undoes `original`: same member, opposite points, pointing back at it. */
export function reversalOf(
  original: LedgerEntryLike,
  alreadyReversed: ReadonlySet<string>,
  kind: Extract<LedgerKind, "reverse" | "rollback">,
  idempotencyKeyForReversal: string,
): Omit<LedgerEntryLike, "id"> {
  if (original.reversesId !== null) {
    throw new LedgerRuleError("CANNOT_REVERSE_A_REVERSAL", `entry ${original.id} is itself a reversal`);
  }
  if (alreadyReversed.has(original.id)) {
    throw new LedgerRuleError("ALREADY_REVERSED", `entry ${original.id} was already reversed`);
  }
  return {
    memberId: original.memberId,
    kind,
    points: -original.points,
    idempotencyKey: idempotencyKeyForReversal,
    reversesId: original.id,
  };
}
