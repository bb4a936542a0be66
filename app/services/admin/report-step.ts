import { spreadsheetSafe } from "~domain/import/report";

/**
 * Pure parts of the wizard's Report step: the points identity as the screen writes it, the restores
 * over time as a chart series, and the rows of the two downloads.
 */

export type TermKey = "credited" | "pending" | "conflict" | "rejected" | "awaiting" | "reversed";

export interface IdentityTerms {
  inFile: number;
  terms: Array<{ key: TermKey; points: number }>;
  sum: number;
  /** The terms shown add up to the points in the file, and the report's own check (ledger, drift, entries on the right records) holds. */
  holds: boolean;
}

/** What the report figures give for the identity the merchant reads. */
export interface IdentityInput {
  pointsInFile: number;
  creditedMatched: number;
  creditedPending: number;
  /** Of the import points credited, the part on members still pending (not registered yet). */
  creditedStillPending: number;
  pointsConflict: number;
  pointsRejected: number;
  pointsAwaitingApply: number;
  reversedImports: number;
  /** The report's own check (domain/apply/report.ts). */
  checked: boolean;
}

/**
 * points in the file = credited (visible on the store) + pending (kept until they register) + to
 * review (conflicts, not written) + rejected [+ awaiting apply after a pilot] [+ reversed by a rollback].
 * A pending member who registered since counts as credited: their points are on the store now.
 */
export function identityTerms(i: IdentityInput): IdentityTerms {
  const terms: IdentityTerms["terms"] = [
    { key: "credited", points: i.creditedMatched + i.creditedPending - i.creditedStillPending },
    { key: "pending", points: i.creditedStillPending },
    { key: "conflict", points: i.pointsConflict },
    { key: "rejected", points: i.pointsRejected },
  ];
  if (i.pointsAwaitingApply !== 0) terms.push({ key: "awaiting", points: i.pointsAwaitingApply });
  if (i.reversedImports !== 0) terms.push({ key: "reversed", points: i.reversedImports });
  const sum = terms.reduce((s, t) => s + t.points, 0);
  return { inFile: i.pointsInFile, terms, sum, holds: i.checked && sum === i.pointsInFile };
}

export interface RestoreBucket {
  /** First day of the bucket, YYYY-MM-DD (UTC). */
  start: string;
  members: number;
  points: number;
}

export interface RestoreSeries {
  unit: "day" | "week";
  buckets: RestoreBucket[];
  members: number;
  points: number;
}

const DAY = 86_400_000;
/** Longer spans are shown per week, so the chart stays readable. */
export const MAX_DAYS = 60;
const dayStart = (d: Date) => Math.floor(d.getTime() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Late registrations restored per day (per week past MAX_DAYS) from the apply to today, empty days
 * included: a flat line is information too. Restores dated before `since` (a clock skew, a restore
 * of an earlier apply) open the series at their own day.
 */
export function restoreSeries(since: Date | null, restores: ReadonlyArray<{ at: Date; points: number }>, today: Date): RestoreSeries {
  const members = restores.length;
  const points = restores.reduce((s, r) => s + r.points, 0);
  const starts = [...(since ? [dayStart(since)] : []), ...restores.map((r) => dayStart(r.at))];
  if (starts.length === 0) return { unit: "day", buckets: [], members, points };
  const first = Math.min(...starts);
  const last = Math.max(dayStart(today), ...restores.map((r) => dayStart(r.at)));
  const days = Math.round((last - first) / DAY) + 1;
  const unit = days > MAX_DAYS ? "week" : "day";
  const width = unit === "day" ? DAY : 7 * DAY;
  const buckets: RestoreBucket[] = [];
  for (let t = first; t <= last; t += width) buckets.push({ start: iso(t), members: 0, points: 0 });
  for (const r of restores) {
    const b = buckets[Math.floor((dayStart(r.at) - first) / width)]!;
    b.members++;
    b.points += r.points;
  }
  return { unit, buckets, members, points };
}

/** A text cell a spreadsheet will not run (null → empty). Numbers are written as they are. */
const text = (value: string | null | undefined) => spreadsheetSafe(value ?? "");

export type ExceptionType = "rejected" | "review-rejected" | "conflict" | "push-failed";

export interface ExceptionLine {
  type: ExceptionType;
  file: string | null;
  row: number | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  cpf: string | null;
  /** A number, or the cell as the file had it (a rejected row's unreadable points). */
  points: number | string | null;
  customerId: string | null;
  reason: string;
}

export const EXCEPTION_COLUMNS = ["type", "file", "row", "email", "firstName", "lastName", "phone", "cpf", "points", "customerId", "reason"] as const;

export function exceptionCells(line: ExceptionLine, typeLabel: string): string[] {
  return [
    text(typeLabel),
    text(line.file),
    line.row === null ? "" : String(line.row),
    text(line.email),
    text(line.firstName),
    text(line.lastName),
    text(line.phone),
    text(line.cpf),
    line.points === null ? "" : typeof line.points === "number" ? String(line.points) : text(line.points),
    text(line.customerId),
    text(line.reason),
  ];
}

export interface RestoredMemberLine {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  points: number;
  tier: string | null;
  restoredAt: Date;
  /** As it was in the old program: "yes", "no", or null (unknown). Never upgraded. */
  marketingConsent: string | null;
}

export const RESTORED_COLUMNS = ["email", "firstName", "lastName", "phone", "points", "tier", "restoredAt", "marketingConsent"] as const;

/** An E.164 number (a "+" and digits only) cannot carry a formula; campaign tools want it without the apostrophe. */
const E164 = /^\+\d{8,15}$/;

export function restoredMemberCells(line: RestoredMemberLine): string[] {
  const phone = line.phone !== null && E164.test(line.phone) ? line.phone : text(line.phone);
  return [text(line.email), text(line.firstName), text(line.lastName), phone, String(line.points), text(line.tier), line.restoredAt.toISOString(), text(line.marketingConsent)];
}

/** A file name for a download: the migration's name, made safe, and what the file holds. */
export function downloadName(migrationName: string, what: string): string {
  const base =
    migrationName
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "migration";
  return `${base}-${what}.csv`;
}
