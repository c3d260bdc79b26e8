import type { CandleSeries } from "../domain/candle-series.ts";
import type { Condition } from "./types.ts";

export type FamilyParams = Readonly<Record<string, number | boolean>>;

/**
 * The hook a strategy family offers the explainer: the conditions behind its exposure at the
 * last bar of `series`, as digit-free templates plus values. Families without one get `heldFor`.
 */
export type ConditionDescriber = (
  family: string,
  series: CandleSeries,
  params: FamilyParams,
  exposure: Float64Array,
) => Condition[];
