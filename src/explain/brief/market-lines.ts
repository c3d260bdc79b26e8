// The market's lines of a brief: sector shocks, the sector against the benchmark, movers, regimes,
// correlations and funding, each citing the numbers (series, bar time, value) it rests on
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { BriefLine, Citation } from "./brief-types.ts";
import { type BriefFacts, barAtOrBefore, correlationIn, DAY, name, pct, returnOver } from "./market-facts.ts";

/** The market's lines in the brief's order */
export function marketLines(f: BriefFacts): BriefLine[] {
  return [
    ...sectorShockLines(f),
    ...symbolShockLines(f),
    ...sectorLines(f),
    ...moverLines(f),
    ...regimeLines(f),
    ...correlationLines(f),
    ...fundingLines(f),
  ];
}

/** Sector-wide one-day shocks, the biggest first */
function sectorShockLines({ sector, asOf, threshold }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

function symbolShockLines({ input, symbols, threshold, bySymbol }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

/** The sector against the benchmark over a week, its breadth and its drawdown */
function sectorLines({ sector, symbols, bench, btc, bySymbol, avgBars }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
  const state = new Map(symbols.map((x) => [x.symbol, x]));
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
  return lines;
}

function moverLines({ symbols, bySymbol }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

function regimeLines({ symbols, bySymbol }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

function correlationLines({ series, bench, btc }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

function fundingLines({ input }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
  for (const f of input.funding ?? [])
    lines.push({
      kind: "funding",
      params: { symbol: f.symbol, ratePct: Math.round(f.rate * 1e6) / 1e4, at: f.ts },
      cites: [{ series: `funding:${f.symbol}`, barTime: f.ts, value: f.rate, what: "funding-rate" }],
    });
  return lines;
}
