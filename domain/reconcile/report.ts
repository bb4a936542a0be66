/**
 * The dry-run preview (wizard step "Sync & preview"): what apply would do, before anything is written.
 * A plain, JSON-serialisable object with no timestamps and a stable order, so the same inputs give the
 * same JSON, byte for byte, and the preview can be stored (Reconciliation.reportJson) and compared.
 *
 * Points of the file (DESIGN.md "Conservation"):
 *   points in the file = matched + pending + conflict + rejected,
 *   rejected = rejected at import + merged away by the duplicate policy + rejected in review.
 * checkPreview says in words which identity is broken.
 *
 * Retroactive points are new points, not points of the file, so they stay outside that identity.
 * They belong to the store customer who placed the order, whether or not a record of the old program
 * matched that customer: the spend happened on the new store, by a known customer, and apply gives a
 * customer without a record a member of their own. The preview shows both parts, so a merchant who
 * expected "only existing members" sees at once how much goes to customers the old program did not know.
 */
import { ORDER_OUTCOMES, RECORD_CLASSES, type ClassifiedOrder, type ImportTotals, type OrderOutcome, type RecordOutcome } from "./types";

export const CONFLICTS_SHOWN = 100;

export interface ConflictLine {
  recordId: string;
  reason: string | null;
  candidates: RecordOutcome["candidates"];
  points: number;
}

export interface Preview {
  points: {
    inFile: number;
    matched: number;
    pending: number;
    conflict: number;
    rejected: { total: number; atImport: number; mergedAway: number; inReview: number };
  };
  /** Records of the file per class (a record becomes one member). */
  members: { records: number; matched: number; pending: number; conflict: number; rejectedInReview: number; rejectedAtImport: number };
  /** The first CONFLICTS_SHOWN conflicts by record id, and how many there are. */
  conflicts: { total: number; shown: ConflictLine[] };
  orders: {
    total: number;
    /** Every outcome, in ORDER_OUTCOMES order, zeros included. */
    byOutcome: Record<OrderOutcome, number>;
    /** Orders that came over with the old history: skipped, never earn again. */
    alreadyMigrated: number;
    /** Orders the migration gives nothing for (not completed, cancelled, outside the window, guest, after the cutover). */
    ignored: number;
  };
  retroactive: {
    orders: number;
    points: number;
    customers: number;
    /** Customers a record of the file is matched to. */
    toMatchedCustomers: { customers: number; points: number };
    /** Customers no record is matched to: apply gives them a member of their own. */
    toCustomersWithoutRecord: { customers: number; points: number };
  };
}

const byRecordId = (a: RecordOutcome, b: RecordOutcome) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0);

/**
 * The orders' part of the preview, counted one order at a time, so that a store's millions of orders
 * can be streamed through it instead of held (buildPreview takes either).
 */
export class OrderTally {
  total = 0;
  readonly byOutcome = Object.fromEntries(ORDER_OUTCOMES.map((k) => [k, 0])) as Record<OrderOutcome, number>;
  /** Retroactive points per customer ("" for none). */
  readonly retroCustomers = new Map<string, number>();
  retroPoints = 0;

  add(order: Pick<ClassifiedOrder, "customerId" | "outcome" | "points">): void {
    this.total += 1;
    this.byOutcome[order.outcome] += 1;
    if (order.outcome === "retroactive") {
      this.retroPoints += order.points;
      const customer = order.customerId ?? "";
      this.retroCustomers.set(customer, (this.retroCustomers.get(customer) ?? 0) + order.points);
    }
  }
}

