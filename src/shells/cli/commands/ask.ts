import type { Command } from "commander";
import { type AskOutput, askKairos, operationTool } from "../../../app/ask.ts";
import { briefReadTools } from "../../../app/ask-tools.ts";
import { briefDepsOf } from "../../../app/brief.ts";
import { JobService } from "../../../app/job-service.ts";
import { chatModelFromEnv } from "../../../composition-root.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

/** `kairos ask "QUESTION"`: answers from kairos's own numbers; with KAIROS_LLM_URL through a model whose numbers are checked */
export function registerAskCommand(program: Command): void {
  program
    .command("ask <question>")
    .description(
      "answer a market question from kairos's own numbers (brief, signals, series); with KAIROS_LLM_URL a model with read tools only, every number checked",
    )
    .option("--timeframe <tf>", "bar length the brief reads", "1d")
    .addHelpText(
      "after",
      '\nExamples:\n  kairos ask "what matters today?"\n  kairos ask "how did TAO do against BTC this week?"\n  kairos ask "why is the ensemble long NEAR?"\n  KAIROS_LLM_URL=http://127.0.0.1:11434/v1 KAIROS_LLM_MODEL=llama3.1 kairos ask "was ist heute wichtig?"',
    )
    .action(async (question: string, opts: { timeframe: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const out: AskOutput = await withContainer(cmd, (c) =>
        askKairos(
          {
            brief: briefDepsOf(c),
            model: chatModelFromEnv(),
            // the MCP face's read tools (never a write, a proposal or an order), loaded only when a model is asked
            readTools: async (brief) => {
              const { MCP_TOOLS } = await import("../../mcp/server.ts");
              const ctx = {
                c,
                principal: { tokenId: "ask", kind: "agent" as const, name: "kairos-ask" },
                jobs: new JobService(c.jobStore, c.clock),
              };
              // reads only: the MCP face also offers agents propose_order, which kairos ask never does
              return [
                ...briefReadTools(brief),
                ...MCP_TOOLS.filter((op) => op.access === "read" && op.id !== "brief").map((op) =>
                  operationTool(op, (args) => op.run(ctx, args)),
                ),
              ];
            },
          },
          { question, timeframe: opts.timeframe },
        ),
      );
      if (g.json) return printJson(out);
      printLine(out.answer);
    });
}
