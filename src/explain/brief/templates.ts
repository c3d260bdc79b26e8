import type { Brief, BriefLine, BriefLineKind } from "./brief.ts";

export type BriefLang = "en" | "de";

type P = BriefLine["params"];

const time = (ms: string | number | undefined): string =>
  `${new Date(Number(ms)).toISOString().slice(0, 16).replace("T", " ")} UTC`;
const signed = (x: string | number | undefined, lang: BriefLang): string => {
  const n = Number(x);
  const s = `${n > 0 ? "+" : ""}${n}%`;
  return lang === "de" ? s.replace(".", ",") : s;
};
const signedNum = (x: string | number | undefined, lang: BriefLang): string => {
  const n = Number(x);
  const s = `${n > 0 ? "+" : ""}${n}`;
  return lang === "de" ? s.replace(".", ",") : s;
};
const num = (x: string | number | undefined, lang: BriefLang): string =>
  lang === "de" ? String(x).replace(".", ",") : String(x);

const WORDS: Record<BriefLang, Record<string, string>> = {
  en: {
    up: "up",
    down: "down",
    sideways: "sideways",
    low: "low",
    normal: "normal",
    high: "high",
    fall: "fell",
    rise: "rose",
    long: "long",
    short: "short",
    flat: "flat",
    active: "ACTIVE",
    reducing: "REDUCING",
    halted: "HALTED",
  },
  de: {
    up: "steigend",
    down: "fallend",
    sideways: "seitwärts",
    low: "niedrig",
    normal: "normal",
    high: "hoch",
    fall: "fiel",
    rise: "stieg",
    long: "long",
    short: "short",
    flat: "neutral",
    active: "AKTIV",
    reducing: "REDUZIEREND",
    halted: "GESTOPPT",
  },
};

