/**
 * Where alerts go: the log, a webhook, a Telegram chat. An alert is raised within the trading path
 * (a limit breach, HALTED, a kill, a fill, a reconciliation discrepancy, an order waiting for a
 * person) and delivered off it: raising one never waits for a sink.
 */

export type AlertKind =
  | "limit-breach"
  | "halted"
  | "kill"
  | "fill"
  | "reconciliation"
  | "approval-waiting"
  | "test";

export type AlertSeverity = "info" | "warning" | "critical";

export interface Alert {
  /** unique per alert: receivers deduplicate retried deliveries by it */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** one line */
  title: string;
  /** plain language, a few lines */
  text: string;
  /** epoch ms when it was raised */
  at: number;
  /** the facts (session, symbol, check, limit, observed...), never a secret */
  data: Record<string, unknown>;
  /** an order waiting for a person: sinks that can (Telegram) offer approve and reject buttons */
  approval?: { id: string; orderHash: string; expiresAt: number };
}

/** One destination. `send` resolves when delivered and rejects when this attempt failed (retried by the caller) */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void>;
}

/** What the trading path calls: returns at once; delivery, retries and backoff happen elsewhere */
export interface AlertEmitter {
  emit(alert: Omit<Alert, "id" | "at"> & { id?: string; at?: number }): void;
}
