// The assistant over HTTP (issue 20 point 4): POST /v1/ask answers what `kairos ask --json` answers on
// the same home, and with a model (a local chat-completions server) offers the same read tools only
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../../src/shells/http/operations.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

// a local chat-completions server: each request is answered by the next step of the current script
type Step = () => unknown;
let script: Step[] = [];
const seen: { tools: string[]; messages: { role: string; content: string | null }[] }[] = [];
let llm: Server;
let llmUrl = "";
beforeAll(async () => {
  llm = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r = JSON.parse(body);
      seen.push({
        tools: (r.tools ?? []).map((t: { function: { name: string } }) => t.function.name),
        messages: r.messages,
      });
      const step = script.shift();
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          choices: [{ index: 0, message: step === undefined ? { role: "assistant", content: "" } : step() }],
        }),
      );
    });
  });
  await new Promise<void>((r) => llm.listen(0, "127.0.0.1", r));
  llmUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => llm.close(() => r())));

const toolCall = (name: string, args: unknown) => () => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: `c-${name}`, type: "function", function: { name, arguments: JSON.stringify(args) } }],
});
const say = (text: string) => () => ({ role: "assistant", content: text });

/** runs `f` with KAIROS_LLM_URL set to the local server (or unset), as the serving process would see it */
async function withLlm<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  const before = process.env.KAIROS_LLM_URL;
  if (on) process.env.KAIROS_LLM_URL = llmUrl;
  else delete process.env.KAIROS_LLM_URL;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.KAIROS_LLM_URL;
    else process.env.KAIROS_LLM_URL = before;
  }
}

const home = bundledHome("kairos-api-ask-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
let agent = "";
let person = "";
const api = apiOn(home, async (c) => {
  agent = c.auth.createAgentToken({ name: "ask-test" }).token;
  await c.auth.setPassword({ password: "correct horse battery staple ask" });
  person = (await c.auth.login({ password: "correct horse battery staple ask" })).token;
});

const cliAsk = async (question: string): Promise<unknown> => {
  const r = await runKairosInProcess(["--json", "ask", question], { home });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("POST /v1/ask", () => {
  it("without a model: the HTTP answer equals `kairos ask --json` for every question the router knows and one it does not", async () => {
    const questions = [
      "what matters today?",
      "was ist heute wichtig?",
      "how did ETH do against BTC this week?",
      "Wie lief ETH gegen BTC diese Woche?",
      "why is the ensemble long NEAR?",
      "what is the meaning of life?",
    ];
    await withLlm(false, async () => {
      let answered = 0;
      for (const question of questions) {
        const r = await call(api, "POST", "/v1/ask", { token: agent, body: { question } });
        expect(r.status, r.text).toBe(200);
        expect(r.body, question).toEqual(await cliAsk(question));
        if ((r.body as { answered: boolean }).answered) answered++;
      }
      // the router really answered the common questions (not only refusals compared with refusals)
      expect(answered).toBe(4);
    });
    expect(api.log).toEqual([]);
  }, 180_000);

  it("the door and the contract: no token is 401, bad input is a coded 400", async () => {
    const none = await call(api, "POST", "/v1/ask", { body: { question: "what matters today?" } });
    expect(none.status).toBe(401);
    for (const body of [
      {},
      { question: "" },
      { question: "x", extra: 1 },
      { question: "x", timeframe: "7x" },
    ]) {
      const r = await call(api, "POST", "/v1/ask", { token: agent, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.body as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
    }
  });

  it("with a model: it is offered the read tools only (the CLI's same set), a trading or limit-changing call does not exist, and grounded numbers pass", async () => {
    const reads = OPERATIONS.filter((o) => o.access === "read" && o.id !== "brief").map((o) => o.id);
    const notReads = OPERATIONS.filter((o) => o.access !== "read").map((o) => o.id);
    expect(notReads).toEqual(expect.arrayContaining(["ask", "risk_set", "kill", "trade_start"]));
    await withLlm(true, async () => {
      script = [
        toolCall("risk_set", { key: "maxOrderValue", value: "1000000" }),
        toolCall("data_list", {}),
        say("BTC/USDT and ETH/USDT are stored on 1d."),
      ];
      seen.length = 0;
      const r = await call(api, "POST", "/v1/ask", { token: person, body: { question: "what is stored?" } });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ answered: true, by: "model" });
      const offered = seen[0]!.tools;
      expect([...offered].sort()).toEqual(["explain_signal", "market_brief", ...reads].sort());
      for (const id of notReads) expect(offered, id).not.toContain(id);
      expect(offered).not.toContain("propose_order");
      // the person-only call came back as an error naming the tools; the limits are unchanged
      expect(seen[1]!.messages.at(-1)!.content).toMatch(/^error: no tool "risk_set"/);
      const risk = await call(api, "GET", "/v1/risk", { token: agent });
      expect(JSON.stringify(risk.body)).not.toContain("1000000");

      // the CLI offers the model the very same tools
      script = [say("Nothing to add.")];
      seen.length = 0;
      await cliAsk("what is stored?");
      expect([...seen[0]!.tools].sort()).toEqual([...offered].sort());

      // an invented number is regenerated once, then refused with the reason, as from the CLI
      script = [toolCall("market_brief", {}), say("BTC will reach 123456.78."), say("Still 98765.43.")];
      const bad = await call(api, "POST", "/v1/ask", {
        token: agent,
        body: { question: "what matters today?" },
      });
      expect(bad.body).toMatchObject({ answered: false, by: "model" });
      expect((bad.body as { answer: string }).answer).toMatch(
        /answer refused: the numbers 98765\.43 appear in no tool result/,
      );
    });
    expect(api.log).toEqual([]);
  }, 120_000);
});
