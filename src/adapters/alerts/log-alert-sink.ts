import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Alert, AlertSink } from "../../ports/alert-sink.ts";

/** Appends each alert as one JSON line to a file in the home (<home>/alerts.log, mode 0600) */
export class LogAlertSink implements AlertSink {
  readonly name = "log";
  private made = false;
  constructor(private readonly path: string) {}

  async send(alert: Alert): Promise<void> {
    if (!this.made) {
      await mkdir(dirname(this.path), { recursive: true });
      this.made = true;
    }
    await appendFile(this.path, `${JSON.stringify(alert)}\n`, { mode: 0o600 });
  }
}
