import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { describeConditions } from "../explain/conditions.ts";
import { explainSignal } from "../explain/explain-signal.ts";
import { featureWords } from "../explain/model-sign-conditions.ts";
import { runScreen } from "../research/screen.ts";
import { searchSpaces } from "../research/screen-catalog.ts";
import { defaultValidationConfig } from "../research/validation-config.ts";
import { modelSign } from "../strategies/model-sign/strategy.ts";
import { getFamily } from "../strategies/registry.ts";
import { buildStrategistEnsemble } from "./build-ensemble.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1d");

describe("model-sign in the screen (opt-in family)", () => {
  it("stays out of the default set and every preset, enters only through --families", () => {
    expect(searchSpaces(["BTC/USDT"]).map((s) => s.family)).not.toContain("model-sign");
    for (const p of ["trend-follower", "mean-reverter", "grid-trader", "dca-accumulator"])
      expect(searchSpaces(["BTC/USDT"], p).map((s) => s.family)).not.toContain("model-sign");
    expect(searchSpaces(["BTC/USDT"], undefined, ["model-sign", "macd"]).map((s) => s.family)).toEqual([
      "macd",
      "model-sign",
    ]);
    expect(() => searchSpaces(["BTC/USDT"], undefined, ["model-sign", "nope"])).toThrow(
      /unknown family "nope" in --families: use .*model-sign/,
    );
    expect(getFamily("model-sign")).toBe(modelSign);
  });

  it("screens model-sign variants, stores verdicts, and the ensemble replays and explains them", async () => {
    const run = await runScreen({
      series: [btc],
      variants: 4,
      seed: 3,
      families: ["model-sign"],
      search: "random",
      config: defaultValidationConfig({ monteCarloTop: 0 }),
    });
    expect(run.trials).toBe(4);
    expect(run.variants).toHaveLength(4);
    for (const v of run.variants) {
      expect(v.family).toBe("model-sign");
      expect(typeof v.verdict.passed).toBe("boolean");
      expect(v.verdict.reasons[0]).toMatch(/^(pass|fail): deflated Sharpe probability/);
    }
    const built = buildStrategistEnsemble({
      series: [btc],
      variants: run.variants.map((v) => ({ id: v.id, family: v.family, symbol: v.symbol, params: v.params })),
      fee: run.config.fee,
      slippage: run.config.slippage,
    });
    expect(built.input.members).toHaveLength(4);
    expect(built.explanations).toHaveLength(1);
  }, 120_000);

  it("explains a model-sign member by its top TreeSHAP contributions, in words", () => {
    const p = modelSign.params.parse({ horizon: 1, threshold: 0.52 });
    const cs = describeConditions("model-sign", btc, p, modelSign.exposures(btc, p));
    expect(cs[0]!.template).toMatch(
      /^the model puts the next-bar up-probability at \{\}% against a threshold of \{\}%$/,
    );
    const pulls = cs.filter((c) =>
      / pulled the next-bar up-probability (up|down) by \{\} points$/.test(c.template),
    );
    expect(pulls.length).toBeGreaterThanOrEqual(1);
    for (const c of cs) {
      expect(c.template).not.toMatch(/\d/);
      expect(c.template.split("{}").length - 1).toBe(c.values.length);
    }
    // through the signal explainer as the ensemble's heaviest member
    const e = modelSign.exposures(btc, p);
    const ex = explainSignal({
      series: btc,
      members: [{ id: "m", family: "model-sign", params: p, weight: 1, exposure: e }],
      exposure: e[e.length - 1]!,
      ensembleDrawdown: 0,
      ensembleMaxDrawdown: 0,
    });
    expect(ex.conditions.map((c) => c.template)).toEqual(cs.map((c) => c.template));
    expect(featureWords("rsi_14")).toEqual({ text: "RSI {}", values: [14] });
    expect(featureWords("sma50_dist")).toEqual({ text: "SMA {} distance", values: [50] });
  }, 60_000);
});
