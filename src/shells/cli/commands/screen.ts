import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { parseInput, strictNumber, wholeNumberField } from "../../../app/contract.ts";
import { strategyNames } from "../../../app/list-strategies.ts";
import {
  QueueScreenInput,
  queuedScreenAddress,
  queueScreener,
  resumeQueuedScreen,
} from "../../../app/queue-screen.ts";
import {
  MAX_SCREEN_THREADS,
  RunScreenInput,
  runScreenUseCase,
  type ScreenRunSummary,
  screenRunJson,
  showScreenRun,
  summariseScreenRuns,
} from "../../../app/run-screen.ts";
import { writeRunReport } from "../../../app/write-report.ts";
import { type Timeframe, timeframeMs } from "../../../domain/timeframe.ts";
import { invalidField } from "../../../errors.ts";
import { paramsText, sampleNotes } from "../../../explain/report/leaderboard.ts";
import type { ScreenRun } from "../../../research/screen.ts";
import type { JudgedVariant } from "../../../research/screen-judge.ts";
import { readChartLibrary } from "../../report/chart-lib.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { fieldFlags } from "../options.ts";
import { progressView } from "../progress.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

interface ScreenOpts {
  universe?: string;
  symbols?: string;
  exchange?: string;
  timeframe: string;
  from?: string;
  to?: string;
  variants: string;
  seed: string;
  preset?: string;
  families?: string;
  search: string;
  fee?: string;
  slippage?: string;
  top: string;
  threads: string;
  set?: string[];
  /** false with --no-report */
  report: boolean;
  reportFile?: string;
  queue?: string;
  chunkSize?: string;
}

// display and thread-count choices of the CLI (the use case's own input is RunScreenInput)
const ScreenTopInput = z.object({ top: wholeNumberField({ min: 1 }) });
const ScreenThreadsInput = z.object({
  threads: wholeNumberField({ min: 1, max: MAX_SCREEN_THREADS, maxReason: "the machine's cores" }),
});

/** `key=value` pairs of numbers; the use case validates keys and bounds */
function parseSettings(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(p.trim());
    const v = m === null ? undefined : strictNumber(m[2]);
    if (m === null || v === undefined)
      throw invalidField("set", `"${p}" is not key=number`, "key=number, e.g. --set walkForwardFolds=4");
    out[m[1]!] = v;
  }
  return out;
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : "-");
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "-");

