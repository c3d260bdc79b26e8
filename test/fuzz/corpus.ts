// A seeded corpus of malformed candle files in every format kairos imports, each with what a
// correct importer must do with it: refuse it (store nothing), or accept it with exactly known
// values. The generator knows the truth because it starts from valid rows and applies one mutation
// whose effect is certain (a field that is no number, a time no candle has, a flipped bit under a
// checksum, a bomb); mutations that could silently yield another valid file (cutting a text file
// inside a number, flipping a bit in an unchecksummed float) are never generated.
import { deflateRawSync, gzipSync } from "node:zlib";
import {
  CompressionType,
  makeData,
  makeVector,
  RecordBatchFileWriter,
  Table,
  TimestampNanosecond,
  vectorFromArray,
} from "apache-arrow";
import { zipSync } from "fflate";
import { parquetWriteBuffer } from "hyparquet-writer";
import "../../src/adapters/fs/read-table.ts"; // registers the LZ4 codec the feather writer uses
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { createRng, type Rng } from "../../src/domain/random.ts";

export type Row = [number, number, number, number, number, number];

/** A file (or a symbolic link) of a case, relative to the case's folder */
export type FileSpec = { name: string; bytes: Uint8Array } | { name: string; link: string };

export interface SeriesRows {
  exchange: string;
  symbol: string;
  timeframe: "1h";
  rows: Row[];
}

export type Expect = { reject: true; code?: string } | { accept: SeriesRows[]; skipped?: string[] };

export interface FuzzCase {
  id: string;
  /** the files, under a folder named `binance` (freqtrade takes the exchange from it) */
  files: FileSpec[];
  /** what is imported: the folder (undefined) or one of the files */
  target?: string;
  expect: Expect;
  /** a series stored before the import (a CONFLICT case) */
  seed?: SeriesRows;
}

const te = new TextEncoder();
const H = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString().replace(".000Z", "Z");

/** The valid rows every case starts from: real BTC/USDT 1h candles */
export function baseRows(s: CandleSeries, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => [
    s.ts[i]!,
    s.open[i]!,
    s.high[i]!,
    s.low[i]!,
    s.close[i]!,
    s.volume[i]!,
  ]);
}

// ---- encoders: rows (or their field texts) in each format ----

const fieldsOf = (rows: Row[], ts: (t: number) => string): string[][] =>
  rows.map((r) => [ts(r[0]), ...r.slice(1).map(String)]);

const ourCsv = (f: string[][], eol = "\n", bom = ""): Uint8Array =>
  te.encode(`${bom}timestamp,open,high,low,close,volume${eol}${f.map((r) => r.join(",")).join(eol)}${eol}`);

// Binance's spot bulk layout: no header, open time in ms, close time and more columns after volume
const binanceCsv = (f: string[][]): Uint8Array =>
  te.encode(`${f.map((r) => [...r, "0", "1.0", "10", "0.5", "0.5", "0"].join(",")).join("\n")}\n`);

const ftJson = (f: string[][]): Uint8Array => te.encode(`[${f.map((r) => `[${r.join(",")}]`).join(",")}]`);

function feather(rows: Row[], mutate?: (cols: Record<string, unknown>) => void): Uint8Array {
  const n = rows.length;
  const ns = BigInt64Array.from(rows, (r) => BigInt(r[0]) * 1_000_000n);
  const cols: Record<string, unknown> = {
    date: makeVector(makeData({ type: new TimestampNanosecond("UTC"), length: n, data: ns })),
    open: makeVector(Float64Array.from(rows, (r) => r[1])),
    high: makeVector(Float64Array.from(rows, (r) => r[2])),
    low: makeVector(Float64Array.from(rows, (r) => r[3])),
    close: makeVector(Float64Array.from(rows, (r) => r[4])),
    volume: makeVector(Float64Array.from(rows, (r) => r[5])),
  };
  mutate?.(cols);
  const t = new Table(cols as unknown as ConstructorParameters<typeof Table>[0]);
  return RecordBatchFileWriter.writeAll(t, {
    compressionType: CompressionType.LZ4_FRAME,
  } as unknown as Parameters<typeof RecordBatchFileWriter.writeAll>[1]).toUint8Array(true);
}

