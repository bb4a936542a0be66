// The opaque cursor of a Shopify stream (Page.cursor): base64url of a small JSON object saying how
// to resume after the page that returned it. It carries the stream's search filter so a resume
// reads exactly the same stream, whatever options the caller passes again.

export type StreamResource = "customers" | "orders";

interface CursorBase {
  v: 1;
  resource: StreamResource;
  /** The Shopify search filter of the stream (e.g. `updated_at:>='2026-11-01T12:00:00Z'`), null for all. */
  search: string | null;
  total: number | null;
}

/** Resume an ordinary paginated query after Shopify's `endCursor`. */
export interface PagedCursor extends CursorBase {
  mode: "paged";
  after: string;
}

/**
 * Resume reading a bulk operation's JSONL after its first `line` lines. `url` is the signed URL the
 * operation answered (it expires, Shopify says after a week): when it is gone, the client asks the
 * operation for a fresh one and, failing that, runs the bulk query again from the start.
 */
export interface BulkCursor extends CursorBase {
  mode: "bulk";
  operationId: string;
  url: string;
  line: number;
}

export type StreamCursor = PagedCursor | BulkCursor;

export class InvalidCursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidCursorError";
  }
}

export function encodeCursor(cursor: StreamCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

/** Decodes a cursor this client issued for `resource`; throws InvalidCursorError for anything else. */
export function decodeCursor(text: string, resource: StreamResource): StreamCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("not a Shopify stream cursor");
  }
  const c = value as { [K in keyof PagedCursor | keyof BulkCursor]?: unknown } | null;
  if (!c || typeof c !== "object" || c.v !== 1) throw new InvalidCursorError("not a Shopify stream cursor");
  if (c.resource !== resource) throw new InvalidCursorError(`the cursor belongs to a ${String(c.resource)} stream, not ${resource}`);
  const search = c.search === null || typeof c.search === "string" ? c.search : undefined;
  const total = c.total === null || (typeof c.total === "number" && Number.isFinite(c.total)) ? c.total : undefined;
  if (search === undefined || total === undefined) throw new InvalidCursorError("malformed Shopify stream cursor");
  if (c.mode === "paged" && typeof c.after === "string" && c.after) {
    return { v: 1, resource, search, total, mode: "paged", after: c.after };
  }
  if (
    c.mode === "bulk" &&
    typeof c.operationId === "string" &&
    typeof c.url === "string" &&
    typeof c.line === "number" &&
    Number.isInteger(c.line) &&
    c.line >= 0
  ) {
    return { v: 1, resource, search, total, mode: "bulk", operationId: c.operationId, url: c.url, line: c.line };
  }
  throw new InvalidCursorError("malformed Shopify stream cursor");
}
