// The lines of a brief beyond the candles: headlines, the ensemble's signals and hit rates, the
// trading sessions' positions, and what changed since the previous brief
import type { BriefLine } from "./brief-types.ts";
import { type BriefFacts, DAY, name, pct } from "./market-facts.ts";

/**
 * Headline sentiment per symbol over the window before the close of its own newest bar: how many,
 * the mean score, positives and negatives, and the strongest headline either way. Symbols the brief
 * does not read are left out; a symbol without headlines gets no line.
 */
export function headlineLines({ input, barMs, symbols }: BriefFacts): BriefLine[] {
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

/** The ensemble's signals, how they changed since the previous brief, and their out-of-sample hit rates */
export function ensembleLines({ input, asOf }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

/** The account's trading state and each session's open positions */
export function tradingLines({ input, asOf }: BriefFacts): BriefLine[] {
  const lines: BriefLine[] = [];
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
  return lines;
}

/**
 * What changed since the previous brief: each symbol whose regime changed, or one line naming what was
 * compared when nothing did (`signalChanges`: the ensemble's changed signals, already lines)
 */
export function changedLines({ input, symbols, bySymbol }: BriefFacts, signalChanges: number): BriefLine[] {
  const lines: BriefLine[] = [];
  const ens = input.ensemble;
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
  return lines;
}