export function buildPreview(input: { outcomes: readonly RecordOutcome[]; orders: readonly ClassifiedOrder[] | OrderTally; importTotals: ImportTotals }): Preview {
  const { outcomes, importTotals } = input;
  let tally: OrderTally;
  if (input.orders instanceof OrderTally) tally = input.orders;
  else {
    tally = new OrderTally();
    for (const order of input.orders) tally.add(order);
  }
  const { byOutcome, retroCustomers, retroPoints } = tally;

  const points = { matched: 0, pending: 0, conflict: 0, rejected: 0 };
  const members = { matched: 0, pending: 0, conflict: 0, rejected: 0 };
  // Only whether a customer with retroactive points is matched matters: looked up in the (few) retroactive
  // customers rather than every matched customer collected in a set.
  const matchedRetroCustomers = new Set<string>();
  const conflicts: RecordOutcome[] = [];
  for (const o of outcomes) {
    points[o.class] += o.points;
    members[o.class] += 1;
    if (o.class === "matched" && o.platformCustomerId !== null && retroCustomers.has(o.platformCustomerId)) matchedRetroCustomers.add(o.platformCustomerId);
    if (o.class === "conflict") conflicts.push(o);
  }
  conflicts.sort(byRecordId);

  const toMatched = { customers: 0, points: 0 };
  const toOthers = { customers: 0, points: 0 };
  for (const [customer, customerPoints] of retroCustomers) {
    const part = matchedRetroCustomers.has(customer) ? toMatched : toOthers;
    part.customers += 1;
    part.points += customerPoints;
  }

  return {
    points: {
      inFile: importTotals.pointsInFile,
      matched: points.matched,
      pending: points.pending,
      conflict: points.conflict,
      rejected: {
        total: importTotals.pointsRejectedAtImport + importTotals.pointsMergedAway + points.rejected,
        atImport: importTotals.pointsRejectedAtImport,
        mergedAway: importTotals.pointsMergedAway,
        inReview: points.rejected,
      },
    },
    members: {
      records: outcomes.length,
      matched: members.matched,
      pending: members.pending,
      conflict: members.conflict,
      rejectedInReview: members.rejected,
      rejectedAtImport: importTotals.recordsRejectedAtImport,
    },
    conflicts: {
      total: conflicts.length,
      shown: conflicts.slice(0, CONFLICTS_SHOWN).map((o) => ({ recordId: o.recordId, reason: o.reason, candidates: o.candidates, points: o.points })),
    },
    orders: {
      total: tally.total,
      byOutcome: { ...byOutcome },
      alreadyMigrated: byOutcome.already_migrated,
      ignored: tally.total - byOutcome.retroactive - byOutcome.already_migrated,
    },
    retroactive: {
      orders: byOutcome.retroactive,
      points: retroPoints,
      customers: retroCustomers.size,
      toMatchedCustomers: toMatched,
      toCustomersWithoutRecord: toOthers,
    },
  };
}

/** The broken identities of a preview, in words ("; "-joined), or null when it adds up. */
export function checkPreview(report: Preview): string | null {
  const problems: string[] = [];
  const p = report.points;
  const classes = p.matched + p.pending + p.conflict + p.rejected.total;
  if (p.inFile !== classes) {
    problems.push(
      `points in the file (${p.inFile}) ≠ matched ${p.matched} + pending ${p.pending} + conflict ${p.conflict} + rejected ${p.rejected.total} = ${classes}`,
    );
  }
  const rejected = p.rejected.atImport + p.rejected.mergedAway + p.rejected.inReview;
  if (p.rejected.total !== rejected) {
    problems.push(
      `rejected points (${p.rejected.total}) ≠ rejected at import ${p.rejected.atImport} + merged away ${p.rejected.mergedAway} + rejected in review ${p.rejected.inReview} = ${rejected}`,
    );
  }
  const m = report.members;
  const records = m.matched + m.pending + m.conflict + m.rejectedInReview;
  if (m.records !== records) {
    problems.push(`records (${m.records}) ≠ matched ${m.matched} + pending ${m.pending} + conflict ${m.conflict} + rejected in review ${m.rejectedInReview} = ${records}`);
  }
  if (report.conflicts.total !== m.conflict) problems.push(`the conflict list counts ${report.conflicts.total} conflicts, the classes ${m.conflict}`);
  if (report.conflicts.shown.length !== Math.min(report.conflicts.total, CONFLICTS_SHOWN)) {
    problems.push(`the conflict list shows ${report.conflicts.shown.length} of ${report.conflicts.total} conflicts (expected the first ${CONFLICTS_SHOWN})`);
  }
  const o = report.orders;
  const outcomes = ORDER_OUTCOMES.reduce((sum, k) => sum + o.byOutcome[k], 0);
  if (o.total !== outcomes) problems.push(`orders (${o.total}) ≠ Σ orders by outcome ${outcomes}`);
  if (o.total !== o.byOutcome.retroactive + o.alreadyMigrated + o.ignored) {
    problems.push(`orders (${o.total}) ≠ retroactive ${o.byOutcome.retroactive} + already migrated ${o.alreadyMigrated} + ignored ${o.ignored}`);
  }
  const r = report.retroactive;
  if (r.points !== r.toMatchedCustomers.points + r.toCustomersWithoutRecord.points) {
    problems.push(
      `retroactive points (${r.points}) ≠ to matched customers ${r.toMatchedCustomers.points} + to customers without a record ${r.toCustomersWithoutRecord.points}`,
    );
  }
  if (r.customers !== r.toMatchedCustomers.customers + r.toCustomersWithoutRecord.customers) {
    problems.push(
      `retroactive customers (${r.customers}) ≠ matched ${r.toMatchedCustomers.customers} + without a record ${r.toCustomersWithoutRecord.customers}`,
    );
  }
  for (const cls of RECORD_CLASSES) {
    const value = cls === "rejected" ? p.rejected.total : p[cls];
    if (!Number.isSafeInteger(value)) problems.push(`${cls} points (${value}) are not a whole number`);
  }
  return problems.length === 0 ? null : problems.join("; ");
}
