import { resolve } from "node:path";
import type { Command } from "commander";
import { backtestBot } from "../../../app/bot-backtest.ts";
import { listBots, resumeBot, stopBot } from "../../../app/bot-control.ts";
import { checkBotKind } from "../../../app/bot-params.ts";
import { startBot } from "../../../app/bot-start.ts";
import { printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { parseParamFlags } from "./backtest.ts";
import { crashHook, sessionProgress } from "./trade.ts";

interface StartOpts {
  symbol: string;
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

interface BacktestOpts {
  symbol: string;
  timeframe: string;
  exchange?: string;
  capital?: string;
  fee?: string;
  slippage?: string;
  from?: string;
  to?: string;
  size?: string;
  lotSize?: string;
  priceTick?: string;
  minNotional?: string;
}

/** What commander left over are the bot's own flags (--qty 0.5 --side buy, --levels 5 ...) */
const botFlags = (cmd: Command, kind: string) =>
  parseParamFlags(cmd.args.filter((a, i) => !(i === 0 && a === kind) && a !== "--json" && a !== "--debug"));

const BOT_HELP = `
Bots and their own flags:
  grid     --levels N --spacing F --anchor N        (the backtest's grid family)
  dca      --every N --step F --take-profit F        (the backtest's dca family)
  twap     --qty Q --side buy|sell (--bars N | --duration 1d) [--participation F]
  iceberg  --qty Q --side buy|sell --price P --clip Q`;

/** `kairos bot ...`: grid, DCA, TWAP and iceberg bots on the trading session's order path */
export function registerBotCommand(program: Command): void {
  const bot = program
    .command("bot")
    .description(
      "bots (grid, dca, twap, iceberg): every order through the risk gate and the order lifecycle",
    );

  bot
    .command("start <kind>")
    .description("start a bot: paper on stored candles by default, or --live (also against `kairos sim`)")
    .requiredOption("--symbol <A/Q>", "market, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "candle timeframe the bot acts on, e.g. 1h")
    .option("--exchange <id>", "exchange whose candles drive a paper bot, or the live exchange")
    .option("--paper", "paper trading on the in-process paper venue (the default)")
    .option("--live", "live trading: needs --exchange, --confirm-live EXCHANGE and a trading-only key")
    .option("--confirm-live <exchange>", "type the exchange's name to confirm live trading")
    .option("--key-file <path>", "API key file, mode 0600 (default: KAIROS_<EXCHANGE>_API_KEY and _SECRET)")
    .option("--api-base <url>", "send every exchange request to this origin (e.g. `kairos sim`)")
    .option(
      "--venue-clock",
      "the risk gate keeps the exchange's clock: only with --api-base of `kairos sim` on 127.0.0.1 (taken without asking when that exchange runs faster than real time)",
    )
    .option("--capital <n>", "paper account's starting quote balance (default 10000)")
    .option("--fee <rate>", "paper taker fee (default 0.001)")
    .option("--slippage <rate>", "paper slippage (default 0)")
    .option("--from <time>", "paper: replay stored candles from this ISO UTC time")
    .option("--to <time>", "paper: end of the replay (exclusive; default: the last stored candle)")
    .option("--id <id>", "bot id (1-12 lower-case letters or digits; default: random)")
    .option("--reconcile-every <bars>", "reconcile with the venue every N bars (default 50)")
    .option("--size <fraction>", "grid/dca: share of equity a full target means (default 1)")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText(
      "after",
      `${BOT_HELP}\n\nExample:\n  kairos bot start twap --symbol BTC/USDT --timeframe 1h --qty 0.05 --side buy --duration 1d --participation 0.01`,
    )
    .action((kind: string, opts: StartOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const k = checkBotKind(kind);
        const r = await startBot(
          c.trading(crashHook()),
          {
            kind: k,
            params: botFlags(cmd, kind),
            symbol: opts.symbol,
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
          sessionProgress(g, "bot"),
        );
        if (g.json) return printJson(r);
        if (r.limitsCreated !== undefined)
          printLine(
            `no risk limits in this home: wrote the conservative defaults to ${r.limitsCreated} (\`kairos risk show\`; raise them with \`kairos risk set KEY VALUE --by NAME\`)`,
          );
        if (r.venueClock === true)
          printLine("the risk gate kept the simulated exchange's clock (it runs at its own speed)");
        printLine(`bot ${r.sessionId} (${r.kind}): ${r.state}, acted on ${r.barsActed} bar(s)`);
        if (r.haltReason !== undefined) printLine(r.haltReason);
        printLine(`see \`kairos bot list\` and \`kairos trade status ${r.sessionId}\``);
      }),
    );

  bot
    .command("list")
    .description("every bot in the home with its state, progress and open orders")
    .action((_o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const l = listBots(c.trading());
        if (g.json) return printJson(l);
        if (l.length === 0) printLine("no bots; start one with `kairos bot start grid|dca|twap|iceberg`");
        const w = Math.max(...l.map((b) => b.id.length));
        for (const b of l)
          printLine(
            `${b.id.padEnd(w)}  ${b.kind.padEnd(7)}  ${b.mode}  ${b.state.padEnd(8)}  ${b.symbol} ${b.timeframe}  position ${b.position}${
              b.done === undefined ? "" : ` (${(b.done * 100).toFixed(1)}% done)`
            }  orders ${b.orders}, open ${b.openOrders}, fills ${b.fills}  last bar ${b.lastBar ?? "-"}`,
          );
      }),
    );

  bot
    .command("stop <id>")
    .description("stop a bot and cancel its open orders (a live bot's on its exchange)")
    .action((id: string, _o: unknown, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const r = await stopBot(c.trading(crashHook()), { id });
        if (g.json) return printJson(r);
        printLine(`bot ${id} stopped; ${r.cancelled.length} open order(s) cancelled`);
        for (const o of r.stillOpen) printLine(`still open on the venue (check it): ${o}`);
        if (r.stillOpen.length > 0) process.exitCode = 9;
      }),
    );

  bot
    .command("resume <id>")
    .description("reconcile a bot with its venue and go on from its stored state (no order sent twice)")
    .option(
      "--accept-balances",
      "a person reviewed the differences: take the venue's balances as the new baseline",
    )
    .option(
      "--key-file <path>",
      "live: read the API keys from this file now (mode 0600; recorded for later resumes)",
    )
    .action((id: string, opts: { acceptBalances?: boolean; keyFile?: string }, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const r = await resumeBot(
          c.trading(crashHook()),
          {
            id,
            acceptBalances: opts.acceptBalances === true,
            // the key file's path as a later resume from any directory finds it
            ...(opts.keyFile === undefined ? {} : { keyFile: resolve(opts.keyFile) }),
          },
          sessionProgress(g, "bot"),
        );
        if (g.json) return printJson(r);
        printLine(`bot ${r.id}: ${r.state}, acted on ${r.barsActed} bar(s)`);
        if (r.haltReason !== undefined) printLine(r.haltReason);
      }),
    );

  bot
    .command("backtest <kind>")
    .description("the bot's own logic through the backtest on stored candles: the orders it would place")
    .requiredOption("--symbol <A/Q>", "market, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "candle timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange whose stored candles to use")
    .option("--from <time>", "first bar the bot acts on (ISO UTC; default: after the warm-up)")
    .option("--to <time>", "end (exclusive)")
    .option("--capital <n>", "starting quote balance (default 10000)")
    .option("--fee <rate>", "taker fee (default 0.001)")
    .option("--slippage <rate>", "slippage (default 0)")
    .option("--size <fraction>", "grid/dca: share of equity a full target means (default 1)")
    .option("--lot-size <q>", "the venue's quantity step (default: the paper venue's)")
    .option("--price-tick <p>", "the venue's price tick")
    .option("--min-notional <n>", "the venue's minimum order value")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText(
      "after",
      `${BOT_HELP}\n\nExample:\n  kairos bot backtest grid --symbol BTC/USDT --timeframe 1h --levels 5 --spacing 0.01 --anchor 48`,
    )
    .action((kind: string, opts: BacktestOpts, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const r = backtestBot(
          { store: c.store },
          {
            kind: checkBotKind(kind),
            params: botFlags(cmd, kind),
            symbol: opts.symbol,
            timeframe: opts.timeframe,
            ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }),
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
            ...(opts.capital === undefined ? {} : { capital: opts.capital }),
            ...(opts.fee === undefined ? {} : { fee: opts.fee }),
            ...(opts.slippage === undefined ? {} : { slippage: opts.slippage }),
            ...(opts.size === undefined ? {} : { size: opts.size }),
            ...(opts.lotSize === undefined ? {} : { lotSize: opts.lotSize }),
            ...(opts.priceTick === undefined ? {} : { priceTick: opts.priceTick }),
            ...(opts.minNotional === undefined ? {} : { minNotional: opts.minNotional }),
          },
        );
        if (g.json) {
          const { result: _r, ...rest } = r;
          return printJson(rest);
        }
        const m = r.metrics;
        printLine(`${r.kind} ${JSON.stringify(r.params)}: ${r.fills.length} fill(s)`);
        printLine(
          `return ${(m.totalReturn * 100).toFixed(2)}%, max drawdown ${(m.maxDrawdown * 100).toFixed(2)}%, fees ${m.fees.toFixed(2)}`,
        );
        for (const f of r.fills)
          printLine(
            `${f.bar}  ${f.side.padEnd(4)} ${f.qty} at ${f.price} (${f.type}, fee ${f.fee.toFixed(6)})`,
          );
      }),
    );
}
