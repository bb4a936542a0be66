import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { readCsv } from "./csv";
import { csvFormat } from "./test-support";

/**
 * readCsv streams: a 200,000-row file (about 100 MB, generated lazily and never held whole) is
 * read with the heap staying far below the file's size. No timing assertion: only memory.
 */
const ROWS = 200_000;

/**
 * The garbage collector, so the heap is measured after collection (what is retained, not what
 * is waiting to be collected). Without it, the measure is an upper bound and still must pass.
 */
function collector(): () => void {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    if (typeof gc === "function") return gc as () => void;
  } catch {
    // not available: measure without collecting
  }
  return () => {};
}

const NOTE = "x".repeat(440);

async function* generatedCsv(): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode("email;points;name;note\r\n");
  let batch: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    batch.push(`member${i}@example.com;${i};"Conceição ${i}, João";"${NOTE}"\r\n`);
    if (batch.length === 100) {
      yield encoder.encode(batch.join(""));
      batch = [];
    }
  }
  if (batch.length > 0) yield encoder.encode(batch.join(""));
}

describe("readCsv memory", () => {
  it("streams a 200,000-row file with bounded heap growth", async () => {
    const gc = collector();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let rows = 0;
    let lastLine = 0;
    let checksum = 0;
    for await (const event of readCsv(generatedCsv(), csvFormat({ delimiter: ";" }))) {
      if (event.type !== "row") continue;
      rows++;
      lastLine = event.row.rowNumber;
      checksum += Number(event.row.cells[1]);
      if (rows % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    expect(rows).toBe(ROWS);
    expect(lastLine).toBe(ROWS + 1);
    expect(checksum).toBe((ROWS * (ROWS - 1)) / 2);
    const fileBytes = ROWS * (NOTE.length + 60);
    expect(fileBytes).toBeGreaterThan(90 * 1024 * 1024); // holding the file would show
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
