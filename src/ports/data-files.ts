/** A file the importers can read */
export interface DataFile {
  /** absolute path */
  path: string;
  /** base name, e.g. binance_BTC-USDT_1h.csv.gz */
  name: string;
  /** name of the folder it sits in (freqtrade keeps candles in user_data/data/<exchange>/) */
  folder: string;
}

/** The file system as the data use cases need it: listing, reading (decompressed) and atomic writes */
export interface DataFiles {
  /** The file itself, or the files directly inside a folder, sorted by name; NOT_FOUND when missing */
  list(path: string): { isFolder: boolean; files: DataFile[] };
  /** Content as bytes; `.gz` is gunzipped and a `.zip` must hold exactly one file, which is returned */
  readBytes(path: string): Uint8Array;
  /** Writes via a temporary file and rename, so a reader never sees half a file */
  writeTextAtomic(path: string, text: string): void;
}
