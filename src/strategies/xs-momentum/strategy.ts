import { type BasketFamily, basketEventForm, lookbackReturn } from "../_kit/basket.ts";
import { type XsMomentumParams, xsMomentumParams } from "./params.ts";

/**
 * Cross-sectional momentum: every `rebalance` bars, rank the symbols that exist (a symbol needs
 * `lookback` bars of its own history, so later listings join late) by their lookback return and
 * hold the top K with positive momentum, 1/K of equity each; the rest stays in cash.
 */
export const xsMomentumFamily: BasketFamily<XsMomentumParams> = {
  kind: "basket",
  name: "xs-momentum",
  description: "Hold the K strongest symbols of the basket by lookback return, re-ranked every N bars",
  params: xsMomentumParams,
  grid: { lookback: [24, 72, 168, 336, 720], topK: [1, 2, 3], rebalance: [24, 72, 168] },
  needsReference: false,
  warmup: (p) => p.lookback,
  weights(d, p) {
    const m = d.symbols.length;
    const n = d.ts.length;
    const w = Array.from({ length: m }, () => new Float64Array(n));
    const mom = new Float64Array(m);
    const order: number[] = [];
    for (let t = 0; t < n; t++) {
      if (t % p.rebalance !== 0) {
        for (let k = 0; k < m; k++) w[k]![t] = t > 0 ? w[k]![t - 1]! : 0;
        continue;
      }
      order.length = 0;
      for (let k = 0; k < m; k++) {
        mom[k] = lookbackReturn(d.close[k]!, t, p.lookback);
        if (mom[k]! > 0) order.push(k);
      }
      order.sort((a, b) => mom[b]! - mom[a]! || a - b);
      for (let k = 0; k < m; k++) w[k]![t] = 0;
      for (let i = 0; i < Math.min(p.topK, order.length); i++) w[order[i]!]![t] = 1 / p.topK;
    }
    return w;
  },
  create(p, data) {
    const q = xsMomentumParams.parse(p);
    return basketEventForm(
      `xs-momentum(${q.lookback},${q.topK},${q.rebalance})`,
      q.lookback,
      data,
      this.weights(data, q),
    );
  },
};
