import { describe, expect, it } from "vitest";
import { SECTOR } from "../../src/app/brief.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { buildBrief } from "../../src/explain/brief/brief.ts";
import { renderBrief, renderLine } from "../../src/explain/brief/templates.ts";
import { regimeOf } from "../../src/explain/regime.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

/** A 1h series from a close path (open = previous close, high/low around them) */
function series(symbol: string, closes: number[]): CandleSeries {
  const n = closes.length;
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = Float64Array.from(closes);
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + i * HOUR;
    open[i] = i === 0 ? closes[0]! : closes[i - 1]!;
    high[i] = Math.max(open[i]!, close[i]!) * 1.001;
    low[i] = Math.min(open[i]!, close[i]!) * 0.999;
  }
  return {
    exchange: "test",
    symbol,
    timeframe: "1h",
    ts,
    open,
    high,
    low,
    close,
    volume: new Float64Array(n).fill(1),
  };
}

/** Deterministic wiggle so volatility and correlations are defined */
const wiggle = (i: number, k: number): number =>
  1 + 0.004 * Math.sin(i * 0.7 + k) + 0.002 * Math.cos(i * 1.3 * (k + 1));

describe("market brief", () => {
  it("with BTC stored a year beyond the tokens (as the bundled data), the drawdown and 'X against BTC' read the tokens' own dates", () => {
    const n = 24 * 60;
    // every token rises 50% over 30 days, then falls back to 0.9 of its start: 40% below its peak
    const path = (i: number) => (i < n / 2 ? 1 + i / (n / 2) / 2 : 1.5 - (0.6 * (i - n / 2)) / (n / 2));
    const sector = SECTOR.map((sym) =>
      series(
        sym,
        Array.from({ length: n }, (_, i) => 10 * path(i)),
      ),
    );
    const btcN = n + 24 * 400;
    const btc = series(
      "BTC/USDT",
      Array.from({ length: btcN }, (_, i) => 50_000 * (i < n ? 1 + i / n : 2)),
    );
    const b = buildBrief({ series: [btc, ...sector], sector: SECTOR });
    const dd = b.lines.find((l) => l.kind === "sector-drawdown")!;
    expect(dd).toBeDefined();
    const last = T0 + (n - 1) * HOUR;
    expect(dd.cites.find((c) => c.what === "index-now")!.barTime).toBe(last);
    // by hand: the last close 10 * path(n - 1) over the peak 10 * 1.5
    expect(Number(dd.params.drawdownPct)).toBeCloseTo((path(n - 1) / 1.5 - 1) * 100, 1);
    expect(renderLine(dd, "de")).toMatch(
      /^Der gleichgewichtete KI-Token-Index liegt \d+,?\d* % unter seinem Hoch vom /,
    );
    // BTC's week per token: its 7 days to the token's last bar, not to its own
    const tao = b.symbols.find((x) => x.symbol === SECTOR[0])!;
    const i = n - 1;
    const j = i - 7 * 24;
    expect(tao.benchmark7d).toEqual({ barTime: last, return7d: (1 + i / n) / (1 + j / n) - 1 });
  });

  it("a planted one-day 40% sector fall leads the brief, named with its figure, in English and German", () => {
    const n = 24 * 60;
    const fallAt = n - 24 * 3; // three days before the end
    // the nine AI tokens fall between 36% and 44% in the hour at fallAt: 40% on average
    const drops = [0.36, 0.37, 0.38, 0.39, 0.4, 0.41, 0.42, 0.43, 0.44];
    const sector = SECTOR.map((sym, k) =>
      series(
        sym,
        Array.from({ length: n }, (_, i) => 100 * (i >= fallAt ? 1 - drops[k]! : 1) * (i >= fallAt ? 1 : 1)),
      ),
    );
    const btc = series(
      "BTC/USDT",
      Array.from({ length: n }, (_, i) => 50_000 * wiggle(i, 0)),
    );
    const brief = buildBrief({ series: [btc, ...sector], sector: SECTOR });
    const first = brief.lines[0]!;
    expect(first.kind).toBe("sector-shock");
    expect(first.params.movePct).toBe(-40);
    expect(first.params.at).toBe(T0 + fallAt * HOUR);
    const at = new Date(T0 + fallAt * HOUR).toISOString().slice(0, 16).replace("T", " ");
    expect(renderBrief(brief, "en")[0]).toBe(
      `SECTOR SHOCK: the AI-token sector fell 40% in one day (24h to ${at} UTC), 9 of 9 tokens moved the same way; biggest IO/USDT -44%`,
    );
    expect(renderBrief(brief, "de")[0]).toBe(
      `SEKTOR-SCHOCK: der KI-Token-Sektor fiel an einem Tag um 40 % (24 h bis ${at} UTC), 9 von 9 Token in dieselbe Richtung; am stärksten IO/USDT -44%`,
    );
    // the line cites each token's one-day return at that bar
    expect(first.cites).toHaveLength(9);
    expect(first.cites.map((c) => c.value).sort((a, b) => a - b)).toEqual([
      -44, -43, -42, -41, -40, -39, -38, -37, -36,
    ]);
    expect(first.cites.every((c) => c.barTime === T0 + fallAt * HOUR && c.what === "return-1d-pct")).toBe(
      true,
    );
  });

  it("no shock line without a sector-wide move; every line cites at least one number, 'nothing changed' what it compared", () => {
    const n = 24 * 60;
    const sector = SECTOR.map((sym, k) =>
      series(
        sym,
        Array.from({ length: n }, (_, i) => 10 * wiggle(i, k + 1)),
      ),
    );
    const btc = series(
      "BTC/USDT",
      Array.from({ length: n }, (_, i) => 50_000 * wiggle(i, 0)),
    );
    const first = buildBrief({ series: [btc, ...sector], sector: SECTOR });
    expect(first.lines.some((l) => l.kind === "sector-shock")).toBe(false);
    const again = buildBrief({ series: [btc, ...sector], sector: SECTOR, previous: first });
    expect(again.lines.at(-1)!.kind).toBe("changed-none");
    for (const l of again.lines) expect(l.cites.length, l.kind).toBeGreaterThan(0);
    expect(again.lines.at(-1)!.cites[0]).toMatchObject({
      series: "previous-brief",
      barTime: first.asOf,
      value: SECTOR.length + 1,
      what: "symbols-compared",
    });
    expect(renderLine(again.lines.at(-1)!, "en")).toMatch(
      /No regime changed since the brief of .* \(\d+ symbols compared\)$/,
    );
    // one token's 7-day move against BTC, by hand
    const rel = again.lines.find((l) => l.kind === "sector-vs-btc")!;
    const r7 = (s: CandleSeries): number => s.close[n - 1]! / s.close[n - 1 - 7 * 24]! - 1;
    const mean = sector.reduce((a, s) => a + r7(s), 0) / sector.length;
    expect(rel.params.sectorPct).toBeCloseTo(mean * 100, 1);
    expect(rel.params.benchmarkPct).toBeCloseTo(r7(btc) * 100, 1);
  });
});

