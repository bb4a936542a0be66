import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { rejectedRowCells, spreadsheetSafe } from "~domain/import/report";
import prisma from "../../db.server";

const PAGE = 2000;

/**
 * The rejected rows of one import as CSV — row number, reasons, then the original cells — for
 * the merchant to fix and re-upload. Streamed page by page; every cell spreadsheet-safe.
 * Scoped by shop: another shop's file id yields "not found", never its rows.
 */
export async function writeRejectedRowsCsv(shopId: string, importFileId: string, out: Writable): Promise<{ rows: number } | null> {
  const file = await prisma.importFile.findFirst({ where: { id: importFileId, shopId } });
  if (!file) return null;
  const header = (JSON.parse(file.formatJson) as { header?: string[] }).header ?? [];
  let rows = 0;
  async function* lines() {
    yield ["row", "reasons", ...header].map(spreadsheetSafe);
    let after = 0;
    for (;;) {
      const page = await prisma.loyaltyRecord.findMany({
        where: { importFileId, shopId, status: "rejected", rowNumber: { gt: after } },
        orderBy: { rowNumber: "asc" },
        take: PAGE,
        select: { rowNumber: true, rejectReason: true, rawJson: true },
      });
      for (const r of page) {
        rows++;
        yield rejectedRowCells(r.rowNumber, r.rejectReason ?? "", header, JSON.parse(r.rawJson) as Record<string, string>);
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.rowNumber;
    }
  }
  await pipeline(Readable.from(lines()), stringify({ bom: true }), out);
  return { rows };
}
