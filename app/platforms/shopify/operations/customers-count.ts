// The size of one customers stream (with the stream's search filter), for progress and for choosing
// bulk or paged. `limit: null` makes the count exact above Shopify's default of 10,000.

export const CUSTOMERS_COUNT_QUERY = /* GraphQL */ `
  query CustomersCount($query: String) {
    customersCount(query: $query, limit: null) {
      count
      precision
    }
  }
`;

export interface CustomersCountResult {
  customersCount: { count: number; precision: "EXACT" | "AT_LEAST" } | null;
}
