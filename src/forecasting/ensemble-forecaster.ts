import { batchFrom, type FitInput, type Forecaster, type Predictor } from "./forecaster.ts";

/**
 * Equal-weight ensemble: each member is fitted on the same fold, the value forecast is the mean of
 * the members' finite return forecasts and the up probability the mean of their probabilities.
 */
export function ensembleForecaster(name: string, members: readonly Forecaster[]): Forecaster {
  return {
    name,
    role: "model",
    outputs: { value: members.some((m) => m.outputs.value), direction: true },
    fit: async (input: FitInput) => {
      const fitted: Predictor[] = [];
      for (const m of members) fitted.push(await m.fit(input));
      return {
        predict: (v, s) => {
          const ret = new Float64Array(s.length);
          const rc = new Float64Array(s.length);
          const prob = new Float64Array(s.length);
          const pc = new Float64Array(s.length);
          for (const p of fitted) {
            const b = p.predict(v, s);
            for (let i = 0; i < s.length; i++) {
              if (Number.isFinite(b.ret[i]!)) {
                ret[i] = ret[i]! + b.ret[i]!;
                rc[i] = rc[i]! + 1;
              }
              if (Number.isFinite(b.probUp[i]!)) {
                prob[i] = prob[i]! + b.probUp[i]!;
                pc[i] = pc[i]! + 1;
              }
            }
          }
          for (let i = 0; i < s.length; i++) {
            ret[i] = rc[i]! > 0 ? ret[i]! / rc[i]! : Number.NaN;
            prob[i] = pc[i]! > 0 ? prob[i]! / pc[i]! : Number.NaN;
          }
          return batchFrom(ret, prob);
        },
        dispose: () => {
          for (const p of fitted) p.dispose?.();
        },
      };
    },
  };
}
