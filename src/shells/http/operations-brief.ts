/**
 * The brief operations of the table (operations.ts): the market brief, `kairos ask` and the news.
 */
import type { z } from "zod";
import { AskInput, askKairos, operationTool } from "../../app/ask.ts";
import { briefReadTools } from "../../app/ask-tools.ts";
import { BriefInput, briefDepsOf, briefJson, marketBrief } from "../../app/brief.ts";
import { parseInput, timeframeField } from "../../app/contract.ts";
import { listNews, NewsListInput } from "../../app/news-list.ts";
import { chatModelFromEnv } from "../../composition-root.ts";

import type { OpContext, Operation } from "./operation.ts";

/** `kairos ask QUESTION [--timeframe TF]`: the use case's contract and the CLI's one flag (same default) */
const AskHttpInput = AskInput.extend({ timeframe: timeframeField().default("1d") }).strict();

/**
 * `kairos ask` over HTTP, as the CLI runs it (app/ask.ts askKairos): with KAIROS_LLM_URL a model
 * offered the read operations of the table (the MCP face's reads) and the brief's own tools,
 * never a compute, person-only or proposing operation
 */
function askOverHttp(table: readonly Operation[], x: OpContext, raw: unknown): Promise<unknown> {
  const q = parseInput(AskHttpInput, raw);
  // the model's tools run as an agent whatever the caller is: a person's session lends it nothing
  const asAgent: OpContext = { ...x, principal: { tokenId: "ask", kind: "agent", name: "kairos-ask" } };
  return askKairos(
    {
      brief: briefDepsOf(x.c),
      model: chatModelFromEnv(),
      readTools: (brief) => [
        ...briefReadTools(brief),
        ...table
          .filter((op) => op.access === "read" && op.id !== "brief")
          .map((op) => operationTool(op, (args) => op.run(asAgent, args))),
      ],
    },
    q,
  );
}

/**
 * The brief, ask and news operations; `table` is the whole table (read when a question comes), whose
 * read operations ask offers a model
 */
export function briefOperations(table: () => readonly Operation[]): Operation[] {
  return [
    // brief
    {
      id: "brief",
      method: "post",
      path: "/v1/brief",
      summary: "the market brief: sector shock, movers, trend, volatility, correlation (kairos brief --json)",
      access: "read",
      input: BriefInput,
      // the CLI's `brief --json` shape: the brief's fields beside its language, text and comparison
      run: ({ c }, raw) => briefJson(marketBrief(briefDepsOf(c), parseInput(BriefInput, raw))),
    },
    {
      id: "ask",
      method: "post",
      path: "/v1/ask",
      summary:
        "answers a market question from kairos's own numbers; with KAIROS_LLM_URL a model with read tools only, every number checked (kairos ask --json)",
      // compute, not read: it may run a model (cost, seconds) and is not an MCP tool (an agent asking
      // a model that calls tools would nest agents); it stores nothing and moves no money
      access: "compute",
      input: AskHttpInput,
      run: (x, raw) => askOverHttp(table(), x, raw),
    },
    {
      id: "news_list",
      method: "post",
      path: "/v1/news/list",
      summary:
        "stored headlines, newest first, with language, symbols and sentiment (kairos news list --json)",
      access: "read",
      input: NewsListInput,
      run: ({ c }, raw) => listNews({ news: c.news }, raw as z.input<typeof NewsListInput>),
    },
  ];
}
