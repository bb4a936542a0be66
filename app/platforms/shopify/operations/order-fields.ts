// The order selection shared by the page and bulk queries (a selection, not an operation).

export const ORDER_FIELDS = /* GraphQL */ `
  id
  name
  displayFinancialStatus
  displayFulfillmentStatus
  cancelledAt
  closed
  createdAt
  processedAt
  updatedAt
  customer {
    id
  }
  totalPriceSet {
    shopMoney {
      amount
      currencyCode
    }
  }
`;

/** Requested cost of one order node with ORDER_FIELDS: the node itself, customer, totalPriceSet, shopMoney. */
export const ORDER_NODE_COST = 4;

export interface OrderNode {
  id: string;
  name: string | null;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string | null;
  cancelledAt: string | null;
  closed: boolean;
  createdAt: string;
  processedAt: string | null;
  updatedAt: string;
  customer: { id: string } | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string | null } } | null;
}
