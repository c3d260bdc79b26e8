import { type CandleSeries, sliceSeries } from "../../domain/candle-series.ts";
import { barsPerYear, timeframeMs } from "../../domain/timeframe.ts";
import { RealizedVolatilityStream } from "../../indicators/realized-volatility.ts";
import { regimeOf } from "../regime.ts";
import type { HitRate } from "./hit-rates.ts";

/** One number a brief line rests on: which series, which bar (open time, epoch ms), what value */
export interface Citation {
  series: string;
  barTime: number;
  value: number;
  /** what the value is: close, return-1d, vol-percentile, ... */
  what: string;
}

/** Template ids; each has an English and a German template in templates.ts */
export type BriefLineKind =
  | "sector-shock"
  | "symbol-shock"
  | "sector-vs-btc"
  | "sector-breadth"
  | "sector-drawdown"
  | "mover-1d"
  | "mover-7d"
  | "regime"
  | "correlation"
  | "funding"
  | "changed"
  | "changed-none"
  | "headlines"
  | "signal"
  | "signal-changed"
  | "signals-none"
  | "hit-rate"
  | "position"
  | "risk-state";

/** One line of a brief: a template id, the values it fills in, and the numbers it cites */
export interface BriefLine {
  kind: BriefLineKind;
  params: Record<string, string | number>;
  cites: Citation[];
}

export interface SymbolState {
  symbol: string;
  barTime: number;
  close: number;
  trend: "up" | "down" | "sideways";
  volatility: "low" | "normal" | "high";
  volatilityPercentile: number;
  volatilityPct: number;
  return1d: number;
  return7d: number;
  /** the benchmark's 7-day return over the same 7 days (to its bar at or before `barTime`), when stored */
  benchmark7d?: { barTime: number; return7d: number };
}

/** The ensemble's signal for one symbol at the run's latest closed bar */
export interface SignalState {
  symbol: string;
  /** open time of the bar the signal was computed at (epoch ms) */
  barTime: number;
  action: "long" | "flat" | "short";
  /** target exposure for the next bar, percent of equity */
  exposurePct: number;
  /** share of the weight agreeing, percent */
  confidencePct: number;
}

/** One stored headline the brief reads (already mapped to symbols and scored) */
export interface Headline {
  key: string;
  title: string;
  publishedAt: number;
  symbols: readonly string[];
  score: number;
  label: "positive" | "negative" | "neutral";
}

/** One open position of a trading session, marked at the session's last close */
export interface PositionState {
  session: string;
  mode: string;
  symbol: string;
  qty: number;
  averagePrice: number | null;
  unrealisedPnl: number | null;
  /** the session's equity and P&L against its capital, in its quote currency */
  equity: number;
  pnl: number;
}

export interface Brief {
  version: 1;
  /** open time of the newest bar the brief reads */
  asOf: number;
  timeframe: string;
  symbols: SymbolState[];
  lines: BriefLine[];
  /** the ensemble's signals (from the newest stored screen run on this timeframe), when one exists */
  signals?: SignalState[];
}

/** A stored brief of this shape (older or foreign files are skipped) */
export function isBrief(x: unknown): x is Brief {
  if (x === null || typeof x !== "object") return false;
  const b = x as Partial<Brief>;
  return b.version === 1 && typeof b.asOf === "number" && Array.isArray(b.symbols) && Array.isArray(b.lines);
}

export interface BriefInput {
  series: readonly CandleSeries[];
  /** the symbols of the sector (e.g. the AI tokens) among `series` */
  sector: readonly string[];
  /** the benchmark symbol, BTC/USDT by default */
  benchmark?: string;
  /** last funding rate per perpetual symbol, where stored */
  funding?: readonly { symbol: string; ts: number; rate: number }[];
  /** the previous brief, to say what changed */
  previous?: Brief;
  /** a one-day sector move at or beyond this fraction is a shock (default 0.1 = 10%) */
  shockThreshold?: number;
  /** stored headlines of the last `headlineDays` days before the newest bar's close */
  headlines?: readonly Headline[];
  /** the window the headlines cover, days (default 7) */
  headlineDays?: number;
  /**
   * the ensemble: its signals and the out-of-sample hit rates of each kind of signal, or why there
   * is none (no stored screen run on this timeframe, a run on other data)
   */
  ensemble?: { run: string; signals: SignalState[]; hitRates: HitRate[] } | { missing: string };
  /** open positions of the trading sessions and the account's trading state, when sessions exist */
  trading?: { state: "active" | "reducing" | "halted"; sessions: number; positions: PositionState[] };
}

