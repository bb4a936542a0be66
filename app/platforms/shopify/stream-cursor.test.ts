import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, InvalidCursorError, type StreamCursor } from "./stream-cursor";

describe("Shopify stream cursors", () => {
  const paged: StreamCursor = { v: 1, resource: "customers", search: "updated_at:>='2026-11-01T12:00:00Z'", total: 450, mode: "paged", after: "eyJsYXN0X2lkIjo3fQ==" };
  const bulk: StreamCursor = {
    v: 1,
    resource: "orders",
    search: null,
    total: null,
    mode: "bulk",
    operationId: "gid://shopify/BulkOperation/4039184154813",
    url: "https://storage.example/bulk/1.jsonl?signature=a%2Bb",
    line: 3000,
  };

  it("round-trips paged and bulk positions through an opaque URL-safe string", () => {
    for (const c of [paged, bulk]) {
      const text = encodeCursor(c);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(text, c.resource)).toEqual(c);
    }
  });

  it("refuses a cursor of the other resource", () => {
    expect(() => decodeCursor(encodeCursor(paged), "orders")).toThrow(InvalidCursorError);
    expect(() => decodeCursor(encodeCursor(bulk), "customers")).toThrow(/orders stream, not customers/);
  });

  it("refuses text that is not one of its cursors", () => {
    const bad = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const cases: Array<[string, "customers" | "orders"]> = [
      ["", "customers"],
      ["not base64 json!", "customers"],
      [bad(null), "customers"],
      [bad([1]), "customers"],
      [bad({ ...paged, v: 2 }), "customers"],
      [bad({ ...paged, after: "" }), "customers"],
      [bad({ ...paged, mode: "other" }), "customers"],
      [bad({ ...paged, search: 3 }), "customers"],
      [bad({ ...bulk, line: -1 }), "orders"],
      [bad({ ...bulk, line: 1.5 }), "orders"],
      [bad({ ...bulk, url: undefined }), "orders"],
      [bad({ ...bulk, total: "12" }), "orders"],
    ];
    for (const [text, resource] of cases) expect(() => decodeCursor(text, resource), text).toThrow(InvalidCursorError);
  });
});
