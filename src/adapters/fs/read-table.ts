import {
  CompressionType,
  compressionRegistry,
  type Data,
  type Table,
  TimeUnit,
  Type,
  tableFromIPC,
  type Vector,
} from "apache-arrow";
import { type ColumnData, parquetMetadata, parquetRead } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import lz4 from "lz4js";
import { invalidInput } from "../../errors.ts";
import type { DataTable, TableColumn } from "../../ports/data-files.ts";

const mib = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

// Arrow's IPC reader calls the registered codec per compressed buffer; the budget below is the
// bytes one file may still decompress to, so an LZ4 bomb stops at the limit, not at the RAM's end
let lz4Budget = 0;
compressionRegistry.set(CompressionType.LZ4_FRAME, {
  // writing too (the tests build freqtrade's files with it); reading is what kairos does
  encode: (data: Uint8Array): Uint8Array => lz4.compress(data),
  decode(data: Uint8Array): Uint8Array {
    // lz4js's bound is the frame's block size per block (4 MiB) unless the frame states its size:
    // decode into at most budget + 1 bytes; a frame that fills them is over the limit (lz4js
    // writes nothing past the buffer it is given, so the count tells)
    const bound = lz4.decompressBound(data);
    if (!(bound >= 0)) throw new Error("not an LZ4 frame");
    const out = lz4.decompress(data, Math.min(bound, lz4Budget + 1));
    if (out.length > lz4Budget) throw new BudgetError();
    lz4Budget -= out.length;
    return out;
  },
});

class BudgetError extends Error {}

/**
 * freqtrade's feather candle files (its default format): Arrow IPC files written by pandas'
 * `to_feather(compression="lz4")`, a `date` timestamp column (ns, UTC) and float OHLCV columns
 */
export function readFeather(bytes: Uint8Array, path: string, maxBytes: number): DataTable {
  const magic = new TextDecoder().decode(bytes.subarray(0, 6));
  if (magic === "FEA1") {
    throw invalidInput(
      `${path}: feather version 1 is not supported; rewrite it with freqtrade convert-data --format-to feather (version 2)`,
    );
  }
  if (magic !== "ARROW1")
    throw invalidInput(`${path}: not a feather (Arrow IPC) file: it does not start with ARROW1`);
  let table: Table;
  lz4Budget = maxBytes;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    if (err instanceof BudgetError) {
      throw invalidInput(
        `${path} decompresses to more than ${mib(maxBytes)}, more than kairos reads from one candle file`,
      );
    }
    const msg = (err as Error).message ?? String(err);
    if (/codec|compression/i.test(msg)) {
      throw invalidInput(
        `${path}: feather compressed other than with LZ4 is not supported; freqtrade writes LZ4 (its default) or convert it with freqtrade convert-data --format-to jsongz`,
      );
    }
    throw invalidInput(`${path}: not a readable feather file (${msg.slice(0, 80)}); is the file complete?`);
  }
  // the row count is declared by the file: bound the float64 columns built from it, not just the bytes read
  if (!(table.numRows * 8 * Math.max(1, table.schema.fields.length) <= maxBytes)) {
    throw invalidInput(`${path} declares ${table.numRows} rows, more than kairos reads from one candle file`);
  }
  const columns: TableColumn[] = [];
  const otherColumns: string[] = [];
  for (const f of table.schema.fields) {
    const v = table.getChild(f.name);
    if (v === null) continue;
    const col = arrowColumn(f.name, v);
    if (col === undefined) otherColumns.push(f.name);
    else columns.push(col);
  }
  return { rows: table.numRows, columns, otherColumns };
}

const NS_PER: Record<number, bigint> = {
  [TimeUnit.SECOND]: 0n,
  [TimeUnit.MILLISECOND]: 1n,
  [TimeUnit.MICROSECOND]: 1000n,
  [TimeUnit.NANOSECOND]: 1_000_000n,
};

function arrowColumn(name: string, v: Vector): TableColumn | undefined {
  const typeId = v.type.typeId as Type;
  const n = v.length;
  const out = new Float64Array(n);
  let isTime = false;
  let at = 0;
  for (const d of v.data as Data[]) {
    const values = d.values as ArrayLike<number | bigint>;
    const valid = (i: number): boolean => d.nullCount === 0 || d.getValid(i);
    if (typeId === Type.Timestamp || typeId === Type.Date) {
      isTime = true;
      const unit =
        typeId === Type.Date ? TimeUnit.MILLISECOND : (d.type as unknown as { unit: TimeUnit }).unit;
      // Date32 counts days; Date64 and timestamps count units
      const days = typeId === Type.Date && (d.type as unknown as { unit: number }).unit === 0;
      if (!days && values instanceof BigInt64Array && unit !== TimeUnit.SECOND) {
        // exact integer division of the 64-bit count without a BigInt per row: count = hi * 2^32 + lo,
        // and 2^32 = q * per + r, so count / per = hi * q + (hi * r + lo) / per (all below 2^53 here)
        const w = new Int32Array(values.buffer, values.byteOffset + d.offset * 8, d.length * 2);
        const per = Number(NS_PER[unit]!);
        const q = Math.floor(4294967296 / per);
        const r = 4294967296 - q * per;
        for (let i = 0; i < d.length; i++) {
          const lo = w[2 * i]! >>> 0;
          const hi = w[2 * i + 1]!;
          out[at + i] = valid(i) ? hi * q + Math.floor((hi * r + lo) / per) : Number.NaN;
        }
      } else
        for (let i = 0; i < d.length; i++) {
          const x = values[d.offset + i]!;
          if (!valid(i)) out[at + i] = Number.NaN;
          else if (days) out[at + i] = Number(x) * 86_400_000;
          else if (unit === TimeUnit.SECOND) out[at + i] = Number(x) * 1000;
          else if (typeof x === "bigint") {
            const per = NS_PER[unit]!;
            out[at + i] = per === 1n ? Number(x) : Number(x / per);
          } else out[at + i] = x;
        }
    } else if (typeId === Type.Float && d.nullCount === 0 && values instanceof Float64Array) {
      out.set(values.subarray(d.offset, d.offset + d.length), at);
    } else if (typeId === Type.Float || typeId === Type.Int) {
      for (let i = 0; i < d.length; i++) out[at + i] = valid(i) ? Number(values[d.offset + i]!) : Number.NaN;
    } else return undefined;
    at += d.length;
  }
  return { name, isTime, values: out };
}

