import iconv from "iconv-lite";
import type { Encoding } from "../types";

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Known binary formats merchants upload by mistake, by their first bytes, with what to tell them.
 * Checked before the generic "NUL bytes / control characters" rule so the message can be precise.
 */
const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0xff, 0xfe], what: 'a UTF-16 text file ("Unicode text"); save it again as "CSV UTF-8"' },
  { bytes: [0xfe, 0xff], what: 'a UTF-16 text file ("Unicode text"); save it again as "CSV UTF-8"' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: "an old Excel 97–2003 workbook (.xls); save it again as .xlsx or CSV" },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image" },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: "a PDF document" },
  { bytes: [0x1f, 0x8b], what: "a gzip archive; extract the CSV from it first" },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: "a RAR archive; extract the CSV from it first" },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: "a 7-Zip archive; extract the CSV from it first" },
];

/** What the bytes are when they are clearly not text, or null when they may be text. */
export function binaryKind(sample: Uint8Array): string | null {
  for (const { bytes, what } of MAGIC) {
    if (bytes.every((b, i) => sample[i] === b)) return what;
  }
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i] as number;
    if (b === 0) return "binary data (it contains NUL bytes), not text";
    // C0 controls other than tab, LF, FF, CR and the old DOS end-of-file mark (0x1A).
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1a) controls++;
  }
  if (controls >= 8 && controls > sample.length * 0.05) return "binary data (too many control characters), not text";
  return null;
}

export interface Utf8Scan {
  /** Multi-byte sequences that are valid UTF-8 (each one an accented letter or other non-ASCII char). */
  validMultiByte: number;
  /** Invalid sequences (each a byte or a broken sequence that UTF-8 decoding turns into U+FFFD). */
  invalid: number;
  /** Byte offset of the first invalid sequence, or -1. */
  firstInvalidAt: number;
  /** Byte offset of the first valid multi-byte sequence, or -1. */
  firstValidMultiByteAt: number;
}

/**
 * Walks the bytes as UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
 * An incomplete sequence at the very end is not counted as invalid when `truncated` says the bytes
 * are a cut of a longer file (the rest of the character is in the next bytes).
 */
export function scanUtf8(bytes: Uint8Array, truncated: boolean): Utf8Scan {
  const scan: Utf8Scan = { validMultiByte: 0, invalid: 0, firstInvalidAt: -1, firstValidMultiByteAt: -1 };
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    }
    let ok = need > 0;
    let j = 1;
    for (; ok && j <= need; j++) {
      if (i + j >= n) {
        if (truncated) return scan; // the character continues past the sample
        ok = false;
        break;
      }
      const c = bytes[i + j] as number;
      const min = j === 1 ? lo : 0x80;
      const max = j === 1 ? hi : 0xbf;
      if (c < min || c > max) ok = false;
    }
    if (ok) {
      if (scan.firstValidMultiByteAt < 0) scan.firstValidMultiByteAt = i;
      scan.validMultiByte++;
      i += need + 1;
    } else {
      if (scan.firstInvalidAt < 0) scan.firstInvalidAt = i;
      scan.invalid++;
      i++;
    }
  }
  return scan;
}

/** 1-based line of a byte offset (LF, CRLF or CR endings). */
export function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) line++;
    else if (b === 0x0d && bytes[i + 1] !== 0x0a) line++;
  }
  return line;
}

/**
 * The iconv-lite codec for an encoding. ISO-8859-1 is read as Windows-1252, as the WHATWG Encoding
 * Standard (and every browser) does for that label: the two agree on every printable character, and
 * where they differ (0x80–0x9F) ISO-8859-1 has only invisible C1 controls, while files labelled
 * "Latin-1" that use those bytes mean Windows-1252's €, “ ” and friends.
 */
export function iconvName(encoding: Encoding): iconv.Encoding {
  switch (encoding) {
    case "utf-8":
    case "utf-8-bom":
      return "utf8";
    case "windows-1252":
    case "iso-8859-1":
      return "win1252";
  }
}

export interface TextDecoderStream {
  /** Decodes the next bytes; a character split between chunks comes out whole in a later call. */
  write(bytes: Uint8Array): string;
  /** Flushes what is left (an incomplete UTF-8 sequence becomes U+FFFD). */
  end(): string;
}

/**
 * A streaming decoder (iconv-lite's `getDecoder`). Invalid UTF-8 becomes U+FFFD; a UTF-8 BOM is
 * removed whichever of the two UTF-8 encodings is declared.
 */
export function createDecoder(encoding: Encoding): TextDecoderStream {
  const decoder = iconv.getDecoder(iconvName(encoding), { stripBOM: true });
  let first = true;
  const stripBom = (text: string) => {
    if (!first || text === "") return text;
    first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  return {
    write: (bytes) => stripBom(decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))),
    end: () => stripBom(decoder.end() ?? ""),
  };
}

/** Decodes a whole (small) buffer. */
export function decodeAll(bytes: Uint8Array, encoding: Encoding): string {
  const d = createDecoder(encoding);
  return d.write(bytes) + d.end();
}
