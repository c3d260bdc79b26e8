// Forecasting speed: GRU training on tfjs wasm vs the pure-JS cpu backend (same net, same data),
// the baselines' walk-forward evaluation on bundled BTC 1h, and the Diebold-Mariano test
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { WasmTensorBackend } from "../src/adapters/tfjs/wasm-tensor-backend.ts";
import { buildForecasters, evaluationData } from "../src/app/evaluate-models.ts";
import { sliceSeries } from "../src/domain/candle-series.ts";
import { createRng } from "../src/domain/random.ts";
import { trainGru } from "../src/forecasting/gru/gru-model.ts";
import { GruParamsSchema } from "../src/forecasting/gru/gru-params.ts";
import { dieboldMariano } from "../src/research/evaluation/diebold-mariano.ts";
import {
  defaultEvaluationConfig,
  evaluateForecasters,
  viewUpTo,
} from "../src/research/evaluation/evaluate.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";

const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, load: Number(loadavg()[0]!.toFixed(2)) })}\n`);
};
const now = (): number => performance.now();

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const s = sliceSeries(btc, btc.close.length - 30_000);
const { data } = evaluationData(s);

// 1. GRU: 2,000 sequences of 16 bars x all features, 3 epochs, fixed seed; ms per epoch
const gruParams = GruParamsSchema.parse({
  lookback: 16,
  units: 16,
  maxSamples: 2000,
  maxEpochs: 3,
  patience: 10,
});
const train = Int32Array.from({ length: 2400 }, (_, i) => 10_000 + i);
const target = Float64Array.from(train, (t) => Math.log(s.close[t + 1]! / s.close[t]!));
const view = viewUpTo(data, 12_500);
async function gruEpochMs(): Promise<number> {
  const t0 = now();
  const m = await trainGru(view, train, target, 1, gruParams, 1);
  const ms = (now() - t0) / m.meta.epochs;
  m.dispose();
  return ms;
}
process.stderr.write("GRU on wasm...\n");
await new WasmTensorBackend().ready();
const wasm = await gruEpochMs();
process.stderr.write("GRU on the cpu backend...\n");
await tf.setBackend("cpu");
const cpu = await gruEpochMs();
emit({
  bench: "forecasting",
  case: `gru-epoch-2000x16x${data.featureNames.length}`,
  unit: "ms/epoch",
  threads: 1,
  value: Number(wasm.toFixed(1)),
  peers: { "tfjs-cpu": Number(cpu.toFixed(1)) },
  speedup: Number((cpu / wasm).toFixed(2)),
});

// 2. walk-forward evaluation of the naive and linear baselines + GBDT, h = 1 and 24, 4 folds
for (const models of [["drift", "ar", "ridge", "logistic"], ["gbdt"]]) {
  const t0 = now();
  let c = 0;
  await evaluateForecasters(data, buildForecasters(models), defaultEvaluationConfig, () => c++);
  emit({
    bench: "forecasting",
    case: `evaluate-btc1h-30k-${models.join("+")}`,
    unit: "s",
    threads: 1,
    value: Number(((now() - t0) / 1000).toFixed(2)),
  });
}

// 3. Diebold-Mariano with a 23-lag HAC variance on 1M differentials
const rng = createRng(3);
const d = Float64Array.from({ length: 1_000_000 }, () => rng.normal());
const t0 = now();
dieboldMariano(d, 24);
emit({
  bench: "forecasting",
  case: "dm-test-h24-1m",
  unit: "ns/obs",
  threads: 1,
  value: Number((((now() - t0) * 1e6) / d.length).toFixed(2)),
});
