import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteModelStore } from "../../src/adapters/sqlite/sqlite-model-store.ts";
import { SqliteNewsStore } from "../../src/adapters/sqlite/sqlite-news-store.ts";
import { evaluateModels } from "../../src/app/evaluate-models.ts";
import { featuresFor } from "../../src/app/model-data.ts";
import { predictModel } from "../../src/app/predict-model.ts";
import { trainModel } from "../../src/app/train-model.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import type { NewsItem } from "../../src/ports/news-store.ts";
import type { TensorBackend } from "../../src/ports/tensor-backend.ts";
import { sentimentVerdict } from "../../src/shells/cli/commands/model-evaluate.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const home = mkdtempSync(join(tmpdir(), "kairos-sent-forecast-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** mulberry32: a fixed-seed stream, so the planted data are the same on every run */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (u: () => number): number =>
  Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());

/**
 * Daily bars and one headline per day, published at noon of bar t (before its close). With
 * `planted`, bar t+1's return is 1% per score point of bar t's headline plus 2% noise; without,
 * the returns ignore the headlines.
 */
function market(symbol: string, n: number, planted: boolean, seed: number) {
  const u = rng(seed);
  const scores = Array.from({ length: n }, () => Math.round(6 * u() - 3));
  const ts = new Float64Array(n);
  const close = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    ts[t] = T0 + t * DAY;
    const r = (t > 0 && planted ? 0.01 * scores[t - 1]! : 0) + 0.02 * gauss(u);
    p *= Math.exp(r);
    close[t] = p;
  }
  const open = Float64Array.from(close, (c, t) => (t === 0 ? c : close[t - 1]!));
  const series: CandleSeries = {
    exchange: "binance",
    symbol,
    timeframe: "1d",
    ts,
    open,
    high: Float64Array.from(close, (c, t) => Math.max(c, open[t]!) * 1.005),
    low: Float64Array.from(close, (c, t) => Math.min(c, open[t]!) * 0.995),
    close,
    volume: Float64Array.from(close, () => 1000 + 100 * u()),
  };
  const headlines: NewsItem[] = scores.map((score, t) => ({
    key: `${symbol}-${t}`,
    title: `planted ${t}`,
    publishedAt: T0 + t * DAY + DAY / 2,
    source: "import:planted",
    lang: "en",
    symbols: [symbol],
    score,
    label: score > 0 ? "positive" : score < 0 ? "negative" : "neutral",
  }));
  return { series, headlines };
}

