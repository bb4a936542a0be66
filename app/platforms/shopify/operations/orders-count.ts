// The size of one orders stream (with the stream's search filter), for progress and for choosing
// bulk or paged. `limit: null` makes the count exact above Shopify's default of 10,000.

export const ORDERS_COUNT_QUERY = /* GraphQL */ `
  query OrdersCount($query: String) {
    ordersCount(query: $query, limit: null) {
      count
      precision
    }
  }
`;

export interface OrdersCountResult {
  ordersCount: { count: number; precision: "EXACT" | "AT_LEAST" } | null;
}
