import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/**
 * Replaces a small owner-only (0600) file atomically: temp file, fsync, rename, so a crash leaves
 * the old or the new content, never a torn one
 */
export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
