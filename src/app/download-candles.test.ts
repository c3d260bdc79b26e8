// The downloader against the local exchange: ccxt's real binance class over real HTTP, a real SQLite home
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { type LocalExchange, startLocalExchange } from "../../test/support/local-exchange/index.ts";
import { CcxtMarketDataSource } from "../adapters/ccxt/ccxt-market-data-source.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../adapters/sqlite/sqlite-candle-store.ts";
import { SqliteFundingStore } from "../adapters/sqlite/sqlite-funding-store.ts";
import type { AppError } from "../errors.ts";
import { type DownloadDeps, type DownloadEvent, downloadCandles } from "./download-candles.ts";

const H = 3_600_000;
const TIMEOUT_MS = 5_000;
const fet = loadBundledSeries("binance", "FET/USDT", "1h");
const lastFet = fet.ts[fet.ts.length - 1]!;
const root = mkdtempSync(join(tmpdir(), "kairos-download-"));
let ex: LocalExchange;
let homes = 0;
const open: { close(): unknown }[] = [];

beforeAll(async () => {
  ex = await startLocalExchange();
});
afterEach(() => {
  ex.faults.clear();
  ex.requests.length = 0;
  for (const o of open.splice(0)) o.close();
});
afterAll(async () => {
  await ex.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh home wired to the local exchange; `now` is both clocks' time */
function setup(now: number, extra: Partial<DownloadDeps> = {}) {
  ex.now = now;
  const db = openDatabase(join(root, `h${homes++}`));
  const store = new SqliteCandleStore(db);
  // ccxt's timeout well above a page's answer on a loaded machine (up to 500 ms under three CPU hogs
  // here; a page 450 ms late was a spurious retry at the old 400 ms), and the timeout fault's hang
  // well above it: only the injected fault times out
  const source = new CcxtMarketDataSource("binance", { apiBase: ex.url, timeoutMs: TIMEOUT_MS });
  open.push(store, { close: () => void source.close() });
  const sleeps: number[] = [];
  const deps: DownloadDeps = {
    source,
    store,
    funding: new SqliteFundingStore(db),
    clock: { now: () => now },
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((r) => setTimeout(r, ms));
    },
    retry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  };
  return { deps, store, sleeps };
}

const key = { exchange: "binance", symbol: "FET/USDT", timeframe: "1h" as const };
const klines = () => ex.requests.filter((r) => r.path === "/api/v3/klines");

function expectWholeFile(store: SqliteCandleStore): void {
  const got = store.read(key);
  expect(got.ts.length).toBe(fet.ts.length);
  expect(Array.from(got.ts)).toEqual(Array.from(fet.ts));
  for (const col of ["open", "high", "low", "close", "volume"] as const) {
    expect(Array.from(got[col]), col).toEqual(Array.from(fet[col]));
  }
}

describe("downloadCandles against the local exchange", () => {
  it("a full download equals the bundled file, page by page", async () => {
    const { deps, store } = setup(lastFet + H);
    const r = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" });
    expect(r).toMatchObject({
      pages: 7,
      fetched: fet.ts.length,
      inserted: fet.ts.length,
      resumed: false,
      retries: 0,
    });
    expectWholeFile(store);
  });

  it("never stores the candle that is still open", async () => {
    const { deps, store } = setup(lastFet + H / 2);
    await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h", since: "2024-09-01" });
    expect(store.info(key)?.last).toBe(lastFet - H);
    expect(klines().at(-1)!.query.startTime).toBeDefined();
  });

  it("resumes after an interruption from the last stored candle", async () => {
    const ctl = new AbortController();
    const { deps, store } = setup(lastFet + H, { signal: ctl.signal });
    let pages = 0;
    const first = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" }, (e) => {
      if (e.kind === "page" && ++pages === 2) ctl.abort();
    });
    expect(first).toMatchObject({ interrupted: true, pages: 2, fetched: 2000 });
    expect(store.info(key)?.rows).toBe(2000);
    const stoppedAt = store.info(key)!.last;
    ex.requests.length = 0;
    const again = await downloadCandles(
      { ...deps, signal: new AbortController().signal },
      { symbol: "FET/USDT", timeframe: "1h" },
    );
    expect(again).toMatchObject({ resumed: true, from: stoppedAt + H, inserted: fet.ts.length - 2000 });
    expect(Number(klines()[0]!.query.startTime)).toBe(stoppedAt + H);
    expectWholeFile(store);
  });

  it("keeps the pages before a hard failure and resumes after it", async () => {
    const { deps, store } = setup(lastFet + H);
    ex.faults.inject(
      {
        kind: "exchange-error",
        status: 400,
        code: -1100,
        msg: "Illegal characters found in parameter 'symbol'.",
      },
      { pathPrefix: "/api/v3/klines", after: 3 },
    );
    await expect(downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" })).rejects.toMatchObject({
      code: "EXCHANGE_ERROR",
      retryable: false,
    });
    expect(store.info(key)?.rows).toBe(3000);
    expect(klines()).toHaveLength(4);
    const again = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" });
    expect(again.resumed).toBe(true);
    expectWholeFile(store);
  });

  it("honours a 429's Retry-After before asking again", async () => {
    const { deps, store, sleeps } = setup(lastFet + H);
    ex.faults.inject({ kind: "rate-limit", retryAfterSec: 1 }, { pathPrefix: "/api/v3/klines", after: 1 });
    const events: DownloadEvent[] = [];
    const r = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" }, (e) => events.push(e));
    expect(r.retries).toBe(1);
    expect(sleeps).toEqual([1000]);
    const retryEvent = events.find((e) => e.kind === "retry") as Extract<DownloadEvent, { kind: "retry" }>;
    expect(retryEvent.error.code).toBe("RATE_LIMITED");
    const k = klines();
    const limited = k.findIndex((q) => q.status === 429);
    expect(k[limited + 1]!.at - k[limited]!.at).toBeGreaterThanOrEqual(990);
    expect(k[limited + 1]!.query.startTime).toBe(k[limited]!.query.startTime);
    expectWholeFile(store);
  });

  it("retries 5xx and timeouts with growing backoff, and survives truncated pages", async () => {
    const { deps, store, sleeps } = setup(lastFet + H);
    ex.faults.inject(
      { kind: "server-error", status: 503 },
      { pathPrefix: "/api/v3/klines", times: 2, after: 2 },
    );
    ex.faults.inject(
      { kind: "timeout", delayMs: 12 * TIMEOUT_MS },
      { pathPrefix: "/api/v3/klines", after: 1 },
    );
    ex.faults.inject({ kind: "truncate", rows: 137 }, { pathPrefix: "/api/v3/klines", times: 3 });
    const r = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" });
    expect(r.retries).toBe(3);
    // request 2 times out, 3 and 4 get 503s: one request failing thrice backs off 20, 40, 80 ms
    expect(sleeps).toEqual([20, 40, 80]);
    expect(klines().map((q) => q.fault ?? "ok")).toEqual(
      expect.arrayContaining(["server-error", "timeout", "truncate"]),
    );
    expectWholeFile(store);
  });

  it("gives up after the retry budget with the exchange's error", async () => {
    const { deps } = setup(lastFet + H);
    ex.faults.inject({ kind: "server-error", status: 502 }, { pathPrefix: "/api/v3/klines", times: 10 });
    const err = (await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h" }).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(err.code).toBe("EXCHANGE_UNAVAILABLE");
    expect(err.message).toMatch(/^binance not available while fetching FET\/USDT 1h candles/);
    expect(klines()).toHaveLength(4);
  });

  it("names unknown symbols without retrying", async () => {
    const { deps } = setup(lastFet + H);
    await expect(downloadCandles(deps, { symbol: "FET/EUR", timeframe: "1h" })).rejects.toThrow(
      /binance has no market FET\/EUR; similar: FET\/USDT/,
    );
    expect(klines()).toHaveLength(0);
  });

  it("stores funding history with --funding, and resumes it", async () => {
    const { deps } = setup(lastFet + H);
    const r = await downloadCandles(deps, {
      symbol: "FET/USDT",
      timeframe: "1h",
      since: "2024-08-01",
      funding: true,
    });
    const want = ex.data.funding("FETUSDT").filter((f) => f.fundingTime >= Date.parse("2024-08-01"));
    expect(r.funding).toMatchObject({ symbol: "FET/USDT:USDT", fetched: want.length, inserted: want.length });
    const got = deps.funding.readFunding({ exchange: "binance", symbol: "FET/USDT:USDT" });
    expect(Array.from(got.ts)).toEqual(want.map((f) => f.fundingTime));
    expect(Array.from(got.rate)).toEqual(want.map((f) => f.fundingRate));
    const again = await downloadCandles(deps, { symbol: "FET/USDT", timeframe: "1h", funding: true });
    expect(again.funding?.inserted).toBe(0);
  });
});