describe("volatility percentile", () => {
  it("equals regimeOf's (the windowed close-to-close definition) on the bundled BTC/USDT 1h and TAO/USDT 1d", () => {
    for (const [sym, tf, bars] of [
      ["BTC/USDT", "1h", 480],
      ["TAO/USDT", "1d", 20],
    ] as const) {
      const s = loadBundledSeries("binance", sym, tf);
      const brief = buildBrief({ series: [s], sector: [] });
      const ref = regimeOf(s, bars, bars);
      expect(brief.symbols[0]!.volatilityPercentile).toBe(ref.volatilityPercentile);
      expect(brief.symbols[0]!.volatilityPct).toBe(ref.volatilityPct);
      expect(brief.symbols[0]!.trend).toBe(ref.trend);
    }
  });
});

const home = bundledHome("kairos-brief-", [
  "binance_BTC-USDT_1d.csv",
  "binance_ETH-USDT_1d.csv",
  "binance_TAO-USDT_1d.csv",
  "binance_NEAR-USDT_1d.csv",
  "binance_FET-USDT_1d.csv",
]);

describe("kairos brief on the bundled data", () => {
  it("prints a brief in English and in German, and --json holds every line with its citations", async () => {
    const en = await runKairosInProcess(["brief", "--timeframe", "1d"], { home });
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toMatch(
      /^AI tokens vs BTC\/USDT over 7 days: sector -14\.1% \(mean of 3\), BTC\/USDT -8\.7%/m,
    );
    // (-18.05 - 10.70 - 13.69) / 3 = -14.15: the 7-day returns of TAO, FET and NEAR to 2024-09-06 in the bundled CSVs
    expect(en.stdout).toMatch(/^TAO\/USDT: trend (up|down|sideways), volatility (low|normal|high) \(/m);
    const de = await runKairosInProcess(["brief", "--timeframe", "1d", "--lang", "de"], { home });
    expect(de.code, de.stderr).toBe(0);
    expect(de.stdout).toMatch(/^KI-Token gegen BTC\/USDT über 7 Tage: Sektor -14,1% \(Mittel aus 3\)/m);
    expect(de.stdout).toMatch(
      /^Seit dem Bericht vom .* hat sich kein Regime geändert \(\d+ Symbole verglichen\)$/m,
    );
    const js = await runKairosInProcess(["--json", "brief", "--timeframe", "1d", "--no-save"], { home });
    expect(js.code, js.stderr).toBe(0);
    const out = JSON.parse(js.stdout) as {
      lines: { cites: { series: string; barTime: number; value: number }[] }[];
      text: string[];
    };
    expect(out.text.length).toBe(out.lines.length);
    expect(out.lines[0]!.cites[0]!.series).toMatch(/^binance:/);
  });
});
