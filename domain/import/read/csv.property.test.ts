import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Delimiter, QuoteChar, ReadEvent } from "../types";
import { readCsv } from "./csv";
import { chunked, collect, collectUntilError, csvFormat, utf8 } from "./test-support";

/**
 * A CSV written with proper quoting from random cells — quotes, delimiters, CR/LF inside cells,
 * multi-byte characters — reads back to the same cells and line numbers, however its bytes are cut
 * into chunks (including in the middle of a UTF-8 character and between CR and LF).
 */

const cellChars = fc.constantFrom("a", "Z", "0", " ", ",", ";", "\t", '"', "'", "\n", "\r", "#", "ç", "ã", "€", "🎉", "漢");
const cell = fc.string({ unit: cellChars, maxLength: 12 });
const lineEnding = fc.constantFrom("\n", "\r\n", "\r");

function needsQuotes(value: string, delimiter: string, quote: string, first: boolean): boolean {
  return value.includes(delimiter) || value.includes(quote) || value.includes("\n") || value.includes("\r") || (first && value.startsWith("#"));
}

function writeCell(value: string, delimiter: string, quote: string, first: boolean): string {
  return needsQuotes(value, delimiter, quote, first) ? quote + value.split(quote).join(quote + quote) + quote : value;
}

/** Physical lines a text spans: CRLF, CR and LF each end one. */
function lineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

describe("readCsv round trip (property)", () => {
  it("reads back the cells and line numbers of any properly quoted CSV, in chunks of random sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((width) =>
          fc.record({
            width: fc.constant(width),
            header: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: width, maxLength: width }),
            rows: fc.array(fc.tuple(fc.array(cell, { minLength: width, maxLength: width }), lineEnding), { minLength: 1, maxLength: 12 }),
            delimiter: fc.constantFrom<Delimiter>(",", ";", "\t"),
            quote: fc.constantFrom<QuoteChar>('"', "'"),
            bom: fc.boolean(),
            headerEnding: lineEnding,
            cuts: fc.array(fc.nat(), { maxLength: 12 }),
          }),
        ),
        async ({ header, rows, delimiter, quote, bom, headerEnding, cuts }) => {
          let text = (bom ? "\uFEFF" : "") + header.join(delimiter) + headerEnding;
          let line = 1 + lineBreaks(text);
          const expected: ReadEvent[] = [{ type: "header", rowNumber: 1, header }];
          for (const [cells, chosenEnding] of rows) {
            const written = cells.map((c, i) => writeCell(c, delimiter, quote, i === 0)).join(delimiter);
            // An empty line ended by LF right after a CR would make one CRLF: keep them two lines.
            const ending = text.endsWith("\r") && written === "" && chosenEnding !== "\r" ? "\r" : chosenEnding;
            if (cells.every((c) => c.trim() === "")) expected.push({ type: "ignored", rowNumber: line, reason: "blank" });
            else expected.push({ type: "row", row: { rowNumber: line, cells } });
            text += written + ending;
            line += lineBreaks(written + ending);
          }
          const bytes = utf8(text);
          const cutAt = cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length));
          const { events, error } = await collectUntilError(readCsv(chunked(bytes, cutAt), csvFormat({ delimiter, quote, encoding: bom ? "utf-8-bom" : "utf-8" })));
          expect(events).toEqual(expected);
          // Blank rows only: a header without data.
          expect(error?.code).toBe(expected.some((e) => e.type === "row") ? undefined : "HEADER_ONLY");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads the same events whatever the chunking, even from broken files", async () => {
    const piece = fc.constantFrom("a", ",", '"', "\n", "\r", "\r\n", "#", " ", "ç", "🎉", '""', '","', '"a"');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 10 }), async (pieces, cuts) => {
        const bytes = utf8("h1,h2\n" + pieces.join(""));
        const outcome = async (cut: number | number[]) => {
          try {
            return { events: await collect(readCsv(chunked(bytes, cut), csvFormat(), { maxRecordLines: 4 })), error: null };
          } catch (error) {
            return { events: null, error: (error as { code?: string }).code ?? String(error) };
          }
        };
        const whole = await outcome(bytes.length + 1);
        // The splitter and csv-parse agree on where quotes open and close: csv-parse never fails
        // on a record the splitter hands it.
        for (const e of whole.events ?? []) if (e.type === "malformed") expect(e.reason).not.toMatch(/cannot be read as CSV/);
        expect(await outcome(cuts.map((c) => c % bytes.length))).toEqual(whole);
        expect(await outcome(1)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