describe("the sentiment feature offered to the forecasters (real SQLite candles, news and models)", () => {
  const db = openDatabase(home);
  const store = new SqliteCandleStore(db);
  const news = new SqliteNewsStore(db);
  const models = new SqliteModelStore(db);
  const planted = market("SIG/USDT", 3000, true, 11);
  const noise = market("NOI/USDT", 3000, false, 12);
  for (const m of [planted, noise]) {
    store.upsert(m.series);
    news.addItems(m.headlines);
  }
  let now = 1_800_000_000_000;
  const clock = { now: () => (now += 10) };
  const tensors = { ready: async () => "unused" } as unknown as TensorBackend;
  const sources = { benchmark: null, universe: [], sentiment: { symbol: "LEAK/USDT", windowMs: DAY } };

  it("a headline published at a bar's close or later never enters that bar; one a millisecond earlier does", () => {
    const s = market("LEAK/USDT", 600, false, 3).series;
    store.upsert(s);
    const t = 250;
    const close = s.ts[t]! + DAY;
    const item = (key: string, publishedAt: number, score: number): NewsItem => ({
      key,
      title: key,
      publishedAt,
      source: "import:leak",
      lang: "en",
      symbols: ["LEAK/USDT"],
      score,
      label: "neutral",
    });
    news.addItems([item("at-close", close, 4)]);
    let fs = featuresFor(store, s, sources, undefined, news);
    const mean = fs.cols[fs.names.indexOf("sent_mean_24h")]!;
    const count = fs.cols[fs.names.indexOf("sent_logcount_24h")]!;
    // published exactly when bar t closes: it belongs to bar t + 1, not t
    expect(mean[t]).toBe(0);
    expect(count[t]).toBe(0);
    expect(mean[t + 1]).toBe(4);
    news.addItems([item("just-before", close - 1, -2)]);
    fs = featuresFor(store, s, sources, undefined, news);
    expect(fs.cols[fs.names.indexOf("sent_mean_24h")]![t]).toBe(-2);
    expect(fs.cols[fs.names.indexOf("sent_logcount_24h")]![t]).toBeCloseTo(Math.log(2), 12);
  });

  it("planted headlines: ridge+sentiment and gbdt+sentiment beat their blind twins and the random walk out of sample", async () => {
    const out = await evaluateModels(
      { store, news, tensors, clock },
      {
        symbol: "SIG/USDT",
        timeframe: "1d",
        horizons: [1],
        folds: 3,
        models: "ridge,gbdt",
        features: "+sentiment",
      },
    );
    const r = (m: string) => out.evaluation.results.find((x) => x.model === m)!;
    expect(out.features).toContain("sent_mean_24h");
    for (const m of ["ridge", "gbdt"]) {
      const seeing = r(`${m}+sentiment`);
      const blind = r(m);
      expect(seeing.beatsBaseline).toBe(true);
      expect(blind.beatsBaseline).toBe(false);
      // the planted effect explains about 1/3 of the variance: the error drops by far more than noise
      expect(seeing.metrics.rmse).toBeLessThan(0.9 * blind.metrics.rmse);
    }
    expect(out.sentiment!.barsWithHeadlines).toBeGreaterThan(2900);
    expect(sentimentVerdict(out)).toMatch(/ridge\+sentiment h=1: beats the naive forecast, RMSE below ridge/);
  });

  it("random headlines: the +sentiment models do not beat the naive forecast nor their twins meaningfully", async () => {
    const out = await evaluateModels(
      { store, news, tensors, clock },
      {
        symbol: "NOI/USDT",
        timeframe: "1d",
        horizons: [1],
        folds: 3,
        models: "ridge,gbdt",
        features: "+sentiment",
      },
    );
    for (const m of ["ridge", "gbdt"]) {
      const seeing = out.evaluation.results.find((x) => x.model === `${m}+sentiment`)!;
      const blind = out.evaluation.results.find((x) => x.model === m)!;
      expect(seeing.beatsBaseline).toBe(false);
      expect(seeing.metrics.rmse).toBeGreaterThan(0.98 * blind.metrics.rmse);
    }
  });

  it("few headlines: the verdict says not judged", async () => {
    const out = await evaluateModels(
      { store, news, tensors, clock },
      {
        symbol: "LEAK/USDT",
        timeframe: "1d",
        horizons: [1],
        folds: 2,
        models: "ridge",
        features: "+sentiment",
      },
    );
    expect(sentimentVerdict(out)).toMatch(/Not judged/);
  });

  it("a model trained with +sentiment stores the choice; predict rebuilds the same columns from the news store", async () => {
    const tr = await trainModel(
      {
        symbol: "SIG/USDT",
        timeframe: "1d",
        horizon: 1,
        objective: "squared",
        features: "+sentiment",
        gbdt: { nTrees: 60, earlyStoppingRounds: 20, minSamplesLeaf: 20 },
      },
      { store, models, news, clock },
    );
    expect(tr.record.features.slice(-2)).toEqual(["sent_mean_24h", "sent_logcount_24h"]);
    expect((tr.record.params as { sources: { sentiment?: unknown } }).sources.sentiment).toEqual({
      symbol: "SIG/USDT",
      windowMs: DAY,
    });
    // the planted effect is strong: the trees beat the naive mean on the test segment
    expect(tr.record.metrics.rmse!).toBeLessThan(tr.record.metrics.naiveRmse!);
    const p = predictModel({ id: tr.record.id }, { store, models, news });
    const last = planted.headlines[planted.headlines.length - 1]!.score;
    expect(p.contributions.find((c) => c.feature === "sent_mean_24h")?.value).toBe(last);
    // without the news store the model cannot rebuild its columns: one line saying so
    expect(() => predictModel({ id: tr.record.id }, { store, models })).toThrow(
      /\+sentiment needs the news store/,
    );
  });
});
