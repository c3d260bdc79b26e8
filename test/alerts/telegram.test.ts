// Telegram (issue 16): alerts go out through the Bot API's sendMessage at a configurable origin (a
// local server on 127.0.0.1 speaking the Bot API's shapes); an order waiting for a person carries
// Approve and Reject buttons; a press counts as a person's approval only from the configured chat
// (from another chat it is refused and nothing is placed), counts once, and is answered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelegramBot } from "../../src/adapters/alerts/telegram-bot.ts";
import { listenForButtons } from "../../src/app/alert-buttons.ts";
import { configureAlerts } from "../../src/app/alert-config.ts";
import { paperApprovalDeps } from "../../src/app/approval-paper.ts";
import { type ApprovalDeps, type CallerIdentity, proposeOrder } from "../../src/app/approval-service.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import {
  type AlertSetup,
  alertSetupFor,
  type Container,
  createContainer,
} from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { startBotApi } from "./receivers.ts";

const TOKEN = "123456789:AAtesttokenABCDEFGHIJKLMNOPQRSTUVWX";
const CHAT = 4242;
const SESSION = "tg1";
const agent: CallerIdentity = { kind: "agent", channel: "mcp", credentialId: "token:agent-1" };

let home: string;
let c: Container;
let bot: Awaited<ReturnType<typeof startBotApi>>;
let setup: AlertSetup;
let deps: ApprovalDeps;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "kairos-telegram-"));
  bot = await startBotApi(TOKEN);
  c = createContainer({ home });
  const all = loadBundledSeries("binance", "BTC/USDT", "1h");
  c.store.upsert(sliceSeries(all, all.ts.length - 80));
  const t = c.trading();
  await startTrading(t, {
    id: SESSION,
    strategy: "sma-cross",
    params: { fast: 2, slow: 5 },
    symbols: "BTC/USDT",
    timeframe: "1h",
    capital: 500,
    from: new Date(all.ts[all.ts.length - 5]!).toISOString(),
  });
  configureAlerts(home, { telegramChat: String(CHAT), telegramBaseUrl: bot.url, log: "false" });
  setup = alertSetupFor(home, { KAIROS_TELEGRAM_BOT_TOKEN: TOKEN });
  deps = { ...paperApprovalDeps(t), alerts: setup.dispatcher };
});
afterAll(async () => {
  setup?.dispatcher.close();
  c?.close();
  await bot?.close();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

const propose = () =>
  proposeOrder(deps, agent, {
    sessionId: SESSION,
    symbol: "BTC/USDT",
    side: "buy",
    quantity: "0.001",
    note: "test",
  });

async function untilAnswers(n: number): Promise<void> {
  for (let i = 0; i < 500 && bot.answers.length < n; i++) await new Promise((r) => setTimeout(r, 20));
}

describe("Telegram alerts and buttons", () => {
  it("sends a waiting approval with Approve/Reject buttons; only the configured chat's press approves, once", async () => {
    expect(setup.problems).toEqual([]);
    const p = await propose();
    expect(await setup.dispatcher.flush(10_000)).toBe(true);
    expect(bot.sent).toHaveLength(1);
    const msg = bot.sent[0]!;
    expect(msg.chat_id).toBe(String(CHAT));
    expect(msg.text).toContain(`approval needed: buy 0.001 BTC/USDT (${p.id})`);
    expect(msg.text).toContain("(from mcp, unverified) test");
    const [approveBtn, rejectBtn] = msg.reply_markup!.inline_keyboard[0]!;
    expect(approveBtn).toEqual({ text: "Approve", callback_data: `a:${p.id}:${p.orderHash.slice(0, 16)}` });
    expect(rejectBtn!.callback_data).toBe(`r:${p.id}:${p.orderHash.slice(0, 16)}`);

    const stop = new AbortController();
    const listening = listenForButtons(
      {
        approvals: deps,
        buttons: setup.telegram!.bot,
        chatId: setup.telegram!.chatId,
        parse: setup.telegram!.parse,
      },
      stop.signal,
    );
    try {
      const orders = () => c.trading().orders.ordersOf(SESSION).length;
      const before = orders();
      // someone in another chat presses Approve: an agent's press, refused; nothing placed
      bot.press(999, 7, approveBtn!.callback_data);
      await untilAnswers(1);
      expect(bot.answers[0]!.text).toMatch(/only a person approves/);
      expect(deps.store.get(p.id)!.state).toBe("pending");
      expect(orders()).toBe(before);
      // the configured chat presses it: approved and placed through the gate
      bot.press(CHAT, 7, approveBtn!.callback_data);
      await untilAnswers(2);
      expect(bot.answers[1]!.text).toMatch(/^approved: order /);
      expect(deps.store.get(p.id)).toMatchObject({
        state: "executed",
        decidedBy: { kind: "person", channel: "telegram", credentialId: "telegram:7" },
      });
      expect(orders()).toBe(before + 1);
      // pressed again: spent
      bot.press(CHAT, 7, approveBtn!.callback_data);
      await untilAnswers(3);
      expect(bot.answers[2]!.text).toMatch(/not pending/);
      expect(orders()).toBe(before + 1);
      // a button whose hash no longer matches the proposal's order: refused as changed
      const q = await propose();
      bot.press(CHAT, 7, `a:${q.id}:${"0".repeat(16)}`);
      await untilAnswers(4);
      expect(bot.answers[3]!.text).toMatch(/hash/);
      // Reject from the configured chat
      bot.press(CHAT, 8, `r:${q.id}:${q.orderHash.slice(0, 16)}`);
      await untilAnswers(5);
      expect(bot.answers[4]!.text).toBe("rejected");
      expect(deps.store.get(q.id)!.state).toBe("rejected");
    } finally {
      stop.abort();
      await listening;
    }
    expect(bot.wrongToken()).toBe(0);
  });

  it("never shows the bot token: a failing Bot API call names the method and status only", async () => {
    const dead = new TelegramBot({ baseUrl: "http://127.0.0.1:9", token: TOKEN, chatId: String(CHAT) });
    const e1 = await dead
      .send({ id: "a1", kind: "test", severity: "info", title: "t", text: "", at: 0, data: {} })
      .catch((e: Error) => e);
    const wrong = new TelegramBot({
      baseUrl: bot.url,
      token: "1:wrongtokenwrongtokenwrongtoken",
      chatId: String(CHAT),
    });
    const e2 = await wrong
      .send({ id: "a2", kind: "test", severity: "info", title: "t", text: "", at: 0, data: {} })
      .catch((e: Error) => e);
    expect(String(e1)).toBe("Error: telegram sendMessage: could not connect");
    expect(String(e2)).toBe("Error: telegram sendMessage: HTTP 401 Unauthorized");
    expect(`${String(e1)} ${String(e2)}`).not.toContain("wrongtoken");
  });
});
