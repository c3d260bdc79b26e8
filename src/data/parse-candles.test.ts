import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inferFromName, normaliseSymbol, splitPair } from "./file-names.ts";
import { parseCandleCsvBytes } from "./parse-candle-bytes.ts";
import { parseCandleCsv, parseFreqtradeJson } from "./parse-candles.ts";
import { parseDecimal, parseTimestamp } from "./parse-number.ts";
import { findGaps, validateCandles } from "./validate-candles.ts";

const num = (s: string): number => parseDecimal(s, 0, s.length);
const tsOf = (s: string): number => parseTimestamp(s, 0, s.length);
const H = 3_600_000;

describe("parseDecimal / parseTimestamp", () => {
  it("equals Number() on decimal text (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const t = String(x);
        expect(Object.is(num(t), Number(t))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^-?\d{1,18}(\.\d{1,18})?$/), (t) => {
        expect(num(t)).toBe(Number(t));
      }),
    );
    expect(num("")).toBeNaN();
    expect(num("1.2.3")).toBeNaN();
    expect(num("abc")).toBeNaN();
    expect(num("1e-7")).toBe(1e-7);
  });

  it("reads ISO UTC times like Date.parse, and epoch ms or µs (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (sec) => {
        const iso = new Date(sec * 1000).toISOString();
        expect(tsOf(iso.replace(".000Z", "Z"))).toBe(sec * 1000);
        expect(tsOf(iso)).toBe(sec * 1000);
        expect(tsOf(iso.replace("T", " ").replace(".000Z", ""))).toBe(sec * 1000);
        expect(tsOf(iso.replace(".000Z", "+00:00"))).toBe(sec * 1000);
        // epoch numbers below 1e11 are seconds, refused (see the epoch test below)
        if (sec * 1000 >= 1e11) expect(tsOf(String(sec * 1000))).toBe(sec * 1000);
      }),
    );
    expect(tsOf("1735689600000000")).toBe(1735689600000);
    expect(tsOf("2024-01-01T01:00:00+01:00")).toBe(Date.parse("2024-01-01T00:00:00Z"));
    expect(tsOf("2024-13-01T00:00:00Z")).toBeNaN();
    expect(tsOf("yesterday")).toBeNaN();
  });
});

describe("parseCandleCsv", () => {
  it("reads our normalised CSV with CRLF and a trailing newline", () => {
    const r = parseCandleCsv(
      "timestamp,open,high,low,close,volume\r\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\r\n",
      "a.csv",
    );
    expect(Array.from(r.ts)).toEqual([Date.parse("2024-01-01T00:00:00Z")]);
    expect([r.open[0], r.high[0], r.low[0], r.close[0], r.volume[0], r.line[0]]).toEqual([
      1, 2, 0.5, 1.5, 10, 2,
    ]);
  });

  it("reads Binance bulk klines without a header, in ms and µs", () => {
    const ms =
      "1704067200000,42283.58000000,42554.57000000,42261.02000000,42475.23000000,1271.68108000,1704070799999,53957248.97,47134,682.57581000,28957416.82,0\n";
    const us =
      "1735689600000000,93576.00000000,93610.93000000,93537.50000000,93610.93000000,8.21827000,1735689659999999,768978.85,1674,3.99,373370.68,0\n";
    const a = parseCandleCsv(ms, "BTCUSDT-1h-2024-01.csv");
    expect(a.ts[0]).toBe(1704067200000);
    expect(a.close[0]).toBe(42475.23);
    expect(a.volume[0]).toBe(1271.68108);
    expect(parseCandleCsv(us, "x.csv").ts[0]).toBe(1735689600000);
  });

  it("names the file, line and field of a bad value", () => {
    const text =
      "timestamp,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n2024-01-01T01:00:00Z,1,x,0.5,1.5,10\n";
    expect(() => parseCandleCsv(text, "b.csv")).toThrow('b.csv:3: bad number in "high": "x"');
    expect(() =>
      parseCandleCsv("timestamp,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2\n", "c.csv"),
    ).toThrow(/c\.csv:2: expected at least 6 comma-separated columns, found 3/);
    expect(() => parseCandleCsv("time,open,high,low,close\n", "d.csv")).toThrow(/no "volume" column/);
  });

  it("reads freqtrade JSON", () => {
    const r = parseFreqtradeJson(
      "[[1704067200000,1,2,0.5,1.5,10],[1704070800000,1.5,2,1,1.2,3]]",
      "BTC_USDT-1h.json",
    );
    expect(Array.from(r.close)).toEqual([1.5, 1.2]);
    expect(() => parseFreqtradeJson("[[1704067200000,2]]", "f.json")).toThrow(/f\.json: row 1: expected/);
    expect(() => parseFreqtradeJson("[[", "g.json")).toThrow(/g\.json: not valid JSON/);
  });
});

