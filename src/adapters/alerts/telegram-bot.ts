/**
 * Telegram through the Bot API (https://core.telegram.org/bots/api) at a configurable origin:
 * alerts as sendMessage to one chat, with Approve and Reject buttons (inline keyboard) when an order
 * waits for a person; button presses come back as callback queries through getUpdates long
 * polling and are answered with answerCallbackQuery. The bot token sits in the request path, so
 * no error or log line ever carries a request URL.
 */
import type { Alert, AlertSink, ButtonPress, ChatButtons } from "../../ports/alert-sink.ts";

export interface TelegramOptions {
  baseUrl: string;
  token: string;
  chatId: string;
  /** per request (default 10 s; getUpdates waits its long-poll timeout on top) */
  timeoutMs?: number;
}

interface BotReply<T> {
  ok: boolean;
  result?: T;
  description?: string;
  error_code?: number;
}

interface Update {
  update_id: number;
  callback_query?: {
    id: string;
    from: { id: number; username?: string; first_name?: string };
    message?: { chat: { id: number } };
    data?: string;
  };
}

const MAX_TEXT = 4096;

/** callback_data holds at most 64 bytes: the action, the proposal id and 16 hex digits of its order hash */
export const buttonData = (action: "approve" | "reject", id: string, hash: string): string =>
  `${action === "approve" ? "a" : "r"}:${id}:${hash.slice(0, 16)}`;

export function parseButtonData(
  data: string,
): { action: "approve" | "reject"; proposalId: string; hashPrefix: string } | undefined {
  const m = /^([ar]):([A-Za-z0-9._-]{1,40}):([0-9a-f]{16})$/.exec(data);
  if (m === null) return undefined;
  return { action: m[1] === "a" ? "approve" : "reject", proposalId: m[2]!, hashPrefix: m[3]! };
}

export class TelegramBot implements AlertSink, ChatButtons {
  readonly name = "telegram";
  private offset = 0;
  constructor(private readonly o: TelegramOptions) {}

  private async call<T>(method: string, body: unknown, extraMs = 0): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.o.baseUrl.replace(/\/+$/, "")}/bot${this.o.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout((this.o.timeoutMs ?? 10_000) + extraMs),
      });
    } catch (err) {
      const why = (err as { name?: string }).name === "TimeoutError" ? "timed out" : "could not connect";
      throw new Error(`telegram ${method}: ${why}`);
    }
    let reply: BotReply<T>;
    try {
      reply = (await res.json()) as BotReply<T>;
    } catch {
      throw new Error(`telegram ${method}: HTTP ${res.status}, not a Bot API reply`);
    }
    if (!res.ok || !reply.ok || reply.result === undefined)
      throw new Error(
        `telegram ${method}: HTTP ${res.status}${reply.description === undefined ? "" : ` ${reply.description.slice(0, 200)}`}`,
      );
    return reply.result;
  }

  async send(alert: Alert): Promise<void> {
    const text = `${alert.severity === "critical" ? "🛑" : alert.severity === "warning" ? "⚠️" : "ℹ️"} ${alert.title}\n\n${alert.text}`;
    await this.call("sendMessage", {
      chat_id: this.o.chatId,
      // plain text: outside words (notes, names) are never read as markup
      text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text,
      ...(alert.approval === undefined
        ? {}
        : {
            reply_markup: {
              inline_keyboard: [
                [
                  {
                    text: "Approve",
                    callback_data: buttonData("approve", alert.approval.id, alert.approval.orderHash),
                  },
                  {
                    text: "Reject",
                    callback_data: buttonData("reject", alert.approval.id, alert.approval.orderHash),
                  },
                ],
              ],
            },
          }),
    });
  }

  async presses(waitSeconds: number): Promise<ButtonPress[]> {
    const updates = await this.call<Update[]>(
      "getUpdates",
      { offset: this.offset, timeout: waitSeconds, allowed_updates: ["callback_query"] },
      waitSeconds * 1000,
    );
    const out: ButtonPress[] = [];
    for (const u of updates) {
      this.offset = Math.max(this.offset, u.update_id + 1);
      const q = u.callback_query;
      if (q === undefined) continue;
      out.push({
        id: q.id,
        chatId: q.message === undefined ? undefined : String(q.message.chat.id),
        fromId: String(q.from.id),
        fromName: q.from.username ?? q.from.first_name ?? String(q.from.id),
        data: q.data ?? "",
      });
    }
    return out;
  }

  async answer(pressId: string, text: string): Promise<void> {
    await this.call("answerCallbackQuery", { callback_query_id: pressId, text: text.slice(0, 200) });
  }

  get chatId(): string {
    return this.o.chatId;
  }
}
