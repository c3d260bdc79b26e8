import { join } from "node:path";
import type { Command } from "commander";
import { parseInput } from "../../../app/contract.ts";
import { RunReportInput, writeRunReport } from "../../../app/write-report.ts";
import { readChartLibrary } from "../../report/chart-lib.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { fieldFlags } from "../options.ts";
import { withContainer } from "../with-container.ts";
import { renderStrategist } from "./strategist-format.ts";

/** `kairos report <run>`: the strategist report (ensemble, explanations, charts) of a stored screen run */
export function registerReportCommand(program: Command): void {
  const report = program
    .command("report <run>")
    .description(
      "build the ensemble of a stored screen run, explain each symbol's latest signal and write the self-contained HTML report",
    )
    .option("--out <file>", "where to write the HTML (default <home>/reports/<run>.html)")
    .option("--exchange <id>", "exchange holding the run's symbols (default: the one that holds them)")
    .option("--scheme <name>", "ensemble weighting: decay, inverse-variance or stake", "decay")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos screen --universe majors --timeframe 1d --variants 300   # prints the run id\n  kairos report s-20261122-203000 --out report.html --scheme stake",
    )
    .action(async (id: string, opts: { out?: string; exchange?: string; scheme: string }, cmd: Command) => {
      const input = parseInput(RunReportInput, {
        id,
        path: opts.out ?? "-",
        ensemble: { scheme: opts.scheme },
        ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }),
      });
      await withContainer(cmd, (c, g) => {
        const path = opts.out ?? join(c.home, "reports", `${id}.html`);
        const out = writeRunReport(
          {
            store: c.store,
            runs: c.screenRuns,
            files: c.files,
            chartLibrary: readChartLibrary,
            clock: c.clock,
          },
          { ...input, path },
        );
        if (g.json) return printJson({ id: out.id, path: out.path, ...out.data });
        printLine(renderStrategist(out.data));
        printLine("");
        printLine(`report: ${out.path}`);
        printInfo("open it in any browser; it needs no network");
      });
    });
  // the use case's fields under their flags and argument
  fieldFlags(report, { id: "<run>", path: "--out", "ensemble.scheme": "--scheme" });
}
