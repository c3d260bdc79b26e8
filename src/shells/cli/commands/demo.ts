import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { runDemo } from "../../../app/run-demo.ts";
import { bundledDataDir } from "../../../composition-root.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";

/** `kairos demo`: the main job on the bundled data, offline */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "run kairos on the bundled real data (no network): import it into a fresh home and show what it holds",
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
        (c, g) => {
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
          if (g.json) return printJson(report);
          printLine(
            table(
              ["exchange", "symbol", "tf", "rows", "first", "last", "gaps"],
              report.series.map((s) => [
                s.exchange,
                s.symbol,
                s.timeframe,
                s.rows.toLocaleString("en-US"),
                fmtTs(s.first),
                fmtTs(s.last),
                s.gaps === 0 ? "none" : `${s.gaps} (${s.missing} missing)`,
              ]),
            ),
          );
        },
        home,
      );
    });
}
