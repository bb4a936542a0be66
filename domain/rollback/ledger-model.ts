/**
 * An in-memory model of the ledger service (app/services/ledger/ledger.server.ts) built on the same
 * domain rules: idempotency by key, reversal at most once and never of a reversal, memos of zero
 * points, balance = Σ entries, and the rollback of rollback.ts. Property tests replay sequences of
 * operations through it (domain/rollback/ledger-model.test.ts) and use it as the oracle of the
 * integration property test against the real database (tests/integration/ledger-properties.test.ts).
 */
import { assertPoints, idempotencyKey, reversalOf, type LedgerKind } from "../ledger";
import { rollbackCandidates, type RollbackEntry } from "./rollback";

export interface ModelEntry extends RollbackEntry {
  migrationId: string | null;
}

export type ModelOutcome = "posted" | "duplicate" | "refused";

export class LedgerModel {
  readonly entries: ModelEntry[] = [];
  private readonly byKey = new Map<string, ModelEntry>();
  private readonly reversed = new Set<string>();
  /** The projection, moved with every entry (Member.balance). */
  readonly balances = new Map<string, number>();
  /** Migrations rolled back: they take no new entries (their state is closed). */
  readonly rolledBack = new Set<string>();
  private seq = 0;

  post(entry: { memberId: string; migrationId: string | null; kind: LedgerKind; points: number; idempotencyKey: string; reversesId?: string | null }): ModelOutcome {
    if (this.byKey.has(entry.idempotencyKey)) return "duplicate";
    if (entry.migrationId !== null && this.rolledBack.has(entry.migrationId) && entry.kind !== "rollback" && entry.kind !== "reverse") return "refused";
    assertPoints(entry.points, entry.kind);
    const created: ModelEntry = { id: `e${String(++this.seq).padStart(6, "0")}`, reversesId: null, ...entry };
    this.entries.push(created);
    this.byKey.set(created.idempotencyKey, created);
    if (created.reversesId !== null) this.reversed.add(created.reversesId);
    this.balances.set(created.memberId, (this.balances.get(created.memberId) ?? 0) + created.points);
    return "posted";
  }

  /** Like postReversal: a replay of the key is a duplicate; reversing twice, a reversal or a memo is refused. */
  reverse(originalKey: string, kind: "reverse" | "rollback", key: string): ModelOutcome {
    if (this.byKey.has(key)) return "duplicate";
    const original = this.byKey.get(originalKey);
    if (!original || original.points === 0) return "refused";
    try {
      const reversal = reversalOf(original, this.reversed, kind, key);
      return this.post({ ...reversal, migrationId: original.migrationId });
    } catch {
      return "refused";
    }
  }

  /** The rollback service's effect: every candidate of rollback.ts reversed with its rollback key. */
  rollback(migrationId: string): number {
    this.rolledBack.add(migrationId);
    let count = 0;
    for (const entry of rollbackCandidates(this.entries, migrationId)) {
      if (this.reverse(entry.idempotencyKey, "rollback", idempotencyKey.rollback(migrationId, entry.id)) === "posted") count++;
    }
    return count;
  }

  entryByKey(key: string): ModelEntry | undefined {
    return this.byKey.get(key);
  }

  balance(memberId: string): number {
    return this.balances.get(memberId) ?? 0;
  }

  /** Σ of the member's entries, recomputed (what checkBalances compares the projection with). */
  sumOfEntries(memberId: string): number {
    return this.entries.filter((e) => e.memberId === memberId).reduce((s, e) => s + e.points, 0);
  }
}

/**
 * The operations the app performs on the ledger, as the property tests generate them. Orders are
 * either live (earned by webhooks, no migration) or retroactive (a migration's points for an order
 * of its window): an order id is never both.
 */
export type LedgerOp =
  | { op: "import"; migration: string; record: string; member: string; points: number }
  | { op: "retro"; migration: string; order: string; member: string; points: number }
  | { op: "earn"; order: string; member: string; points: number }
  | { op: "cancel"; order: string; retroOf: string | null }
  | { op: "coupon"; migration: string; code: string; member: string; points: number }
  | { op: "restore"; migration: string; member: string }
  | { op: "rollback"; migration: string };

export const MODEL_PLATFORM = "shopify";

/** What an operation posts: the entry (with its key), or the reversal of the entry under `originalKey`. */
export type OpWrite =
  | { write: "entry"; memberId: string; migrationId: string | null; kind: LedgerKind; points: number; idempotencyKey: string }
  | { write: "reversal"; originalKey: string; idempotencyKey: string }
  | { write: "rollback"; migrationId: string };

export function opWrite(op: LedgerOp, couponKey: (migration: string, code: string) => string): OpWrite {
  switch (op.op) {
    case "import":
      return { write: "entry", memberId: op.member, migrationId: op.migration, kind: "import", points: op.points, idempotencyKey: idempotencyKey.importRow(op.migration, op.record) };
    case "retro":
      return { write: "entry", memberId: op.member, migrationId: op.migration, kind: "earn", points: op.points, idempotencyKey: idempotencyKey.retroactive(op.migration, op.order) };
    case "earn":
      return { write: "entry", memberId: op.member, migrationId: null, kind: "earn", points: op.points, idempotencyKey: idempotencyKey.orderEarn(MODEL_PLATFORM, op.order) };
    case "cancel":
      return {
        write: "reversal",
        originalKey: op.retroOf !== null ? idempotencyKey.retroactive(op.retroOf, op.order) : idempotencyKey.orderEarn(MODEL_PLATFORM, op.order),
        idempotencyKey: idempotencyKey.orderReverse(MODEL_PLATFORM, op.order),
      };
    case "coupon":
      return { write: "entry", memberId: op.member, migrationId: op.migration, kind: "coupon_refund", points: op.points, idempotencyKey: couponKey(op.migration, op.code) };
    case "restore":
      return { write: "entry", memberId: op.member, migrationId: op.migration, kind: "restore", points: 0, idempotencyKey: idempotencyKey.restore(op.migration, op.member) };
    case "rollback":
      return { write: "rollback", migrationId: op.migration };
  }
}

/** Replays `op` on the model. */
export function applyOp(model: LedgerModel, op: LedgerOp, couponKey: (migration: string, code: string) => string): ModelOutcome | number {
  const w = opWrite(op, couponKey);
  if (w.write === "rollback") return model.rollback(w.migrationId);
  if (w.write === "reversal") return model.reverse(w.originalKey, "reverse", w.idempotencyKey);
  return model.post(w);
}
