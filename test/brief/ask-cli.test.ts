import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explanationParagraphDe } from "../../src/explain/brief/explanation-de.ts";
import { explanationParagraph } from "../../src/explain/paragraph.ts";
import type { SignalExplanation } from "../../src/explain/types.ts";
import { MCP_TOOLS } from "../../src/shells/mcp/server.ts";
import { type ChatRequest, type ChatServer, startChatServer } from "../support/chat-server.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

// a local chat-completions server: each request is answered by the next step of the current script
type Step = (req: ChatRequest) => unknown;
let script: Step[] = [];
const seen: { tools: string[]; messages: { role: string; content: string | null }[] }[] = [];
let chat: ChatServer;
let url = "";
beforeAll(async () => {
  chat = await startChatServer((r) => {
    seen.push({ tools: r.tools!.map((t) => t.function.name), messages: r.messages });
    const step = script.shift();
    return step === undefined ? { role: "assistant", content: "" } : step(r);
  });
  url = chat.url;
});
afterAll(() => chat.close());

const call = (name: string, args: unknown) => () => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: `c-${name}`, type: "function", function: { name, arguments: JSON.stringify(args) } }],
});
const say = (text: string) => () => ({ role: "assistant", content: text });

async function ask(home: string, question: string, withModel: boolean) {
  const before = process.env.KAIROS_LLM_URL;
  if (withModel) process.env.KAIROS_LLM_URL = url;
  else delete process.env.KAIROS_LLM_URL;
  try {
    const r = await runKairosInProcess(["--json", "ask", question], { home });
    return {
      ...r,
      out:
        r.code === 0
          ? (JSON.parse(r.stdout) as { answer: string; answered: boolean; lang: string; by: string })
          : undefined,
    };
  } finally {
    if (before === undefined) delete process.env.KAIROS_LLM_URL;
    else process.env.KAIROS_LLM_URL = before;
  }
}

describe("kairos ask over a home with a screen run", () => {
  const home = bundledHome("kairos-ask-cli-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
  let explanations: SignalExplanation[] = [];
  beforeAll(async () => {
    const sc = await runKairosInProcess(
      ["screen", "--universe", "majors", "--timeframe", "1d", "--variants", "60", "--no-report"],
      { home },
    );
    if (sc.code !== 0) throw new Error(sc.stderr);
    const b = await runKairosInProcess(["--json", "brief", "--timeframe", "1d", "--no-save"], { home });
    explanations = (JSON.parse(b.stdout) as { explanations: SignalExplanation[] }).explanations;
  }, 120_000);

  it("without a model: 'why is the ensemble long BTC?' is the strategist's explanation, a wrong premise corrected, in German from German templates", async () => {
    const en = await ask(home, "Why is the ensemble long BTC?", false);
    expect(en.code, en.stderr).toBe(0);
    const e = explanations.find((x) => x.symbol === "BTC/USDT")!;
    // a stance the ensemble does not hold is corrected on the first line
    expect(en.out).toMatchObject({
      answered: true,
      by: "router",
      lang: "en",
      answer:
        e.action === "long"
          ? explanationParagraph(e)
          : `The ensemble is not long BTC/USDT: it is ${e.action} (target ${e.exposurePct}% of equity at the close of ${e.barTime}).\n${explanationParagraph(e)}`,
    });
    const de = await ask(home, "Warum ist das Ensemble long Ethereum?", false);
    const eth = explanations.find((x) => x.symbol === "ETH/USDT")!;
    expect(de.out!.lang).toBe("de");
    expect(de.out!.answer.endsWith(explanationParagraphDe(eth))).toBe(true);
    if (eth.action !== "long")
      expect(de.out!.answer).toMatch(/^Das Ensemble ist nicht long in ETH\/USDT, sondern /);
    const none = await ask(home, "Why is the ensemble long TAO?", false);
    expect(none.out).toMatchObject({ answered: false });
    expect(none.out!.answer).toContain(
      "the ensemble has no signal for TAO/USDT; it covers BTC/USDT, ETH/USDT",
    );
  });

  it("with a model: only read tools are offered, a trading tool does not exist, and grounded numbers pass", async () => {
    const e = explanations.find((x) => x.symbol === "BTC/USDT")!;
    script = [
      call("trade_start", { strategy: "sma-cross", symbols: "BTC/USDT" }),
      call("explain_signal", { symbol: "BTC" }),
      say(`The ensemble holds ${e.exposurePct}% of equity in BTC/USDT.`),
    ];
    seen.length = 0;
    const r = await ask(home, "why is the ensemble long BTC?", true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ answered: true, by: "model" });
    const read = new Set(MCP_TOOLS.filter((o) => o.access === "read").map((o) => o.id));
    for (const name of seen[0]!.tools)
      expect(["market_brief", "explain_signal"].includes(name) || read.has(name), name).toBe(true);
    expect(seen[0]!.tools).not.toContain("trade_start");
    expect(seen[0]!.tools).not.toContain("propose_order");
    // the refused call came back as an error naming the tools; nothing was started
    expect(seen[1]!.messages.at(-1)!.content).toMatch(/^error: no tool "trade_start"/);
    const sessions = await runKairosInProcess(["--json", "trade", "list"], { home });
    expect(JSON.parse(sessions.stdout)).toEqual([]);
  });

  it("with a model: an invented number is regenerated once, then refused with the reason", async () => {
    script = [call("market_brief", {}), say("BTC will reach 123456.78 by Friday."), say("Still 98765.43.")];
    const r = await ask(home, "what matters today?", true);
    expect(r.out).toMatchObject({ answered: false, by: "model" });
    expect(r.out!.answer).toMatch(/answer refused: the numbers 98765\.43 appear in no tool result/);
  });
});
