import { describe, expect, it } from "vitest";
import { jsonlLines, parseBulkLine } from "./bulk-jsonl.server";

function streamOf(chunks: string[], failAfter?: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let k = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && k === failAfter) {
        controller.error(new TypeError("terminated"));
        return;
      }
      const chunk = chunks[k++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("bulk JSONL", () => {
  it("parses a root line with its inline objects, and takes __parentId out of child lines", () => {
    const root = parseBulkLine<{ id: string; customer: { id: string } | null; totalPriceSet: { shopMoney: { amount: string } } }>(
      '{"id":"gid://shopify/Order/1","customer":{"id":"gid://shopify/Customer/9"},"totalPriceSet":{"shopMoney":{"amount":"10.0"}}}',
    );
    expect(root).toEqual({
      record: { id: "gid://shopify/Order/1", customer: { id: "gid://shopify/Customer/9" }, totalPriceSet: { shopMoney: { amount: "10.0" } } },
      parentId: null,
    });
    const child = parseBulkLine<{ id: string }>('{"id":"gid://shopify/Order/2","__parentId":"gid://shopify/Customer/9"}\r');
    expect(child).toEqual({ record: { id: "gid://shopify/Order/2" }, parentId: "gid://shopify/Customer/9" });
    expect(parseBulkLine("   ")).toBeNull();
    expect(() => parseBulkLine("[1,2]")).toThrow(SyntaxError);
    expect(() => parseBulkLine('{"id": ')).toThrow(SyntaxError);
  });

  it("splits lines across chunk boundaries (multi-byte characters included) and skips the first lines", async () => {
    const text = ['{"n":1,"name":"Jo', 'ão"}\n{"n":2}\r\n{"n', '":3}\n', '{"n":4,"name":"Conceição"}'];
    // Split a multi-byte character across two chunks too.
    const bytes = new TextEncoder().encode(text.join(""));
    const cut = bytes.indexOf(0xc3) + 1;
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    expect(await collect(jsonlLines(split))).toEqual(['{"n":1,"name":"João"}', '{"n":2}', '{"n":3}', '{"n":4,"name":"Conceição"}']);
    expect(await collect(jsonlLines(streamOf(text), 2))).toEqual(['{"n":3}', '{"n":4,"name":"Conceição"}']);
    expect(await collect(jsonlLines(streamOf(text), 10))).toEqual([]);
  });

  it("surfaces a stream that breaks mid-file, and releases the stream when the reader stops early", async () => {
    await expect(collect(jsonlLines(streamOf(['{"n":1}\n', '{"n":2}\n', '{"n":3}\n'], 2)))).rejects.toThrow(/terminated/);
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":0}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const line of jsonlLines(endless)) {
      expect(line).toBe('{"n":0}');
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(cancelled).toBe(true);
  });
});
