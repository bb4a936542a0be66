import { CUSTOMER_FIELDS, CUSTOMER_NODE_COST, type CustomerNode } from "./customer-fields";

export const CUSTOMER_BY_ID_COST = CUSTOMER_NODE_COST;

export const CUSTOMER_BY_ID_QUERY = /* GraphQL */ `
  query CustomerById($id: ID!) {
    customer(id: $id) {
      ${CUSTOMER_FIELDS}
    }
  }
`;

export interface CustomerByIdResult {
  customer: CustomerNode | null;
}
