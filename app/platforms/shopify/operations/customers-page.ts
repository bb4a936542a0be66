import { CUSTOMER_FIELDS, CUSTOMER_NODE_COST, type CustomerNode } from "./customer-fields";

/** Shopify's page maximum; its requested cost, 2 + 250 × 3 = 752, fits the 1,000-point single-query limit. */
export const CUSTOMERS_PAGE_SIZE = 250;
export const CUSTOMERS_PAGE_COST = 2 + CUSTOMERS_PAGE_SIZE * CUSTOMER_NODE_COST;

export const CUSTOMERS_PAGE_QUERY = /* GraphQL */ `
  query CustomersPage($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: ID) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ${CUSTOMER_FIELDS}
      }
    }
  }
`;

export interface CustomersPageResult {
  customers: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: CustomerNode[];
  };
}
