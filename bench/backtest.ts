// `npm run bench -- backtest`: the event engine on the bundled BTC/USDT 1h (43,802 bars), next to a
// plain loop of the same rules (the reference of test/backtest/reference.test.ts) measured in the same run
import { runEngine } from "../src/backtest/engine.ts";
import { checkLookahead } from "../src/backtest/lookahead.ts";
import { defaultExecution } from "../src/backtest/types.ts";
import { alignSeries } from "../src/data/align.ts";
import { smaCross } from "../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";

const RUNS = 7;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// CPU time of this process (ms), not wall time: the machine is shared, so wall time mostly measures the others
const time = (f: () => void, runs = RUNS): number => {
  for (let w = 0; w < Math.min(3, runs); w++) f();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    ts.push((d.user + d.system) / 1000);
  }
  return median(ts);
};
const emit = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

const s = loadBundledSeries("binance", "BTC/USDT", "1h");
const n = s.ts.length;
const p = smaCross.params.parse({ fast: 20, slow: 50 });

// the same rules as plain loops over precomputed exposures: what the engine costs on top
function plain(exp: Float64Array, fee: number): number {
  let cash = 10_000;
  let q = 0;
  let target = 0;
  let order = Number.NaN;
  let e = cash;
  for (let t = 49; t < n; t++) {
    if (!Number.isNaN(order)) {
      const px = s.open[t]!;
      const d = order - q;
      if (d > 0) {
        const b = Math.min(d, cash / (px * (1 + fee)));
        cash -= b * px * (1 + fee);
        q += b;
      } else if (d < 0) {
        cash += -d * px * (1 - fee);
        q += d;
      }
      order = Number.NaN;
    }
    e = cash + q * s.close[t]!;
    if (exp[t] !== target && t < n - 1) {
      target = exp[t]!;
      order = (target * e) / s.close[t]!;
    }
  }
  return e;
}

log(`bench backtest: BTC/USDT 1h, ${n} bars, median CPU time of ${RUNS} after 3 warm-up runs`);
const cfg = defaultExecution({ fee: 0.001 });
const ours = time(() => runEngine({ series: [s], strategy: smaCross.create(p), config: cfg, start: 49 }));
const peer = time(() => plain(smaCross.exposures(s, p), 0.001));
emit({
  bench: "backtest",
  case: "event-sma-cross-20-50-btc-1h",
  unit: "ns/bar",
  threads: 1,
  value: +((ours * 1e6) / n).toFixed(1),
  peers: { "plain-loop": +((peer * 1e6) / n).toFixed(1) },
  bars: n,
});

const stops = defaultExecution({
  fee: 0.001,
  slippage: { kind: "fixed", rate: 0.0005 },
  exits: { stopLoss: 0.03, takeProfit: 0.08, trailingStop: 0.05 },
});
const withStops = time(() =>
  runEngine({ series: [s], strategy: smaCross.create(p), config: stops, start: 49 }),
);
emit({
  bench: "backtest",
  case: "event-sma-cross-stops-btc-1h",
  unit: "ns/bar",
  threads: 1,
  value: +((withStops * 1e6) / n).toFixed(1),
  bars: n,
});

const portfolio = alignSeries([s, loadBundledSeries("binance", "ETH/USDT", "1h")]).series;
const pm = portfolio[0]!.ts.length;
const port = time(() =>
  runEngine({ series: portfolio, strategy: smaCross.create(p), config: cfg, start: 49 }),
);
emit({
  bench: "backtest",
  case: "event-sma-cross-portfolio-2x1h",
  unit: "ns/bar-symbol",
  threads: 1,
  value: +((port * 1e6) / (pm * 2)).toFixed(1),
  bars: pm,
});

const la = time(
  () =>
    checkLookahead({
      series: [s],
      start: 49,
      config: cfg,
      create: () => smaCross.create(p),
      exposures: (x) => smaCross.exposures(x, p),
      points: 200,
    }),
  1,
);
emit({
  bench: "backtest",
  case: "lookahead-200-points-btc-1h",
  unit: "s",
  threads: 1,
  value: +(la / 1000).toFixed(2),
  bars: n,
});
