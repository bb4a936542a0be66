/** Helpers shared by the reading layer's tests (not part of the public API). */
import { type FileFormat, ImportFileError, type ReadEvent } from "../types";

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The bytes as an async stream of chunks: of one size, or cut at the given offsets. */
export async function* chunked(bytes: Uint8Array, cut: number | number[] = 64 * 1024): AsyncGenerator<Uint8Array> {
  if (typeof cut === "number") {
    for (let i = 0; i < bytes.length; i += cut) yield bytes.subarray(i, i + cut);
    return;
  }
  let start = 0;
  for (const at of [...new Set(cut)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    yield bytes.subarray(start, at);
    start = at;
  }
  yield bytes.subarray(start);
}

export async function collect(events: AsyncIterable<ReadEvent>): Promise<ReadEvent[]> {
  const out: ReadEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** Every event until the end or the error that stopped the reading. */
export async function collectUntilError(events: AsyncIterable<ReadEvent>): Promise<{ events: ReadEvent[]; error: ImportFileError | null }> {
  const out: ReadEvent[] = [];
  try {
    for await (const e of events) out.push(e);
    return { events: out, error: null };
  } catch (error) {
    if (error instanceof ImportFileError) return { events: out, error };
    throw error;
  }
}

export function csvFormat(overrides: Partial<FileFormat> = {}): FileFormat {
  return { kind: "csv", encoding: "utf-8", delimiter: ",", quote: '"', headerRow: 1, decimalMark: "dot", dateOrder: "dmy", ...overrides };
}

/** Rows as [line, cells] pairs, for compact expectations. */
export function rowsOf(events: ReadEvent[]): [number, string[]][] {
  return events.flatMap((e) => (e.type === "row" ? [[e.row.rowNumber, e.row.cells] as [number, string[]]] : []));
}

/** Events in a compact form: "header@1", "row@2", "ignored:blank@3", "malformed@4". */
export function shapes(events: ReadEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case "header":
        return `header@${e.rowNumber}`;
      case "row":
        return `row@${e.row.rowNumber}`;
      case "ignored":
        return `ignored:${e.reason}@${e.rowNumber}`;
      case "malformed":
        return `malformed@${e.rowNumber}`;
    }
  });
}

export async function expectImportError(promise: Promise<unknown>): Promise<ImportFileError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}
