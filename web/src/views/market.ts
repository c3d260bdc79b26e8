// Market: a candlestick chart with volume for each stored series, a timeframe switch, fit to the whole
// range, indicator overlays from the registry and trade markers from a backtest

import type { SeriesMarker, Time } from "lightweight-charts";
import { fillBarOpen } from "../../../src/domain/fill-bar.ts";
import { SESSIONS_PAGE } from "../api.ts";
import { candleChart, followTheme, toTime } from "../chart.ts";
import { field, h, messageOf, num, price, replace, utc } from "../dom.ts";
import { subscribe } from "../stream.ts";
import { cssVar } from "../theme.ts";
import type {
  BacktestReport,
  Bar,
  IndicatorInfo,
  IndicatorResult,
  SeriesSummary,
  SeriesView,
  SessionEntry,
  StrategyInfo,
} from "../types.ts";
import type { View } from "../view.ts";
import type { FillsJson } from "./trade-chart.ts";

/** Outputs drawn on the price pane (they are prices); every other output gets its own pane */
const PRICE_OUTPUTS: Record<string, readonly string[]> = {
  sma: ["value"],
  ema: ["value"],
  wma: ["value"],
  dema: ["value"],
  tema: ["value"],
  kama: ["value"],
  hma: ["value"],
  vwma: ["value"],
  psar: ["value"],
  supertrend: ["supertrend"],
  ichimoku: ["tenkan", "kijun", "spanA", "spanB"],
  bollinger: ["upper", "middle", "lower"],
  keltner: ["upper", "middle", "lower"],
  donchian: ["upper", "lower", "middle"],
  vwap: ["value"],
  "rolling-vwap": ["value"],
  "rolling-max": ["value"],
  "rolling-min": ["value"],
};

/** A series' candles as the API stores them: as columns from data_candles (the newest 250,000 at most) */
export async function readCandles(
  api: import("../api.ts").Api,
  s: Pick<SeriesSummary, "exchange" | "symbol" | "timeframe">,
): Promise<Bar[]> {
  if (!api.has("data_candles")) {
    // an older server: data_show gives at most 1,000 candles from each end over HTTP
    const v = await api.op<SeriesView>("data_show", { ...s, rows: 1000 });
    return v.selected <= 2000 ? [...v.head, ...v.tail] : v.tail;
  }
  const c = await api.op<CandleColumns>("data_candles", {
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
  });
  const bars: Bar[] = new Array(c.count);
  for (let i = 0; i < c.count; i++)
    bars[i] = {
      ts: c.ts[i]!,
      open: c.open[i]!,
      high: c.high[i]!,
      low: c.low[i]!,
      close: c.close[i]!,
      volume: c.volume[i]!,
    };
  return bars;
}

