import { Command } from "commander";
import { registerAlertsCommand } from "./commands/alerts.ts";
import { registerApprovalsCommand } from "./commands/approvals.ts";
import { registerAskCommand } from "./commands/ask.ts";
import { registerAuditCommand } from "./commands/audit.ts";
import { registerAuthCommand } from "./commands/auth.ts";
import { registerBacktestCommand } from "./commands/backtest.ts";
import { registerBotCommand } from "./commands/bot.ts";
import { registerBriefCommand } from "./commands/brief.ts";
import { registerDataCommand } from "./commands/data.ts";
import { registerDemoCommand } from "./commands/demo.ts";
import { registerIndicatorsCommand } from "./commands/indicators.ts";
import { registerKillCommand } from "./commands/kill.ts";
import { registerMcpCommand } from "./commands/mcp.ts";
import { registerModelCommand } from "./commands/model.ts";
import { registerModelEvaluateCommand } from "./commands/model-evaluate.ts";
import { registerNewsCommand } from "./commands/news.ts";
import { registerReportCommand } from "./commands/report.ts";
import { registerRiskCommand } from "./commands/risk.ts";
import { registerScreenCommand } from "./commands/screen.ts";
import { registerSentimentCommand } from "./commands/sentiment.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerSimCommand } from "./commands/sim.ts";
import { registerStrategiesCommand } from "./commands/strategies.ts";
import { registerSweepCommand } from "./commands/sweep.ts";
import { registerTradeCommand } from "./commands/trade.ts";
import { registerWorkerCommand } from "./commands/worker.ts";

/** Builds the whole CLI; each command group lives in commands/ and registers itself here */
export function buildProgram(): Command {
  const program = new Command("kairos")
    .description("Self-hosted AI strategist for crypto markets")
    .version("0.1.0")
    .option("--home <dir>", "kairos home folder (default ~/.kairos, or $KAIROS_HOME)")
    .option("--json", "machine-readable JSON on stdout")
    .option("--debug", "show the cause chain of errors")
    // parse errors are rendered by main.ts as one line plus "see `kairos X --help`", not by commander
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  program.exitOverride();
  registerAuditCommand(program);
  registerAlertsCommand(program);
  registerApprovalsCommand(program);
  registerAskCommand(program);
  registerAuthCommand(program);
  registerBacktestCommand(program);
  registerBotCommand(program);
  registerBriefCommand(program);
  registerDataCommand(program);
  registerDemoCommand(program);
  registerIndicatorsCommand(program);
  registerKillCommand(program);
  registerReportCommand(program);
  registerModelEvaluateCommand(program);
  registerMcpCommand(program);
  registerModelCommand(program);
  registerNewsCommand(program);
  registerRiskCommand(program);
  registerScreenCommand(program);
  registerSentimentCommand(program);
  registerServeCommand(program);
  registerSimCommand(program);
  registerStrategiesCommand(program);
  registerSweepCommand(program);
  registerTradeCommand(program);
  registerWorkerCommand(program);
  return program;
}
