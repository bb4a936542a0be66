import { ORDER_FIELDS, ORDER_NODE_COST, type OrderNode } from "./order-fields";

/** 250 orders would cost 2 + 250 × 4 = 1,002, over the 1,000-point single-query limit; 240 cost 962. */
export const ORDERS_PAGE_SIZE = 240;
export const ORDERS_PAGE_COST = 2 + ORDERS_PAGE_SIZE * ORDER_NODE_COST;

export const ORDERS_PAGE_QUERY = /* GraphQL */ `
  query OrdersPage($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: ID) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ${ORDER_FIELDS}
      }
    }
  }
`;

export interface OrdersPageResult {
  orders: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: OrderNode[];
  };
}
