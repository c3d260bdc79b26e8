import type { FitInput, Forecaster, Predictor } from "./forecaster.ts";

/**
 * Shares one fit of a forecaster between the places that use it in one evaluation (the model
 * alone and inside an ensemble): same fold and horizon give the same training data, so the same
 * fit. Disposal is left to the caller's `release()`, since several users hold the predictor.
 */
export function sharedFit(f: Forecaster): { forecaster: Forecaster; release: () => void } {
  const cache = new Map<string, Promise<Predictor>>();
  const key = (i: FitInput): string =>
    `${i.horizon}:${i.train[0]}:${i.train.length}:${i.view.close.length}:${i.seed}`;
  return {
    forecaster: {
      name: f.name,
      role: f.role,
      outputs: f.outputs,
      fit: (input) => {
        const k = key(input);
        let p = cache.get(k);
        if (p === undefined) {
          p = f.fit(input);
          cache.set(k, p);
        }
        return p.then((pred) => ({ predict: (v, s) => pred.predict(v, s) }));
      },
    },
    release: () => {
      for (const p of cache.values()) void p.then((pred) => pred.dispose?.());
      cache.clear();
    },
  };
}
