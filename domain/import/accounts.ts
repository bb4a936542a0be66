/**
 * The accounts of one import (DESIGN.md, Conservation): every data row and every readable point is
 * somewhere — valid, rejected, merged into another row, or ignored. Each function returns new accounts;
 * checkAccounts says, in words, which identity is broken.
 */
import type { CodeFate } from "./codes";
import type { DuplicateResolution } from "./duplicates";
import type { ImportAccounts, NormalizedRecord, RowOutcome } from "./types";

export function emptyAccounts(): ImportAccounts {
  return {
    rowsTotal: 0,
    rowsValid: 0,
    rowsRejected: 0,
    rowsMerged: 0,
    rowsIgnored: 0,
    pointsInFile: 0,
    pointsValid: 0,
    pointsRejected: 0,
    pointsMergedAway: 0,
  };
}

/** One validated row (validateRow's outcome). */
export function addOutcome(a: ImportAccounts, outcome: RowOutcome): ImportAccounts {
  if (outcome.status === "valid") {
    const points = outcome.record.points;
    return { ...a, rowsTotal: a.rowsTotal + 1, rowsValid: a.rowsValid + 1, pointsInFile: a.pointsInFile + points, pointsValid: a.pointsValid + points };
  }
  return {
    ...a,
    rowsTotal: a.rowsTotal + 1,
    rowsRejected: a.rowsRejected + 1,
    pointsInFile: a.pointsInFile + outcome.points,
    pointsRejected: a.pointsRejected + outcome.points,
  };
}

/** A blank or comment line. */
export function addIgnored(a: ImportAccounts): ImportAccounts {
  return { ...a, rowsTotal: a.rowsTotal + 1, rowsIgnored: a.rowsIgnored + 1 };
}

/** A row the reader could not parse: rejected (MALFORMED_ROW), with its points if they could still be read, else 0. */
export function addMalformed(a: ImportAccounts, points = 0): ImportAccounts {
  return {
    ...a,
    rowsTotal: a.rowsTotal + 1,
    rowsRejected: a.rowsRejected + 1,
    pointsInFile: a.pointsInFile + points,
    pointsRejected: a.pointsRejected + points,
  };
}

/**
 * A resolved duplicate group whose rows were all added as valid before. Merging moves the merged rows
 * out of the valid rows and the points the survivor does not carry from pointsValid to
 * pointsMergedAway; review moves every row of the group, with its points, to the rejected ones.
 */
export function applyDuplicateResolution(
  a: ImportAccounts,
  group: readonly NormalizedRecord[],
  resolution: DuplicateResolution,
): ImportAccounts {
  if ("review" in resolution) {
    const inReview = new Set(resolution.review);
    const rows = group.filter((r) => inReview.has(r.rowNumber));
    const points = rows.reduce((sum, r) => sum + r.points, 0);
    return {
      ...a,
      rowsValid: a.rowsValid - rows.length,
      rowsRejected: a.rowsRejected + rows.length,
      pointsValid: a.pointsValid - points,
      pointsRejected: a.pointsRejected + points,
    };
  }
  return {
    ...a,
    rowsValid: a.rowsValid - resolution.merged.length,
    rowsMerged: a.rowsMerged + resolution.merged.length,
    pointsValid: a.pointsValid - resolution.pointsMergedAway,
    pointsMergedAway: a.pointsMergedAway + resolution.pointsMergedAway,
  };
}

/**
 * Rows that lose their code (codes.ts) after they were added as valid: merged rows leave the valid
 * rows for the merged ones, their points (if any) set aside; rejected rows move, with their points,
 * to the rejected ones. `pointsOf` gives a row's points: 0 for the kinds that have codes.
 */
export function applyCodeFates(a: ImportAccounts, fates: readonly CodeFate[], pointsOf: (rowNumber: number) => number = () => 0): ImportAccounts {
  let out = a;
  for (const fate of fates) {
    const points = pointsOf(fate.rowNumber);
    out =
      fate.fate === "merged"
        ? { ...out, rowsValid: out.rowsValid - 1, rowsMerged: out.rowsMerged + 1, pointsValid: out.pointsValid - points, pointsMergedAway: out.pointsMergedAway + points }
        : { ...out, rowsValid: out.rowsValid - 1, rowsRejected: out.rowsRejected + 1, pointsValid: out.pointsValid - points, pointsRejected: out.pointsRejected + points };
  }
  return out;
}

const ROW_FIELDS = ["rowsTotal", "rowsValid", "rowsRejected", "rowsMerged", "rowsIgnored"] as const;
const POINT_FIELDS = ["pointsInFile", "pointsValid", "pointsRejected", "pointsMergedAway"] as const;

/** Every broken identity of the accounts, in words; empty when the accounts are right. */
export function checkAccounts(a: ImportAccounts): string[] {
  const problems: string[] = [];
  for (const field of ROW_FIELDS) {
    if (!Number.isSafeInteger(a[field]) || a[field] < 0) problems.push(`${field} is ${a[field]}, not a whole number of rows ≥ 0`);
  }
  for (const field of POINT_FIELDS) {
    if (!Number.isSafeInteger(a[field])) problems.push(`${field} is ${a[field]}, not a whole number of points`);
  }
  if (a.pointsMergedAway < 0) problems.push(`pointsMergedAway is ${a.pointsMergedAway}: merging can only set points aside, not create them`);

  const rows = a.rowsValid + a.rowsRejected + a.rowsMerged + a.rowsIgnored;
  if (a.rowsTotal !== rows) {
    problems.push(
      `rows in the file (${a.rowsTotal}) ≠ valid ${a.rowsValid} + rejected ${a.rowsRejected} + merged ${a.rowsMerged} + ignored ${a.rowsIgnored} = ${rows}`,
    );
  }
  const points = a.pointsValid + a.pointsRejected + a.pointsMergedAway;
  if (a.pointsInFile !== points) {
    problems.push(
      `points in the file (${a.pointsInFile}) ≠ valid ${a.pointsValid} + rejected ${a.pointsRejected} + merged away ${a.pointsMergedAway} = ${points}`,
    );
  }
  return problems;
}
