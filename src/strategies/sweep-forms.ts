import type { CandleSeries } from "../domain/candle-series.ts";
import type { IndicatorCache } from "../indicators/cache/indicator-cache.ts";
import { ema } from "../indicators/ema.ts";
import { rollingMax, rollingMin } from "../indicators/rolling-extrema.ts";
import { rsi } from "../indicators/rsi.ts";
import { sma } from "../indicators/sma.ts";
import type { DonchianBreakoutParams } from "./donchian-breakout/params.ts";
import type { EmaCrossParams } from "./ema-cross/params.ts";
import type { StrategyFamily, SweepForm } from "./family.ts";
import type { RsiReversionParams } from "./rsi-reversion/params.ts";
import type { SmaCrossParams } from "./sma-cross/params.ts";

// biome-ignore lint/suspicious/noExplicitAny: forms differ in their params type; each family validates its own
type AnyForm = SweepForm<any>;

const smaOf = (s: CandleSeries, c: IndicatorCache, p: number) =>
  c.get(`sma(${p})`, (o) => sma(s.close, p, o));
const emaOf = (s: CandleSeries, c: IndicatorCache, p: number) =>
  c.get(`ema(${p})`, (o) => ema(s.close, p, o));

/** crossExposures of src/strategies/cross.ts on cached lines (spot: the short side is clipped by the engine anyway) */
function crossInto(f: Float64Array, sl: Float64Array, short: boolean, out: Float64Array): void {
  const lo = short ? -1 : 0;
  for (let i = 0; i < out.length; i++) {
    const a = f[i]!;
    const b = sl[i]!;
    out[i] = a > b ? 1 : a < b ? lo : 0;
  }
}

const smaCrossForm: SweepForm<SmaCrossParams> = {
  exposures: (s, p, c, out) =>
    crossInto(smaOf(s, c, p.fast).values, smaOf(s, c, p.slow).values, p.short, out),
  // short=true differs from "on while fast > slow" only below 0, which spot clips to 0
  cross: (s, p, c) => ({ a: smaOf(s, c, p.fast), b: smaOf(s, c, p.slow), start: 0, on: 1 }),
};

const emaCrossForm: SweepForm<EmaCrossParams> = {
  exposures: (s, p, c, out) =>
    crossInto(emaOf(s, c, p.fast).values, emaOf(s, c, p.slow).values, p.short, out),
  cross: (s, p, c) => ({ a: emaOf(s, c, p.fast), b: emaOf(s, c, p.slow), start: 0, on: 1 }),
};

const rsiReversionForm: SweepForm<RsiReversionParams> = {
  exposures(s, p, c, out) {
    const r = c.get(`rsi(${p.period})`, (o) => rsi(s.close, p.period, o)).values;
    let e = 0;
    for (let i = 0; i < out.length; i++) {
      const v = r[i]!;
      if (v < p.lower) e = 1;
      else if (v > p.upper) e = 0;
      out[i] = e;
    }
  },
};

/** rolling extreme of the previous bars (NaN at bar 0), as the family's channels */
function shifted(src: Float64Array, out: Float64Array): void {
  for (let i = out.length - 1; i > 0; i--) out[i] = src[i - 1]!;
  if (out.length > 0) out[0] = Number.NaN;
}

const donchianForm: SweepForm<DonchianBreakoutParams> = {
  exposures(s, p, c, out) {
    const upper = c.get(`donchianUpperPrev(${p.entry})`, (o) =>
      shifted(rollingMax(s.high, p.entry), o),
    ).values;
    const lower = c.get(`donchianLowerPrev(${p.exit})`, (o) => shifted(rollingMin(s.low, p.exit), o)).values;
    let e = 0;
    for (let i = 0; i < out.length; i++) {
      const x = s.close[i]!;
      if (x > upper[i]!) e = 1;
      else if (x < lower[i]!) e = 0;
      out[i] = e;
    }
  },
};

const FORMS: Readonly<Record<string, AnyForm>> = {
  "sma-cross": smaCrossForm,
  "ema-cross": emaCrossForm,
  "rsi-reversion": rsiReversionForm,
  "donchian-breakout": donchianForm,
};

/**
 * The sweep form of a family: its own `sweep`, else the built-in one above, else a form that
 * calls `family.exposures` per combination (correct, but recomputes indicators each time).
 */
// biome-ignore lint/suspicious/noExplicitAny: any family
export function sweepFormOf(family: StrategyFamily<any>): AnyForm {
  return (
    family.sweep ??
    FORMS[family.name] ?? {
      exposures: (s, p, _c, out) => {
        family.exposures(s, p, out);
      },
    }
  );
}
