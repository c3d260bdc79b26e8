import type { WorkerPool } from "../../ports/worker-pool.ts";
import { buildHistogram } from "./histogram.ts";
import type { GbdtModel } from "./model.ts";
import type { GbdtParamsInput } from "./params.ts";
import { boost, type Dataset, type HistJob, type TrainOptions, trainGbdt } from "./train.ts";

/**
 * Task of the `gbdt.histogram` kernel: every node of one batch over one block of features
 * [f0, f1), written into shared histograms. One task per thread per batch keeps messages few.
 */
export interface HistogramTask {
  rowBins: Uint16Array | Uint32Array;
  nFeatures: number;
  f0: number;
  f1: number;
  /** global bins of the block: the task zeroes and fills only their cells */
  b0: number;
  b1: number;
  countAt: number;
  idx: Uint32Array;
  grad: Float64Array;
  hess: Float64Array;
  nodes: { start: number; end: number; hist: Float64Array }[];
}

export const HISTOGRAM_KERNEL = "gbdt.histogram";

/** The worker side of `gbdt.histogram`: register it with the WorkerPool adapter */
export function histogramKernel(t: HistogramTask): number {
  for (const q of t.nodes) {
    q.hist.fill(0, 2 * t.b0, 2 * t.b1);
    if (t.countAt >= 0) q.hist.fill(0, t.countAt + t.b0, t.countAt + t.b1);
    buildHistogram(
      t.rowBins,
      t.nFeatures,
      t.f0,
      t.f1,
      t.idx,
      q.start,
      q.end,
      t.grad,
      t.hess,
      q.hist,
      t.countAt,
    );
  }
  return 0;
}

// below this many row-features a batch is cheaper on the calling thread than a message round trip
const MIN_PARALLEL_CELLS = 150_000;

function tasksFor(job: HistJob, blocks: number): HistogramTask[] {
  const { binned, idx, grad, hess, countAt } = job.ctx;
  const nf = binned.nFeatures;
  const tasks: HistogramTask[] = [];
  for (let b = 0; b < blocks; b++) {
    const f0 = Math.floor((b * nf) / blocks);
    const f1 = Math.floor(((b + 1) * nf) / blocks);
    tasks.push({
      rowBins: binned.rowBins,
      nFeatures: nf,
      f0,
      f1,
      b0: binned.offset[f0]!,
      b1: binned.offset[f1]!,
      countAt,
      idx,
      grad,
      hess,
      nodes: job.requests,
    });
  }
  return tasks;
}

/**
 * Trains with histogram building split by feature blocks over the pool's threads plus the
 * calling thread. Every feature's sums are made by one thread in row order, so the model is
 * identical to trainGbdt's, bit for bit, whatever the thread count.
 */
export async function trainGbdtParallel(
  train: Dataset,
  params: GbdtParamsInput,
  pool: WorkerPool,
  options: TrainOptions = {},
  /** batches under this many row-features stay on the calling thread (tests pass 0) */
  minParallelCells = MIN_PARALLEL_CELLS,
): Promise<GbdtModel> {
  if (pool.threads < 1) return trainGbdt(train, params, options);
  const it = boost(train, params, options, true);
  let step = it.next();
  while (!step.done) {
    const job = step.value;
    let cells = 0;
    for (const q of job.requests) cells += q.end - q.start;
    cells *= job.ctx.binned.nFeatures;
    const blocks = Math.min(job.ctx.binned.nFeatures, pool.threads + 1);
    const tasks = tasksFor(job, cells < minParallelCells ? 1 : blocks);
    if (tasks.length === 1) histogramKernel(tasks[0]!);
    else {
      const running = pool.run<HistogramTask, number>(HISTOGRAM_KERNEL, tasks.slice(1));
      // let the pool post its messages (a few microtask turns) before this thread takes block 0
      for (let i = 0; i < 4; i++) await null;
      histogramKernel(tasks[0]!);
      await running;
    }
    step = it.next();
  }
  return step.value;
}
