import type { CandleSeries } from "../../domain/candle-series.ts";
import { getIndicator } from "../../indicators/registry.ts";
import { rsi } from "../../indicators/rsi.ts";
import type { StrategyFamily } from "../family.ts";
import { strategyFromFamily } from "../from-family.ts";
import { type RsiReversionParams, rsiReversionParams } from "./params.ts";

/** Long from an RSI close below `lower` until an RSI close above `upper` */
export const rsiReversion: StrategyFamily<RsiReversionParams> = {
  name: "rsi-reversion",
  description: "buy oversold (RSI below lower), sell when overbought (RSI above upper)",
  params: rsiReversionParams,
  grid: { period: [7, 14, 21], lower: [20, 25, 30, 35], upper: [55, 65, 70, 75] },
  warmup: (p) => getIndicator("rsi").warmup({ period: p.period }),
  indicators: (s: CandleSeries, p) => ({ rsi: rsi(s.close, p.period) }),
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const r = rsi(s.close, p.period);
    let e = 0;
    for (let i = 0; i < out.length; i++) {
      const v = r[i]!;
      if (v < p.lower) e = 1;
      else if (v > p.upper) e = 0;
      out[i] = e;
    }
    return out;
  },
  create: (p) => strategyFromFamily(rsiReversion, p),
};
