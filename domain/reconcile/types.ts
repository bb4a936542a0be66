/**
 * The contract of reconciliation (issue 4, items 3–5): valid balance records are matched against the
 * new store's customers (match.ts), the store's orders are classified against the cutover
 * (order-states.ts, cutover.ts), and both add up to the dry-run preview (report.ts).
 * Everything in domain/reconcile/ is pure: it gets the snapshot and the rules as data.
 */

export const PLATFORMS = ["shopify", "nuvemshop"] as const;
/** The new store's platform. */
export type Platform = (typeof PLATFORMS)[number];

// ------------------------------------------------------------------------------- matching

/**
 * One valid balance record of the migration (LoyaltyRecord). Duplicates inside one file were merged at
 * import; two files of one migration may still hold the same person.
 */
export interface ReconcileRecord {
  id: string;
  /** Where the record came from, for messages: "balances.csv row 12". */
  rowRef: string;
  /** normalizeEmail (domain/identity.ts): trimmed, NFC, lower-case. */
  emailNormalized: string | null;
  phoneE164: string | null;
  /** 11 digits. */
  cpf: string | null;
  /** The customer id the old export gave (numeric id or Shopify gid), as written. */
  platformCustomerRef: string | null;
  points: number;
}

/** One customer of the new store's snapshot (PlatformCustomer), identity values already normalised. */
export interface ReconcileCustomer {
  /** Shopify gid, or the Nuvemshop numeric id as a string. */
  platformId: string;
  /** normalizeEmail (domain/identity.ts): trimmed, NFC, lower-case. */
  emailNormalized: string | null;
  phoneE164: string | null;
  cpf: string | null;
}

/** The merchant's word on one record (ReviewDecision); it wins over every automatic rule. */
export interface ReviewDecisionInput {
  recordId: string;
  decision: "match" | "pending" | "reject";
  /** decision "match": the customer chosen. */
  platformCustomerId: string | null;
}

export interface MatchOptions {
  platform: Platform;
  /** The merchant migrated the customer base with its ids: the record's customer id is a key too. */
  matchByPlatformId: boolean;
}

/** The keys an automatic match can be made on, in the order they are tried. */
export const MATCH_KEYS = ["email", "phone", "cpf", "platform_id"] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

export const RECORD_CLASSES = ["matched", "pending", "conflict", "rejected"] as const;
export type RecordClass = (typeof RECORD_CLASSES)[number];

/** A customer a record could belong to: on an exact key, or on an e-mail variant ("suggested_email"). */
export interface Candidate {
  platformId: string;
  key: MatchKey | "suggested_email";
}

/** What happens to one record (RecordMatch); exactly one per record, in input order. */
export interface RecordOutcome {
  recordId: string;
  class: RecordClass;
  /** matched: the customer credited; otherwise null. */
  platformCustomerId: string | null;
  /** matched: the key that decided, or "review". Never a suggestion. */
  matchedBy: MatchKey | "review" | null;
  /** Plain English for the merchant; null for an ordinary automatic match. */
  reason: string | null;
  /** conflict: the customers to choose from (sorted by platformId); empty otherwise. */
  candidates: Candidate[];
  points: number;
}

// -------------------------------------------------------------------------- orders & cutover

/** The part of an order its state is read from (OrderSnapshot / PlatformOrder). */
export interface OrderStateInput {
  /** Shopify displayFinancialStatus; Nuvemshop payment_status. */
  financialStatus: string | null;
  /** Nuvemshop status (open, closed, cancelled); Shopify: null. */
  status: string | null;
  cancelledAt: string | null;
}

/** An order of the new store, as classifyOrder needs it. */
export interface OrderInput extends OrderStateInput {
  platformId: string;
  /** The buyer's platform id; null for a guest order. */
  customerId: string | null;
  /** Decimal string in the shop's currency, "129.90". */
  totalAmount: string;
  /** ISO-8601 instant. */
  placedAt: string;
}

/** The merchant's rules for the orders of the new store (wizard step "Rules"). */
export interface CutoverRules {
  /** ISO-8601 instant the new store went live. */
  cutoverAt: string;
  /** State keys (orderStateOf) that mean completed: points are earned on them. */
  completedStates: string[];
  /** State keys that mean cancelled: points earned are reversed. */
  cancelledStates: string[];
  /** The old orders were migrated to the new store: orders before the cutover are in the imported balance. */
  ordersMigrated: boolean;
  /** Points for past spend on orders placed in [from, to); null: none. */
  retroactive: null | { pointsPerCurrencyUnit: number; from: string; to: string };
}

/**
 * `already_earned`: a retroactive order that already earned in this shop (a live earn or another
 * migration's retroactive points, not reversed; already-migrated.ts) — it earns nothing again.
 */
export const ORDER_OUTCOMES = ["retroactive", "after_cutover", "already_migrated", "not_completed", "cancelled", "outside_window", "guest", "already_earned"] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];

export interface OrderClassification {
  outcome: OrderOutcome;
  /** The order's state key (orderStateOf). */
  state: string;
  /** Points the migration credits for this order: only retroactive orders have any. */
  points: number;
  /** Plain English for the merchant. */
  reason: string;
}

/** A classified order, as the preview counts it. */
export interface ClassifiedOrder {
  platformId: string;
  customerId: string | null;
  outcome: OrderOutcome;
  points: number;
}

// ---------------------------------------------------------------------------------- preview

/** What the import already accounted for (ImportAccounts, summed over the migration's files). */
export interface ImportTotals {
  /** Σ readable points of every data row of every file. */
  pointsInFile: number;
  pointsRejectedAtImport: number;
  /** Points the duplicate policy (max, latest) set aside. */
  pointsMergedAway: number;
  recordsRejectedAtImport: number;
}
