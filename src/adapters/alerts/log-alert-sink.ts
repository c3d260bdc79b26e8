import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Alert, AlertSink } from "../../ports/alert-sink.ts";

/**
 * Appends each alert as one JSON line to a file in the home (<home>/alerts.log, mode 0600).
 * A bar's close can raise a hundred fill alerts at once: lines that arrive while a write is out go
 * together in the next one (one open/append/close for many, in the order they came), so the log
 * does not take a hundred trips through the thread pool beside the orders going out
 */
export class LogAlertSink implements AlertSink {
  readonly name = "log";
  private made = false;
  private waiting: { line: string; done: () => void; failed: (err: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  constructor(private readonly path: string) {}

  send(alert: Alert): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.waiting.push({ line: `${JSON.stringify(alert)}\n`, done, failed });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    // lines sent in this turn of the event loop join the first write
    await new Promise<void>((r) => setImmediate(r));
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        if (!this.made) {
          await mkdir(dirname(this.path), { recursive: true });
          this.made = true;
        }
        await appendFile(this.path, batch.map((b) => b.line).join(""), { mode: 0o600 });
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.failed(err);
      }
    }
    this.writing = undefined;
  }
}
