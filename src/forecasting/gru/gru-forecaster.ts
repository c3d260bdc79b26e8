import { normalCdf } from "../../maths/distributions.ts";
import { batchFrom, type FitInput, type Forecaster } from "../forecaster.ts";
import { type GruParamsInput, GruParamsSchema } from "./gru-params.ts";

/**
 * The GRU as a walk-forward forecaster: one network per fit, trained on that fold's samples only.
 * The TensorBackend port must be ready before the first fit.
 */
export function gruForecaster(input: GruParamsInput = {}): Forecaster {
  const params = GruParamsSchema.parse(input);
  return {
    name: "gru",
    role: "model",
    outputs: { value: true, direction: true },
    fit: async ({ view, train, target, horizon, seed }: FitInput) => {
      // imported on first fit: gru-model loads TensorFlow.js (~1 s), which no other command needs at start-up
      const { trainGru } = await import("./gru-model.ts");
      const model = await trainGru(view, train, target, horizon, params, seed);
      return {
        predict: (v, s) => {
          const ret = model.predictReturns(v, s);
          const probUp = Float64Array.from(ret, (r) => normalCdf(r / model.meta.residualSd));
          return batchFrom(ret, probUp);
        },
        dispose: () => model.dispose(),
      };
    },
  };
}
