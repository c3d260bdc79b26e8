import { z } from "zod";
import { normaliseSymbol } from "../data/file-names.ts";
import { validateCandles } from "../data/validate-candles.ts";
import { parseTimeframe, type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { AppError, invalidInput, isAppError } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { FundingStore } from "../ports/funding-store.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import {
  checkRange,
  exchangeField,
  fieldError,
  flagField,
  isoTimeField,
  parseInput,
  wholeNumberField,
} from "./contract.ts";

/** What to download (the exchange is the source's); the shell also checks the source's own options (DownloadSourceInput) */
export const DownloadInput = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  /** ISO 8601 UTC; default: resume after the last stored candle, or the exchange's first */
  since: isoTimeField().optional(),
  /** exclusive end; default: now (only closed candles are stored) */
  to: isoTimeField().optional(),
  /** also store perpetual funding history */
  funding: flagField().optional(),
});
export type DownloadInput = z.input<typeof DownloadInput>;

/**
 * Where to download from: a ccxt exchange id, an optional API origin (http or https; credentials in
 * it are never echoed) and a per-request timeout
 */
export const DownloadSourceInput = z.object({
  exchange: exchangeField(),
  apiBase: z
    .string()
    .refine((v) => /^https?:\/\/[^\s/?#]+/i.test(v) && URL.canParse(v), {
      message: "is not an http(s) URL",
      params: { allowed: "an http or https origin, e.g. http://127.0.0.1:8080" },
    })
    .optional(),
  timeout: wholeNumberField({ min: 1, max: 600_000 }).optional(),
});

export interface DownloadDeps {
  source: MarketDataSource;
  store: CandleStore;
  funding: FundingStore;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** aborting stops at once: a page in flight is dropped unread, everything committed so far stays */
  signal?: AbortSignal;
  retry?: RetryPolicy;
}

export interface RetryPolicy {
  /** retries per request before giving up */
  maxRetries: number;
  /** first backoff; doubled per retry, capped at maxDelayMs (a Retry-After overrides it) */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };

export type DownloadEvent =
  | { kind: "start"; what: "candles" | "funding"; from: number; to: number; resumed: boolean }
  | {
      kind: "page";
      what: "candles" | "funding";
      rows: number;
      stored: number;
      lastTs: number;
      from: number;
      to: number;
    }
  | { kind: "retry"; attempt: number; delayMs: number; error: AppError };

export interface DownloadReport {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  /** first requested open time, and whether it continued after already stored candles */
  from: number;
  resumed: boolean;
  pages: number;
  fetched: number;
  inserted: number;
  /** last stored open time (NaN when nothing was stored) */
  lastTs: number;
  retries: number;
  interrupted: boolean;
  funding?: { symbol: string; fetched: number; inserted: number; lastTs: number };
}

/**
 * Downloads closed candles page by page through a MarketDataSource, committing each page, so an
 * interruption (Ctrl-C, a crash, a hard error) keeps what was fetched and the next run resumes
 * after the last stored candle. Retryable failures (rate limits honouring Retry-After, 5xx,
 * timeouts) back off and retry; exchange errors fail at once. The candle still open at the
 * clock's now is never stored.
 */
export async function downloadCandles(
  deps: DownloadDeps,
  raw: DownloadInput,
  onEvent: (e: DownloadEvent) => void = () => {},
): Promise<DownloadReport> {
  const input = parseInput(DownloadInput, raw);
  checkRange(input.since, input.to, { from: "since", to: "to" });
  const symbol = normaliseSymbol(input.symbol);
  if (symbol === undefined)
    throw fieldError("symbol", `{symbol} "${input.symbol}": write it as BASE/QUOTE, e.g. BTC/USDT`);
  const timeframe = parseTimeframe(input.timeframe);
  const tfMs = timeframeMs(timeframe);
  const caps = await deps.source.capabilities();
  if (!caps.ohlcv) throw invalidInput(`${deps.source.exchange} offers no candles (fetchOHLCV) through ccxt`);
  if (caps.timeframes.length > 0 && !caps.timeframes.includes(timeframe)) {
    throw invalidInput(
      `${deps.source.exchange} has no ${timeframe} candles; it offers ${caps.timeframes.join(", ")}`,
    );
  }
  if (input.funding === true && !caps.funding) {
    throw invalidInput(
      `${deps.source.exchange} offers no funding history (fetchFundingRateHistory) through ccxt`,
    );
  }
  const key = { exchange: deps.source.exchange, symbol, timeframe };
  const since = input.since;
  const until = input.to;
  // candles opening at or after the current bar's open are not closed yet
  const closedEnd = Math.floor(deps.clock.now() / tfMs) * tfMs;
  const end = Math.min(closedEnd, until ?? Number.POSITIVE_INFINITY);
  const stored = deps.store.info(key);
  const resumed =
    stored !== undefined && (since === undefined || (since >= stored.first && since <= stored.last));
  let cursor = resumed ? stored!.last + tfMs : (since ?? 0);
  const report: DownloadReport = {
    exchange: key.exchange,
    symbol,
    timeframe,
    from: cursor,
    resumed,
    pages: 0,
    fetched: 0,
    inserted: 0,
    lastTs: stored?.last ?? Number.NaN,
    retries: 0,
    interrupted: false,
  };
  const retry = withRetry(deps, report, onEvent);
  onEvent({ kind: "start", what: "candles", from: cursor, to: end, resumed });
  const limit = deps.source.maxCandlesPerPage;
  while (cursor < end) {
    if (deps.signal?.aborted === true) {
      report.interrupted = true;
      return report;
    }
    const page = await retry(() => deps.source.fetchCandles(symbol, timeframe, cursor, limit));
    if (page === undefined) return report;
    // keep closed candles in [cursor, end): an exchange may repeat the cursor's candle or send the open one
    let a = 0;
    while (a < page.ts.length && page.ts[a]! < cursor) a++;
    let b = a;
    while (b < page.ts.length && page.ts[b]! < end) b++;
    if (b === a) break;
    const cols = {
      ts: page.ts.subarray(a, b),
      open: page.open.subarray(a, b),
      high: page.high.subarray(a, b),
      low: page.low.subarray(a, b),
      close: page.close.subarray(a, b),
      volume: page.volume.subarray(a, b),
    };
    const where = `${key.exchange} ${symbol} ${timeframe} page from ${new Date(cursor).toISOString()}`;
    try {
      validateCandles({ ...cols, line: Uint32Array.from(cols.ts, (_, i) => i + 1) }, tfMs, where);
    } catch (err) {
      throw new AppError(
        "EXCHANGE_ERROR",
        `${deps.source.exchange} sent an invalid candle: ${(err as Error).message.replace(/^.*?:\d+: /, "")} (${where})`,
        { cause: err },
      );
    }
    const r = deps.store.upsert({ ...key, ...cols });
    // without --since the start is wherever the exchange's history begins
    if (report.pages === 0 && report.from === 0) report.from = cols.ts[0]!;
    report.pages++;
    report.fetched += b - a;
    report.inserted += r.inserted;
    report.lastTs = cols.ts[cols.ts.length - 1]!;
    cursor = report.lastTs + tfMs;
    onEvent({
      kind: "page",
      what: "candles",
      rows: b - a,
      stored: r.inserted,
      lastTs: report.lastTs,
      from: report.from,
      to: end,
    });
  }
  if (input.funding === true) {
    report.funding = await downloadFunding(deps, symbol, since, until, retry, report, onEvent);
  }
  return report;
}

