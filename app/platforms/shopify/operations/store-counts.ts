export const STORE_COUNTS_QUERY = /* GraphQL */ `
  query StoreCounts {
    customersCount(limit: null) {
      count
      precision
    }
    ordersCount(limit: null) {
      count
      precision
    }
  }
`;

export interface StoreCountsResult {
  customersCount: { count: number; precision: "EXACT" | "AT_LEAST" };
  ordersCount: { count: number; precision: "EXACT" | "AT_LEAST" };
}
