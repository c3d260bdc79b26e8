import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { crc32, gunzipSync, inflateRawSync } from "node:zlib";
import { AppError, invalidInput } from "../../errors.ts";
import type { DataFile, DataFiles, DataTable, SkippedFile } from "../../ports/data-files.ts";

/**
 * The largest file, or decompressed content, kairos reads: ~4M one-minute candles as CSV (years of
 * one symbol), far beyond a real candle file, under V8's longest string (~512M characters, which the
 * text parser may need) and small enough that a gzip or zip bomb (1 GiB of zeros in 1 MB) is
 * refused before it can take the machine's memory.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

const mib = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

const fileOf = (p: string): DataFile => {
  const parts = dirname(p)
    .split(sep)
    .filter((x) => x !== "");
  return { path: p, name: basename(p), folder: basename(dirname(p)), parents: parts.reverse() };
};

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? "error";

/** DataFiles on the local disk; gzip and zip through node:zlib, feather/parquet in read-table.ts */
export class NodeDataFiles implements DataFiles {
  private readonly maxBytes: number;

  /** `maxBytes` lowers the size bound (tests of the bound use a small one) */
  constructor(opts: { maxBytes?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  }

  list(path: string): { isFolder: boolean; files: DataFile[]; skipped: SkippedFile[] } {
    const p = resolve(path);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (err) {
      throw new AppError("NOT_FOUND", `${path}: ${whyUnreadable(p, err)}`);
    }
    if (!st.isDirectory()) return { isFolder: false, files: [fileOf(p)], skipped: [] };
    const files: DataFile[] = [];
    const skipped: SkippedFile[] = [];
    let names: string[];
    try {
      names = readdirSync(p).sort();
    } catch (err) {
      throw invalidInput(`${path}: cannot list the folder (${codeOf(err)})`);
    }
    for (const n of names) {
      const f = join(p, n);
      try {
        const s = statSync(f);
        if (s.isFile()) files.push(fileOf(f));
        else if (s.isDirectory()) skipped.push({ name: n, reason: "a folder (import it on its own)" });
        else skipped.push({ name: n, reason: "not a regular file" });
      } catch (err) {
        skipped.push({ name: n, reason: whyUnreadable(f, err) });
      }
    }
    return { isFolder: true, files, skipped };
  }

  readBytes(path: string): Uint8Array {
    let bytes: Uint8Array = this.readRaw(path);
    try {
      if (path.endsWith(".gz")) bytes = gunzipSync(bytes, { maxOutputLength: this.maxBytes });
      else if (path.endsWith(".zip")) bytes = this.unzipOne(path, bytes);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (codeOf(err) === "ERR_BUFFER_TOO_LARGE") throw this.tooLarge(path, "decompresses to");
      throw invalidInput(`${path}: cannot decompress (${codeOf(err)}); is the file complete?`);
    }
    return bytes;
  }

  async readTable(path: string, format: "feather" | "parquet"): Promise<DataTable> {
    const bytes = this.readRaw(path);
    // apache-arrow and hyparquet take ~0.5 s to import: loaded for the first table file, not when the CLI starts
    const { readFeather, readParquet } = await import("./read-table.ts");
    return format === "feather"
      ? readFeather(bytes, path, this.maxBytes)
      : readParquet(bytes, path, this.maxBytes);
  }

  writeTextAtomic(path: string, text: string): void {
    const p = resolve(path);
    let link = false;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch {
      // not there yet: written fresh
    }
    if (link) {
      throw invalidInput(
        `${path} is a symbolic link; kairos neither replaces a link nor writes through it: give the path of the real file`,
      );
    }
    const tmp = `${p}.tmp-${process.pid}-${Date.now()}`;
    let fd: number | undefined;
    try {
      mkdirSync(dirname(p), { recursive: true });
      // "wx": the temporary name must not exist, so a link planted there is never followed
      fd = openSync(tmp, "wx", 0o644);
      writeSync(fd, text);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, p);
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was created
      }
      throw invalidInput(`${path}: cannot write (${codeOf(err)})`);
    }
  }

  private readRaw(path: string): Uint8Array {
    let size: number;
    try {
      size = statSync(path).size;
    } catch (err) {
      throw new AppError("NOT_FOUND", `${path}: ${whyUnreadable(path, err)}`);
    }
    if (size > this.maxBytes) throw this.tooLarge(path, "is");
    try {
      return readFileSync(path);
    } catch (err) {
      throw new AppError("NOT_FOUND", `${path}: cannot read (${codeOf(err)})`, { cause: err });
    }
  }

  private tooLarge(path: string, verb: string): AppError {
    return invalidInput(
      `${path} ${verb} more than ${mib(this.maxBytes)}, more than kairos reads from one candle file; split it (e.g. by month)`,
    );
  }

  /**
   * The one file inside a zip, checked against the zip's own directory: its declared size bounds
   * the inflation (no bomb gets past it) and its CRC-32 must match (fflate's unzip checked neither)
   */
  private unzipOne(path: string, b: Uint8Array): Uint8Array {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const bad = (why: string): AppError =>
      invalidInput(`${path}: not a readable zip (${why}); is the file complete?`);
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65_535); i--) {
      if (dv.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw bad("no end-of-directory record");
    const count = dv.getUint16(eocd + 10, true);
    let at = dv.getUint32(eocd + 16, true);
    const entries: {
      name: string;
      method: number;
      flags: number;
      crc: number;
      csize: number;
      usize: number;
      local: number;
    }[] = [];
    for (let k = 0; k < count; k++) {
      if (at + 46 > b.length || dv.getUint32(at, true) !== 0x02014b50) throw bad("a damaged directory");
      const nameLen = dv.getUint16(at + 28, true);
      const e = {
        flags: dv.getUint16(at + 8, true),
        method: dv.getUint16(at + 10, true),
        crc: dv.getUint32(at + 16, true),
        csize: dv.getUint32(at + 20, true),
        usize: dv.getUint32(at + 24, true),
        local: dv.getUint32(at + 42, true),
        name: new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLen)),
      };
      at += 46 + nameLen + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
      if (!e.name.endsWith("/")) entries.push(e);
    }
    if (entries.length !== 1) {
      throw invalidInput(`${path}: a zip must hold exactly one candle file, found ${entries.length}`);
    }
    const e = entries[0]!;
    if (e.usize === 0xffffffff || e.csize === 0xffffffff) throw bad("zip64 entries are not supported");
    if ((e.flags & 1) !== 0) throw invalidInput(`${path}: the zip is encrypted; unpack it first`);
    if (e.usize > this.maxBytes) throw this.tooLarge(path, "decompresses to");
    if (e.local + 30 > b.length || dv.getUint32(e.local, true) !== 0x04034b50)
      throw bad("a damaged entry header");
    const start = e.local + 30 + dv.getUint16(e.local + 26, true) + dv.getUint16(e.local + 28, true);
    if (start + e.csize > b.length) throw bad("the entry runs past the end of the file");
    const packed = b.subarray(start, start + e.csize);
    let out: Uint8Array;
    if (e.method === 0) out = packed;
    else if (e.method === 8) {
      try {
        // one byte of headroom: an entry that inflates past its declared size is caught below
        out = inflateRawSync(packed, { maxOutputLength: Math.max(1, e.usize + 1) });
      } catch (err) {
        if (codeOf(err) === "ERR_BUFFER_TOO_LARGE")
          throw bad(`${e.name} inflates past its declared ${e.usize} bytes`);
        throw bad(`${e.name} does not inflate (${codeOf(err)})`);
      }
    } else
      throw invalidInput(
        `${path}: zip compression method ${e.method} is not supported (stored or deflate only)`,
      );
    if (out.length !== e.usize)
      throw bad(`${e.name} holds ${out.length} bytes, its directory says ${e.usize}`);
    if (crc32(out) >>> 0 !== e.crc) throw bad(`${e.name} fails its CRC-32 check`);
    return out;
  }
}

// the one-line reason a path cannot be read, for links especially
function whyUnreadable(p: string, err: unknown): string {
  const code = codeOf(err);
  if (code === "ELOOP") return "a symbolic link loop (the link points back at itself)";
  if (code === "ENOENT") {
    try {
      if (lstatSync(p).isSymbolicLink()) return "a dangling symbolic link (its target does not exist)";
    } catch {
      // not there at all
    }
    return "no such file or folder";
  }
  if (code === "EACCES") return "permission denied";
  return `cannot read (${code})`;
}
