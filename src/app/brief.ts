import { z } from "zod";
import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import { type Brief, buildBrief } from "../explain/brief/brief.ts";
import { type BriefLang, renderBrief } from "../explain/brief/templates.ts";
import type { SignalExplanation } from "../explain/types.ts";
import type { BriefStore } from "../ports/brief-store.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { FundingStore } from "../ports/funding-store.ts";
import type { NewsStore } from "../ports/news-store.ts";
import { UNIVERSES } from "../research/screen-catalog.ts";
import type { ScreenRunStore } from "../research/screen-run-store.ts";
import { type BriefEnsemble, briefEnsemble } from "./brief-signals.ts";
import { type BriefTrading, briefTrading } from "./brief-trading.ts";
import { isoTimeField, parseInput, symbolListField, timeframeField } from "./contract.ts";
import type { TradingDeps } from "./trade-runtime.ts";

/** What `kairos brief` reads; each part beyond the candles is optional and adds its lines when present */
export interface BriefDeps {
  store: CandleStore;
  funding?: FundingStore;
  /** the previous brief to compare against, and where this one is kept */
  briefs?: BriefStore<Brief>;
  /** stored headlines: sentiment per symbol */
  news?: NewsStore;
  /** stored screen runs: the ensemble's signals and their out-of-sample hit rates */
  runs?: ScreenRunStore;
  /** the trading sessions' positions and the trading state (undefined when there are no sessions) */
  trading?: () => BriefTrading | undefined;
}

/** What to brief on; without --symbols or --universe every stored series of the timeframe */
export const BriefInput = z
  .object({
    universe: z.string().min(1).optional(),
    symbols: symbolListField().optional(),
    exchange: z.string().min(1).optional(),
    timeframe: timeframeField().default("1h"),
    /** "last" (the previous stored brief) or a date: the brief at or before it */
    since: z.union([z.literal("last"), isoTimeField()]).default("last"),
    lang: z.enum(["en", "de"]).default("en"),
    /** store this brief for the next one to compare against */
    save: z.boolean().default(true),
    /** rebuild the newest screen run's ensemble for its signals and hit rates (seconds on a large run) */
    signals: z.boolean().default(true),
  })
  .strict();
export type BriefInput = z.input<typeof BriefInput>;

export interface BriefOutput {
  brief: Brief;
  lang: BriefLang;
  text: string[];
  /** the asOf of the brief compared against, when one was stored */
  previousAsOf?: number;
  /** why the ensemble holds what it holds, per symbol (the strategist's explanations), when a screen run exists */
  explanations?: SignalExplanation[];
}

/**
 * The brief as every face prints it (`kairos brief --json`, the API's /v1/brief): the brief's own
 * fields, its language and text lines, the brief compared against, and the explanations when present
 */
export function briefJson(out: BriefOutput) {
  return {
    ...out.brief,
    lang: out.lang,
    text: out.text,
    previousAsOf: out.previousAsOf ?? null,
    ...(out.explanations === undefined ? {} : { explanations: out.explanations }),
  };
}

/** The parts of a home the brief reads (the CLI and HTTP shells pass their container) */
export function briefDepsOf(c: {
  store: CandleStore;
  funding: FundingStore;
  briefs: BriefStore<Brief>;
  news: NewsStore;
  screenRuns: ScreenRunStore;
  trading(): TradingDeps;
}): BriefDeps {
  return {
    store: c.store,
    funding: c.funding,
    briefs: c.briefs,
    news: c.news,
    runs: c.screenRuns,
    trading: () => briefTrading(c.trading()),
  };
}

/** The AI-token sector of the bundled universes */
export const SECTOR = UNIVERSES["ai-tokens"] ?? [];

/** `kairos brief`: reads the series, builds the brief against the previous one, stores it */
export function marketBrief(deps: BriefDeps, raw: BriefInput): BriefOutput {
  const input = parseInput(BriefInput, raw);
  if (input.universe !== undefined && UNIVERSES[input.universe] === undefined)
    throw invalidInput(
      `brief: unknown universe "${input.universe}": use one of ${Object.keys(UNIVERSES).join(", ")}`,
    );
  const wanted =
    input.symbols ?? (input.universe === undefined ? undefined : [...UNIVERSES[input.universe]!, "BTC/USDT"]);
  const infos = deps.store
    .list()
    .filter((i) => i.timeframe === input.timeframe)
    .filter((i) => input.exchange === undefined || i.exchange === input.exchange)
    .filter((i) => wanted === undefined || wanted.includes(i.symbol));
  // one series per symbol: the longest when several exchanges hold it
  const pick = new Map<string, (typeof infos)[number]>();
  for (const i of infos) {
    const p = pick.get(i.symbol);
    if (p === undefined || i.rows > p.rows) pick.set(i.symbol, i);
  }
  if (pick.size === 0)
    throw invalidInput(
      `brief: no stored ${input.timeframe} series${wanted === undefined ? "" : ` for ${wanted.join(", ")}`}: import data with \`kairos data import\` or choose --timeframe`,
    );
  const series: CandleSeries[] = [...pick.values()].map((i) => {
    // a year and two months is all the brief reads (volatility percentile over a year, 60-day correlations)
    return deps.store.read(i, { from: i.last - 430 * 86_400_000 });
  });
  const funding = (deps.funding?.listFunding() ?? [])
    .filter((f) => pick.has(f.symbol.split(":")[0]!))
    .map((f) => {
      const s = deps.funding!.readFunding(f, { from: f.last });
      return { symbol: f.symbol, ts: s.ts[s.ts.length - 1]!, rate: s.rate[s.rate.length - 1]! };
    })
    .filter((f) => Number.isFinite(f.ts));
  const previous = deps.briefs?.latest(input.since === "last" ? undefined : input.since);
  const ends = series.map((s) => s.ts[s.ts.length - 1]!).filter(Number.isFinite);
  // a week of headlines before each symbol's newest bar (a day of margin for the bar's length)
  const headlines = deps.news?.listItems({
    from: Math.min(...ends) - 8 * 86_400_000,
    to: Math.max(...ends) + 86_400_000,
  });
  const ensemble: BriefEnsemble | undefined =
    deps.runs === undefined || !input.signals
      ? undefined
      : briefEnsemble({ store: deps.store, runs: deps.runs }, input.timeframe, [...pick.keys()]);
  const trading = deps.trading?.();
  const brief = buildBrief({
    series,
    sector: SECTOR,
    funding,
    ...(previous === undefined ? {} : { previous }),
    ...(headlines === undefined ? {} : { headlines }),
    ...(ensemble === undefined ? {} : { ensemble }),
    ...(trading === undefined ? {} : { trading }),
  });
  if (input.save) deps.briefs?.save(brief);
  return {
    brief,
    lang: input.lang,
    text: renderBrief(brief, input.lang),
    ...(previous === undefined ? {} : { previousAsOf: previous.asOf }),
    ...(ensemble !== undefined && "run" in ensemble ? { explanations: ensemble.explanations } : {}),
  };
}
