// Real HTTP servers on 127.0.0.1 for the alert tests: a webhook receiver that checks kairos's
// HMAC signature the way a user's receiver would, and a server speaking the Telegram Bot API's
// shapes (sendMessage, getUpdates with callback queries, answerCallbackQuery)
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Alert } from "../../src/ports/alert-sink.ts";

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface Received {
  alert: Alert;
  receivedAt: number;
  signatureOk: boolean;
}

/** A webhook receiver: verifies `x-kairos-signature` (t=ms,v1=hex HMAC-SHA256 of `${t}.${body}`), keeps each alert once by id */
export async function startWebhookReceiver(
  secret: string,
  opts: { failFirst?: (alert: Alert) => boolean } = {},
) {
  const byId = new Map<string, Received>();
  let requests = 0;
  let badSignatures = 0;
  const tried = new Set<string>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const body = await readBody(req);
    const sig = String(req.headers["x-kairos-signature"] ?? "");
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    const want = m === null ? "" : createHmac("sha256", secret).update(`${m[1]}.${body}`).digest("hex");
    const signatureOk = m !== null && timingSafeEqual(Buffer.from(want, "hex"), Buffer.from(m[2]!, "hex"));
    if (!signatureOk) {
      badSignatures++;
      res.writeHead(401).end();
      return;
    }
    const alert = (JSON.parse(body) as { alert: Alert }).alert;
    if (opts.failFirst?.(alert) === true && !tried.has(alert.id)) {
      tried.add(alert.id);
      res.writeHead(503).end("try later");
      return;
    }
    if (!byId.has(alert.id)) byId.set(alert.id, { alert, receivedAt: Date.now(), signatureOk });
    res.writeHead(204).end();
  });
  const url = await listen(server);
  return {
    url,
    received: () => [...byId.values()],
    requests: () => requests,
    badSignatures: () => badSignatures,
    close: () => close(server),
  };
}

export interface SentMessage {
  chat_id: string;
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
}

/** A local server speaking the Bot API's shapes for one bot token */
export async function startBotApi(token: string) {
  const sent: SentMessage[] = [];
  const answers: { callback_query_id: string; text: string }[] = [];
  const updates: unknown[] = [];
  let nextUpdate = 1;
  let wrongToken = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const reply = (status: number, v: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(v));
    };
    if (m === null) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    if (m[1] !== token) {
      wrongToken++;
      return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    const args = JSON.parse(body === "" ? "{}" : body) as Record<string, unknown>;
    switch (m[2]) {
      case "sendMessage":
        sent.push(args as unknown as SentMessage);
        return reply(200, {
          ok: true,
          result: {
            message_id: sent.length,
            chat: { id: Number(args.chat_id), type: "private" },
            date: 0,
            text: args.text,
          },
        });
      case "getUpdates": {
        const offset = Number(args.offset ?? 0);
        const pending = () => updates.filter((u) => (u as { update_id: number }).update_id >= offset);
        const until = Date.now() + Math.min(Number(args.timeout ?? 0), 0.2) * 1000;
        while (pending().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        return reply(200, { ok: true, result: pending() });
      }
      case "answerCallbackQuery":
        answers.push(args as { callback_query_id: string; text: string });
        return reply(200, { ok: true, result: true });
      default:
        return reply(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  });
  const url = await listen(server);
  return {
    url,
    sent,
    answers,
    wrongToken: () => wrongToken,
    /** a person in `chatId` pressed a button with this callback data */
    press(chatId: number, fromId: number, data: string): string {
      const id = `cq${nextUpdate}`;
      updates.push({
        update_id: nextUpdate++,
        callback_query: {
          id,
          from: { id: fromId, is_bot: false, first_name: "Alice", username: `user${fromId}` },
          message: { message_id: 1, chat: { id: chatId, type: "private" }, date: 0 },
          chat_instance: "1",
          data,
        },
      });
      return id;
    },
    close: () => close(server),
  };
}

/** The webhook receiver as a separate process (test/alerts/webhook-receiver.mjs): a busy test thread cannot stall it */
export async function startWebhookReceiverProcess(secret: string) {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [new URL("./webhook-receiver.mjs", import.meta.url).pathname], {
    env: { ...process.env, WEBHOOK_SECRET: secret },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      const line = buf.split("\n")[0];
      if (buf.includes("\n") && line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`webhook receiver exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async report(): Promise<{ requests: number; badSignatures: number; received: Received[] }> {
      return (await (await fetch(`${url}/received`)).json()) as {
        requests: number;
        badSignatures: number;
        received: Received[];
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
