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
  /** a proposal's lifetime ran out without a person's decision */
  | "approval-expired"
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

/** A button a person pressed under an alert in a chat (Telegram's callback query) */
export interface ButtonPress {
  id: string;
  /** the chat the message with the button is in (undefined: unknown, never trusted) */
  chatId: string | undefined;
  /** the chat user who pressed it */
  fromId: string;
  fromName: string;
  data: string;
}

/** Where button presses come from, and how they are answered */
export interface ChatButtons {
  /** the presses since the last call, waiting up to `waitSeconds` for one (long polling) */
  presses(waitSeconds: number): Promise<ButtonPress[]>;
  answer(pressId: string, text: string): Promise<void>;
}
