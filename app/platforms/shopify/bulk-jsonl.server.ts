// Reading a bulk operation's JSONL result as a stream: line by line, never the whole file in memory.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";

/** One parsed line of a bulk result: the object, and the gid of its parent for nested connection children. */
export interface BulkLine<T> {
  record: T;
  parentId: string | null;
}

/**
 * Parses one JSONL line. Blank lines give null. Children of nested connections carry `__parentId`
 * (their parent's gid), which is taken out of the record; inline objects stay inside it.
 */
export function parseBulkLine<T>(text: string): BulkLine<T> | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const value = JSON.parse(trimmed) as Record<string, unknown>;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new SyntaxError("a bulk JSONL line is not an object");
  const { __parentId: parent, ...record } = value;
  return { record: record as T, parentId: typeof parent === "string" ? parent : null };
}

/**
 * The lines of a web stream (a fetch Response body), as text, skipping the first `skip` lines.
 * The stream is released when the consumer stops early.
 */
export async function* jsonlLines(body: ReadableStream<Uint8Array>, skip = 0): AsyncGenerator<string> {
  const input = Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let seen = 0;
  try {
    for await (const line of lines) {
      seen++;
      if (seen <= skip) continue;
      yield line;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
