import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { evaluateModels } from "../../../app/evaluate-models.ts";
import { runDemo } from "../../../app/run-demo.ts";
import { runStrategistDemo } from "../../../app/strategist-demo.ts";
import { bundledDataDir } from "../../../composition-root.ts";
import { readChartLibrary } from "../../report/chart-lib.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { progressView } from "../progress.ts";
import { withContainer } from "../with-container.ts";
import { seriesTable, table } from "./data-format.ts";
import { EVALUATION_HEAD, evaluationRow } from "./model-evaluate.ts";
import { renderStrategist } from "./strategist-format.ts";

/** The demo's screens: the AI-token universe and the majors, hourly */
const DEMO_UNIVERSES = [
  { universe: "ai-tokens", timeframe: "1h", variants: 400 },
  { universe: "majors", timeframe: "1h", variants: 400 },
];

/** `kairos demo`: the main job on the bundled data, offline */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "run kairos on the bundled real data (no network): import it, screen the AI tokens and the majors, build the ensemble, explain today's signals and write the reports",
    )
    .addHelpText(
      "after",
      "\nExample:\n  kairos demo                 # a fresh temporary home\n  kairos demo --home ./demo   # keep the home",
    )
    .action((_opts: unknown, cmd: Command) => {
      const explicit = cmd.optsWithGlobals<{ home?: string }>().home ?? process.env.KAIROS_HOME;
      // without --home the demo never touches ~/.kairos: it works in a fresh temporary home
      const home = explicit ?? mkdtempSync(join(tmpdir(), "kairos-demo-"));
      return withContainer(
        cmd,
        async (c, g) => {
          if (!g.json)
            printInfo(
              `kairos demo: home ${home}${explicit === undefined ? " (temporary; pass --home DIR to keep it)" : ""}`,
            );
          const report = runDemo(
            { store: c.store, files: c.files, funding: c.funding },
            { home, dataDir: bundledDataDir() },
            (line) => {
              if (!g.json) printInfo(line);
            },
          );
          const progress = progressView(g.json);
          // the strategist: screen both universes, build the ensemble, explain today's signals, write the reports
          const parts = await runStrategistDemo(
            {
              store: c.store,
              runs: c.screenRuns,
              files: c.files,
              chartLibrary: readChartLibrary,
              clock: c.clock,
            },
            { exchange: "binance", universes: DEMO_UNIVERSES, seed: 7, reportDir: join(home, "reports") },
            (line) => {
              if (!g.json) printInfo(line);
            },
            progress.onProgress,
          );
          progress.stop();
          // the forecasters beside their naive baselines on daily BTC: what fits the demo's time budget
          if (!g.json)
            printInfo(
              "forecasting: every model beside naive baselines, walk-forward on binance BTC/USDT 1d (h = 1, 7)",
            );
          const forecasting = await evaluateModels(
            { store: c.store, tensors: c.tensors, clock: c.clock },
            { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d", horizons: [1, 7], folds: 3 },
          );
          if (g.json)
            return printJson({
              ...report,
              forecasting,
              strategist: parts.map((p) => ({
                ...p.report,
                universe: p.universe,
                reportPath: p.reportPath,
                seconds: p.seconds,
              })),
            });
          printLine(seriesTable(report.series));
          for (const p of parts) {
            printLine("");
            printLine(`== ${p.universe} (${p.timeframe}) ==`);
            printLine(renderStrategist(p.report));
          }
          printLine("");
          printLine("== forecasting: binance BTC/USDT 1d, walk-forward, models beside naive baselines ==");
          printLine(table(EVALUATION_HEAD, forecasting.evaluation.results.map(evaluationRow)));
          printLine(
            "beats naive = passes a one-sided Diebold-Mariano (values) or direction test after Holm, alpha 0.05",
          );
          printLine("");
          for (const p of parts) printLine(`report: ${p.reportPath}  (run ${p.runId})`);
        },
        home,
      );
    });
}