/** The English and German templates, one per line kind */
const TEMPLATES: Record<BriefLang, Record<BriefLineKind, (p: P, w: Record<string, string>) => string>> = {
  en: {
    "sector-shock": (p, w) =>
      `SECTOR SHOCK: the AI-token sector ${w[String(p.direction)]} ${num(Math.abs(Number(p.movePct)), "en")}% in one day (24h to ${time(p.at)}), ${p.with} of ${p.count} tokens moved the same way; biggest ${p.leader} ${signed(p.leaderPct, "en")}`,
    "symbol-shock": (p) => `${p.symbol} moved ${signed(p.movePct, "en")} in one day (to ${time(p.at)})`,
    "sector-vs-btc": (p) =>
      `AI tokens vs ${p.benchmark} over 7 days: sector ${signed(p.sectorPct, "en")} (mean of ${p.count}), ${p.benchmark} ${signed(p.benchmarkPct, "en")}, relative strength ${signed(p.relativePct, "en")}`,
    "sector-breadth": (p) =>
      `Breadth: ${p.above} of ${p.count} AI tokens (${p.pct}%) close above their 20-day average`,
    "sector-drawdown": (p) =>
      `The equal-weight AI-token index is ${signed(p.drawdownPct, "en")} from its peak of ${time(p.peakAt)}`,
    "mover-1d": (p) => `Mover 1d: ${p.symbol} ${signed(p.movePct, "en")} (to ${time(p.at)})`,
    "mover-7d": (p) => `Mover 7d: ${p.symbol} ${signed(p.movePct, "en")} (to ${time(p.at)})`,
    regime: (p, w) =>
      `${p.symbol}: trend ${w[String(p.trend)]}, volatility ${w[String(p.volatility)]} (${p.volPct}% a year, percentile ${p.percentile} of the last year)`,
    correlation: (p) =>
      `Correlation with ${p.benchmark} (30 days, mean of ${p.count}): ${p.now}, the 30 days before: ${p.before}`,
    funding: (p) => `Funding ${p.symbol}: ${signed(p.ratePct, "en")} at ${time(p.at)}`,
    changed: (p, w) =>
      `Changed since the brief of ${time(p.since)}: ${p.symbol} trend ${w[String(p.trendBefore)]} -> ${w[String(p.trend)]}, volatility ${w[String(p.volBefore)]} -> ${w[String(p.volatility)]}, price ${signed(p.movePct, "en")}`,
    "changed-none": (p) =>
      Number(p.signals ?? 0) > 0
        ? `No regime and no ensemble signal changed since the brief of ${time(p.since)} (${p.symbols} symbols, ${p.signals} signals compared)`
        : `No regime changed since the brief of ${time(p.since)}${p.symbols === undefined ? "" : ` (${p.symbols} symbols compared)`}`,
    headlines: (p) =>
      `Headlines ${p.symbol} (${p.days} days to ${time(p.to)}): ${p.count}, mean sentiment ${signedNum(p.mean, "en")} (${p.positive} positive, ${p.negative} negative); strongest (${signedNum(p.topScore, "en")}): "${p.top}"`,
    signal: (p, w) =>
      `Ensemble ${p.symbol}: ${w[String(p.action)]}, ${p.exposurePct}% of equity for the next bar, confidence ${p.confidencePct}% (bar ${time(p.at)}, run ${p.run})`,
    "signal-changed": (p, w) =>
      `Signal changed since the brief of ${time(p.since)}: ${p.symbol} ${w[String(p.actionBefore)]} ${p.exposureBefore}% -> ${w[String(p.action)]} ${p.exposurePct}%`,
    "signals-none": (p) => `No ensemble signals: ${p.reason}`,
    "hit-rate": (p, w) =>
      `Out of sample, ${p.family} ${w[String(p.direction)]} entries were right ${p.ratePct}% of ${p.signals} times (95%: ${p.lowPct}-${p.highPct}%; price ${p.direction === "long" ? "higher" : "lower"} one day later), baseline ${p.baselinePct}%`,
    position: (p) =>
      `Position ${p.symbol} in session ${p.session} (${p.mode}): ${p.qty} at ${p.averagePrice}, unrealised P&L ${p.unrealisedPnl}; session equity ${p.equity}, P&L ${p.pnl}`,
    "risk-state": (p, w) =>
      `Trading state ${w[String(p.state)]}: ${p.sessions} session(s), ${p.open} open position(s)`,
  },
  de: {
    "sector-shock": (p, w) =>
      `SEKTOR-SCHOCK: der KI-Token-Sektor ${w[String(p.direction)]} an einem Tag um ${num(Math.abs(Number(p.movePct)), "de")} % (24 h bis ${time(p.at)}), ${p.with} von ${p.count} Token in dieselbe Richtung; am stärksten ${p.leader} ${signed(p.leaderPct, "de")}`,
    "symbol-shock": (p) =>
      `${p.symbol} bewegte sich an einem Tag um ${signed(p.movePct, "de")} (bis ${time(p.at)})`,
    "sector-vs-btc": (p) =>
      `KI-Token gegen ${p.benchmark} über 7 Tage: Sektor ${signed(p.sectorPct, "de")} (Mittel aus ${p.count}), ${p.benchmark} ${signed(p.benchmarkPct, "de")}, relative Stärke ${signed(p.relativePct, "de")}`,
    "sector-breadth": (p) =>
      `Marktbreite: ${p.above} von ${p.count} KI-Token (${p.pct} %) schließen über ihrem 20-Tage-Durchschnitt`,
    "sector-drawdown": (p) =>
      `Der gleichgewichtete KI-Token-Index liegt ${num(Math.abs(Number(p.drawdownPct)), "de")} % unter seinem Hoch vom ${time(p.peakAt)}`,
    "mover-1d": (p) => `Beweger 1 Tag: ${p.symbol} ${signed(p.movePct, "de")} (bis ${time(p.at)})`,
    "mover-7d": (p) => `Beweger 7 Tage: ${p.symbol} ${signed(p.movePct, "de")} (bis ${time(p.at)})`,
    regime: (p, w) =>
      `${p.symbol}: Trend ${w[String(p.trend)]}, Volatilität ${w[String(p.volatility)]} (${num(p.volPct, "de")} % p. a., Perzentil ${p.percentile} des letzten Jahres)`,
    correlation: (p) =>
      `Korrelation mit ${p.benchmark} (30 Tage, Mittel aus ${p.count}): ${num(p.now, "de")}, die 30 Tage davor: ${num(p.before, "de")}`,
    funding: (p) => `Funding ${p.symbol}: ${signed(p.ratePct, "de")} um ${time(p.at)}`,
    changed: (p, w) =>
      `Geändert seit dem Bericht vom ${time(p.since)}: ${p.symbol} Trend ${w[String(p.trendBefore)]} -> ${w[String(p.trend)]}, Volatilität ${w[String(p.volBefore)]} -> ${w[String(p.volatility)]}, Preis ${signed(p.movePct, "de")}`,
    "changed-none": (p) =>
      Number(p.signals ?? 0) > 0
        ? `Seit dem Bericht vom ${time(p.since)} hat sich weder ein Regime noch ein Ensemble-Signal geändert (${p.symbols} Symbole, ${p.signals} Signale verglichen)`
        : `Seit dem Bericht vom ${time(p.since)} hat sich kein Regime geändert${p.symbols === undefined ? "" : ` (${p.symbols} Symbole verglichen)`}`,
    headlines: (p) =>
      `Schlagzeilen ${p.symbol} (${p.days} Tage bis ${time(p.to)}): ${p.count}, mittlere Stimmung ${signedNum(p.mean, "de")} (${p.positive} positiv, ${p.negative} negativ); am stärksten (${signedNum(p.topScore, "de")}): „${p.top}“`,
    signal: (p, w) =>
      `Ensemble ${p.symbol}: ${w[String(p.action)]}, ${num(p.exposurePct, "de")} % des Kapitals für den nächsten Balken, Konfidenz ${num(p.confidencePct, "de")} % (Balken ${time(p.at)}, Lauf ${p.run})`,
    "signal-changed": (p, w) =>
      `Signal geändert seit dem Bericht vom ${time(p.since)}: ${p.symbol} ${w[String(p.actionBefore)]} ${num(p.exposureBefore, "de")} % -> ${w[String(p.action)]} ${num(p.exposurePct, "de")} %`,
    "signals-none": (p) => `Keine Ensemble-Signale: ${p.reason}`,
    "hit-rate": (p, w) =>
      `Außerhalb der Stichprobe lagen ${p.family}-Einstiege ${w[String(p.direction)]} in ${num(p.ratePct, "de")} % von ${p.signals} Fällen richtig (95 %: ${num(p.lowPct, "de")}-${num(p.highPct, "de")} %; Preis einen Tag später ${p.direction === "long" ? "höher" : "tiefer"}), Basislinie ${num(p.baselinePct, "de")} %`,
    position: (p) =>
      `Position ${p.symbol} in Sitzung ${p.session} (${p.mode}): ${num(p.qty, "de")} zu ${num(p.averagePrice, "de")}, unrealisierter G/V ${num(p.unrealisedPnl, "de")}; Kapital der Sitzung ${num(p.equity, "de")}, G/V ${num(p.pnl, "de")}`,
    "risk-state": (p, w) =>
      `Handelszustand ${w[String(p.state)]}: ${p.sessions} Sitzung(en), ${p.open} offene Position(en)`,
  },
};