async function downloadFunding(
  deps: DownloadDeps,
  spot: string,
  since: number | undefined,
  until: number | undefined,
  retry: ReturnType<typeof withRetry>,
  report: DownloadReport,
  onEvent: (e: DownloadEvent) => void,
): Promise<NonNullable<DownloadReport["funding"]>> {
  // funding belongs to the perpetual: BTC/USDT -> BTC/USDT:USDT (linear, settled in the quote)
  const symbol = spot.includes(":") ? spot : `${spot}:${spot.split("/")[1]}`;
  const have = deps.funding
    .listFunding()
    .find((f) => f.exchange === deps.source.exchange && f.symbol === symbol);
  let cursor = have !== undefined && since === undefined ? have.last + 1 : (since ?? 0);
  const end = Math.min(deps.clock.now(), until ?? Number.POSITIVE_INFINITY);
  const out = { symbol, fetched: 0, inserted: 0, lastTs: have?.last ?? Number.NaN };
  let fundingFrom = cursor;
  onEvent({ kind: "start", what: "funding", from: cursor, to: end, resumed: have !== undefined });
  while (cursor < end) {
    if (deps.signal?.aborted === true) {
      report.interrupted = true;
      break;
    }
    const page = await retry(() => deps.source.fetchFunding(symbol, cursor, 1000));
    if (page === undefined) break;
    let n = 0;
    while (n < page.ts.length && page.ts[n]! < end) n++;
    let a = 0;
    while (a < n && page.ts[a]! < cursor) a++;
    if (n === a) break;
    const ts = page.ts.subarray(a, n);
    if (fundingFrom === 0) fundingFrom = ts[0]!;
    const inserted = deps.funding.upsertFunding({
      exchange: deps.source.exchange,
      symbol,
      ts,
      rate: page.rate.subarray(a, n),
    });
    out.fetched += n - a;
    out.inserted += inserted;
    out.lastTs = ts[ts.length - 1]!;
    cursor = out.lastTs + 1;
    onEvent({
      kind: "page",
      what: "funding",
      rows: n - a,
      stored: inserted,
      lastTs: out.lastTs,
      from: 0,
      to: end,
    });
  }
  return out;
}

const ABORTED = Symbol("aborted");

/**
 * p's outcome, or ABORTED as soon as the signal aborts: an interrupted download does not wait for a
 * page an exchange is slow to send (up to the request timeout) or for a retry's back-off (a
 * Retry-After may be minutes); the page, if it comes, is never read, so nothing of it is stored
 */
async function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  // a request still in flight may fail after the abort, with nobody left to hear it
  p.catch(() => undefined);
  if (signal === undefined) return p;
  if (signal.aborted) return ABORTED;
  let onAbort = (): void => {};
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Calls fn, retrying retryable AppErrors with backoff; undefined when aborted, at once, while waiting */
function withRetry(deps: DownloadDeps, report: DownloadReport, onEvent: (e: DownloadEvent) => void) {
  const policy = deps.retry ?? DEFAULT_RETRY;
  const interrupted = (): undefined => {
    report.interrupted = true;
    return undefined;
  };
  return async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await unlessAborted(fn(), deps.signal);
        return out === ABORTED ? interrupted() : out;
      } catch (err) {
        if (!isAppError(err) || !err.retryable || attempt > policy.maxRetries) throw err;
        const hinted = err.details.retryAfterMs;
        const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
        const delayMs = typeof hinted === "number" ? Math.max(hinted, 0) : backoff;
        report.retries++;
        onEvent({ kind: "retry", attempt, delayMs, error: err });
        if ((await unlessAborted(deps.sleep(delayMs), deps.signal)) === ABORTED) return interrupted();
      }
    }
  };
}
