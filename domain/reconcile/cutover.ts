/**
 * What the migration does with each order of the new store (DESIGN.md "No double points").
 *
 * Checks, first that applies wins:
 *   1. cancelled state                         → cancelled       (0)
 *   2. state not completed                     → not_completed   (0; the reason names the state)
 *   3. orders migrated, placed before cutover  → already_migrated (0: the order is in the imported balance)
 *   4. placed at or after the cutover          → after_cutover   (0 here: the live rules earn it)
 *   5. no customer                             → guest           (0: nobody to credit)
 *   6. inside the retroactive window [from,to) → retroactive     (floor(total × rate))
 *   7. otherwise                               → outside_window  (0)
 * Retroactive points can therefore never land on an order the imported balance covers (3 comes first),
 * nor on an order after the cutover (4 comes first).
 *
 * Money is never a float: "129.90" × 2 is computed as 12990 × 2 / 100 in BigInt, so 259.8 floors
 * to 259, and "0.29" × 100 is 29 (a float says 28.999…).
 */
import { checkStateRules, orderStateOf, stateLabel } from "./order-states";
import type { ClassifiedOrder, CutoverRules, OrderClassification, OrderInput, Platform } from "./types";

/** A non-negative decimal as an integer count of 10^-scale units. */
interface Decimal {
  units: bigint;
  scale: number;
}

/** "129.90" → 12990 × 10^-2; null for anything but plain non-negative decimals. */
export function parseAmount(text: string): Decimal | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const fraction = m[2] ?? "";
  return { units: BigInt(m[1]! + fraction), scale: fraction.length };
}