/** One line of a brief as text in `lang` */
export function renderLine(line: BriefLine, lang: BriefLang): string {
  return TEMPLATES[lang][line.kind](line.params, WORDS[lang]);
}

/** The brief as text lines: the first line is the most important one (a sector-wide shock leads) */
export function renderBrief(brief: Brief, lang: BriefLang): string[] {
  return brief.lines.map((l) => renderLine(l, lang));
}

/** Citations as a short suffix: `[series @ time = value]` */
export function renderCites(line: BriefLine): string {
  return line.cites
    .slice(0, 4)
    .map((c) => `${c.series} @ ${time(c.barTime)} ${c.what}=${c.value}`)
    .concat(line.cites.length > 4 ? [`+${line.cites.length - 4} more (--json)`] : [])
    .join("; ");
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A standalone HTML page of the brief with every citation */
export function briefHtml(brief: Brief, lang: BriefLang): string {
  const rows = brief.lines
    .map(
      (l) =>
        `<li><p>${esc(renderLine(l, lang))}</p><small>${esc(l.cites.map((c) => `${c.series} @ ${time(c.barTime)} ${c.what}=${c.value}`).join("; "))}</small></li>`,
    )
    .join("\n");
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>kairos brief ${esc(time(brief.asOf))}</title></head><body><h1>kairos brief ${esc(time(brief.asOf))} (${esc(brief.timeframe)})</h1><ol>\n${rows}\n</ol></body></html>\n`;
}
