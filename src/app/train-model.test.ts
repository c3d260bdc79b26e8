import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { asCli } from "../../test/support/cli.ts";
import { createGbdtPool } from "../../test/support/gbdt-pool.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../adapters/sqlite/sqlite-candle-store.ts";
import { SqliteModelStore } from "../adapters/sqlite/sqlite-model-store.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import { predictModel } from "./predict-model.ts";
import { listModels, showModel } from "./show-model.ts";
import { trainModel } from "./train-model.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-train-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("train, store and predict a GBDT model on real SQLite and bundled data", () => {
  const db = openDatabase(home);
  const store = new SqliteCandleStore(db);
  const models = new SqliteModelStore(db);
  for (const sym of ["FET/USDT", "NEAR/USDT", "BTC/USDT"]) {
    const s = loadBundledSeries("binance", sym, "1h");
    // BTC's file runs past the AI tokens' end; its tail is not needed
    store.upsert(sym === "BTC/USDT" ? sliceSeries(s, s.ts.length - 9000, s.ts.length - 6000) : s);
  }
  let now = 1_700_000_000_000;
  const clock = { now: () => (now += 250) };
  const deps = { store, models, clock };
  const gbdt = { nTrees: 40, earlyStoppingRounds: 10 };
  // NEAR's 12-bar volatility with squared error, trained by two tests
  const vol = {
    symbol: "NEAR/USDT",
    timeframe: "1h",
    horizon: 12,
    objective: "squared" as const,
    target: "vol" as const,
    gbdt,
  };

  it("records hash, params, features, data range, test metrics and training time", async () => {
    const out = await trainModel({ symbol: "FET/USDT", timeframe: "1h", horizon: 24, gbdt }, deps);
    const r = out.record;
    expect(r.id).toMatch(/^gbdt-[0-9a-f]{12}$/);
    expect(r.hash).toHaveLength(64);
    expect(r.target).toEqual({ kind: "sign", horizon: 24 });
    expect(r.features.length).toBeGreaterThanOrEqual(60);
    expect(r.dataRange.symbol).toBe("FET/USDT");
    expect(r.dataRange.from).toBeLessThan(r.metrics.testFrom!);
    expect(r.dataRange.to).toBeLessThan(r.metrics.testFrom!);
    expect(r.metrics.auc).toBeGreaterThan(0.3);
    expect(r.metrics.testRows).toBe(out.rows.test);
    expect(r.trainingMs).toBe(250);
    expect(out.rows.train + out.rows.valid + out.rows.test).toBeGreaterThan(5000);
    expect(listModels(deps).map((m) => m.id)).toContain(r.id);
    const shown = showModel(r.id, deps);
    expect(shown.trees).toBe(out.trees);
    expect(shown.importance).toHaveLength(r.features.length);
  });

  it("predicts from the registry with contributions that add up to the margin, identically on reload", () => {
    const [rec] = listModels(deps);
    const a = predictModel({ id: rec!.id, top: 200 }, deps);
    const sum = a.contributions.reduce((s, c) => s + c.contribution, 0);
    expect(Math.abs(a.base + sum - a.margin)).toBeLessThan(1e-9);
    expect(a.prediction).toBeCloseTo(1 / (1 + Math.exp(-a.margin)), 15);
    const again = predictModel(
      { id: rec!.id.slice(0, 10), top: 200 },
      { store, models: new SqliteModelStore(openDatabase(home)) },
    );
    expect(Object.is(again.margin, a.margin)).toBe(true);
    const other = predictModel({ id: rec!.id, symbol: "NEAR/USDT", at: "2024-06-01T12:00:00Z" }, deps);
    expect(other.series.symbol).toBe("NEAR/USDT");
    expect(other.barTs).toBe(Date.parse("2024-06-01T12:00:00Z"));
    expect(other.contributions).toHaveLength(8);
  });

  it("trains volatility with squared error and refuses contradictory options", async () => {
    const r = (await trainModel(vol, deps)).record;
    expect(r.target.kind).toBe("vol");
    expect(r.metrics.rmse).toBeLessThan(r.metrics.naiveRmse!);
    await expect(
      asCli("model train", () => trainModel({ symbol: "FET/USDT", timeframe: "1h", horizon: 0 }, deps)),
    ).rejects.toThrow(/--horizon 0/);
    await expect(
      asCli("model train", () =>
        trainModel({ symbol: "FET/USDT", timeframe: "1h", horizon: 4, target: "vol" }, deps),
      ),
    ).rejects.toThrow(/--objective squared/);
    await expect(
      trainModel({ symbol: "FET/USDT", timeframe: "1h", horizon: 4, to: "2024-01-05" }, deps),
    ).rejects.toThrow(/need 500\+/);
  });

  it("trains the same model, same id, on worker threads", async () => {
    const one = await trainModel(vol, deps);
    const two = await trainModel({ ...vol, threads: 2 }, { ...deps, workers: (n) => createGbdtPool(n) });
    expect(two.record.id).toBe(one.record.id);
    expect(two.alreadyStored).toBe(true);
  });
});
