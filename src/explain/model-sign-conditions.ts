import { modelSignParams } from "../strategies/model-sign/params.ts";
import { explainModelSign } from "../strategies/model-sign/strategy.ts";
import type { ConditionDescriber } from "./condition-types.ts";
import { round } from "./format.ts";
import type { Condition } from "./types.ts";

const WORDS: Readonly<Record<string, string>> = {
  ret: "return over",
  rv: "realised volatility over",
  rsi: "RSI",
  sma: "SMA",
  ema: "EMA",
  atr: "ATR",
  adx: "ADX",
  macd: "MACD",
  dist: "distance",
  bench: "benchmark",
  corr: "correlation",
  rel: "relative to",
  vol: "volatility",
  pct: "percent",
};

/** A feature name as words with its numbers pulled out as placeholders: "rsi_14" -> "RSI {}", [14] */
export function featureWords(name: string): { text: string; values: number[] } {
  const values: number[] = [];
  const parts = name
    .split(/[_\s]+|(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])/)
    .filter((p) => p !== "")
    .map((p) => {
      if (/^\d+(\.\d+)?$/.test(p)) {
        values.push(Number(p));
        return "{}";
      }
      // any digit left inside a token would break the digit-free template rule
      return WORDS[p.toLowerCase()] ?? p.replace(/\d/g, "");
    });
  return { text: parts.join(" "), values };
}

/**
 * model-sign: the up-probability against the threshold, then the top TreeSHAP contributions in
 * words ("RSI {} at {} pulled the next-bar up-probability down by {} points")
 */
export const modelSignDescriber: ConditionDescriber = (family, s, params) => {
  const p = modelSignParams.parse(params);
  const ex = explainModelSign(s, p);
  if (!Number.isFinite(ex.probUp))
    return [{ family, template: "no model yet: not enough history before this bar", values: [] }];
  const hz = p.horizon === 1 ? "next-bar" : "{}-bar";
  const hzv = p.horizon === 1 ? [] : [p.horizon];
  const out: Condition[] = [
    {
      family,
      template: `the model puts the ${hz} up-probability at {}% against a threshold of {}%`,
      values: [...hzv, round(ex.probUp * 100, 1), round(p.threshold * 100, 1)],
    },
  ];
  for (const c of ex.contributions) {
    if (!Number.isFinite(c.value) || !Number.isFinite(c.points)) continue;
    const w = featureWords(c.feature);
    out.push({
      family,
      template: `${w.text} at {} pulled the ${hz} up-probability ${c.points >= 0 ? "up" : "down"} by {} points`,
      values: [...w.values, Number(c.value.toPrecision(3)), ...hzv, round(Math.abs(c.points), 2)],
    });
  }
  return out;
};
