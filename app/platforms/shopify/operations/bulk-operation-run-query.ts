// Starts a bulk query operation; Shopify runs it in the background and writes JSONL.
// https://shopify.dev/docs/api/usage/bulk-operations/queries

export const BULK_OPERATION_RUN_QUERY_MUTATION = /* GraphQL */ `
  mutation BulkOperationRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface BulkOperationRunQueryResult {
  bulkOperationRunQuery: {
    bulkOperation: { id: string; status: string } | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  } | null;
}
