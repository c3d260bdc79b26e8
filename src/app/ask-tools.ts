import { explanationParagraph } from "../explain/paragraph.ts";
import type { ReadTool } from "./ask.ts";
import type { BriefOutput } from "./brief.ts";

/**
 * The assistant's own read tools over a brief (every face that offers `ask` adds these to the MCP
 * read operations): the full brief, and why the ensemble holds what it holds on one symbol.
 */
export function briefReadTools(brief: () => BriefOutput): ReadTool[] {
  return [
    {
      name: "market_brief",
      description:
        "today's market brief: every line with its numbers (series, bar time, value), headline sentiment, the ensemble's signals and hit rates, positions",
      parameters: { type: "object", properties: {} },
      run: () => {
        const b = brief();
        return JSON.stringify({ text: b.text, lines: b.brief.lines, symbols: b.brief.symbols });
      },
    },
    {
      name: "explain_signal",
      description: "why the ensemble holds what it holds on one symbol: votes, conditions, regime, risk",
      parameters: {
        type: "object",
        properties: { symbol: { type: "string", description: "e.g. NEAR/USDT" } },
        required: ["symbol"],
      },
      run: (args) => {
        const want = String((args as { symbol?: unknown }).symbol ?? "").toUpperCase();
        const all = brief().explanations ?? [];
        const e = all.find((x) => x.symbol === want || x.symbol.split("/")[0] === want);
        return e === undefined
          ? `no ensemble signal for ${want}: the ensemble covers ${all.map((x) => x.symbol).join(", ") || "nothing (no stored screen run)"}`
          : JSON.stringify({ explanation: e, paragraph: explanationParagraph(e) });
      },
    },
  ];
}
