/**
 * What a rollback of a migration undoes (DESIGN.md invariant "Undo"; decision 0013).
 *
 * A rollback appends one `rollback` reversal for every entry the migration wrote that still counts:
 * - written by the migration (`migrationId` is the migration: imports, retroactive earns, coupon refunds);
 * - moves points (memos — `restore` — move none: there is nothing to undo, and they stay as history);
 * - is not itself a reversal (a reversal's original is either reversed already, or not the migration's);
 * - is not reversed already (an order cancelled since the migration reversed its retroactive points).
 * Entries written by live earning after the migration (`migrationId` null) are not the migration's
 * and are kept: a member's balance returns to its value before the migration plus what they earned since.
 */
import { MEMO_KINDS, type LedgerEntryLike, type LedgerKind } from "../ledger";
import type { MigrationState } from "../migration-state";

export type RollbackSkip = "not-this-migration" | "memo" | "is-a-reversal" | "already-reversed";

export interface RollbackEntry extends LedgerEntryLike {
  migrationId: string | null;
}

/** Why `entry` is not reversed by a rollback of `migrationId`, or null when it must be. */
export function rollbackSkip(entry: RollbackEntry, migrationId: string, reversed: ReadonlySet<string>): RollbackSkip | null {
  if (entry.migrationId !== migrationId) return "not-this-migration";
  if (entry.points === 0 || MEMO_KINDS.has(entry.kind as LedgerKind)) return "memo";
  if (entry.reversesId !== null) return "is-a-reversal";
  if (reversed.has(entry.id)) return "already-reversed";
  return null;
}

/** The entries a rollback of `migrationId` reverses, in the order given. */
export function rollbackCandidates<E extends RollbackEntry>(entries: readonly E[], migrationId: string): E[] {
  const reversed = new Set(entries.flatMap((e) => (e.reversesId !== null ? [e.reversesId] : [])));
  return entries.filter((e) => rollbackSkip(e, migrationId, reversed) === null);
}

/** States from which a merchant may ask for a rollback: the ledger holds the migration's entries and no job is writing them. */
export const ROLLBACK_FROM: ReadonlySet<MigrationState> = new Set(["applied", "piloted"]);

export type RollbackRequestCheck =
  | { ok: true; resume: boolean }
  | { ok: false; reason: "already-rolled-back" | "apply-running" | "nothing-written"; message: string };

/** Whether a rollback may start (or resume) from `state`, and if not, why — in words for the merchant. */
export function checkRollbackRequest(state: MigrationState): RollbackRequestCheck {
  if (ROLLBACK_FROM.has(state)) return { ok: true, resume: false };
  if (state === "rolling_back") return { ok: true, resume: true };
  if (state === "rolled_back") return { ok: false, reason: "already-rolled-back", message: "this migration was already rolled back; its history stays readable" };
  if (state === "applying") return { ok: false, reason: "apply-running", message: "the migration is being applied; wait for the apply job to finish, then roll back" };
  return { ok: false, reason: "nothing-written", message: `the migration is at "${state}": nothing has been written to the ledger, there is nothing to roll back` };
}
