import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type BriefStore, marketBrief } from "../../../app/brief.ts";
import type { Brief } from "../../../explain/brief/brief.ts";
import { briefHtml, renderCites } from "../../../explain/brief/templates.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 15);

/** Briefs as JSON files in <home>/briefs, named by their asOf so the newest sorts last */
export function fileBriefStore(home: string): BriefStore {
  const dir = join(home, "briefs");
  const files = (): string[] => {
    try {
      return readdirSync(dir)
        .filter((f) => /^brief-\d{8}T\d{6}\.json$/.test(f))
        .sort();
    } catch {
      return [];
    }
  };
  return {
    latest(atOrBefore?: number): Brief | undefined {
      const limit = atOrBefore === undefined ? undefined : `brief-${stamp(atOrBefore)}.json`;
      const f = files()
        .filter((x) => limit === undefined || x <= limit)
        .at(-1);
      if (f === undefined) return undefined;
      try {
        const b = JSON.parse(readFileSync(join(dir, f), "utf8")) as Brief;
        return b.version === 1 && Array.isArray(b.symbols) ? b : undefined;
      } catch {
        // an unreadable old brief is no reason to refuse today's
        return undefined;
      }
    },
    save(brief: Brief): void {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `brief-${stamp(brief.asOf)}.json`);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(brief)}\n`);
      renameSync(tmp, path);
    },
  };
}

/** `kairos brief`: what matters in the market now, every line with the numbers it rests on */
export function registerBriefCommand(program: Command): void {
  program
    .command("brief")
    .description(
      "market brief: sector shocks first, AI tokens vs BTC, movers, regimes, correlations, funding, what changed; every line cited",
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
    .addHelpText(
      "after",
      "\nExamples:\n  kairos brief --universe ai-tokens --timeframe 1d\n  kairos brief --lang de --json\n  kairos brief --since 2026-02-01 --html brief.html",
    )
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const g = globalsOf(cmd);
      await withContainer(cmd, (c) => {
        const out = marketBrief(
          { store: c.store, funding: c.funding, briefs: fileBriefStore(c.home) },
          {
            ...(opts.universe === undefined ? {} : { universe: String(opts.universe) }),
            ...(opts.symbols === undefined ? {} : { symbols: String(opts.symbols) }),
            ...(opts.exchange === undefined ? {} : { exchange: String(opts.exchange) }),
            timeframe: String(opts.timeframe),
            since: String(opts.since),
            lang: String(opts.lang) as "en",
            save: opts.save !== false,
          },
        );
        if (opts.html !== undefined)
          c.files.writeTextAtomic(String(opts.html), briefHtml(out.brief, out.lang));
        if (g.json)
          return printJson({
            ...out.brief,
            lang: out.lang,
            text: out.text,
            previousAsOf: out.previousAsOf ?? null,
          });
        out.brief.lines.forEach((l, k) => {
          printLine(out.text[k]);
          if (opts.cite === true) printLine(`    ${renderCites(l)}`);
        });
        if (opts.html !== undefined) printInfo(`html: ${String(opts.html)}`);
      });
    });
}
