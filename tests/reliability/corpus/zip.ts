/**
 * A small ZIP writer for the hostile-file corpus, by hand over node:zlib: ExcelJS and JSZip only
 * write honest archives, and a zip bomb needs a dishonest one (sizes that lie, one entry inflating
 * to gigabytes from a few kilobytes, thousands of entries). Deflate streams of huge repeated
 * content are made chunk by chunk, so the generator never holds the inflated bytes.
 */
import zlib from "node:zlib";

export interface DeflatedEntry {
  name: string;
  /** The compressed bytes (raw deflate), or the stored bytes when `method` is 0. */
  data: Buffer;
  method: 0 | 8;
  crc: number;
  size: number;
  /** Write this uncompressed size in the headers instead of the real one (a bomb that lies). */
  declaredSize?: number;
  /** Write this compressed size in the local header (a damaged archive: the parser loses its place). */
  declaredCompressedSize?: number;
}

/** One entry, deflated in memory (small content). */
export function entry(name: string, content: string | Buffer, method: 0 | 8 = 8): DeflatedEntry {
  const raw = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return { name, data: method === 8 ? zlib.deflateRawSync(raw, { level: 9 }) : raw, method, crc: zlib.crc32(raw), size: raw.length };
}

/**
 * One entry whose content is `head`, then `unit` repeated `times` times, then `tail`, deflated as a
 * stream: `unit` × 100,000,000 never exists in memory, only its compressed form.
 */
export async function repeatedEntry(name: string, head: string, unit: string, times: number, tail: string): Promise<DeflatedEntry> {
  const deflate = zlib.createDeflateRaw({ level: 9, memLevel: 9 });
  const chunks: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  let crc = 0;
  let size = 0;
  const write = async (buffer: Buffer) => {
    crc = zlib.crc32(buffer, crc);
    size += buffer.length;
    if (!deflate.write(buffer)) await new Promise((resolve) => deflate.once("drain", resolve));
  };
  await write(Buffer.from(head, "utf8"));
  const perBlock = Math.max(1, Math.floor((1 << 20) / Math.max(1, Buffer.byteLength(unit))));
  const block = Buffer.from(unit.repeat(Math.min(perBlock, times)), "utf8");
  let left = times;
  while (left > 0) {
    const n = Math.min(perBlock, left);
    await write(n === Math.min(perBlock, times) ? block : Buffer.from(unit.repeat(n), "utf8"));
    left -= n;
  }
  await write(Buffer.from(tail, "utf8"));
  deflate.end();
  await done;
  return { name, data: Buffer.concat(chunks), method: 8, crc: crc >>> 0, size };
}

/** The archive: local headers and data, then the central directory (no ZIP64: sizes < 4 GiB). */
export function zip(entries: readonly DeflatedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const size = e.declaredSize ?? e.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.declaredCompressedSize ?? e.data.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, e.data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length & 0xffff, 8);
  end.writeUInt16LE(entries.length & 0xffff, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// --------------------------------------------------------------------- a minimal workbook's parts

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;

export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`;
export const SHEET_TAIL = `</sheetData></worksheet>`;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One sheet row of inline strings (numbers as numbers when `numbers`), row number `r`. */
export function sheetRow(r: number, cells: readonly (string | number)[]): string {
  const col = (i: number) => {
    let s = "";
    for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  };
  const xml = cells
    .map((value, i) =>
      typeof value === "number"
        ? `<c r="${col(i)}${r}"><v>${value}</v></c>`
        : `<c r="${col(i)}${r}" t="inlineStr"><is><t>${escapeXml(value)}</t></is></c>`,
    )
    .join("");
  return `<row r="${r}">${xml}</row>`;
}

/** A workbook around the given sheet and shared-strings entries (the rest is a fixed minimal skeleton). */
export function workbook(sheet: DeflatedEntry, sharedStrings: DeflatedEntry = entry("xl/sharedStrings.xml", EMPTY_SST), extra: DeflatedEntry[] = []): Buffer {
  return zip([
    entry("[Content_Types].xml", CONTENT_TYPES),
    entry("_rels/.rels", ROOT_RELS),
    entry("xl/workbook.xml", WORKBOOK),
    entry("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    sharedStrings,
    sheet,
    ...extra,
  ]);
}

export const EMPTY_SST = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>`;
