import { ORDER_FIELDS, type OrderNode } from "./order-fields";

/**
 * The query an orders bulk operation runs (the text passed to bulkOperationRunQuery). `customer { id }`
 * and `totalPriceSet` are inline objects, so every JSONL line is one order, without `__parentId` lines.
 */
export function bulkOrdersQuery(search: string | null): string {
  const args = search ? `(query: ${JSON.stringify(search)})` : "";
  return `{ orders${args} { edges { node { ${ORDER_FIELDS.replace(/\s+/g, " ").trim()} } } } }`;
}

/** One JSONL line of its result. */
export type BulkOrderLine = OrderNode;
