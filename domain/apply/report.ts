/**
 * The post-migration report's identity (DESIGN.md "Validate & relaunch", "Conservation"): every point
 * of the file is accounted for exactly once,
 *
 *   points in the file = credited to matched + credited to pending + conflict (not applied) + rejected
 *                        [+ awaiting apply] [+ reversed]
 *
 * where "credited" counts `import` entries of the migration that are not reversed, split by the class
 * of their record in the preview that was applied; "awaiting apply" is matched/pending records without
 * an import entry yet (the rest after a pilot: 0 once applied); "reversed" is import entries a rollback
 * undid. Retroactive points are new points, outside the file, and reported beside it.
 * The terms come from the ledger (joined to the preview's RecordMatch rows), not from the preview's
 * own totals, so a lost or doubled entry breaks the identity; checkApplyIdentity says how, in words.
 */

export interface ApplyIdentityInput {
  state: string;
  pointsInFile: number;
  creditedMatched: number;
  creditedPending: number;
  conflictNotApplied: number;
  rejected: number;
  awaitingApply: number;
  reversed: number;
  /** Not reversed import entries on records the preview classes conflict or rejected. */
  creditedToOtherClasses: number;
  /** Import entries whose points differ from their record's. */
  entriesWithOtherPoints: number;
  /** Σ points of the migration's import entries that no record of the preview names. */
  orphanImportPoints: number;
  /** Members whose balance is not Σ of their entries (checkBalances). */
  balanceDrift: number;
}

export interface ApplyIdentity {
  holds: boolean;
  statement: string;
  problems: string[];
}

const n = (x: number) => x.toLocaleString("en");

export function checkApplyIdentity(i: ApplyIdentityInput): ApplyIdentity {
  const terms: Array<[string, number]> = [
    ["credited to matched", i.creditedMatched],
    ["credited to pending", i.creditedPending],
    ["conflict, not applied", i.conflictNotApplied],
    ["rejected", i.rejected],
  ];
  if (i.awaitingApply !== 0) terms.push(["awaiting apply", i.awaitingApply]);
  if (i.reversed !== 0) terms.push(["reversed", i.reversed]);
  if (i.creditedToOtherClasses !== 0) terms.push(["credited to records now in conflict or rejected", i.creditedToOtherClasses]);
  const sum = terms.reduce((s, [, v]) => s + v, 0);
  const statement = `points in the file ${n(i.pointsInFile)} ${sum === i.pointsInFile ? "=" : "≠"} ${terms.map(([label, v]) => `${label} ${n(v)}`).join(" + ")}${sum === i.pointsInFile ? "" : ` = ${n(sum)}`}`;

  const problems: string[] = [];
  if (sum !== i.pointsInFile) {
    const gap = i.pointsInFile - sum;
    problems.push(
      gap > 0
        ? `${n(gap)} points of the file are accounted for nowhere: neither credited, pending, in conflict nor rejected`
        : `${n(-gap)} points more are accounted for than the file holds: something was counted twice`,
    );
  }
  if (i.creditedToOtherClasses !== 0) problems.push(`${n(i.creditedToOtherClasses)} points are credited to records the applied preview classes as conflict or rejected`);
  if (i.entriesWithOtherPoints !== 0) problems.push(`${n(i.entriesWithOtherPoints)} import entries carry points different from their record's`);
  if (i.orphanImportPoints !== 0) problems.push(`${n(i.orphanImportPoints)} points were imported for records the applied preview does not hold`);
  if (i.state === "applied" && i.awaitingApply !== 0) problems.push(`the migration is applied, yet ${n(i.awaitingApply)} points of matched or pending records are not credited`);
  if (i.balanceDrift !== 0) problems.push(`${n(i.balanceDrift)} members' balances differ from the sum of their ledger entries`);
  return { holds: problems.length === 0, statement, problems };
}
