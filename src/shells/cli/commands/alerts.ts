import type { Command } from "commander";
import { listenForButtons } from "../../../app/alert-buttons.ts";
import { configureAlerts } from "../../../app/alert-config.ts";
import { paperApprovalDeps } from "../../../app/approval-paper.ts";
import { AppError } from "../../../errors.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { stopSignal } from "../stop-signal.ts";
import { withContainer } from "../with-container.ts";

/** `kairos alerts config|test|listen`: where alerts go, a test delivery, Telegram's approve/reject buttons */
export function registerAlertsCommand(program: Command): void {
  const cmd = program
    .command("alerts")
    .description(
      "alerts (limit breach, HALTED, kill, fill, reconciliation, waiting approval) to the log, a webhook, Telegram",
    );
  cmd
    .command("config")
    .description("show or change where alerts go (secrets stay in environment variables)")
    .option("--log <on>", "true/false: append alerts to <home>/alerts.log")
    .option("--webhook <url>", "POST alerts as signed JSON here (off: stop)")
    .option(
      "--webhook-secret-env <NAME>",
      "the environment variable with the shared secret (default KAIROS_ALERT_WEBHOOK_SECRET)",
    )
    .option(
      "--telegram-chat <id>",
      "the Telegram chat to send to; its buttons approve and reject (off: stop)",
    )
    .option(
      "--telegram-token-env <NAME>",
      "the environment variable with the bot token (default KAIROS_TELEGRAM_BOT_TOKEN)",
    )
    .option("--telegram-base-url <url>", "the Bot API origin (default https://api.telegram.org)")
    .option("--retry-for <seconds>", "how long an undelivered alert is retried (default 30)")
    .action((o: Record<string, string | undefined>, c: Command) => {
      const g = globalsOf(c);
      const r = configureAlerts(g.home, {
        ...(o.log === undefined ? {} : { log: o.log as "true" | "false" }),
        ...(o.webhook === undefined ? {} : { webhook: o.webhook }),
        ...(o.webhookSecretEnv === undefined ? {} : { webhookSecretEnv: o.webhookSecretEnv }),
        ...(o.telegramChat === undefined ? {} : { telegramChat: o.telegramChat }),
        ...(o.telegramTokenEnv === undefined ? {} : { telegramTokenEnv: o.telegramTokenEnv }),
        ...(o.telegramBaseUrl === undefined ? {} : { telegramBaseUrl: o.telegramBaseUrl }),
        ...(o.retryFor === undefined ? {} : { retryForSeconds: o.retryFor }),
      });
      if (g.json) {
        printJson(r);
        return;
      }
      if (r.changed) printInfo(`written ${r.path}`);
      const k = r.config;
      printLine(`log        ${k.log ? "<home>/alerts.log" : "off"}`);
      printLine(
        `webhook    ${k.webhook === undefined ? "off" : `${k.webhook.url} (secret from $${k.webhook.secretEnv})`}`,
      );
      printLine(
        `telegram   ${k.telegram === undefined ? "off" : `chat ${k.telegram.chatId} at ${k.telegram.baseUrl} (token from $${k.telegram.tokenEnv})`}`,
      );
      printLine(`retry for  ${k.retryForSeconds} s`);
    });
  cmd
    .command("test")
    .description("send a test alert to every configured sink and wait for delivery")
    .option("--timeout <seconds>", "how long to wait for delivery (default 15)")
    .action(async (o: { timeout?: string }, c: Command) => {
      await withContainer(c, async (ct, g) => {
        const setup = ct.alerts();
        const t0 = performance.now();
        setup.dispatcher.emit({
          kind: "test",
          severity: "info",
          title: "kairos test alert",
          text: "If you read this, alerts reach you. Sent by `kairos alerts test`.",
          data: {},
        });
        const done = await setup.dispatcher.flush(Number(o.timeout ?? 15) * 1000);
        const ms = performance.now() - t0;
        // a test send is done when reported: a sink still retrying is not waited for
        setup.dispatcher.close(true);
        const sinks = setup.dispatcher.stats().map((s) => ({
          sink: s.sink,
          delivered: s.delivered === 1,
          retries: s.retries,
        }));
        const result = {
          delivered: done && sinks.every((s) => s.delivered),
          ms: Math.round(ms),
          sinks,
          problems: setup.problems,
        };
        if (g.json) printJson(result);
        else {
          for (const s of sinks)
            printLine(
              `${s.sink.padEnd(9)} ${s.delivered ? "delivered" : "NOT delivered"}${s.retries > 0 ? ` (${s.retries} retries)` : ""}`,
            );
          for (const p of setup.problems) printLine(`problem: ${p}`);
          printLine(`in ${Math.round(ms)} ms`);
        }
        if (!result.delivered || setup.problems.length > 0)
          throw new AppError(
            "EXCHANGE_UNAVAILABLE",
            `alerts test: ${result.delivered ? "" : "not every sink took the alert; "}${setup.problems.join("; ")}`.replace(
              /; $/,
              "",
            ),
            { retryable: false },
          );
      });
    });
  cmd
    .command("listen")
    .description("handle Telegram's Approve/Reject buttons (from the configured chat only) until stopped")
    .action(async (_o: unknown, c: Command) => {
      await withContainer(c, async (ct) => {
        const setup = ct.alerts();
        if (setup.telegram === undefined)
          throw new AppError(
            "INVALID_INPUT",
            `Telegram is not configured${setup.problems.length > 0 ? ` (${setup.problems.join("; ")})` : ""}: \`kairos alerts config --telegram-chat ID\` and set the token variable`,
          );
        const stop = new AbortController();
        void stopSignal().then(() => stop.abort());
        printInfo(`listening for buttons from chat ${setup.telegram.chatId}; Ctrl-C stops`);
        await listenForButtons(
          {
            approvals: paperApprovalDeps(ct.trading()),
            buttons: setup.telegram.bot,
            chatId: setup.telegram.chatId,
            parse: setup.telegram.parse,
          },
          stop.signal,
          (p, answer) => printLine(`${p.fromName} (chat ${p.chatId ?? "?"}): ${p.data} -> ${answer}`),
        );
      });
    });
}
