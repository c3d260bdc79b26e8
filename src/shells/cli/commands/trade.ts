import { resolve } from "node:path";
import type { Command } from "commander";
import {
  listTrading,
  reconcileTrading,
  resumeTrading,
  stopTrading,
  tradeStatus,
} from "../../../app/trade-control.ts";
import { tradeDrift } from "../../../app/trade-drift.ts";
import type { RunProgress } from "../../../app/trade-runtime.ts";
import { startTrading } from "../../../app/trade-start.ts";
import { invalidInput } from "../../../errors.ts";
import { crashHookFromSpec } from "../../../execution/crash-points.ts";
import type { ReconciliationRecord } from "../../../ports/order-store.ts";
import { type CliGlobals, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { parseParamFlags } from "./backtest.ts";
import { resumeLatch } from "./risk.ts";

interface ResumeFlags {
  acceptBalances?: boolean;
  keyFile?: string;
  by?: string;
  reason?: string;
  reducing?: boolean;
}

interface StartOpts {
  strategy: string;
  symbols: string;
  timeframe: string;
  exchange?: string;
  paper?: boolean;
  live?: boolean;
  capital?: string;
  fee?: string;
  slippage?: string;
  from?: string;
  to?: string;
  id?: string;
  reconcileEvery?: string;
  confirmLive?: string;
  keyFile?: string;
  apiBase?: string;
  venueClock?: boolean;
  size?: string;
}

// test hook for the crash tests (R1, bots): KAIROS_CRASH_AT=<point>:<n> kills the process there
export const crashHook = () => {
  const spec = process.env.KAIROS_CRASH_AT;
  if (spec === undefined || spec === "") return undefined;
  return crashHookFromSpec(spec, () => {
    process.kill(process.pid, "SIGKILL");
    throw new Error("unreachable");
  });
};

/** One line per decided bar and note, for `trade` and `bot` runs (`label` names what decided) */
export const sessionProgress =
  (g: CliGlobals, label = "decision") =>
  (p: RunProgress) => {
    if (g.json) return;
    const t = new Date(p.barTs).toISOString().replace(":00.000Z", "Z");
    if (p.decided) printInfo(`${t}  ${label}: ${p.orders} order(s)`);
    for (const n of p.notes) printInfo(`${t}  ${n}`);
  };

function printReconciliation(r: ReconciliationRecord): void {
  if (r.ok) printLine(`reconciliation ${new Date(r.ts).toISOString()}: kairos and the venue agree`);
  else {
    printLine(
      `reconciliation ${new Date(r.ts).toISOString()}: ${r.differences.length + r.foreignOrders.length} difference(s)`,
    );
    for (const f of r.foreignOrders) printLine(`  venue order not sent by kairos (not adopted): ${f}`);
    for (const d of r.differences) printLine(`  ${d}`);
  }
}

/** `kairos trade ...`: paper trading sessions (start, status, stop, list, resume, reconcile) */
export function registerTradeCommand(program: Command): void {
  const trade = program
    .command("trade")
    .description("trading sessions: paper by default, acting on each closed candle");

  trade
    .command("start")
    .description(
      "start a session: the strategy decides on each closed candle, orders move the position to its target",
    )
    .requiredOption(
      "--strategy <family>",
      "strategy family, e.g. sma-cross (parameters follow as --fast 20 --slow 50)",
    )
    .requiredOption("--symbols <A/Q,...>", "markets, e.g. BTC/USDT,ETH/USDT (one quote currency)")
    .requiredOption("--timeframe <tf>", "candle timeframe, e.g. 1h")
    .option(
      "--exchange <id>",
      "exchange whose stored candles drive the session (default: the one holding them)",
    )
    .option("--paper", "paper trading on the in-process paper venue (the default)")
    .option("--live", "live trading: needs --exchange, --confirm-live EXCHANGE and a trading-only key")
    .option("--confirm-live <exchange>", "type the exchange's name to confirm live trading")
    .option("--key-file <path>", "API key file, mode 0600 (default: KAIROS_<EXCHANGE>_API_KEY and _SECRET)")
    .option("--api-base <url>", "send every exchange request to this origin (e.g. the simulated exchange)")
    .option(
      "--venue-clock",
      "the risk gate keeps the exchange's clock: only with --api-base of `kairos sim` on 127.0.0.1 (taken without asking when that exchange runs faster than real time)",
    )
    .option("--capital <n>", "paper account's starting quote balance (default 10000)")
    .option("--fee <rate>", "paper taker fee (default 0.001)")
    .option("--slippage <rate>", "paper slippage (default 0)")
    .option("--from <time>", "replay stored candles from this ISO UTC time, acting on each as it closes")
    .option("--to <time>", "end of the replay (exclusive; default: the last stored candle)")
    .option("--id <id>", "session id (1-12 lower-case letters or digits; default: random)")
    .option("--reconcile-every <bars>", "reconcile with the venue every N bars (default 50)")
    .option("--size <fraction>", "share of equity a full target means, as in backtest (default 1)")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText(
      "after",
      "\nExample:\n  kairos trade start --strategy sma-cross --fast 10 --slow 30 --symbols BTC/USDT --timeframe 1h --from 2025-06-01",
    )
    .action((opts: StartOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        // what commander did not take are the strategy's parameters (--fast 10 --slow 30)
        const params = parseParamFlags(cmd.args.filter((a) => a !== "--json" && a !== "--debug"));
        const r = await startTrading(
          c.trading(crashHook()),
          {
            strategy: opts.strategy,
            params,
            symbols: opts.symbols,
            timeframe: opts.timeframe,
            live: opts.live === true,
            ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }),
            ...(opts.capital === undefined ? {} : { capital: opts.capital }),
            ...(opts.fee === undefined ? {} : { fee: opts.fee }),
            ...(opts.slippage === undefined ? {} : { slippage: opts.slippage }),
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
            ...(opts.id === undefined ? {} : { id: opts.id }),
            ...(opts.reconcileEvery === undefined ? {} : { reconcileEvery: opts.reconcileEvery }),
            ...(opts.confirmLive === undefined ? {} : { confirmLive: opts.confirmLive }),
            // the key file's path as a later resume from any directory finds it
            ...(opts.keyFile === undefined ? {} : { keyFile: resolve(opts.keyFile) }),
            ...(opts.apiBase === undefined ? {} : { apiBase: opts.apiBase }),
            ...(opts.venueClock === undefined ? {} : { venueClock: opts.venueClock }),
            ...(opts.size === undefined ? {} : { size: opts.size }),
          },
          sessionProgress(g),
        );
        if (g.json) printJson(r);
        else {
          if (r.limitsCreated !== undefined)
            printLine(
              `no risk limits in this home: wrote the conservative defaults to ${r.limitsCreated} (\`kairos risk show\`; raise them with \`kairos risk set KEY VALUE --by NAME\`)`,
            );
          if (r.venueClock === true)
            printLine("the risk gate kept the simulated exchange's clock (it runs at its own speed)");
          printLine(`session ${r.sessionId}: ${r.state}, acted on ${r.barsActed} bar(s)`);
          if (r.haltReason !== undefined) printLine(r.haltReason);
          printLine(`see \`kairos trade status ${r.sessionId}\``);
        }
      }),
    );

  trade
    .command("status [session]")
    .description(
      "state, positions, open orders, P&L and the latest decision of a session (default: the newest)",
    )
    .action((id: string | undefined, _o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const s = tradeStatus(c.trading(), id === undefined ? {} : { id });
        if (g.json) return printJson(s);
        printLine(
          `session ${s.id} (${s.mode}) ${s.state.toUpperCase()}: ${s.strategy} ${JSON.stringify(s.params)} on ${s.symbols.join(", ")} ${s.timeframe}`,
        );
        if (s.haltReason !== undefined) printLine(s.haltReason);
        printLine(
          `last bar ${s.lastBar ?? "none"}; equity ${s.equity} (capital ${s.capital}, P&L ${s.pnl}); ${s.orders} orders, ${s.fills} fills`,
        );
        printLine(
          `balances ${Object.entries(s.balances)
            .map(([a, v]) => `${a} ${v}`)
            .join(", ")}`,
        );
        for (const [sym, p] of Object.entries(s.positions))
          printLine(
            `position ${sym}: ${p.qty} at ${p.averagePrice ?? "-"}, realised ${p.realisedPnl}, unrealised ${p.unrealisedPnl ?? "-"}, fees ${
              Object.entries(p.fees)
                .map(([a, v]) => `${v} ${a}`)
                .join(", ") || "0"
            }`,
          );
        for (const o of s.openOrders)
          printLine(
            `open ${o.clientOrderId} ${o.symbol} ${o.side} ${o.qty} (filled ${o.filledQty}) ${o.state}`,
          );
        if (s.latestDecision !== undefined)
          printLine(
            `latest decision #${s.latestDecision.seq} at ${s.latestDecision.bar}: ${JSON.stringify(s.latestDecision.targets)} (${s.latestDecision.explanation})`,
          );
        if (s.lastReconciliation !== undefined) printReconciliation(s.lastReconciliation);
      }),
    );

  trade
    .command("list")
    .description("every trading session in the home")
    .action((_o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const l = listTrading(c.trading());
        if (g.json) return printJson(l);
        if (l.length === 0) printLine("no trading sessions; start one with `kairos trade start`");
        for (const s of l)
          printLine(
            `${s.id}  ${s.mode}  ${s.state.padEnd(8)}  ${s.strategy} ${s.symbols.join(",")} ${s.timeframe}  created ${s.created}  last bar ${s.lastBar ?? "-"}`,
          );
      }),
    );

  trade
    .command("stop <session>")
    .description("stop a session: cancel its open orders; --flatten also sells every position at market")
    .option("--flatten", "close every position")
    .action((id: string, opts: { flatten?: boolean }, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const r = await stopTrading(c.trading(crashHook()), { id, flatten: opts.flatten === true });
        if (g.json) return printJson(r);
        printLine(`session ${id} stopped; ${r.cancelled.length} open order(s) cancelled`);
        for (const o of r.flattenOrders) printLine(`flatten ${o.symbol} sell ${o.qty}: ${o.state}`);
      }),
    );

  trade
    .command("resume [session]")
    .description(
      "reconcile a session with the venue and go on acting (a halted one needs --accept-balances after review); --by NAME --reason TEXT clears the account's HALTED latch (kill switch, throttle) as that person, recorded",
    )
    .option(
      "--accept-balances",
      "a person reviewed the differences: take the venue's balances as the new baseline",
    )
    .option(
      "--key-file <path>",
      "live: read the API keys from this file now (mode 0600; recorded for later resumes)",
    )
    .option("--by <name>", "who clears the HALTED latch (recorded; with --reason)")
    .option("--reason <text>", "why it is safe to trade again (recorded; with --by)")
    .option("--reducing", "with --by: resume in REDUCING (only orders that reduce exposure pass)")
    .action(async (id: string | undefined, opts: ResumeFlags, cmd: Command) => {
      // a person's resume of the account latch (issue 16's `trade resume --by --reason`), then the session if named
      if (opts.by !== undefined || opts.reason !== undefined) {
        if (opts.by === undefined || opts.reason === undefined)
          throw invalidInput("trade resume: --by NAME and --reason TEXT go together (both are recorded)");
        await resumeLatch(cmd, { by: opts.by, reason: opts.reason, reducing: opts.reducing === true });
        if (id === undefined) return;
      }
      if (id === undefined)
        throw invalidInput("trade resume: name a SESSION, or clear the latch with --by NAME --reason TEXT");
      return withContainer(cmd, async (c, g) => {
        const r = await resumeTrading(
          c.trading(crashHook()),
          {
            id,
            acceptBalances: opts.acceptBalances === true,
            ...(opts.keyFile === undefined ? {} : { keyFile: resolve(opts.keyFile) }),
          },
          sessionProgress(g),
        );
        if (g.json) return printJson(r);
        printReconciliation(r.reconciliation);
        printLine(`session ${r.sessionId}: ${r.state}, acted on ${r.barsActed} bar(s)`);
      });
    });

  trade
    .command("drift <session>")
    .description(
      "replay the session's period through the backtest and compare every fill and the P&L; names the first divergence",
    )
    .action((id: string, _o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const r = tradeDrift(c.trading(), { id });
        if (g.json) return printJson(r);
        printLine(`drift of session ${r.session} ${r.from} -> ${r.to}: ${r.zero ? "none" : "DIVERGES"}`);
        printLine(
          `fills: session ${r.fills.session}, backtest ${r.fills.backtest}, matched ${r.fills.matched}; largest differences qty ${r.maxDiff.qty}, price ${r.maxDiff.price}, fee ${r.maxDiff.fee}`,
        );
        printLine(
          `P&L: session ${r.pnl.session.toFixed(8)}, backtest ${r.pnl.backtest.toFixed(8)}, difference ${r.pnl.diff.toExponential(3)}`,
        );
        const d = r.firstDivergence;
        printLine(
          `decisions (changed targets): session ${r.decisions.session}, backtest ${r.decisions.backtest}, matched ${r.decisions.matched}`,
        );
        if (d !== undefined) printLine(`first divergence at ${d.kind} #${d.index + 1}: ${d.cause}`);
      }),
    );

  trade
    .command("reconcile <session>")
    .description(
      "compare kairos's orders, fills and balances with the venue's now; any difference halts the session",
    )
    .action((id: string, _o: unknown, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const r = await reconcileTrading(c.trading(), { id });
        if (g.json) printJson(r);
        else printReconciliation(r);
        if (!r.ok) process.exitCode = 9;
      }),
    );
}