const DAY = 86_400_000;

/** Index of the last bar with open time <= t (binary search), -1 when none */
function barAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Return over `ms` ending at bar i (close[i] / close at or before ts[i]-ms - 1), NaN without history */
function returnOver(s: CandleSeries, i: number, ms: number): { r: number; from: number } {
  const j = barAtOrBefore(s.ts, s.ts[i]! - ms);
  if (j < 0 || i < 0) return { r: Number.NaN, from: -1 };
  return { r: s.close[i]! / s.close[j]! - 1, from: j };
}

/** The last `len` bars of a series as views (no copy) */
const tail = (s: CandleSeries, len: number): CandleSeries => sliceSeries(s, Math.max(0, s.ts.length - len));

/**
 * regimeOf's trend and volatility with the volatility percentile over the last year computed in one
 * streaming pass (RealizedVolatilityStream, the same close-to-close definition as regimeOf's
 * closeToCloseVolatilityAt): regimeOf re-sums the window for every reading, O(bars × window), 20 s
 * for 100 hourly symbols; the stream is O(bars). regimeOf reads only the tail it needs for the trend.
 */
function regimeWithPercentile(s: CandleSeries, averageBars: number, volBars: number, perYear: number) {
  const need = Math.max(averageBars + Math.max(1, Math.floor(averageBars / 5)) + 1, volBars + 2);
  const reg = regimeOf(tail(s, need), averageBars, volBars);
  const n = s.close.length;
  const lookback = Math.min(n - 1 - volBars, Math.round(perYear));
  const stream = new RealizedVolatilityStream("close-to-close", volBars, perYear);
  const readings: number[] = [];
  const start = Math.max(0, n - 1 - lookback - volBars);
  for (let t = start; t < n; t++) {
    const v = stream.update({ open: s.open[t]!, high: s.high[t]!, low: s.low[t]!, close: s.close[t]! });
    if (t >= n - 1 - lookback && Number.isFinite(v)) readings.push(v);
  }
  const now = readings.at(-1) ?? Number.NaN;
  let below = 0;
  // relative tolerance: the stream's running sums and the windowed sum differ in the last bits
  for (const v of readings) if (v <= now * (1 + 1e-12)) below++;
  const pctl = readings.length > 0 && Number.isFinite(now) ? Math.round((100 * below) / readings.length) : 50;
  return {
    trend: reg.trend,
    volatility: pctl < 33 ? ("low" as const) : pctl > 67 ? ("high" as const) : ("normal" as const),
    volatilityPercentile: pctl,
    volatilityPct: reg.volatilityPct,
  };
}

const pct = (x: number, d = 1): number => Math.round(x * 100 * 10 ** d) / 10 ** d;
const name = (s: CandleSeries): string => `${s.exchange}:${s.symbol}:${s.timeframe}`;

