// One bulk operation by id (`bulkOperation(id:)`, API 2026-01 and later), polled until it ends.

export const BULK_OPERATION_QUERY = /* GraphQL */ `
  query BulkOperation($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
    }
  }
`;

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperationResult {
  bulkOperation: {
    id: string;
    status: BulkOperationStatus;
    errorCode: string | null;
    /** UnsignedInt64, serialised as a string. */
    objectCount: string;
    rootObjectCount: string;
    url: string | null;
    partialDataUrl: string | null;
  } | null;
}