type PqColumn = Parameters<typeof parquetWriteBuffer>[0]["columnData"][number];
function parquet(rows: Row[], mutate?: (cols: PqColumn[]) => void): Uint8Array {
  const cols: PqColumn[] = [
    { name: "date", data: rows.map((r) => new Date(r[0])), type: "TIMESTAMP" },
    ...(["open", "high", "low", "close", "volume"] as const).map((name, k) => ({
      name,
      data: Float64Array.from(rows, (r) => r[k + 1]!),
      type: "DOUBLE" as const,
    })),
  ];
  mutate?.(cols);
  return new Uint8Array(parquetWriteBuffer({ columnData: cols }));
}

/** A zip with one entry, stored (method 0) or deflated, written by hand so its directory can lie */
function zipOne(
  name: string,
  data: Uint8Array,
  opts: { stored?: boolean; declared?: number } = {},
): Uint8Array {
  if (opts.declared === undefined && opts.stored !== true) {
    return zipSync({ [name]: data });
  }
  const body = opts.stored === true ? data : deflateRawSync(data);
  const crc = crc32(data);
  const n = te.encode(name);
  const usize = opts.declared ?? data.length;
  const method = opts.stored === true ? 0 : 8;
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true);
  local.setUint16(8, method, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, body.length, true);
  local.setUint32(22, usize, true);
  local.setUint16(26, n.length, true);
  const cd = new DataView(new ArrayBuffer(46));
  cd.setUint32(0, 0x02014b50, true);
  cd.setUint16(4, 20, true);
  cd.setUint16(6, 20, true);
  cd.setUint16(10, method, true);
  cd.setUint32(16, crc, true);
  cd.setUint32(20, body.length, true);
  cd.setUint32(24, usize, true);
  cd.setUint16(28, n.length, true);
  cd.setUint32(42, 0, true);
  const cdAt = 30 + n.length + body.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, 46 + n.length, true);
  end.setUint32(16, cdAt, true);
  return concat(
    new Uint8Array(local.buffer),
    n,
    body,
    new Uint8Array(cd.buffer),
    n,
    new Uint8Array(end.buffer),
  );
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// the CRC-32 of zip and gzip, computed here independently of the importer (which uses zlib's)
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- the corpus ----

// field texts no importer may read as a number (CSV)
const BAD_NUMBERS = [
  "",
  " ",
  "\t",
  "0x10",
  "0X1F",
  "0b11",
  "0o7",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "--1",
  "1..2",
  "abc",
  "1 2",
  "+-1",
  "1e",
  ".",
  "-",
  "1_000",
  '"1"',
  "\u0661",
];
// tokens no importer may read as a number (freqtrade JSON)
const BAD_JSON = [
  '""',
  '" "',
  '"0x10"',
  '"abc"',
  '"1e999"',
  "1e999",
  "null",
  "true",
  "false",
  "[]",
  "{}",
  '"\\u0031"',
  "NaN",
  "-",
  "01",
  "+1",
  ".5",
];

/** every way a timestamp can be wrong: seconds, nanoseconds, beyond Date, negative, fractions, impossible dates */
const badEpochs = (t: number): string[] => [
  String(t / 1000),
  String(BigInt(t) * 1_000_000n),
  "9000000000000000000",
  "9e18",
  "-1",
  "0",
  `${t}.5`,
  String(t + 0.25),
  "",
  "abc",
];
const BAD_ISO = [
  "2024-02-30T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2024-04-31T00:00:00Z",
  "2024-13-01T00:00:00Z",
  "2024-00-10T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:60:00Z",
  "2024-01-01T00:00:61Z",
  "2024-01-01X00:00:00Z",
  "20240101T000000Z",
  "1704067200",
  "-2024-01-01T00:00:00Z",
];

export interface Corpus {
  cases: FuzzCase[];
  /** the size bound the importer is run with in the fuzz (bombs only need to exceed it) */
  maxBytes: number;
}