/** A rate as the merchant typed it: 0.1 is the decimal 0.1 (its shortest spelling), not its binary neighbour. */
function rateDecimal(rate: number): Decimal | null {
  if (!Number.isFinite(rate) || rate < 0) return null;
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(rate));
  if (!m) return null;
  const fraction = m[2] ?? "";
  let units = BigInt(m[1]! + fraction);
  let scale = fraction.length - Number(m[3] ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** floor(amount × rate) in whole points, exactly; null when the amount or the rate cannot be read. */
export function retroactivePoints(totalAmount: string, pointsPerCurrencyUnit: number): number | null {
  const amount = parseAmount(totalAmount);
  const rate = rateDecimal(pointsPerCurrencyUnit);
  if (amount === null || rate === null) return null;
  return Number((amount.units * rate.units) / 10n ** BigInt(amount.scale + rate.scale));
}

function instant(iso: string): number {
  return Date.parse(iso);
}

/** The rules with their instants read once (classifying a million orders reads them a million times otherwise). */
interface PreparedRules {
  rules: CutoverRules;
  cutover: number;
  from: number;
  to: number;
  completed: Set<string>;
  cancelled: Set<string>;
}

function prepare(rules: CutoverRules): PreparedRules {
  const cutover = instant(rules.cutoverAt);
  if (Number.isNaN(cutover)) throw new Error(`the cutover date "${rules.cutoverAt}" is not a date`);
  return {
    rules,
    cutover,
    from: rules.retroactive ? instant(rules.retroactive.from) : Number.NaN,
    to: rules.retroactive ? instant(rules.retroactive.to) : Number.NaN,
    completed: new Set(rules.completedStates),
    cancelled: new Set(rules.cancelledStates),
  };
}

function stateNamed(platform: Platform, state: string): string {
  return `${stateLabel(platform, state)} (${state})`;
}

function classifyPrepared(order: OrderInput, p: PreparedRules, platform: Platform): OrderClassification {
  const state = orderStateOf(order, platform);
  // The state is named only where a reason says it: classifyOrders drops the reasons of a store's millions of orders.
  if (p.cancelled.has(state)) return { outcome: "cancelled", state, points: 0, reason: `cancelled: ${stateNamed(platform, state)} is a cancelled state` };
  if (!p.completed.has(state)) {
    return { outcome: "not_completed", state, points: 0, reason: `not completed: ${stateNamed(platform, state)} is not a completed state` };
  }
  const placed = instant(order.placedAt);
  if (Number.isNaN(placed)) {
    return { outcome: "outside_window", state, points: 0, reason: `the order date "${order.placedAt}" could not be read` };
  }
  if (p.rules.ordersMigrated && placed < p.cutover) {
    return {
      outcome: "already_migrated",
      state,
      points: 0,
      reason: "placed before the cutover and migrated with the old orders: already counted in the imported balance",
    };
  }
  if (placed >= p.cutover) {
    return { outcome: "after_cutover", state, points: 0, reason: "placed after the cutover: it earns by the live rules, not by the migration" };
  }
  if (order.customerId === null) return { outcome: "guest", state, points: 0, reason: "guest order: no customer to credit" };
  const retro = p.rules.retroactive;
  if (retro !== null && placed >= p.from && placed < p.to) {
    const points = retroactivePoints(order.totalAmount, retro.pointsPerCurrencyUnit);
    if (points === null) {
      return { outcome: "retroactive", state, points: 0, reason: `the order total "${order.totalAmount}" could not be read: no retroactive points` };
    }
    return { outcome: "retroactive", state, points, reason: `retroactive: ${order.totalAmount} × ${retro.pointsPerCurrencyUnit} points per unit` };
  }
  return {
    outcome: "outside_window",
    state,
    points: 0,
    reason: retro === null ? "placed before the cutover; no retroactive points were chosen" : "placed before the cutover, outside the retroactive window",
  };
}

/** What the migration does with one order. Throws when the rules' cutover is not a date (checkRules says so first). */
export function classifyOrder(order: OrderInput, rules: CutoverRules, platform: Platform): OrderClassification {
  return classifyPrepared(order, prepare(rules), platform);
}

/** classifyOrder over many orders, reading the rules once; in input order. */
export function classifyOrders(orders: readonly OrderInput[], rules: CutoverRules, platform: Platform): ClassifiedOrder[] {
  return orders.map(orderClassifier(rules, platform));
}

/**
 * classifyOrders one order at a time, the rules read once: for a caller that streams a store's
 * orders instead of holding them all.
 */
export function orderClassifier(rules: CutoverRules, platform: Platform): (order: OrderInput) => ClassifiedOrder {
  const p = prepare(rules);
  return (order) => {
    const c = classifyPrepared(order, p, platform);
    return { platformId: order.platformId, customerId: order.customerId, outcome: c.outcome, points: c.points };
  };
}

/**
 * Every problem of the rules, in words; empty when they can be used. With a platform, the state lists are
 * checked against the platform's states too (checkStateRules).
 */
export function checkRules(rules: CutoverRules, platform?: Platform): string[] {
  const problems: string[] = [];
  const cutover = instant(rules.cutoverAt);
  if (Number.isNaN(cutover)) problems.push(`the cutover date "${rules.cutoverAt}" is not a date`);
  if (platform) problems.push(...checkStateRules(platform, rules.completedStates, rules.cancelledStates));
  else {
    const cancelled = new Set(rules.cancelledStates);
    for (const key of new Set(rules.completedStates)) {
      if (cancelled.has(key)) problems.push(`"${key}" is listed as both completed and cancelled; choose one`);
    }
  }
  const retro = rules.retroactive;
  if (retro === null) return problems;
  if (!Number.isFinite(retro.pointsPerCurrencyUnit) || retro.pointsPerCurrencyUnit < 0) {
    problems.push(`points per currency unit must be a number ≥ 0 (got ${retro.pointsPerCurrencyUnit})`);
  }
  const from = instant(retro.from);
  const to = instant(retro.to);
  if (Number.isNaN(from)) problems.push(`the retroactive window's start "${retro.from}" is not a date`);
  if (Number.isNaN(to)) problems.push(`the retroactive window's end "${retro.to}" is not a date`);
  if (!Number.isNaN(from) && !Number.isNaN(to)) {
    if (from > to) problems.push(`the retroactive window is inverted: it starts (${retro.from}) after it ends (${retro.to})`);
    else if (from === to) problems.push(`the retroactive window is empty: it starts and ends at ${retro.from}`);
  }
  if (!Number.isNaN(to) && !Number.isNaN(cutover) && to > cutover) {
    problems.push(
      `the retroactive window ends (${retro.to}) after the cutover (${rules.cutoverAt}): orders after the cutover earn by the live rules, never retroactively`,
    );
  }
  if (rules.ordersMigrated) {
    problems.push(
      "retroactive points cannot be given when the old orders were migrated: every order before the cutover is already counted in the imported balance",
    );
  }
  return problems;
}
