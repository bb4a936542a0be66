import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Writes a file with this name and content into a fresh temporary directory. */
export function tempFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-test-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
