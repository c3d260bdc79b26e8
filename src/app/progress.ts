/**
 * The one progress convention: a use case emits progress events through the `onProgress` it is
 * given; the shell decides how to show them (the CLI draws a bar on a TTY and nothing with --json
 * or when stderr is not a terminal; HTTP will send them as JSON over a WebSocket). A use case never
 * writes to a terminal itself.
 */
export type ProgressEvent =
  /** `done` of `total` units of `task` (combinations, variants, pages, rounds) */
  | { kind: "progress"; task: string; done: number; total: number; unit?: string }
  /** a one-line note worth showing while the work runs (a retry, a resumed download) */
  | { kind: "note"; task: string; message: string };

export type OnProgress = (e: ProgressEvent) => void;

/** Progress for `task`: a helper use cases call as `tick(done, total)` */
export const progressOf =
  (onProgress: OnProgress | undefined, task: string, unit?: string) =>
  (done: number, total: number): void =>
    onProgress?.({ kind: "progress", task, done, total, ...(unit === undefined ? {} : { unit }) });
