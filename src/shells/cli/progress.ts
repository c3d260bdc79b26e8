import { SingleBar } from "cli-progress";
import type { OnProgress } from "../../app/progress.ts";

/** A progress renderer for one command: `onProgress` for the use case, `stop()` when it ends */
export interface ProgressView {
  onProgress: OnProgress;
  stop: () => void;
}

/**
 * The CLI side of the progress convention: a bar on stderr when stderr is a terminal, nothing with
 * --json or when stderr is a pipe or a file (logs stay clean); notes are one line each
 */
export function progressView(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (json || stream.isTTY !== true) return { onProgress: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let task = "";
  return {
    onProgress: (e) => {
      if (e.kind === "note") {
        bar?.stop();
        bar = undefined;
        stream.write(`${e.task}: ${e.message}\n`);
        return;
      }
      if (bar === undefined || task !== e.task) {
        bar?.stop();
        task = e.task;
        bar = new SingleBar({
          format: `${e.task} [{bar}] {value}/{total} ${e.unit ?? ""} | {duration_formatted} elapsed | ETA {eta_formatted}`,
          stream,
          hideCursor: false,
        });
        bar.start(e.total, 0);
      }
      bar.setTotal(e.total);
      bar.update(e.done);
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
