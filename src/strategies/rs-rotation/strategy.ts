import { type BasketFamily, basketEventForm, lookbackReturn } from "../_kit/basket.ts";
import { type RsRotationParams, rsRotationParams } from "./params.ts";

/**
 * Relative-strength rotation against BTC: every `rebalance` bars, hold the (at most K) symbols whose
 * lookback return beats BTC's by the widest margin, 1/K each; with no outperformer, stay in cash.
 * A symbol competes only once it has `lookback` bars of its own history.
 */
export const rsRotationFamily: BasketFamily<RsRotationParams> = {
  kind: "basket",
  name: "rs-rotation",
  description: "Rotate into the symbols outperforming BTC over the lookback, cash when none does",
  params: rsRotationParams,
  grid: { lookback: [24, 72, 168, 336, 720], topK: [1, 2, 3], rebalance: [24, 72, 168] },
  needsReference: true,
  warmup: (p) => p.lookback,
  weights(d, p) {
    const m = d.symbols.length;
    const n = d.ts.length;
    const ref = d.reference;
    const w = Array.from({ length: m }, () => new Float64Array(n));
    const rs = new Float64Array(m);
    const order: number[] = [];
    for (let t = 0; t < n; t++) {
      if (t % p.rebalance !== 0) {
        for (let k = 0; k < m; k++) w[k]![t] = t > 0 ? w[k]![t - 1]! : 0;
        continue;
      }
      const base = ref === undefined ? 0 : lookbackReturn(ref, t, p.lookback);
      order.length = 0;
      for (let k = 0; k < m; k++) {
        rs[k] = lookbackReturn(d.close[k]!, t, p.lookback) - base;
        if (rs[k]! > 0) order.push(k);
      }
      order.sort((a, b) => rs[b]! - rs[a]! || a - b);
      for (let k = 0; k < m; k++) w[k]![t] = 0;
      for (let i = 0; i < Math.min(p.topK, order.length); i++) w[order[i]!]![t] = 1 / p.topK;
    }
    return w;
  },
  create(p, data) {
    const q = rsRotationParams.parse(p);
    return basketEventForm(
      `rs-rotation(${q.lookback},${q.topK},${q.rebalance})`,
      q.lookback,
      data,
      this.weights(data, q),
    );
  },
};
