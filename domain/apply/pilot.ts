/**
 * Which matched records a pilot applies (issue 5, "gradual migration"), and the ids apply derives.
 * Pure: the same records and the same pilot always give the same sample, so a pilot job that crashes
 * and resumes — or is run again — credits exactly the same members.
 *
 * The sample is spread over the file rather than its first rows: records are ranked by a hash of their
 * id (FNV-1a, 64 bits), ties broken by the id, and the first N (or P % rounded up) are the pilot.
 */

export type PilotSpec = { count: number } | { percent: number };

export class PilotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PilotError";
  }
}

/** A problem with the pilot as asked, in words; null when it can be used. */
export function checkPilot(pilot: PilotSpec | null): string | null {
  if (pilot === null) return null;
  if ("count" in pilot) {
    if (!Number.isSafeInteger(pilot.count) || pilot.count < 1) return `a pilot of ${pilot.count} members: give a whole number of at least 1`;
    return null;
  }
  if (!Number.isFinite(pilot.percent) || pilot.percent <= 0 || pilot.percent > 100) return `a pilot of ${pilot.percent}%: give a percentage above 0 and at most 100`;
  return null;
}

/** How many of `matched` records the pilot takes: N (at most all of them), or ⌈P % × matched⌉. */
export function pilotSize(matched: number, pilot: PilotSpec): number {
  const problem = checkPilot(pilot);
  if (problem) throw new PilotError(problem);
  if ("count" in pilot) return Math.min(pilot.count, matched);
  // percent × matched / 100 exactly enough for any realistic size; a hair of tolerance keeps 10% of 30 at 3.
  return Math.max(0, Math.min(matched, Math.ceil((pilot.percent * matched) / 100 - 1e-9)));
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a over the UTF-16 code units of `text`, as 16 hex digits (the pilot rank of a record id). */
export function pilotRank(text: string): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, "0");
}

/**
 * The pilot sample of the matched record ids: the `pilotSize` ids with the lowest rank, returned in
 * id order (the order apply walks them, so its checkpoint is "the last id done").
 */
export function selectPilot(matchedRecordIds: readonly string[], pilot: PilotSpec): string[] {
  const size = pilotSize(matchedRecordIds.length, pilot);
  const ranked = matchedRecordIds.map((id) => ({ id, rank: pilotRank(id) }));
  ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ranked
    .slice(0, size)
    .map((r) => r.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** "25" → {count: 25}; "10%" → {percent: 10}; anything else → null. */
export function parsePilot(text: string): PilotSpec | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  if (m[2] === "%") return { percent: value };
  return Number.isSafeInteger(value) ? { count: value } : null;
}

/** How a pilot is written back to people: "25 members", "10% of matched members", "the rest". */
export function describePilot(pilot: PilotSpec | null): string {
  if (pilot === null) return "every record not yet applied";
  return "count" in pilot ? `a pilot of ${pilot.count} matched members` : `a pilot of ${pilot.percent}% of matched members`;
}

/**
 * The id of the member a pending record becomes: derived from the migration and the record, so a
 * crash between creating the member and saving the checkpoint cannot create it twice (the replay
 * finds it by id). Record ids are unique across migrations, the prefix keeps them apart from cuids.
 */
export function pendingMemberId(migrationId: string, recordId: string): string {
  if (!recordId) throw new PilotError("a pending member id needs a record");
  return `${pendingMemberIdPrefix(migrationId)}${recordId}`;
}

/** What every pending member id of a migration starts with. */
export function pendingMemberIdPrefix(migrationId: string): string {
  if (!migrationId || migrationId.includes(".")) throw new PilotError(`"${migrationId}" cannot name a migration in a member id`);
  return `pm.${migrationId}.`;
}