/**
 * freqtrade's parquet candle files (pandas `to_parquet`, snappy by default): a `date` timestamp
 * column and float OHLCV columns. Sizes come from the footer first: a file declaring more than the
 * limit uncompressed is refused before any page is inflated.
 */
export async function readParquet(bytes: Uint8Array, path: string, maxBytes: number): Promise<DataTable> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const bad = (why: string) =>
    invalidInput(`${path}: not a readable parquet file (${why}); is the file complete?`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(bytes.length - 4)) !== "PAR1") {
    throw bad("no PAR1 footer");
  }
  let meta: ReturnType<typeof parquetMetadata>;
  try {
    meta = parquetMetadata(file);
  } catch (err) {
    throw bad(String((err as Error).message).slice(0, 80));
  }
  const rows = Number(meta.num_rows);
  let declared = 0;
  for (const g of meta.row_groups)
    for (const c of g.columns) declared += Number(c.meta_data?.total_uncompressed_size ?? 0);
  if (!(declared <= maxBytes) || !(rows * 8 <= maxBytes)) {
    throw invalidInput(
      `${path} decompresses to more than ${mib(maxBytes)}, more than kairos reads from one candle file`,
    );
  }
  const leaves = meta.schema.slice(1);
  const kinds = new Map<string, "time" | "number" | "other">();
  for (const s of leaves) {
    const lt = s.logical_type?.type;
    const ct = s.converted_type;
    const time =
      lt === "TIMESTAMP" ||
      lt === "DATE" ||
      ct === "TIMESTAMP_MILLIS" ||
      ct === "TIMESTAMP_MICROS" ||
      ct === "DATE";
    const num = s.type === "DOUBLE" || s.type === "FLOAT" || s.type === "INT32" || s.type === "INT64";
    kinds.set(
      s.name,
      s.num_children !== undefined
        ? "other"
        : time
          ? "time"
          : num && lt === undefined && ct === undefined
            ? "number"
            : num && (ct?.startsWith("INT") || ct?.startsWith("UINT") || lt === "INTEGER")
              ? "number"
              : "other",
    );
  }
  const wanted = [...kinds].filter(([, k]) => k !== "other").map(([n]) => n);
  if (!(rows * 8 * Math.max(1, wanted.length) <= maxBytes)) {
    throw invalidInput(`${path} declares ${rows} rows, more than kairos reads from one candle file`);
  }
  const cols = new Map(wanted.map((n) => [n, new Float64Array(rows).fill(Number.NaN)]));
  try {
    await parquetRead({
      file,
      columns: wanted,
      compressors,
      // epoch ms as numbers, whatever unit the file stores (pandas writes ns)
      parsers: {
        timestampFromMilliseconds: (x: bigint) => Number(x),
        timestampFromMicroseconds: (x: bigint) => Number(x / 1000n),
        timestampFromNanoseconds: (x: bigint) => Number(x / 1_000_000n),
        dateFromDays: (d: number) => d * 86_400_000,
      },
      onChunk: (c: ColumnData) => {
        const dst = cols.get(c.columnName);
        if (dst === undefined) return;
        const src = c.columnData as ArrayLike<unknown>;
        for (let i = 0; i < src.length && c.rowStart + i < rows; i++) {
          const x = src[i];
          dst[c.rowStart + i] =
            typeof x === "number"
              ? x
              : typeof x === "bigint"
                ? Number(x)
                : x instanceof Date
                  ? x.getTime()
                  : Number.NaN;
        }
      },
    });
  } catch (err) {
    throw bad(String((err as Error).message ?? err).slice(0, 80));
  }
  const columns: TableColumn[] = wanted.map((n) => ({
    name: n,
    isTime: kinds.get(n) === "time",
    values: cols.get(n)!,
  }));
  const otherColumns = [...kinds].filter(([, k]) => k === "other").map(([n]) => n);
  return { rows, columns, otherColumns };
}
