/**
 * The one door to the new store's platform. Two implementations (Shopify GraphQL Admin API,
 * Nuvemshop REST); services and jobs never know which one they hold. Everything crossing this
 * interface is plain data: ids are strings (Shopify ids pass 2^53), amounts are decimal strings,
 * instants are ISO-8601 strings in UTC.
 */
export type PlatformName = "shopify" | "nuvemshop";

export interface StoreCounts {
  customers: number;
  orders: number;
}

/** A customer as the new store holds it. */
export interface CustomerSnapshot {
  /** Shopify: the customer's gid (`gid://shopify/Customer/123`); Nuvemshop: the numeric id as a string. */
  platformId: string;
  email: string | null;
  /** As the platform holds it (Shopify keeps E.164; Nuvemshop free text). */
  phone: string | null;
  /** Nuvemshop `identification` when it is a CPF, 11 digits; Shopify has no such field: null. */
  cpf: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Shopify `state` (ENABLED, DISABLED, INVITED, DECLINED); Nuvemshop: null. */
  state: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An order as the new store holds it; `orderStateOf` (domain/reconcile) turns it into one state. */
export interface OrderSnapshot {
  platformId: string;
  /** The buyer's platform id (same form as CustomerSnapshot.platformId), null for guest orders. */
  customerId: string | null;
  /** Shopify `name` (#1001); Nuvemshop `number`. */
  name: string | null;
  /** Shopify `displayFinancialStatus` (PAID, PENDING, REFUNDED…); Nuvemshop `payment_status` (paid, pending…). */
  financialStatus: string | null;
  /** Shopify `displayFulfillmentStatus`; Nuvemshop `shipping_status`. */
  fulfillmentStatus: string | null;
  /** Nuvemshop `status` (open, closed, cancelled); Shopify: null. */
  status: string | null;
  cancelledAt: string | null;
  closed: boolean;
  /** Decimal string in the shop's currency, e.g. "129.90". */
  totalAmount: string;
  currency: string | null;
  /** When the order was placed (Shopify `createdAt`/`processedAt`; Nuvemshop `created_at`). */
  placedAt: string;
  updatedAt: string;
}

/**
 * One page of a stream. `cursor` is opaque and names the position *after* this page: persist it
 * with the page's rows and pass it back to resume there after a crash. Null on the last page.
 */
export interface Page<T> {
  items: T[];
  cursor: string | null;
  /** The client's best knowledge of the total to pull (for progress); null when unknown. */
  total: number | null;
}

export interface StreamOptions {
  /** Only what changed at or after this instant (incremental re-sync). */
  updatedSince?: Date;
  /** Resume after the page that returned this cursor. */
  cursor?: string | null;
  /**
   * `bulk`: Shopify bulk operation (JSONL) — for large first pulls; `paged`: ordinary paginated
   * queries. `auto` (default) lets the client choose from the expected size. Nuvemshop only pages.
   */
  mode?: "auto" | "bulk" | "paged";
}

/** The loyalty state pushed to the store for one customer (Shopify app metafields, Nuvemshop metafields). */
export interface BalanceWrite {
  customerId: string;
  points: number;
  tier: string | null;
  /** ISO instant when pending points were restored; null when credited at apply. */
  restoredAt: string | null;
}

export interface BalanceWriteResult {
  written: number;
  /** Per customer, why it could not be written (the rest were written). */
  failed: Array<{ customerId: string; message: string }>;
}

export interface PlatformClient {
  readonly platform: PlatformName;
  /** How many customers and orders the store holds right now. */
  storeCounts(): Promise<StoreCounts>;
  /** Every customer (or those updated since), page by page, resumable by cursor. */
  customers(options?: StreamOptions): AsyncIterable<Page<CustomerSnapshot>>;
  /** Every order (or those updated since), page by page, resumable by cursor. */
  orders(options?: StreamOptions): AsyncIterable<Page<OrderSnapshot>>;
  /** One customer by platform id; null when the store has no such customer. */
  customer(platformId: string): Promise<CustomerSnapshot | null>;
  /** One order by platform id, as it is now; null when the store has no such order. */
  order(platformId: string): Promise<OrderSnapshot | null>;
  /** Pushes balances to the store, batching and pacing as the platform requires. */
  writeBalances(balances: BalanceWrite[]): Promise<BalanceWriteResult>;
}

/** A platform call that failed after the client's own retries; `retryable` says whether a later try may work. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly code: "UNAUTHORIZED" | "THROTTLED" | "UNAVAILABLE" | "BAD_RESPONSE" | "NOT_INSTALLED" | "NOT_FOUND",
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "PlatformError";
  }
}