/** Pearson correlation of bar returns of a and b over common bars with open time in (from, to] */
function correlationIn(a: CandleSeries, b: CandleSeries, from: number, to: number): number {
  let i = barAtOrBefore(a.ts, from) + 1;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let j = Math.max(1, barAtOrBefore(b.ts, from) + 1);
  for (i = Math.max(1, i); i < a.ts.length && a.ts[i]! <= to; i++) {
    const t = a.ts[i]!;
    while (j < b.ts.length && b.ts[j]! < t) j++;
    if (j >= b.ts.length) break;
    if (b.ts[j] !== t || a.ts[i - 1] !== b.ts[j - 1]) continue;
    const x = a.close[i]! / a.close[i - 1]! - 1;
    const y = b.close[j]! / b.close[j - 1]! - 1;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  if (n < 3) return Number.NaN;
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN;
}

/** The benchmark's 7-day return ending at its bar at or before `s`'s last bar: "X against BTC this week" compares the same days */
function benchmarkWeek(
  bench: CandleSeries | undefined,
  s: CandleSeries,
): { benchmark7d?: { barTime: number; return7d: number } } {
  if (bench === undefined || bench === s) return {};
  const bi = barAtOrBefore(bench.ts, s.ts[s.ts.length - 1]!);
  if (bi < 0) return {};
  const r = returnOver(bench, bi, 7 * DAY).r;
  return Number.isFinite(r) ? { benchmark7d: { barTime: bench.ts[bi]!, return7d: r } } : {};
}

/**
 * The market brief as data: sector-wide shocks first, then the sector against the benchmark, movers,
 * regimes, correlations, funding and what changed since the previous brief. Pure: the caller reads
 * the series and the previous brief; every line carries the numbers (series, bar time, value) it rests on.
 */
export function buildBrief(input: BriefInput): Brief {
  const series = input.series.filter((s) => s.ts.length >= 2);
  if (series.length === 0) throw new Error("brief: no series with two bars or more");
  const tf = series[0]!.timeframe;
  const bench = input.benchmark ?? "BTC/USDT";
  const threshold = input.shockThreshold ?? 0.1;
  const perYear = barsPerYear(tf);
  const barMs = timeframeMs(tf);
  // regimes read a 20-day average and 20-day volatility, whatever the bar length
  const avgBars = Math.max(5, Math.round((20 * DAY) / barMs));
  const volBars = Math.max(5, Math.min(Math.round((20 * DAY) / barMs), Math.round(perYear / 4)));
  const asOf = Math.max(...series.map((s) => s.ts[s.ts.length - 1]!));
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const benchSeries = bySymbol.get(bench);

  const symbols: SymbolState[] = series.map((s) => {
    const i = s.ts.length - 1;
    const enough = s.ts.length > volBars + 2;
    const reg = enough
      ? regimeWithPercentile(s, Math.min(avgBars, s.ts.length), volBars, perYear)
      : {
          trend: "sideways" as const,
          volatility: "normal" as const,
          volatilityPercentile: 50,
          volatilityPct: 0,
        };
    return {
      symbol: s.symbol,
      barTime: s.ts[i]!,
      close: s.close[i]!,
      trend: reg.trend,
      volatility: reg.volatility,
      volatilityPercentile: reg.volatilityPercentile,
      volatilityPct: reg.volatilityPct,
      return1d: returnOver(s, i, DAY).r,
      return7d: returnOver(s, i, 7 * DAY).r,
      ...benchmarkWeek(benchSeries, s),
    };
  });
  const state = new Map(symbols.map((x) => [x.symbol, x]));
  const lines: BriefLine[] = [];
  const sector = input.sector.map((x) => bySymbol.get(x)).filter((s): s is CandleSeries => s !== undefined);

  // sector-wide shocks: the worst (and best) equal-weight one-day sector move ending at any bar of the last 7 days
  if (sector.length >= 2) {
    const ref = sector.reduce((a, b) => (a.ts.length >= b.ts.length ? a : b));
    const start = barAtOrBefore(ref.ts, asOf - 7 * DAY) + 1;
    let worst = { r: 0, t: -1 };
    let best = { r: 0, t: -1 };
    for (let k = Math.max(0, start); k < ref.ts.length; k++) {
      const t = ref.ts[k]!;
      let sum = 0;
      let n = 0;
      for (const s of sector) {
        const i = barAtOrBefore(s.ts, t);
        if (i < 0 || s.ts[i] !== t) continue;
        const { r } = returnOver(s, i, DAY);
        if (!Number.isFinite(r)) continue;
        sum += r;
        n++;
      }
      if (n < Math.max(2, Math.ceil(sector.length / 2))) continue;
      const m = sum / n;
      if (m < worst.r) worst = { r: m, t };
      if (m > best.r) best = { r: m, t };
    }
    for (const shock of [worst, best]) {
      if (shock.t < 0 || Math.abs(shock.r) < threshold) continue;
      const cites: Citation[] = [];
      let worstSym = "";
      let worstR = 0;
      let fallers = 0;
      for (const s of sector) {
        const i = barAtOrBefore(s.ts, shock.t);
        if (i < 0 || s.ts[i] !== shock.t) continue;
        const { r } = returnOver(s, i, DAY);
        if (!Number.isFinite(r)) continue;
        if (Math.sign(r) === Math.sign(shock.r)) fallers++;
        if (Math.abs(r) > Math.abs(worstR) && Math.sign(r) === Math.sign(shock.r)) {
          worstR = r;
          worstSym = s.symbol;
        }
        cites.push({ series: name(s), barTime: shock.t, value: pct(r, 2), what: "return-1d-pct" });
      }
      lines.push({
        kind: "sector-shock",
        params: {
          direction: shock.r < 0 ? "fall" : "rise",
          movePct: pct(shock.r),
          at: shock.t,
          count: cites.length,
          with: fallers,
          leader: worstSym,
          leaderPct: pct(worstR),
        },
        cites,
      });
    }
    lines.sort((a, b) => Math.abs(Number(b.params.movePct)) - Math.abs(Number(a.params.movePct)));
  }

  // single-symbol one-day shocks outside the sector
  for (const x of symbols) {
    if (input.sector.includes(x.symbol) || !(Math.abs(x.return1d) >= Math.max(0.15, threshold))) continue;
    lines.push({
      kind: "symbol-shock",
      params: { symbol: x.symbol, movePct: pct(x.return1d), at: x.barTime },
      cites: [
        {
          series: name(bySymbol.get(x.symbol)!),
          barTime: x.barTime,
          value: pct(x.return1d, 2),
          what: "return-1d-pct",
        },
      ],
    });
  }

  const btc = bySymbol.get(bench);
  if (sector.length > 0) {
    const sec = sector.map((s) => state.get(s.symbol)!).filter((x) => Number.isFinite(x.return7d));
    if (sec.length > 0) {
      const mean7 = sec.reduce((a, x) => a + x.return7d, 0) / sec.length;
      // the benchmark is read at the sector's newest bar, so both returns cover the same 7 days
      const secEnd = Math.max(...sec.map((x) => x.barTime));
      const bi = btc === undefined ? -1 : barAtOrBefore(btc.ts, secEnd);
      const btcState =
        btc === undefined || bi < 0
          ? undefined
          : { barTime: btc.ts[bi]!, return7d: returnOver(btc, bi, 7 * DAY).r };
      if (btcState !== undefined && Number.isFinite(btcState.return7d)) {
        lines.push({
          kind: "sector-vs-btc",
          params: {
            sectorPct: pct(mean7),
            benchmark: bench,
            benchmarkPct: pct(btcState.return7d),
            relativePct: pct(mean7 - btcState.return7d),
            count: sec.length,
          },
          cites: [
            ...sec.map((x) => ({
              series: name(bySymbol.get(x.symbol)!),
              barTime: x.barTime,
              value: pct(x.return7d, 2),
              what: "return-7d-pct",
            })),
            {
              series: name(btc!),
              barTime: btcState.barTime,
              value: pct(btcState.return7d, 2),
              what: "return-7d-pct",
            },
          ],
        });
      }
    }
    // breadth: sector members whose close is above their 20-day average
    const above = sector.filter((s) => {
      const n = s.ts.length;
      const from = Math.max(0, n - avgBars);
      let sum = 0;
      for (let t = from; t < n; t++) sum += s.close[t]!;
      return s.close[n - 1]! > sum / (n - from);
    });
    lines.push({
      kind: "sector-breadth",
      params: {
        above: above.length,
        count: sector.length,
        pct: Math.round((100 * above.length) / sector.length),
      },
      cites: sector.map((s) => ({
        series: name(s),
        barTime: s.ts[s.ts.length - 1]!,
        value: s.close[s.ts.length - 1]!,
        what: "close",
      })),
    });
    // drawdown of the equal-weight sector index (each member rebased to its first bar in the last year);
    // the year ends at the sector's newest bar, not the benchmark's (stored series can end years apart)
    const sectorAsOf = Math.max(...sector.map((s) => s.ts[s.ts.length - 1]!));
    const from = sectorAsOf - 365 * DAY;
    let peak = 0;
    let peakT = 0;
    let last = 0;
    const ref = sector.reduce((a, b) => (a.ts.length >= b.ts.length ? a : b));
    const base = sector.map((s) => {
      const i = Math.max(0, barAtOrBefore(s.ts, from) + 1);
      return { s, i, c0: s.close[i]!, cur: i };
    });
    for (let k = Math.max(0, barAtOrBefore(ref.ts, from) + 1); k < ref.ts.length; k++) {
      const t = ref.ts[k]!;
      let sum = 0;
      let n = 0;
      for (const b of base) {
        while (b.cur + 1 < b.s.ts.length && b.s.ts[b.cur + 1]! <= t) b.cur++;
        if (b.s.ts[b.i]! > t) continue;
        sum += b.s.close[b.cur]! / b.c0;
        n++;
      }
      if (n === 0) continue;
      last = sum / n;
      if (last > peak) {
        peak = last;
        peakT = t;
      }
    }
    if (peak > 0)
      lines.push({
        kind: "sector-drawdown",
        params: { drawdownPct: pct(last / peak - 1), peakAt: peakT },
        cites: [
          { series: "sector-index", barTime: peakT, value: Math.round(peak * 1e4) / 1e4, what: "index-peak" },
          {
            series: "sector-index",
            barTime: sectorAsOf,
            value: Math.round(last * 1e4) / 1e4,
            what: "index-now",
          },
        ],
      });
  }

  // movers: the three biggest absolute moves over 1 day and 7 days
  for (const [kind, key] of [
    ["mover-1d", "return1d"],
    ["mover-7d", "return7d"],
  ] as const) {
    const ranked = symbols
      .filter((x) => Number.isFinite(x[key]))
      .sort((a, b) => Math.abs(b[key]) - Math.abs(a[key]))
      .slice(0, 3);
    for (const x of ranked)
      lines.push({
        kind,
        params: { symbol: x.symbol, movePct: pct(x[key]), at: x.barTime },
        cites: [
          {
            series: name(bySymbol.get(x.symbol)!),
            barTime: x.barTime,
            value: pct(x[key], 2),
            what: `${kind === "mover-1d" ? "return-1d" : "return-7d"}-pct`,
          },
        ],
      });
  }

  for (const x of symbols)
    lines.push({
      kind: "regime",
      params: {
        symbol: x.symbol,
        trend: x.trend,
        volatility: x.volatility,
        percentile: x.volatilityPercentile,
        volPct: x.volatilityPct,
      },
      cites: [
        {
          series: name(bySymbol.get(x.symbol)!),
          barTime: x.barTime,
          value: x.volatilityPercentile,
          what: "volatility-percentile",
        },
        {
          series: name(bySymbol.get(x.symbol)!),
          barTime: x.barTime,
          value: x.volatilityPct,
          what: "realised-volatility-annual-pct",
        },
      ],
    });

  // correlation with the benchmark over the last 30 days against the 30 days before
  if (btc !== undefined) {
    const rows: { s: CandleSeries; now: number; before: number; end: number }[] = [];
    for (const s of series) {
      if (s === btc) continue;
      // each pair over its common newest 60 days
      const end = Math.min(s.ts[s.ts.length - 1]!, btc.ts[btc.ts.length - 1]!);
      const now = correlationIn(s, btc, end - 30 * DAY, end);
      const before = correlationIn(s, btc, end - 60 * DAY, end - 30 * DAY);
      if (Number.isFinite(now)) rows.push({ s, now, before, end });
    }
    if (rows.length > 0) {
      const mean = (f: (r: (typeof rows)[number]) => number): number => {
        const v = rows.map(f).filter(Number.isFinite);
        return v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
      };
      const now = mean((r) => r.now);
      const before = mean((r) => r.before);
      const r2 = (x: number): number => Math.round(x * 100) / 100;
      lines.push({
        kind: "correlation",
        params: {
          benchmark: bench,
          now: r2(now),
          before: Number.isFinite(before) ? r2(before) : "n/a",
          count: rows.length,
        },
        cites: rows.flatMap((r) => [
          { series: name(r.s), barTime: r.end, value: r2(r.now), what: `correlation-30d-vs-${bench}` },
          ...(Number.isFinite(r.before)
            ? [
                {
                  series: name(r.s),
                  barTime: r.end - 30 * DAY,
                  value: r2(r.before),
                  what: `correlation-30d-vs-${bench}`,
                },
              ]
            : []),
        ]),
      });
    }
  }

  for (const f of input.funding ?? [])
    lines.push({
      kind: "funding",
      params: { symbol: f.symbol, ratePct: Math.round(f.rate * 1e6) / 1e4, at: f.ts },
      cites: [{ series: `funding:${f.symbol}`, barTime: f.ts, value: f.rate, what: "funding-rate" }],
    });

  lines.push(...headlineLines(input, barMs, symbols));
  const ens = input.ensemble;
  if (ens !== undefined && "missing" in ens)
    lines.push({ kind: "signals-none", params: { reason: ens.missing }, cites: [] });
  if (ens !== undefined && "run" in ens) {
    for (const g of ens.signals)
      lines.push({
        kind: "signal",
        params: {
          symbol: g.symbol,
          action: g.action,
          exposurePct: g.exposurePct,
          confidencePct: g.confidencePct,
          at: g.barTime,
          run: ens.run,
        },
        cites: [
          {
            series: `ensemble:${ens.run}:${g.symbol}`,
            barTime: g.barTime,
            value: g.exposurePct,
            what: "exposure-pct",
          },
          {
            series: `ensemble:${ens.run}:${g.symbol}`,
            barTime: g.barTime,
            value: g.confidencePct,
            what: "confidence-pct",
          },
        ],
      });
    const prev = new Map((input.previous?.signals ?? []).map((g) => [g.symbol, g]));
    for (const g of ens.signals) {
      const p = prev.get(g.symbol);
      // five points of exposure is the smallest change worth a line
      if (p === undefined || (p.action === g.action && Math.abs(p.exposurePct - g.exposurePct) < 5)) continue;
      lines.push({
        kind: "signal-changed",
        params: {
          symbol: g.symbol,
          actionBefore: p.action,
          action: g.action,
          exposureBefore: p.exposurePct,
          exposurePct: g.exposurePct,
          since: p.barTime,
        },
        cites: [
          { series: `ensemble:${g.symbol}`, barTime: p.barTime, value: p.exposurePct, what: "exposure-pct" },
          { series: `ensemble:${g.symbol}`, barTime: g.barTime, value: g.exposurePct, what: "exposure-pct" },
        ],
      });
    }
    for (const h of ens.hitRates)
      lines.push({
        kind: "hit-rate",
        params: {
          family: h.family,
          direction: h.direction,
          ratePct: pct(h.rate),
          lowPct: pct(h.low),
          highPct: pct(h.high),
          signals: h.signals,
          right: h.right,
          baselinePct: pct(h.baseline),
          horizonBars: h.horizonBars,
        },
        cites: [
          {
            series: `ensemble:${ens.run}:${h.family}:${h.direction}`,
            barTime: asOf,
            value: pct(h.rate),
            what: "oos-hit-rate-pct",
          },
          {
            series: `ensemble:${ens.run}:${h.family}:${h.direction}`,
            barTime: asOf,
            value: pct(h.baseline),
            what: "baseline-hit-rate-pct",
          },
          {
            series: `ensemble:${ens.run}:${h.family}:${h.direction}`,
            barTime: asOf,
            value: h.signals,
            what: "oos-signals",
          },
        ],
      });
  }
  if (input.trading !== undefined) {
    const tr = input.trading;
    lines.push({
      kind: "risk-state",
      params: { state: tr.state, sessions: tr.sessions, open: tr.positions.length },
      cites: [{ series: "trading-sessions", barTime: asOf, value: tr.sessions, what: "sessions" }],
    });
    for (const p of tr.positions)
      lines.push({
        kind: "position",
        params: {
          session: p.session,
          mode: p.mode,
          symbol: p.symbol,
          qty: p.qty,
          averagePrice: p.averagePrice ?? "n/a",
          unrealisedPnl: p.unrealisedPnl ?? "n/a",
          equity: p.equity,
          pnl: p.pnl,
        },
        cites: [
          { series: `session:${p.session}:${p.symbol}`, barTime: asOf, value: p.qty, what: "position-qty" },
          ...(p.unrealisedPnl === null
            ? []
            : [
                {
                  series: `session:${p.session}:${p.symbol}`,
                  barTime: asOf,
                  value: p.unrealisedPnl,
                  what: "unrealised-pnl",
                },
              ]),
          { series: `session:${p.session}`, barTime: asOf, value: p.equity, what: "equity" },
        ],
      });
  }

  // what changed since the previous brief
  if (input.previous !== undefined) {
    const prev = new Map(input.previous.symbols.map((x) => [x.symbol, x]));
    let changes = 0;
    for (const x of symbols) {
      const p = prev.get(x.symbol);
      if (p === undefined || (p.trend === x.trend && p.volatility === x.volatility)) continue;
      changes++;
      lines.push({
        kind: "changed",
        params: {
          symbol: x.symbol,
          trendBefore: p.trend,
          trend: x.trend,
          volBefore: p.volatility,
          volatility: x.volatility,
          movePct: pct(x.close / p.close - 1),
          since: p.barTime,
        },
        cites: [
          { series: name(bySymbol.get(x.symbol)!), barTime: p.barTime, value: p.close, what: "close" },
          { series: name(bySymbol.get(x.symbol)!), barTime: x.barTime, value: x.close, what: "close" },
        ],
      });
    }
    // "nothing changed" names what was compared: regimes, and the ensemble's signals when both briefs hold them
    const signalChanges = lines.filter((l) => l.kind === "signal-changed").length;
    const signalsCompared =
      ens !== undefined && "run" in ens && input.previous.signals !== undefined
        ? ens.signals.filter((g) => input.previous?.signals?.some((p) => p.symbol === g.symbol)).length
        : 0;
    if (changes === 0 && signalChanges === 0)
      lines.push({
        kind: "changed-none",
        params: {
          since: input.previous.asOf,
          symbols: symbols.filter((x) => prev.has(x.symbol)).length,
          signals: signalsCompared,
        },
        cites: [
          {
            series: "previous-brief",
            barTime: input.previous.asOf,
            value: symbols.filter((x) => prev.has(x.symbol)).length,
            what: "symbols-compared",
          },
          ...(signalsCompared > 0
            ? [
                {
                  series: "previous-brief",
                  barTime: input.previous.asOf,
                  value: signalsCompared,
                  what: "signals-compared",
                },
              ]
            : []),
        ],
      });
  }
  return {
    version: 1,
    asOf,
    timeframe: tf,
    symbols,
    lines,
    ...(ens !== undefined && "run" in ens ? { signals: ens.signals } : {}),
  };
}

/**
 * Headline sentiment per symbol over the window before the close of its own newest bar: how many,
 * the mean score, positives and negatives, and the strongest headline either way. Symbols the brief
 * does not read are left out; a symbol without headlines gets no line.
 */
function headlineLines(input: BriefInput, barMs: number, symbols: readonly SymbolState[]): BriefLine[] {
  const days = input.headlineDays ?? 7;
  const out: BriefLine[] = [];
  for (const { symbol: sym, barTime } of symbols) {
    const end = barTime + barMs;
    const from = end - days * DAY;
    const hs = (input.headlines ?? []).filter(
      (h) => h.symbols.includes(sym) && h.publishedAt >= from && h.publishedAt < end,
    );
    if (hs.length === 0) continue;
    const mean = hs.reduce((a, h) => a + h.score, 0) / hs.length;
    const strongest = hs.reduce((a, h) => (Math.abs(h.score) > Math.abs(a.score) ? h : a));
    const newest = Math.max(...hs.map((h) => h.publishedAt));
    out.push({
      kind: "headlines",
      params: {
        symbol: sym,
        count: hs.length,
        days,
        mean: Math.round(mean * 100) / 100,
        positive: hs.filter((h) => h.label === "positive").length,
        negative: hs.filter((h) => h.label === "negative").length,
        top: strongest.title,
        topScore: Math.round(strongest.score * 100) / 100,
        to: end,
      },
      cites: [
        {
          series: `news:${sym}`,
          barTime: newest,
          value: Math.round(mean * 100) / 100,
          what: "headline-sentiment-mean",
        },
        { series: `news:${sym}`, barTime: newest, value: hs.length, what: "headlines" },
        {
          series: `news:${strongest.key}`,
          barTime: strongest.publishedAt,
          value: Math.round(strongest.score * 100) / 100,
          what: "headline-sentiment",
        },
      ],
    });
  }
  return out;
}