export function buildCorpus(base: Row[], seed: number): Corpus {
  const rng = createRng(seed);
  const cases: FuzzCase[] = [];
  const maxBytes = 1 << 20;
  const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" as const };
  const accept = (rows: Row[] = base, extra: Partial<SeriesRows> = {}): Expect => ({
    accept: [{ ...key, rows, ...extra }],
  });
  const reject: Expect = { reject: true };
  const pickRow = (r: Rng): number => r.int(base.length);
  const add = (id: string, files: FileSpec[], expect: Expect, more: Partial<FuzzCase> = {}) =>
    cases.push({ id: `${cases.length}:${id}`, files, expect, ...more });
  const ourName = "binance_BTC-USDT_1h.csv";
  const ftName = "BTC_USDT-1h.json";
  const bnName = "BTCUSDT-1h-2024-01.csv";
  const isoFields = () => fieldsOf(base, iso);
  const msFields = () => fieldsOf(base, String);

  // 1. a value that is not a number, in every numeric column, in each text format
  for (const bad of BAD_NUMBERS) {
    for (const fmt of ["our", "binance"] as const) {
      const f = fmt === "our" ? isoFields() : msFields();
      const i = pickRow(rng);
      const k = 1 + rng.int(5);
      f[i]![k] = bad;
      // a comma inside the text would shift columns: still a refusal, but not this mutation
      add(
        `${fmt}-number-${JSON.stringify(bad)}-r${i}c${k}`,
        [fmt === "our" ? { name: ourName, bytes: ourCsv(f) } : { name: bnName, bytes: binanceCsv(f) }],
        reject,
      );
    }
  }
  for (const bad of BAD_JSON) {
    for (let rep = 0; rep < 2; rep++) {
      const f = msFields();
      const i = pickRow(rng);
      const k = 1 + rng.int(5);
      f[i]![k] = bad;
      add(`json-token-${bad}-r${i}c${k}`, [{ name: ftName, bytes: ftJson(f) }], reject);
    }
  }
  // in the volume column, where the number a lenient reader makes of them (0, 16) is a valid volume
  for (const bad of ['""', '" "', '"0x10"', '"0X10"']) {
    const f = msFields();
    const i = pickRow(rng);
    f[i]![5] = bad;
    add(`json-volume-${bad}-r${i}`, [{ name: ftName, bytes: ftJson(f) }], reject);
  }
  // 2. timestamps: seconds, nanoseconds, beyond Date's range, impossible dates
  for (const fmt of ["binance", "json"] as const) {
    for (const i of [0, pickRow(rng), base.length - 1]) {
      for (const bad of badEpochs(base[i]![0])) {
        const f = msFields();
        f[i]![0] = fmt === "json" && (bad === "" || bad === "abc") ? JSON.stringify(bad) : bad;
        add(
          `${fmt}-epoch-${bad}-r${i}`,
          [fmt === "json" ? { name: ftName, bytes: ftJson(f) } : { name: bnName, bytes: binanceCsv(f) }],
          reject,
        );
      }
    }
  }
  for (const bad of BAD_ISO) {
    for (const i of [0, pickRow(rng)]) {
      const f = isoFields();
      f[i]![0] = bad;
      add(`our-iso-${bad}-r${i}`, [{ name: ourName, bytes: ourCsv(f) }], reject);
    }
  }
  // a whole file of epoch seconds (the classic mistake), and one of nanoseconds
  add("json-all-seconds", [{ name: ftName, bytes: ftJson(fieldsOf(base, (t) => String(t / 1000))) }], reject);
  add(
    "json-all-nanos",
    [{ name: ftName, bytes: ftJson(fieldsOf(base, (t) => String(BigInt(t) * 1_000_000n))) }],
    reject,
  );
  add(
    "binance-all-seconds",
    [{ name: bnName, bytes: binanceCsv(fieldsOf(base, (t) => String(t / 1000))) }],
    reject,
  );
  add("json-9e18", [{ name: ftName, bytes: te.encode("[[9e18,1,2,0.5,1.5,10]]") }], reject);

  // 3. rows that are numbers but no candle: low above high, negative volume, duplicates, disorder, misalignment
  const semantic: [string, (r: Row[]) => void][] = [
    [
      "low-above-high",
      (r) => {
        const i = pickRow(rng);
        r[i]![3] = r[i]![2] + 1;
      },
    ],
    [
      "high-below-close",
      (r) => {
        const i = pickRow(rng);
        r[i]![2] = r[i]![4] - 1;
      },
    ],
    [
      "negative-volume",
      (r) => {
        r[pickRow(rng)]![5] = -1;
      },
    ],
    [
      "duplicate",
      (r) => {
        const i = 1 + rng.int(r.length - 1);
        r[i] = [...r[i - 1]!];
      },
    ],
    [
      "swapped",
      (r) => {
        const i = 1 + rng.int(r.length - 1);
        [r[i - 1], r[i]] = [r[i]!, r[i - 1]!];
      },
    ],
    [
      "misaligned",
      (r) => {
        r[pickRow(rng)]![0] += 60_000;
      },
    ],
  ];
  for (const [name, mut] of semantic) {
    for (const fmt of ["our", "binance", "json", "feather", "parquet"] as const) {
      const rows = base.map((r) => [...r] as Row);
      mut(rows);
      const file: FileSpec =
        fmt === "our"
          ? { name: ourName, bytes: ourCsv(fieldsOf(rows, iso)) }
          : fmt === "binance"
            ? { name: bnName, bytes: binanceCsv(fieldsOf(rows, String)) }
            : fmt === "json"
              ? { name: ftName, bytes: ftJson(fieldsOf(rows, String)) }
              : fmt === "feather"
                ? { name: "BTC_USDT-1h.feather", bytes: feather(rows) }
                : { name: "BTC_USDT-1h.parquet", bytes: parquet(rows) };
      add(`${fmt}-${name}`, [file], reject);
    }
  }

  // 4. JSON structure: truncated anywhere, nested 100,000 deep, junk after the array, rows too short
  const json = ftJson(msFields());
  for (let k = 0; k < 12; k++) {
    const cut = 1 + rng.int(json.length - 2);
    add(`json-truncated-at-${cut}`, [{ name: ftName, bytes: json.subarray(0, cut) }], reject);
  }
  add(
    "json-deep-100000",
    [{ name: ftName, bytes: te.encode(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) }],
    reject,
  );
  add(
    "json-deep-row",
    [{ name: ftName, bytes: te.encode(`[[${"[".repeat(5000)}1${"]".repeat(5000)},1,2,0.5,1.5,10]]`) }],
    reject,
  );
  add("json-junk-after", [{ name: ftName, bytes: concat(json, te.encode("x")) }], reject);
  add("json-object", [{ name: ftName, bytes: te.encode('{"a":1}') }], reject);
  add("json-short-row", [{ name: ftName, bytes: te.encode(`[[${base[0]![0]},1,2,0.5,1.5]]`) }], reject);
  add("json-empty-file", [{ name: ftName, bytes: new Uint8Array(0) }], reject);
  add("json-empty-array", [{ name: ftName, bytes: te.encode("[]") }], reject);
  // 5. a 2 MB line and a 2 MB header: refused with a short message
  add(
    "csv-huge-line",
    [{ name: ourName, bytes: te.encode(`timestamp,open,high,low,close,volume\n${"9".repeat(2_000_000)}\n`) }],
    reject,
  );
  add("csv-huge-header", [{ name: ourName, bytes: te.encode(`${"x".repeat(2_000_000)}\n`) }], reject);
  add(
    "json-huge-string",
    [{ name: ftName, bytes: te.encode(`[["${"7".repeat(2_000_000)}x",1,2,0.5,1.5,10]]`) }],
    reject,
  );

  // 6. gzip: cut anywhere, a flipped bit anywhere in the deflate stream or trailer (CRC-32 guards it), bombs
  const csvGz = gzipSync(ourCsv(isoFields()));
  const jsonGz = gzipSync(json);
  for (const [name, gz] of [
    ["binance_BTC-USDT_1h.csv.gz", csvGz],
    ["BTC_USDT-1h.json.gz", jsonGz],
  ] as const) {
    for (let k = 0; k < 12; k++) {
      const cut = 1 + rng.int(gz.length - 2);
      add(`gz-truncated-${name}-${cut}`, [{ name, bytes: gz.subarray(0, cut) }], reject);
    }
    for (let k = 0; k < 16; k++) {
      const b = Uint8Array.from(gz);
      const at = 10 + rng.int(b.length - 10);
      b[at]! ^= 1 << rng.int(8);
      add(`gz-bitflip-${name}-${at}`, [{ name, bytes: b }], reject);
    }
  }
  add(
    "gz-bomb",
    [{ name: "binance_BTC-USDT_1h.csv.gz", bytes: gzipSync(new Uint8Array(4 * maxBytes)) }],
    reject,
  );
  add(
    "gz-bomb-of-valid-rows",
    [
      {
        name: "binance_BTC-USDT_1h.csv.gz",
        bytes: gzipSync(
          ourCsv(
            fieldsOf(
              Array.from({ length: 40_000 }, (_, i) => [base[0]![0] + i * H, 1, 2, 0.5, 1.5, 10] as Row),
              iso,
            ),
          ),
        ),
      },
    ],
    reject,
  );
  add("gz-not-gzip", [{ name: "binance_BTC-USDT_1h.csv.gz", bytes: ourCsv(isoFields()) }], reject);

  // 7. zip: CRC mismatch in a stored entry, flipped bits, cut files, lying sizes, two entries, bombs
  const inner = binanceCsv(msFields());
  const stored = zipOne("BTCUSDT-1h-2024-01.csv", inner, { stored: true });
  for (let k = 0; k < 16; k++) {
    const b = Uint8Array.from(stored);
    // a byte of the stored data itself: only the CRC can tell
    const at = 30 + "BTCUSDT-1h-2024-01.csv".length + rng.int(inner.length);
    b[at] = b[at] === 0x31 ? 0x32 : 0x31;
    add(`zip-crc-mismatch-${at}`, [{ name: "BTCUSDT-1h-2024-01.zip", bytes: b }], reject);
  }
  const deflated = zipOne("BTCUSDT-1h-2024-01.csv", inner);
  for (let k = 0; k < 10; k++) {
    const cut = 1 + rng.int(deflated.length - 2);
    add(
      `zip-truncated-${cut}`,
      [{ name: "BTCUSDT-1h-2024-01.zip", bytes: deflated.subarray(0, cut) }],
      reject,
    );
  }
  for (let k = 0; k < 10; k++) {
    const b = Uint8Array.from(deflated);
    const at = 30 + "BTCUSDT-1h-2024-01.csv".length + rng.int(b.length - 30 - 22 - 46 - 2 * 22);
    b[at]! ^= 1 << rng.int(8);
    add(`zip-bitflip-${at}`, [{ name: "BTCUSDT-1h-2024-01.zip", bytes: b }], reject);
  }
  add(
    "zip-declares-less",
    [{ name: "BTCUSDT-1h-2024-01.zip", bytes: zipOne("BTCUSDT-1h-2024-01.csv", inner, { declared: 100 }) }],
    reject,
  );
  add(
    "zip-bomb",
    [
      {
        name: "BTCUSDT-1h-2024-01.zip",
        bytes: zipSync({ "BTCUSDT-1h-2024-01.csv": new Uint8Array(4 * maxBytes) }),
      },
    ],
    reject,
  );
  add(
    "zip-bomb-lying",
    [
      {
        name: "BTCUSDT-1h-2024-01.zip",
        bytes: zipOne("BTCUSDT-1h-2024-01.csv", new Uint8Array(4 * maxBytes), { declared: 1000 }),
      },
    ],
    reject,
  );
  add(
    "zip-two-entries",
    [{ name: "BTCUSDT-1h-2024-01.zip", bytes: zipSync({ "a.csv": inner, "b.csv": inner }) }],
    reject,
  );
  add("zip-empty", [{ name: "BTCUSDT-1h-2024-01.zip", bytes: zipSync({}) }], reject);

  // 8. feather and parquet: cut files, broken magic, nulls, a string column, epoch seconds as plain integers
  const fe = feather(base);
  const pq = parquet(base);
  for (let k = 0; k < 12; k++) {
    add(
      `feather-truncated-${k}`,
      [{ name: "BTC_USDT-1h.feather", bytes: fe.subarray(0, 1 + rng.int(fe.length - 2)) }],
      reject,
    );
    add(
      `parquet-truncated-${k}`,
      [{ name: "BTC_USDT-1h.parquet", bytes: pq.subarray(0, 1 + rng.int(pq.length - 2)) }],
      reject,
    );
  }
  add(
    "feather-v1-magic",
    [{ name: "BTC_USDT-1h.feather", bytes: concat(te.encode("FEA1"), fe.subarray(4)) }],
    reject,
  );
  add(
    "feather-no-magic",
    [{ name: "BTC_USDT-1h.feather", bytes: concat(te.encode("XXXXXX"), fe.subarray(6)) }],
    reject,
  );
  add(
    "parquet-no-footer",
    [{ name: "BTC_USDT-1h.parquet", bytes: concat(pq.subarray(0, pq.length - 4), te.encode("PARX")) }],
    reject,
  );
  add(
    "feather-null-close",
    [
      {
        name: "BTC_USDT-1h.feather",
        bytes: feather(base, (c) => {
          c.close = vectorFromArray(base.map((r, i) => (i === 3 ? null : r[4])));
        }),
      },
    ],
    reject,
  );
  add(
    "feather-string-open",
    [
      {
        name: "BTC_USDT-1h.feather",
        bytes: feather(base, (c) => {
          c.open = vectorFromArray(base.map((r) => String(r[1])));
        }),
      },
    ],
    reject,
  );
  add(
    "feather-date-seconds",
    [
      {
        name: "BTC_USDT-1h.feather",
        bytes: feather(base, (c) => {
          c.date = makeVector(Float64Array.from(base, (r) => r[0] / 1000));
        }),
      },
    ],
    reject,
  );
  add(
    "feather-no-volume",
    [
      {
        name: "BTC_USDT-1h.feather",
        bytes: feather(base, (c) => {
          Reflect.deleteProperty(c, "volume");
        }),
      },
    ],
    reject,
  );
  add(
    "parquet-nan-high",
    [
      {
        name: "BTC_USDT-1h.parquet",
        bytes: parquet(base, (c) => {
          (c[2]!.data as Float64Array)[5] = Number.NaN;
        }),
      },
    ],
    reject,
  );
  add(
    "parquet-string-close",
    [
      {
        name: "BTC_USDT-1h.parquet",
        bytes: parquet(base, (c) => {
          c[4] = { name: "close", data: base.map((r) => String(r[4])), type: "STRING" };
        }),
      },
    ],
    reject,
  );
  add(
    "parquet-date-seconds",
    [
      {
        name: "BTC_USDT-1h.parquet",
        bytes: parquet(base, (c) => {
          c[0] = { name: "date", data: Float64Array.from(base, (r) => r[0] / 1000), type: "DOUBLE" };
        }),
      },
    ],
    reject,
  );
  add(
    "parquet-date-nanos-as-double",
    [
      {
        name: "BTC_USDT-1h.parquet",
        bytes: parquet(base, (c) => {
          c[0] = { name: "date", data: Float64Array.from(base, (r) => r[0] * 1e6), type: "DOUBLE" };
        }),
      },
    ],
    reject,
  );

  // more rows than the size bound allows (1 MiB here: 6 columns x 8 bytes x 30,000 rows)
  const many = Array.from({ length: 30_000 }, (_, i) => [base[0]![0] + i * H, 1, 2, 0.5, 1.5, 10] as Row);
  add("feather-too-many-rows", [{ name: "BTC_USDT-1h.feather", bytes: feather(many) }], reject);
  add("parquet-too-many-rows", [{ name: "BTC_USDT-1h.parquet", bytes: parquet(many) }], reject);

  // 9. folders: a bad file stores nothing of the good one; a CONFLICT in a later file stores nothing;
  // links that lead nowhere, loops, names and formats kairos cannot read are skipped with the good file imported
  const good = { name: "binance_ETH-USDT_1h.csv", bytes: ourCsv(isoFields()) };
  const ethRows = accept(base, { symbol: "ETH/USDT" });
  for (const [name, bad] of [
    ["bad-number", "abc"],
    ["bad-date", "2024-02-30T00:00:00Z"],
  ] as const) {
    const f = isoFields();
    f[pickRow(rng)]![name === "bad-date" ? 0 : 4] = bad;
    add(`folder-${name}-after-good`, [good, { name: "binance_XRP-USDT_1h.csv", bytes: ourCsv(f) }], reject);
  }
  const changed = base.map((r) => [...r] as Row);
  changed[5]![4] = changed[5]![4] === changed[5]![2] ? changed[5]![3] : changed[5]![2];
  add(
    "folder-conflict-in-later-file",
    // the good file sorts first: an importer storing file by file has stored it when the conflict comes
    [
      { ...good, name: "binance_ADA-USDT_1h.csv" },
      { name: ourName, bytes: ourCsv(fieldsOf(changed, iso)) },
    ],
    { reject: true, code: "CONFLICT" },
    { seed: { ...key, rows: base } },
  );
  add(
    "folder-links-and-unknown-names",
    [
      good,
      { name: "dangling.csv", link: "does-not-exist.csv" },
      { name: "loop.csv", link: "loop.csv" },
      { name: "BTCUSDT-8m-2024-01.csv", bytes: binanceCsv(msFields()) },
      { name: "BTC_USDT-1h.h5", bytes: te.encode("\x89HDF") },
      { name: "BTC_USDT_USDT-1h-mark.json", bytes: ftJson(msFields()) },
      { name: "notes.txt", bytes: te.encode("hello") },
    ],
    {
      ...(ethRows as { accept: SeriesRows[] }),
      skipped: [
        "BTCUSDT-8m-2024-01.csv",
        "BTC_USDT-1h.h5",
        "BTC_USDT_USDT-1h-mark.json",
        "dangling.csv",
        "loop.csv",
        "notes.txt",
      ],
    },
  );
  add("single-dangling-link", [{ name: ourName, link: "nowhere.csv" }], reject, { target: ourName });
  add("single-loop-link", [{ name: ourName, link: ourName }], reject, { target: ourName });

  // 10. files that are fine however odd they look: each must be accepted with exactly the base values
  const benign: [string, FileSpec][] = [
    ["crlf", { name: ourName, bytes: ourCsv(isoFields(), "\r\n") }],
    ["bom", { name: ourName, bytes: ourCsv(isoFields(), "\n", "\uFEFF") }],
    ["blank-lines", { name: ourName, bytes: concat(ourCsv(isoFields()), te.encode("\n\n")) }],
    [
      "spaces-around",
      { name: ourName, bytes: ourCsv(isoFields().map((r) => r.map((x, k) => (k === 0 ? x : ` ${x} `)))) },
    ],
    [
      "exponents",
      {
        name: ourName,
        bytes: ourCsv(isoFields().map((r) => r.map((x, k) => (k === 0 ? x : Number(x).toExponential())))),
      },
    ],
    [
      "iso-offset",
      {
        name: ourName,
        bytes: ourCsv(
          base.map((r) => [new Date(r[0]).toISOString().replace("Z", "+00:00"), ...r.slice(1).map(String)]),
        ),
      },
    ],
    ["binance-micros", { name: bnName, bytes: binanceCsv(fieldsOf(base, (t) => String(t * 1000))) }],
    ["binance-zip", { name: "BTCUSDT-1h-2024-01.zip", bytes: deflated }],
    ["binance-zip-stored", { name: "BTCUSDT-1h-2024-01.zip", bytes: stored }],
    [
      "json-strings",
      {
        name: ftName,
        bytes: ftJson(msFields().map((r) => r.map((x, k) => (k === 0 ? x : JSON.stringify(x))))),
      },
    ],
    [
      "json-whitespace",
      {
        name: ftName,
        bytes: te.encode(
          ` \n[ ${msFields()
            .map((r) => `[ ${r.join(" ,\n ")} ]`)
            .join(" ,\r\n")} ]\n `,
        ),
      },
    ],
    [
      "json-extra-columns",
      { name: ftName, bytes: ftJson(msFields().map((r) => [...r, "7", '"x"', "null"])) },
    ],
    ["json-micros", { name: ftName, bytes: ftJson(fieldsOf(base, (t) => String(t * 1000))) }],
    ["json-gz", { name: "BTC_USDT-1h.json.gz", bytes: jsonGz }],
    ["csv-gz", { name: "binance_BTC-USDT_1h.csv.gz", bytes: csvGz }],
    ["feather", { name: "BTC_USDT-1h.feather", bytes: fe }],
    ["parquet", { name: "BTC_USDT-1h.parquet", bytes: pq }],
  ];
  for (const [name, file] of benign) add(`benign-${name}`, [file], accept());
  return { cases, maxBytes };
}

/** The base rows as a valid file in every format kairos imports (the start of random mutations) */
export function validFiles(base: Row[]): { name: string; bytes: Uint8Array }[] {
  const iso = fieldsOf(base, (t) => new Date(t).toISOString().replace(".000Z", "Z"));
  const ms = fieldsOf(base, String);
  return [
    { name: "binance_BTC-USDT_1h.csv", bytes: ourCsv(iso) },
    { name: "binance_BTC-USDT_1h.csv.gz", bytes: gzipSync(ourCsv(iso)) },
    { name: "BTCUSDT-1h-2024-01.csv", bytes: binanceCsv(ms) },
    { name: "BTCUSDT-1h-2024-01.zip", bytes: zipOne("BTCUSDT-1h-2024-01.csv", binanceCsv(ms)) },
    { name: "BTC_USDT-1h.json", bytes: ftJson(ms) },
    { name: "BTC_USDT-1h.json.gz", bytes: gzipSync(ftJson(ms)) },
    { name: "BTC_USDT-1h.feather", bytes: feather(base) },
    { name: "BTC_USDT-1h.parquet", bytes: parquet(base) },
  ];
}
