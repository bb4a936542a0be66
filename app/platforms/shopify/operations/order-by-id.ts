import { ORDER_FIELDS, ORDER_NODE_COST, type OrderNode } from "./order-fields";

export const ORDER_BY_ID_COST = ORDER_NODE_COST;

export const ORDER_BY_ID_QUERY = /* GraphQL */ `
  query OrderById($id: ID!) {
    order(id: $id) {
      ${ORDER_FIELDS}
    }
  }
`;

export interface OrderByIdResult {
  order: OrderNode | null;
}