/** The terminal leaderboard; its first line is the headline (nothing passed -> recommend the baseline) */
export function renderScreen(id: string, run: ScreenRun, top: number): string[] {
  const lines = [run.headline];
  const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
  lines.push(
    `run ${id}: ${run.symbols.join(", ")} ${run.timeframe}, ${run.clock.bars} bars ${iso(run.clock.from)}..${iso(run.clock.to)}, out of sample from ${iso(run.clock.oosStartTs)}`,
  );
  lines.push(
    `search ${run.search.method}: ${run.trials} variants tried of ${run.search.spaceSize}${run.preset === null ? "" : `, preset ${run.preset}`}, seed ${run.seed}`,
  );
  lines.push(`validation: ${run.configText}`);
  const bh = Object.entries(run.buyAndHold)
    .map(([s, v]) => `${s} ${fmt(v.sharpeAnnual)}`)
    .join(", ");
  lines.push(`baseline buy-and-hold OOS Sharpe: ${bh}`);
  lines.push(
    `PBO: run ${fmt(run.runPbo ?? Number.NaN)}; ${Object.entries(run.familyPbo)
      .map(([f, p]) => `${f} ${fmt(p.pbo)}${p.flagged ? " (flagged)" : ""}`)
      .join(", ")}`,
  );
  const s = run.selection;
  lines.push(
    `selection OOS Sharpe (pick the in-sample best, judge it on the test bars): walk-forward anchored ${fmt(s.walkForwardAnchored.meanTestSharpe)}, rolling ${fmt(s.walkForwardRolling.meanTestSharpe)}, CPCV ${fmt(s.cpcv.meanTestSharpe)}`,
  );
  lines.push("");
  const head = [
    "rank",
    "family",
    "params",
    "symbol",
    "OOS Sharpe",
    "deflated",
    "max DD",
    "vs B&H",
    "trades",
    "OOS bars",
    "verdict",
  ];
  const notes = sampleNotes(run.variants, timeframeMs(run.timeframe as Timeframe));
  const shown = run.variants.slice(0, top);
  const rows = shown.map((v: JudgedVariant, i) => [
    String(i + 1),
    v.family,
    paramsText(v.family, v.params),
    notes.has(v.symbol) ? `${v.symbol}*` : v.symbol,
    fmt(v.oos.sharpeAnnual),
    fmt(v.dsr.probability, 3),
    pct(v.oos.maxDrawdown),
    `${v.oos.sharpeAnnual - v.buyAndHold.sharpeAnnual >= 0 ? "+" : ""}${fmt(v.oos.sharpeAnnual - v.buyAndHold.sharpeAnnual)}`,
    String(v.oos.trades),
    v.oos.bars.toLocaleString("en-US"),
    v.verdict.passed ? "PASS" : "fail",
  ]);
  // every cell in full (parameters are never cut): the widest value sets the column
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r
      .map((x, c) => (c >= 4 && c <= 9 ? x.padStart(widths[c]!) : x.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  lines.push(line(head));
  for (const r of rows) lines.push(line(r));
  const shownNotes = [...new Set(shown.map((v) => v.symbol))].flatMap((s) => notes.get(s) ?? []);
  if (shownNotes.length > 0) {
    lines.push("");
    for (const n of shownNotes) lines.push(`* ${n}`);
  }
  if (run.variants.length > top)
    lines.push(`(${top} of ${run.variants.length} variants shown; --top N for more, --json for all)`);
  const best = run.variants[0];
  if (best !== undefined) {
    lines.push("");
    lines.push(`why rank 1 ${best.verdict.passed ? "passed" : "did not pass"}:`);
    for (const r of best.verdict.reasons) lines.push(`  ${r}`);
    if (best.monteCarlo !== undefined) {
      const b = best.monteCarlo.blocks;
      lines.push(
        `  Monte Carlo (${best.monteCarlo.resamples} block resamples): return ${pct(b.totalReturn.p5)}..${pct(b.totalReturn.p95)}, max DD ${pct(b.maxDrawdown.p5)}..${pct(b.maxDrawdown.p95)} (5th..95th pct)`,
      );
    }
  }
  return lines;
}

/** `kairos screen ...`, `kairos screen show <run>`, `kairos screen list` */
export function registerScreenCommand(program: Command): void {
  const screen = program
    .command("screen")
    .description(
      "screen strategy variants over a universe with walk-forward, CPCV, deflated Sharpe and PBO, behind a gate",
    )
    .option("--universe <name>", "ai-tokens or majors")
    .option("--symbols <list>", "comma-separated symbols, e.g. BTC/USDT,ETH/USDT")
    .option("--exchange <id>", "exchange holding the symbols (default: the one that holds them)")
    .option("--timeframe <tf>", "bar timeframe", "1h")
    .option("--from <time>", "first bar (UTC ISO date or time, inclusive)")
    .option("--to <time>", "end (UTC ISO date or time, exclusive)")
    .option("--variants <n>", "variants to try", "1000")
    .option("--seed <n>", "seed of the search and the random baselines", "7")
    .option(
      "--preset <name>",
      "trend-follower, mean-reverter, momentum-rotator, grid-trader or dca-accumulator",
    )
    .option(
      "--families <list>",
      `only these families, comma-separated: ${strategyNames((f) => f.forms.screen).join(", ")}; opt-in families (${strategyNames((f) => f.optIn).join(", ")}) run only when named here`,
    )
    .option("--search <method>", "auto, grid, random or evolutionary", "auto")
    .option("--fee <rate>", "fee per side (0.001, 0.1% or 10bps)")
    .option("--slippage <rate>", "slippage per side")
    .option("--top <n>", "leaderboard rows", "20")
    .option(
      "--set <key=value...>",
      "any validation setting, e.g. --set walkForwardFolds=4 cpcvGroups=8 dsrThreshold=0.9 randomDraws=500",
    )
    .option("--threads <n>", "worker threads for the backtests (results are identical for any count)", "1")
    .option("--report-file <file>", "where the strategist report goes (default <home>/reports/<run>.html)")
    .option("--no-report", "do not build the ensemble and write the strategist report")
    .option(
      "--queue <redis://HOST:PORT>",
      "run the backtests as jobs on `kairos worker` processes through Redis (same results)",
    )
    .option("--chunk-size <n>", "variants per queued job (default 250)")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos screen --universe ai-tokens --timeframe 1h --variants 2000 --seed 7\n  kairos screen --symbols BTC/USDT,ETH/USDT --preset trend-follower --json\n  kairos screen --symbols BTC/USDT --families model-sign,macd --variants 20\n  kairos screen --universe majors --variants 10000 --queue redis://10.0.0.5:6379\n  kairos screen resume sc0123456789abcdef\n  kairos screen show s-20261122-203000",
    )
    .action(async (opts: ScreenOpts, cmd: Command) => {
      const top = parseInput(ScreenTopInput, { top: opts.top }).top;
      const threads = parseInput(ScreenThreadsInput, { threads: opts.threads }).threads;
      const input = parseInput(RunScreenInput, {
        ...opts,
        ...(opts.set === undefined ? {} : { validation: parseSettings(opts.set) }),
      });
      const queued =
        opts.queue === undefined
          ? undefined
          : parseInput(QueueScreenInput, { queue: opts.queue, chunkSize: opts.chunkSize });
      const g = globalsOf(cmd);
      const progress = progressView(g.json);
      await withContainer(cmd, async (c) => {
        const q = queued === undefined ? undefined : await c.queue(queued.queue);
        const pool = q === undefined && threads > 1 ? await c.workers(threads) : undefined;
        try {
          const out = await runScreenUseCase(
            {
              store: c.store,
              runs: c.screenRuns,
              clock: c.clock,
              ...(pool === undefined ? {} : { pool }),
              ...(q === undefined || queued === undefined
                ? {}
                : {
                    remote: queueScreener({
                      queue: q,
                      chunks: c.chunkResults,
                      chunkSize: queued.chunkSize,
                      log: printInfo,
                      onRun: (run) =>
                        printInfo(
                          `queued screen run ${run} on ${q.where}; if it stops, \`kairos screen resume ${run}\` finishes it`,
                        ),
                    }),
                  }),
              onProgress: progress.onProgress,
            },
            input,
          );
          progress.stop();
          if (g.json) printJson(screenRunJson(out.id, out.createdAt, out.run));
          else {
            for (const l of renderScreen(out.id, out.run, top)) printLine(l);
            printInfo(`stored as ${out.id}: reopen with \`kairos screen show ${out.id}\``);
          }
          if (opts.report) {
            // the strategist report (ensemble, explained signals, charts) is written by default
            const path = opts.reportFile ?? join(c.home, "reports", `${out.id}.html`);
            writeRunReport(
              {
                store: c.store,
                runs: c.screenRuns,
                files: c.files,
                chartLibrary: readChartLibrary,
                clock: c.clock,
              },
              { id: out.id, path, ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }) },
            );
            if (!g.json) printInfo(`report: ${path}`);
          }
        } finally {
          progress.stop();
          await pool?.close();
          await q?.close();
        }
      });
    });
  // validation settings are typed `--set key=value`
  fieldFlags(screen, { "validation.*": "--set {key}" });
  screen
    .command("resume <run>")
    .description(
      "finish a queued screen that stopped (failed chunks, no workers, Redis away): only the missing chunks are queued",
    )
    .option("--queue <redis://HOST:PORT>", "the Redis to queue to (default: the one the run began on)")
    .option("--top <n>", "leaderboard rows", "20")
    .action(async (id: string, opts: { queue?: string; top: string }, cmd: Command) => {
      const top = parseInput(ScreenTopInput, { top: opts.top }).top;
      const g = globalsOf(cmd);
      const progress = progressView(g.json);
      await withContainer(cmd, async (c) => {
        const url = opts.queue ?? queuedScreenAddress(c.chunkResults, id);
        const { queue } = parseInput(QueueScreenInput.pick({ queue: true }), { queue: url });
        const q = await c.queue(queue);
        try {
          const out = await resumeQueuedScreen(
            { store: c.store, runs: c.screenRuns, clock: c.clock, onProgress: progress.onProgress },
            c.chunkResults,
            id,
            { queue: q, log: printInfo },
          );
          progress.stop();
          if (g.json) printJson(screenRunJson(out.id, out.createdAt, out.run));
          else for (const l of renderScreen(out.id, out.run, top)) printLine(l);
          printInfo(
            out.alreadyDone
              ? `queued run ${id} had finished: it is stored as ${out.id} (\`kairos screen show ${out.id}\`)`
              : `stored as ${out.id}: reopen with \`kairos screen show ${out.id}\``,
          );
        } finally {
          progress.stop();
          await q.close();
        }
      });
    });
  screen
    .command("show <run>")
    .description("reopen a stored screen run")
    .option("--top <n>", "leaderboard rows", "20")
    .action(async (id: string, opts: { top: string }, cmd: Command) => {
      // `screen` has its own --top, which takes the flag when it follows the run id: honour it there too
      const parentTop =
        cmd.parent?.getOptionValueSource("top") === "cli"
          ? (cmd.parent.opts() as { top?: string }).top
          : undefined;
      const top = parseInput(ScreenTopInput, {
        top: cmd.getOptionValueSource("top") === "cli" ? opts.top : (parentTop ?? opts.top),
      }).top;
      await withContainer(cmd, (c, g) => {
        const { info, run } = showScreenRun(c.screenRuns, id);
        if (g.json) printJson(screenRunJson(info.id, info.createdAt, run));
        else for (const l of renderScreen(info.id, run, top)) printLine(l);
      });
    });
  screen
    .command("list")
    .description(
      "list stored screen runs, newest first: universe, timeframe, preset, symbols, variants, best verdict",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await withContainer(cmd, (c, g) => {
        const runs = summariseScreenRuns(c.screenRuns);
        if (g.json) printJson(runs);
        else if (runs.length === 0)
          printLine("no screen runs stored yet: run `kairos screen --universe majors`");
        else
          printLine(
            table(
              [
                "run",
                "created (UTC)",
                "universe",
                "tf",
                "preset",
                "symbols",
                "variants",
                "passed",
                "best variant (OOS Sharpe, verdict)",
              ],
              runs.map(listRow),
            ),
          );
      });
    });
}

/** One `screen list` row */
function listRow(r: ScreenRunSummary): string[] {
  const b = r.best;
  return [
    r.id,
    new Date(r.createdAt).toISOString().slice(0, 16).replace("T", " "),
    r.universe ?? "custom",
    r.timeframe,
    r.preset ?? "all families",
    r.symbols.length <= 3
      ? r.symbols.join(",")
      : `${r.symbols.length} (${r.symbols.slice(0, 2).join(",")},...)`,
    String(r.variants),
    String(r.passed),
    b === null
      ? "none"
      : `${b.family} ${paramsText(b.family, b.params)} on ${b.symbol}: ${fmt(b.oosSharpe)}, ${b.passed ? "PASS" : "fail"}`,
  ];
}
