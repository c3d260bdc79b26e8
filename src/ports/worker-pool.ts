/**
 * Runs pure kernels in parallel. Tasks are named kernels registered with the adapter; inputs are
 * structured-cloneable (SharedArrayBuffer-backed arrays are shared, not copied). Results come back
 * in task order whatever the thread count.
 */
export interface WorkerPool {
  readonly threads: number;
  run<TIn, TOut>(kernel: string, tasks: readonly TIn[]): Promise<TOut[]>;
  close(): Promise<void>;
}
