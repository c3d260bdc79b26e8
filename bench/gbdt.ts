// GBDT training speed and test AUC against XGBoost (Debian python3-xgboost, tree_method=hist) on the same data
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { auc } from "../src/forecasting/gbdt/metrics.ts";
import type { GbdtModel } from "../src/forecasting/gbdt/model.ts";
import { trainGbdtParallel } from "../src/forecasting/gbdt/parallel.ts";
import type { GbdtParamsInput } from "../src/forecasting/gbdt/params.ts";
import { predict } from "../src/forecasting/gbdt/predict.ts";
import { trainGbdt } from "../src/forecasting/gbdt/train.ts";
import { plantedNonLinear } from "../test/support/gbdt-data.ts";
import { createGbdtPool } from "../test/support/gbdt-pool.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const nTrain = arg("rows", 100_000);
const nTest = arg("test-rows", 20_000);
const nFeat = 30;
const nTrees = arg("trees", 200);

const train = plantedNonLinear(nTrain, nFeat, 1);
const test = plantedNonLinear(nTest, nFeat, 2);

// XGBoost reads the same numbers: float64 row-major, labels appended per row
const dir = mkdtempSync(join(tmpdir(), "kairos-gbdt-"));
const rowMajor = (s: typeof train): Float64Array => {
  const out = new Float64Array(s.rows * (nFeat + 1));
  for (let r = 0; r < s.rows; r++) {
    for (let f = 0; f < nFeat; f++) out[r * (nFeat + 1) + f] = s.cols[f]![r]!;
    out[r * (nFeat + 1) + nFeat] = s.y[r]!;
  }
  return out;
};
writeFileSync(join(dir, "train.bin"), rowMajor(train));
writeFileSync(join(dir, "test.bin"), rowMajor(test));
const pyScript = `
import json, sys, time, numpy as np, xgboost as xgb
d = sys.argv[1]; nf = ${nFeat}; grow = sys.argv[2]; threads = int(sys.argv[3])
tr = np.fromfile(d + "/train.bin", dtype="<f8").reshape(-1, nf + 1)
te = np.fromfile(d + "/test.bin", dtype="<f8").reshape(-1, nf + 1)
p = {"objective": "binary:logistic", "tree_method": "hist", "eta": 0.1, "max_bin": 256, "nthread": threads,
     "lambda": 1.0, "min_child_weight": 1.0, "base_score": float(tr[:, nf].mean())}
if grow == "leafwise":
    p.update({"grow_policy": "lossguide", "max_leaves": 31, "max_depth": 0})
else:
    p.update({"max_depth": 6})
t0 = time.perf_counter(); c0 = time.process_time()
dtr = xgb.DMatrix(tr[:, :nf], label=tr[:, nf], nthread=threads)
b = xgb.train(p, dtr, ${nTrees})
secs = time.perf_counter() - t0; cpu = time.process_time() - c0
pr = b.predict(xgb.DMatrix(te[:, :nf], nthread=threads))
y = te[:, nf]
o = np.argsort(pr, kind="mergesort"); ranks = np.empty(len(pr)); ranks[o] = np.arange(1, len(pr) + 1)
# average ranks over ties
_, inv, cnt = np.unique(pr, return_inverse=True, return_counts=True)
sums = np.bincount(inv, weights=ranks); ranks = (sums / cnt)[inv]
pos = y.sum(); auc = (ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * (len(y) - pos))
print(json.dumps({"seconds": secs, "cpu": cpu, "auc": float(auc), "version": xgb.__version__}))
`;
writeFileSync(join(dir, "peer.py"), pyScript);

const xgbRun = (
  grow: string,
  threads: number,
): { seconds: number; cpu: number; auc: number; version: string } | undefined => {
  try {
    const out = execFileSync("/usr/bin/python3", [join(dir, "peer.py"), dir, grow, String(threads)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out.trim().split("\n").at(-1)!) as {
      seconds: number;
      cpu: number;
      auc: number;
      version: string;
    };
  } catch (e) {
    process.stderr.write(`xgboost peer failed (apt-get install -y python3-xgboost): ${String(e)}\n`);
    return undefined;
  }
};

const cases: { name: string; grow: "depthwise" | "leafwise"; params: GbdtParamsInput }[] = [
  { name: "depth6", grow: "depthwise", params: { growth: "depthwise", maxDepth: 6 } },
  { name: "leaves31", grow: "leafwise", params: { growth: "leafwise", maxDepth: 0, maxLeaves: 31 } },
];
const threadList = args.includes("--threads") ? [arg("threads", 1)] : [1, 2];

for (const c of cases) {
  const params: GbdtParamsInput = {
    ...c.params,
    objective: "logistic",
    nTrees,
    learningRate: 0.1,
    maxBins: 256,
    lambda: 1,
    minChildWeight: 1,
    seed: 1,
  };
  for (const threads of threadList) {
    const peer = xgbRun(c.grow, threads);
    let seconds: number;
    let model: GbdtModel;
    const cpu0 = process.cpuUsage();
    if (threads === 1) {
      const t0 = performance.now();
      model = trainGbdt({ x: { rows: nTrain, cols: train.cols }, y: train.y }, params);
      seconds = (performance.now() - t0) / 1000;
    } else {
      // the calling thread builds one feature block itself: threads - 1 pool workers
      const pool = await createGbdtPool(threads - 1);
      const t0 = performance.now();
      model = await trainGbdtParallel({ x: { rows: nTrain, cols: train.cols }, y: train.y }, params, pool);
      seconds = (performance.now() - t0) / 1000;
      await pool.close();
    }
    const cpuUsed = process.cpuUsage(cpu0);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
    const testAuc = auc(test.y, predict(model, { rows: nTest, cols: test.cols }));
    process.stdout.write(
      `${JSON.stringify({
        bench: "gbdt",
        case: `binary-${c.name}-${nTrain}x${nFeat}-${nTrees}trees`,
        unit: "s",
        threads,
        value: Number(seconds.toFixed(3)),
        auc: Number(testAuc.toFixed(4)),
        peers: peer === undefined ? {} : { xgboost: Number(peer.seconds.toFixed(3)) },
        peer_auc: peer === undefined ? null : Number(peer.auc.toFixed(4)),
        peer_version: peer?.version ?? null,
        speed_ratio: peer === undefined ? null : Number((seconds / peer.seconds).toFixed(2)),
        cpu_s: Number(cpu.toFixed(3)),
        peer_cpu_s: peer === undefined ? null : Number(peer.cpu.toFixed(3)),
        load_avg: Number(loadavg()[0]!.toFixed(2)),
      })}\n`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
