import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { AppError, invalidInput } from "../../errors.ts";
import type { DataFile, DataFiles } from "../../ports/data-files.ts";

const fileOf = (p: string): DataFile => ({ path: p, name: basename(p), folder: basename(dirname(p)) });

/** DataFiles on the local disk; gzip through node:zlib, zip through fflate */
export class NodeDataFiles implements DataFiles {
  list(path: string): { isFolder: boolean; files: DataFile[] } {
    const p = resolve(path);
    if (!existsSync(p)) throw new AppError("NOT_FOUND", `${path}: no such file or folder`);
    if (!statSync(p).isDirectory()) return { isFolder: false, files: [fileOf(p)] };
    const files = readdirSync(p)
      .sort()
      .map((n) => join(p, n))
      .filter((f) => statSync(f).isFile())
      .map(fileOf);
    return { isFolder: true, files };
  }

  readBytes(path: string): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new AppError(
        "NOT_FOUND",
        `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
        {
          cause: err,
        },
      );
    }
    try {
      if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
      else if (path.endsWith(".zip")) {
        const entries = Object.entries(unzipSync(bytes)).filter(([n]) => !n.endsWith("/"));
        if (entries.length !== 1) {
          throw invalidInput(`${path}: a zip must hold exactly one candle file, found ${entries.length}`);
        }
        bytes = entries[0]![1];
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw invalidInput(`${path}: cannot decompress (${(err as Error).message}); is the file complete?`);
    }
    return bytes;
  }

  writeTextAtomic(path: string, text: string): void {
    const p = resolve(path);
    try {
      mkdirSync(dirname(p), { recursive: true });
      const tmp = `${p}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, p);
    } catch (err) {
      throw invalidInput(`${path}: cannot write (${(err as Error).message})`);
    }
  }
}
