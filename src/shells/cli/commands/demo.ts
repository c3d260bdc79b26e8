import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { runDemo } from "../../../app/run-demo.ts";
import { runStrategistDemo } from "../../../app/strategist-demo.ts";
import { bundledDataDir } from "../../../composition-root.ts";
import { readChartLibrary } from "../../report/chart-lib.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";
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
            (label, done, total) => {
              if (!g.json && process.stderr.isTTY)
                process.stderr.write(`\r${label}: ${done}/${total} variants`);
            },
          );
          if (g.json)
            return printJson({
              ...report,
              strategist: parts.map((p) => ({
                ...p.report,
                universe: p.universe,
                reportPath: p.reportPath,
                seconds: p.seconds,
              })),
            });
          printLine(
            table(
              ["exchange", "symbol", "tf", "rows", "first", "last", "gaps"],
              report.series.map((s) => [
                s.exchange,
                s.symbol,
                s.timeframe,
                s.rows.toLocaleString("en-US"),
                fmtTs(s.first, s.timeframe),
                fmtTs(s.last, s.timeframe),
                s.gaps === 0 ? "none" : `${s.gaps} (${s.missing} missing)`,
              ]),
            ),
          );
          for (const p of parts) {
            printLine("");
            printLine(`== ${p.universe} (${p.timeframe}) ==`);
            printLine(renderStrategist(p.report));
          }
          printLine("");
          for (const p of parts) printLine(`report: ${p.reportPath}  (run ${p.runId})`);
        },
        home,
      );
    });
}
