import type { AlertSink } from "../../ports/alert-sink.ts";
import { LogAlertSink } from "./log-alert-sink.ts";
import { TelegramBot } from "./telegram-bot.ts";
import { WebhookAlertSink } from "./webhook-alert-sink.ts";

/** Everything that builds a home's sinks: structured-cloneable, so a worker thread builds the same ones */
export interface SinkSetup {
  /** <home>/alerts.log, when the log is on */
  logPath?: string;
  webhook?: { url: string; secret: string };
  telegram?: { baseUrl: string; token: string; chatId: string };
  retryForMs: number;
}

export function buildSinks(s: SinkSetup): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (s.logPath !== undefined) sinks.push(new LogAlertSink(s.logPath));
  if (s.webhook !== undefined) sinks.push(new WebhookAlertSink(s.webhook));
  if (s.telegram !== undefined) sinks.push(new TelegramBot(s.telegram));
  return sinks;
}
