import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { coreEnv } from "../../env.server";

/** SHA-256 of a file, streamed: the identity of an upload ("the same file twice"). */
export async function sha256OfFile(filePath: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  await pipeline(fs.createReadStream(filePath), hash);
  return hash.digest("hex");
}

/** The first bytes of a file, for format detection. */
export async function readHead(filePath: string, bytes = 256 * 1024): Promise<Uint8Array> {
  const handle = await fs.promises.open(filePath, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Keeps an uploaded export outside public/ (UPLOAD_DIR/<shop>/<sha256><ext>, owner-only), so
 * the rows can be re-read and the merchant's file is never served by the web server.
 */
export async function keepUpload(shopId: string, sha256: string, fileName: string, sourcePath: string): Promise<string> {
  const ext = path.extname(fileName).toLowerCase().replace(/[^.a-z0-9]/g, "").slice(0, 8);
  const dir = path.resolve(coreEnv().UPLOAD_DIR, shopId.replace(/[^a-zA-Z0-9_-]/g, ""));
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, `${sha256}${ext}`);
  if (path.resolve(sourcePath) !== target) await fs.promises.copyFile(sourcePath, target);
  await fs.promises.chmod(target, 0o600);
  return target;
}
