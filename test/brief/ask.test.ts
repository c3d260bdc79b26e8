import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiChat } from "../../src/adapters/llm/openai-chat.ts";
import { askModel, askRouter, type ReadTool } from "../../src/app/ask.ts";
import { buildBrief } from "../../src/explain/brief/brief.ts";
import { renderBrief } from "../../src/explain/brief/templates.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { type ChatServer, startChatServer } from "../support/chat-server.ts";

// a real brief over bundled data is the read tool's result
const series = ["BTC/USDT", "TAO/USDT", "NEAR/USDT", "FET/USDT"].map((s) =>
  loadBundledSeries("binance", s, "1d"),
);
const brief = buildBrief({ series, sector: ["TAO/USDT", "NEAR/USDT", "FET/USDT"] });
const briefText = JSON.stringify({ text: renderBrief(brief, "en"), lines: brief.lines });
const tools: ReadTool[] = [
  {
    name: "brief",
    description: "the market brief",
    parameters: { type: "object", properties: {} },
    run: () => briefText,
  },
];

// every value written in the tool result, read independently of the checker
const toolValues = [...briefText.matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
const values = brief.lines.flatMap((l) => l.cites.map((c) => c.value)).filter((v) => Math.abs(v) > 1);

let seed = 42;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
/** A number no tool value is within 0.01 of (and no rounding of one) */
function invented(): string {
  for (;;) {
    const v = Math.round((rnd() < 0.5 ? rnd() * 99 : 100 + rnd() * 900_000) * 100) / 100;
    // a rounding of a tool value (to 0, 1 or 2 decimals) is grounded, so none may be near v
    const near = (t: number): boolean =>
      [t, Math.round(t), Math.round(t * 10) / 10].some((r) => Math.abs(r - v) <= 0.01);
    if (!toolValues.some(near)) return v.toFixed(2);
  }
}
const grounded = (k: number): string => {
  const v = values[k % values.length]!;
  const forms = [`${v}%`, `${Math.abs(v).toFixed(1)} %`, `${String(v).replace(".", ",")}`];
  return forms[k % forms.length]!;
};

// scripted replies per case id: [first answer, answer after regeneration]
const script = new Map<string, [string, string]>();
let chat: ChatServer;
let url = "";
beforeAll(async () => {
  chat = await startChatServer((r) => {
    const msgs = r.messages;
    const id = /case (\d+)/.exec(msgs[1]!.content!)![1]!;
    const toolSeen = msgs.some((m) => m.role === "tool");
    const regen = msgs.filter((m) => m.role === "user").length > 1;
    return toolSeen
      ? { role: "assistant", content: script.get(id)![regen ? 1 : 0] }
      : {
          role: "assistant",
          content: null,
          tool_calls: [{ id: `c${id}`, type: "function", function: { name: "brief", arguments: "{}" } }],
        };
  });
  url = chat.url;
});
afterAll(() => chat.close());

describe("kairos ask: the number check", () => {
  it("refuses 200 of 200 replies with an invented number and passes 200 of 200 grounded ones", async () => {
    const model = openAiChat({ url });
    let caught = 0;
    let passed = 0;
    for (let k = 0; k < 200; k++) {
      const lie = `The AI tokens fell ${grounded(k)} while TAO lost ${invented()}% this week.`;
      const lieAgain = `TAO is down ${invented()}% and volatility is ${grounded(k + 1)}.`;
      script.set(String(k), [lie, lieAgain]);
      const out = await askModel({ model, tools }, { question: `what matters today? case ${k}` });
      if (!out.answered && out.reason?.includes("appear in no tool result")) caught++;
    }
    for (let k = 200; k < 400; k++) {
      const ok = `The AI tokens moved ${grounded(k)} and ${grounded(k + 7)}; correlation ${grounded(k + 3)}.`;
      script.set(String(k), [ok, ok]);
      const out = await askModel({ model, tools }, { question: `what matters today? case ${k}` });
      if (out.answered && out.answer === ok) passed++;
    }
    expect(caught).toBe(200);
    expect(passed).toBe(200);
  }, 120_000);

  it("an invented number is regenerated once: a grounded second answer is kept", async () => {
    const model = openAiChat({ url });
    const good = `Sector ${grounded(1)}.`;
    script.set("900", [`Sector ${invented()}%.`, good]);
    const out = await askModel({ model, tools }, { question: "was ist heute wichtig? case 900" });
    expect(out).toMatchObject({ answered: true, answer: good, lang: "de" });
  });

  it("without an endpoint the router answers from the brief and says what it cannot answer", () => {
    const b = () => ({ brief, lang: "en" as const, text: renderBrief(brief, "en") });
    const today = askRouter(b, { question: "What matters today?" });
    expect(today.answered).toBe(true);
    expect(today.answer.split("\n")[0]).toBe(renderBrief(brief, "en")[0]);
    const tao = askRouter(b, { question: "How did TAO do against BTC this week?" });
    const x = brief.symbols.find((s) => s.symbol === "TAO/USDT")!;
    expect(tao.answer).toContain(`${Math.round(x.return7d * 1000) / 10}%`);
    const no = askRouter(b, { question: "Should I buy NEAR?" });
    expect(no).toMatchObject({ answered: false });
    expect(no.answer).toContain("I answer only");
  });
});