interface CandleColumns {
  selected: number;
  count: number;
  ts: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

function paramInputs(ind: IndicatorInfo): { el: HTMLElement; values: () => Record<string, unknown> } {
  const getters: (() => [string, unknown])[] = [];
  const fields = Object.entries(ind.params).map(([name, p]) => {
    const id = `ind-param-${name}`;
    const spec = p as {
      type?: string;
      default?: unknown;
      minimum?: number;
      maximum?: number;
      enum?: string[];
    };
    let input: HTMLInputElement | HTMLSelectElement;
    if (spec.enum !== undefined) {
      input = h(
        "select",
        { id },
        ...spec.enum.map((o) => h("option", { value: o, selected: o === spec.default }, o)),
      );
      const sel = input;
      getters.push(() => [name, sel.value]);
    } else if (spec.type === "boolean") {
      const box = h("input", { id, type: "checkbox", checked: spec.default === true });
      input = box;
      getters.push(() => [name, box.checked]);
    } else {
      const n = h("input", {
        id,
        type: "number",
        inputmode: "decimal",
        step: spec.type === "integer" ? 1 : "any",
        min: spec.minimum,
        max: spec.maximum,
        value: spec.default === undefined ? "" : String(spec.default),
      });
      input = n;
      getters.push(() => [name, n.value === "" ? undefined : Number(n.value)]);
    }
    return field(id, name, input);
  });
  return {
    el: h("div", { class: "fields" }, ...fields),
    values: () => Object.fromEntries(getters.map((g) => g()).filter(([, v]) => v !== undefined)),
  };
}

export const marketView: View = async ({ api, main, onLeave }) => {
  const [list, indicators, strategies] = await Promise.all([
    api.op<{ series: SeriesSummary[] }>("data_list"),
    api.op<IndicatorInfo[]>("indicators_list"),
    api.op<StrategyInfo[]>("strategies_list"),
  ]);
  const series = list.series;
  if (series.length === 0) {
    replace(
      main,
      h("h1", {}, "Market"),
      h("p", {}, "No stored series. Import some: ", h("code", {}, "kairos data import FILE")),
    );
    return;
  }
  const instruments = [...new Set(series.map((s) => `${s.exchange} ${s.symbol}`))].sort();
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  let instrument = instruments.includes(params.get("s") ?? "") ? params.get("s")! : instruments[0]!;
  let timeframe = params.get("tf") ?? "";

  const status = h("p", { class: "status", role: "status", id: "market-status" });
  const legend = h("p", { class: "legend", id: "legend", "aria-live": "off" });
  const chartEl = h("div", {
    class: "chart",
    id: "market-chart",
    role: "img",
    "aria-label": "Candlestick chart",
  });
  const tfGroup = h("div", { class: "segmented", role: "group", "aria-label": "Timeframe" });
  const pick = h(
    "select",
    { id: "market-series" },
    ...instruments.map((i) => h("option", { value: i, selected: i === instrument }, i)),
  );
  const overlays = h("ul", { class: "overlays", "aria-label": "Indicators on the chart" });
  const indSelect = h(
    "select",
    { id: "indicator" },
    ...indicators
      .filter((i) => i.needs.length === 0)
      .map((i) => h("option", { value: i.name }, `${i.name}: ${i.description}`)),
  );
  const indParams = h("div", {});
  let currentParams = paramInputs(indicators[0]!);
  const showParams = (): void => {
    const ind = indicators.find((i) => i.name === indSelect.value)!;
    currentParams = paramInputs(ind);
    replace(indParams, currentParams.el);
  };
  indSelect.addEventListener("change", showParams);
  const stratSelect = h(
    "select",
    { id: "bt-strategy" },
    ...strategies
      .filter((s) => s.kind === "single" && !s.optIn)
      .map((s) => h("option", { value: s.name }, s.name)),
  );

  const c = candleChart(chartEl);
  followTheme(c.chart, onLeave);
  onLeave(() => c.remove());
  let bars: Bar[] = [];
  let markerCount = 0;
  let btMarkers: SeriesMarker<Time>[] = [];
  let fillMarkers: SeriesMarker<Time>[] = [];
  const drawMarkers = (): void => {
    const all = [...btMarkers, ...fillMarkers].sort((a, b) => (a.time as number) - (b.time as number));
    c.setMarkers(all);
    markerCount = all.length;
  };
  const removers: (() => void)[] = [];
  // read-only handle for tests and people at the console: what the chart holds
  (window as unknown as { kairosChart?: unknown }).kairosChart = {
    candles: () => c.candles.data(),
    series: () => ({ instrument, timeframe }),
    visible: () => c.chart.timeScale().getVisibleLogicalRange(),
    lines: () =>
      c.chart
        .panes()
        .flatMap((p) => p.getSeries())
        .filter((s) => s.seriesType() === "Line")
        .map((s) => ({ title: s.options().title, pane: s.getPane().paneIndex(), data: s.data() })),
    markers: () => markerCount,
    /** merged drawing below one device pixel a candle, on or off (the web bench measures both) */
    conflation: (on: boolean) => c.chart.timeScale().applyOptions({ enableConflation: on }),
    /** the last `bars` candles in view (the web bench pans from there) */
    show: (bars: number) =>
      c.chart.timeScale().setVisibleLogicalRange({
        from: bars === 0 ? 0 : c.candles.data().length - bars,
        to: c.candles.data().length - 1,
      }),
  };

  const showLegend = (b: Bar | undefined): void => {
    legend.textContent =
      b === undefined
        ? ""
        : `${instrument} ${timeframe} · ${utc(b.ts)} · O ${price(b.open)} H ${price(b.high)} L ${price(b.low)} C ${price(b.close)} V ${num(b.volume)}`;
  };
  c.chart.subscribeCrosshairMove((p) => {
    if (p.time === undefined) return showLegend(bars.at(-1));
    const t = (p.time as number) * 1000;
    // binary search: the hovered candle by its open time
    let lo = 0;
    let hi = bars.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bars[mid]!.ts < t) lo = mid + 1;
      else hi = mid;
    }
    showLegend(bars[lo]);
  });

  const timeframesOf = (inst: string): string[] =>
    series
      .filter((s) => `${s.exchange} ${s.symbol}` === inst)
      .sort((a, b) => a.last - a.first - (b.last - b.first) || a.rows - b.rows)
      .map((s) => s.timeframe);

  const load = async (): Promise<void> => {
    const tfs = timeframesOf(instrument);
    // daily first: the whole history at a glance, and a light first load
    if (!tfs.includes(timeframe)) timeframe = tfs.includes("1d") ? "1d" : tfs.at(-1)!;
    replace(
      tfGroup,
      ...tfs.map((tf) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(tf === timeframe),
            onclick: () => {
              timeframe = tf;
              void load();
            },
          },
          tf,
        ),
      ),
    );
    for (const r of removers.splice(0)) r();
    replace(overlays);
    btMarkers = [];
    fillMarkers = [];
    drawMarkers();
    const [exchange, symbol] = instrument.split(" ") as [string, string];
    status.textContent = `Loading ${instrument} ${timeframe}…`;
    main.dataset.ready = "false";
    bars = await readCandles(api, { exchange, symbol, timeframe });
    c.setBars(bars);
    c.fit();
    showLegend(bars.at(-1));
    status.textContent = `${num(bars.length)} candles, ${utc(bars[0]?.ts ?? Number.NaN)} to ${utc(bars.at(-1)?.ts ?? Number.NaN)}`;
    history.replaceState(null, "", `#/market?s=${encodeURIComponent(instrument)}&tf=${timeframe}`);
    main.dataset.ready = "true";
  };
  pick.addEventListener("change", () => {
    instrument = pick.value;
    void load().catch((e: unknown) => (status.textContent = messageOf(e)));
  });

  const addIndicator = async (): Promise<void> => {
    const name = indSelect.value;
    const [exchange, symbol] = instrument.split(" ") as [string, string];
    status.textContent = `Computing ${name}…`;
    const r = await api.op<IndicatorResult>("indicators_compute", {
      indicator: name,
      params: currentParams.values(),
      series: { exchange, symbol, timeframe },
      last: 0,
    });
    const onPrice = PRICE_OUTPUTS[name];
    const pricedOutputs = onPrice ?? r.outputs;
    const lines: Record<string, { time: ReturnType<typeof toTime>; value: number }[]> = {};
    for (const o of pricedOutputs)
      lines[o] = r.rows.flatMap((row) => {
        const v = row.values[o];
        return v === null || v === undefined ? [] : [{ time: toTime(row.ts), value: v }];
      });
    const remove = c.addLines(name, lines, onPrice !== undefined);
    removers.push(remove);
    const label = `${name} ${JSON.stringify(currentParams.values())}`;
    const li = h(
      "li",
      {},
      h("span", {}, label),
      h(
        "button",
        {
          type: "button",
          class: "ghost small",
          "aria-label": `Remove ${name}`,
          onclick: () => {
            remove();
            li.remove();
          },
        },
        "×",
      ),
    );
    overlays.append(li);
    status.textContent = `${name}: ${num(r.rows.length)} values`;
  };

  const showTrades = async (): Promise<void> => {
    const [exchange, symbol] = instrument.split(" ") as [string, string];
    status.textContent = `Backtesting ${stratSelect.value}…`;
    const r = await api.op<BacktestReport>("backtest_run", {
      strategy: stratSelect.value,
      exchange,
      symbols: [symbol],
      timeframe,
    });
    const markers: SeriesMarker<Time>[] = [];
    for (const t of r.trades) {
      markers.push({
        time: toTime(t.entryTs),
        position: t.side === "short" ? "aboveBar" : "belowBar",
        shape: t.side === "short" ? "arrowDown" : "arrowUp",
        color: "#2f81f7",
        text: `${t.side} ${t.entryReason}`,
      });
      if (Number.isFinite(t.exitTs))
        markers.push({
          time: toTime(t.exitTs),
          position: t.side === "short" ? "belowBar" : "aboveBar",
          shape: "circle",
          color: t.pnl >= 0 ? "#3fb950" : "#f85149",
          text: `exit ${(t.returnPct * 100).toFixed(1)}%`,
        });
    }
    btMarkers = markers;
    drawMarkers();
    status.textContent = `${r.strategy}: ${r.trades.length} trades marked (entries ▲, exits ●)`;
  };

  // the fills of every paper and live session on the series shown, each on the candle it happened in
  const showFills = async (): Promise<void> => {
    const [exchange, symbol] = instrument.split(" ") as [string, string];
    const sessions = (await api.op<SessionEntry[]>("trade_list", SESSIONS_PAGE)).filter(
      (x) => x.symbols[0] === symbol && x.timeframe === timeframe,
    );
    const all = (
      await Promise.all(sessions.map((x) => api.op<FillsJson>("trade_fills", { id: x.id })))
    ).filter((f) => f.exchange === exchange);
    const markers: SeriesMarker<Time>[] = [];
    for (const f of all)
      for (const x of f.fills) {
        const at = fillBarOpen(bars, x.ts, f.mode === "live");
        if (at !== undefined)
          markers.push({
            time: toTime(at),
            position: x.side === "buy" ? "belowBar" : "aboveBar",
            shape: "circle",
            color: f.mode === "live" ? "#d29922" : "#a371f7",
            text: `${f.mode === "live" ? "L" : "P"} ${f.id} ${x.side}`,
          });
      }
    fillMarkers = markers;
    drawMarkers();
    status.textContent =
      all.length === 0
        ? `No session trades ${instrument} ${timeframe}.`
        : `${markers.length} fills of ${all.map((f) => `${f.id} (${f.mode})`).join(", ")} marked (● on the candle they happened in)`;
  };

  const guard =
    (f: () => Promise<void>) =>
    (e: Event): void => {
      e.preventDefault();
      f().catch((err: unknown) => (status.textContent = messageOf(err)));
    };

  replace(
    main,
    h("h1", {}, "Market"),
    h(
      "div",
      { class: "toolbar" },
      field("market-series", "Series", pick),
      h("div", { class: "field" }, h("span", { class: "label", id: "tf-label" }, "Timeframe"), tfGroup),
      h("button", { type: "button", id: "fit", onclick: () => c.fit() }, "Fit whole range"),
    ),
    legend,
    chartEl,
    status,
    h(
      "details",
      { class: "card", open: true },
      h("summary", {}, "Indicators"),
      h(
        "form",
        { onsubmit: guard(addIndicator), "aria-label": "Add an indicator" },
        field("indicator", "Indicator", indSelect),
        indParams,
        h("button", { type: "submit", id: "add-indicator" }, "Add to chart"),
      ),
      overlays,
    ),
    h(
      "details",
      { class: "card" },
      h("summary", {}, "Trades from a backtest and from sessions"),
      h(
        "form",
        { onsubmit: guard(showTrades), "aria-label": "Mark a backtest's trades" },
        field("bt-strategy", "Strategy (default parameters)", stratSelect),
        h("button", { type: "submit", id: "show-trades" }, "Mark its trades"),
      ),
      api.has("trade_fills")
        ? h(
            "form",
            { onsubmit: guard(showFills), "aria-label": "Mark the sessions' fills" },
            h(
              "button",
              { type: "submit", id: "show-fills" },
              "Mark the fills of paper and live sessions on this series",
            ),
          )
        : h("p", { class: "note" }, "Trades from paper and live sessions need the API's fills route."),
    ),
  );
  tfGroup.setAttribute("aria-labelledby", "tf-label");
  showParams();
  await load();
  // closed candles as they enter the store (the API's candles stream): the shown series grows live
  const live = h("span", { class: "note", id: "market-live" });
  status.after(live);
  const close = subscribe(
    api,
    ["candles"],
    (events) => {
      let added = 0;
      for (const e of events) {
        const b = e.data as Bar & { exchange: string; symbol: string; timeframe: string };
        if (`${b.exchange} ${b.symbol}` !== instrument || b.timeframe !== timeframe) continue;
        const last = bars.at(-1);
        if (last !== undefined && b.ts <= last.ts) continue;
        const bar = { ts: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
        bars.push(bar);
        c.candles.update({
          time: toTime(bar.ts),
          open: bar.open,
          high: bar.high,
          low: bar.low,
          close: bar.close,
        });
        c.volume.update({
          time: toTime(bar.ts),
          value: bar.volume,
          color: cssVar(bar.close >= bar.open ? "--up-soft" : "--down-soft"),
        });
        added++;
      }
      if (added === 0) return;
      showLegend(bars.at(-1));
      status.textContent = `${num(bars.length)} candles, ${utc(bars[0]!.ts)} to ${utc(bars.at(-1)!.ts)} (${added} new)`;
    },
    (st) => {
      live.textContent =
        st === "open" ? "Live: new closed candles are added as they are stored." : `Live updates ${st}.`;
    },
  );
  onLeave(close);
};