describe("validateCandles", () => {
  const csv = (rows: string[]) =>
    parseCandleCsv(`timestamp,open,high,low,close,volume\n${rows.join("\n")}\n`, "v.csv");
  const ok = "2024-01-01T00:00:00Z,10,12,9,11,5";
  const cases: [string, string, RegExp][] = [
    ["low above open", "2024-01-01T01:00:00Z,10,12,10.5,11,5", /v\.csv:3: low 10.5 is above open 10/],
    [
      "high below close",
      "2024-01-01T01:00:00Z,10,12,9,13,5",
      /v\.csv:3: high 12 is below open 10 or close 13/,
    ],
    ["negative volume", "2024-01-01T01:00:00Z,10,12,9,11,-1", /v\.csv:3: volume -1 is negative/],
    ["infinite", "2024-01-01T01:00:00Z,10,1e999,9,11,1", /v\.csv:3: high is not a finite number/],
    ["duplicate", ok, /v\.csv:3: duplicate timestamp 2024-01-01T00:00:00.000Z/],
    ["unsorted", "2023-12-31T23:00:00Z,10,12,9,11,5", /v\.csv:3: .* is before the previous row/],
    [
      "misaligned",
      "2024-01-01T01:30:00Z,10,12,9,11,5",
      /v\.csv:3: .* not aligned to the 60-minute timeframe/,
    ],
  ];
  for (const [name, row, msg] of cases) {
    it(`rejects ${name}`, () => expect(() => validateCandles(csv([ok, row]), H, "v.csv")).toThrow(msg));
  }
  it("passes good rows and reports gaps without filling them", () => {
    const r = csv([ok, "2024-01-01T01:00:00Z,10,12,9,11,0", "2024-01-01T04:00:00Z,10,12,9,11,0"]);
    validateCandles(r, H, "v.csv");
    expect(findGaps(r.ts, H)).toEqual([
      { from: Date.parse("2024-01-01T02:00:00Z"), to: Date.parse("2024-01-01T04:00:00Z"), count: 2 },
    ]);
  });
});

describe("file names", () => {
  it("infers exchange, symbol and timeframe from the names kairos knows", () => {
    expect(inferFromName("binance_BTC-USDT_1h.csv.gz", "data")).toEqual({
      format: "csv",
      exchange: "binance",
      symbol: "BTC/USDT",
      timeframe: "1h",
    });
    expect(inferFromName("ETH_USDT-5m.json", "kraken")).toEqual({
      format: "freqtrade-json",
      exchange: "kraken",
      symbol: "ETH/USDT",
      timeframe: "5m",
    });
    expect(inferFromName("BTCUSDT-1m-2024-01.zip", "x")).toEqual({
      format: "csv",
      exchange: "binance",
      symbol: "BTC/USDT",
      timeframe: "1m",
    });
    expect(inferFromName("prices.csv", "x")).toEqual({ format: "csv" });
    expect(inferFromName("SOURCES.md", "data")).toBeUndefined();
    expect(splitPair("FETFDUSD")).toBe("FET/FDUSD");
    expect(normaliseSymbol("btc-usdt")).toBe("BTC/USDT");
    expect(normaliseSymbol("BTC/USDT:USDT")).toBe("BTC/USDT:USDT");
  });
});

