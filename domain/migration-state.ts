/**
 * The life of one migration, as the wizard walks it (DESIGN.md "Who uses it and how").
 * Which state may follow which lives here so that the wizard, the jobs and the CLI agree.
 */
export const MIGRATION_STATES = [
  "draft", // platforms answered, nothing uploaded
  "uploaded", // the provider's export is stored
  "validated", // rows mapped, validated and staged
  "rules_set", // order states, retroactive points, coupons, tiers chosen
  "syncing", // pulling the new platform's customers and orders
  "previewed", // dry run stored; nothing written to the ledger yet
  "applying", // writing the ledger and pushing balances (pilot or all)
  "piloted", // a pilot sample is applied; the merchant checks it before applying the rest
  "applied", // every matched member credited; pending members wait for registration
  "rolling_back",
  "rolled_back",
] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

// A failed job does not change the state: the job records the error and the same step is
// retried (a state may follow itself). Once the ledger is written, the only ways on are
// forward (apply the rest) or back through a rollback, never to an earlier wizard step.
const NEXT: Record<MigrationState, readonly MigrationState[]> = {
  draft: ["uploaded"],
  uploaded: ["uploaded", "validated", "draft"],
  validated: ["uploaded", "validated", "rules_set"],
  // rules_set → previewed: the store's snapshot is already fresh (synced for this shop), so the dry run
  // can follow the rules directly.
  rules_set: ["validated", "rules_set", "syncing", "previewed"],
  syncing: ["syncing", "previewed", "rules_set"],
  previewed: ["rules_set", "syncing", "applying"],
  applying: ["applying", "piloted", "applied"],
  piloted: ["applying", "rolling_back"],
  applied: ["rolling_back"],
  rolling_back: ["rolling_back", "rolled_back"],
  rolled_back: [],
};

export function isMigrationState(value: string): value is MigrationState {
  return (MIGRATION_STATES as readonly string[]).includes(value);
}

export function canTransition(from: MigrationState, to: MigrationState): boolean {
  return NEXT[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: MigrationState,
    readonly to: MigrationState,
  ) {
    super(`a migration in state "${from}" cannot move to "${to}" (allowed: ${NEXT[from].join(", ") || "none"})`);
    this.name = "IllegalTransitionError";
  }
}

export function transition(from: MigrationState, to: MigrationState): MigrationState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

/** States in which the ledger may hold entries written by this migration. */
export function hasWrittenLedger(state: MigrationState): boolean {
  return ["applying", "piloted", "applied", "rolling_back", "rolled_back"].includes(state);
}
