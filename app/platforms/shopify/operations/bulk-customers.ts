import { CUSTOMER_FIELDS, type CustomerNode } from "./customer-fields";

/**
 * The query a customers bulk operation runs (the text passed to bulkOperationRunQuery). Inline
 * objects only, no nested connection: every JSONL line is one customer, without `__parentId` lines.
 */
export function bulkCustomersQuery(search: string | null): string {
  const args = search ? `(query: ${JSON.stringify(search)})` : "";
  return `{ customers${args} { edges { node { ${CUSTOMER_FIELDS.replace(/\s+/g, " ").trim()} } } } }`;
}

/** One JSONL line of its result. */
export type BulkCustomerLine = CustomerNode;
