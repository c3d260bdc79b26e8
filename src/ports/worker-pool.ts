/** Options of one `WorkerPool.run` */
export interface WorkerRunOptions<TShared> {
  /**
   * A value every task of this run needs (arrays, a plan): sent once to each thread, not per task,
   * and passed to the kernel as its second argument. SharedArrayBuffer-backed arrays are shared.
   * Consecutive runs passing the same object send it once (the threads keep it, and a kernel may
   * keep state keyed by it), so do not mutate it between runs; pass a new object instead.
   */
  shared?: TShared;
  /** called on the calling thread after each finished task, with tasks done and total */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs pure kernels in parallel. Tasks are named kernels registered with the adapter; inputs are
 * structured-cloneable (SharedArrayBuffer-backed arrays are shared, not copied). Tasks are handed
 * out in index order to whichever thread is free; results come back in task order whatever the thread count. A kernel
 * error rejects the run with the kernel's AppError code and message.
 */
export interface WorkerPool {
  readonly threads: number;
  run<TIn, TOut, TShared = undefined>(
    kernel: string,
    tasks: readonly TIn[],
    options?: WorkerRunOptions<TShared>,
  ): Promise<TOut[]>;
  close(): Promise<void>;
}
