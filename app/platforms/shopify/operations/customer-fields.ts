// The customer selection shared by the page, by-id and bulk queries (a selection, not an operation).

export const CUSTOMER_FIELDS = /* GraphQL */ `
  id
  firstName
  lastName
  state
  createdAt
  updatedAt
  defaultEmailAddress {
    emailAddress
  }
  defaultPhoneNumber {
    phoneNumber
  }
`;

/** Requested cost of one customer node with CUSTOMER_FIELDS: the node itself and its two inline objects. */
export const CUSTOMER_NODE_COST = 3;

export interface CustomerNode {
  id: string;
  firstName: string | null;
  lastName: string | null;
  state: string | null;
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string | null } | null;
}