describe("parseCandleCsvBytes", () => {
  const enc = new TextEncoder();
  const outcome = (f: () => unknown): unknown => {
    try {
      const r = f() as Record<string, ArrayLike<number>>;
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v)]));
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  };
  const cell = fc.oneof(
    fc.double({ min: 0, max: 1e6, noNaN: true }).map(String),
    fc.integer({ min: 0, max: 99999 }).map(String),
    fc.constantFrom("", "x", "1e-3", "-0.5", "Infinity", "1.2.3"),
  );
  const stamp = fc.oneof(
    fc
      .integer({ min: 0, max: 4_102_444_799 })
      .map((s) => new Date(s * 1000).toISOString().replace(".000Z", "Z")),
    fc.integer({ min: 0, max: 4_102_444_799 }).map((s) => String(s * 1000)),
    fc
      .integer({ min: 0, max: 4_102_444_799 })
      .map((s) => new Date(s * 1000).toISOString().replace("T", " ").slice(0, 19)),
    fc.constantFrom("2024-02-30T00:00:00Z", "garbage", "2024-01-01T25:00:00Z"),
  );
  const row = fc.tuple(stamp, cell, cell, cell, cell, cell, fc.boolean()).map(([t, ...rest]) => {
    const extra = rest.pop() ? ",1700000000000,9,9" : "";
    return `${[t, ...rest].join(",")}${extra}`;
  });
  const file = fc
    .tuple(
      fc.constantFrom(
        "timestamp,open,high,low,close,volume\n",
        "",
        "\ufefftimestamp,open,high,low,close,volume\n",
        "open,high,low,close,volume,time\n",
      ),
      fc.array(row, { maxLength: 8 }),
      fc.constantFrom("\n", "\r\n"),
      fc.constantFrom("", "\n", "\r\n", "\n\n"),
    )
    .map(([head, rows, eol, tail]) => `${head}${rows.join(eol)}${rows.length > 0 ? tail : ""}`);

  it("gives exactly what the text parser gives, results and errors alike (property)", () => {
    fc.assert(
      fc.property(file, (text) => {
        const fromText = outcome(() => parseCandleCsv(text.replace(/^\ufeff/, ""), "p.csv"));
        expect(outcome(() => parseCandleCsvBytes(enc.encode(text), "p.csv"))).toEqual(fromText);
      }),
      { numRuns: 400 },
    );
  });
});

describe("never a wrong value: strict numbers, epoch units, real dates", () => {
  const te = new TextEncoder();
  const csv = (ts: string, v = "10") => `timestamp,open,high,low,close,volume\n${ts},1,2,0.5,1.5,${v}\n`;
  const all = (text: string) => [
    () => parseCandleCsv(text, "a.csv"),
    () => parseCandleCsvBytes(te.encode(text), "a.csv"),
  ];
  it("refuses impossible dates on every path (text, bytes, the general ISO form)", () => {
    for (const d of ["2024-02-30", "2023-02-29", "2024-04-31", "2100-02-29"]) {
      for (const parse of all(csv(`${d}T00:00:00Z`))) expect(parse).toThrow(/bad timestamp/);
      for (const parse of all(csv(`${d} 00:00:00`))) expect(parse).toThrow(/bad timestamp/);
      expect(tsOf(`${d}T00:00:00.000+00:00`)).toBeNaN();
    }
    // leap days that exist
    expect(tsOf("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(tsOf("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
  });
  it("reads epoch ms and µs; refuses seconds, nanoseconds and values beyond any date", () => {
    expect(tsOf("1704067200000")).toBe(1704067200000);
    expect(tsOf("1704067200000000")).toBe(1704067200000);
    for (const bad of ["1704067200", "1704067200000000000", "9000000000000000000", "-1", "0"]) {
      expect(tsOf(bad)).toBeNaN();
      for (const parse of all(csv(bad))) expect(parse).toThrow(/bad timestamp/);
    }
    expect(() => parseFreqtradeJson("[[1704067200,1,2,0.5,1.5,10]]", "f.json")).toThrow(
      "f.json: row 1: bad timestamp 1704067200 (looks like epoch seconds; kairos reads epoch milliseconds (multiply by 1000))",
    );
    expect(() => parseFreqtradeJson("[[9e18,1,2,0.5,1.5,10]]", "f.json")).toThrow(
      /looks like epoch nanoseconds/,
    );
  });
  it("refuses empty, blank and hex numbers (Number() reads them as 0 and 16)", () => {
    for (const bad of ["", " ", "0x10", "0b1", "Infinity", "1_0"]) {
      for (const parse of all(csv("2024-01-01T00:00:00Z", bad)))
        expect(parse).toThrow(/bad number in "volume"/);
      expect(() =>
        parseFreqtradeJson(`[[1704067200000,1,2,0.5,1.5,${JSON.stringify(bad)}]]`, "f.json"),
      ).toThrow(/row 1: bad volume/);
    }
    expect(
      Array.from(parseFreqtradeJson('[[1704067200000,"1","2","0.5","1.5"," 10 "]]', "f.json").volume),
    ).toEqual([10]);
  });
  it("cuts echoed input to a short excerpt and refuses deep nesting without recursion", () => {
    const long = "x".repeat(1_000_000);
    expect(() => parseCandleCsv(`${long}\n`, "h.csv")).toThrow(
      /^h\.csv:1: header has no "timestamp" column .{0,200}$/,
    );
    expect(() => parseFreqtradeJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, "d.json")).toThrow(
      /d\.json: not valid JSON candles \(row 1 holds a nested value/,
    );
  });
});
