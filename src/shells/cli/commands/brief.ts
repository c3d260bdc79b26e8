import type { Command } from "commander";
import { briefDepsOf, briefJson, marketBrief } from "../../../app/brief.ts";
import { briefHtml, renderCites } from "../../../explain/brief/templates.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

/** `kairos brief`: what matters in the market now, every line with the numbers it rests on */
export function registerBriefCommand(program: Command): void {
  program
    .command("brief")
    .description(
      "market brief: sector shocks first, AI tokens vs BTC, movers, regimes, correlations, funding, headlines, the ensemble's signals and their out-of-sample hit rates, positions, what changed; every line cited",
    )
    .option("--universe <name>", "ai-tokens or majors (BTC/USDT is always added as the benchmark)")
    .option("--symbols <list>", "comma-separated symbols")
    .option("--exchange <name>", "only series of this exchange")
    .option("--timeframe <tf>", "bar length of the series read", "1h")
    .option(
      "--since <when>",
      "compare against the previous brief (last) or the brief at or before a date",
      "last",
    )
    .option("--lang <lang>", "en or de", "en")
    .option("--html <file>", "also write the brief as an HTML page")
    .option("--cite", "print the citations under each line")
    .option("--no-save", "do not store this brief in the home")
    .option("--no-signals", "skip the ensemble's signals (rebuilding a large screen run takes seconds)")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos brief --universe ai-tokens --timeframe 1d\n  kairos brief --lang de --json\n  kairos brief --since 2026-02-01 --html brief.html",
    )
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const g = globalsOf(cmd);
      await withContainer(cmd, (c) => {
        const out = marketBrief(briefDepsOf(c), {
          ...(opts.universe === undefined ? {} : { universe: String(opts.universe) }),
          ...(opts.symbols === undefined ? {} : { symbols: String(opts.symbols) }),
          ...(opts.exchange === undefined ? {} : { exchange: String(opts.exchange) }),
          timeframe: String(opts.timeframe),
          since: String(opts.since),
          lang: String(opts.lang) as "en",
          save: opts.save !== false,
          signals: opts.signals !== false,
        });
        if (opts.html !== undefined)
          c.files.writeTextAtomic(String(opts.html), briefHtml(out.brief, out.lang));
        if (g.json) return printJson(briefJson(out));
        out.brief.lines.forEach((l, k) => {
          printLine(out.text[k]);
          if (opts.cite === true) printLine(`    ${renderCites(l)}`);
        });
        if (opts.html !== undefined) printInfo(`html: ${String(opts.html)}`);
      });
    });
}
