// Price and equity charts on lightweight-charts: candles with volume below them, indicator lines on the
// price pane or in their own pane, and trade markers. Colours come from the stylesheet's variables, so a
// theme switch repaints the chart in the same palette as the page.
import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { cssVar } from "./theme.ts";
import type { Bar } from "./types.ts";

/** lightweight-charts takes seconds since the epoch, UTC */
export const toTime = (ms: number): UTCTimestamp => (ms / 1000) as UTCTimestamp;

const LINE_COLOURS = ["--line-1", "--line-2", "--line-3", "--line-4", "--line-5"];

function themeOptions() {
  const fg = cssVar("--fg-muted");
  const grid = cssVar("--grid");
  return {
    layout: {
      // the logo injects an inline <style>, which the dashboard's CSP refuses; the attribution the
      // library's NOTICE asks for is in the page footer instead
      attributionLogo: false,
      background: { type: ColorType.Solid, color: cssVar("--bg-card") },
      textColor: fg,
      fontFamily: cssVar("--font"),
    },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: grid },
    timeScale: { borderColor: grid, timeVisible: true, secondsVisible: false },
  };
}

/** Applies the current theme to a chart now and whenever the person switches theme */
export function followTheme(chart: IChartApi, onLeave: (f: () => void) => void): void {
  const apply = (): void => chart.applyOptions(themeOptions());
  window.addEventListener("kairos-theme", apply);
  onLeave(() => window.removeEventListener("kairos-theme", apply));
}

export interface CandleChart {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  setBars(bars: readonly Bar[]): void;
  /** an indicator's lines: on the price pane, or in a new pane below; returns a remover */
  addLines(
    name: string,
    lines: Record<string, { time: UTCTimestamp; value: number }[]>,
    onPrice: boolean,
  ): () => void;
  setMarkers(markers: SeriesMarker<Time>[]): void;
  fit(): void;
  remove(): void;
}

export function candleChart(el: HTMLElement): CandleChart {
  const chart = createChart(el, { autoSize: true, ...themeOptions() });
  // "fit whole range" must fit 100,000 candles into a phone's width, far below the default 0.5 px a bar;
  // below one device pixel a bar, the library draws merged candles (first open, highest high, lowest
  // low, last close of 2-512 neighbours): what a pixel column can show anyway, at a fraction of the
  // work (the web bench's all-in-view pan: 5 frames/s without it)
  chart.timeScale().applyOptions({ minBarSpacing: 0.001, enableConflation: true });
  const up = cssVar("--up");
  const down = cssVar("--down");
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: up,
    downColor: down,
    borderVisible: false,
    wickUpColor: up,
    wickDownColor: down,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
  // volume as an overlay on its own hidden scale in the bottom fifth of the price pane
  const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  let markers: ISeriesMarkersPluginApi<Time> | undefined;
  let colour = 0;
  return {
    chart,
    candles,
    volume,
    setBars(bars) {
      const upV = cssVar("--up-soft");
      const downV = cssVar("--down-soft");
      candles.setData(
        bars.map((b) => ({ time: toTime(b.ts), open: b.open, high: b.high, low: b.low, close: b.close })),
      );
      volume.setData(
        bars.map((b) => ({ time: toTime(b.ts), value: b.volume, color: b.close >= b.open ? upV : downV })),
      );
    },
    addLines(name, lines, onPrice) {
      const pane = onPrice ? 0 : chart.panes().length;
      const added: ISeriesApi<"Line">[] = [];
      for (const [output, data] of Object.entries(lines)) {
        const s = chart.addSeries(
          LineSeries,
          {
            color: cssVar(LINE_COLOURS[colour++ % LINE_COLOURS.length]!),
            lineWidth: 1,
            title: `${name} ${output}`,
            priceLineVisible: false,
            lastValueVisible: false,
          },
          pane,
        );
        s.setData(data);
        added.push(s);
      }
      return () => {
        for (const s of added) chart.removeSeries(s);
        // an emptied indicator pane goes with its series
        for (let i = chart.panes().length - 1; i > 0; i--)
          if (chart.panes()[i]!.getSeries().length === 0) chart.removePane(i);
      };
    },
    setMarkers(m) {
      if (markers === undefined) markers = createSeriesMarkers(candles, m);
      else markers.setMarkers(m);
    },
    fit: () => chart.timeScale().fitContent(),
    remove: () => chart.remove(),
  };
}

/** A single line (equity, P&L) with its own theme-following chart */
export function lineChart(
  el: HTMLElement,
  data: { time: UTCTimestamp; value: number }[],
  title: string,
): IChartApi {
  const chart = createChart(el, { autoSize: true, ...themeOptions() });
  const s = chart.addSeries(LineSeries, { color: cssVar("--line-1"), lineWidth: 2, title });
  s.setData(data);
  chart.timeScale().fitContent();
  return chart;
}

/** Several named lines on one theme-following chart (per-variant equity curves); returns each line's colour */
export function linesChart(
  el: HTMLElement,
  lines: readonly { title: string; data: { time: UTCTimestamp; value: number }[] }[],
): { chart: IChartApi; colours: string[] } {
  const chart = createChart(el, { autoSize: true, ...themeOptions() });
  const colours = lines.map((l, i) => {
    const color = cssVar(LINE_COLOURS[i % LINE_COLOURS.length]!);
    const s = chart.addSeries(LineSeries, {
      color,
      lineWidth: 2,
      title: l.title,
      priceLineVisible: false,
      lastValueVisible: false,
    });
    s.setData(l.data);
    return color;
  });
  chart.timeScale().fitContent();
  return { chart, colours };
}
