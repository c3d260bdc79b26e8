/** A file the importers can read */
export interface DataFile {
  /** absolute path */
  path: string;
  /** base name, e.g. binance_BTC-USDT_1h.csv.gz */
  name: string;
  /** name of the folder it sits in (freqtrade keeps candles in user_data/data/<exchange>/) */
  folder: string;
  /**
   * names of the enclosing folders, nearest first (freqtrade's futures live in
   * <exchange>/futures/, Binance's bulk USD-M klines under futures/um/)
   */
  parents: readonly string[];
}

/** An entry of a folder that is not read, and why (a dangling link, a link loop, a sub-folder) */
export interface SkippedFile {
  name: string;
  reason: string;
}

/** A column of a columnar file (feather, parquet) as float64 */
export interface TableColumn {
  name: string;
  /** true when the file declares it a timestamp: `values` are then epoch ms */
  isTime: boolean;
  /** the values; NaN where the file holds a null */
  values: Float64Array;
}

/** The numeric and timestamp columns of a columnar file; other columns are listed by name only */
export interface DataTable {
  rows: number;
  columns: TableColumn[];
  /** columns of other types (strings, lists, ...), which no candle field can come from */
  otherColumns: string[];
}

/** The file system as the data use cases need it: listing, reading (decompressed) and atomic writes */
export interface DataFiles {
  /**
   * The file itself, or the files directly inside a folder, sorted by name; NOT_FOUND when missing.
   * Entries of a folder that cannot be read as files are in `skipped` with the reason.
   */
  list(path: string): { isFolder: boolean; files: DataFile[]; skipped: SkippedFile[] };
  /**
   * Content as bytes; `.gz` is gunzipped and a `.zip` must hold exactly one file, which is returned
   * (its CRC checked). Sizes are bounded: a file or its decompressed content beyond the limit is
   * refused with INVALID_INPUT before it can exhaust memory.
   */
  readBytes(path: string): Uint8Array;
  /** A feather (Arrow IPC, LZ4/ZSTD bodies) or parquet file's columns, with the same bounds */
  readTable(path: string, format: "feather" | "parquet"): Promise<DataTable>;
  /**
   * Writes via a temporary file and rename, so a reader never sees half a file. A path that is a
   * symbolic link is refused (never replaced, never written through).
   */
  writeTextAtomic(path: string, text: string): void;
}
