// The strategist benchmark: ensemble weight estimation (running windows) against a plain re-computation
// of every trailing window at each re-estimation, one explained signal, and the strategist after a
// screen run (replay, ensemble, three schemes, explanations, report) on BTC/USDT + ETH/USDT hourly.
// Usage: npm run bench -- strategist [--members 200] [--bars 43800]
import { loadavg } from "node:os";
import { buildEnsembleFromRun } from "../src/app/build-ensemble.ts";
import { createRng } from "../src/domain/random.ts";
import { explainSignal } from "../src/explain/explain-signal.ts";
import { reportDataFromRun } from "../src/explain/report/from-run.ts";
import { renderReportHtml } from "../src/explain/report/render-report.ts";
import { buildEnsemble } from "../src/research/ensemble/ensemble.ts";
import { ensemblePreset } from "../src/research/ensemble/presets.ts";
import type { EnsembleInput, EnsembleMember } from "../src/research/ensemble/types.ts";
import { runScreen } from "../src/research/screen.ts";
import { defaultValidationConfig } from "../src/research/validation-config.ts";
import { readChartLibrary } from "../src/shells/report/chart-lib.ts";
import { smaCross } from "../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const M = Number(arg("members", "200"));
const N = Number(arg("bars", "43800"));
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (f: () => void, reps: number): number => {
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t0));
  }
  return median(ts);
};
const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(
    `${JSON.stringify({ bench: "strategist", threads: 1, load_avg: loadavg()[0], ...o })}\n`,
  );
};

// (1) weights: M members of N hourly bars of noise
const rng = createRng(1);
const members: EnsembleMember[] = Array.from({ length: M }, (_, i) => ({
  id: `m${i}`,
  family: `f${i % 10}`,
  symbol: `S${i % 4}/USDT`,
  params: {},
  returns: Float64Array.from({ length: N }, () => 0.0001 + 0.01 * rng.normal()),
}));
const input: EnsembleInput = {
  timeframe: "1h",
  ts: Float64Array.from({ length: N }, (_, t) => t * 3_600_000),
  members,
  benchmark: new Float64Array(N),
};
const cfg = ensemblePreset("1h");
// the plain peer: every re-estimation recomputes each member's trailing window from scratch
const plain = (): number => {
  let acc = 0;
  const w = cfg.window ?? 720;
  for (let t = 0; t <= N; t += cfg.rebalanceEvery ?? 24) {
    for (const mb of members) {
      let s = 0;
      let q = 0;
      for (let k = Math.max(0, t - w); k < t; k++) {
        const x = mb.returns[k]!;
        s += x;
        q += x * x;
      }
      acc += s / Math.sqrt(q + 1e-12);
    }
  }
  return acc;
};
for (const scheme of ["decay", "inverse-variance", "stake"] as const) {
  buildEnsemble(input, { ...cfg, scheme }); // warm-up: the first run pays for compilation
  const ns = time(() => buildEnsemble(input, { ...cfg, scheme }), 5);
  if (scheme === "decay") plain();
  const peer = scheme === "decay" ? time(() => plain(), 3) : Number.NaN;
  emit({
    case: `weights-${scheme}-${M}x${N}`,
    unit: "ns/bar-member",
    value: Number((ns / (M * N)).toFixed(2)),
    ...(scheme === "decay"
      ? { peers: { "plain-window-recompute": Number((peer / (M * N)).toFixed(2)) } }
      : {}),
  });
}

// (2) one explained signal: 8 sma-cross members on BTC/USDT 1h, flip search included
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const eth = loadBundledSeries("binance", "ETH/USDT", "1h");
const ex = [5, 10, 20, 30].flatMap((fast) =>
  [50, 100].map((slow) => {
    const p = smaCross.params.parse({ fast, slow });
    return {
      id: `${fast}/${slow}`,
      family: "sma-cross",
      params: p,
      weight: 0.1,
      exposure: smaCross.exposures(btc, p),
      exposures: (s: typeof btc) => smaCross.exposures(s, p),
    };
  }),
);
const exNs = time(
  () =>
    explainSignal({
      series: btc,
      members: ex,
      exposure: 0.5,
      ensembleDrawdown: 0.1,
      ensembleMaxDrawdown: 0.2,
    }),
  5,
);
emit({ case: "explain-signal-8-members-btc-1h", unit: "ms", value: Number((exNs / 1e6).toFixed(1)) });

// (3) after a screen: 300 variants on the majors hourly, then the whole strategist
log("screening BTC/USDT + ETH/USDT 1h, 300 variants (not timed)...");
const run = await runScreen({
  series: [btc, eth],
  reference: btc,
  variants: 300,
  seed: 7,
  search: "auto",
  config: defaultValidationConfig(),
});
const lib = readChartLibrary();
let bytes = 0;
const stNs = time(() => {
  const b = buildEnsembleFromRun({ run, series: [btc, eth], reference: btc });
  const d = reportDataFromRun({
    runId: "bench",
    createdAt: "bench",
    exchange: "binance",
    run,
    ensembleInput: b.input,
    ensemble: b.ensemble,
    explanations: b.explanations,
    alternatives: b.alternatives,
  });
  bytes = renderReportHtml(d, lib).length;
}, 3);
emit({
  case: "strategist-after-screen-majors-1h-300",
  unit: "s",
  value: Number((stNs / 1e9).toFixed(2)),
  report_bytes: bytes,
  bars: run.clock.bars,
});
